"""Division with rounding (fmod, remainder, floor_divide, divide's rounding_mode),
sign transfer (copysign), NaN-ignoring extremes (fmax, fmin), and PyTorch's
other names for arithmetic (true_divide, subtract, multiply, negative, positive,
absolute, float_power, lerp, addcmul, addcdiv, clamp_min, clamp_max).

The names that are only spellings of existing arithmetic are written with the
ops of arithmetic.py and elementwise.py, so their gradients come from there.
Rounded quotients are piecewise constant: zero gradient (``divide`` with a
rounding_mode, as PyTorch); ``floor_divide`` has no derivative in PyTorch, so
its backward raises, as there.
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor, _make
from . import arithmetic, elementwise
from .pointwise import Binary, operands, tensor_arg


def _no_bool(name, *tensors):
    for t in tensors:
        if t.dtype.kind == "b":
            raise NotImplementedError(f'{name}: "{name}" not implemented for bool tensors '
                                      "(as in PyTorch); convert first, e.g. x.int()")


class _Rounded(Function):
    """A quotient rounded to an integer value:  ∂ℓ/∂a = ∂ℓ/∂b = 0."""

    function = "divide"    # the PyTorch function, for errors

    def __init__(self, mode):
        self.mode = mode

    def forward(self, a, b):
        xp = array_module(a)
        if a.dtype.kind in "iu" and (b == 0).any():
            raise RuntimeError(f"ZeroDivisionError: {self.function}: integer division by zero "
                               f"(divisor shape {tuple(b.shape)}, {b.dtype}), as in PyTorch")
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.mode == "trunc" and a.dtype.kind in "fc":
                # only this: NumPy's float floor_divide, which it computed first and threw
                # away, is 10× slower (div trunc of (256, 4096) float32: 29 → 2.5 ms)
                q = xp.trunc(a / b)
            else:
                q = xp.floor_divide(a, b)
                if self.mode == "trunc":    # integers toward 0: one more where signs differ
                    q = q + ((q < 0) & (q * b != a))
        return q.astype(xp.result_type(a, b), copy=False)

    def backward(self, gy):
        zero = array_module(gy).zeros_like(gy)
        return zero, zero

    def jvp(self, da, db):
        return array_module(da).zeros_like(da + db)


class FloorDivide(_Rounded):
    """y = ⌊a / b⌋ (Python's //). No derivative, as in PyTorch."""

    function = "floor_divide"

    def __init__(self):
        super().__init__("floor")

    def backward(self, gy):
        raise RuntimeError("the derivative for 'floor_divide' is not implemented (as in "
                           "PyTorch); divide(a, b, rounding_mode='floor') has a zero one")


class Fmod(Binary):
    """y = a − trunc(a/b)·b, the remainder with a's sign (C's fmod);
    ∂y/∂a = 1,  ∂y/∂b = −trunc(a/b)."""

    def forward(self, a, b):
        return self._integer(a, b) if a.dtype.kind in "iu" else super().forward(a, b)

    def _integer(self, a, b):
        if (b == 0).any():
            raise RuntimeError(f"ZeroDivisionError: {self.name.lower()}: integer division "
                               f"by zero (divisor shape {tuple(b.shape)}, {b.dtype}), as in "
                               "PyTorch")
        return self.f(array_module(a), a, b)

    def f(self, xp, a, b):
        return xp.fmod(a, b)

    def partials(self, xp, a, b, y):
        return 1, -xp.trunc(a / b)


class Remainder(Fmod):
    """y = a − ⌊a/b⌋·b, the remainder with b's sign (Python's %);
    ∂y/∂a = 1,  ∂y/∂b = −⌊a/b⌋."""

    def f(self, xp, a, b):
        return xp.remainder(a, b)

    def partials(self, xp, a, b, y):
        return 1, -xp.floor(a / b)


class Copysign(Binary):
    """y = |a| with b's sign;  ∂y/∂a = y/a (±1; 0 where a = 0, as PyTorch),  ∂y/∂b = 0."""

    def f(self, xp, a, b):
        return xp.copysign(a, b)

    def partials(self, xp, a, b, y):
        da = xp.where(a == 0, 0, y / xp.where(a == 0, 1, a)).astype(y.dtype, copy=False)
        return da, 0


class Fmax(Function):
    """y = max(a, b) ignoring NaN (NaN only where both are);  the gradient goes to a
    where a ≥ b or b is NaN, else to b (PyTorch's rule: ties go to a)."""

    def forward(self, a, b):
        xp = array_module(a)
        self.to_a = self.pick_a(xp, a, b)
        return self.f(xp, a, b)

    def pick_a(self, xp, a, b):
        return (a >= b) | xp.isnan(b)

    def f(self, xp, a, b):
        return xp.fmax(a, b)

    def backward(self, gy):
        xp = array_module(gy)
        zero = xp.zeros((), dtype=gy.dtype)
        return xp.where(self.to_a, gy, zero), xp.where(self.to_a, zero, gy)

    def jvp(self, da, db):
        return array_module(da).where(self.to_a, da, db)


class Fmin(Fmax):
    """y = min(a, b) ignoring NaN;  the gradient goes to a where a ≤ b or b is NaN."""

    def pick_a(self, xp, a, b):
        return (a <= b) | xp.isnan(b)

    def f(self, xp, a, b):
        return xp.fmin(a, b)


def fmod(input, other):
    """The C remainder a − trunc(a/b)·b (a's sign)."""
    a, b = operands(input, other, "fmod")
    _no_bool("fmod", a, b)
    return Fmod().apply(a, b)


def remainder(input, other):
    """Python's a % b: a − ⌊a/b⌋·b (b's sign)."""
    a, b = operands(input, other, "remainder")
    _no_bool("remainder", a, b)
    return Remainder().apply(a, b)


def floor_divide(input, other):
    """Python's a // b: ⌊a/b⌋ (integer tensors stay integer); not differentiable."""
    a, b = operands(input, other, "floor_divide")
    _no_bool("floor_divide", a, b)
    return FloorDivide().apply(a, b)


def divide(input, other, *, rounding_mode=None):
    """a / b; ``rounding_mode`` "trunc" (toward 0) or "floor" rounds the quotient (integer
    tensors then stay integer; zero gradient)."""
    if rounding_mode is None:
        return arithmetic.div(*operands(input, other, "divide"))
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or "
                         f"'floor' but found {rounding_mode!r}")
    a, b = operands(input, other, "divide")
    _no_bool("divide", a, b)
    return _Rounded(rounding_mode).apply(a, b)


def true_divide(input, other):
    """a / b (a float result, as ``/``)."""
    return arithmetic.div(*operands(input, other, "true_divide"))


def multiply(input, other):
    """a · b (PyTorch's alias of mul)."""
    return arithmetic.mul(*operands(input, other, "multiply"))


def subtract(input, other, *, alpha=1):
    """a − α·b (PyTorch's alias of sub)."""
    a, b = operands(input, other, "subtract")
    if a.dtype.kind == "b" and b.dtype.kind == "b":
        raise RuntimeError("subtract: subtraction, the `-` operator, with two bool tensors "
                           "is not supported (as in PyTorch); use logical_xor()")
    return arithmetic.sub(a, b if alpha == 1 else arithmetic.mul(b, alpha))


def negative(input):
    """−x (PyTorch's alias of neg)."""
    x = tensor_arg(input, "negative")
    if x.dtype.kind == "b":
        raise RuntimeError("negative: negation, the `-` operator, on a bool tensor is not "
                           "supported (as in PyTorch); use logical_not()")
    return arithmetic.Neg().apply(x)


def positive(input):
    """x itself (+x); bool tensors are refused, as in PyTorch."""
    x = tensor_arg(input, "positive")
    if x.dtype.kind == "b":
        raise RuntimeError("positive: the `+` operator, on a bool tensor is not supported "
                           "(as in PyTorch)")
    return x


def absolute(input):
    """|x| (PyTorch's alias of abs)."""
    x = tensor_arg(input, "absolute")
    _no_bool("absolute", x)
    return elementwise.abs(x)


def float_power(input, exponent):
    """xʸ computed in float64 (PyTorch's float_power: the result is always float64)."""
    def f64(t):
        if isinstance(t, Tensor):
            return t.to(dtype=np.float64)
        return t
    a, b = f64(input), f64(exponent)
    if not isinstance(a, Tensor):
        a = Tensor(np.asarray(a, dtype=np.float64), device=b.device)
    return arithmetic.pow(a, b)


def copysign(input, other):
    """|input| with the sign of other (integers give float32)."""
    return Copysign().apply(*operands(input, other, "copysign"))


def fmax(input, other):
    """max(a, b) elementwise, ignoring NaN (NaN only where both are)."""
    return Fmax().apply(*operands(input, other, "fmax"))


def fmin(input, other):
    """min(a, b) elementwise, ignoring NaN."""
    return Fmin().apply(*operands(input, other, "fmin"))


def lerp(input, end, weight):
    """input + weight · (end − input): the linear interpolation (weight a number or a
    tensor; every tensor argument gets its gradient), computed as
    end − (end − input)(1 − weight) where |weight| ≥ ½, as PyTorch."""
    start = tensor_arg(input, "lerp")
    if not isinstance(end, Tensor):
        raise TypeError(f"lerp(): argument 'end' must be Tensor, not {type(end).__name__}")
    if start.dtype.kind not in "fc":
        raise NotImplementedError(f'lerp: "lerp" not implemented for {start.dtype} tensors '
                                  "(as in PyTorch: floating point only)")
    if start.dtype != end.dtype:
        raise RuntimeError(f"lerp: expected input and end to have the same dtype, got "
                           f"{start.dtype} and {end.dtype} (as in PyTorch)")
    gap = arithmetic.sub(*operands(end, start, "lerp"))
    # PyTorch's two-sided form: exact at both ends (w = 0 gives start, w = 1 gives end)
    low = start + gap * weight                  # for |w| < ½
    high = end - gap * (1 - weight)             # for |w| ≥ ½
    if not isinstance(weight, Tensor):
        return low if abs(weight) < 0.5 else high
    return elementwise.where(elementwise.abs(weight).array < 0.5, low, high)


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value · tensor1 · tensor2."""
    t1, t2 = operands(tensor1, tensor2, "addcmul")
    _no_bool("addcmul", t1, t2)
    prod = arithmetic.mul(t1, t2)
    if prod.dtype.kind in "iub" and getattr(input, "dtype", np.dtype(float)).kind in "iub":
        value = int(value)      # PyTorch casts value to the integer dtype (0.5 → 0)
    if value != 1:
        prod = arithmetic.mul(prod, value)
    return arithmetic.add(*operands(input, prod, "addcmul"))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value · tensor1 / tensor2 (integer tensor1/tensor2 refused, as PyTorch)."""
    t1, t2 = operands(tensor1, tensor2, "addcdiv")
    if t1.dtype.kind in "iub" and t2.dtype.kind in "iub":
        raise RuntimeError("addcdiv: integer division with addcdiv is no longer supported "
                           "(as in PyTorch); convert tensor1 or tensor2 to float first")
    quot = arithmetic.div(t1, t2)
    if value != 1:
        quot = arithmetic.mul(quot, value)
    return arithmetic.add(*operands(input, quot, "addcdiv"))


def _bounded(x, bound, name):
    """An integer tensor clamped by a float bound is float32 first, as in PyTorch."""
    x = tensor_arg(x, name)
    if isinstance(bound, float) and x.dtype.kind in "iub":
        return x.to(dtype=np.float32)
    return x


def _integer_pair(input, other, name):
    a, b = operands(input, other, name)
    for t in (a, b):
        if t.dtype.kind not in "iu":
            raise NotImplementedError(f'{name}: "{name}" not implemented for {t.dtype} '
                                      "tensors (as in PyTorch: integer tensors only)")
    return a, b


def gcd(input, other):
    """The greatest common divisor, elementwise (integer tensors; gcd(0, 0) = 0)."""
    a, b = _integer_pair(input, other, "gcd")
    return _make(array_module(a.array).gcd(a.array, b.array))


def lcm(input, other):
    """The least common multiple, elementwise (integer tensors; 0 if either is 0)."""
    a, b = _integer_pair(input, other, "lcm")
    return _make(array_module(a.array).lcm(a.array, b.array))


def clamp_min(input, min):
    """max(x, min) (no gradient where x < min)."""
    return elementwise.clip(_bounded(input, min, "clamp_min"), min, None)


def clamp_max(input, max):
    """min(x, max) (no gradient where x > max)."""
    return elementwise.clip(_bounded(input, max, "clamp_max"), None, max)


PUBLIC = ("fmod", "remainder", "floor_divide", "divide", "true_divide", "multiply",
          "subtract", "negative", "positive", "absolute", "float_power", "copysign",
          "fmax", "fmin", "lerp", "addcmul", "addcdiv", "clamp_min", "clamp_max", "gcd",
          "lcm")
IN_PLACE = ("fmod", "remainder", "floor_divide", "divide", "true_divide", "multiply",
            "subtract", "negative", "absolute", "float_power", "copysign", "lerp",
            "addcmul", "addcdiv", "clamp_min", "clamp_max", "gcd", "lcm")
