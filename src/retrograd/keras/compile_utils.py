"""What ``compile`` sets up for each output of a model: its loss, the weight of that
loss in the total, its metrics and its weighted metrics (as Keras's
``compile_utils.CompileLoss``/``CompileMetrics``).

For a model with outputs o₁ … o_K the training loss is

    ℓ = Σₖ λₖ ℓₖ(yₖ*, ŷₖ)        (λₖ = loss_weights, 1 by default)

plus the layers' penalties. ``loss``, ``loss_weights``, ``metrics`` and
``weighted_metrics`` take the forms Keras 3 takes: one value (a loss broadcast to
every output), a list with one entry per output, or a dict by output name (an output
missing from a ``loss`` dict has no loss). The logs name, as Keras does, ``loss``
(the total), ``<output>_loss`` (λₖ ℓₖ, only with several outputs) and
``<output>_<metric>``; a one-output model's metrics keep their plain names.

Every logged value is a running mean ``total / count`` (``Mean``), so that the logs
of several processes combine exactly by summing their totals and counts.
"""
import numpy as np

from ..backend import array_module
from ..tensor import Tensor
from . import losses as losses_module
from . import metrics as metrics_module


def call_loss(loss, y_true, y_pred, sample_weight=None):
    """``loss(y_true, y_pred, sample_weight)``, weighed by ``y_pred``'s Keras mask
    when it carries one (Keras 3's ``Loss.__call__``)."""
    mask = getattr(y_pred, "_keras_mask", None)
    if mask is None or not isinstance(y_pred, Tensor):
        return loss(y_true, y_pred, sample_weight)
    y = loss.check_target(losses_module._target_array(y_true, loss.name), y_pred)
    w = None if sample_weight is None else \
        losses_module._target_array(sample_weight, loss.name + " (sample_weight)")
    return masked_loss(loss, y.to(y_pred.device), y_pred, mask, w)


def masked_loss(loss, y_true, y_pred, mask, sample_weight=None, logits=False):
    """The loss of an output that carries a Keras mask (``y_pred._keras_mask``, e.g.
    an LSTM with ``return_sequences`` after ``Embedding(mask_zero=True)``), as
    Keras 3's ``apply_mask``: the masked values weigh 0; with the mean reductions
    the others weigh total/valid, so that Σ wℓ / total = Σ_real ℓ / valid (the mean
    over the real steps; 0 when none is real). ``sample_weight`` (one per sample)
    multiplies those weights. ``logits``: y_pred holds the output activation's
    logits (the fused path)."""
    if logits and y_pred.ndim > 2:      # the fused ops take (N, C): steps as samples
        lead = tuple(y_pred.shape[:-1])
        n = int(np.prod(lead))
        yt = y_true.reshape(n, *y_true.shape[len(lead):])
        per = loss.per_sample_from_logits(yt, y_pred.reshape(n, y_pred.shape[-1]))
        per = per.reshape(*lead)
    elif logits:
        per = loss.per_sample_from_logits(y_true, y_pred)
    else:
        per = losses_module._as_loss_values(loss.call(y_true, y_pred), loss.name)
    m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    xp = array_module(per.array)
    m = xp.asarray(m).astype(bool)
    if m.ndim > per.ndim or tuple(m.shape) != tuple(per.shape[:m.ndim]):
        raise ValueError(f"{loss.name}: the output's mask of shape {tuple(m.shape)} does "
                         f"not match its losses of shape {tuple(per.shape)}")
    dtype = per.dtype
    if loss.reduction in ("sum_over_batch_size", "mean"):
        valid = float(m.sum())
        weight = m.size / valid if valid else 0.0
        w = xp.where(m, weight, 0.0).astype(dtype)
    else:
        w = m.astype(dtype)
    if sample_weight is not None:
        sw = sample_weight.array if isinstance(sample_weight, Tensor) else \
            xp.asarray(sample_weight)
        sw = sw.astype(dtype).reshape(sw.shape + (1,) * (w.ndim - sw.ndim))
        w = w * sw
    w = w.reshape(w.shape + (1,) * (per.ndim - w.ndim))
    w = xp.broadcast_to(w, per.shape)
    return loss._reduce(per * Tensor._wrap(xp.ascontiguousarray(w)), per.size,
                        float(w.sum()))


class Mean:
    """A running mean Σ vᵢ nᵢ / Σ nᵢ of batch values vᵢ over nᵢ samples (a loss)."""

    def __init__(self, name):
        self.name = name
        self.reset_state()

    def reset_state(self):
        self.total, self.count = 0.0, 0

    def add(self, value, n):
        self.total += value * n
        self.count += n

    def update_state(self, values, sample_weight=None):
        """Keras's ``Mean.update_state``: each value counts once (a custom
        ``train_step`` feeds the batch's loss here)."""
        from .metrics import _host
        v = _host(values).astype(np.float64)
        if sample_weight is None:
            self.add(float(v.mean()) if v.size else 0.0, v.size)
        else:
            w = np.broadcast_to(_host(sample_weight).astype(np.float64), v.shape)
            self.total += float((v * w).sum())
            self.count += float(w.sum())

    def result(self):
        return self.total / self.count if self.count else float("nan")

    def _value(self):
        return self.result()

    def __repr__(self):
        return f"<Mean name={self.name}>"


def mean_state(tracker):
    """(total, count) of a tracker that is a running mean (the loss, the built-in
    metrics), whose logs then combine over processes; None for another metric."""
    if isinstance(tracker, Mean):
        return tracker.total, tracker.count
    if isinstance(tracker, metrics_module.Mean) and \
            type(tracker).result is metrics_module.Mean.result:
        return float(tracker.total.value), float(tracker.count.value)
    return None


class CompileMetrics(list):
    """The compiled metrics of every output, as one object (Keras 3's
    ``model.metrics`` entry named ``compile_metrics``): a custom ``train_step``
    calls ``update_state(y, y_pred, sample_weight=None)`` on it and returns
    ``result()``, a dict by log name. With several outputs y and y_pred are lists
    (or dicts by output name)."""

    name = "compile_metrics"

    def __init__(self, heads=()):
        super().__init__(m for h in heads for m in h.all_metrics)
        self.heads = list(heads)

    def update_state(self, y_true, y_pred, sample_weight=None):
        from .metrics import _host
        k = len(self.heads)
        ys, ps, ws = ([v] if k == 1 else [None] * k if v is None else
                      list(v.values()) if isinstance(v, dict) else list(v)
                      for v in (y_true, y_pred, sample_weight))
        for head, y, p, w in zip(self.heads, ys, ps, ws):
            y, p = _host(y), _host(p)
            w = None if w is None else _host(w)
            for m in head.metrics:
                m._feed(y, p)
            for m in head.weighted_metrics:
                m._feed(y, p, w)

    def result(self):
        return {key(m): m._value() for m in self}

    def reset_state(self):
        for m in self:
            m.reset_state()

    def __repr__(self):
        return "<CompileMetrics name=compile_metrics>"


class Head:
    """One output as compiled: ``name``, ``loss`` (a ``Loss`` or None: the output
    is not trained), ``weight`` λ, ``metrics``, ``weighted_metrics`` (fed the
    sample weights) and the log key of each metric."""

    def __init__(self, name, loss, weight, metrics, weighted_metrics, prefix):
        self.name, self.loss, self.weight = name, loss, weight
        self.metrics, self.weighted_metrics = metrics, weighted_metrics
        self.loss_mean = Mean(prefix + "loss") if prefix and loss is not None else None
        self.fused = False      # decided once per fit: the loss reads the logits
        used = {m.name for m in metrics}
        for m in weighted_metrics:      # as Keras: the same metric twice is "weighted_…"
            if m.name in used:
                m.name = "weighted_" + m.name
            used.add(m.name)
        for m in metrics + weighted_metrics:
            m.log_key = prefix + m.name

    @property
    def all_metrics(self):
        return self.metrics + self.weighted_metrics


def _per_output(value, names, what, model, default, allow_single=True):
    """``value`` (one entry, a list per output or a dict by output name) as a list
    with one entry per output; ``default`` where a dict leaves an output out."""
    k = len(names)
    if isinstance(value, dict):
        unknown = [key for key in value if key not in names]
        if unknown:
            raise ValueError(f"compile: in the dict argument `{what}`, key {unknown[0]!r} does "
                             f"not correspond to any output of model {model!r}; its outputs "
                             f"are {names}")
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)) and (k > 1 or what not in ("metrics",
                                                                    "weighted_metrics")):
        if len(value) != k:
            raise ValueError(f"compile: model {model!r} has {k} output(s) {names}; the `{what}` "
                             f"list must have one entry per output, got {len(value)}: "
                             f"{what}={value!r}")
        return list(value)
    if not allow_single and k > 1:
        raise ValueError(f"compile: model {model!r} has {k} outputs {names}: give `{what}` as "
                         f"a list with one entry per output or a dict by output name, got "
                         f"{what}={value!r}")
    return [value] * k


def _metric_list(entry, loss):
    """One output's metrics (a name, an object, or a list of them) as ``Metric``s."""
    if entry is None:
        return []
    if not isinstance(entry, (list, tuple)):
        entry = [entry]
    return [metrics_module.get(m, loss) for m in entry if m is not None]


def _flat(value):
    """A one-output model's ``metrics``: a list, or a dict by output name of names or
    lists, as one list (None when empty)."""
    if isinstance(value, dict):
        value = list(value.values())
    if not value:
        return None
    return [m for e in value for m in (e if isinstance(e, (list, tuple)) else [e])]


def check_arguments(loss, loss_weights, metrics, weighted_metrics):
    """What compile can check before the outputs are known (a subclassed model not yet
    built): the forms of the metrics, the loss names."""
    for what, v in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
        if v is not None and not isinstance(v, (list, tuple, dict)):
            raise TypeError(f"compile: {what} must be a list (or a dict by output name), e.g. "
                            f"{what}=['accuracy'], got {what}={v!r}")
    given = loss.values() if isinstance(loss, dict) else \
        loss if isinstance(loss, (list, tuple)) else [loss]
    for l in given:
        if l is not None:
            losses_module.get(l)


def build_heads(model, loss, loss_weights, metrics, weighted_metrics):
    """The ``Head`` of each output of ``model`` from compile's arguments, checked."""
    names = list(model.output_names)
    many = len(names) > 1
    check_arguments(None, None, metrics, weighted_metrics)
    losses = _per_output(loss, names, "loss", model.name, None)
    losses = [None if l is None else losses_module.get(l) for l in losses]
    if loss_weights is None:
        weights = [1.0] * len(names)
    else:
        weights = _per_output(loss_weights, names, "loss_weights", model.name, 1.0,
                              allow_single=not many)
        for w in weights:
            if not isinstance(w, (int, float, np.integer, np.floating)) or isinstance(w, bool) \
                    or not np.isfinite(w):
                raise ValueError(f"compile: loss_weights must be finite numbers (one per "
                                 f"output of model {model.name!r}), got "
                                 f"loss_weights={loss_weights!r}")
        weights = [float(w) for w in weights]
    if many:
        metrics = _per_output(metrics, names, "metrics", model.name, None) \
            if metrics is not None else [None] * len(names)
        weighted = _per_output(weighted_metrics, names, "weighted_metrics", model.name, None) \
            if weighted_metrics is not None else [None] * len(names)
    else:
        metrics, weighted = [_flat(metrics)], [_flat(weighted_metrics)]
    return [Head(n, l, w, _metric_list(m, l), _metric_list(wm, l), n + "_" if many else "")
            for n, l, w, m, wm in zip(names, losses, weights, metrics, weighted)]


def trackers(heads):
    """Every running mean behind the logs, in ``metrics_names`` order: the loss
    means of the outputs, then the metrics (the total ``loss`` is kept apart)."""
    out = [h.loss_mean for h in heads if h.loss_mean is not None]
    out += [m for h in heads for m in h.metrics]
    out += [m for h in heads for m in h.weighted_metrics]
    return out


def key(tracker):
    return getattr(tracker, "log_key", tracker.name)


# -- model files ---------------------------------------------------------------------------
def serialize(heads):
    """compile's settings for a model file (JSON): for one output ``loss`` (a config),
    ``loss_weights`` (a number), ``metrics`` and ``weighted_metrics`` (lists); with
    several outputs, a list of each, one entry per output."""
    def loss(h):
        return None if h.loss is None else losses_module.serialize(h.loss)
    per = [{"loss": loss(h), "loss_weights": h.weight,
            "metrics": [metrics_module.serialize(m) for m in h.metrics],
            "weighted_metrics": [metrics_module.serialize(_unprefixed(m))
                                 for m in h.weighted_metrics]} for h in heads]
    if len(per) == 1:
        return per[0]
    return {k: [p[k] for p in per] for k in per[0]}


def _unprefixed(m):
    """A weighted metric as the user named it (before "weighted_" was added)."""
    if isinstance(m, metrics_module.AutoAccuracy) and m.name.startswith("weighted_"):
        return metrics_module.AutoAccuracy(m.name[len("weighted_"):])
    return m


def deserialize(spec, n_outputs):
    """compile's keyword arguments (but the optimizer) from ``serialize``'s dict."""
    if n_outputs == 1:
        per = [spec]
    else:
        per = []
        for k in range(n_outputs):
            entry = {}
            for key in ("loss", "loss_weights", "metrics", "weighted_metrics"):
                v = spec.get(key)
                if v is not None and (not isinstance(v, list) or len(v) != n_outputs):
                    raise ValueError(f"compile settings: {key!r} must list one entry per "
                                     f"output ({n_outputs})")
                entry[key] = None if v is None else v[k]
            per.append(entry)
    args = {"loss": [], "loss_weights": [], "metrics": [], "weighted_metrics": []}
    for entry in per:
        loss = entry.get("loss")
        args["loss"].append(None if loss is None else losses_module.get(loss))
        w = entry.get("loss_weights")
        args["loss_weights"].append(1.0 if w is None else float(w))
        for key in ("metrics", "weighted_metrics"):
            ms = entry.get(key) or []
            if not isinstance(ms, list):
                raise ValueError(f"compile settings: {key!r} must be a list")
            args[key].append([metrics_module.get(m) for m in ms])
    if n_outputs == 1:
        return {k: v[0] for k, v in args.items()}
    return args
