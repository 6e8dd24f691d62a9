"""Reductions over axes: sum, mean, max, min, variance, log-sum-exp.

Each backward broadcasts ∂ℓ/∂y back over the reduced axes (``expand``)."""
import numpy as np

from ..backend import array_module
from ..function import Function
from .operand import as_float


def _axes(axis, ndim):
    """Normalise ``axis`` (None, int or tuple) to a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(out))


class Reduction(Function):
    """Shared bookkeeping: the reduced axes and how to broadcast a gradient back."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def setup(self, x):
        self.axes = _axes(self.axis, x.ndim)
        self.in_shape = x.shape

    def expand(self, g):
        """Reshape a reduced gradient so that it broadcasts against the input."""
        if not self.keepdims:
            shape = list(self.in_shape)
            for a in self.axes:
                shape[a] = 1
            g = g.reshape(shape)
        return g

    def count(self):
        n = 1
        for a in self.axes:
            n *= self.in_shape[a]
        return n


class Sum(Reduction):
    """y = Σ x over ``axis``;  ∂ℓ/∂x = ∂ℓ/∂y broadcast back."""

    def forward(self, x):
        self.setup(x)
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        return array_module(gy).broadcast_to(self.expand(gy), self.in_shape)

    def jvp(self, dx):
        return dx.sum(axis=self.axes, keepdims=self.keepdims)


class Mean(Reduction):
    """y = (1/n) Σ x;  ∂ℓ/∂x = ∂ℓ/∂y / n broadcast back."""

    def forward(self, x):
        self.setup(x)
        return as_float(x).mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        g = self.expand(gy) / self.count()
        return array_module(gy).broadcast_to(g, self.in_shape)

    def jvp(self, dx):
        return dx.mean(axis=self.axes, keepdims=self.keepdims)


class Max(Reduction):
    """y = max x over ``axis``;  ∂ℓ/∂x = ∂ℓ/∂y at the maximum (split evenly
    between tied maxima, so the gradient is a subgradient that sums to ∂ℓ/∂y)."""

    pick = "max"

    def forward(self, x):
        self.setup(x)
        if x.size == 0:
            raise ValueError(f"{self.pick} of an empty tensor")
        y = getattr(x, self.pick)(axis=self.axes, keepdims=True)
        mask = (x == y)
        self.weight = mask / mask.sum(axis=self.axes, keepdims=True, dtype=x.dtype)
        return y if self.keepdims else y.reshape([n for i, n in enumerate(x.shape)
                                                  if i not in self.axes])

    def backward(self, gy):
        return self.expand(gy) * self.weight

    def jvp(self, dx):
        return (dx * self.weight).sum(axis=self.axes, keepdims=self.keepdims)


class Min(Max):
    """y = min x over ``axis``; gradient as for ``Max``."""

    pick = "min"


class Var(Reduction):
    """y = Σ (x − x̄)² / (n − ddof);  ∂ℓ/∂x = ∂ℓ/∂y · 2 (x − x̄) / (n − ddof)."""

    def __init__(self, axis=None, keepdims=False, ddof=0):
        super().__init__(axis, keepdims)
        self.ddof = ddof

    def forward(self, x):
        self.setup(x)
        x = as_float(x)
        self.centered = x - x.mean(axis=self.axes, keepdims=True)
        n = self.count() - self.ddof
        self.scale = 2.0 / n if n > 0 else float("nan")
        return (self.centered ** 2).sum(axis=self.axes, keepdims=self.keepdims) * \
            (self.scale / 2)

    def backward(self, gy):
        return self.expand(gy) * self.centered * self.scale

    def jvp(self, dx):
        return (self.centered * dx).sum(axis=self.axes, keepdims=self.keepdims) * self.scale


class LogSumExp(Reduction):
    """y = log Σ eˣ = m + log Σ e^(x − m) with m = max x (no overflow, no underflow);
    ∂ℓ/∂x = ∂ℓ/∂y · softmax(x)."""

    def forward(self, x):
        self.setup(x)
        xp = array_module(x)
        x = as_float(x)
        m = x.max(axis=self.axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all −inf: keep −inf, not NaN
        e = xp.exp(x - m)
        s = e.sum(axis=self.axes, keepdims=True)
        self.softmax = e / s
        y = xp.log(s) + m
        return y if self.keepdims else y.reshape([n for i, n in enumerate(x.shape)
                                                  if i not in self.axes])

    def backward(self, gy):
        return self.expand(gy) * self.softmax

    def jvp(self, dx):
        return (dx * self.softmax).sum(axis=self.axes, keepdims=self.keepdims)


class StdFromVar(Function):
    """σ = √v of a variance v (``x.std()`` is ``StdFromVar`` of ``x.var()``);
    ∂ℓ/∂v = ∂ℓ/∂σ / (2σ), and 0 where σ = 0 — PyTorch's choice for the standard
    deviation (a plain √ would give ∞ · 0 = NaN for a constant sample, e.g. a constant
    feature being standardised)."""

    def forward(self, v):
        self.y = array_module(v).sqrt(v)
        return self.y

    def _slope(self, g):
        xp = array_module(g)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.where(self.y == 0, 0, g / (2 * self.y))

    def backward(self, gy):
        return self._slope(gy)

    def jvp(self, dv):
        return self._slope(dv)
