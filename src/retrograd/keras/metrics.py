"""Keras metrics, Keras 3's protocol: a metric keeps its state in variables
(``add_variable``), ``update_state(y_true, y_pred, sample_weight=None)`` adds a
batch, ``result()`` reads the value, ``reset_state()`` starts again.

``fit`` drives every metric through that protocol (reset at the start of each
epoch, one update per batch, ``result()`` into the logs), the built-in ones
included; those compute on NumPy arrays (no graph), and on the fused-loss path the
argmax metrics read the logits directly (argmax softmax(s) = argmax s).

``"accuracy"`` (or ``"acc"``) becomes, as in Keras, the accuracy that fits the
targets: categorical (argmax of one-hot targets = argmax of the output), sparse
categorical (integer labels = argmax of the output) or binary (0/1 targets =
output > 0.5). A plain function ``fn(y_true, y_pred)`` given as a metric is
averaged over the samples as Keras's ``MeanMetricWrapper`` does::

    mean = Σᵢ wᵢ vᵢ / Σᵢ wᵢ        (wᵢ = 1 without sample weights)

A metric of one's own::

    class Positives(keras.metrics.Metric):
        def __init__(self, name="positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.n = self.add_variable(shape=(), initializer="zeros", name="n")
        def update_state(self, y_true, y_pred, sample_weight=None):
            self.n.assign_add(keras.ops.sum(keras.ops.cast(y_pred > 0.5, "float32")))
        def result(self):
            return self.n
"""
import numpy as np

from .. import backend
from ..serialization import from_config
from ..tensor import Tensor
import re


def _host(v):
    """A value given to a variable or a metric (a Variable, a Tensor, an array on
    any device, a number) as a NumPy array."""
    if isinstance(v, Variable):
        return v.value
    if isinstance(v, Tensor):
        v = v.array
    if not isinstance(v, np.ndarray) and backend.device_of(v) != "cpu":
        v = backend.to_device(v, "cpu")
    a = np.asarray(v)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"keras.metrics: expected numbers (an array, a tensor, a number), "
                        f"got {type(v).__name__} of dtype {a.dtype}")
    return a


def _aligned(who, y_true, y_pred, sample_weight):
    """``(ŷ, y, w)`` on the host: the labels in the predictions' shape and one weight
    per sample broadcast to it (ones without ``sample_weight``), or a ValueError
    naming the metric and the shapes that do not match."""
    p, y = _host(y_pred), _host(y_true)
    if y.size != p.size:
        raise ValueError(f"keras.metrics.{who}: y_true of shape {y.shape} does not match "
                         f"y_pred of shape {p.shape}")
    if sample_weight is None:
        return p, y.reshape(p.shape), np.ones(p.shape)
    sw = _host(sample_weight)
    if p.ndim == 0 or sw.size != len(p):
        raise ValueError(f"keras.metrics.{who}: sample_weight of shape {sw.shape} does not "
                         f"give one weight per sample of y_pred of shape {p.shape}")
    return p, y.reshape(p.shape), np.broadcast_to(sw.reshape((len(p),) + (1,) * (p.ndim - 1)),
                                                  p.shape)


class Variable(np.lib.mixins.NDArrayOperatorsMixin):
    """A metric's state (Keras's ``keras.Variable`` as metrics use it): an array on
    the host, changed in place by ``assign``, ``assign_add``, ``assign_sub``;
    arithmetic on it (``self.tp / self.n``) gives NumPy arrays."""

    def __init__(self, value, name, dtype="float32"):
        self.name = name
        self._value = np.array(value, dtype=dtype)

    @property
    def value(self):
        return self._value

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return str(self._value.dtype)

    def numpy(self):
        return self._value.copy()

    def _checked(self, v, how):
        a = _host(v)
        if a.shape != self._value.shape and a.size != 1:
            raise ValueError(f"Variable {self.name!r}.{how}: the value of shape {a.shape} does "
                             f"not fit the variable's shape {self._value.shape}")
        return a.reshape(self._value.shape) if a.size == 1 else a

    def assign(self, value):
        self._value[...] = self._checked(value, "assign")
        return self

    def assign_add(self, value):
        self._value += self._checked(value, "assign_add").astype(self._value.dtype)
        return self

    def assign_sub(self, value):
        self._value -= self._checked(value, "assign_sub").astype(self._value.dtype)
        return self

    def __array__(self, dtype=None, copy=None):
        return self._value if dtype is None else self._value.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [_host(a) if isinstance(a, (Variable, Tensor)) else a for a in inputs]
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __bool__(self):
        return bool(self._value)

    def __repr__(self):
        return (f"<Variable path={self.name}, shape={self.shape}, dtype={self.dtype}, "
                f"value={self._value}>")


def _initial(initializer, shape, dtype, who):
    if initializer is None or initializer == "zeros":
        return np.zeros(shape, dtype=dtype)
    if initializer == "ones":
        return np.ones(shape, dtype=dtype)
    if isinstance(initializer, (int, float, np.ndarray, list)):
        return np.broadcast_to(np.asarray(initializer, dtype=dtype), shape).copy()
    from ..nn import init
    fn = init.get(initializer)
    if not callable(fn):
        raise ValueError(f"{who}: invalid initializer {initializer!r}")
    return _host(fn(tuple(shape), dtype=dtype)).astype(dtype)


class Metric:
    """Base class of every metric (Keras 3's ``keras.metrics.Metric``).

    A subclass creates its state in ``__init__`` with ``add_variable`` and defines
    ``update_state(y_true, y_pred, sample_weight=None)`` and ``result()``;
    ``reset_state()`` sets every variable back to zero (override it for another
    start). ``m(y_true, y_pred)`` updates and returns the result. In ``fit``,
    ``update_state`` receives the batch's targets and predictions as retrograd
    Tensors (``keras.ops`` works on them), ``sample_weight`` a Tensor or None.

    ``needs_probabilities``: the metric reads ŷ itself, not only its argmax, so on
    the fused-loss path it is given softmax/sigmoid(logits)."""

    needs_probabilities = True

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype or "float32"
        self._variables = []

    # -- state ---------------------------------------------------------------------------
    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A new state ``Variable`` of ``shape``, filled by ``initializer`` ("zeros",
        "ones", a number or a Keras initializer)."""
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape or ())
        if "_variables" not in vars(self):
            raise RuntimeError(f"{type(self).__name__}: call super().__init__(name=...) "
                               "before add_variable")
        dtype = dtype or self.dtype
        v = Variable(_initial(initializer, shape, dtype, type(self).__name__),
                     name or f"variable_{len(self._variables)}", dtype)
        v._initializer = initializer
        self._variables.append(v)
        return v

    def add_weight(self, name=None, shape=(), initializer=None, dtype=None,
                   aggregation="sum"):
        """Keras 2's name of ``add_variable`` (zeros by default)."""
        return self.add_variable(shape, initializer or "zeros", dtype, aggregation, name)

    @property
    def variables(self):
        return list(self._variables)

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(v.shape, dtype=v.dtype))

    def reset_states(self):     # Keras 2's name
        self.reset_state()

    # -- the protocol -----------------------------------------------------------------
    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define update_state(y_true, "
                                  "y_pred, sample_weight=None)")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must define result()")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def _feed(self, y_true, y_pred, sample_weight=None, logits=False):
        """What ``fit`` calls per batch (arrays; ``logits`` only for the metrics with
        ``needs_probabilities`` False): ``update_state`` on Tensors, as Keras gives
        backend tensors."""
        self.update_state(Tensor._wrap(y_true), Tensor._wrap(y_pred),
                          sample_weight=None if sample_weight is None
                          else Tensor._wrap(sample_weight))

    def _value(self):
        """``result()`` for the logs: a float, or an array for a metric with one value
        per class or threshold (``F1Score()``, ``TruePositives(thresholds=[…])``), as
        Keras logs it."""
        v = _host(self.result())
        return float(v) if v.size == 1 else v.copy()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower()
                   for i, c in enumerate(name))


class Mean(Metric):
    """The weighted mean Σ wᵢ vᵢ / Σ wᵢ of every value given to
    ``update_state(values, sample_weight=None)`` (0 before any)."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)
        # float64 running sums: the epoch mean is the dataset mean to rounding
        self.total = self.add_variable((), "zeros", "float64", name="total")
        self.count = self.add_variable((), "zeros", "float64", name="count")

    def _add(self, v, w):
        v = np.asarray(v, dtype=np.float64)
        if w is None:
            self.total._value += v.sum()
            self.count._value += v.size
        else:
            w = np.broadcast_to(np.asarray(w, dtype=np.float64).reshape(
                np.shape(w) + (1,) * max(v.ndim - np.ndim(w), 0)), v.shape)
            self.total._value += float((v * w).sum())
            self.count._value += float(w.sum())

    def update_state(self, values, sample_weight=None):
        self._add(_host(values), None if sample_weight is None else _host(sample_weight))

    def result(self):
        c = float(self.count._value)
        return float(self.total._value) / c if c else 0.0


class Sum(Metric):
    """Σ wᵢ vᵢ of every value given to ``update_state(values, sample_weight=None)``."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)
        self.total = self.add_variable((), "zeros", "float64", name="total")

    def update_state(self, values, sample_weight=None):
        v = _host(values).astype(np.float64)
        if sample_weight is not None:
            v = v * np.broadcast_to(_host(sample_weight).astype(np.float64), v.shape)
        self.total._value += v.sum()

    def result(self):
        return float(self.total._value)


class MeanMetricWrapper(Mean):
    """The mean over the samples of a per-sample quantity: ``fn(y_true, y_pred)``
    (a user's function, given Tensors) or, for the built-in metrics, ``values``
    on NumPy arrays."""

    def __init__(self, fn=None, name=None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", None) or
                         _snake(type(self).__name__), dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def values(self, y_true, y_pred, logits):
        out = self._fn(Tensor._wrap(y_true), Tensor._wrap(y_pred), **self._fn_kwargs)
        return _host(out)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._feed(_host(y_true), _host(y_pred),
                   None if sample_weight is None else _host(sample_weight))

    def _feed(self, y_true, y_pred, sample_weight=None, logits=False):
        v = self.values(y_true, y_pred, logits)
        if sample_weight is None:       # the per-batch fast path of fit
            self.total._value += float(np.sum(v))
            self.count._value += np.size(v)
        else:
            self._add(v, sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class CategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples with argmax ŷ = argmax y* (one-hot targets)."""

    needs_probabilities = False

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        return y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples with argmax ŷ = y (integer labels)."""

    needs_probabilities = False

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        return y_pred.argmax(axis=-1) == y_true.reshape(y_pred.shape[:-1])


class BinaryAccuracy(MeanMetricWrapper):
    """Fraction of outputs with (ŷ > threshold) = y, averaged per sample."""

    needs_probabilities = False

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        self.threshold = threshold
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        cut = np.log(self.threshold / (1 - self.threshold)) if logits else self.threshold
        hit = (y_pred > cut) == (y_true.reshape(y_pred.shape) > 0.5)
        return hit.reshape(len(hit), -1).mean(axis=1)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class Accuracy(MeanMetricWrapper):
    """Keras's ``Accuracy``: fraction of exact matches y_pred == y_true."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        hit = y_pred == _match(y_true, y_pred)
        return hit.reshape(len(hit), -1).mean(axis=1)


def _match(y_true, y_pred):
    """y_true broadcast against y_pred as Keras does (a missing last axis added)."""
    if y_true.ndim == y_pred.ndim - 1:
        return y_true[..., None]
    return y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true


class MeanSquaredError(MeanMetricWrapper):
    """Mean over outputs of (y − ŷ)², averaged over samples."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        d = (y_pred - _match(y_true, y_pred)) ** 2
        return d.reshape(len(d), -1).mean(axis=1)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean over outputs of |y − ŷ|, averaged over samples."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        d = np.abs(y_pred - _match(y_true, y_pred))
        return d.reshape(len(d), -1).mean(axis=1)


class _Confusion(Metric):
    """Precision / recall at one or several thresholds (default 0.5): counts over
    every output of (ŷ > threshold) against (y > 0.5), weighted by the samples'
    weights. ``top_k``: only each row's k largest outputs may count as positive (the
    default threshold is then −∞); ``class_id``: only that column is counted."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name, dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        default = 0.5 if top_k is None else -np.inf
        self.thresholds = _thresholds_list(thresholds, 0.5, type(self).__name__) \
            if thresholds is not None else [default]
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.other = self.add_variable((n,), "zeros", name=self.OTHER)

    def update_state(self, y_true, y_pred, sample_weight=None):
        cells = _confusion(y_true, y_pred, sample_weight, self.thresholds,
                           type(self).__name__, self.top_k, self.class_id)
        self.true_positives.assign_add(cells[0])
        self.other.assign_add(cells[1] if self.OTHER == "false_positives" else cells[3])

    def result(self):
        tp, other = self.true_positives.value, self.other.value
        r = _divide_no_nan(tp, tp + other)
        return float(r[0]) if len(self.thresholds) == 1 else r.astype(np.float32)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_Confusion):
    """tp / (tp + fp): of the outputs predicted positive, the fraction that are."""
    OTHER = "false_positives"


class Recall(_Confusion):
    """tp / (tp + fn): of the positive targets, the fraction predicted positive."""
    OTHER = "false_negatives"


class AUC(Metric):
    """Area under the ROC or precision-recall curve, as Keras computes it: counts of
    true/false positives/negatives at ``num_thresholds`` thresholds (0 − ε,
    1/(T−1), …, 1 + ε, or ``thresholds`` given, between 0 − ε and 1 + ε), every output
    counted (ŷ > t) against (y > 0.5), weighted by the samples' weights.

    ``curve="ROC"``: Σ over the (FPR, TPR) points; ``"PR"``: over (recall, precision),
    with Davis & Goadrich's interpolation for ``summation_method="interpolation"``;
    ``"PRGAIN"``: precision-recall gain. ``summation_method``: "interpolation"
    (trapezoids), "minoring" or "majoring" (the lower or upper of each pair of
    heights). ``from_logits`` applies σ first. ``multi_label``: one curve per column
    of (N, L) outputs, their areas averaged (weighted by ``label_weights`` if given);
    otherwise ``label_weights`` weight the columns' counts."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name or "auc", dtype)
        curve = curve.upper() if isinstance(curve, str) else curve
        method = summation_method.lower() if isinstance(summation_method, str) else None
        if curve not in ("ROC", "PR", "PRGAIN"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC", "PRGAIN"]')
        if method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        if thresholds is not None:
            values = _thresholds_list(thresholds, 0.5, "AUC")
            num_thresholds = len(values) + 2
            inner = sorted(values)
        else:
            if not isinstance(num_thresholds, int) or num_thresholds < 2:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds, self.curve, self.from_logits = num_thresholds, curve, from_logits
        self.summation_method, self.multi_label = method, multi_label
        self.num_labels, self.label_weights = num_labels, label_weights
        self._label_weights = None if label_weights is None else \
            np.asarray(label_weights, dtype=np.float64).reshape(-1)
        self._init_thresholds = thresholds is not None
        self._thresholds = np.array([-1e-7] + inner + [1 + 1e-7])
        self._built = False
        if not multi_label or num_labels:
            self._build(num_labels if multi_label else None)

    def _build(self, num_labels):
        shape = (self.num_thresholds,) if num_labels is None else \
            (self.num_thresholds, num_labels)
        for n in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, n, self.add_variable(shape, "zeros", name=n))
        self._built = True

    @property
    def thresholds(self):
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        p, y, w = _aligned("AUC", y_true, y_pred, sample_weight)
        p = p.astype(np.float64)
        if self.from_logits:
            p = 0.5 * (1 + np.tanh(0.5 * p))
        w = w.astype(np.float64)
        if self.multi_label:
            if p.ndim != 2:
                raise ValueError(f"AUC(multi_label=True): expected outputs of shape "
                                 f"(batch, labels), got {p.shape}")
            if not self._built:
                self._build(p.shape[1])
            # one column per label: counts of shape (T, L)
            true, above = y > 0.5, p[None] > self._thresholds[:, None, None]   # (T, N, L)
            for var, mask in ((self.true_positives, above & true),
                              (self.false_positives, above & ~true),
                              (self.true_negatives, ~above & ~true),
                              (self.false_negatives, ~above & true)):
                var.assign_add((mask * w[None]).sum(axis=1))
            return
        if self._label_weights is not None:
            w = w * self._label_weights      # each column's counts weighted
        true = (y > 0.5).reshape(-1)
        w, p = w.reshape(-1), p.reshape(-1)
        above = p[None, :] > self._thresholds[:, None]          # (T, n)
        for var, mask in ((self.true_positives, above & true), (self.false_positives,
                                                                above & ~true),
                          (self.true_negatives, ~above & ~true),
                          (self.false_negatives, ~above & true)):
            var.assign_add(mask @ w)

    def _total(self, terms):
        """Σ over the thresholds; with ``multi_label`` the labels' areas averaged
        (weighted by ``label_weights``)."""
        if not self.multi_label:
            return float(np.sum(terms))
        by_label = terms.sum(axis=0)
        if self._label_weights is None:
            return float(np.mean(by_label))
        lw = self._label_weights
        return float(_divide_no_nan(np.sum(by_label * lw), np.sum(lw)))

    def _interpolate_pr_auc(self, tp, fp, fn):
        """Davis & Goadrich: precision interpolated along the positives between
        neighbouring thresholds (Keras's interpolate_pr_auc)."""
        dtp = tp[:-1] - tp[1:]
        pos = tp + fp
        dp = pos[:-1] - pos[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * pos[1:]
        ratio = np.where((pos[:-1] > 0) & (pos[1:] > 0),
                         _divide_no_nan(pos[:-1], np.maximum(pos[1:], 0)), 1.0)
        return self._total(_divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                                          np.maximum(tp[1:] + fn[1:], 0)))

    def result(self):
        if not self._built:
            return 0.0
        tp, fp = self.true_positives.value.astype(np.float64), \
            self.false_positives.value.astype(np.float64)
        tn, fn = self.true_negatives.value.astype(np.float64), \
            self.false_negatives.value.astype(np.float64)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:
            scale = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * _divide_no_nan(fn, tp))
            x = np.maximum(recall_gain, 0.0)
            y = np.where(tp == 0, 1.0, 1.0 - scale * _divide_no_nan(fp, tp))
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._total((x[:-1] - x[1:]) * heights)

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(v.shape))

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self.from_logits}
        if self._init_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        return config


def _divide_no_nan(a, b):
    """a / b, 0 where b = 0."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    return np.divide(a, b, out=np.zeros(a.shape), where=b != 0)


class AutoAccuracy(MeanMetricWrapper):
    """``"accuracy"``: picks categorical, sparse or binary accuracy from the first
    batch's shapes (and the loss), as Keras does; keeps the user's name."""

    needs_probabilities = False

    def __init__(self, name="accuracy", loss=None):
        self.loss = loss
        self.impl = None
        super().__init__(None, name)

    def resolve(self, y_true, y_pred_shape):
        from .losses import BinaryCrossentropy, SparseCategoricalCrossentropy
        if y_pred_shape[-1] == 1 or isinstance(self.loss, BinaryCrossentropy):
            self.impl = BinaryAccuracy(self.name)
        elif isinstance(self.loss, SparseCategoricalCrossentropy) or \
                np.ndim(y_true) < len(y_pred_shape) or np.shape(y_true)[-1] == 1:
            self.impl = SparseCategoricalAccuracy(self.name)
        else:
            self.impl = CategoricalAccuracy(self.name)
        return self.impl

    def values(self, y_true, y_pred, logits):
        impl = self.impl or self.resolve(y_true, y_pred.shape)
        return impl.values(y_true, y_pred, logits)


# -- more of Keras 3's metrics ------------------------------------------------------------

EPSILON = 1e-7      # Keras's backend.epsilon()


class RootMeanSquaredError(Mean):
    """√(Σ w (ŷ − y)² / Σ w): the square root of the running mean squared error."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = _host(y_pred).astype(np.float64)
        d = (p - _match(_host(y_true), p)) ** 2
        self._add(d, None if sample_weight is None else _host(sample_weight))

    def result(self):
        return float(np.sqrt(super().result()))


def _in_top_k(labels, scores, k):
    """1 where the score of the true class is among the k largest of its row (ties
    count, as Keras's torch backend)."""
    scores = scores.reshape(-1, scores.shape[-1])
    labels = labels.reshape(-1).astype(np.int64)
    if k >= scores.shape[-1]:
        return np.ones(len(labels))
    kth = -np.partition(-scores, k - 1, axis=-1)[:, k - 1]
    return (scores[np.arange(len(labels)), labels] >= kth).astype(np.float64)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose one-hot target's class is among the ``k`` largest
    outputs."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(None, name, dtype)
        self.k = k

    def values(self, y_true, y_pred, logits):
        return _in_top_k(y_true.argmax(axis=-1), y_pred, self.k)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose integer label is among the ``k`` largest outputs
    (``from_sorted_ids``: y_pred holds the top ids, best first)."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(None, name, dtype)
        self.k, self.from_sorted_ids = k, from_sorted_ids

    def values(self, y_true, y_pred, logits):
        if self.from_sorted_ids:
            ids = y_pred.reshape(-1, y_pred.shape[-1])[:, :self.k]
            return (ids == y_true.reshape(-1, 1)).any(axis=-1).astype(np.float64)
        return _in_top_k(y_true, y_pred, self.k)

    def get_config(self):
        config = {**super().get_config(), "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


def _thresholds_list(thresholds, default, who):
    values = [default] if thresholds is None else \
        [thresholds] if isinstance(thresholds, (int, float)) else list(thresholds)
    for t in values:
        if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 <= t <= 1:
            raise ValueError(f"{who}: threshold values must be in [0, 1]. Received: "
                             f"{thresholds!r}")
    return values


def _confusion(y_true, y_pred, sample_weight, thresholds, who, top_k=None, class_id=None):
    """tp, fp, tn, fn at each threshold: every output counted (ŷ > t) against
    (y > 0.5), weighted by its sample's weight (Keras's
    update_confusion_matrix_variables); ``top_k`` keeps each row's k largest outputs
    (the others −∞), ``class_id`` counts one column only."""
    p, y, w = _aligned(who, y_true, y_pred, sample_weight)
    p = p.astype(np.float64)
    if top_k is not None:
        kth = -np.sort(-p, axis=-1)[..., top_k - 1:top_k] if top_k <= p.shape[-1] else \
            np.full(p.shape[:-1] + (1,), -np.inf)
        p = np.where(p >= kth, p, -np.inf)
    if class_id is not None:
        if not 0 <= class_id < p.shape[-1]:
            raise ValueError(f"{who}: class_id={class_id} is out of range for "
                             f"{p.shape[-1]} classes")
        p, y, w = p[..., class_id], y[..., class_id], w[..., class_id]
    p, true, w = p.reshape(-1), (y > 0.5).reshape(-1), w.reshape(-1).astype(np.float64)
    above = p[None, :] > np.asarray(thresholds, np.float64)[:, None]
    return ((above & true) @ w, (above & ~true) @ w, (~above & ~true) @ w,
            (~above & true) @ w)


class _ConditionCount(Metric):
    """The weighted count of one cell of the confusion matrix at each threshold
    (default 0.5): a number for one threshold, an array for several."""
    CELL = 0

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name, dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds_list(thresholds, 0.5, type(self).__name__)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros",
                                             name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.accumulator.assign_add(_confusion(y_true, y_pred, sample_weight,
                                               self.thresholds, type(self).__name__)[self.CELL])

    def result(self):
        a = self.accumulator.numpy()
        return float(a[0]) if len(self.thresholds) == 1 else a

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """Weighted count of outputs predicted positive (ŷ > threshold) whose target is 1."""
    CELL = 0


class FalsePositives(_ConditionCount):
    """Weighted count of outputs predicted positive whose target is 0."""
    CELL = 1


class TrueNegatives(_ConditionCount):
    """Weighted count of outputs predicted negative whose target is 0."""
    CELL = 2


class FalseNegatives(_ConditionCount):
    """Weighted count of outputs predicted negative whose target is 1."""
    CELL = 3


class _AtConstraint(Metric):
    """Keras's SensitivitySpecificityBase: tp, fp, tn, fn at ``num_thresholds``
    thresholds 0, 1/(T−1), …, 1 (of column ``class_id`` only, if given), and the best
    value of one rate among the thresholds where the other rate reaches ``value``
    (0 if none does)."""

    ARG = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        who = type(self).__name__
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self.ARG}` must be in the range [0, 1]. "
                             f"Received: {self.ARG}={value}")
        if not isinstance(num_thresholds, int) or num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        super().__init__(name or _snake(who), dtype)
        setattr(self, self.ARG, value)
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        self.thresholds = [0.5] if num_thresholds == 1 else \
            [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
        for n in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, n, self.add_variable((len(self.thresholds),), "zeros", name=n))

    def update_state(self, y_true, y_pred, sample_weight=None):
        cells = _confusion(y_true, y_pred, sample_weight, self.thresholds, type(self).__name__,
                           class_id=self.class_id)
        for v, c in zip((self.true_positives, self.false_positives, self.true_negatives,
                         self.false_negatives), cells):
            v.assign_add(c)

    def _rates(self):
        tp, fp = self.true_positives.value.astype(np.float64), \
            self.false_positives.value.astype(np.float64)
        tn, fn = self.true_negatives.value.astype(np.float64), \
            self.false_negatives.value.astype(np.float64)

        def ratio(a, b):
            return np.divide(a, b, out=np.zeros_like(a), where=b != 0)
        return {"sensitivity": ratio(tp, tp + fn), "specificity": ratio(tn, tn + fp),
                "precision": ratio(tp, tp + fp)}

    def result(self):
        rates = self._rates()
        constrained, dependent = rates[self.CONSTRAINED], rates[self.DEPENDENT]
        return float(np.max(np.where(constrained >= self.value, dependent, 0), initial=0))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self.ARG: self.value}


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity tp/(tp+fn) among the thresholds whose specificity
    tn/(tn+fp) is ≥ ``specificity``."""
    ARG, CONSTRAINED, DEPENDENT = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity among the thresholds whose sensitivity is ≥ ``sensitivity``."""
    ARG, CONSTRAINED, DEPENDENT = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_AtConstraint):
    """The best precision among the thresholds whose recall is ≥ ``recall``."""
    ARG, CONSTRAINED, DEPENDENT = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_AtConstraint):
    """The best recall among the thresholds whose precision is ≥ ``precision``."""
    ARG, CONSTRAINED, DEPENDENT = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


class FBetaScore(Metric):
    """F_β = (1 + β²) P R / (β² P + R) per class from the counts tp, fp, fn (outputs
    above ``threshold``, or each row's maximum when it is None), then ``average``:
    None (one score per class), "micro" (counts pooled), "macro" (mean over
    classes) or "weighted" (by each class's support). Inputs (batch, classes)."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name, dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape "
                             f"(batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for n in ("true_positives", "false_positives", "false_negatives",
                  "intermediate_weights"):
            setattr(self, n, self.add_variable(shape, "zeros", name=n))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        p, y = _host(y_pred).astype(np.float64), _host(y_true).astype(np.float64)
        if not self._built:
            self._build(y.shape, p.shape)
        if y.shape != p.shape:
            raise ValueError(f"{type(self).__name__}: y_true of shape {y.shape} does not "
                             f"match y_pred of shape {p.shape}")
        if self.threshold is None:
            pred = (p >= p.max(axis=-1, keepdims=True)) & (np.abs(p) > 1e-9)
        else:
            pred = p > self.threshold
        pred = pred.astype(np.float64)
        w = None if sample_weight is None else \
            _host(sample_weight).astype(np.float64).reshape(-1, 1)

        def total(v):
            return (v if w is None else v * w).sum(axis=self.axis)
        self.true_positives.assign_add(total(pred * y))
        self.false_positives.assign_add(total(pred * (1 - y)))
        self.false_negatives.assign_add(total((1 - pred) * y))
        self.intermediate_weights.assign_add(total(y))

    def result(self):
        if not self._built:
            return 0.0
        tp = self.true_positives.value.astype(np.float64)
        precision = tp / (tp + self.false_positives.value + EPSILON)
        recall = tp / (tp + self.false_negatives.value + EPSILON)
        b2 = self.beta ** 2
        f = precision * recall / (b2 * precision + recall + EPSILON) * (1 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights.value
            return float(np.sum(f * w / (w.sum() + EPSILON)))
        if self.average is not None:
            return float(np.mean(f))
        return f.astype(np.float32)

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(v.shape))

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "average": self.average,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F₁ = 2 P R / (P + R) (``FBetaScore`` with β = 1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average, 1.0, threshold, name, dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """The coefficient of determination R² = 1 − Σ w (y − ŷ)² / Σ w (y − ȳ)² per
    output, then ``class_aggregation``: "uniform_average", "variance_weighted_average"
    or None (one per output); ``num_regressors`` p > 0 gives the adjusted
    1 − (1 − R²)(n − 1)/(n − p − 1), n counting every value seen."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name, dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one "
                             f"of {valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def update_state(self, y_true, y_pred, sample_weight=None):
        p, y = _host(y_pred).astype(np.float64), _host(y_true).astype(np.float64)
        if y.ndim == p.ndim - 1:
            y = y[..., None]
        elif p.ndim == y.ndim - 1:
            p = p[..., None]
        if not self._built:
            if p.ndim != 2 or y.ndim != 2:
                raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, "
                                 f"output_dim). Received input shapes: y_pred.shape="
                                 f"{p.shape} and y_true.shape={y.shape}.")
            for n in ("squared_sum", "sum", "total_mse", "count"):
                setattr(self, n, self.add_variable((p.shape[-1],), "zeros", name=n))
            self._built = True
        w = np.ones(1) if sample_weight is None else _host(sample_weight).astype(np.float64)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, y.shape)
        self.sum.assign_add((y * w).sum(axis=0))
        self.squared_sum.assign_add((y * y * w).sum(axis=0))
        self.total_mse.assign_add(((y - p) ** 2 * w).sum(axis=0))
        self.count.assign_add(w.sum(axis=0))
        self.num_samples.assign_add(y.size)

    def result(self):
        if not self._built:
            return 0.0
        s, c = self.sum.value.astype(np.float64), self.count.value.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            total = self.squared_sum.value - s * (s / c)
            raw = 1 - self.total_mse.value / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            r2 = float(np.mean(raw))
        elif self.class_aggregation == "variance_weighted_average":
            r2 = float(np.sum(total * raw) / np.sum(total))
        else:
            r2 = raw
        n, k = float(self.num_samples), self.num_regressors
        if k and k < n - 1:
            r2 = 1 - (1 - r2) * (n - 1) / (n - k - 1)
        return r2

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(v.shape))

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


class IoU(Metric):
    """Intersection over union per class, TP / (TP + FP + FN), from the confusion
    matrix of the integer labels (``sparse_y_true``/``sparse_y_pred`` False: argmax
    along ``axis`` first), averaged over ``target_class_ids`` (classes absent from
    both count as 0 and are left out of the mean). Labels outside [0, num_classes)
    or equal to ``ignore_class`` are skipped. As Keras, the matrix has the metric's
    ``dtype`` ("int32" by default: weights are truncated to integers)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name, dtype or "int32")
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.num_classes, self.target_class_ids = num_classes, list(target_class_ids)
        self.ignore_class, self.axis = ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros",
                                          name="total_confusion_matrix")

    def _labels(self, y_true, y_pred):
        y, p = _host(y_true), _host(y_pred)
        if not self.sparse_y_true:
            y = y.argmax(axis=self.axis)
        if not self.sparse_y_pred:
            p = p.argmax(axis=self.axis)
        return y, p

    def update_state(self, y_true, y_pred, sample_weight=None):
        y, p = self._labels(y_true, y_pred)
        dtype = self.total_cm.value.dtype
        y, p = y.astype(dtype).reshape(-1), p.astype(dtype).reshape(-1)
        if y.size != p.size:
            raise ValueError(f"{type(self).__name__}: {y.size} labels for {p.size} "
                             "predictions")
        w = np.ones(1, dtype) if sample_weight is None else \
            _host(sample_weight).astype(dtype).reshape(-1)
        w = np.broadcast_to(w, y.shape)
        k = self.num_classes
        keep = (y >= 0) & (y < k) & (p >= 0) & (p < k)
        if self.ignore_class is not None:
            keep &= y != self.ignore_class
        cm = np.zeros((k, k), dtype)
        np.add.at(cm, (y[keep].astype(np.int64), p[keep].astype(np.int64)), w[keep])
        self.total_cm.assign_add(cm)

    def result(self):
        cm = self.total_cm.value.astype(np.float64)
        tp = np.diag(cm)
        denominator = cm.sum(axis=0) + cm.sum(axis=1) - tp
        ids = self.target_class_ids
        tp, denominator = tp[ids], denominator[ids]
        valid = denominator > 1e-9
        iou = np.where(valid, tp / (denominator + EPSILON), 0.0)
        return float(iou.sum() / (valid.sum() + EPSILON))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class MeanIoU(IoU):
    """``IoU`` averaged over every class."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name, dtype, ignore_class,
                         sparse_y_true, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class BinaryIoU(IoU):
    """``IoU`` of the classes 0/1 with ŷ ≥ ``threshold`` predicted 1."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name, dtype)
        self.threshold = threshold

    def _labels(self, y_true, y_pred):
        return _host(y_true), (_host(y_pred).astype(np.float32) >= self.threshold)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class OneHotIoU(IoU):
    """``IoU`` of one-hot targets and scores (argmax of both)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name, dtype, ignore_class, False,
                         sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """``MeanIoU`` of one-hot targets and scores (argmax of both)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


def _pearson(y_true, y_pred, axis=-1):
    """mean((y − ȳ)/σ_y · (ŷ − ŷ̄)/σ_ŷ) along ``axis``."""
    y, p = _host(y_true).astype(np.float64), _host(y_pred).astype(np.float64)
    y = _match(y, p)
    y, p = y - y.mean(axis=axis, keepdims=True), p - p.mean(axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        y, p = y / y.std(axis=axis, keepdims=True), p / p.std(axis=axis, keepdims=True)
    return (y * p).mean(axis=axis)


def _concordance(y_true, y_pred, axis=-1):
    """Keras's concordance correlation: mean(2 (y − ŷ̄)(ŷ − ŷ̄) / (σ_y² + σ_ŷ² +
    (ȳ − ŷ̄)² + ε)) along ``axis`` (the first factor is Keras's, centred on ŷ̄)."""
    y, p = _host(y_true).astype(np.float64), _host(y_pred).astype(np.float64)
    y = _match(y, p)
    ym, pm = y.mean(axis=axis, keepdims=True), p.mean(axis=axis, keepdims=True)
    norm = (y - ym).var(axis=axis, keepdims=True) + (p - pm).var(axis=axis, keepdims=True) + \
        (ym - pm) ** 2
    return (2 * (y - pm) * (p - pm) / (norm + EPSILON)).mean(axis=axis)


def _cosine(y_true, y_pred, axis=-1):
    """Σ (y/‖y‖)(ŷ/‖ŷ‖) along ``axis`` (norms at least ε)."""
    y, p = _host(y_true).astype(np.float64), _host(y_pred).astype(np.float64)
    y = _match(y, p)

    def unit(a):
        return a / np.maximum(np.sqrt((a * a).sum(axis=axis, keepdims=True)), EPSILON)
    return (unit(y) * unit(p)).sum(axis=axis)


class _ArrayFunctionMetric(MeanMetricWrapper):
    """The running mean of a per-sample NumPy function ``fn(y_true, y_pred, axis)``."""
    fn = None

    def __init__(self, name=None, dtype=None, axis=-1):
        super().__init__(None, name, dtype)
        self.axis = axis

    def values(self, y_true, y_pred, logits):
        return type(self).fn(y_true, y_pred, self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PearsonCorrelation(_ArrayFunctionMetric):
    """Mean over samples of the Pearson correlation along ``axis``."""
    fn = staticmethod(_pearson)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(name, dtype, axis)


class ConcordanceCorrelation(_ArrayFunctionMetric):
    """Mean over samples of Keras's concordance correlation along ``axis``."""
    fn = staticmethod(_concordance)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(name, dtype, axis)


class CosineSimilarity(_ArrayFunctionMetric):
    """Mean over samples of the cosine of the angle between y and ŷ along ``axis``."""
    fn = staticmethod(_cosine)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(name, dtype, axis)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class _LossMetric(MeanMetricWrapper):
    """The running mean of a Keras loss's per-sample values (``keras.losses``'s
    function of the same name, no gradient)."""
    LOSS = None         # the name of the loss class in keras.losses
    OPTIONS = ()        # the loss's arguments this metric takes

    def __init__(self, name=None, dtype=None, **options):
        super().__init__(None, name or self.NAME, dtype)
        self._options = options
        for k, v in options.items():
            setattr(self, k, v)

    def values(self, y_true, y_pred, logits):
        from . import losses
        loss = getattr(losses, self.LOSS)(reduction="none", **self._options)
        return _host(loss(y_true, y_pred.astype(np.float64, copy=False)))

    def get_config(self):
        return {**super().get_config(), **self._options}


def _loss_metric(cls_name, loss, default_name, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{cls_name}: unexpected argument(s) {sorted(unknown)}")
        _LossMetric.__init__(self, name, dtype, **{**defaults, **kwargs})
    doc = f"The running mean of ``keras.losses.{loss}``'s per-sample values."
    return type(cls_name, (_LossMetric,), {"LOSS": loss, "NAME": default_name,
                                           "__init__": __init__, "__doc__": doc,
                                           "__module__": __name__})


CategoricalCrossentropy = _loss_metric("CategoricalCrossentropy", "CategoricalCrossentropy",
                                       "categorical_crossentropy", from_logits=False,
                                       label_smoothing=0, axis=-1)
class SparseCategoricalCrossentropy(_LossMetric):
    """The running mean of ``keras.losses.SparseCategoricalCrossentropy``'s per-sample
    values (``ignore_class`` other than None is not supported)."""
    LOSS, NAME = "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        if ignore_class is not None or axis != -1:
            from ..missing import NotSupportedError
            raise NotSupportedError(f"keras.metrics.SparseCategoricalCrossentropy: "
                                    f"ignore_class={ignore_class!r}, axis={axis!r} (only "
                                    "ignore_class=None, axis=-1)")
        super().__init__(name, dtype, from_logits=from_logits)
        self.ignore_class, self.axis = ignore_class, axis

    def get_config(self):
        return {**super().get_config(), "ignore_class": self.ignore_class, "axis": self.axis}
BinaryCrossentropy = _loss_metric("BinaryCrossentropy", "BinaryCrossentropy",
                                  "binary_crossentropy", from_logits=False, label_smoothing=0)
KLDivergence = _loss_metric("KLDivergence", "KLDivergence", "kl_divergence")
Poisson = _loss_metric("Poisson", "Poisson", "poisson")
LogCoshError = _loss_metric("LogCoshError", "LogCosh", "logcosh")
MeanAbsolutePercentageError = _loss_metric("MeanAbsolutePercentageError",
                                           "MeanAbsolutePercentageError",
                                           "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_metric("MeanSquaredLogarithmicError",
                                           "MeanSquaredLogarithmicError",
                                           "mean_squared_logarithmic_error")
Hinge = _loss_metric("Hinge", "Hinge", "hinge")
SquaredHinge = _loss_metric("SquaredHinge", "SquaredHinge", "squared_hinge")
CategoricalHinge = _loss_metric("CategoricalHinge", "CategoricalHinge", "categorical_hinge")


# -- the function forms (keras.metrics.<name>(y_true, y_pred)): per-sample values ---------

def _per_sample(metric_cls, fname, doc):
    def f(y_true, y_pred, *args, **kwargs):
        m = metric_cls(*args, **kwargs)
        return m.values(_host(y_true), _host(y_pred), False)
    f.__name__ = f.__qualname__ = fname
    f.__doc__ = doc
    return f


categorical_accuracy = _per_sample(CategoricalAccuracy, "categorical_accuracy",
                                   "1 where argmax ŷ = argmax y, per sample.")
sparse_categorical_accuracy = _per_sample(SparseCategoricalAccuracy,
                                          "sparse_categorical_accuracy",
                                          "1 where argmax ŷ = y (integer label), per sample.")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where (ŷ > threshold) = y, per output (Keras's function form)."""
    p = _host(y_pred)
    return ((p > threshold) == (_match(_host(y_true), p) > 0.5)).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot target's class is among the k largest outputs, per sample."""
    return TopKCategoricalAccuracy(k).values(_host(y_true), _host(y_pred), False)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the integer label is among the k largest outputs, per sample."""
    return SparseTopKCategoricalAccuracy(k, from_sorted_ids=from_sorted_ids).values(
        _host(y_true), _host(y_pred), False)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson correlation along ``axis``, per sample."""
    return _pearson(y_true, y_pred, axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Keras's concordance correlation along ``axis``, per sample."""
    return _concordance(y_true, y_pred, axis)


def _from_losses(name):
    def f(*args, **kwargs):
        from . import losses
        return getattr(losses, name)(*args, **kwargs)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``keras.losses.{name}`` (Keras exports it in keras.metrics too)."
    return f


(binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
 categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
 mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
 mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge) = (
    _from_losses(n) for n in (
        "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
        "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber",
        "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
        "mean_squared_error", "mean_squared_logarithmic_error", "poisson",
        "sparse_categorical_crossentropy", "squared_hinge"))

_MORE = (RootMeanSquaredError, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
         TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
         SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
         RecallAtPrecision, FBetaScore, F1Score, R2Score, IoU, MeanIoU, BinaryIoU, OneHotIoU,
         OneHotMeanIoU, PearsonCorrelation, ConcordanceCorrelation, CosineSimilarity,
         CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy,
         KLDivergence, Poisson, LogCoshError, MeanAbsolutePercentageError,
         MeanSquaredLogarithmicError, Hinge, SquaredHinge, CategoricalHinge)


CLASSES = {c.__name__: c for c in (CategoricalAccuracy, SparseCategoricalAccuracy,
                                   BinaryAccuracy, Accuracy, MeanSquaredError,
                                   MeanAbsoluteError, Mean, Sum, Precision, Recall, AUC,
                                   *_MORE)}
NAMES = {"categorical_accuracy": CategoricalAccuracy,
         "sparse_categorical_accuracy": SparseCategoricalAccuracy,
         "binary_accuracy": BinaryAccuracy,
         "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
         "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
         "precision": Precision, "recall": Recall, "auc": AUC,
         # Keras's metric names (keras.metrics.get): the function forms' names
         "top_k_categorical_accuracy": TopKCategoricalAccuracy,
         "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
         "categorical_crossentropy": CategoricalCrossentropy,
         "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
         "binary_crossentropy": BinaryCrossentropy, "kl_divergence": KLDivergence,
         "poisson": Poisson,
         "mean_absolute_percentage_error": MeanAbsolutePercentageError,
         "mape": MeanAbsolutePercentageError,
         "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
         "msle": MeanSquaredLogarithmicError, "hinge": Hinge, "squared_hinge": SquaredHinge,
         "categorical_hinge": CategoricalHinge, "cosine_similarity": CosineSimilarity,
         "pearson_correlation": PearsonCorrelation,
         "concordance_correlation": ConcordanceCorrelation,
         "root_mean_squared_error": RootMeanSquaredError, "r2_score": R2Score,
         "f1_score": F1Score, "MSE": MeanSquaredError, "MAE": MeanAbsoluteError,
         "MAPE": MeanAbsolutePercentageError, "MSLE": MeanSquaredLogarithmicError}


def get(identifier, loss=None):
    """A ``Metric`` from a Keras name (named as given), a Metric instance, a config
    dict, or a function ``fn(y_true, y_pred)`` (averaged over the samples, named
    after the function)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return AutoAccuracy(identifier, loss)
        # a Keras name, a class name ("AUC") or its snake case ("true_positives")
        cls = NAMES.get(identifier) or CLASSES.get(identifier) or \
            {_keras_snake(n): c for n, c in CLASSES.items()}.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}; known "
                             f"metrics: {', '.join(sorted(['accuracy', 'acc', *NAMES]))} "
                             "and the class names")
        return cls(name=identifier)
    if isinstance(identifier, dict):
        return from_config(identifier, CLASSES, "metric")
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"Could not interpret metric identifier: {identifier!r} (expected a "
                    "name such as 'accuracy', a keras.metrics.Metric or a function)")


def deserialize(config, custom_objects=None):
    """A metric from ``serialize``'s dict (or a name)."""
    if isinstance(config, dict) and custom_objects:
        cls = custom_objects.get(config.get("class_name"))
        if cls is not None:
            return cls.from_config(config.get("config", {}))
    return get(config)


def _keras_snake(name):
    """Keras's to_snake_case: "FBetaScore" → "f_beta_score", "MeanIoU" → "mean_io_u"."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def serialize(metric):
    if isinstance(metric, AutoAccuracy):
        return metric.name
    if type(metric) not in CLASSES.values():
        raise TypeError(f"a custom metric ({metric.name}) cannot be saved in a model file; "
                        "compile the loaded model again with it")
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


__all__ = ["Metric", "Variable", "Mean", "Sum", "MeanMetricWrapper", "Accuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "BinaryAccuracy",
           "MeanSquaredError", "MeanAbsoluteError", "Precision", "Recall", "AUC", "get",
           "deserialize", "serialize", *(c.__name__ for c in _MORE),
           "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
           "pearson_correlation", "concordance_correlation", "binary_crossentropy",
           "binary_focal_crossentropy", "categorical_crossentropy",
           "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber",
           "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_error", "mean_squared_logarithmic_error", "poisson",
           "sparse_categorical_crossentropy", "squared_hinge"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
