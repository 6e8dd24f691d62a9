"""The vector p-norm along an axis, the building block of distances and ``F.normalize``.

    ‖x‖_p = (Σᵢ |xᵢ|^p)^{1/p}         (p > 0; p = inf: maxᵢ |xᵢ|; p = 0: #{xᵢ ≠ 0})

    ∂‖x‖_p/∂xᵢ = sign(xᵢ) |xᵢ|^{p−1} / ‖x‖_p^{p−1}

As PyTorch's ``linalg.vector_norm``: the gradient is 0 where the norm is 0 (a
subgradient, where √ would give 0/0), p = inf shares the gradient evenly among the
tied maxima, p = 0 has no gradient.
"""
from ..backend import array_module
from ..function import Function


class VectorNorm(Function):
    """y = ‖x‖_p along ``axis`` (kept as size 1 if ``keepdim``)."""

    fresh_grads = True

    def __init__(self, p, axis, keepdim=False):
        self.p, self.axis, self.keepdim = float(p), axis, keepdim

    def forward(self, x):
        xp = array_module(x)
        a, p = xp.abs(x), self.p
        if p == float("inf"):
            y = a.max(axis=self.axis, keepdims=True)
        elif p == 0:
            y = (a != 0).sum(axis=self.axis, keepdims=True).astype(x.dtype)
        elif p == 1:
            y = a.sum(axis=self.axis, keepdims=True)
        elif p == 2:
            y = xp.sqrt((x * x).sum(axis=self.axis, keepdims=True))
        else:
            y = (a ** p).sum(axis=self.axis, keepdims=True) ** (1 / p)
        self.x, self.y = x, y
        return y if self.keepdim else y.squeeze(self.axis)

    def _slope(self):
        """∂y/∂x, of x's shape."""
        xp = array_module(self.x)
        x, y, p = self.x, self.y, self.p
        if p == 0:
            return xp.zeros_like(x)
        if p == float("inf"):
            hit = (xp.abs(x) == y) & (y != 0)
            return xp.sign(x) * hit / xp.maximum(hit.sum(axis=self.axis, keepdims=True), 1)
        if p == 1:
            return xp.sign(x)
        safe = xp.where(y == 0, 1, y)
        if p == 2:
            return xp.where(y == 0, 0, x / safe)
        return xp.where(y == 0, 0, xp.sign(x) * xp.abs(x) ** (p - 1) / safe ** (p - 1))

    def backward(self, gy):
        if not self.keepdim:
            gy = array_module(gy).expand_dims(gy, self.axis)
        return gy * self._slope()

    def jvp(self, dx):
        dy = (self._slope() * dx).sum(axis=self.axis, keepdims=self.keepdim)
        return dy


def vector_norm(x, p=2.0, dim=-1, keepdim=False):
    """‖x‖_p along the single axis ``dim``."""
    return VectorNorm(p, dim % max(x.ndim, 1), keepdim).apply(x)
