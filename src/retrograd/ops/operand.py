"""Turning the operands of an op into tensors on one device."""
import numpy as np

from ..backend import array_module
from ..tensor import Tensor, _make


def lift(x, like, op):
    """``x`` as a tensor next to ``like``: Python numbers take ``like``'s float
    dtype (so ``x * 2.0`` stays float32); tensors must share ``like``'s device."""
    if isinstance(x, Tensor):
        if x.data.__class__ is not like.data.__class__:
            raise RuntimeError(f"{op}: operands are on different devices "
                               f"({like.device} and {x.device}); move one with .to()")
        return x
    if isinstance(x, (bool, int, float)):
        dt = like.data.dtype
        if isinstance(x, float) and dt.kind not in "fc":
            dt = np.float32
        return _make(array_module(like.data).asarray(x, dtype=dt))
    if isinstance(x, (np.ndarray, np.generic, list, tuple)) or hasattr(x, "__array__"):
        return Tensor(x, device=like.device)
    raise TypeError(f"{op}: unsupported operand of type {type(x).__name__} "
                    "(expected a Tensor, an array or a number)")


def pair(a, b, op):
    """Both operands of a binary op as tensors (at least one already is)."""
    if isinstance(a, Tensor):
        return a, lift(b, a, op)
    return lift(a, b, op), b
