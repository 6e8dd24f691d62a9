"""Picking and placing along a dimension: index_select, scatter, scatter_add.

index_select  y = x[..., index, ...] along ``dim``;  ∂ℓ/∂x: ∂ℓ/∂y added back at
              ``index`` (an index may repeat).
scatter       y = x with y[… index[i][j] …] = src[i][j] along ``dim`` (the opposite
              of gather);  ∂ℓ/∂x = ∂ℓ/∂y with zeros where written, ∂ℓ/∂src = ∂ℓ/∂y
              gathered at the written places.
scatter_add   y = x with src added there instead;  ∂ℓ/∂x = ∂ℓ/∂y, ∂ℓ/∂src as scatter's.
"""
import numpy as np

from ..backend import array_module
from ..function import Function, mark_modified
from ..missing import NotSupportedError
from ..tensor import Tensor, _make
from .sorting import _dim


def _index(x, index, who, ndim=None):
    """``index`` as an integer array on x's device (PyTorch wants int64)."""
    xp = array_module(x.array)
    a = index.array if isinstance(index, Tensor) else index
    if isinstance(a, (list, tuple, int)):
        a = np.asarray(a)
    if not hasattr(a, "dtype") or a.dtype.kind not in "iu":
        raise RuntimeError(f"{who}(): Expected dtype int64 for index, got "
                           f"{getattr(a, 'dtype', type(a).__name__)}")
    if xp is not np and isinstance(a, np.ndarray):
        a = xp.asarray(a)
    elif a.__class__ is not x.array.__class__:
        raise RuntimeError(f"{who}(): index is on another device than the input "
                           f"({x.device}); move it with .to()")
    return a


def _check_range(index, size, dim, who, error=RuntimeError):
    # PyTorch's RuntimeError (index_select along dim 0: IndexError); negative indices
    # are out of range there too.
    if index.size and (int(index.min()) < 0 or int(index.max()) >= size):
        raise error(f"{who}(): index out of range: dimension {dim} has size "
                           f"{size}, got indices from {int(index.min())} to "
                           f"{int(index.max())} (expected 0 to {size - 1})")


class IndexSelect(Function):
    """y = x taken at ``index`` (1-D) along ``dim``;  ∂ℓ/∂x = zeros with ∂ℓ/∂y added
    at those places."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        self.in_shape = x.shape
        return array_module(x).take(x, self.index, axis=self.dim)

    def backward(self, gy):
        xp = array_module(gy)
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        xp.add.at(gx, (slice(None),) * self.dim + (self.index,), gy)
        return gx

    def jvp(self, dx):
        return array_module(dx).take(dx, self.index, axis=self.dim)


def index_select(input, dim, index):
    """The slices of ``input`` at the positions ``index`` (a 1-D integer tensor)
    along ``dim``, as torch.index_select; differentiable in ``input``."""
    d = _dim(input, dim, "index_select")
    idx = _index(input, index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape "
                         f"{tuple(idx.shape)}")
    _check_range(idx, input.shape[d] if input.ndim else 1, d, "index_select",
                 IndexError if d == 0 else RuntimeError)
    if input.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, "
                               f"got {idx.size} value(s)")
        return IndexSelect(0, idx.reshape(-1)).apply(input.reshape(1)).reshape(())
    return IndexSelect(d, idx.reshape(-1)).apply(input)


def grids(xp, shape):
    """NumPy's ``indices(shape, sparse=True)``, which CuPy lacks: one arange per
    axis, shaped to broadcast against the others."""
    return [xp.arange(n).reshape((1,) * k + (n,) + (1,) * (len(shape) - k - 1))
            for k, n in enumerate(shape)]


def _places(index, dim):
    """The full index of every element ``index`` points at along ``dim`` (a 0-d
    index, in range, points at the one element of a 0-d array: ``()``)."""
    if index.ndim == 0:
        return ()
    places = grids(array_module(index), index.shape)
    places[dim] = index
    return tuple(places)


def _head(src, shape):
    """The leading ``shape`` block of src (PyTorch reads only that much of src)."""
    return src[tuple(slice(0, n) for n in shape)]


class Scatter(Function):
    """y = x with y[places] = src (``add``: y[places] += src) where places are
    ``index``'s along ``dim``;  ∂ℓ/∂x = ∂ℓ/∂y (zeroed at the places when not
    ``add``),  ∂ℓ/∂src = ∂ℓ/∂y at the places (zero beyond index's block)."""

    def __init__(self, dim, index, add):
        self.dim, self.index, self.add = dim, index, add

    def forward(self, x, src):
        self.src_shape = src.shape
        return scatter_array(x.copy(), self.dim, self.index, src, self.add)

    def backward(self, gy):
        xp = array_module(gy)
        places = _places(self.index, self.dim)
        gx = gsrc = None
        if self.needs_input_grad[0]:
            gx = gy if self.add else xp.array(gy)     # a copy (gy may be a NumPy scalar)
            if not self.add:
                gx[places] = 0
        if self.needs_input_grad[1]:
            gsrc = xp.zeros(self.src_shape, dtype=gy.dtype)
            gsrc[tuple(slice(0, n) for n in self.index.shape)] = gy[places]
        return gx, gsrc

    def jvp(self, dx, dsrc):
        return scatter_array(dx.copy(), self.dim, self.index, dsrc, self.add)


def scatter_array(a, dim, index, src, add):
    """Write (``add``: add) ``src`` into the array ``a`` at ``index``'s places along
    ``dim``, in place; returns ``a``."""
    xp = array_module(a)
    places = _places(index, dim)
    values = _head(src, index.shape) if getattr(src, "ndim", 0) else src
    if add:
        xp.add.at(a, places, values)
    else:
        a[places] = values
    return a


def _scatter_args(input, dim, index, src, value, reduce, who):
    if reduce is not None:
        raise NotSupportedError(f"{who}(reduce={reduce!r}) is not in retrograd; use "
                                "scatter_add for sums")
    if src is None:
        src = value
    if src is None:
        raise TypeError(f"{who}(): missing the argument 'src' (a tensor) or 'value'")
    d = _dim(input, dim, who)
    idx = _index(input, index, who)
    if idx.ndim != input.ndim:
        raise RuntimeError(f"{who}(): Index tensor must have the same number of "
                           f"dimensions as self tensor (index {tuple(idx.shape)}, self "
                           f"{tuple(input.shape)})")
    if isinstance(src, Tensor):
        if src.ndim != input.ndim:
            raise RuntimeError(f"{who}(): Index tensor must have the same number of "
                               f"dimensions as src tensor (index {tuple(idx.shape)}, src "
                               f"{tuple(src.shape)})")
        if src.dtype != input.dtype:
            raise RuntimeError(f"{who}(): Expected self.dtype to be equal to src.dtype "
                               f"(got {input.dtype} and {src.dtype})")
        if any(i > s for i, s in zip(idx.shape, src.shape)):
            raise RuntimeError(f"{who}(): Expected index {tuple(idx.shape)} to be smaller "
                               f"than src {tuple(src.shape)} apart from dimension {d}")
    if any(i > s for k, (i, s) in enumerate(zip(idx.shape, input.shape)) if k != d):
        raise RuntimeError(f"{who}(): Expected index {tuple(idx.shape)} to be smaller "
                           f"than self {tuple(input.shape)} apart from dimension {d}")
    _check_range(idx, input.shape[d] if input.ndim else 1, d, who)
    return d, idx, src


def _scatter(input, dim, index, src, value, reduce, add):
    who = "scatter_add" if add else "scatter"
    d, idx, src = _scatter_args(input, dim, index, src, value, reduce, who)
    if not isinstance(src, Tensor):   # a number: the value written everywhere
        xp = array_module(input.array)
        src = _make(xp.full(idx.shape, src, dtype=input.dtype))
    return Scatter(d, idx, add).apply(input, src)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``input`` with ``src``'s entries (or the number ``value``) written at the
    places ``index`` gives along ``dim`` (torch.scatter): for dim 0,
    y[index[i][j]][j] = src[i][j]. Differentiable in input and src. Where an index
    repeats, the last write wins (PyTorch leaves it unspecified)."""
    return _scatter(input, dim, index, src, value, reduce, False)


def scatter_add(input, dim, index, src):
    """``input`` with ``src``'s entries added at ``index``'s places along ``dim``
    (torch.scatter_add; repeated indices add up). Differentiable in input and src."""
    return _scatter(input, dim, index, src, None, None, True)


def write_scatter(t, dim, index, src=None, *, value=None, reduce=None, add=False):
    """``t.scatter_(…)``/``t.scatter_add_(…)`` outside the graph: the change written
    into t's memory (its version counter goes up, as after any in-place change)."""
    who = "scatter_add_" if add else "scatter_"
    d, idx, src = _scatter_args(t, dim, index, src, value, reduce, who)
    scatter_array(t.array, d, idx, src.array if isinstance(src, Tensor) else src, add)
    mark_modified(t)
    return t
