"""Keras metrics: running means over an epoch, computed on NumPy arrays (no graph).

``"accuracy"`` (or ``"acc"``) becomes, as in Keras, the accuracy that fits the
targets: categorical (argmax of one-hot targets = argmax of the output), sparse
categorical (integer labels = argmax of the output) or binary (0/1 targets =
output > 0.5). Every metric is averaged over the samples seen since
``reset_state()``, weighted by batch size, so the epoch value is the dataset mean.
"""
import numpy as np

from ..serialization import from_config


class Metric:
    """A running mean of a per-sample quantity ``values(y_true, y_pred)``.

    ``needs_probabilities``: the metric reads ŷ itself, not only its argmax, so on
    the fused-loss path it is given softmax/sigmoid(logits)."""

    needs_probabilities = True

    def __init__(self, name=None):
        self.name = name or _snake(type(self).__name__)
        self.reset_state()

    def reset_state(self):
        self.total, self.count = 0.0, 0

    def update_state(self, y_true, y_pred, logits=False, sample_weight=None):
        """Add a batch. ``logits``: ``y_pred`` holds the scores before the output
        softmax/sigmoid (the fused-loss path), which changes only the binary threshold.
        ``sample_weight`` (one wᵢ per sample: ``weighted_metrics``) makes the running
        value Keras's weighted mean Σᵢ wᵢ vᵢ / Σᵢ wᵢ."""
        v = self.values(np.asarray(y_true), np.asarray(y_pred), logits)
        v = np.asarray(v, dtype=np.float64)
        if sample_weight is None:
            self.total += float(v.sum())
            self.count += v.shape[0]
        else:
            w = np.asarray(sample_weight, dtype=np.float64).reshape(v.shape[0])
            self.total += float(v @ w)
            self.count += float(w.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0

    def values(self, y_true, y_pred, logits):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name}


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower()
                   for i, c in enumerate(name))


class CategoricalAccuracy(Metric):
    """Fraction of samples with argmax ŷ = argmax y* (one-hot targets)."""

    needs_probabilities = False

    def values(self, y_true, y_pred, logits):
        return y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)


class SparseCategoricalAccuracy(Metric):
    """Fraction of samples with argmax ŷ = y (integer labels)."""

    needs_probabilities = False

    def values(self, y_true, y_pred, logits):
        return y_pred.argmax(axis=-1) == y_true.reshape(y_pred.shape[:-1])


class BinaryAccuracy(Metric):
    """Fraction of outputs with (ŷ > threshold) = y, averaged per sample."""

    needs_probabilities = False

    def __init__(self, name="binary_accuracy", threshold=0.5):
        self.threshold = threshold
        super().__init__(name)

    def values(self, y_true, y_pred, logits):
        cut = np.log(self.threshold / (1 - self.threshold)) if logits else self.threshold
        hit = (y_pred > cut) == (y_true.reshape(y_pred.shape) > 0.5)
        return hit.reshape(len(hit), -1).mean(axis=1)


class Accuracy(Metric):
    """Keras's ``Accuracy``: fraction of exact matches y_pred == y_true."""

    def values(self, y_true, y_pred, logits):
        hit = y_pred == _match(y_true, y_pred)
        return hit.reshape(len(hit), -1).mean(axis=1)


def _match(y_true, y_pred):
    """y_true broadcast against y_pred as Keras does (a missing last axis added)."""
    if y_true.ndim == y_pred.ndim - 1:
        return y_true[..., None]
    return y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true


class MeanSquaredError(Metric):
    """Mean over outputs of (y − ŷ)², averaged over samples."""

    def values(self, y_true, y_pred, logits):
        d = (y_pred - _match(y_true, y_pred)) ** 2
        return d.reshape(len(d), -1).mean(axis=1)


class MeanAbsoluteError(Metric):
    """Mean over outputs of |y − ŷ|, averaged over samples."""

    def values(self, y_true, y_pred, logits):
        d = np.abs(y_pred - _match(y_true, y_pred))
        return d.reshape(len(d), -1).mean(axis=1)


class AutoAccuracy(Metric):
    """``"accuracy"``: picks categorical, sparse or binary accuracy from the first
    batch's shapes (and the loss), as Keras does; keeps the user's name."""

    needs_probabilities = False

    def __init__(self, name="accuracy", loss=None):
        self.loss = loss
        self.impl = None
        super().__init__(name)

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


CLASSES = {c.__name__: c for c in (CategoricalAccuracy, SparseCategoricalAccuracy,
                                   BinaryAccuracy, Accuracy, MeanSquaredError,
                                   MeanAbsoluteError)}
NAMES = {"categorical_accuracy": CategoricalAccuracy,
         "sparse_categorical_accuracy": SparseCategoricalAccuracy,
         "binary_accuracy": BinaryAccuracy,
         "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
         "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError}


def get(identifier, loss=None):
    """A ``Metric`` from a Keras name (named as given) or a Metric instance."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return AutoAccuracy(identifier, loss)
        cls = NAMES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}; known "
                             f"metrics: {', '.join(sorted(['accuracy', 'acc', *NAMES]))}")
        return cls(name=identifier)
    if isinstance(identifier, dict):
        return from_config(identifier, CLASSES, "metric")
    raise TypeError(f"Could not interpret metric identifier: {identifier!r} (expected a "
                    "name such as 'accuracy' or a keras.metrics.Metric)")


def serialize(metric):
    if isinstance(metric, AutoAccuracy):
        return metric.name
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


__all__ = ["Metric", "Accuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
           "BinaryAccuracy", "MeanSquaredError", "MeanAbsoluteError", "get"]
