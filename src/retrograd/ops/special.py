"""Special functions: the error function family (erf, erfc, erfinv), the log-gamma
function and its derivatives (lgamma, digamma, polygamma, mvlgamma), and the guarded
formulas of statistics (xlogy, logit, sinc).

NumPy has no erf: SciPy's (or, on the GPU, ``cupyx.scipy.special``'s) is used when
installed; without SciPy, erf/erfc fall back on Python's exact ``math.erf`` one
element at a time (slow but right) and erfinv asks for SciPy. The gamma family needs
no library: it is written below with the recurrence Γ(z+1) = zΓ(z), the reflection
formula, Stirling's series and the Hurwitz zeta function, accurate to float64.
"""
import math

import numpy as np

from ..backend import array_module
from ..missing import NotSupportedError
from .pointwise import Binary, Unary, operands, tensor_arg

TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _library(name, x):
    """``scipy.special.<name>`` (``cupyx.scipy.special`` on the GPU), or None."""
    if array_module(x) is np:
        try:
            from scipy import special
        except ImportError:
            return None
    else:
        from cupyx.scipy import special
    return getattr(special, name, None)


def erf_array(x, name="erf"):
    """erf (or erfc) of an array, by the library that has it (see the module's docstring)."""
    fn = _library(name, x)
    if fn is not None:
        return fn(x)
    if array_module(x) is not np:   # a CuPy without this function: erfc = 1 − erf
        return 1 - _library("erf", x)(x)
    return np.vectorize(getattr(math, name), otypes=[x.dtype])(x)


class Erf(Unary):
    """y = erf x = (2/√π) ∫₀ˣ e^{−t²} dt;  ∂ℓ/∂x = ∂ℓ/∂y · (2/√π) e^{−x²}."""

    def f(self, xp, x):
        return erf_array(x).astype(x.dtype, copy=False)

    def derivative(self, xp, x, y):
        return TWO_OVER_SQRT_PI * xp.exp(-x * x)


class Erfc(Unary):
    """y = erfc x = 1 − erf x (precise where erf x ≈ 1);
    ∂ℓ/∂x = −∂ℓ/∂y · (2/√π) e^{−x²}."""

    def f(self, xp, x):
        return erf_array(x, "erfc").astype(x.dtype, copy=False)

    def derivative(self, xp, x, y):
        return -TWO_OVER_SQRT_PI * xp.exp(-x * x)


class Erfinv(Unary):
    """y = erf⁻¹ x (x ∈ [−1, 1]);  ∂ℓ/∂x = ∂ℓ/∂y · (√π/2) e^{y²}."""

    def f(self, xp, x):
        fn = _library("erfinv", x)
        if fn is None:
            raise ImportError("erfinv needs SciPy (pip install scipy), which is not "
                              "installed; erf, erfc, lgamma and digamma work without it")
        return fn(x).astype(x.dtype, copy=False)

    def derivative(self, xp, x, y):
        return xp.exp(y * y) / TWO_OVER_SQRT_PI


# -- lgamma and digamma without SciPy -------------------------------------------------
# Both are shifted up to z ≥ 15 with the recurrence (ln Γ(z) = ln Γ(z + 1) − ln z,
# ψ(z) = ψ(z + 1) − 1/z), where Stirling's series is exact to float64's precision;
# arguments below ½ use the reflection formula Γ(x)Γ(1 − x) = π / sin(πx). They are
# computed in float64 (float32 would lose the digits of ln Γ near its zeros at 1 and 2).
_SHIFT = 15


def _shifted(xp, x, terms):
    """z = x (or 1 − x below ½), raised by _SHIFT where it is below _SHIFT, and
    ``terms(z)``, what the raise adds up (0 where z was not raised). One raise by
    _SHIFT for all, rather than a masked step at a time: 15 masked passes over the
    array cost 6× more (lgamma 320 ms → 50 ms on 256×4096 in float64)."""
    reflect = x < 0.5
    z = xp.where(reflect, 1 - x, x)
    low = z < _SHIFT                 # False for NaN and ∞, left as they are
    acc = terms(xp.where(low, z, _SHIFT))
    return reflect, xp.where(low, z + _SHIFT, z), xp.where(low, acc, 0)


def _log_rising(xp, z):
    """ln(z (z + 1) … (z + _SHIFT − 1)) as one logarithm of the product (½ ≤ z ≤ _SHIFT:
    the product stays below 30¹⁵ ≈ 1.4·10²²)."""
    p = z.copy()
    for k in range(1, _SHIFT):
        p *= z + k
    return xp.log(p)


def _reciprocal_sum(xp, z):
    """1/z + 1/(z + 1) + … + 1/(z + _SHIFT − 1)."""
    s = 1 / z
    for k in range(1, _SHIFT):
        s += 1 / (z + k)
    return s


def _offset(xp, x):
    """x − round(x) (exact): the sine and tangent of π times it are those of πx up to
    sign, and keep their digits near the integers."""
    return x - xp.rint(x)


def _lgamma(xp, x):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        reflect, z, acc = _shifted(xp, x, lambda z: _log_rising(xp, z))
        r = 1 / (z * z)
        series = (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r / 1188)))) / z
        value = (z - 0.5) * xp.log(z) - z + 0.5 * math.log(2 * math.pi) + series - acc
        # ln|Γ(x)| = ln(π / |sin πx|) − ln Γ(1 − x); +∞ at the poles 0, −1, −2, …
        mirrored = math.log(math.pi) - xp.log(xp.abs(xp.sin(math.pi * _offset(xp, x)))) - value
        y = xp.where(reflect, mirrored, value)
        y = xp.where(xp.isinf(x), xp.inf, y)     # ln Γ(±∞) = +∞, as PyTorch
        return xp.where((x <= 0) & (x == xp.floor(x)), xp.inf, y).astype(x.dtype, copy=False)


def _digamma(xp, x):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        reflect, z, acc = _shifted(xp, x, lambda z: _reciprocal_sum(xp, z))
        r = 1 / (z * z)
        series = r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r / 132))))
        value = xp.log(z) - 0.5 / z - series - acc
        # ψ(x) = ψ(1 − x) − π / tan(πx); PyTorch: ∓∞ at ±0, NaN at −1, −2, …
        y = xp.where(reflect, value - math.pi / xp.tan(math.pi * _offset(xp, x)), value)
        y = xp.where((x < 0) & (x == xp.floor(x)), xp.nan, y)
        y = xp.where(x == xp.inf, xp.inf, y)
        return xp.where(x == 0, xp.where(xp.signbit(x), xp.inf, -xp.inf), y).astype(
            x.dtype, copy=False)


class Lgamma(Unary):
    """y = ln |Γ(x)|;  ∂ℓ/∂x = ∂ℓ/∂y · ψ(x) (digamma)."""

    def f(self, xp, x):
        fn = _library("gammaln", x)
        if fn is None:
            return _lgamma(xp, x.astype(np.float64)).astype(x.dtype, copy=False)
        # SciPy's when there: 21 ms on (256, 4096) float32, ours 60 ms (PyTorch 12 ms);
        # its ln Γ(−∞) is −∞ where PyTorch's is +∞.
        return xp.where(xp.isneginf(x), xp.inf, fn(x)).astype(x.dtype, copy=False)

    def derivative(self, xp, x, y):
        return _digamma(xp, x.astype(np.float64)).astype(x.dtype, copy=False)


class Digamma(Unary):
    """y = ψ(x) = Γ′(x)/Γ(x);  ∂ℓ/∂x = ∂ℓ/∂y · ψ′(x) (trigamma)."""

    def f(self, xp, x):
        return _digamma(xp, x.astype(np.float64)).astype(x.dtype, copy=False)

    def derivative(self, xp, x, y):
        return _polygamma(xp, 1, x.astype(np.float64)).astype(x.dtype, copy=False)


# ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n! ζ(n + 1, x) with the Hurwitz zeta ζ(s, x) = Σₖ (x + k)⁻ˢ: its first
# terms are summed until x + k ≥ _ZETA_FROM, the rest is the Euler–Maclaurin tail
# ζ(s, z) ≈ z¹⁻ˢ/(s − 1) + z⁻ˢ/2 + Σⱼ B₂ⱼ/(2j)! · s(s+1)…(s+2j−2) · z^{−s−2j+1}.
_ZETA_FROM = 15
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_MAX_STEPS = 100_000


def _polygamma(xp, n, x):
    """ψ⁽ⁿ⁾(x) for n ≥ 1 in float64 (±∞ at the poles 0, −1, −2, …)."""
    s = n + 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        finite = xp.isfinite(x)
        z = xp.where(finite, x, _ZETA_FROM)
        steps = max(0, math.ceil(_ZETA_FROM - float(z.min()))) if z.size else 0
        if steps > _MAX_STEPS:
            raise NotSupportedError(f"polygamma: arguments below {-_MAX_STEPS} are not "
                                    f"supported (got {float(z.min())})")
        acc = xp.zeros_like(z)
        for _ in range(min(steps, _ZETA_FROM + 1)):
            low = z < _ZETA_FROM
            acc = acc + xp.where(low, z ** -s, 0)
            z = xp.where(low, z + 1, z)
        if steps > _ZETA_FROM + 1:
            # The few entries far below 0 take their remaining steps alone: a single
            # −200.5 among 10⁶ entries made ψ's gradient take 2 s (now 0.1 s).
            far = xp.nonzero(z < _ZETA_FROM)
            zf, af = z[far], acc[far]
            for _ in range(steps - _ZETA_FROM - 1):
                low = zf < _ZETA_FROM
                af = af + xp.where(low, zf ** -s, 0)
                zf = xp.where(low, zf + 1, zf)
            z[far], acc[far] = zf, af
        tail = z ** (1 - s) / (s - 1) + 0.5 * z ** -s
        rising, factorial = s, 2          # s(s+1)…(s+2j−2) and (2j)!
        for j, b in enumerate(_BERNOULLI, start=1):
            tail = tail + b / factorial * rising * z ** (-s - 2 * j + 1)
            rising *= (s + 2 * j - 1) * (s + 2 * j)
            factorial *= (2 * j + 1) * (2 * j + 2)
        y = (-1) ** (n + 1) * math.factorial(n) * (acc + tail)
        pole = (x <= 0) & (x == xp.floor(x))       # 0, −1, −2…: (−1)ⁿ⁺¹ ∞ from both sides
        y = xp.where(pole, (-1) ** (n + 1) * xp.inf, y)
        return xp.where(finite, y, xp.where(x > 0, 0, xp.nan))


class Polygamma(Unary):
    """y = ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n ≥ 1);
    ∂ℓ/∂x = ∂ℓ/∂y · ψ⁽ⁿ⁺¹⁾(x)."""

    def __init__(self, n):
        self.n = n

    def f(self, xp, x):
        return _polygamma(xp, self.n, x.astype(np.float64)).astype(x.dtype, copy=False)

    def derivative(self, xp, x, y):
        return _polygamma(xp, self.n + 1, x.astype(np.float64)).astype(x.dtype, copy=False)


class Logit(Unary):
    """y = ln(p / (1 − p)), p = x clamped to [ε, 1 − ε] when ``eps`` is given;
    ∂ℓ/∂x = ∂ℓ/∂y / (x(1 − x)), and 0 outside [ε, 1 − ε] (PyTorch's)."""

    def __init__(self, eps=None):
        self.eps = eps

    def f(self, xp, x):
        p = x if self.eps is None else xp.clip(x, self.eps, 1 - self.eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.log(p / (1 - p))

    def derivative(self, xp, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            d = 1 / (x * (1 - x))
        if self.eps is None:
            return xp.where((x < 0) | (x > 1), xp.nan, d).astype(x.dtype, copy=False)
        return xp.where((x < self.eps) | (x > 1 - self.eps), 0, d).astype(x.dtype, copy=False)


class Sinc(Unary):
    """y = sin(πx)/(πx), 1 at 0;  ∂ℓ/∂x = ∂ℓ/∂y · (cos(πx) − y)/x, 0 at 0."""

    def f(self, xp, x):
        px = math.pi * xp.where(x == 0, 1, x)
        return xp.where(x == 0, 1, xp.sin(px) / px).astype(x.dtype, copy=False)

    def derivative(self, xp, x, y):
        safe = xp.where(x == 0, 1, x)
        return xp.where(x == 0, 0, (xp.cos(math.pi * x) - y) / safe).astype(x.dtype,
                                                                            copy=False)


class Xlogy(Binary):
    """y = a · ln b, and 0 where a = 0 (even for b = 0: 0 · ln 0 = 0, the convention
    of entropies);  ∂y/∂a = ln b (0 where a = 0 and b ≤ 0),  ∂y/∂b = a / b."""

    def f(self, xp, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = a * xp.log(b)
        return xp.where((a == 0) & ~xp.isnan(b), 0, y).astype(y.dtype, copy=False)

    def partials(self, xp, a, b, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            da = xp.where((a == 0) & (b <= 0), 0, xp.log(b)).astype(y.dtype, copy=False)
            return da, a / b


def erf(input):
    """erf x elementwise (integers give float32)."""
    return Erf().apply(tensor_arg(input, "erf"))


def erfc(input):
    """1 − erf x, precise for large x."""
    return Erfc().apply(tensor_arg(input, "erfc"))


def erfinv(input):
    """The inverse of erf on [−1, 1] (±∞ at ±1); needs SciPy on the CPU."""
    return Erfinv().apply(tensor_arg(input, "erfinv"))


def lgamma(input):
    """ln |Γ(x)| elementwise (+∞ at 0, −1, −2, …)."""
    return Lgamma().apply(tensor_arg(input, "lgamma"))


def digamma(input):
    """ψ(x) = d/dx ln Γ(x) elementwise."""
    return Digamma().apply(tensor_arg(input, "digamma"))


def polygamma(n, input):
    """ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n = 0: digamma itself)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n (got n={n})")
    x = tensor_arg(input, "polygamma")
    return Digamma().apply(x) if n == 0 else Polygamma(n).apply(x)


def mvlgamma(input, p):
    """The multivariate log-gamma ln Γ_p(x) = p(p − 1)/4 · ln π + Σⱼ₌₀^{p−1} ln Γ(x − j/2)."""
    x = tensor_arg(input, "mvlgamma")
    if x.dtype.kind == "b":
        raise RuntimeError("mvlgamma: the input tensor may not be a boolean tensor (as in "
                           "PyTorch)")
    if not isinstance(p, int) or isinstance(p, bool) or p < 1:
        raise RuntimeError(f"mvlgamma: p has to be greater than or equal to 1 (got {p!r})")
    total = lgamma(x)
    for j in range(1, p):
        total = total + lgamma(x - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


# The methods whose arguments come in another order than the function's (x.polygamma(n)).
METHODS = {"polygamma": lambda self, n: polygamma(n, self)}


def logit(input, eps=None):
    """ln(p/(1 − p)), the inverse of the sigmoid; ``eps`` clamps p to [eps, 1 − eps]."""
    return Logit(eps).apply(tensor_arg(input, "logit"))


def sinc(input):
    """The normalised sinc, sin(πx)/(πx) (1 at 0)."""
    return Sinc().apply(tensor_arg(input, "sinc"))


def xlogy(input, other):
    """input · ln(other), 0 where input is 0 (integers give float32)."""
    return Xlogy().apply(*operands(input, other, "xlogy"))


PUBLIC = ("erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "logit",
          "sinc", "xlogy")
IN_PLACE = PUBLIC
