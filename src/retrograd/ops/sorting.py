"""Sorting: sort, argsort, topk (values with a gradient, int64 indices) and unique.

The values of ``sort``/``topk`` are x picked at the sorting indices (``Pick``), so
their gradient is ∂ℓ/∂y put back where each value came from. Ties keep their
original order (a stable sort): PyTorch's ``stable=True``, and its default on rows of
up to 16 elements (longer rows: the same values, its own order of ties); ``topk``'s
tie order is left unspecified by PyTorch and may differ from it (the values never do)."""
from collections import namedtuple

import numpy as np

from ..backend import array_module
from ..function import Function
from ..missing import NotSupportedError
from ..tensor import Tensor, _make

# What sort/topk return, as PyTorch's torch.return_types.sort/topk.
sort_result = namedtuple("sort", ["values", "indices"])
topk_result = namedtuple("topk", ["values", "indices"])


def _dim(x, dim, who):
    """``dim`` of x as a non-negative axis (PyTorch's IndexError when out of range;
    a 0-d tensor has the one dimension -1/0)."""
    n = max(x.ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{who}(): argument 'dim' must be int, not {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"{who}(): Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


class Pick(Function):
    """y = x taken at ``index`` along ``dim`` (take_along_axis), where ``index`` holds
    distinct positions along ``dim`` (a sort order or its first k);  ∂ℓ/∂x = zeros
    with ∂ℓ/∂y put back at those positions (no position repeats, so no sum)."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        self.in_shape = x.shape
        return array_module(x).take_along_axis(x, self.index, axis=self.dim)

    def backward(self, gy):
        xp = array_module(gy)
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        xp.put_along_axis(gx, self.index, gy, axis=self.dim)
        return gx

    def jvp(self, dx):
        return array_module(dx).take_along_axis(dx, self.index, axis=self.dim)


def order(a, axis, descending):
    """Stable sorting indices of the array ``a`` along ``axis`` (int64): ties stay
    in their original order, descending too (NaN counts as the largest, as in
    PyTorch)."""
    xp = array_module(a)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable").astype(np.int64, copy=False)
    # Sorting the reversed array ascending and reversing the result gives the
    # descending order with ties in decreasing position; n − 1 − i maps the
    # positions back, so ties end up in increasing position.
    n = a.shape[axis]
    flipped = xp.flip(a, axis)
    idx = xp.argsort(flipped, axis=axis, kind="stable").astype(np.int64, copy=False)
    return xp.flip(n - 1 - idx, axis)


def sort(input, dim=-1, descending=False, stable=False):
    """(values, indices) of ``input`` sorted along ``dim``, as torch.sort; the values
    are differentiable (∂ℓ/∂x: ∂ℓ/∂values put back at ``indices``). Ties keep their
    order whatever ``stable`` says (PyTorch's ``stable=True`` result)."""
    d = _dim(input, dim, "sort")
    if input.ndim == 0:
        return sort_result(input * 1 if input.requires_grad else input.clone(),
                           _make(array_module(input.array).zeros((), dtype=np.int64)))
    idx = order(input.array, d, descending)
    return sort_result(Pick(d, idx).apply(input), _make(idx))


def argsort(input, dim=-1, descending=False, stable=False):
    """The int64 indices that sort ``input`` along ``dim`` (torch.argsort)."""
    return sort(input, dim, descending, stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the ``k`` largest (``largest=False``: smallest) entries
    along ``dim``, as torch.topk, values in sorted order (also for ``sorted=False``,
    where PyTorch's order is unspecified); the values are differentiable."""
    d = _dim(input, dim, "topk")
    n = input.shape[d] if input.ndim else 1
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k out of range: k={k} for a "
                           f"dimension of size {n} (input shape {tuple(input.shape)})")
    if input.ndim == 0:
        values, indices = sort(input)
        if k == 0:
            xp = array_module(input.array)
            return topk_result(input.reshape(1)[:0], _make(xp.zeros(0, dtype=np.int64)))
        return topk_result(values, indices)
    idx = top(input.array, d, k, largest)
    return topk_result(Pick(d, idx).apply(input), _make(idx))


def top(a, axis, k, largest):
    """int64 indices of the ``k`` largest (smallest) entries of the array ``a`` along
    ``axis``, in sorted order, tied values in index order (NaN the largest). Few of
    many (4k < n) are found by a partition, then only they are sorted: top 50 of
    (8, 50257) float32 logits, 5 ms instead of 41 for a full sort."""
    n = a.shape[axis]
    head = (slice(None),) * axis
    if k == 0 or 4 * k >= n:
        return order(a, axis, largest)[head + (slice(0, k),)]
    xp = array_module(a)
    part = a.argpartition(n - k if largest else k - 1, axis=axis)
    chosen = part[head + (slice(n - k, None) if largest else slice(0, k),)]
    chosen = xp.sort(chosen, axis=axis)          # index order, kept by the stable sort
    ranked = order(xp.take_along_axis(a, chosen, axis=axis), axis, largest)
    return xp.take_along_axis(chosen, ranked, axis=axis).astype(np.int64, copy=False)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of ``input`` in ascending order (torch.unique), with the
    int64 index of each input element among them (``return_inverse``, input's shape)
    and how often each occurs (``return_counts``); ``dim``: the distinct slices along
    that dimension. Not differentiable. ``sorted=False`` also returns them sorted
    (PyTorch leaves that order unspecified)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unique(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    a = input.array
    xp = array_module(a)
    if dim is not None:
        if input.ndim == 0:
            raise IndexError(f"unique(): Dimension specified as {dim} but tensor has no "
                             "dimensions")
        d = _dim(input, dim, "unique")
        try:
            values, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True,
                                                axis=d)
        except TypeError:   # an array library without unique(axis=)
            raise NotSupportedError(f"unique(dim={dim}) is not supported by "
                                    f"{xp.__name__}; use dim=None") from None
        inverse = inverse.reshape(-1)
    else:
        # Each NaN is its own value in PyTorch (NaN ≠ NaN); NumPy/CuPy collapse them.
        values, inverse, counts = xp.unique(a.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(a.shape)
    out = [_make(values)]
    if return_inverse:
        out.append(_make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(_make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The values of ``input`` with each run of equal consecutive ones kept once
    (torch.unique_consecutive: [1, 1, 2, 1] → [1, 2, 1]); flattened, or runs of equal
    slices along ``dim``; ``return_inverse``: each element's run, ``return_counts``:
    each run's length (int64). Not differentiable."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unique_consecutive(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    a = input.array
    xp = array_module(a)
    if dim is None:
        flat = a.reshape(-1)
        change = flat[1:] != flat[:-1]
        shape = a.shape
    else:
        if input.ndim == 0:
            raise IndexError(f"unique_consecutive(): Dimension specified as {dim} but "
                             "tensor has no dimensions")
        d = _dim(input, dim, "unique_consecutive")
        flat = xp.moveaxis(a, d, 0)
        change = (flat[1:] != flat[:-1]).reshape(max(flat.shape[0] - 1, 0), -1).any(axis=1)
        shape = (a.shape[d],)
    n = flat.shape[0]
    starts = xp.ones(n, dtype=bool)          # where a run starts: the first, and changes
    starts[1:] = change
    first = xp.nonzero(starts)[0]
    values = flat[first]
    if dim is not None:
        values = xp.moveaxis(values, 0, d)
    out = [_make(values)]
    if return_inverse:
        out.append(_make((xp.cumsum(starts) - 1).astype(np.int64).reshape(shape)))
    if return_counts:
        ends = xp.concatenate([first[1:], xp.full(1, n, dtype=first.dtype)])
        out.append(_make((ends - first).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def msort(input):
    """``input`` sorted along its first dimension (torch.msort: sort(x, 0).values)."""
    return sort(input, 0).values
