"""Turning the operands of an op into tensors on one device, in one dtype.

Constants (Python numbers, lists, NumPy arrays) take the float dtype of the tensor
they meet, so ``x * 2.0`` and ``x * np.ones(3)`` stay float32 when x is float32;
an integer tensor meeting a float tensor is cast to that float dtype, as PyTorch
does (float32 + int64 → float32, where NumPy would give float64)."""
import numpy as np

from ..backend import array_module
from ..tensor import Tensor, _make


def as_float(x):
    """An integer array as float32, the default float (as in PyTorch), where NumPy
    would give float64: ``exp`` or ``/`` of integer tensors gives float32."""
    return x if x.dtype.kind in "fc" else x.astype(np.float32)


def lift(x, like, op):
    """``x`` as a tensor next to ``like``: constants take ``like``'s float dtype;
    tensors must share ``like``'s device."""
    if isinstance(x, Tensor):
        if x.array.__class__ is not like.array.__class__:
            raise RuntimeError(f"{op}: operands are on different devices "
                               f"({like.device} and {x.device}); move one with .to()")
        return x
    dt = like.array.dtype
    if isinstance(x, (bool, int, float)):
        if isinstance(x, float) and dt.kind not in "fc":
            dt = np.float32
        return _make(array_module(like.array).asarray(x, dtype=dt))
    if isinstance(x, (np.ndarray, np.generic, list, tuple)) or hasattr(x, "__array__"):
        t = Tensor(x, device=like.device)
        if dt.kind in "fc" and t.dtype != dt and t.dtype.kind in "biuf":
            t = _make(t.array.astype(dt))
        return t
    raise TypeError(f"{op}: unsupported operand of type {type(x).__name__} "
                    "(expected a Tensor, an array or a number)")


def pair(a, b, op):
    """Both operands of a binary op as tensors (at least one already is)."""
    if isinstance(a, Tensor):
        b = lift(b, a, op)
    else:
        a = lift(a, b, op)
    ka, kb = a.array.dtype.kind, b.array.dtype.kind
    if ka != kb:
        if ka in "fc" and kb not in "fc":
            b = _make(b.array.astype(a.array.dtype))
        elif kb in "fc" and ka not in "fc":
            a = _make(a.array.astype(b.array.dtype))
    return a, b


def lift_all(tensors, op):
    """A sequence of operands (concatenate, stack) as tensors of one device and,
    when any is floating point, of one float dtype."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    like = next((t for t in tensors if isinstance(t, Tensor)), None)
    if like is None:
        like = Tensor(tensors[0])
    tensors = [lift(t, like, op) for t in tensors]
    floats = [t.array.dtype for t in tensors if t.array.dtype.kind in "fc"]
    if floats:
        dt = np.result_type(*floats)
        tensors = [t if t.array.dtype.kind in "fc" else _make(t.array.astype(dt))
                   for t in tensors]
    return tensors
