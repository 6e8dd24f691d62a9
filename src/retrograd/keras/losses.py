"""Keras losses: ℓ = (1/N) Σᵢ ℓᵢ(yᵢ*, ŷᵢ) over the batch, on ``retrograd.ops`` losses.

``categorical_crossentropy`` takes one-hot (or soft) targets (N, C);
``sparse_categorical_crossentropy`` integer labels (N,); ``binary_crossentropy``
targets in {0, 1} of the output's shape; ``mse``/``mae`` real targets.

With ``from_logits=False`` (the default) ŷ are probabilities. When the model ends
with a softmax (a sigmoid for ``binary_crossentropy``), ``fit`` does what Keras does
internally: it computes the loss from the logits s with the fused, stable
``SoftmaxCrossEntropy`` (``BinaryCrossEntropyWithLogits``), whose gradient is the
course's ŷ − y*, instead of log(softmax(s)).
"""
import numpy as np

from .. import backend
from ..backend import array_module
from ..nn.module import as_input
from ..ops import losses as ops
from ..serialization import from_config
from ..tensor import Tensor

EPSILON = 1e-7      # Keras's backend.epsilon(): probabilities are clipped to [ε, 1 − ε]


def _t(y):
    return y if isinstance(y, Tensor) else Tensor._wrap(array_module(y).asarray(y))


def _prediction(y_pred, who):
    """y_pred as a float tensor with a batch axis (ints and bools are cast, as Keras
    casts to float32); anything else is refused naming ``y_pred``."""
    if not isinstance(y_pred, Tensor):
        y_pred = as_input(y_pred, who, "y_pred")
    if y_pred.ndim == 0:
        raise ValueError(f"{who}: y_pred must have a batch axis, got a 0-d value")
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.to(dtype=np.float32)
    return y_pred


def _target_array(y_true, who):
    """y_true as a numeric array (its values, not a graph: targets get no gradient)."""
    try:
        a = np.asarray(backend_host(y_true))
    except (TypeError, ValueError) as e:
        raise TypeError(f"{who}: y_true must be a numeric array-like, got "
                        f"{type(y_true).__name__} ({e})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{who}: y_true must hold numbers, got dtype {a.dtype}")
    return a


def backend_host(a):
    """``a`` (an array, a tensor's data, a list) with its values on the host: targets
    and sample weights are small and checked with NumPy, wherever they were given."""
    a = a.array if isinstance(a, Tensor) else a
    return backend.to_device(a, "cpu") if backend.device_of(a) != "cpu" else a


REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


class Loss:
    """Base class (Keras 3's ``keras.losses.Loss``): ``loss(y_true, y_pred,
    sample_weight=None)`` reduces ``call(y_true, y_pred)``'s values ℓ as
    ``reduction`` says:

    * ``"sum_over_batch_size"`` (default; ``"mean"``): Σ wℓ / (number of values ℓ),
    * ``"mean_with_sample_weight"``: Σ wℓ / Σ w,
    * ``"sum"``: Σ wℓ;  ``None`` or ``"none"``: the values wℓ themselves.

    A loss of one's own subclasses it and defines ``call`` with ``keras.ops`` (or
    retrograd's ops), which receives Tensors::

        class Huberish(keras.losses.Loss):
            def call(self, y_true, y_pred):
                return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)

    ``logits_of`` names the output activation whose logits this loss can consume
    directly (see the module docstring).

    ``__call__`` checks its arguments (``y_pred`` a float tensor, ``y_true`` numbers of
    the shape the loss needs) once, then runs the op; ``fit`` checks the whole
    dataset once and calls the ops directly."""

    logits_of = None

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: invalid value for argument `reduction`; "
                             f"expected one of {REDUCTIONS}, received: reduction={reduction!r}")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _prediction(y_pred, self.name)
        # checked on the host, then put where y_pred is
        y_true = self.check_target(_target_array(y_true, self.name), y_pred).to(y_pred.device)
        if sample_weight is None:
            return self.compute(y_true, y_pred)
        per_sample = _as_loss_values(self.call(y_true, y_pred), self.name)
        w = _target_array(sample_weight, self.name + " (sample_weight)")
        if per_sample.ndim == 0 and w.ndim:     # one loss for the batch (Dice): one per weight
            per_sample = per_sample * Tensor._wrap(np.ones(w.shape, per_sample.dtype))
        shape = tuple(per_sample.shape)
        total_weight = None
        if w.shape != shape:
            if w.ndim < len(shape) and w.shape == shape[:w.ndim]:    # (N,) over (N, …)
                w = w.reshape(w.shape + (1,) * (len(shape) - w.ndim))
            try:
                total_weight = float(w.sum())    # Σ w as given (Keras's mean_with_sample_weight)
                w = np.broadcast_to(w, shape)
            except ValueError:
                raise ValueError(f"{self.name}: sample_weight of shape {w.shape} does not "
                                 f"match the losses of shape {shape}") from None
        # np.array, not np.ascontiguousarray: that makes a 0-d weight (1,), and a
        # scalar loss (Dice) weighed by it came out of shape (1,) instead of ()
        per_sample = per_sample * Tensor._wrap(np.array(w, dtype=y_pred.dtype, order="C")).to(
            y_pred.device)
        return self._reduce(per_sample, per_sample.size,
                            float(w.sum()) if w.shape == shape and total_weight is None
                            else total_weight)

    def compute(self, y_true, y_pred):
        """The reduced loss from checked arguments (tensors): what ``fit`` calls at
        each step, its data having been checked once for the whole dataset."""
        if self.reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
            fast = self.batch_mean(y_true, y_pred)
            if fast is not None:
                return fast
        per_sample = _as_loss_values(self.call(y_true, y_pred), self.name)
        return self._reduce(per_sample, per_sample.size)

    def weighted(self, y_true, y_pred, weights, logits=False):
        """Keras's weighted loss from checked tensors: Σᵢ wᵢ ℓᵢ / N (``sum_over_batch_size``:
        N counts every sample, whatever its weight), Σᵢ wᵢ ℓᵢ (``sum``), or the wᵢ ℓᵢ.
        ``weights``: one per sample, shape (N,); ``logits``: y_pred holds the output
        activation's logits (the fused path)."""
        per = self.per_sample_from_logits(y_true, y_pred) if logits else \
            self.call(y_true, y_pred)
        if per.ndim > 1:    # per-timestep/… losses: the sample's weight on each
            weights = weights.reshape((per.shape[0],) + (1,) * (per.ndim - 1))
        total_weight = float(weights.array.sum())
        return self._reduce(per * weights, per.size, total_weight)

    def _reduce(self, per, n, total_weight=None):
        """The losses as ``reduction`` says: as they are, Σ, Σ / n, or Σ / Σ w."""
        if self.reduction in ("none", None):
            return per
        total = per.sum()
        if self.reduction == "sum":
            return total
        if self.reduction == "mean_with_sample_weight" and total_weight is not None:
            return total / total_weight if total_weight else total * 0.0
        return total / max(n, 1)

    def per_sample_from_logits(self, y_true, logits):
        """The per-sample losses computed from the logits of the output activation."""
        raise NotImplementedError

    def check_target(self, y, y_pred):
        """y_true of y_pred's shape (a (N,) vs (N, 1) difference is reshaped), as a
        tensor of y_pred's dtype."""
        if y.shape != tuple(y_pred.shape):
            if y.size != y_pred.size or y.shape[:1] != tuple(y_pred.shape[:1]):
                raise ValueError(f"{self.name}: y_true of shape {y.shape} does not match "
                                 f"y_pred of shape {tuple(y_pred.shape)}")
            y = y.reshape(y_pred.shape)
        if not np.isfinite(y).all():
            raise ValueError(f"{self.name}: y_true contains NaN or inf")
        return Tensor._wrap(np.asarray(y, dtype=y_pred.dtype))

    def batch_mean(self, y_true, y_pred):
        """The batch mean by one fused op, when there is one (else None)."""
        return None

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def from_logits_loss(self, y_true, logits):
        """The batch-mean loss computed from the logits of the output activation."""
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _as_loss_values(v, name):
    """What a ``call`` returned, as a float Tensor (a loss written with NumPy gets no
    gradient, and is refused in training by backward's own error)."""
    if isinstance(v, Tensor):
        return v
    a = np.asarray(v)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name}: call() must return a tensor of losses, got "
                        f"{type(v).__name__}")
    return Tensor._wrap(a.astype(np.float32) if a.dtype.kind != "f" else a)


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower()
                   for i, c in enumerate(name))


class CategoricalCrossentropy(Loss):
    """ℓᵢ = −Σₖ y*ᵢₖ log ŷᵢₖ for one-hot (or soft) targets of shape (N, C)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 name="categorical_crossentropy", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"{type(self).__name__}: label_smoothing must be in [0, 1), "
                             f"got label_smoothing={label_smoothing!r}")
        if axis != -1:
            raise ValueError(f"{type(self).__name__}: only axis=-1 (classes on the last axis) "
                             f"is supported, got axis={axis!r}")
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.logits_of = None if from_logits else "softmax"

    def call(self, y_true, y_pred):
        if self.from_logits:
            return ops.SoftmaxCrossEntropy("none", self.label_smoothing).apply(y_pred, y_true)
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        logp = p.clip(EPSILON, 1 - EPSILON).log()
        q = y_true
        if self.label_smoothing:
            c = y_pred.shape[-1]
            q = _t(y_true.array * (1 - self.label_smoothing) + self.label_smoothing / c)
        return -(logp * q).sum(axis=-1)

    def check_target(self, y, y_pred):
        if y_pred.ndim < 2 or y.shape != tuple(y_pred.shape):
            raise ValueError(f"{self.name}: y_true of shape {y.shape} does not match y_pred "
                             f"of shape {tuple(y_pred.shape)}; expected one-hot targets "
                             "(N, C) (integer labels: use sparse_categorical_crossentropy)")
        return super().check_target(y, y_pred)

    def batch_mean(self, y_true, y_pred):
        if self.from_logits and y_pred.ndim == 2:
            return self.from_logits_loss(y_true, y_pred)
        return None

    def from_logits_loss(self, y_true, logits):
        return ops.SoftmaxCrossEntropy("mean", self.label_smoothing).apply(logits, _t(y_true))

    def per_sample_from_logits(self, y_true, logits):
        return ops.SoftmaxCrossEntropy("none", self.label_smoothing).apply(logits, _t(y_true))

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """ℓᵢ = −log ŷᵢ,yᵢ for integer labels yᵢ ∈ {0, …, C−1} of shape (N,)."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(from_logits, 0.0, -1, name, reduction)
        if ignore_class is not None and not isinstance(ignore_class, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: ignore_class must be an integer label "
                            f"or None, got {ignore_class!r}")
        # Keras's ignore_class: those labels' losses are masked out (0, and the mean is
        # over the others, as Keras's mask), so the fused logits paths are not taken.
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        if self.ignore_class is not None:
            self.logits_of = None

    def _ignored(self, y_true):
        return (y_true.array if isinstance(y_true, Tensor) else np.asarray(y_true)) == \
            self.ignore_class

    def compute(self, y_true, y_pred):
        if self.ignore_class is None:
            return super().compute(y_true, y_pred)
        from .compile_utils import masked_loss      # it imports this module
        return masked_loss(self, y_true, y_pred, ~self._ignored(y_true))

    def weighted(self, y_true, y_pred, weights, logits=False):
        if self.ignore_class is None:
            return super().weighted(y_true, y_pred, weights, logits)
        from .compile_utils import masked_loss
        return masked_loss(self, y_true, y_pred, ~self._ignored(y_true), weights)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None:
            return super().__call__(y_true, y_pred, sample_weight)
        y_pred = _prediction(y_pred, self.name)
        y = self.check_target(_target_array(y_true, self.name), y_pred).to(y_pred.device)
        w = None if sample_weight is None else \
            _target_array(sample_weight, self.name + " (sample_weight)")
        if w is not None and w.shape != y.shape[:w.ndim]:
            raise ValueError(f"{self.name}: sample_weight of shape {w.shape} does not match "
                             f"the labels of shape {tuple(y.shape)}")
        from .compile_utils import masked_loss
        return masked_loss(self, y, y_pred, ~self._ignored(y), w)

    def check_target(self, y, y_pred):
        c = y_pred.shape[-1]
        batch = tuple(y_pred.shape[:-1])
        if y.shape != batch and y.shape != batch + (1,):
            raise ValueError(f"{self.name}: y_true of shape {y.shape} does not fit y_pred of "
                             f"shape {tuple(y_pred.shape)}; expected integer labels of shape "
                             f"{batch}")
        given = y
        if self.ignore_class is not None:      # checked (and computed) as 0, then masked
            y = np.where(np.asarray(y) == self.ignore_class, 0, y)
        if y.size and (not np.isfinite(y).all() or np.any(y != np.round(y))
                       or y.min() < 0 or y.max() >= c):
            raise ValueError(f"{self.name}: y_true must hold integer class labels in "
                             f"0..{c - 1}, got values from {y.min()} to {y.max()}")
        return Tensor._wrap(given.reshape(batch).astype(np.int64))

    def batch_mean(self, y_true, y_pred):
        if self.from_logits and y_pred.ndim == 2:
            return self.from_logits_loss(y_true, y_pred)
        return None

    def call(self, y_true, y_pred):
        labels = y_true.array.reshape(-1).astype(np.int64, copy=False)
        if self.ignore_class is not None:       # any class: their losses are masked out
            labels = array_module(labels).where(labels == self.ignore_class, 0, labels)
        if self.from_logits:
            # the fused op takes (N, C): a (batch, steps…, C) output's steps as samples
            return ops.SoftmaxCrossEntropy("none").apply(
                y_pred.reshape(-1, y_pred.shape[-1]), _t(labels)).reshape(y_true.shape)
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        logp = p.clip(EPSILON, 1 - EPSILON).log().reshape(-1, y_pred.shape[-1])
        return -logp[np.arange(len(labels)), labels].reshape(y_true.shape)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


class BinaryCrossentropy(Loss):
    """ℓᵢ = −mean over outputs of (y log ŷ + (1 − y) log(1 − ŷ)), targets in {0, 1}."""

    def __init__(self, from_logits=False, label_smoothing=0.0, name="binary_crossentropy",
                 reduction="sum_over_batch_size"):
        super().__init__(name, reduction)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.logits_of = None if from_logits else "sigmoid"

    def _smooth(self, y):
        if not self.label_smoothing:
            return y
        return _t(y.array * (1 - self.label_smoothing) + 0.5 * self.label_smoothing)

    def call(self, y_true, y_pred):
        y = self._smooth(y_true)
        if self.from_logits:
            per = ops.BinaryCrossEntropyWithLogits("none").apply(y_pred, y)
        else:
            per = ops.BinaryCrossEntropy("none").apply(y_pred.clip(EPSILON, 1 - EPSILON), y)
        return per.mean(axis=-1) if per.ndim > 1 else per

    def from_logits_loss(self, y_true, logits):
        return ops.BinaryCrossEntropyWithLogits("mean").apply(logits, self._smooth(_t(y_true)))

    def per_sample_from_logits(self, y_true, logits):
        per = ops.BinaryCrossEntropyWithLogits("none").apply(logits, self._smooth(_t(y_true)))
        return per.mean(axis=-1) if per.ndim > 1 else per

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class _MeanOverOutputs(Loss):
    """ℓᵢ = mean over outputs of the elementwise loss ``op`` of (yᵢ, ŷᵢ)."""
    op = None

    def call(self, y_true, y_pred):
        per = self.op("none").apply(y_pred, y_true)
        return per.mean(axis=-1) if per.ndim > 1 else per

    def batch_mean(self, y_true, y_pred):
        return self.op("mean").apply(y_pred, y_true)


class MeanSquaredError(_MeanOverOutputs):
    """ℓᵢ = mean over outputs of (yᵢ − ŷᵢ)²."""
    op = ops.MSELoss

    def __init__(self, name="mean_squared_error", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)


class MeanAbsoluteError(_MeanOverOutputs):
    """ℓᵢ = mean over outputs of |yᵢ − ŷᵢ|."""
    op = ops.L1Loss

    def __init__(self, name="mean_absolute_error", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)


# -- the other Keras losses: a per-sample function on Tensors, as Keras's
# LossFunctionWrapper classes; their gradients come from the graph of the ops.

def _softplus(z):
    """log(1 + eᶻ) = relu(z) + log(1 + e^−|z|), stable for large |z|."""
    return z.relu() + ((-z.abs()).exp() + 1).log()


def _l2_normalize(x, axis):
    """Keras's normalize: x · min(1/√Σx², 1/ε)."""
    norm = (x * x).sum(axis=axis, keepdims=True).sqrt().clip(EPSILON, None)
    return x / norm


def _hinge_labels(y):
    """Targets in {0, 1} become {−1, 1} (Keras's convert_binary_labels_to_hinge)."""
    a = y.array
    if bool(((a == 0) | (a == 1)).all()):
        return _t(2 * a - 1)
    return y


def _huber(y_true, y_pred, delta=1.0):
    """ℓ = mean of ½e² where |e| ≤ δ, δ|e| − ½δ² elsewhere (e = ŷ − y)."""
    e = y_pred - y_true
    a = e.abs()
    from .. import where
    return where(a <= delta, e * e * 0.5, a * delta - 0.5 * delta * delta).mean(axis=-1)


def _kl_divergence(y_true, y_pred):
    """ℓ = Σ y log(y / ŷ), both clipped to [ε, 1]."""
    y = y_true.clip(EPSILON, 1)
    return (y * (y / y_pred.clip(EPSILON, 1)).log()).sum(axis=-1)


def _poisson(y_true, y_pred):
    """ℓ = mean(ŷ − y log(ŷ + ε))."""
    return (y_pred - y_true * (y_pred + EPSILON).log()).mean(axis=-1)


def _cosine_similarity(y_true, y_pred, axis=-1):
    """ℓ = −Σ (y/‖y‖)(ŷ/‖ŷ‖) along ``axis``."""
    return -(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(axis=axis)


def _hinge(y_true, y_pred):
    """ℓ = mean(max(1 − y ŷ, 0)), targets in {−1, 1} (or {0, 1}, converted)."""
    return (1 - _hinge_labels(y_true) * y_pred).relu().mean(axis=-1)


def _squared_hinge(y_true, y_pred):
    """ℓ = mean(max(1 − y ŷ, 0)²)."""
    h = (1 - _hinge_labels(y_true) * y_pred).relu()
    return (h * h).mean(axis=-1)


def _categorical_hinge(y_true, y_pred):
    """ℓ = max(neg − pos + 1, 0), pos = Σ y ŷ, neg = max((1 − y) ŷ)."""
    pos = (y_true * y_pred).sum(axis=-1)
    neg = ((1 - y_true) * y_pred).max(axis=-1)
    return (neg - pos + 1).relu()


def _log_cosh(y_true, y_pred):
    """ℓ = mean(log cosh(ŷ − y)) = mean(x + softplus(−2x) − log 2)."""
    x = y_pred - y_true
    return (x + _softplus(x * -2.0) - float(np.log(2.0))).mean(axis=-1)


def _mape(y_true, y_pred):
    """ℓ = 100 · mean(|y − ŷ| / max(|y|, ε))."""
    return ((y_true - y_pred) / y_true.abs().clip(EPSILON, None)).abs().mean(axis=-1) * 100.0


def _msle(y_true, y_pred):
    """ℓ = mean((log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))²)."""
    d = (y_pred.clip(EPSILON, None) + 1).log() - (y_true.clip(EPSILON, None) + 1).log()
    return (d * d).mean(axis=-1)


def _binary_focal(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                  from_logits=False, label_smoothing=0.0, axis=-1):
    """ℓ = mean((1 − p_t)^γ · bce), p_t = y ŷ + (1 − y)(1 − ŷ); with class balancing
    each term is weighted α (y = 1) or 1 − α (y = 0)."""
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = y_pred.sigmoid()
    p = y_pred.clip(EPSILON, 1 - EPSILON)
    bce = -(y_true * p.log() + (1 - y_true) * (1 - p).log())
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return focal.mean(axis=axis)


def _categorical_focal(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                       label_smoothing=0.0, axis=-1):
    """ℓ = Σ −α (1 − p)^γ y log p, p = ŷ / Σŷ clipped to [ε, 1 − ε]."""
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = y_pred.softmax(axis)
    p = (y_pred / y_pred.sum(axis=axis, keepdims=True)).clip(EPSILON, 1 - EPSILON)
    return ((1 - p) ** gamma * alpha * -(y_true * p.log())).sum(axis=axis)


def _dice(y_true, y_pred, axis=None):
    """ℓ = 1 − 2 Σ y ŷ / (Σ y + Σ ŷ + ε)."""
    inter = (y_true * y_pred).sum(axis=axis)
    return 1 - inter * 2.0 / (y_true.sum(axis=axis) + y_pred.sum(axis=axis) + EPSILON)


def _tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """ℓ = 1 − TP / (TP + α FP + β FN + ε), TP = Σ y ŷ, FP = Σ (1 − ŷ) y, FN = Σ ŷ (1 − y)
    (Keras's definitions)."""
    inter = (y_true * y_pred).sum(axis=axis)
    fp = ((1 - y_pred) * y_true).sum(axis=axis)
    fn = (y_pred * (1 - y_true)).sum(axis=axis)
    return 1 - inter / (inter + fp * alpha + fn * beta + EPSILON)


class _FunctionLoss(Loss):
    """A Keras loss given by a per-sample function ``fn(y_true, y_pred, **options)``
    on Tensors; ``options`` are the class's own arguments, kept in its config."""

    fn = None
    options = ()        # (name, default) pairs, in Keras's argument order

    def __init__(self, name, reduction, **options):
        super().__init__(name, reduction)
        self._options = options
        for k, v in options.items():
            setattr(self, k, v)

    def check_target(self, y, y_pred):
        if y.ndim == y_pred.ndim - 1 and y.size * y_pred.shape[-1] == y_pred.size and \
                y_pred.shape[-1] != 1:
            raise ValueError(f"{self.name}: y_true of shape {y.shape} does not match "
                             f"y_pred of shape {tuple(y_pred.shape)}")
        return super().check_target(y, y_pred)

    def call(self, y_true, y_pred):
        return type(self).fn(y_true, y_pred, **self._options)

    def get_config(self):
        return {**super().get_config(), **self._options}


def _loss_class(name, fn, default_name, doc, **defaults):
    """A ``_FunctionLoss`` subclass with Keras's signature ``(**options, reduction,
    name)``."""
    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name,
                 dtype=None, **kwargs):
        keys = list(defaults)
        if len(args) > len(keys):
            raise TypeError(f"{type(self).__name__}() takes at most {len(keys)} positional "
                            f"argument(s), got {len(args)}")
        options = dict(defaults)
        options.update(zip(keys, args))
        unknown = set(kwargs) - set(keys)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {sorted(unknown)}")
        options.update(kwargs)
        _FunctionLoss.__init__(self, name, reduction, **options)
    return type(name, (_FunctionLoss,), {"fn": staticmethod(fn), "__init__": __init__,
                                         "__doc__": doc, "__module__": __name__})


Huber = _loss_class("Huber", _huber, "huber_loss", _huber.__doc__, delta=1.0)
KLDivergence = _loss_class("KLDivergence", _kl_divergence, "kl_divergence",
                           _kl_divergence.__doc__)
CosineSimilarity = _loss_class("CosineSimilarity", _cosine_similarity, "cosine_similarity",
                               _cosine_similarity.__doc__, axis=-1)
Hinge = _loss_class("Hinge", _hinge, "hinge", _hinge.__doc__)
SquaredHinge = _loss_class("SquaredHinge", _squared_hinge, "squared_hinge",
                           _squared_hinge.__doc__)
CategoricalHinge = _loss_class("CategoricalHinge", _categorical_hinge, "categorical_hinge",
                               _categorical_hinge.__doc__)
LogCosh = _loss_class("LogCosh", _log_cosh, "log_cosh", _log_cosh.__doc__)
Poisson = _loss_class("Poisson", _poisson, "poisson", _poisson.__doc__)
MeanAbsolutePercentageError = _loss_class(
    "MeanAbsolutePercentageError", _mape, "mean_absolute_percentage_error", _mape.__doc__)
MeanSquaredLogarithmicError = _loss_class(
    "MeanSquaredLogarithmicError", _msle, "mean_squared_logarithmic_error", _msle.__doc__)
BinaryFocalCrossentropy = _loss_class(
    "BinaryFocalCrossentropy", _binary_focal, "binary_focal_crossentropy",
    _binary_focal.__doc__, apply_class_balancing=False, alpha=0.25, gamma=2.0,
    from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalFocalCrossentropy = _loss_class(
    "CategoricalFocalCrossentropy", _categorical_focal, "categorical_focal_crossentropy",
    _categorical_focal.__doc__, alpha=0.25, gamma=2.0, from_logits=False,
    label_smoothing=0.0, axis=-1)
Dice = _loss_class("Dice", _dice, "dice", _dice.__doc__, axis=None)
Tversky = _loss_class("Tversky", _tversky, "tversky", _tversky.__doc__, alpha=0.5, beta=0.5,
                      axis=None)

def _ctc(y_true, y_pred):
    """CTC: −log p(labels | logits), the labels (batch, max_length) ending with
    padding 0 (0 is also the blank), the logits (batch, time, classes)."""
    from .ops.nn import ctc_loss
    labels = y_true.array.astype(np.int64)
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    return ctc_loss(labels, y_pred, (labels != 0).sum(axis=-1),
                    np.full(batch, steps, dtype=np.int64), mask_index=0)


class CTC(_FunctionLoss):
    """Connectionist temporal classification (Keras's ``CTC``): y_true integer labels
    (batch, max_length), 0 for the blank and the padding; y_pred logits (batch,
    time, classes), not softmaxed."""
    fn = staticmethod(_ctc)

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        _FunctionLoss.__init__(self, name, reduction)

    def check_target(self, y, y_pred):
        if y.ndim != 2:
            raise ValueError(f"Targets `y_true` are expected to be a tensor of shape "
                             f"`(batch_size, max_length)` in integer format. Received: "
                             f"y_true.shape={y.shape}")
        if y_pred.ndim != 3:
            raise ValueError(f"Logits `y_pred` are expected to be a tensor of shape "
                             f"`(batch_size, max_length, num_classes)`. Received: "
                             f"y_pred.shape={tuple(y_pred.shape)}")
        return Tensor._wrap(np.asarray(y).astype(np.int64))


def _gce(y_true, y_pred, q=0.5):
    """ℓ = (1 − p^q)/q, p = ŷ of the true class (integer labels)."""
    labels = y_true.array.astype(np.int64).reshape(-1)
    onehot = np.zeros((labels.size, y_pred.shape[-1]), dtype=y_pred.dtype)
    onehot[np.arange(labels.size), labels] = 1
    onehot = Tensor._wrap(onehot.reshape(tuple(y_pred.shape))).to(y_pred.device)
    return (1 - (y_pred * onehot).sum(axis=-1) ** q) / q


class CategoricalGeneralizedCrossEntropy(_FunctionLoss):
    """Generalized cross-entropy (Zhang & Sabuncu, 2018), robust to noisy labels:
    ℓ = (1 − p^q)/q with p the predicted probability of the integer label
    (q → 0: cross-entropy, q = 1: MAE)."""
    fn = staticmethod(_gce)

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        _FunctionLoss.__init__(self, name, reduction, q=q)

    def check_target(self, y, y_pred):
        batch, c = tuple(y_pred.shape[:-1]), y_pred.shape[-1]
        if y.shape not in (batch, batch + (1,)):
            raise ValueError(f"{self.name}: y_true of shape {y.shape} does not fit y_pred of "
                             f"shape {tuple(y_pred.shape)}; expected integer labels of shape "
                             f"{batch}")
        if y.size and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= c):
            raise ValueError(f"{self.name}: y_true must hold integer class labels in "
                             f"0..{c - 1}")
        return Tensor._wrap(y.reshape(batch).astype(np.int64))


_MORE = (Huber, KLDivergence, CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, LogCosh,
         Poisson, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
         BinaryFocalCrossentropy, CategoricalFocalCrossentropy, Dice, Tversky, CTC,
         CategoricalGeneralizedCrossEntropy)


def _function_form(cls, fname):
    """Keras's function form ``fname(y_true, y_pred, **options)``: the per-sample
    losses (no reduction)."""
    def f(y_true, y_pred, *args, **kwargs):
        return cls(*args, reduction="none", **kwargs)(y_true, y_pred)
    f.__name__ = f.__qualname__ = fname
    f.__doc__ = f"Per-sample {cls.__name__} (Keras's ``keras.losses.{fname}``).\n\n" + \
        (cls.__doc__ or "")
    return f


huber = _function_form(Huber, "huber")
kl_divergence = _function_form(KLDivergence, "kl_divergence")
cosine_similarity = _function_form(CosineSimilarity, "cosine_similarity")
hinge = _function_form(Hinge, "hinge")
squared_hinge = _function_form(SquaredHinge, "squared_hinge")
categorical_hinge = _function_form(CategoricalHinge, "categorical_hinge")
log_cosh = _function_form(LogCosh, "log_cosh")
poisson = _function_form(Poisson, "poisson")
mean_absolute_percentage_error = _function_form(MeanAbsolutePercentageError,
                                                "mean_absolute_percentage_error")
mean_squared_logarithmic_error = _function_form(MeanSquaredLogarithmicError,
                                                "mean_squared_logarithmic_error")
binary_focal_crossentropy = _function_form(BinaryFocalCrossentropy,
                                           "binary_focal_crossentropy")
categorical_focal_crossentropy = _function_form(CategoricalFocalCrossentropy,
                                                "categorical_focal_crossentropy")
dice = _function_form(Dice, "dice")
ctc = _function_form(CTC, "ctc")


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Per-sample generalized cross-entropy (1 − p^q)/q (Keras's function form: q is
    required)."""
    return CategoricalGeneralizedCrossEntropy(q, reduction="none")(y_true, y_pred)
tversky = _function_form(Tversky, "tversky")
mape, msle = mean_absolute_percentage_error, mean_squared_logarithmic_error


CLASSES = {c.__name__: c for c in (CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                   BinaryCrossentropy, MeanSquaredError, MeanAbsoluteError,
                                   *_MORE)}
NAMES = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "MSE": MeanSquaredError, "MAE": MeanAbsoluteError,
    "huber": Huber, "kl_divergence": KLDivergence, "kld": KLDivergence, "KLD": KLDivergence,
    "cosine_similarity": CosineSimilarity,
    "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "log_cosh": LogCosh, "poisson": Poisson,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    "binary_focal_crossentropy": BinaryFocalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
    "dice": Dice, "tversky": Tversky, "ctc": CTC,
}


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy (shape (N,))."""
    return CategoricalCrossentropy(from_logits, label_smoothing, axis,
                                   reduction="none")(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Per-sample cross-entropy from integer labels (shape (N,)); 0 where the label is
    ``ignore_class``."""
    return SparseCategoricalCrossentropy(from_logits, ignore_class, reduction="none")(
        y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, averaged over the last axis."""
    return BinaryCrossentropy(from_logits, label_smoothing,
                              reduction="none")(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error."""
    return MeanSquaredError(reduction="none")(y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error."""
    return MeanAbsoluteError(reduction="none")(y_true, y_pred)


mse, mae = mean_squared_error, mean_absolute_error
_FUNCTIONS = {categorical_crossentropy: CategoricalCrossentropy,
              sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
              binary_crossentropy: BinaryCrossentropy, mean_squared_error: MeanSquaredError,
              mean_absolute_error: MeanAbsoluteError}
_FUNCTIONS.update({f: c for f, c in (
    (huber, Huber), (kl_divergence, KLDivergence), (cosine_similarity, CosineSimilarity),
    (hinge, Hinge), (squared_hinge, SquaredHinge), (categorical_hinge, CategoricalHinge),
    (log_cosh, LogCosh), (poisson, Poisson),
    (mean_absolute_percentage_error, MeanAbsolutePercentageError),
    (mean_squared_logarithmic_error, MeanSquaredLogarithmicError),
    (binary_focal_crossentropy, BinaryFocalCrossentropy),
    (categorical_focal_crossentropy, CategoricalFocalCrossentropy), (dice, Dice),
    (tversky, Tversky), (ctc, CTC),
    (categorical_generalized_cross_entropy, CategoricalGeneralizedCrossEntropy))})


class LossFunctionWrapper(Loss):
    """A user's ``fn(y_true, y_pred)`` returning per-sample losses (tensor)."""

    def __init__(self, fn, name=None):
        super().__init__(name or getattr(fn, "__name__", "loss"))
        self.fn = fn

    def check_target(self, y, y_pred):
        return Tensor._wrap(np.asarray(y, dtype=y_pred.dtype) if y.dtype.kind == "f" else y)

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)


def get(identifier):
    """A ``Loss`` from a Keras name, a loss class instance, a config dict, or a
    function ``fn(y_true, y_pred)``."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = NAMES.get(identifier) or CLASSES.get(identifier)    # "huber" or "Huber"
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}; known "
                             f"losses: {', '.join(sorted(NAMES))} and the class names")
        return cls()
    if isinstance(identifier, dict):
        return from_config(identifier, CLASSES, "loss")
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"Could not interpret loss identifier: {identifier!r} (expected a name "
                    f"such as 'categorical_crossentropy', a keras.losses.Loss or a function)")


def deserialize(config, custom_objects=None):
    """A loss from ``serialize``'s dict (or a name)."""
    if isinstance(config, dict) and custom_objects:
        cls = custom_objects.get(config.get("class_name"))
        if cls is not None:
            return cls.from_config(config.get("config", {}))
    return get(config)


def serialize(loss):
    if isinstance(loss, LossFunctionWrapper):
        raise TypeError(f"a custom loss function ({loss.name}) cannot be saved in a model "
                        "file; compile the loaded model again with it")
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


__all__ = ["Loss", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
           "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy", "mean_squared_error", "mean_absolute_error", "mse", "mae",
           "get", "deserialize", "Huber", "KLDivergence", "CosineSimilarity", "Hinge",
           "SquaredHinge", "CategoricalHinge", "LogCosh", "Poisson",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "Dice", "Tversky",
           "CTC", "ctc", "CategoricalGeneralizedCrossEntropy",
           "categorical_generalized_cross_entropy", "huber", "kl_divergence",
           "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge", "log_cosh",
           "poisson", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
           "binary_focal_crossentropy", "categorical_focal_crossentropy", "dice", "tversky"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
