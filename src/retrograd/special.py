"""``torch.special``: the special functions under PyTorch's names.

Most are the elementwise ops of ``ops/special.py`` and ``ops/exponential.py``
under SciPy-style names (``expit`` = σ, ``gammaln`` = log Γ, ``psi`` = ψ); the
others are composed of them, so they are differentiable too:

* ``ndtr(x) = Φ(x) = ½ erfc(−x/√2)``, ``ndtri(p) = Φ⁻¹(p)``, ``log_ndtr(x) =
  log Φ(x)`` and ``erfcx(x) = exp(x²) erfc(x)``: SciPy's values (finite in the tails
  where the formulas under- or overflow), with their derivatives;
* ``entr(x) = −x log x`` (0 at 0, −∞ below), ``xlog1py(x, y) = x log(1 + y)``
  (0 where x = 0).

>>> import retrograd as torch
>>> torch.special.expit(torch.tensor([0.0]))   # tensor([0.5000])
"""
import math

import numpy as np

from .missing import module_getattr
from .ops import exponential as _exponential
from .ops import rounding as _rounding
from .ops import special as _special
from .ops.elementwise import where as _where
from .ops.pointwise import Unary as _Unary
from .tensor import Tensor

erf = _special.erf
erfc = _special.erfc
erfinv = _special.erfinv
digamma = psi = _special.digamma
gammaln = _special.lgamma
polygamma = _special.polygamma
logit = _special.logit
sinc = _special.sinc
xlogy = _special.xlogy
expm1 = _exponential.expm1
exp2 = _exponential.exp2
log1p = _exponential.log1p


def _tensor(x, name, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"special_{name}(): argument '{arg}' (position 1) must be Tensor, "
                        f"not {type(x).__name__}")
    return x


def _as_float(x):
    # Integer and bool inputs give floats, as PyTorch's special functions do.
    return x if x.dtype.kind in "fc" else x.float()


def expit(input):
    """σ(x) = 1 / (1 + e⁻ˣ)."""
    return _tensor(input, "expit").sigmoid()


def multigammaln(input, p):
    """log Γ_p(x), the multivariate log-gamma (``mvlgamma``)."""
    return _special.mvlgamma(input, p)


def round(input, *, decimals=0):
    """Round half to even, to ``decimals`` places."""
    return _rounding.round(input, decimals=decimals)


def logsumexp(input, dim, keepdim=False):
    """log Σ exp over ``dim``, without overflow."""
    return _tensor(input, "logsumexp").logsumexp(dim, keepdim)


def softmax(input, dim, *, dtype=None):
    """exp(x) / Σ exp(x) over ``dim`` (computed in ``dtype`` when given)."""
    x = _tensor(input, "softmax")
    return (x if dtype is None else x.to(dtype)).softmax(dim)


def log_softmax(input, dim, *, dtype=None):
    """x − logsumexp(x) over ``dim`` (computed in ``dtype`` when given)."""
    x = _tensor(input, "log_softmax")
    return (x if dtype is None else x.to(dtype)).log_softmax(dim)


def ndtr(input):
    """Φ(x), the standard normal CDF: ½ erfc(−x/√2)."""
    x = _as_float(_tensor(input, "ndtr"))
    return 0.5 * erfc(x * (-1 / math.sqrt(2)))


class _Ndtri(_Unary):
    """y = Φ⁻¹(p) (SciPy's, exact in the tails: 2p − 1 rounds to −1 for p < 3e-8 in
    float32);  ∂ℓ/∂p = ∂ℓ/∂y · √(2π) e^{y²/2}."""

    def f(self, xp, x):
        return _bessel("ndtri", x)

    def derivative(self, xp, x, y):
        return math.sqrt(2 * math.pi) * xp.exp(y * y / 2)


class _LogNdtr(_Unary):
    """y = log Φ(x) (SciPy's, finite where Φ underflows: x < −37 in float64, −13 in
    float32);  ∂ℓ/∂x = ∂ℓ/∂y · e^{−x²/2 − y} / √(2π) (PyTorch's formula)."""

    def f(self, xp, x):
        return _bessel("log_ndtr", x)

    def derivative(self, xp, x, y):
        return xp.exp(-x * x / 2 - y) / math.sqrt(2 * math.pi)


class _Erfcx(_Unary):
    """y = e^{x²} erfc(x) (SciPy's, finite where e^{x²} overflows);
    ∂ℓ/∂x = ∂ℓ/∂y · (2xy − 2/√π)."""

    def f(self, xp, x):
        return _bessel("erfcx", x)

    def derivative(self, xp, x, y):
        return 2 * x * y - x.dtype.type(2 / math.sqrt(math.pi))


def _scipy_op(op, name, input):
    """``op`` (SciPy's values) where SciPy is installed, None without it."""
    x = _as_float(_tensor(input, name))
    return (op().apply(x) if _special._library(name, x.array) is not None else None), x


def ndtri(input):
    """Φ⁻¹(p), the standard normal quantile (√2 erfinv(2p − 1) without SciPy)."""
    y, p = _scipy_op(_Ndtri, "ndtri", input)
    return y if y is not None else math.sqrt(2) * erfinv(2 * p - 1)


def log_ndtr(input):
    """log Φ(x) (log of ``ndtr`` without SciPy: −inf below x ≈ −37)."""
    y, x = _scipy_op(_LogNdtr, "log_ndtr", input)
    return y if y is not None else ndtr(x).log()


def erfcx(input):
    """exp(x²) erfc(x), the scaled complementary error function (the product without
    SciPy: inf/NaN above x ≈ 26, 9 in float32)."""
    y, x = _scipy_op(_Erfcx, "erfcx", input)
    return y if y is not None else (x * x).exp() * erfc(x)


def entr(input):
    """−x log x for x > 0, 0 at x = 0, −∞ for x < 0 (elementwise entropy)."""
    x = _as_float(_tensor(input, "entr"))
    inside = -xlogy(x, x)
    return _where(x < 0, float("-inf"), inside)


def xlog1py(input, other):
    """x · log(1 + y), 0 where x = 0 (even where log(1 + y) is infinite or NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("special_xlog1py(): expected at least one Tensor argument")
    x = input if isinstance(input, Tensor) else Tensor(input, dtype=other.dtype)
    y = other if isinstance(other, Tensor) else Tensor(other, dtype=x.dtype)
    x, y = _as_float(x), _as_float(y)
    with np.errstate(divide="ignore", invalid="ignore"):   # 0·log(0) is masked below
        product = x * log1p(y)
    return _where(x == 0, 0.0, product)



# -- modified Bessel functions of the first kind: I₀, I₁ and their scaled forms -------
# The values come from SciPy (cupyx.scipy on the GPU), as erf's do; the derivatives
# are the classical identities I₀' = I₁ and I₁' = I₀ − I₁/x (½ at 0), and for the
# scaled Iₙe(x) = e^{−|x|} Iₙ(x) the same minus sign(x)·Iₙe.

def _bessel(name, x):
    fn = _special._library(name, x)
    if fn is None:
        raise ImportError(f"torch.special.{name} needs SciPy in retrograd: pip install scipy")
    return fn(x).astype(x.dtype, copy=False)


def _i1_over_x(xp, x, i1x):
    # I₁(x)/x, which tends to ½ at 0
    safe = xp.where(x == 0, 1, x)
    return xp.where(x == 0, x.dtype.type(0.5), i1x / safe)


class I0(_Unary):
    """y = I₀(x);  ∂ℓ/∂x = ∂ℓ/∂y · I₁(x)."""

    def f(self, xp, x):
        return _bessel("i0", x)

    def derivative(self, xp, x, y):
        return _bessel("i1", x)


class I0e(_Unary):
    """y = e^{−|x|} I₀(x);  ∂ℓ/∂x = ∂ℓ/∂y · (I₁e(x) − sign(x) y)."""

    def f(self, xp, x):
        return _bessel("i0e", x)

    def derivative(self, xp, x, y):
        return _bessel("i1e", x) - xp.sign(x) * y


class I1(_Unary):
    """y = I₁(x);  ∂ℓ/∂x = ∂ℓ/∂y · (I₀(x) − I₁(x)/x)  (½ at 0)."""

    def f(self, xp, x):
        return _bessel("i1", x)

    def derivative(self, xp, x, y):
        return _bessel("i0", x) - _i1_over_x(xp, x, y)


class I1e(_Unary):
    """y = e^{−|x|} I₁(x);  ∂ℓ/∂x = ∂ℓ/∂y · (I₀e(x) − y (sign(x) + 1/x))  (½ at 0)."""

    def f(self, xp, x):
        return _bessel("i1e", x)

    def derivative(self, xp, x, y):
        return _bessel("i0e", x) - xp.sign(x) * y - _i1_over_x(xp, x, y)


def i0(input):
    """I₀(x), the modified Bessel function of the first kind of order 0."""
    return I0().apply(_tensor(input, "i0"))


def i0e(input):
    """e^{−|x|} I₀(x) (finite where I₀ overflows)."""
    return I0e().apply(_tensor(input, "i0e"))


def i1(input):
    """I₁(x), the modified Bessel function of the first kind of order 1."""
    return I1().apply(_tensor(input, "i1"))


def i1e(input):
    """e^{−|x|} I₁(x)."""
    return I1e().apply(_tensor(input, "i1e"))


_NOT_HERE = "not implemented in retrograd (no Bessel functions beyond i0/i1, no " \
    "orthogonal-polynomial, zeta or incomplete-gamma kernels)"
__getattr__ = module_getattr(__name__, {name: _NOT_HERE for name in (
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
    "gammainc", "gammaincc", "hermite_polynomial_h", "hermite_polynomial_he",
    "laguerre_polynomial_l", "legendre_polynomial_p", "modified_bessel_i0",
    "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
    "spherical_bessel_j0", "zeta")})

__all__ = ["erf", "erfc", "erfcx", "erfinv", "digamma", "psi", "gammaln", "polygamma",
           "multigammaln", "logit", "expit", "sinc", "xlogy", "xlog1py", "entr", "expm1",
           "exp2", "log1p", "ndtr", "ndtri", "log_ndtr", "round", "logsumexp", "softmax",
           "log_softmax", "i0", "i0e", "i1", "i1e"]
