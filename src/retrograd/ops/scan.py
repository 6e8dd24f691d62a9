"""Running sums, products and extremes along a dimension: cumsum, cumprod, cummax,
cummin, logcumsumexp; and diff, the inverse of cumsum.

yⱼ = Σ_{i≤j} xᵢ has ∂ℓ/∂xₖ = Σ_{j≥k} ∂ℓ/∂yⱼ, a cumulative sum taken from the end.
yⱼ = Π_{i≤j} xᵢ has ∂ℓ/∂xₖ = Σ_{j≥k} ∂ℓ/∂yⱼ · Π_{i≤j, i≠k} xᵢ; dividing yⱼ by xₖ
would give it only where x has no zero, so the rule below treats the first zero of
each slice apart (what comes after it has gradient 0), as PyTorch does."""
from collections import namedtuple

import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor, _as_dtype, _make
from . import indexing, shape
from .sorting import _dim

# PyTorch's torch.return_types.cummax/cummin.
cummax_result = namedtuple("cummax", ["values", "indices"])
cummin_result = namedtuple("cummin", ["values", "indices"])


def _reverse_cumsum(a, axis):
    """Σ_{j≥k} aⱼ along ``axis``."""
    xp = array_module(a)
    return xp.flip(xp.cumsum(xp.flip(a, axis), axis=axis), axis)


def _result_dtype(x, dtype):
    """PyTorch's: the given dtype, else int64 for bool and integer input."""
    if dtype is not None:
        return np.dtype(_as_dtype(dtype))
    return x.dtype if x.dtype.kind in "fc" else np.dtype(np.int64)


class Cumsum(Function):
    """yⱼ = Σ_{i≤j} xᵢ along ``dim``;  ∂ℓ/∂xₖ = Σ_{j≥k} ∂ℓ/∂yⱼ."""

    def __init__(self, dim, dtype):
        self.dim, self.dtype = dim, dtype

    def forward(self, x):
        return array_module(x).cumsum(x, axis=self.dim, dtype=self.dtype)

    def backward(self, gy):
        return _reverse_cumsum(gy, self.dim)

    def jvp(self, dx):
        return array_module(dx).cumsum(dx, axis=self.dim, dtype=self.dtype)


class Cumprod(Function):
    """yⱼ = Π_{i≤j} xᵢ along ``dim``;  ∂ℓ/∂xₖ = Σ_{j≥k} ∂ℓ/∂yⱼ · Π_{i≤j, i≠k} xᵢ.

    Before the first zero z of a slice this is (Σ_{j≥k} ∂ℓ/∂yⱼ yⱼ) / xₖ; at z it is
    Σ_{j≥z} ∂ℓ/∂yⱼ y'ⱼ with y' the running product of x with x_z set to 1; after z,
    0 (every product holds x_z = 0)."""

    def __init__(self, dim, dtype):
        self.dim, self.dtype = dim, dtype

    def forward(self, x):
        self.x = x
        self.y = array_module(x).cumprod(x, axis=self.dim, dtype=self.dtype)
        return self.y

    def _zeros(self):
        xp = array_module(self.x)
        zero = self.x == 0
        seen = xp.cumsum(zero, axis=self.dim)
        before = seen == 0                   # no zero at or before this place
        first = zero & (seen == 1)           # the first zero of the slice
        x = self.x.astype(self.y.dtype, copy=False)
        y_skip = xp.cumprod(xp.where(first, 1, x), axis=self.dim)
        return xp, x, before, first, y_skip

    def backward(self, gy):
        if not bool((self.x == 0).any()):     # the common case: one pass, not six
            x = self.x.astype(self.y.dtype, copy=False)
            return _reverse_cumsum(gy * self.y, self.dim) / x
        xp, x, before, first, y_skip = self._zeros()
        g_before = _reverse_cumsum(gy * self.y, self.dim) / xp.where(before, x, 1)
        g_first = _reverse_cumsum(gy * y_skip, self.dim)
        return xp.where(before, g_before, xp.where(first, g_first, 0))

    def jvp(self, dx):
        if not bool((self.x == 0).any()):
            x = self.x.astype(self.y.dtype, copy=False)
            return self.y * array_module(dx).cumsum(dx / x, axis=self.dim)
        xp, x, before, first, y_skip = self._zeros()
        # ẏⱼ = yⱼ Σ_{i≤j} ẋᵢ/xᵢ before the first zero; ẋ_z · y'ⱼ from it on.
        dy_before = self.y * xp.cumsum(xp.where(before, dx / xp.where(before, x, 1), 0),
                                       axis=self.dim)
        dx_first = xp.where(first, dx, 0).sum(axis=self.dim, keepdims=True)
        return xp.where(before, dy_before, dx_first * y_skip)


def _scan(op, who, input, dim, dtype):
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if dim is None:
        raise TypeError(f"{who}(): missing the required argument 'dim' (PyTorch has no "
                        "default; flatten first for a scan over all elements)")
    d = _dim(input, dim, who)
    t = input if input.ndim else input.reshape(1)
    y = op(d, _result_dtype(input, dtype)).apply(t)
    return y if input.ndim else y.reshape(())


def cumsum(input, dim, *, dtype=None):
    """The running sum of ``input`` along ``dim`` (torch.cumsum); bool and integer
    input gives int64 unless ``dtype``."""
    return _scan(Cumsum, "cumsum", input, dim, dtype)


def cumprod(input, dim, *, dtype=None):
    """The running product of ``input`` along ``dim`` (torch.cumprod); its gradient
    is exact where the input holds zeros."""
    return _scan(Cumprod, "cumprod", input, dim, dtype)


def running(combine, a, axis):
    """yⱼ = a₀ ∘ a₁ ∘ … ∘ aⱼ along ``axis`` for an associative ``combine`` (maximum,
    logaddexp…), in ⌈log₂ n⌉ vectorised steps (Hillis–Steele: step s combines each
    entry with the one s places before). CuPy has ``ufunc.accumulate`` only for add
    and multiply, so it takes this path; NumPy accumulates directly."""
    xp = array_module(a)
    if xp is np:   # NumPy's ufuncs accumulate in one pass (cummax 79 → 1.6 ms on 256×4096)
        return combine.accumulate(a, axis=axis)
    n = a.shape[axis]
    head = (slice(None),) * axis
    y, s = a, 1
    while s < n:
        y = xp.concatenate([y[head + (slice(0, s),)],
                            combine(y[head + (slice(s, None),)], y[head + (slice(0, n - s),)])],
                           axis=axis)
        s *= 2
    return y if y is not a else a.copy()


def _running_extreme(input, dim, largest, result):
    """(values, indices) of the running max (min) along ``dim``: the index of each is
    the last place that reached it (ties: the later, as PyTorch's), and a NaN, once
    seen, stays; the values are x gathered there, so ∂ℓ/∂x goes to those places."""
    who = "cummax" if largest else "cummin"
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    d = _dim(input, dim, who)
    x = input if input.ndim else input.reshape(1)
    a = x.array
    xp = array_module(a)
    ufunc = xp.fmax if largest else xp.fmin
    extreme = running(ufunc, a, d)
    places = xp.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
    # Reaching the running extreme, or a NaN: the later place wins.
    hit = a == extreme
    nan = xp.isnan(a) if a.dtype.kind in "fc" else None
    if nan is not None and bool(nan.any()):
        hit &= xp.cumsum(nan, axis=d) == 0   # once a NaN is seen, only NaNs hit
        hit |= nan
    index = running(xp.maximum, xp.where(hit, places, 0), d).astype(np.int64)
    values = indexing.Gather(d, index).apply(x)
    if input.ndim == 0:
        return result(values.reshape(()), _make(index.reshape(())))
    return result(values, _make(index))


def cummax(input, dim):
    """The running maximum along ``dim`` and where it was reached, as (values,
    indices) (torch.cummax); ∂ℓ/∂x: ∂ℓ/∂values added at the indices."""
    return _running_extreme(input, dim, True, cummax_result)


def cummin(input, dim):
    """The running minimum along ``dim`` and where it was reached (torch.cummin)."""
    return _running_extreme(input, dim, False, cummin_result)


def _log_cumsum(a, axis, reverse=False):
    """log Σ_{i≤j} e^{aᵢ} (``reverse``: Σ_{i≥j}) without overflow: logaddexp's running
    form, −inf where every term is e^{−inf} = 0."""
    xp = array_module(a)
    with np.errstate(invalid="ignore"):      # NaN in, NaN out, without a warning
        if reverse:
            return xp.flip(running(xp.logaddexp, xp.flip(a, axis), axis), axis)
        return running(xp.logaddexp, a, axis)


def _log_parts(v):
    """log v⁺ and log v⁻ (−inf where a part is 0): a signed sum carried in log space."""
    xp = array_module(v)
    with np.errstate(divide="ignore"):
        return xp.log(xp.maximum(v, 0)), xp.log(xp.maximum(-v, 0))


class LogCumSumExp(Function):
    """yⱼ = log Σ_{i≤j} e^{xᵢ} along ``dim``;
    ∂ℓ/∂xₖ = Σ_{j≥k} ∂ℓ/∂yⱼ · e^{xₖ − yⱼ}, ẏⱼ = Σ_{i≤j} ẋᵢ · e^{xᵢ − yⱼ}.

    Both sums are taken in log space, the positive and negative parts of ∂ℓ/∂y (of
    ẋ) apart, so that nothing overflows (PyTorch computes its gradient the same way)."""

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        self.x = x
        self.y = _log_cumsum(x, self.dim)
        return self.y

    def backward(self, gy):
        xp = array_module(gy)
        pos, neg = _log_parts(gy)
        with np.errstate(invalid="ignore"):
            up = xp.exp(self.x + _log_cumsum(pos - self.y, self.dim, reverse=True))
            down = xp.exp(self.x + _log_cumsum(neg - self.y, self.dim, reverse=True))
        return up - down

    def jvp(self, dx):
        xp = array_module(dx)
        pos, neg = _log_parts(dx)
        with np.errstate(invalid="ignore"):
            return (xp.exp(_log_cumsum(self.x + pos, self.dim) - self.y)
                    - xp.exp(_log_cumsum(self.x + neg, self.dim) - self.y))


def logcumsumexp(input, dim):
    """log Σ_{i≤j} e^{xᵢ} along ``dim`` (torch.logcumsumexp; floating input)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"logcumsumexp(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    d = _dim(input, dim, "logcumsumexp")
    if input.dtype.kind not in "fc":
        raise NotImplementedError(f"logcumsumexp(): \"logcumsumexp_out_cpu\" not "
                                  f"implemented for '{input.dtype}' (logcumsumexp takes "
                                  "floating input)")
    t = input if input.ndim else input.reshape(1)
    y = LogCumSumExp(d).apply(t)
    return y if input.ndim else y.reshape(())


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along ``dim``: y = x[1:] − x[:−1], ``n`` times
    (torch.diff), after joining ``prepend`` and ``append`` to x along ``dim``; for
    bool input, x[1:] != x[:−1]."""
    if not isinstance(input, Tensor):
        raise TypeError(f"diff(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = _dim(input, dim, "diff")
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise RuntimeError(f"diff(): order must be non-negative but got {n}")
    parts = []
    for extra in (prepend, append):
        if extra is not None and (not isinstance(extra, Tensor) or extra.ndim != input.ndim):
            raise RuntimeError("diff expects prepend or append to be the same dimension as "
                               "input")
    x = input
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        x = shape.concatenate(parts, d)
    head = (slice(None),) * d
    for _ in range(int(n)):
        if x.shape[d] == 0:
            break
        later, earlier = x[head + (slice(1, None),)], x[head + (slice(0, -1),)]
        x = _make(later.array != earlier.array) if x.dtype.kind == "b" else later - earlier
    return x
