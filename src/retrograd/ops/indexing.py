"""Indexing and slicing. The gradient of y = x[index] scatters ∂ℓ/∂y back into
zeros of x's shape, adding (not overwriting) where an integer index repeats."""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor


def to_index(index):
    """Replace tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) for i in items)


class GetItem(Function):
    """y = x[index];  ∂ℓ/∂x = zeros with ∂ℓ/∂y added at ``index``."""

    def __init__(self, index):
        self.index = index
        self.view = _is_basic(index)   # basic indexing views x's memory

    def forward(self, x):
        self.in_shape, self.in_dtype = x.shape, x.dtype
        try:
            return x[self.index]
        except IndexError as e:
            raise IndexError(f"index {self.index!r} is invalid for a tensor of shape "
                             f"{x.shape}: {e}") from None

    def backward(self, gy):
        xp = array_module(gy)
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        if _is_basic(self.index):
            gx[self.index] = gy         # a basic index never repeats an element
        else:
            xp.add.at(gx, self.index, gy)
        return gx

    def jvp(self, dx):
        return dx[self.index]


def getitem(x, index):
    """x[index] with NumPy's basic and advanced indexing."""
    index = to_index(index)
    xp = array_module(x.data)
    if isinstance(index, list):
        index = xp.asarray(index)
    elif xp is not np:
        index = _on_device(index, xp)
    return GetItem(index).apply(x)


def _on_device(index, xp):
    """NumPy index arrays moved to the data's device (CuPy wants its own arrays)."""
    if isinstance(index, tuple):
        return tuple(_on_device(i, xp) for i in index)
    return xp.asarray(index) if isinstance(index, np.ndarray) else index


class SetItem(Function):
    """y = x with y[index] = v (x is not changed);  ∂ℓ/∂x = ∂ℓ/∂y with zeros at
    ``index``,  ∂ℓ/∂v = ∂ℓ/∂y[index] (summed back to v's shape by the engine).
    What ``x[index] = v`` records for a tensor with a history (Tensor.__setitem__)."""

    def __init__(self, index):
        self.index = index

    def forward(self, x, v):
        y = x.copy()
        y[self.index] = v
        return y

    def backward(self, gy):
        gx = None
        if self.needs_input_grad[0]:
            gx = gy.copy()
            gx[self.index] = 0
        return gx, (gy[self.index] if self.needs_input_grad[1] else None)

    def jvp(self, dx, dv):
        dy = dx.copy()
        dy[self.index] = dv
        return dy
