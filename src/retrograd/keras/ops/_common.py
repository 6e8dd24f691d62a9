"""The helpers every ``keras.ops.numpy`` function shares: converting inputs to tensors
with Keras's dtype rules, and ``_eager``, which turns a function on values into one that
also records a node on symbolic ``KerasTensor``s.
"""

import builtins
import functools

import numpy as np

from ... import creation
from ...ops import shape as _shape
from ...tensor import Tensor
from ..keras_tensor import KerasTensor, symbolic_op
import retrograd

__all__ = [
    "stack",
]


def _has_symbolic(value):
    if isinstance(value, KerasTensor):
        return True
    return isinstance(value, (list, tuple)) and builtins.any(_has_symbolic(v) for v in value)


def _eager(fn):
    """``fn`` on values; on symbolic KerasTensors (a functional model being built) it
    records a node that will call ``fn`` on the values, and returns its KerasTensor
    output, shape and dtype found by running ``fn`` on stand-in values."""
    name = fn.__name__

    @functools.wraps(fn)
    def function(*args, **kwargs):
        if builtins.any(_has_symbolic(a) for a in (*args, *kwargs.values())):
            return symbolic_op(fn, name, args, kwargs)
        return fn(*args, **kwargs)
    return function


def _dtype(dtype, who):
    """A NumPy dtype from Keras's names ("float32"), NumPy or retrograd dtypes."""
    if dtype is None:
        return None
    try:
        return np.dtype(getattr(dtype, "name", dtype))
    except TypeError:
        raise TypeError(f"keras.ops.{who}: dtype must be a dtype name such as 'float32' or "
                        f"'int32', got {dtype!r}") from None


def _python_dtype(array):
    """Keras's dtypes for Python data: floats float32, ints int32."""
    if array.dtype == np.float64:
        return np.float32
    if array.dtype == np.int64:
        return np.int32
    return array.dtype


def _tensor(x, who="convert_to_tensor", dtype=None):
    """``x`` (a tensor, an array, numbers) as a retrograd tensor."""
    dtype = _dtype(dtype, who)
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else x.to(dtype=dtype)
    if isinstance(x, (np.ndarray, np.generic)) or hasattr(x, "__array__") and \
            hasattr(x, "dtype"):
        return creation.as_tensor(x, dtype=dtype)
    if isinstance(x, (list, tuple)) and builtins.any(isinstance(v, Tensor) for v in x):
        return stack([_tensor(v, who, dtype) for v in x])
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"keras.ops.{who}: expected a tensor, an array or numbers, got "
                        f"{type(x).__name__} ({e})") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"keras.ops.{who}: expected numbers, got {type(x).__name__} of "
                        f"dtype {array.dtype}")
    return creation.as_tensor(array, dtype=dtype or _python_dtype(array))


def _float(x, who):
    """``x`` as a tensor of a float dtype (integers and bools become float32)."""
    t = _tensor(x, who)
    return t if t.dtype.kind in "fc" else t.to(dtype=np.float32)


def _operands(x1, x2, who):
    """Two operands for an arithmetic op: tensors, with a Python number kept as such
    beside a tensor (it takes the tensor's dtype, as a "weak" type does in Keras)."""
    scalar = (bool, int, float)
    if isinstance(x1, scalar) and not isinstance(x2, scalar):
        return x1, _weak(_tensor(x2, who), x1)
    if isinstance(x2, scalar) and not isinstance(x1, scalar):
        return _weak(_tensor(x1, who), x2), x2
    return _tensor(x1, who), _tensor(x2, who)


def _weak(t, number):
    """``t`` promoted as Keras promotes it beside a weak Python number: a float makes
    integer and bool tensors float32, an int makes bool tensors int32 (True + 1 is 2,
    not True)."""
    if isinstance(number, float) and t.dtype.kind in "biu":
        return t.to(dtype=np.float32)
    if isinstance(number, int) and not isinstance(number, bool) and t.dtype == np.bool_:
        return t.to(dtype=np.int32)
    return t


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# keras.ops.stack is here because _tensor stacks a list of tensors with it (shape.py
# exports it).
@_eager
def stack(x, axis=0):
    return _shape.stack([_tensor(t, "stack") for t in x], axis)


def _shape_of(shape_):
    return (shape_,) if isinstance(shape_, int) else tuple(int(n) for n in shape_)


def _const(t, array):
    """A tensor of ``array``'s values on ``t``'s device, outside the graph."""
    return creation.as_tensor(array, device=t.device)


def _values(t):
    return t.detach().array


def _check_axis(t, axis, who):
    if not -builtins.max(t.ndim, 1) <= axis < builtins.max(t.ndim, 1):
        raise ValueError(f"keras.ops.{who}: axis {axis} is out of bounds for a tensor of "
                         f"shape {tuple(t.shape)} ({t.ndim} dimensions)")
    return axis % builtins.max(t.ndim, 1)


def _float_result(t):
    """Keras's float result for integer/bool inputs: float32."""
    return t if t.dtype.kind in "fc" else t.to(dtype=np.float32)


# Elementwise functions with a float result: retrograd's (PyTorch-named) functions,
# integer and bool inputs made float32 first as Keras does.

def _unary(name, torch_name=None, doc=None):
    def function(x):
        return getattr(retrograd, torch_name or name)(_float(x, name))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc or f"retrograd.{torch_name or name} of x (float32 for integers)."
    return _eager(function)


def _binary(name, torch_name=None, doc=None):
    def function(x1, x2):
        a, b = _float(x1, name), _float(x2, name)
        if a.dtype != b.dtype:
            dt = np.promote_types(a.dtype, b.dtype)
            a, b = a.to(dtype=dt), b.to(dtype=dt)
        return getattr(retrograd, torch_name or name)(a, b)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc or f"retrograd.{torch_name or name} of x1 and x2 (floats)."
    return _eager(function)
