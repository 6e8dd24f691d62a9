"""``keras.ops`` elementary functions: exponentials and logarithms, trigonometry,
activations (sigmoid, softmax) and rounding.
"""

import numpy as np

from ...backend import array_module
from ...ops import softmax as _softmax
from ._common import _axis, _binary, _const, _eager, _float, _tensor, _unary, _values
from .arithmetic import sign

__all__ = [
    "sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "softmax", "log_softmax",
    "logsumexp", "floor", "ceil", "trunc", "round", "log2", "log10", "exp2", "log1p",
    "expm1", "erf", "erfinv", "rsqrt", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan",
    "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg", "sinc", "hypot", "logaddexp",
    "logaddexp2", "arctan2", "cbrt", "erfc",
]


@_eager
def sqrt(x):
    return _float(x, "sqrt").sqrt()


@_eager
def exp(x):
    return _float(x, "exp").exp()


@_eager
def log(x):
    return _float(x, "log").log()


@_eager
def sin(x):
    return _float(x, "sin").sin()


@_eager
def cos(x):
    return _float(x, "cos").cos()


@_eager
def tanh(x):
    return _float(x, "tanh").tanh()


@_eager
def sigmoid(x):
    return _float(x, "sigmoid").sigmoid()


@_eager
def relu(x):
    return _tensor(x, "relu").relu()


@_eager
def softmax(x, axis=-1):
    return _softmax.softmax(_float(x, "softmax"), axis=axis)


@_eager
def log_softmax(x, axis=-1):
    return _softmax.log_softmax(_float(x, "log_softmax"), axis=axis)


@_eager
def logsumexp(x, axis=None, keepdims=False):
    return _float(x, "logsumexp").logsumexp(axis=_axis(axis), keepdims=keepdims)


def _integral(name, fn, doc):
    @_eager
    def integral(x):
        t = _tensor(x, name)
        if t.dtype.kind in "iub":
            return t.to(dtype=np.float32) if name != "trunc" else t
        return _const(t, fn(array_module(t.array), _values(t)))
    integral.__name__ = integral.__qualname__ = name
    integral.__doc__ = doc + " Its derivative is 0 almost everywhere: a constant."
    return integral


floor = _integral("floor", lambda xp, a: xp.floor(a), "⌊x⌋.")
ceil = _integral("ceil", lambda xp, a: xp.ceil(a), "⌈x⌉.")
trunc = _integral("trunc", lambda xp, a: xp.trunc(a), "x rounded towards 0.")


@_eager
def round(x, decimals=0):
    """x rounded to ``decimals`` places (halves to even). A constant of the graph."""
    t = _tensor(x, "round")
    out = array_module(t.array).round(_values(t), decimals)
    return _const(t, out.astype(t.dtype))


log2 = _unary("log2", doc="log₂ x.")
log10 = _unary("log10", doc="log₁₀ x.")
exp2 = _unary("exp2", doc="2ˣ.")
log1p = _unary("log1p", doc="log(1 + x), accurate for small x.")
expm1 = _unary("expm1", doc="eˣ − 1, accurate for small x.")
erf = _unary("erf", doc="The error function (2/√π)∫₀ˣ e^{−t²} dt.")
erfinv = _unary("erfinv", doc="The inverse of erf on (−1, 1).")
rsqrt = _unary("rsqrt", doc="1/√x.")
tan = _unary("tan", doc="tan x.")
sinh = _unary("sinh", doc="sinh x.")
cosh = _unary("cosh", doc="cosh x.")
arcsin = _unary("arcsin", doc="sin⁻¹ x.")
arccos = _unary("arccos", doc="cos⁻¹ x.")
arctan = _unary("arctan", doc="tan⁻¹ x.")
arcsinh = _unary("arcsinh", doc="sinh⁻¹ x.")
arccosh = _unary("arccosh", doc="cosh⁻¹ x.")
arctanh = _unary("arctanh", doc="tanh⁻¹ x.")
deg2rad = _unary("deg2rad", doc="x·π/180.")
rad2deg = _unary("rad2deg", doc="x·180/π.")
sinc = _unary("sinc", doc="sin(πx)/(πx), 1 at 0.")
hypot = _binary("hypot", doc="√(x1² + x2²) without overflow.")
logaddexp = _binary("logaddexp", doc="log(e^x1 + e^x2), stable.")
logaddexp2 = _binary("logaddexp2", doc="log₂(2^x1 + 2^x2), stable.")
arctan2 = _binary("arctan2", doc="The angle of the point (x2, x1): tan⁻¹(x1/x2) in (−π, π].")


@_eager
def cbrt(x):
    """The real cube root sign(x)·|x|^⅓."""
    t = _float(x, "cbrt")
    return sign(t) * t.abs() ** (1.0 / 3.0)


@_eager
def erfc(x):
    """1 − erf(x)."""
    return 1.0 - erf(x)
