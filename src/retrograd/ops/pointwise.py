"""The generic pointwise op behind the elementwise math (exponential.py,
trigonometry.py, special.py, division.py): y = f(x) or y = f(a, b), elementwise.

A subclass carries its formula in its docstring and gives two small methods:
``f(xp, …)`` the value and ``derivative(xp, …)`` (``partials`` for two inputs)
the slope, from what forward saved. The chain rule is written once, here:
∂ℓ/∂x = ∂ℓ/∂y · f'(x) and ẏ = f'(x) ẋ (two inputs: ẏ = ∂y/∂a ȧ + ∂y/∂b ḃ).
Integer and bool inputs become float32, PyTorch's default float.
"""
from ..backend import array_module
from ..function import Function
from ..tensor import Tensor
from .operand import as_float, pair


class Unary(Function):
    """y = f(x) elementwise;  ∂ℓ/∂x = ∂ℓ/∂y · f'(x)."""

    def forward(self, x):
        x = as_float(x)
        self.x = x
        self.y = self.f(array_module(x), x)
        return self.y

    def backward(self, gy):
        return gy * self.derivative(array_module(gy), self.x, self.y)

    def jvp(self, dx):
        return dx * self.derivative(array_module(dx), self.x, self.y)


class Binary(Function):
    """y = f(a, b) elementwise, broadcast;  ∂ℓ/∂a = ∂ℓ/∂y · ∂y/∂a, ∂ℓ/∂b = ∂ℓ/∂y · ∂y/∂b
    (the engine sums each gradient back to its input's shape)."""

    def forward(self, a, b):
        a, b = as_float(a), as_float(b)
        self.a, self.b = a, b
        self.y = self.f(array_module(a), a, b)
        return self.y

    def backward(self, gy):
        da, db = self.partials(array_module(gy), self.a, self.b, self.y)
        return (gy * da if self.needs_input_grad[0] else None,
                gy * db if self.needs_input_grad[1] else None)

    def jvp(self, dxa, dxb):
        xp = array_module(dxa)
        da, db = self.partials(xp, self.a, self.b, self.y)
        return xp.broadcast_to(da * dxa + db * dxb, self.y.shape)


def tensor_arg(x, name):
    """``x`` must be a Tensor (PyTorch: TypeError naming the function)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def operands(a, b, name):
    """Two operands as tensors on one device and one dtype (at least one a Tensor)."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}(): expected at least one Tensor argument, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    a, b = pair(a, b, name)
    broadcast_check(a, b, name)
    return a, b


def broadcast_check(a, b, name):
    """PyTorch's RuntimeError for shapes that do not broadcast, naming the dimension."""
    sa, sb = tuple(a.shape), tuple(b.shape)
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            dim = max(len(sa), len(sb)) - i
            raise RuntimeError(f"{name}: the size of tensor a ({sa[-i]}) must match the "
                               f"size of tensor b ({sb[-i]}) at non-singleton dimension "
                               f"{dim} (shapes {sa} and {sb} do not broadcast)")


def floats_only(x, name):
    """PyTorch's refusal of integer and bool tensors for a float-only function."""
    if x.dtype.kind not in "fc":
        raise NotImplementedError(f'{name}: "{name}" not implemented for {x.dtype} '
                                  "tensors (as in PyTorch: floating point only); "
                                  "convert first, e.g. x.float()")
    return x
