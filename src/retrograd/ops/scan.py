"""Running sums and products along a dimension: cumsum and cumprod.

yⱼ = Σ_{i≤j} xᵢ has ∂ℓ/∂xₖ = Σ_{j≥k} ∂ℓ/∂yⱼ, a cumulative sum taken from the end.
yⱼ = Π_{i≤j} xᵢ has ∂ℓ/∂xₖ = Σ_{j≥k} ∂ℓ/∂yⱼ · Π_{i≤j, i≠k} xᵢ; dividing yⱼ by xₖ
would give it only where x has no zero, so the rule below treats the first zero of
each slice apart (what comes after it has gradient 0), as PyTorch does."""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor, _as_dtype
from .sorting import _dim


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
