"""Non-linear activations φ, applied elementwise after the affine map s = wᵀx + b.

Each op saves the cheapest thing its derivative needs: its output when φ' is a
function of φ (sigmoid, tanh, ELU), its input otherwise (a reference, not a
copy), or a boolean mask (leaky ReLU, PReLU, hardtanh; ReLU keeps its output).
"""
import math

import numpy as np

from ..backend import array_module, constant
from ..function import Function
from .special import erf_array


def _sigmoid(z, a=1.0):
    """σ(az) = ½(1 + tanh(az/2)) in one new array: never overflows."""
    xp = array_module(z)
    s = xp.asarray(z * (0.5 * a))   # asarray: NumPy turns 0-d results into scalars
    if s.dtype.kind != "f":
        s = s.astype(np.float32)
    xp.tanh(s, out=s)
    s += 1
    s *= 0.5
    return s


def _times(d, g):
    """d ⊙ g written into d, a fresh derivative array: no extra temporary."""
    d *= g
    return d


class _Pointwise(Function):
    """y = φ(x) elementwise: ∂ℓ/∂x = ∂ℓ/∂y · φ'(x) and ẏ = φ'(x) ẋ. A subclass
    gives ``forward`` and ``derivative()``, φ' from what forward saved."""

    def backward(self, gy):
        return gy * self.derivative()

    def jvp(self, dx):
        return dx * self.derivative()


class Heaviside(Function):
    """The course's step H(x) = 1 if x ≥ 0 else 0.

    H' = 0 wherever it exists (everywhere but at 0, where H jumps): no gradient
    flows back through a step, which is why gradient descent needs the sigmoid."""

    def forward(self, x):
        return (x >= 0).astype(x.dtype)

    def backward(self, gy):
        return array_module(gy).zeros_like(gy)

    def jvp(self, dx):
        return array_module(dx).zeros_like(dx)


class Sigmoid(Function):
    """σ_a(x) = 1 / (1 + e^{−ax}) (a = 1: the logistic sigmoid);
    σ_a'(x) = a σ_a(x)(1 − σ_a(x)).

    Computed as ½(1 + tanh(ax/2)), which never overflows for large |x|. As a
    grows σ_a tends to the Heaviside step; near 0, σ_a(x) ≈ ½ + ax/4."""

    fresh_grads = True   # ∂ℓ/∂y times a new derivative array

    def __init__(self, a=1.0):
        self.a = a

    def forward(self, x):
        self.y = _sigmoid(x, self.a)
        return self.y

    def derivative(self):
        d = 1 - self.y
        d *= self.y
        if self.a != 1:
            d *= self.a
        return d

    def backward(self, gy):
        return _times(self.derivative(), gy)

    def jvp(self, dx):
        return _times(self.derivative(), dx)


class Tanh(Function):
    """tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ);  tanh'(x) = 1 − tanh²(x)."""

    fresh_grads = True   # ∂ℓ/∂y times a new derivative array

    def forward(self, x):
        self.y = array_module(x).tanh(x)
        return self.y

    def derivative(self):
        xp = array_module(self.y)
        d = xp.asarray(self.y * self.y)
        return xp.subtract(1, d, out=d)

    def backward(self, gy):
        return _times(self.derivative(), gy)

    def jvp(self, dx):
        return _times(self.derivative(), dx)


class ReLU(Function):
    """ReLU(x) = max(0, x);  ReLU'(x) = 1 if x > 0 else 0."""

    fresh_grads = True   # ∂ℓ/∂y times a new derivative array

    def forward(self, x):
        xp = array_module(x)
        # Against a row of zeros, not the scalar 0: NumPy 2.4 vectorises maximum
        # only when the second operand has a contiguous last axis (2.5× faster
        # for 128×512; the same values, NaN included).
        y = xp.maximum(x, constant(xp, "zeros", x.shape[-1:], x.dtype))
        self.y = y
        return y

    def backward(self, gy):
        return gy * (self.y > 0)

    def jvp(self, dx):
        return dx * (self.y > 0)


class LeakyReLU(Function):
    """LReLU(x) = x if x > 0 else λx;  LReLU'(x) = 1 if x > 0 else λ.

    λ is a number (Leaky ReLU) or an array broadcast against x (RReLU's slopes
    drawn from U(lower, upper)); it receives no gradient here (PReLU does)."""

    def __init__(self, negative_slope=0.01):
        self.slope = negative_slope

    def forward(self, x):
        self.pos = x > 0
        return array_module(x).where(self.pos, x, x * self.slope)

    def derivative(self, g):
        return array_module(g).where(self.pos, g, g * self.slope)

    def backward(self, gy):
        return self.derivative(gy)

    def jvp(self, dx):
        return self.derivative(dx)


class PReLU(Function):
    """PReLU(x) = x if x > 0 else λ_k x, with λ learned (one per channel k,
    axis 1 of x, or a single shared one).

    ∂ℓ/∂x = ∂ℓ/∂y · (1 or λ_k);  ∂ℓ/∂λ_k = Σ_{x in channel k, x ≤ 0} ∂ℓ/∂y · x."""

    def forward(self, x, w):
        if w.size != 1 and (x.ndim < 2 or x.shape[1] != w.size):
            raise ValueError(f"PReLU has {w.size} slopes but the input of shape "
                             f"{x.shape} has {x.shape[1] if x.ndim > 1 else 'no'} "
                             "channels (axis 1); use one slope per channel or a shared one")
        self.x, self.w = x, w
        self.wb = w.reshape((1, -1) + (1,) * (x.ndim - 2)) if w.size != 1 else w.reshape(())
        self.pos = x > 0
        return array_module(x).where(self.pos, x, x * self.wb)

    def backward(self, gy):
        xp = array_module(gy)
        gx = xp.where(self.pos, gy, gy * self.wb) if self.needs_input_grad[0] else None
        gw = None
        if self.needs_input_grad[1]:
            t = xp.where(self.pos, 0, gy * self.x)
            axes = tuple(i for i in range(t.ndim) if i != 1) if self.w.size != 1 else None
            gw = t.sum(axis=axes).reshape(self.w.shape)
        return gx, gw

    def jvp(self, dx, dw):
        xp = array_module(dx)
        dwb = dw.reshape(self.wb.shape)
        return xp.where(self.pos, dx, dx * self.wb + self.x * dwb)


class ELU(_Pointwise):
    """ELU(x) = s·x if x > 0 else s·α(eˣ − 1), with scale s = 1 (ELU) or
    SELU's fixed (s, α) ≈ (1.0507, 1.6733);
    ELU'(x) = s if x > 0 else s·α eˣ = y + s·α, so only y is saved."""

    def __init__(self, alpha=1.0, scale=1.0):
        self.alpha, self.scale = alpha, scale

    def forward(self, x):
        xp = array_module(x)
        pos = x > 0
        neg = xp.expm1(xp.minimum(x, 0))   # min: no overflow on the unused branch
        neg *= self.alpha
        y = xp.where(pos, x, neg)
        if self.scale != 1:
            y *= self.scale
        self.y = y
        # y > 0 ⇔ x > 0 when α ≥ 0; otherwise the sign must be kept.
        self.pos = pos if self.alpha < 0 else None
        return y

    def derivative(self):
        xp = array_module(self.y)
        pos = self.y > 0 if self.pos is None else self.pos
        return xp.where(pos, self.scale, self.y + self.scale * self.alpha).astype(
            self.y.dtype, copy=False)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class GELU(_Pointwise):
    """GELU(x) = x Φ(x), Φ the standard normal CDF ½(1 + erf(x/√2));
    GELU'(x) = Φ(x) + x φ(x).

    ``approximate="tanh"``: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""

    K = math.sqrt(2 / math.pi)

    def __init__(self, approximate="none"):
        self.approximate = approximate

    def forward(self, x):
        self.x = x
        xp = array_module(x)
        if self.approximate == "tanh":
            self.t = xp.tanh(self.K * (x + 0.044715 * x * x * x))
            return 0.5 * x * (1 + self.t)
        cdf = erf_array(x * (1 / math.sqrt(2)))
        cdf += 1
        cdf *= 0.5
        self.cdf = cdf
        return x * cdf

    def derivative(self):
        x, xp = self.x, array_module(self.x)
        if self.approximate == "tanh":
            t = self.t
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * self.K * (1 + 3 * 0.044715 * x * x)
        pdf = xp.exp(-0.5 * x * x)
        pdf *= x * (1 / math.sqrt(2 * math.pi))
        pdf += self.cdf
        return pdf


class SiLU(_Pointwise):
    """SiLU(x) = swish(x) = x σ(x);  SiLU'(x) = σ(x)(1 + x(1 − σ(x)))."""

    def forward(self, x):
        self.x, self.s = x, _sigmoid(x)
        return x * self.s

    def derivative(self):
        d = 1 - self.s
        d *= self.x
        d += 1
        d *= self.s
        return d


def _softplus(z):
    """log(1 + eᶻ) computed without overflow: max(z, 0) + log1p(e^{−|z|})."""
    xp = array_module(z)
    y = xp.log1p(xp.exp(-xp.abs(z)))
    y += xp.maximum(z, 0)
    return y


class Softplus(_Pointwise):
    """softplus(x) = (1/β) log(1 + e^{βx}), and x itself where βx > threshold
    (as PyTorch);  softplus'(x) = σ(βx) (1 above the threshold)."""

    def __init__(self, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        self.x = x
        bx = x * self.beta if self.beta != 1 else x
        y = _softplus(bx)
        if self.beta != 1:
            y /= self.beta
        return array_module(x).where(bx > self.threshold, x, y)

    def derivative(self):
        bx = self.x * self.beta if self.beta != 1 else self.x
        return array_module(bx).where(bx > self.threshold, 1, _sigmoid(bx)).astype(
            bx.dtype, copy=False)


class Hardtanh(Function):
    """hardtanh(x) = clip(x, lo, hi);  derivative 1 on (lo, hi), 0 outside
    (ReLU6 is hardtanh on [0, 6])."""

    def __init__(self, min_val=-1.0, max_val=1.0):
        self.lo, self.hi = min_val, max_val

    def forward(self, x):
        self.inside = (x > self.lo) & (x < self.hi)
        return array_module(x).clip(x, self.lo, self.hi)

    def backward(self, gy):
        return gy * self.inside

    def jvp(self, dx):
        return dx * self.inside


class Hardsigmoid(Function):
    """hard_sigmoid(x) = clip(x/6 + ½, 0, 1), a piecewise-linear σ;
    derivative 1/6 on (−3, 3), 0 outside (PyTorch's and Keras 3's definition)."""

    def forward(self, x):
        self.inside = (x > -3) & (x < 3)
        y = x * (1 / 6)
        y += 0.5
        return array_module(x).clip(y, 0, 1)

    def derivative(self, g):
        return g * self.inside * (1 / 6)

    def backward(self, gy):
        return self.derivative(gy)

    def jvp(self, dx):
        return self.derivative(dx)


class Hardswish(_Pointwise):
    """hard_swish(x) = x · hard_sigmoid(x);  derivative 0 below −3, x/3 + ½ on
    [−3, 3], 1 above (PyTorch's convention at the kinks)."""

    def forward(self, x):
        self.x = x
        return x * array_module(x).clip(x * (1 / 6) + 0.5, 0, 1)

    def derivative(self):
        x, xp = self.x, array_module(self.x)
        return xp.where(x < -3, 0, xp.where(x <= 3, x * (1 / 3) + 0.5, 1)).astype(
            x.dtype, copy=False)


class Softsign(_Pointwise):
    """softsign(x) = x / (1 + |x|);  softsign'(x) = 1 / (1 + |x|)²."""

    def forward(self, x):
        self.den = 1 + array_module(x).abs(x)
        return x / self.den

    def derivative(self):
        return 1 / (self.den * self.den)


class Mish(_Pointwise):
    """mish(x) = x tanh(softplus(x));
    mish'(x) = tanh(sp(x)) + x (1 − tanh²(sp(x))) σ(x)."""

    def forward(self, x):
        self.x = x
        self.t = array_module(x).tanh(_softplus(x))
        return x * self.t

    def derivative(self):
        t = self.t
        return t + self.x * (1 - t * t) * _sigmoid(self.x)


class LogSigmoid(_Pointwise):
    """log σ(x) = −softplus(−x), stable;  (log σ)'(x) = 1 − σ(x) = σ(−x)."""

    def forward(self, x):
        self.x = x
        return -_softplus(-x)

    def derivative(self):
        return _sigmoid(-self.x)


def heaviside(x):
    """H(x) = 1 if x ≥ 0 else 0 (zero gradient)."""
    return Heaviside().apply(x)


def sigmoid(x, a=1.0):
    """σ_a(x) = 1 / (1 + e^{−ax})."""
    return Sigmoid(a).apply(x)


def tanh(x):
    """tanh x."""
    return Tanh().apply(x)


def relu(x):
    """max(0, x)."""
    return ReLU().apply(x)


def leaky_relu(x, negative_slope=0.01):
    """x if x > 0 else λx."""
    return LeakyReLU(negative_slope).apply(x)


def prelu(x, weight):
    """x if x > 0 else λ_k x, λ learned (``weight`` of size 1 or channels)."""
    return PReLU().apply(x, weight)


def elu(x, alpha=1.0):
    """x if x > 0 else α(eˣ − 1)."""
    return ELU(alpha).apply(x)


def selu(x):
    """s·ELU_α(x) with s ≈ 1.0507, α ≈ 1.6733 (self-normalising)."""
    return ELU(SELU_ALPHA, SELU_SCALE).apply(x)


def gelu(x, approximate="none"):
    """x Φ(x)."""
    return GELU(approximate).apply(x)


def silu(x):
    """x σ(x) (swish)."""
    return SiLU().apply(x)


def softplus(x, beta=1.0, threshold=20.0):
    """(1/β) log(1 + e^{βx})."""
    return Softplus(beta, threshold).apply(x)


def hardtanh(x, min_val=-1.0, max_val=1.0):
    """clip(x, min_val, max_val)."""
    return Hardtanh(min_val, max_val).apply(x)


def hardsigmoid(x):
    """clip(x/6 + ½, 0, 1)."""
    return Hardsigmoid().apply(x)


def hardswish(x):
    """x · clip(x/6 + ½, 0, 1)."""
    return Hardswish().apply(x)


def softsign(x):
    """x / (1 + |x|)."""
    return Softsign().apply(x)


def mish(x):
    """x tanh(log(1 + eˣ))."""
    return Mish().apply(x)


def logsigmoid(x):
    """log σ(x)."""
    return LogSigmoid().apply(x)
