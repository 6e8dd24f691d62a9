"""Non-linear activations φ, applied elementwise after the affine map s = wᵀx + b.

Each saves its output (or a mask), the cheapest thing its derivative needs.
"""
from ..backend import array_module
from ..function import Function


class Sigmoid(Function):
    """σ(x) = 1 / (1 + e⁻ˣ);  σ'(x) = σ(x)(1 − σ(x)).

    Computed as ½(1 + tanh(x/2)), which never overflows for large |x|."""

    def forward(self, x):
        xp = array_module(x)
        y = xp.tanh(x * 0.5)
        y += 1
        y *= 0.5
        self.y = y
        return y

    def derivative(self):
        return self.y * (1 - self.y)

    def backward(self, gy):
        return gy * self.derivative()

    def jvp(self, dx):
        return dx * self.derivative()


class Tanh(Function):
    """tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ);  tanh'(x) = 1 − tanh²(x)."""

    def forward(self, x):
        self.y = array_module(x).tanh(x)
        return self.y

    def derivative(self):
        return 1 - self.y * self.y

    def backward(self, gy):
        return gy * self.derivative()

    def jvp(self, dx):
        return dx * self.derivative()


class ReLU(Function):
    """ReLU(x) = max(0, x);  ReLU'(x) = 1 if x > 0 else 0."""

    def forward(self, x):
        xp = array_module(x)
        y = xp.maximum(x, 0)
        self.y = y
        return y

    def backward(self, gy):
        return gy * (self.y > 0)

    def jvp(self, dx):
        return dx * (self.y > 0)


def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ)."""
    return Sigmoid().apply(x)


def tanh(x):
    """tanh x."""
    return Tanh().apply(x)


def relu(x):
    """max(0, x)."""
    return ReLU().apply(x)
