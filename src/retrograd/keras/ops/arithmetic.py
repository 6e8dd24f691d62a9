"""``keras.ops`` arithmetic: the four operations, powers, signs, extrema of two
tensors, remainders and the integer (bitwise) operations, with Keras's dtype promotion.
"""

import numpy as np

from ... import creation
from ...backend import array_module
from ...ops import elementwise as _elementwise
from ...tensor import Tensor
from ._common import _binary, _const, _eager, _float, _operands, _tensor, _values, _weak
from .indexing import where
import retrograd

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "power", "negative", "square",
    "abs", "absolute", "sign", "maximum", "minimum", "clip", "floor_divide", "mod",
    "reciprocal", "nan_to_num", "divide_no_nan", "heaviside", "fmod", "fabs", "fmax",
    "fmin", "ldexp", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
    "bitwise_right_shift", "left_shift", "right_shift", "gcd", "lcm", "bitwise_not",
    "bitwise_invert", "nextafter",
]


@_eager
def add(x1, x2):
    a, b = _operands(x1, x2, "add")
    return a + b


@_eager
def subtract(x1, x2):
    a, b = _operands(x1, x2, "subtract")
    return a - b


@_eager
def multiply(x1, x2):
    a, b = _operands(x1, x2, "multiply")
    return a * b


@_eager
def divide(x1, x2):
    """x1 / x2 (true division: integers give float32)."""
    a, b = _operands(x1, x2, "divide")
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype.kind not in "fc" \
            and b.dtype.kind not in "fc":
        a = a.to(dtype=np.float32)
    return a / b


true_divide = divide


@_eager
def power(x1, x2):
    a, b = _operands(x1, x2, "power")
    return a ** b


@_eager
def negative(x):
    return -_tensor(x, "negative")


@_eager
def square(x):
    t = _tensor(x, "square")
    if t.dtype == np.bool_:                 # Keras squares bools as int32
        t = t.to(dtype=np.int32)
    return t * t


@_eager
def abs(x):
    t = _tensor(x, "abs")
    return t if t.dtype == np.bool_ else t.abs()        # |bool| is itself, as Keras's


absolute = abs


@_eager
def sign(x):
    """−1, 0 or 1 by the sign of x. Its derivative is 0 (almost everywhere), so the
    result is a constant of the graph: ``sign(x) * x`` differentiates to sign(x)."""
    t = _tensor(x, "sign")
    if t.dtype == np.bool_:                 # sign(bool) is itself, as Keras's
        return t.detach()
    return creation.as_tensor(array_module(t.array).sign(t.detach().array), device=t.device)


@_eager
def maximum(x1, x2):
    a, b = _operands(x1, x2, "maximum")
    return _elementwise.maximum(a, b) if isinstance(a, Tensor) else \
        _elementwise.maximum(b, a)


@_eager
def minimum(x1, x2):
    a, b = _operands(x1, x2, "minimum")
    return _elementwise.minimum(a, b) if isinstance(a, Tensor) else \
        _elementwise.minimum(b, a)


@_eager
def clip(x, x_min, x_max):
    """x clipped to [x_min, x_max] (numbers; a float bound makes integers float32)."""
    t = _tensor(x, "clip")
    for bound in (x_min, x_max):
        t = _weak(t, bound) if isinstance(bound, float) else t
    return t.clip(x_min, x_max)


@_eager
def floor_divide(x1, x2):
    """⌊x1 / x2⌋ (a constant of the graph)."""
    a, b = _operands(x1, x2, "floor_divide")
    ref = a if isinstance(a, Tensor) else b
    va = _values(a) if isinstance(a, Tensor) else a
    vb = _values(b) if isinstance(b, Tensor) else b
    xp = array_module(ref.array)
    return _const(ref, xp.asarray(xp.floor_divide(va, vb)).astype(_result_dtype(a, b)))


def _result_dtype(a, b):
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return np.promote_types(a.dtype, b.dtype)
    t, other = (a, b) if isinstance(a, Tensor) else (b, a)
    if t.dtype.kind in "iub" and isinstance(other, float):
        return np.dtype(np.float32)
    return t.dtype


@_eager
def mod(x1, x2):
    """x1 − ⌊x1 / x2⌋·x2 (the sign of x2, as NumPy's); ∂/∂x1 = 1, ∂/∂x2 = −⌊x1/x2⌋."""
    a, b = _operands(x1, x2, "mod")
    q = floor_divide(a, b)
    dt = _result_dtype(a, b)
    if isinstance(a, Tensor) and a.dtype != dt:
        a = a.to(dtype=dt)
    if isinstance(b, Tensor) and b.dtype != dt:
        b = b.to(dtype=dt)
    return a - q * b


@_eager
def reciprocal(x):
    return 1.0 / _float(x, "reciprocal")


@_eager
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with NaN → ``nan``, +∞ → ``posinf`` and −∞ → ``neginf`` (the dtype's
    largest/smallest by default); gradients flow where x is finite."""
    t = _tensor(x, "nan_to_num")
    return t if t.dtype.kind not in "fc" else retrograd.nan_to_num(t, nan, posinf, neginf)


@_eager
def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 is 0 (no NaN, no gradient there)."""
    a, b = _float(x1, "divide_no_nan"), _float(x2, "divide_no_nan")
    zero = _const(b, _values(b) == 0)
    return where(zero, 0.0, a / where(zero, 1.0, b))


@_eager
def heaviside(x1, x2):
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 = 0 (a constant)."""
    a, b = _tensor(x1, "heaviside"), _tensor(x2, "heaviside")
    dt = np.promote_types(a.dtype, b.dtype)
    dt = dt if dt.kind in "fc" else np.dtype(np.float32)
    out = array_module(a.array).heaviside(_values(a).astype(dt), _values(b).astype(dt))
    return _const(a, out)


@_eager
def fmod(x1, x2):
    """x1 − trunc(x1/x2)·x2 (the sign of x1, C's fmod)."""
    a, b = _operands(x1, x2, "fmod")
    return retrograd.fmod(a if isinstance(a, Tensor) else _tensor(a, "fmod"), b)


@_eager
def fabs(x):
    """|x| as a float (integers give float32)."""
    return _float(x, "fabs").abs()



fmax = _binary("fmax", doc="The maximum, NaN only where both are NaN.")
fmin = _binary("fmin", doc="The minimum, NaN only where both are NaN.")


@_eager
def ldexp(x1, x2):
    """x1 · 2^x2 (x2 integers)."""
    b = _tensor(x2, "ldexp")
    if b.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.ldexp: x2 must be integers, got dtype {b.dtype}")
    a = _float(x1, "ldexp")
    return a * _const(a, (2.0 ** _values(b).astype(np.float64)).astype(a.dtype))


def _integer_op(name, fn, doc):
    @_eager
    def function(x, y):
        a, b = _tensor(x, name), _tensor(y, name)
        for t in (a, b):
            if t.dtype.kind not in "iub":
                raise TypeError(f"keras.ops.{name}: expected integer or bool tensors, got "
                                f"dtype {t.dtype}")
        out = fn(array_module(a.array), _values(a), _values(b))
        return _const(a, out.astype(np.promote_types(a.dtype, b.dtype)))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


bitwise_and = _integer_op("bitwise_and", lambda xp, a, b: xp.bitwise_and(a, b), "x & y.")
bitwise_or = _integer_op("bitwise_or", lambda xp, a, b: xp.bitwise_or(a, b), "x | y.")
bitwise_xor = _integer_op("bitwise_xor", lambda xp, a, b: xp.bitwise_xor(a, b), "x ^ y.")
bitwise_left_shift = _integer_op("bitwise_left_shift", lambda xp, a, b: xp.left_shift(a, b),
                                 "x << y.")
bitwise_right_shift = _integer_op("bitwise_right_shift",
                                  lambda xp, a, b: xp.right_shift(a, b), "x >> y.")
left_shift, right_shift = bitwise_left_shift, bitwise_right_shift
gcd = _integer_op("gcd", lambda xp, a, b: xp.gcd(a, b), "The greatest common divisor.")
lcm = _integer_op("lcm", lambda xp, a, b: xp.lcm(a, b), "The least common multiple.")


@_eager
def bitwise_not(x):
    """~x (bitwise; logical for bools)."""
    t = _tensor(x, "bitwise_not")
    if t.dtype.kind not in "iub":
        raise TypeError(f"keras.ops.bitwise_not: expected an integer or bool tensor, got "
                        f"dtype {t.dtype}")
    return _const(t, array_module(t.array).invert(_values(t)))


bitwise_invert = bitwise_not


@_eager
def nextafter(x1, x2):
    """The next representable float after x1 towards x2 (a constant)."""
    a, b = _float(x1, "nextafter"), _float(x2, "nextafter")
    return _const(a, array_module(a.array).nextafter(_values(a), _values(b).astype(a.dtype)))
