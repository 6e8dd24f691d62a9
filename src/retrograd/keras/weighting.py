"""``sample_weight`` and ``class_weight``: how much each sample counts in the loss.

With weights wᵢ the batch loss is Keras's Σᵢ wᵢ ℓᵢ / N: N counts every sample of
the batch whatever its weight (``reduction="sum_over_batch_size"``), so a weight of 2
counts a sample twice and 0 leaves it out without changing the others' scale. The
logged ``loss`` is that weighted loss, averaged over the batches by their sizes; the
compiled ``metrics`` stay unweighted, as in Keras 3.

``class_weight={class: weight}`` is turned into per-sample weights from the
targets, as Keras does: the label (integer labels), the argmax (one-hot rows) or the
rounded value (binary targets); a class not in the dict weighs 1.
"""
import math

import numpy as np

from .losses import backend_host


def sample_weights(y, sample_weight=None, class_weight=None, who="fit"):
    """The per-sample weights (float32, shape (N,)) for targets ``y`` (as the loss takes
    them), or None when neither argument is given."""
    if sample_weight is None and class_weight is None:
        return None
    n = len(y)
    if sample_weight is not None and class_weight is not None:
        raise ValueError(f"{who}: give sample_weight or class_weight, not both (Keras refuses "
                         "them together; multiply them into one sample_weight)")
    if class_weight is not None:
        return _from_classes(y, class_weight, who)
    try:
        w = np.asarray(backend_host(sample_weight), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: sample_weight must be an array of numbers, one per sample, "
                        f"got {type(sample_weight).__name__}") from None
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.shape != (n,):
        raise ValueError(f"{who}: sample_weight must have one weight per sample, shape ({n},), "
                         f"got shape {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError(f"{who}: sample_weight contains NaN or inf (at index "
                         f"{int(np.argmin(np.isfinite(w)))})")
    return w.astype(np.float32)


def _from_classes(y, class_weight, who):
    if not isinstance(class_weight, dict):
        raise TypeError(f"{who}: class_weight must be a dict {{class index: weight}}, got "
                        f"{type(class_weight).__name__}")
    table = {}
    for k, v in class_weight.items():
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise ValueError(f"{who}: class_weight keys must be class indices (integers), got "
                             f"{k!r}")
        if not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, bool) \
                or not math.isfinite(v):
            raise ValueError(f"{who}: class_weight[{k}] must be a finite number, got {v!r}")
        table[int(k)] = float(v)
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype(np.int64).reshape(len(y), -1)[:, 0]
    weights = np.ones(len(y), dtype=np.float32)
    for k, v in table.items():
        weights[labels == k] = v
    return weights
