"""Trigonometric and hyperbolic functions beyond sin/cos (elementwise.py) and
tanh (activations.py): tan, the inverses, atan2, hypot, and the degree/radian
conversions. Angles are in radians, as in PyTorch and NumPy."""
import math

from .pointwise import Binary, Unary, floats_only, operands, tensor_arg


class Tan(Unary):
    """y = tan x;  ∂ℓ/∂x = ∂ℓ/∂y · (1 + y²)."""

    def f(self, xp, x):
        return xp.tan(x)

    def derivative(self, xp, x, y):
        return 1 + y * y


class Asin(Unary):
    """y = arcsin x (x ∈ [−1, 1]);  ∂ℓ/∂x = ∂ℓ/∂y / √(1 − x²)."""

    def f(self, xp, x):
        return xp.arcsin(x)

    def derivative(self, xp, x, y):
        return 1 / xp.sqrt(1 - x * x)


class Acos(Unary):
    """y = arccos x (x ∈ [−1, 1]);  ∂ℓ/∂x = −∂ℓ/∂y / √(1 − x²)."""

    def f(self, xp, x):
        return xp.arccos(x)

    def derivative(self, xp, x, y):
        return -1 / xp.sqrt(1 - x * x)


class Atan(Unary):
    """y = arctan x;  ∂ℓ/∂x = ∂ℓ/∂y / (1 + x²)."""

    def f(self, xp, x):
        return xp.arctan(x)

    def derivative(self, xp, x, y):
        return 1 / (1 + x * x)


class Sinh(Unary):
    """y = sinh x = (eˣ − e⁻ˣ)/2;  ∂ℓ/∂x = ∂ℓ/∂y · cosh x."""

    def f(self, xp, x):
        return xp.sinh(x)

    def derivative(self, xp, x, y):
        return xp.cosh(x)


class Cosh(Unary):
    """y = cosh x = (eˣ + e⁻ˣ)/2;  ∂ℓ/∂x = ∂ℓ/∂y · sinh x."""

    def f(self, xp, x):
        return xp.cosh(x)

    def derivative(self, xp, x, y):
        return xp.sinh(x)


class Asinh(Unary):
    """y = arsinh x = ln(x + √(x² + 1));  ∂ℓ/∂x = ∂ℓ/∂y / √(x² + 1)."""

    def f(self, xp, x):
        return xp.arcsinh(x)

    def derivative(self, xp, x, y):
        return 1 / xp.sqrt(x * x + 1)


class Acosh(Unary):
    """y = arcosh x (x ≥ 1);  ∂ℓ/∂x = ∂ℓ/∂y / √(x² − 1)."""

    def f(self, xp, x):
        return xp.arccosh(x)

    def derivative(self, xp, x, y):
        return 1 / xp.sqrt(x * x - 1)


class Atanh(Unary):
    """y = artanh x (|x| < 1);  ∂ℓ/∂x = ∂ℓ/∂y / (1 − x²)."""

    def f(self, xp, x):
        return xp.arctanh(x)

    def derivative(self, xp, x, y):
        return 1 / (1 - x * x)


class Deg2Rad(Unary):
    """y = x · π/180;  ∂ℓ/∂x = ∂ℓ/∂y · π/180."""

    def f(self, xp, x):
        return x * (math.pi / 180)

    def derivative(self, xp, x, y):
        return math.pi / 180


class Rad2Deg(Unary):
    """y = x · 180/π;  ∂ℓ/∂x = ∂ℓ/∂y · 180/π."""

    def f(self, xp, x):
        return x * (180 / math.pi)

    def derivative(self, xp, x, y):
        return 180 / math.pi


class Atan2(Binary):
    """y = atan2(a, b), the angle of the point (b, a) in (−π, π];
    ∂y/∂a = b/(a² + b²),  ∂y/∂b = −a/(a² + b²)  (0 at the origin, as PyTorch)."""

    def f(self, xp, a, b):
        return xp.arctan2(a, b)

    def partials(self, xp, a, b, y):
        r2 = a * a + b * b
        inv = xp.where(r2 == 0, 0, 1 / xp.where(r2 == 0, 1, r2)).astype(y.dtype, copy=False)
        return b * inv, -a * inv


class Hypot(Binary):
    """y = √(a² + b²) (without overflow);  ∂y/∂a = a/y,  ∂y/∂b = b/y
    (NaN at the origin, as PyTorch)."""

    def f(self, xp, a, b):
        return xp.hypot(a, b)

    def partials(self, xp, a, b, y):
        return a / y, b / y


def tan(input):
    """tan x elementwise."""
    return Tan().apply(tensor_arg(input, "tan"))


def asin(input):
    """arcsin x elementwise."""
    return Asin().apply(tensor_arg(input, "asin"))


def acos(input):
    """arccos x elementwise."""
    return Acos().apply(tensor_arg(input, "acos"))


def atan(input):
    """arctan x elementwise."""
    return Atan().apply(tensor_arg(input, "atan"))


def sinh(input):
    """sinh x elementwise."""
    return Sinh().apply(tensor_arg(input, "sinh"))


def cosh(input):
    """cosh x elementwise."""
    return Cosh().apply(tensor_arg(input, "cosh"))


def asinh(input):
    """arsinh x elementwise."""
    return Asinh().apply(tensor_arg(input, "asinh"))


def acosh(input):
    """arcosh x elementwise."""
    return Acosh().apply(tensor_arg(input, "acosh"))


def atanh(input):
    """artanh x elementwise."""
    return Atanh().apply(tensor_arg(input, "atanh"))


def deg2rad(input):
    """Degrees to radians."""
    return Deg2Rad().apply(tensor_arg(input, "deg2rad"))


def rad2deg(input):
    """Radians to degrees."""
    return Rad2Deg().apply(tensor_arg(input, "rad2deg"))


def atan2(input, other):
    """atan2(input, other): the angle of (other, input), quadrant-aware."""
    return Atan2().apply(*operands(input, other, "atan2"))


def hypot(input, other):
    """√(input² + other²) elementwise; floating-point tensors only (as PyTorch)."""
    a, b = operands(input, other, "hypot")
    return Hypot().apply(floats_only(a, "hypot"), floats_only(b, "hypot"))


# NumPy's names, which PyTorch also accepts.
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh

PUBLIC = ("tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2", "arctan2",
          "sinh", "cosh", "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh",
          "deg2rad", "rad2deg", "hypot")
IN_PLACE = PUBLIC
