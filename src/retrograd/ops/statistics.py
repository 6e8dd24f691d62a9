"""Statistics of a tensor beyond sum and mean: prod; the order statistics median,
nanmedian, kthvalue, mode, quantile and nanquantile; the NaN-ignoring nansum and
nanmean; var_mean, std_mean, aminmax and count_nonzero.

An order statistic is one entry of x, picked by an index found by sorting: its
value is x gathered at that index (indexing's ``Gather``), so ∂ℓ/∂x is ∂ℓ/∂y at the
chosen index and 0 elsewhere, as in PyTorch. A quantile interpolates between two
sorted values, y = a + w (b − a), and its gradient splits between them in the same
proportions. Ties between equal values pick the first in a stable sort (median,
kthvalue) or the last occurrence (mode), which is what PyTorch's CPU kernels return
in the cases the tests measure; PyTorch does not promise an order of ties."""
from collections import namedtuple

import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor, _as_dtype, _make
from . import elementwise, indexing, reductions, shape, sorting
from .scan import running
from .sorting import _dim

# PyTorch's torch.return_types.* (field names values/indices; aminmax: min/max).
median_result = namedtuple("median", ["values", "indices"])
nanmedian_result = namedtuple("nanmedian", ["values", "indices"])
mode_result = namedtuple("mode", ["values", "indices"])
kthvalue_result = namedtuple("kthvalue", ["values", "indices"])
aminmax_result = namedtuple("aminmax", ["min", "max"])


def _tensor(x, who):
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument 'input' must be Tensor, not {type(x).__name__}")


def _whole_0d(input, dim, who):
    """``dim`` for a reduction, or None for a 0-d tensor: its one dimension (0 or -1)
    is checked, then the reduction is over all of it (as PyTorch)."""
    if dim is None or input.ndim:
        return dim
    for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
        _dim(input, d, who)
    return None


def _floating(input, who):
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"{who} only support floating point and complex dtypes (got "
                           f"{input.dtype})")


# -- prod -------------------------------------------------------------------------------

class Prod(Function):
    """y = Π xᵢ along ``axis``;  ∂ℓ/∂xₖ = ∂ℓ/∂y · Π_{i≠k} xᵢ.

    Π_{i≠k} xᵢ is the product of the entries before k times that of the entries after
    it (two running products), never y / xₖ: the gradient stays exact where x holds
    zeros (one zero: only its place gets a gradient; two: none does), as PyTorch's."""

    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x = x
        return array_module(x).prod(x, axis=self.axis, keepdims=self.keepdims)

    def _others(self):
        """Π_{i≠k} xᵢ for every k: the running product of what comes before k (x
        shifted one place on, after a 1) times that of what comes after it."""
        x, a = self.x, self.axis
        xp = array_module(x)
        if x.shape[a] == 0:
            return xp.ones_like(x)
        head = (slice(None),) * a
        ones = xp.ones_like(x[head + (slice(0, 1),)])
        before = xp.cumprod(xp.concatenate([ones, x[head + (slice(0, -1),)]], axis=a), axis=a)
        flipped = xp.flip(x, a)
        after = xp.cumprod(xp.concatenate([ones, flipped[head + (slice(0, -1),)]], axis=a),
                           axis=a)
        return before * xp.flip(after, a)

    def backward(self, gy):
        if not self.keepdims:
            gy = array_module(gy).expand_dims(gy, self.axis)
        return gy * self._others()

    def jvp(self, dx):
        return (dx * self._others()).sum(axis=self.axis, keepdims=self.keepdims)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product of ``input``'s entries: all of them, or along ``dim`` (torch.prod;
    bool and integer input gives int64 unless ``dtype``). Its gradient is exact
    where the input holds zeros."""
    _tensor(input, "prod")
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__} "
                        "(PyTorch's prod reduces one dimension or all)")
    x = input
    if dtype is not None:
        x = x.to(dtype=_as_dtype(dtype))
    elif x.dtype.kind in "biu":
        x = _make(x.array.astype(np.int64))
    if dim is None:
        x, d, keep = x.reshape(-1), 0, False
    else:
        d, keep = _dim(input, dim, "prod"), bool(keepdim)
        if x.ndim == 0:
            return x * 1 if x.requires_grad else x.clone()
    if x.dtype.kind not in "fc":
        return _make(array_module(x.array).prod(x.array, axis=d, keepdims=keep))
    return Prod(d, keep).apply(x)


# -- order statistics: an entry chosen by sorting ------------------------------------------

class Spread(Function):
    """y = v, a value of x's (its median); ∂ℓ/∂x = ∂ℓ/∂y split evenly among the entries
    equal to v (the NaNs when v is NaN): PyTorch's gradient of a median over all
    entries, where ``median(dim)`` sends it to one index."""

    def forward(self, v, x):
        xp = array_module(x)
        mask = xp.isnan(x) if bool(xp.isnan(v)) else (x == v)
        self.weight = mask / mask.sum(dtype=x.dtype)
        return v

    def backward(self, gy):
        return None, gy * self.weight

    def jvp(self, dv, dx):
        return (dx * self.weight).sum()


def _stable_pick(a, d, p):
    """The index, along ``d``, of the entry at place ``p`` of the stable sort of a
    (no NaN), without sorting: its value v by a partition, then the (p − #{a < v})-th
    entry equal to v. The median of (256, 4096) float32 along dim 1 takes 13 ms so,
    as PyTorch's (one thread), against 106 ms by the stable argsort."""
    xp = array_module(a)
    # CuPy's partition sorts anyway (and the fake-cuda test device has none)
    v = xp.take(np.partition(a, p, axis=d) if xp is np else xp.sort(a, axis=d), [p], axis=d)
    equal = a == v
    nth = p - (a < v).sum(axis=d, keepdims=True) + 1      # which of the equal ones
    return xp.expand_dims(xp.argmax(equal & (xp.cumsum(equal, axis=d) == nth), axis=d), d)


def _reduce_to_pick(input, dim, keepdim, who, position, result, place=None):
    """The (values, indices) of the entry at sorted ``position`` along ``dim``:
    ``position(a, order, d)`` returns, per slice, a place in the sorted order
    (shape of a with dim d of size 1). dim None: the value over all entries.
    ``place(n)``: that place when the data hold no NaN, the same for every slice
    (found then by ``_stable_pick``, without sorting)."""
    _tensor(input, who)
    if input.dtype.kind == "b" and who != "mode":     # PyTorch's mode takes bool
        raise NotImplementedError(f'"{who}_cpu" not implemented for \'Bool\' ({who} '
                                  "of a bool tensor: convert it with .long() first)")
    if dim is None:
        x = input.reshape(-1)
        d = 0
    else:
        d = _dim(input, dim, who)
        x = input if input.ndim else input.reshape(1)
    if x.shape[d] == 0:
        if dim is None:
            xp = array_module(x.array)
            return _make(xp.asarray(np.nan, dtype=x.dtype))
        raise IndexError(f"{who}(): Expected reduction dim {d} to have non-zero size.")
    a = x.array
    xp = array_module(a)
    if place is not None and not (a.dtype.kind in "fc" and bool(xp.isnan(a).any())):
        index = _stable_pick(a, d, place(a.shape[d]))
    else:
        order = sorting.order(a, d, False)
        index = xp.take_along_axis(order, position(a, order, d), axis=d)
    if dim is None:
        return Spread().apply(indexing.Gather(d, index).apply(x.detach()).reshape(()), x)
    values = indexing.Gather(d, index).apply(x)
    if input.ndim == 0:
        return result(values.reshape(()), _make(index.reshape(())))
    if not keepdim:
        values, index = shape.squeeze(values, d), index.squeeze(d)
    return result(values, _make(index))


def _nan_count(a, d):
    xp = array_module(a)
    if a.dtype.kind not in "fc":
        return xp.zeros(a.shape[:d] + (1,) + a.shape[d + 1:], dtype=np.int64)
    return xp.isnan(a).sum(axis=d, keepdims=True)


def median(input, dim=None, keepdim=False):
    """The median of ``input``'s entries: over all (a 0-d tensor), or along ``dim``
    as (values, indices) (torch.median). Of an even count, the lower of the two
    middle values; a slice holding NaN gives NaN (at the first NaN's index)."""
    def position(a, order, d):
        n, nans = a.shape[d], _nan_count(a, d)
        return array_module(a).where(nans > 0, n - nans, (n - 1) // 2)
    return _reduce_to_pick(input, dim, keepdim, "median", position, median_result,
                           lambda n: (n - 1) // 2)


def nanmedian(input, dim=None, keepdim=False):
    """The median of the entries that are not NaN (torch.nanmedian); NaN where a
    slice holds nothing else."""
    def position(a, order, d):
        k = a.shape[d] - _nan_count(a, d)
        return array_module(a).where(k > 0, (k - 1) // 2, 0)
    return _reduce_to_pick(input, dim, keepdim, "nanmedian", position, nanmedian_result,
                           lambda n: (n - 1) // 2)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest entry (k from 1) along ``dim``, as (values, indices)
    (torch.kthvalue; NaN counts as the largest)."""
    _tensor(input, "kthvalue")
    d = _dim(input, dim, "kthvalue")
    n = input.shape[d] if input.ndim else 1
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"kthvalue(): argument 'k' must be int, not {type(k).__name__}")
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size "
                         f"(shape {tuple(input.shape)}).")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d} "
                           f"(k={k}, size {n})")

    def position(a, order, d):
        return array_module(a).full(a.shape[:d] + (1,) + a.shape[d + 1:], k - 1)
    return _reduce_to_pick(input, d, keepdim, "kthvalue", position, kthvalue_result,
                           lambda n: k - 1)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` and the index of its last occurrence,
    as (values, indices) (torch.mode): of equally frequent values, the smallest."""
    _tensor(input, "mode")

    def position(a, order, d):
        xp = array_module(a)
        s = xp.moveaxis(xp.take_along_axis(a, order, axis=d), d, -1)
        n = s.shape[-1]
        j = xp.arange(n)
        # Runs of equal values in the sorted slice: where each run starts and ends.
        new = xp.ones(s.shape, dtype=bool)
        new[..., 1:] = s[..., 1:] != s[..., :-1]
        last = xp.ones(s.shape, dtype=bool)
        last[..., :-1] = new[..., 1:]
        start = running(xp.maximum, xp.where(new, j, 0), s.ndim - 1)
        length = j - start + 1
        # The longest run ending here; ties go to the first (smallest) value.
        best_end = xp.argmax(xp.where(last, length, 0), axis=-1)
        return xp.moveaxis(best_end[..., None], -1, d)
    return _reduce_to_pick(input, _dim(input, dim, "mode"), keepdim, "mode", position,
                           mode_result)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    who = "nanquantile" if ignore_nan else "quantile"
    _tensor(input, who)
    if input.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{who}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{who}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    xp = array_module(input.array)
    if isinstance(q, Tensor):
        if q.dtype != input.dtype:
            raise RuntimeError(f"{who}() q tensor must be same dtype as the input tensor")
        if q.ndim > 1:
            raise RuntimeError(f"{who}() q must be a scalar or 1D tensor")
        qs, scalar = xp.asarray(q.array).reshape(-1), q.ndim == 0
    else:
        qs, scalar = xp.asarray([float(q)], dtype=input.dtype), True
    if qs.size and (float(qs.min()) < 0 or float(qs.max()) > 1):
        bad = float(qs.min()) if float(qs.min()) < 0 else float(qs.max())
        raise RuntimeError(f"{who}() q must be in the range [0, 1] but got {bad}")
    if input.numel() == 0:
        raise RuntimeError(f"{who}() input tensor must be non-empty")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = _dim(input, dim, who)
        x = input if input.ndim else input.reshape(1)
    s = shape.permute(x, *[k for k in range(x.ndim) if k != d], d) if x.ndim > 1 else x
    s = sorting.sort(s, -1).values                  # NaN last
    a = s.array
    n = a.shape[-1]
    nans = xp.isnan(a).sum(axis=-1, keepdims=True)
    count = n - nans if ignore_nan else xp.full(nans.shape, n)
    rank = qs.astype(a.dtype) * (count - 1)          # (..., Q): a real place in the sort
    if interpolation == "nearest":
        rank = xp.round(rank)                         # half to even, as PyTorch's
    lo = xp.floor(rank).astype(np.int64)
    hi = xp.ceil(rank).astype(np.int64)
    # A slice with NaN (quantile) or only NaN (nanquantile) reads its last (NaN) entry.
    void = (nans > 0) if not ignore_nan else (count == 0)
    lo = xp.where(void, n - 1, xp.clip(lo, 0, n - 1))
    hi = xp.where(void, n - 1, xp.clip(hi, 0, n - 1))
    if interpolation in ("lower", "nearest"):
        y = indexing.Gather(s.ndim - 1, lo).apply(s)
    elif interpolation == "higher":
        y = indexing.Gather(s.ndim - 1, hi).apply(s)
    else:
        below = indexing.Gather(s.ndim - 1, lo).apply(s)
        above = indexing.Gather(s.ndim - 1, hi).apply(s)
        w = (rank - lo) if interpolation == "linear" else xp.full(rank.shape, 0.5)
        y = below + (above - below) * _make(w.astype(a.dtype))   # PyTorch's lerp
    # y is (..., Q): Q first, then the reduced dims.
    y = shape.permute(y, y.ndim - 1, *range(y.ndim - 1))
    if keepdim:
        kept = [1] * input.ndim if dim is None else \
            [1 if k == d else m for k, m in enumerate(input.shape)]
        y = y.reshape(qs.size, *kept)
    elif dim is not None and input.ndim == 0:
        y = y.reshape(qs.size)
    return y.reshape(*y.shape[1:]) if scalar else y


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-quantiles of ``input`` (all entries, or along ``dim``), as
    torch.quantile: the sorted values at rank q·(n − 1), interpolated between the
    two neighbours ("linear", "lower", "higher", "midpoint", "nearest"). A 1-D q
    puts its dimension first. A slice holding NaN gives NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` of the entries that are not NaN (torch.nanquantile)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)


# -- NaN-ignoring reductions, pairs, counts --------------------------------------------

def _without_nan(input):
    if input.dtype.kind not in "fc":
        return input
    a = input.array
    return elementwise.where(array_module(a).isnan(a), 0, input)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Σ of the entries that are not NaN (torch.nansum; integers give int64)."""
    _tensor(input, "nansum")
    dim = _whole_0d(input, dim, "nansum")
    x = _without_nan(input)
    if dtype is None and x.dtype.kind in "biu":
        dtype = np.int64
    return x.sum(dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the entries that are not NaN (torch.nanmean; NaN where there are
    none)."""
    _tensor(input, "nanmean")
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex "
                           f"dtype but got {input.dtype}")
    dim = _whole_0d(input, dim, "nanmean")
    x = input if dtype is None else input.to(dtype=dtype)
    count = (~array_module(x.array).isnan(x.array)).sum(
        axis=reductions._axes(dim, x.ndim), keepdims=keepdim)
    return nansum(x, dim, keepdim) / _make(count.astype(x.dtype))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over ``dim`` (torch.var_mean; correction 1 by default)."""
    _tensor(input, "var_mean")
    _floating(input, "var_mean")
    dim = _whole_0d(input, dim, "var_mean")
    return (input.var(dim, keepdim, unbiased=unbiased, correction=correction),
            input.mean(dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over ``dim`` (torch.std_mean; correction 1 by default)."""
    _tensor(input, "std_mean")
    _floating(input, "std_mean")
    dim = _whole_0d(input, dim, "std_mean")
    return (input.std(dim, keepdim, unbiased=unbiased, correction=correction),
            input.mean(dim, keepdim))


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) of ``input`` (all entries, or along ``dim``), as torch.aminmax."""
    _tensor(input, "aminmax")
    if dim is not None:
        dim = _dim(input, dim, "aminmax")
        if input.ndim == 0:
            dim = None
        elif input.shape[dim] == 0:   # an empty output where another dim is empty
            raise IndexError(f"aminmax: Expected reduction dim {dim} to have non-zero size "
                             f"(shape {tuple(input.shape)}).")
    if dim is None and input.numel() == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                           "the operation has no identity.")
    if input.numel() == 0:         # empty results (Min/Max refuse an empty input)
        xp = array_module(input.array)
        return aminmax_result(_make(xp.min(input.array, axis=dim, keepdims=keepdim)),
                              _make(xp.max(input.array, axis=dim, keepdims=keepdim)))
    return aminmax_result(reductions.Min(dim, keepdim).apply(input),
                          reductions.Max(dim, keepdim).apply(input))


def count_nonzero(input, dim=None):
    """The number of non-zero entries (int64), over all or along ``dim`` (an int or a
    tuple), as torch.count_nonzero."""
    _tensor(input, "count_nonzero")
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        dim = tuple(_dim(input, k, "count_nonzero") for k in dims)
        for k in set(d for d in dim if dim.count(d) > 1):
            raise RuntimeError(f"count_nonzero(): dim {k} appears multiple times in the list "
                               f"of dims {dims}")
        if input.ndim == 0:
            dim = None
    a = input.array
    return _make((a != 0).sum(axis=dim).astype(np.int64))
