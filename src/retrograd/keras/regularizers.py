"""``keras.regularizers``: ``L1``, ``L2``, ``L1L2`` (``retrograd.nn.regularizers``)."""
from ..nn.regularizers import L1, L1L2, L2, Regularizer, get

l1, l2, l1_l2 = L1, L2, L1L2

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
