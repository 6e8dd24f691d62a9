"""Indexing and slicing. The gradient of y = x[index] scatters ∂ℓ/∂y back into
zeros of x's shape, adding (not overwriting) where an integer index repeats."""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor


def to_index(index):
    """Replace tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.array
    if isinstance(index, tuple):
        return tuple(i.array if isinstance(i, Tensor) else i for i in index)
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
    xp = array_module(x.array)
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


class Gather(Function):
    """y[i][j] = x[i][index[i][j]] along ``dim`` (PyTorch's gather, NumPy's
    take_along_axis);  ∂ℓ/∂x = zeros with ∂ℓ/∂y added back at the gathered places
    (an index may repeat)."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def _within(self, x):
        """x cut to the index's extent on the other axes: take_along_axis would
        broadcast a smaller index across them, where gather reads only its own part."""
        cut = tuple(slice(None) if k == self.dim else slice(0, n)
                    for k, n in enumerate(self.index.shape))
        return x[cut]

    def forward(self, x):
        self.in_shape = x.shape
        return array_module(x).take_along_axis(self._within(x), self.index, axis=self.dim)

    def _places(self, xp):
        """The full index of every gathered element, for a scatter-add."""
        shape, nd = self.index.shape, self.index.ndim
        # np.indices(shape, sparse=True), which CuPy lacks: one open grid per axis
        grids = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - i - 1))
                 for i, n in enumerate(shape)]
        grids[self.dim] = self.index
        return tuple(grids)

    def backward(self, gy):
        xp = array_module(gy)
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        xp.add.at(gx, self._places(xp), gy)
        return gx

    def jvp(self, dx):
        return array_module(dx).take_along_axis(self._within(dx), self.index, axis=self.dim)


def gather(x, dim, index):
    """x's elements picked along ``dim`` by the integer tensor ``index`` (same number
    of dimensions as x), as torch.gather."""
    xp = array_module(x.array)
    index = xp.asarray(index.array if isinstance(index, Tensor) else index)
    if index.dtype.kind not in "iu" or index.ndim != x.ndim:
        raise ValueError(f"gather: index must be an integer tensor with {x.ndim} dimensions "
                         f"like the input, got {index.dtype} of shape {index.shape}")
    dim = dim % max(x.ndim, 1)
    larger = [k for k, (n, m) in enumerate(zip(index.shape, x.shape)) if k != dim and n > m]
    if larger:
        raise RuntimeError(f"gather: Size does not match at dimension {larger[0]} expected "
                           f"index {list(index.shape)} to be no larger than self "
                           f"{list(x.shape)} apart from dimension {dim}")
    if index.size and (index.min() < -x.shape[dim] or index.max() >= x.shape[dim]):
        raise IndexError(f"gather: index out of range for dimension {dim} of size "
                         f"{x.shape[dim]} (values {int(index.min())} to {int(index.max())})")
    return Gather(dim, index).apply(x)
