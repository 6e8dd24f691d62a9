"""The binary arithmetic operators and negation: the graph's "atomic" ops.

Each backward returns the gradient in the broadcast (output) shape; the engine
sums it back to each input's shape.
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor
from .operand import as_float, pair


class Add(Function):
    """y = a + b;  ∂ℓ/∂a = ∂ℓ/∂y,  ∂ℓ/∂b = ∂ℓ/∂y."""

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy

    def jvp(self, da, db):
        return da + db


class Sub(Function):
    """y = a − b;  ∂ℓ/∂a = ∂ℓ/∂y,  ∂ℓ/∂b = −∂ℓ/∂y."""

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, -gy

    def jvp(self, da, db):
        return da - db


class Mul(Function):
    """y = a · b;  ∂ℓ/∂a = ∂ℓ/∂y · b,  ∂ℓ/∂b = ∂ℓ/∂y · a."""

    fresh_grads = True   # two products, new arrays

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        a_grad = self.needs_input_grad[0]
        b_grad = self.needs_input_grad[1]
        return (gy * self.b if a_grad else None), (gy * self.a if b_grad else None)

    def jvp(self, da, db):
        return da * self.b + self.a * db


class Div(Function):
    """y = a / b;  ∂ℓ/∂a = ∂ℓ/∂y / b,  ∂ℓ/∂b = −∂ℓ/∂y · a / b²."""

    def forward(self, a, b):
        if a.dtype.kind not in "fc":  # int / int is a float, float32 by default
            a, b = as_float(a), as_float(b)
        self.a, self.b = a, b
        return a / b

    def backward(self, gy):
        ga = gy / self.b
        gb = -ga * self.a / self.b if self.needs_input_grad[1] else None
        return ga, gb

    def jvp(self, da, db):
        return (da * self.b - self.a * db) / (self.b * self.b)


class Neg(Function):
    """y = −x;  ∂ℓ/∂x = −∂ℓ/∂y."""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy

    def jvp(self, dx):
        return -dx


class PowConst(Function):
    """y = xᵖ for a constant p;  ∂ℓ/∂x = ∂ℓ/∂y · p xᵖ⁻¹."""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def derivative(self):
        return self.p * self.x ** (self.p - 1)

    def backward(self, gy):
        return gy * self.derivative()

    def jvp(self, dx):
        return dx * self.derivative()


class Pow(Function):
    """y = aᵇ;  ∂ℓ/∂a = ∂ℓ/∂y · b aᵇ⁻¹,  ∂ℓ/∂b = ∂ℓ/∂y · aᵇ ln a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a ** b
        return self.y

    def _partials(self):
        xp = array_module(self.a)
        da = self.b * self.a ** (self.b - 1)
        db = self.y * xp.log(xp.where(self.a > 0, self.a, 1))  # aᵇ ln a, 0 where a ≤ 0
        return da, db

    def backward(self, gy):
        da, db = self._partials()
        return gy * da, (gy * db if self.needs_input_grad[1] else None)

    def jvp(self, da_, db_):
        da, db = self._partials()
        return da * da_ + db * db_


def add(a, b):
    """a + b with broadcasting."""
    return Add().apply(*pair(a, b, "add"))


def sub(a, b):
    """a − b with broadcasting."""
    return Sub().apply(*pair(a, b, "sub"))


def mul(a, b):
    """a · b (elementwise) with broadcasting."""
    return Mul().apply(*pair(a, b, "mul"))


def div(a, b):
    """a / b with broadcasting."""
    return Div().apply(*pair(a, b, "div"))


def pow(a, b):
    """aᵇ; a constant Python exponent uses the cheaper rule p·xᵖ⁻¹."""
    if isinstance(a, Tensor) and isinstance(b, (int, float, np.integer, np.floating)) \
            and not isinstance(b, bool):
        # A NumPy scalar exponent becomes a Python number, which keeps x's dtype
        # (x ** np.float64(2) would otherwise turn float32 into float64).
        return PowConst(b.item() if isinstance(b, np.generic) else b).apply(a)
    return Pow().apply(*pair(a, b, "pow"))
