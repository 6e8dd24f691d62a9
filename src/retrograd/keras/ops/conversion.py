"""``keras.ops`` conversions: to and from tensors and NumPy, dtype casts, shapes, and
the parts of complex numbers.
"""

import builtins

import numpy as np

from ... import creation
from ...backend import array_module
from ...tensor import Tensor
from ..keras_tensor import KerasTensor
from ._common import _const, _dtype, _eager, _float, _tensor, _values
from .creation import zeros_like

__all__ = [
    "convert_to_tensor", "convert_to_numpy", "cast", "shape", "copy", "size", "ndim",
    "array", "real", "imag", "conj", "conjugate", "angle", "isreal", "saturate_cast", "view",
]


@_eager
def convert_to_tensor(x, dtype=None, sparse=None):
    """``x`` as a retrograd tensor (a tensor of that dtype is returned itself)."""
    if sparse:
        raise NotImplementedError("keras.ops.convert_to_tensor: sparse=True (retrograd "
                                  "has no sparse tensors)")
    return _tensor(x, "convert_to_tensor", dtype)


@_eager
def convert_to_numpy(x):
    """``x``'s values as a NumPy array (copied to the host from a GPU)."""
    if isinstance(x, Tensor):
        return np.asarray(x.detach().cpu().array)
    return np.asarray(x)


@_eager
def cast(x, dtype):
    """``x`` in ``dtype``; gradients flow through a cast between float dtypes."""
    return _tensor(x, "cast").to(dtype=_dtype(dtype, "cast"))


def shape(x):
    """The shape as a tuple of ints (``None`` for a KerasTensor's batch axis)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    if isinstance(x, Tensor):
        return tuple(x.shape)
    return tuple(np.shape(x))



@_eager
def copy(x):
    """A copy of x (gradients flow to x)."""
    t = _tensor(x, "copy")
    return t.clone() if isinstance(x, Tensor) else t


def size(x):
    """The number of elements (a tensor, as Keras's PyTorch backend returns)."""
    n = int(np.prod(x.shape)) if hasattr(x, "shape") else int(np.size(x))
    return creation.as_tensor(np.asarray(n, dtype=np.int64))


def ndim(x):
    """The number of dimensions."""
    return len(x.shape) if hasattr(x, "shape") else np.ndim(x)


def array(x, dtype=None):
    """``x`` as a tensor (convert_to_tensor)."""
    return convert_to_tensor(x, dtype=dtype)


@_eager
def real(x):
    """The real part (x itself: retrograd's Keras tensors are real)."""
    return _tensor(x, "real")


@_eager
def imag(x):
    """The imaginary part (zeros for real tensors)."""
    return zeros_like(x)


@_eager
def conj(x):
    """The complex conjugate (x itself for real tensors)."""
    return _tensor(x, "conj")


conjugate = conj


@_eager
def angle(x):
    """The argument: π for negative reals, 0 otherwise (float32 for integers)."""
    t = _float(x, "angle")
    v = _values(t)
    return _const(t, array_module(v).where(v < 0, np.pi, 0.0).astype(t.dtype))


@_eager
def isreal(x):
    """True everywhere for real tensors (bool)."""
    t = _tensor(x, "isreal")
    return _const(t, array_module(t.array).ones(t.shape, dtype=bool))


@_eager
def saturate_cast(x, dtype):
    """x cast to ``dtype`` with values clipped to its range first."""
    t = _tensor(x, "saturate_cast")
    dt = _dtype(dtype, "saturate_cast")
    info = np.iinfo(dt) if dt.kind in "iu" else np.finfo(dt)
    lo, hi = builtins.max(float(info.min), -np.inf), float(info.max)
    if t.dtype.kind in "iu":
        src = np.iinfo(t.dtype)
        if src.min >= info.min and src.max <= info.max:
            return t.to(dtype=dt)
    return t.clip(lo, hi).to(dtype=dt)


@_eager
def view(x, dtype=None):
    """x's bytes read as ``dtype`` (the last axis rescaled by the itemsizes); a
    constant of the graph."""
    t = _tensor(x, "view")
    if dtype is None:
        return t
    dt = _dtype(dtype, "view")
    v = _values(t)
    if t.ndim == 0 or (t.shape[-1] * t.dtype.itemsize) % dt.itemsize:
        raise ValueError(f"keras.ops.view: a last axis of {t.shape[-1] if t.ndim else 0} "
                         f"{t.dtype} values cannot be read as {dt}")
    return _const(t, array_module(v).ascontiguousarray(v).view(dt))
