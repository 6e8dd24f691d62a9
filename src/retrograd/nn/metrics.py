"""Metrics that are not losses: the 0/1 loss and accuracy.

The course's 0/1 loss ℓ₀/₁(ŷ, y*) = 1 if ŷ ≠ y* else 0, with ŷ = argmaxₖ P(k|x),
is what we care about, but it is piecewise constant in the weights: its gradient
is 0 almost everywhere (and undefined at the jumps), so gradient descent cannot
minimise it. We train on the cross-entropy, a differentiable upper bound of it,
and only *measure* these two: they return Python floats and build no graph.
"""
import numpy as np

from ..backend import to_device
from ..tensor import Tensor


def _labels(x, name, what, threshold):
    """Predicted or true classes from scores/probabilities/one-hot (N, C), binary
    scores (N,) or (N, 1) (compared with ``threshold``), or labels (N,)."""
    a = x.array if isinstance(x, Tensor) else np.asarray(x)
    a = to_device(a, "cpu")
    if a.ndim == 2 and a.shape[1] > 1:
        return a.argmax(axis=1)
    if a.ndim == 2:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{name}: {what} must have shape (N,), (N, 1) or (N, C), got {a.shape}")
    if a.dtype.kind in "iub":
        return a.astype(np.int64)
    if what == "target" and np.all(a == np.round(a)):
        return a.astype(np.int64)
    return (a > threshold).astype(np.int64)


def accuracy(input, target, threshold=0.5):
    """Fraction of correct predictions, (1/N) Σᵢ [ŷᵢ = y*ᵢ].

    ``input``: scores or probabilities (N, C) (ŷ = argmax), or one binary
    probability per sample (N,)/(N, 1) (ŷ = [p > threshold]; use threshold=0 for
    logits). ``target``: labels (N,), or one-hot/probabilities (N, C)."""
    pred = _labels(input, "accuracy", "input", threshold)
    true = _labels(target, "accuracy", "target", threshold)
    if pred.shape != true.shape:
        raise ValueError(f"accuracy: {pred.shape[0]} predictions but {true.shape[0]} targets")
    return float((pred == true).mean()) if pred.size else float("nan")


def zero_one_loss(input, target, threshold=0.5):
    """The course's 0/1 loss averaged over the samples: 1 − accuracy. No gradient."""
    return 1.0 - accuracy(input, target, threshold)
