"""``keras.utils``: one-hot encoding, seeding, the progress bar."""
import random

import numpy as np

from .. import random as rg_random
from .progbar import Progbar


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encoding: class k ↦ the k-th unit vector of length ``num_classes``.

    ``y`` holds integer labels (a trailing axis of size 1 is dropped, as Keras
    does); the result has shape ``y.shape + (num_classes,)``.

    >>> to_categorical([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if y.size and not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("to_categorical: y must hold integer class labels, got "
                             "non-integer values")
    elif y.dtype.kind not in "iub":
        raise TypeError(f"to_categorical: y must hold integer class labels, got dtype {y.dtype}")
    y = y.astype(np.int64)
    shape = y.shape[:-1] if y.ndim > 1 and y.shape[-1] == 1 else y.shape
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(y.min())}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(f"to_categorical: label {int(y.max())} does not fit "
                         f"num_classes={num_classes} (labels must be in 0..{num_classes - 1})")
    out = np.zeros((y.size, num_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (num_classes,))


def set_random_seed(seed):
    """Seed every generator a run draws from (Python's ``random``, NumPy's global
    one, retrograd's default generator: initialisers, dropout, shuffling), so that
    a whole ``fit`` is reproducible."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"set_random_seed: seed must be a non-negative integer, got "
                         f"seed={seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    rg_random.manual_seed(int(seed))


__all__ = ["to_categorical", "set_random_seed", "Progbar"]
