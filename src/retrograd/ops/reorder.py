"""Reordering entries: flip (reverse along dims) and roll (shift cyclically). Both
are permutations, so the gradient is the inverse permutation of ∂ℓ/∂y."""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor
from .sorting import _dim


def _dims(x, dims, who, distinct=True):
    """``dims`` (an int or a sequence) as non-negative axes of x, distinct ones unless
    not ``distinct`` (roll shifts a repeated dim by the sum of its shifts, as PyTorch)."""
    items = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = []
    for d in items:
        d = _dim(x, d, who)
        if distinct and d in out:
            raise RuntimeError(f"{who}(): dim {d} appears multiple times in the list of "
                               f"dims {list(items)}")
        out.append(d)
    return tuple(out)


class Flip(Function):
    """y = x reversed along ``dims``;  ∂ℓ/∂x = ∂ℓ/∂y reversed along them."""

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return array_module(x).flip(x, self.dims).copy()   # PyTorch's flip copies

    def backward(self, gy):
        return array_module(gy).flip(gy, self.dims).copy()

    def jvp(self, dx):
        return array_module(dx).flip(dx, self.dims).copy()


def flip(input, dims):
    """``input`` with the order of its entries reversed along ``dims`` (torch.flip)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"flip(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim == 0:
        _dims(input, dims, "flip")
        return input * 1 if input.requires_grad else input.clone()
    return Flip(_dims(input, dims, "flip")).apply(input)


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (None: the flattened
    tensor);  ∂ℓ/∂x = ∂ℓ/∂y shifted back by −shifts."""

    def __init__(self, shifts, dims):
        self.shifts, self.dims = shifts, dims

    def _roll(self, a, sign):
        shifts = tuple(sign * s for s in self.shifts)
        if self.dims is None:
            return array_module(a).roll(a, shifts[0])
        return array_module(a).roll(a, shifts, self.dims)

    def forward(self, x):
        return self._roll(x, 1)

    def backward(self, gy):
        return self._roll(gy, -1)

    def jvp(self, dx):
        return self._roll(dx, 1)


def roll(input, shifts, dims=None):
    """``input`` rolled by ``shifts`` places along ``dims`` (torch.roll): an entry
    leaving at one end comes back at the other; without ``dims`` the flattened
    tensor is rolled and the shape restored."""
    if not isinstance(input, Tensor):
        raise TypeError(f"roll(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shifts):
        raise TypeError(f"roll(): argument 'shifts' must be ints, got {shifts!r}")
    shifts = tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll(): shifts {list(shifts)} without dims: only one "
                               "shift may be given (the flattened tensor is rolled)")
        return Roll(shifts, None).apply(input)
    dims = _dims(input, dims, "roll", distinct=False)
    if len(dims) != len(shifts):
        raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: "
                           f"{len(shifts)}, dims: {len(dims)}")
    if input.ndim == 0:
        return input * 1 if input.requires_grad else input.clone()
    return Roll(shifts, dims).apply(input)
