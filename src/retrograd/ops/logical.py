"""Predicates, logic and bit operations (no gradient: their results are bool or
integer), plus the two value replacements that go with them: ``nan_to_num``
(differentiable where it keeps x) and ``heaviside``.

* predicates — isnan isinf isfinite isposinf isneginf isreal signbit: bool results;
* logic — logical_and/or/xor/not: any dtypes, read as "nonzero is true", bool result;
* bits — bitwise_and/or/xor/not and the shifts: integer and bool tensors only (the
  ``& | ^ ~ << >>`` operators), in the operands' dtype;
* membership — isin.
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor, _make
from .operand import pair
from .pointwise import broadcast_check, tensor_arg


def _predicate(name, fn):
    def predicate(input):
        x = tensor_arg(input, name).array
        return _make(fn(array_module(x), x))
    predicate.__name__ = predicate.__qualname__ = name
    return predicate


def _float_test(test):
    """A test of floats; integers and bools are never NaN or infinite."""
    def fn(xp, x):
        return test(xp, x) if x.dtype.kind in "fc" else xp.zeros(x.shape, dtype=bool)
    return fn


isnan = _predicate("isnan", _float_test(lambda xp, x: xp.isnan(x)))
isnan.__doc__ = "True where x is NaN."
isinf = _predicate("isinf", _float_test(lambda xp, x: xp.isinf(x)))
isinf.__doc__ = "True where x is +∞ or −∞."
isposinf = _predicate("isposinf", _float_test(lambda xp, x: xp.isinf(x) & (x > 0)))
isposinf.__doc__ = "True where x is +∞."
isneginf = _predicate("isneginf", _float_test(lambda xp, x: xp.isinf(x) & (x < 0)))
isneginf.__doc__ = "True where x is −∞."
isfinite = _predicate("isfinite", lambda xp, x: xp.isfinite(x) if x.dtype.kind in "fc"
                      else xp.ones(x.shape, dtype=bool))
isfinite.__doc__ = "True where x is neither NaN nor ±∞."
isreal = _predicate("isreal", lambda xp, x: xp.imag(x) == 0 if x.dtype.kind == "c"
                    else xp.ones(x.shape, dtype=bool))
isreal.__doc__ = "True where x has no imaginary part (everywhere for real dtypes)."
signbit = _predicate("signbit", lambda xp, x: xp.signbit(x) if x.dtype.kind != "b"
                     else xp.zeros(x.shape, dtype=bool))
signbit.__doc__ = "True where the sign bit is set (x < 0, and −0.0)."


def _arrays(input, other, name):
    """Both operands as arrays on one device, checked to broadcast."""
    a, b = pair(input, other, name)
    broadcast_check(a, b, name)
    return a.array, b.array


def _logical(name, fn):
    def logical(input, other):
        a, b = _arrays(input, other, name)
        return _make(fn(array_module(a), a, b))
    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = f"Elementwise {name[8:].upper()} of x ≠ 0 and y ≠ 0 (a bool tensor)."
    return logical


logical_and = _logical("logical_and", lambda xp, a, b: xp.logical_and(a, b))
logical_or = _logical("logical_or", lambda xp, a, b: xp.logical_or(a, b))
logical_xor = _logical("logical_xor", lambda xp, a, b: xp.logical_xor(a, b))


def logical_not(input):
    """True where x is zero (a bool tensor)."""
    x = tensor_arg(input, "logical_not").array
    return _make(array_module(x).logical_not(x))


def _integers(name, *arrays):
    for a in arrays:
        if a.dtype.kind not in "iub":
            raise NotImplementedError(
                f'{name}: "{name}" not implemented for {a.dtype} tensors (as in PyTorch: '
                "integer and bool tensors only); compare floats with logical_and/or/xor")


def _bitwise(name, fn):
    def bitwise(input, other):
        a, b = _arrays(input, other, name)
        _integers(name, a, b)
        return _make(fn(array_module(a), a, b))
    bitwise.__name__ = bitwise.__qualname__ = name
    bitwise.__doc__ = f"Elementwise bitwise {name[8:].upper()} (integer or bool tensors)."
    return bitwise


bitwise_and = _bitwise("bitwise_and", lambda xp, a, b: xp.bitwise_and(a, b))
bitwise_or = _bitwise("bitwise_or", lambda xp, a, b: xp.bitwise_or(a, b))
bitwise_xor = _bitwise("bitwise_xor", lambda xp, a, b: xp.bitwise_xor(a, b))


def _shift(name, left):
    def shift(input, other):
        a, b = _arrays(input, other, name)
        _integers(name, a, b)
        if a.dtype.kind == "b" or b.dtype.kind == "b":
            raise NotImplementedError(f'{name}: "{name}" not implemented for bool tensors '
                                      "(as in PyTorch)")
        xp = array_module(a)
        bits = 8 * a.dtype.itemsize
        # A count of the width or more gives 0, or the sign bits when a signed number
        # goes right (PyTorch); NumPy leaves such counts to the machine.
        count = xp.minimum(b, bits - 1).astype(a.dtype, copy=False)
        y = xp.left_shift(a, count) if left else xp.right_shift(a, count)
        if left or a.dtype.kind == "u":
            y = xp.where(b >= bits, 0, y).astype(a.dtype, copy=False)
        return _make(y)
    shift.__name__ = shift.__qualname__ = name
    shift.__doc__ = f"a {'<<' if left else '>>'} b elementwise (integer tensors)."
    return shift


bitwise_left_shift = _shift("bitwise_left_shift", left=True)
bitwise_right_shift = _shift("bitwise_right_shift", left=False)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """True where an element of ``elements`` is among ``test_elements`` (either may be a
    number); ``invert=True`` gives the opposite."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): expected at least one Tensor argument, got "
                        f"{type(elements).__name__} and {type(test_elements).__name__}")
    like = elements if isinstance(elements, Tensor) else test_elements
    xp = array_module(like.array)
    e, t = (v.array if isinstance(v, Tensor) else xp.asarray(v) for v in
            (elements, test_elements))
    return _make(xp.isin(e, t, assume_unique=assume_unique, invert=invert))


def bitwise_not(input):
    """~x: every bit flipped (integers), logical NOT (bools)."""
    x = tensor_arg(input, "bitwise_not").array
    _integers("bitwise_not", x)
    return _make(array_module(x).invert(x))


class NanToNum(Function):
    """y = x where x is finite, else the replacement of NaN, +∞ or −∞;
    ∂ℓ/∂x = ∂ℓ/∂y where x is kept, 0 where it was replaced."""

    def __init__(self, nan, posinf, neginf):
        self.nan, self.posinf, self.neginf = nan, posinf, neginf

    def forward(self, x):
        xp = array_module(x)
        info = np.finfo(x.dtype)
        posinf = info.max if self.posinf is None else self.posinf
        neginf = info.min if self.neginf is None else self.neginf
        self.kept = xp.isfinite(x)
        if bool(self.kept.all()):    # the usual case: a copy, 3× faster than nan_to_num's
            return x.copy()
        return xp.nan_to_num(x, nan=self.nan, posinf=posinf, neginf=neginf)

    def backward(self, gy):
        return gy * self.kept

    def jvp(self, dx):
        return dx * self.kept


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN → ``nan``, +∞ → ``posinf``, −∞ → ``neginf`` (by default the largest and
    smallest finite values of the dtype, as PyTorch); integer tensors unchanged."""
    x = tensor_arg(input, "nan_to_num")
    if x.dtype.kind not in "fc":
        return _make(x.array.copy())
    return NanToNum(nan, posinf, neginf).apply(x)


class Heaviside(Function):
    """y = 0 for x < 0, ``values`` at x = 0, 1 for x > 0. PyTorch has no derivative
    for it: backward raises, as there."""

    def forward(self, x, values):
        xp = array_module(x)
        return xp.where(x == 0, values, (x > 0).astype(x.dtype)).astype(x.dtype, copy=False)

    def backward(self, gy):
        raise RuntimeError("the derivative for 'heaviside' is not implemented (as in "
                           "PyTorch); use a smooth step such as sigmoid to train through it")


def heaviside(input, values):
    """The step function: 0 below 0, ``values`` at 0, 1 above (same dtypes)."""
    x = tensor_arg(input, "heaviside")
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' must be Tensor, not "
                        f"{type(values).__name__}")
    if x.dtype != values.dtype:
        raise RuntimeError(f"heaviside: input ({x.dtype}) and values ({values.dtype}) "
                           "must have the same dtype (as in PyTorch)")
    broadcast_check(x, values, "heaviside")
    return Heaviside().apply(x, values)


PUBLIC = ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit",
          "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
          "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
          "bitwise_right_shift", "isin", "nan_to_num", "heaviside")
# Predicates change the dtype to bool: PyTorch has no in-place form of them.
IN_PLACE = ("logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
            "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
            "bitwise_right_shift", "nan_to_num", "heaviside")
