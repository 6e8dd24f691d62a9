"""Matrix parts: the lower/upper triangle (tril, triu), the diagonal (diag) and its
sum (trace). Each keeps or moves some entries and zeroes the rest, so the gradient
keeps or moves ∂ℓ/∂y the same way: tril's gradient is the tril of ∂ℓ/∂y.

``x.masked_fill(retrograd.tril(ones(T, T)) == 0, -inf)`` is the causal mask of a
GPT's attention."""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor


def _tensor(x, who):
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument 'input' must be Tensor, not {type(x).__name__}")


def _offset(k, who):
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"{who}(): argument 'diagonal' must be int, not {type(k).__name__}")
    return int(k)


class Tril(Function):
    """y = x with the entries above diagonal k zeroed (over the last two dims;
    ``upper``: below it, triu);  ∂ℓ/∂x = tril(∂ℓ/∂y, k)."""

    def __init__(self, k, upper):
        self.k, self.upper = k, upper

    def _part(self, a):
        xp = array_module(a)
        return (xp.triu if self.upper else xp.tril)(a, self.k)

    def forward(self, x):
        return self._part(x)

    def backward(self, gy):
        return self._part(gy)

    def jvp(self, dx):
        return self._part(dx)


def _triangle(input, diagonal, upper):
    who = "triu" if upper else "tril"
    _tensor(input, who)
    if input.ndim < 2:
        raise RuntimeError(f"{who}: input tensor must have at least 2 dimensions, got "
                           f"shape {tuple(input.shape)}")
    return Tril(_offset(diagonal, who), upper).apply(input)


def tril(input, diagonal=0):
    """The lower triangle of the matrices in ``input`` (last two dims): entries with
    column − row > ``diagonal`` set to 0 (torch.tril)."""
    return _triangle(input, diagonal, False)


def triu(input, diagonal=0):
    """The upper triangle: entries with column − row < ``diagonal`` set to 0."""
    return _triangle(input, diagonal, True)


class Diag(Function):
    """1-D x → the square matrix with x on diagonal k; 2-D x → its diagonal k.
    Each direction's gradient is the other direction applied to ∂ℓ/∂y."""

    def __init__(self, k):
        self.k = k

    def forward(self, x):
        self.in_shape = x.shape
        return self._diag(x)

    def _diag(self, a):
        xp = array_module(a)
        return xp.diag(a, self.k).copy() if a.ndim == 2 else xp.diag(a, self.k)

    def backward(self, gy):
        xp = array_module(gy)
        if len(self.in_shape) == 1:
            return xp.diagonal(gy, self.k).copy()
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        rows, cols = self._places(xp, gy.shape[0])
        gx[rows, cols] = gy
        return gx

    def _places(self, xp, n):
        i = xp.arange(n)
        return (i, i + self.k) if self.k >= 0 else (i - self.k, i)

    def jvp(self, dx):
        return self._diag(dx)


def diag(input, diagonal=0):
    """torch.diag: a 1-D ``input`` as the diagonal ``diagonal`` of a square matrix,
    or the diagonal ``diagonal`` of a 2-D ``input`` (1-D)."""
    _tensor(input, "diag")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D "
                           f"(shape {tuple(input.shape)})")
    return Diag(_offset(diagonal, "diag")).apply(input)


class Trace(Function):
    """y = Σᵢ xᵢᵢ of a matrix;  ∂ℓ/∂x = ∂ℓ/∂y · I (the identity of x's shape)."""

    def forward(self, x):
        self.in_shape = x.shape
        dt = x.dtype if x.dtype.kind in "fc" else np.int64
        return array_module(x).trace(x, dtype=dt)

    def backward(self, gy):
        xp = array_module(gy)
        return xp.eye(*self.in_shape, dtype=gy.dtype) * gy

    def jvp(self, dx):
        return array_module(dx).trace(dx)


def trace(input):
    """The sum of the diagonal of a 2-D ``input`` (torch.trace; int64 for integers)."""
    _tensor(input, "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input.ndim} (shape {tuple(input.shape)})")
    return Trace().apply(input)
