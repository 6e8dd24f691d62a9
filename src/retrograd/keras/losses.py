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

from ..ops import losses as ops
from ..tensor import Tensor

EPSILON = 1e-7      # Keras's backend.epsilon(): probabilities are clipped to [ε, 1 − ε]


def _t(y):
    return y if isinstance(y, Tensor) else Tensor._wrap(np.asarray(y))


class Loss:
    """Base class: ``loss(y_true, y_pred)`` is the mean over the batch of ``call``'s
    per-sample values. ``logits_of`` names the output activation whose logits
    this loss can consume directly (see the module docstring)."""

    logits_of = None
    target = "float"        # "float": y_true has y_pred's shape; "labels": integers (N,)

    def __init__(self, name=None, reduction="sum_over_batch_size"):
        if reduction not in ("sum_over_batch_size", "sum", "none", None):
            raise ValueError(f"{type(self).__name__}: reduction must be "
                             f"'sum_over_batch_size', 'sum' or 'none', got {reduction!r}")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction

    def __call__(self, y_true, y_pred, sample_weight=None):
        per_sample = self.call(_t(y_true), y_pred)
        if sample_weight is not None:
            per_sample = per_sample * _t(np.asarray(sample_weight, dtype=y_pred.dtype))
        if self.reduction in ("none", None):
            return per_sample
        total = per_sample.sum()
        return total if self.reduction == "sum" else total / max(per_sample.shape[0], 1)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def from_logits_loss(self, y_true, logits):
        """The batch-mean loss computed from the logits of the output activation."""
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


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
            q = _t(y_true.data * (1 - self.label_smoothing) + self.label_smoothing / c)
        return -(logp * q).sum(axis=-1)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.from_logits and sample_weight is None and \
                self.reduction == "sum_over_batch_size":
            return self.from_logits_loss(y_true, y_pred)
        return super().__call__(y_true, y_pred, sample_weight)

    def from_logits_loss(self, y_true, logits):
        return ops.SoftmaxCrossEntropy("mean", self.label_smoothing).apply(logits, _t(y_true))

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """ℓᵢ = −log ŷᵢ,yᵢ for integer labels yᵢ ∈ {0, …, C−1} of shape (N,)."""

    target = "labels"

    def __init__(self, from_logits=False, name="sparse_categorical_crossentropy",
                 reduction="sum_over_batch_size"):
        super().__init__(from_logits, 0.0, -1, name, reduction)

    def call(self, y_true, y_pred):
        labels = y_true.data.reshape(-1).astype(np.int64, copy=False)
        if self.from_logits:
            return ops.SoftmaxCrossEntropy("none").apply(y_pred, _t(labels))
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        logp = p.clip(EPSILON, 1 - EPSILON).log()
        return -logp[np.arange(len(labels)), labels]

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits}


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
        return _t(y.data * (1 - self.label_smoothing) + 0.5 * self.label_smoothing)

    def call(self, y_true, y_pred):
        y = self._smooth(y_true)
        if self.from_logits:
            per = ops.BinaryCrossEntropyWithLogits("none").apply(y_pred, y)
        else:
            per = ops.BinaryCrossEntropy("none").apply(y_pred.clip(EPSILON, 1 - EPSILON), y)
        return per.mean(axis=-1) if per.ndim > 1 else per

    def from_logits_loss(self, y_true, logits):
        return ops.BinaryCrossEntropyWithLogits("mean").apply(logits, self._smooth(_t(y_true)))

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class MeanSquaredError(Loss):
    """ℓᵢ = mean over outputs of (yᵢ − ŷᵢ)²."""

    def __init__(self, name="mean_squared_error", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)

    def call(self, y_true, y_pred):
        per = ops.MSELoss("none").apply(y_pred, y_true)
        return per.mean(axis=-1) if per.ndim > 1 else per

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is None and self.reduction == "sum_over_batch_size":
            return ops.MSELoss("mean").apply(y_pred, _t(y_true))
        return super().__call__(y_true, y_pred, sample_weight)


class MeanAbsoluteError(Loss):
    """ℓᵢ = mean over outputs of |yᵢ − ŷᵢ|."""

    def __init__(self, name="mean_absolute_error", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)

    def call(self, y_true, y_pred):
        per = ops.L1Loss("none").apply(y_pred, y_true)
        return per.mean(axis=-1) if per.ndim > 1 else per

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is None and self.reduction == "sum_over_batch_size":
            return ops.L1Loss("mean").apply(y_pred, _t(y_true))
        return super().__call__(y_true, y_pred, sample_weight)


CLASSES = {c.__name__: c for c in (CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                   BinaryCrossentropy, MeanSquaredError, MeanAbsoluteError)}
NAMES = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
}


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy (shape (N,))."""
    return CategoricalCrossentropy(from_logits, label_smoothing, axis,
                                   reduction="none")(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Per-sample cross-entropy from integer labels (shape (N,))."""
    return SparseCategoricalCrossentropy(from_logits, reduction="none")(y_true, y_pred)


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


class LossFunctionWrapper(Loss):
    """A user's ``fn(y_true, y_pred)`` returning per-sample losses (tensor)."""

    def __init__(self, fn, name=None):
        super().__init__(name or getattr(fn, "__name__", "loss"))
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)


def get(identifier):
    """A ``Loss`` from a Keras name, a loss class instance, a config dict, or a
    function ``fn(y_true, y_pred)``."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = NAMES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}; known "
                             f"losses: {', '.join(sorted(NAMES))}")
        return cls()
    if isinstance(identifier, dict):
        cls = CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"unknown loss class {identifier.get('class_name')!r}; known: "
                             f"{', '.join(CLASSES)}")
        return cls(**identifier.get("config", {}))
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"Could not interpret loss identifier: {identifier!r} (expected a name "
                    f"such as 'categorical_crossentropy', a keras.losses.Loss or a function)")


def serialize(loss):
    if isinstance(loss, LossFunctionWrapper):
        raise TypeError(f"a custom loss function ({loss.name}) cannot be saved in a model "
                        "file; compile the loaded model again with it")
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


__all__ = ["Loss", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
           "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy", "mean_squared_error", "mean_absolute_error", "mse", "mae",
           "get"]
