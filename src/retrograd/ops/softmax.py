"""Softmax and log-softmax along an axis, stabilised as the course shows:
z = x − maxᵢ xᵢ gives s(z) = s(x) with max e^z = 1, so neither overflow nor a
division by zero can happen, and log s(x)ᵢ = zᵢ − log Σⱼ e^{zⱼ} never takes log 0."""
from ..backend import array_module
from ..function import Function
from .operand import as_float


def stable_softmax(x, axis):
    """s(x) = e^(x − max x) / Σ e^(x − max x), as an array."""
    xp = array_module(x)
    if x.size == 0:   # no max to take: nothing to normalise (as PyTorch)
        return xp.empty_like(x)
    e = xp.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def stable_log_softmax(x, axis):
    """log s(x) = z − log Σ e^z with z = x − max x, as an array."""
    xp = array_module(x)
    if x.size == 0:
        return xp.empty_like(x)
    z = x - x.max(axis=axis, keepdims=True)
    z -= xp.log(xp.exp(z).sum(axis=axis, keepdims=True))
    return z


class Softmax(Function):
    """y = softmax(x);  ∂ℓ/∂x = y ⊙ (∂ℓ/∂y − Σ (∂ℓ/∂y ⊙ y))."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        self.y = stable_softmax(as_float(x), self.axis)
        return self.y

    def backward(self, gy):
        y = self.y
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))

    def jvp(self, dx):
        return self.backward(dx)  # the Jacobian of softmax is symmetric


class LogSoftmax(Function):
    """y = log softmax(x);  ∂ℓ/∂x = ∂ℓ/∂y − softmax(x) Σ ∂ℓ/∂y."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        self.y = stable_log_softmax(as_float(x), self.axis)
        return self.y

    def backward(self, gy):
        xp = array_module(gy)
        return gy - xp.exp(self.y) * gy.sum(axis=self.axis, keepdims=True)

    def jvp(self, dx):
        xp = array_module(dx)
        return dx - (xp.exp(self.y) * dx).sum(axis=self.axis, keepdims=True)


def softmax(x, dim=-1, *, axis=None):
    """softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (or NumPy's ``axis``), computed
    stably."""
    return Softmax(dim if axis is None else axis).apply(x)


def log_softmax(x, dim=-1, *, axis=None):
    """log softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim`` (``axis``), computed stably."""
    return LogSoftmax(dim if axis is None else axis).apply(x)


def logsumexp(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log Σ eˣ along ``dim`` (``axis``), computed stably."""
    return x.logsumexp(dim, keepdim, axis=axis, keepdims=keepdims)
