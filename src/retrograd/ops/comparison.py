"""Comparing tensors as a whole, and where a tensor is non-zero: isclose, allclose,
equal, nonzero. None is differentiable (the results are booleans and indices).

isclose: |x − y| ≤ atol + rtol·|y|, elementwise (NaN equals NaN only with
``equal_nan``), as torch.isclose and numpy.isclose."""
import numpy as np

from ..backend import array_module
from ..tensor import Tensor, _make


def _tensors(who, input, other):
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{who}(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
    if input.array.__class__ is not other.array.__class__:
        raise RuntimeError(f"{who}(): Expected all tensors to be on the same device, but "
                           f"found {input.device} and {other.device}")


def _broadcast(who, a, b):
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"{who}(): The size of tensor a {tuple(a.shape)} must match the "
                           f"size of tensor b {tuple(b.shape)} (they do not "
                           "broadcast)") from None


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """A bool tensor: where |input − other| ≤ atol + rtol·|other| (torch.isclose).
    Both must have the same dtype (PyTorch's RuntimeError otherwise)."""
    _tensors("isclose", input, other)
    if input.dtype != other.dtype:
        raise RuntimeError(f"isclose(): {other.dtype} did not match {input.dtype} (both "
                           "tensors must have the same dtype; convert one with .to())")
    if rtol < 0 or atol < 0:
        raise RuntimeError(f"isclose(): rtol and atol must be non-negative, got "
                           f"rtol={rtol}, atol={atol}")
    _broadcast("isclose", input, other)
    a, b = input.array, other.array
    xp = array_module(a)
    if a.dtype.kind == "b":
        return _make(xp.equal(a, b))
    return _make(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of ``input`` is close to ``other``'s (isclose);
    a Python bool, as torch.allclose."""
    _tensors("allclose", input, other)
    if input.dtype != other.dtype:
        raise RuntimeError(f"allclose(): {other.dtype} did not match {input.dtype} (both "
                           "tensors must have the same dtype; convert one with .to())")
    _broadcast("allclose", input, other)
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def equal(input, other):
    """True when both tensors have the same shape and the same elements (a Python
    bool, torch.equal; NaN ≠ NaN; values are compared after type promotion)."""
    _tensors("equal", input, other)
    if input.shape != other.shape:
        return False
    return bool(array_module(input.array).array_equal(input.array, other.array))


def nonzero(input, *, as_tuple=False):
    """The int64 indices of the non-zero elements of ``input`` (torch.nonzero): an
    (n, ndim) tensor, one row per element in row-major order; ``as_tuple=True``:
    one 1-D tensor per dimension (NumPy's nonzero; a 0-d input counts as 1-D)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"nonzero(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    a = input.array
    xp = array_module(a)
    if as_tuple:
        return tuple(_make(i.astype(np.int64, copy=False))
                     for i in xp.nonzero(a.reshape(1) if a.ndim == 0 else a))
    return _make(xp.argwhere(a).astype(np.int64, copy=False))
