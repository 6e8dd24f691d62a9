"""Rounding and sign: floor, ceil, round, trunc (fix), frac, sign, sgn.

These functions are piecewise constant, so their derivative is 0 wherever it
exists; at the jumps PyTorch also takes 0, and so do we. ``frac`` (x − trunc x)
is the exception: its slope is 1. Integer tensors pass through floor, ceil,
round and trunc unchanged (they already are whole numbers), as in PyTorch.
"""
from ..backend import array_module
from ..function import Function
from ..tensor import _make
from .pointwise import tensor_arg


class _Step(Function):
    """A piecewise-constant y = f(x):  ∂ℓ/∂x = 0 (also at the jumps, as PyTorch)."""

    def forward(self, x):
        return self.f(array_module(x), x)

    def backward(self, gy):
        return array_module(gy).zeros_like(gy)

    def jvp(self, dx):
        return array_module(dx).zeros_like(dx)


class Floor(_Step):
    """y = ⌊x⌋, the largest integer ≤ x;  ∂ℓ/∂x = 0."""

    def f(self, xp, x):
        return xp.floor(x)


class Ceil(_Step):
    """y = ⌈x⌉, the smallest integer ≥ x;  ∂ℓ/∂x = 0."""

    def f(self, xp, x):
        return xp.ceil(x)


class Trunc(_Step):
    """y = trunc x, x rounded toward 0;  ∂ℓ/∂x = 0."""

    def f(self, xp, x):
        return xp.trunc(x)


class Round(_Step):
    """y = x rounded to ``decimals`` places, halves to even (round(2.5) = 2, as
    PyTorch and NumPy);  ∂ℓ/∂x = 0."""

    def __init__(self, decimals=0):
        self.decimals = decimals

    def f(self, xp, x):
        if self.decimals == 0:
            return xp.rint(x)
        return xp.round(x, self.decimals)


class Sign(_Step):
    """y = sign x ∈ {−1, 0, 1} (0 at 0 and at NaN, as PyTorch);  ∂ℓ/∂x = 0."""

    def f(self, xp, x):
        if x.dtype.kind == "b":
            return x.copy()
        y = xp.sign(x)
        if x.dtype.kind in "fc":
            y = xp.where(xp.isnan(x), xp.zeros((), x.dtype), y)
        return y


class Frac(Function):
    """y = x − trunc x (keeps x's sign: frac(−2.5) = −0.5);  ∂ℓ/∂x = ∂ℓ/∂y."""

    def forward(self, x):
        return x - array_module(x).trunc(x)

    def backward(self, gy):
        return gy

    def jvp(self, dx):
        return dx


def _whole(name, op, x):
    """Integer tensors are returned as a copy (already whole); bool is refused."""
    kind = tensor_arg(x, name).dtype.kind
    if kind == "b":
        raise NotImplementedError(f'{name}: "{name}" not implemented for bool tensors '
                                  "(as in PyTorch); convert first, e.g. x.float()")
    if kind in "iu":
        return _make(x.array.copy())
    return op.apply(x)


def floor(input):
    """⌊x⌋ elementwise (zero gradient); integer tensors unchanged."""
    return _whole("floor", Floor(), input)


def ceil(input):
    """⌈x⌉ elementwise (zero gradient); integer tensors unchanged."""
    return _whole("ceil", Ceil(), input)


def trunc(input):
    """x rounded toward zero (zero gradient); integer tensors unchanged."""
    return _whole("trunc", Trunc(), input)


fix = trunc


def round(input, *, decimals=0):
    """x rounded to ``decimals`` places, halves to even (zero gradient)."""
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round(): argument 'decimals' must be int, not "
                        f"{type(decimals).__name__}")
    if decimals != 0 and tensor_arg(input, "round").dtype.kind in "iub":
        raise NotImplementedError(f"round: decimals={decimals} is not implemented for "
                                  f"{input.dtype} tensors (as in PyTorch); use x.float()")
    return _whole("round", Round(decimals), input)


def frac(input):
    """x − trunc(x) elementwise (gradient 1); floating-point tensors only."""
    if tensor_arg(input, "frac").dtype.kind not in "fc":
        raise NotImplementedError(f'frac: "frac" not implemented for {input.dtype} '
                                  "tensors (as in PyTorch: only floating point)")
    return Frac().apply(input)


def sign(input):
    """−1, 0 or 1 by the sign of x (0 at NaN); bool and integer dtypes kept;
    zero gradient."""
    return Sign().apply(tensor_arg(input, "sign"))


def sgn(input):
    """sign(x) for real tensors (PyTorch's x/|x| for complex ones is not needed
    here: retrograd's tensors are real)."""
    if tensor_arg(input, "sgn").dtype.kind == "c":
        xp = array_module(input.array)
        a = xp.abs(input.array)
        return _make(xp.where(a == 0, 0, input.array / xp.where(a == 0, 1, a)))
    return Sign().apply(input)


# Public names: retrograd.<name>(x) and x.<name>(); the in-place x.<name>_() too.
PUBLIC = ("floor", "ceil", "round", "trunc", "fix", "frac", "sign", "sgn")
IN_PLACE = PUBLIC
