"""``keras.ops.numpy``: Keras 3's NumPy-like functions on retrograd tensors (all of
them are ``keras.ops``'s too).

Every keras-io guide starts with ``from keras import ops``; with
``from retrograd.keras import ops`` the same calls take retrograd tensors, NumPy
arrays and Python numbers, and return retrograd tensors through whose ops
gradients flow (``loss.backward()``). Names, arguments and defaults are Keras's:
``axis=``/``keepdims=``, ``ops.var`` is the biased variance, ``ops.max(x, axis)``
returns the values, ``ops.shape`` a tuple, ``ops.convert_to_numpy`` a NumPy array.

Dtypes follow Keras's rules where they matter to code: Python floats become
float32 and Python ints int32 (NumPy arrays keep their dtype); functions with a
float result (``sqrt``, ``exp``, ``mean``, ``divide``…) give float32 for integer
inputs; ``argmax``/``argmin``/``arange`` of integers give int32; comparisons bool.

On symbolic ``KerasTensor``s (``keras.Input`` and the layers called on it) each
function records a node of the functional model, as Keras 3 does:
``ops.concatenate([a, b])`` returns a KerasTensor whose shape and dtype come from
running the function on stand-in values; ``ops.shape`` gives ``None`` for unknown
sizes.
"""
import builtins
import functools

import numpy as np

from ... import creation
from ...ops import elementwise as _elementwise
from ...ops import shape as _shape
from ...ops import softmax as _softmax
from ...ops.matmul import matmul as _matmul
from ...tensor import Tensor
from ..keras_tensor import KerasTensor, symbolic_op

__all__ = [
    "convert_to_tensor", "convert_to_numpy", "cast", "shape",
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power",
    "square", "sqrt", "exp", "log", "abs", "absolute", "sign", "sin", "cos", "tanh",
    "sigmoid", "relu", "softmax", "log_softmax", "logsumexp",
    "matmul", "dot", "maximum", "minimum", "clip", "where",
    "sum", "mean", "max", "min", "argmax", "argmin", "std", "var", "all", "any",
    "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
    "reshape", "transpose", "concatenate", "stack", "expand_dims", "squeeze",
    "one_hot", "ones", "zeros", "ones_like", "zeros_like", "full", "full_like",
    "arange", "linspace", "eye",
]


# -- conversion and the symbolic check --------------------------------------------------

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
        return x1, _tensor(x2, who)
    if isinstance(x2, scalar) and not isinstance(x1, scalar):
        return _tensor(x1, who), x2
    return _tensor(x1, who), _tensor(x2, who)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@_eager
def convert_to_tensor(x, dtype=None, sparse=None):
    """``x`` as a retrograd tensor (a tensor of that dtype is returned itself)."""
    if sparse:
        raise NotImplementedError("keras.ops.convert_to_tensor: sparse=True (retrograd "
                                  "has no sparse tensors)")
    return _tensor(x, "convert_to_tensor", dtype)


@_eager
def convert_to_numpy(x):
    """``x``'s values as a NumPy array (copied to the host from a GPU)."""
    if isinstance(x, Tensor):
        return np.asarray(x.detach().cpu().array)
    return np.asarray(x)


@_eager
def cast(x, dtype):
    """``x`` in ``dtype``; gradients flow through a cast between float dtypes."""
    return _tensor(x, "cast").to(dtype=_dtype(dtype, "cast"))


def shape(x):
    """The shape as a tuple of ints (``None`` for a KerasTensor's batch axis)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    if isinstance(x, Tensor):
        return tuple(x.shape)
    return tuple(np.shape(x))


# -- arithmetic and elementwise functions -------------------------------------------------

@_eager
def add(x1, x2):
    a, b = _operands(x1, x2, "add")
    return a + b


@_eager
def subtract(x1, x2):
    a, b = _operands(x1, x2, "subtract")
    return a - b


@_eager
def multiply(x1, x2):
    a, b = _operands(x1, x2, "multiply")
    return a * b


@_eager
def divide(x1, x2):
    """x1 / x2 (true division: integers give float32)."""
    a, b = _operands(x1, x2, "divide")
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype.kind not in "fc" \
            and b.dtype.kind not in "fc":
        a = a.to(dtype=np.float32)
    return a / b


true_divide = divide


@_eager
def power(x1, x2):
    a, b = _operands(x1, x2, "power")
    return a ** b


@_eager
def negative(x):
    return -_tensor(x, "negative")


@_eager
def square(x):
    t = _tensor(x, "square")
    return t * t


@_eager
def sqrt(x):
    return _float(x, "sqrt").sqrt()


@_eager
def exp(x):
    return _float(x, "exp").exp()


@_eager
def log(x):
    return _float(x, "log").log()


@_eager
def abs(x):
    return _tensor(x, "abs").abs()


absolute = abs


@_eager
def sign(x):
    """−1, 0 or 1 by the sign of x. Its derivative is 0 (almost everywhere), so the
    result is a constant of the graph: ``sign(x) * x`` differentiates to sign(x)."""
    t = _tensor(x, "sign")
    return creation.as_tensor(np.sign(t.detach().array))


@_eager
def sin(x):
    return _float(x, "sin").sin()


@_eager
def cos(x):
    return _float(x, "cos").cos()


@_eager
def tanh(x):
    return _float(x, "tanh").tanh()


@_eager
def sigmoid(x):
    return _float(x, "sigmoid").sigmoid()


@_eager
def relu(x):
    return _tensor(x, "relu").relu()


@_eager
def softmax(x, axis=-1):
    return _softmax.softmax(_float(x, "softmax"), axis=axis)


@_eager
def log_softmax(x, axis=-1):
    return _softmax.log_softmax(_float(x, "log_softmax"), axis=axis)


@_eager
def logsumexp(x, axis=None, keepdims=False):
    return _float(x, "logsumexp").logsumexp(axis=_axis(axis), keepdims=keepdims)


@_eager
def maximum(x1, x2):
    a, b = _operands(x1, x2, "maximum")
    return _elementwise.maximum(a, b) if isinstance(a, Tensor) else \
        _elementwise.maximum(b, a)


@_eager
def minimum(x1, x2):
    a, b = _operands(x1, x2, "minimum")
    return _elementwise.minimum(a, b) if isinstance(a, Tensor) else \
        _elementwise.minimum(b, a)


@_eager
def clip(x, x_min, x_max):
    """x clipped to [x_min, x_max] (numbers)."""
    return _tensor(x, "clip").clip(x_min, x_max)


@_eager
def where(condition, x1=None, x2=None):
    """x1 where ``condition`` holds, else x2 (gradients flow to both)."""
    if x1 is None or x2 is None:
        raise NotImplementedError("keras.ops.where: the one-argument form (the indices of "
                                  "the true entries) is not in retrograd.keras; give x1 and x2")
    cond = _tensor(condition, "where")
    if cond.dtype != np.bool_:
        cond = cond.to(dtype=np.bool_)
    a, b = _operands(x1, x2, "where")
    if not isinstance(a, Tensor):
        a = _tensor(a, "where")
    return _elementwise.where(cond, a, b)


@_eager
def matmul(x1, x2):
    return _matmul(_tensor(x1, "matmul"), _tensor(x2, "matmul"))


@_eager
def dot(x1, x2):
    """NumPy's dot: products of scalars; Σ over the last axis of x1 and the
    second-to-last of x2 (the last of a 1-D x2)."""
    a, b = _tensor(x1, "dot"), _tensor(x2, "dot")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2:
        return _matmul(a, b)
    # a: (..., k), b: (..., k, m) → (..., ..., m): move b's k axis first.
    k = b.shape[-2]
    perm = [b.ndim - 2] + [i for i in range(b.ndim) if i != b.ndim - 2]
    flat = _matmul(a.reshape(-1, k), _shape.permute(b, *perm).reshape(k, -1))
    return flat.reshape(*a.shape[:-1], *b.shape[:-2], b.shape[-1])


# -- reductions ---------------------------------------------------------------------------

_SMALL_INTS = {np.dtype(d) for d in (np.bool_, np.int8, np.int16, np.uint8, np.uint16)}


@_eager
def sum(x, axis=None, keepdims=False):
    """Σ x over ``axis`` (all axes by default); bools and small ints sum to int32."""
    t = _tensor(x, "sum")
    out = t.sum(axis=_axis(axis), keepdims=keepdims)
    if t.dtype in _SMALL_INTS or t.dtype == np.int32:
        out = out.to(dtype=np.int32)
    return out


@_eager
def mean(x, axis=None, keepdims=False):
    """The mean over ``axis`` (integers give float32)."""
    return _float(x, "mean").mean(axis=_axis(axis), keepdims=keepdims)


def _extreme(name, x, axis, keepdims, initial):
    t = _tensor(x, name)
    if t.ndim == 0 and axis is None:
        out = t * 1 if t.requires_grad else t
    else:
        out = getattr(t, name)(axis=_axis(axis) if axis is not None else
                               tuple(range(t.ndim)), keepdims=keepdims)
    if initial is not None:
        out = (maximum if name == "max" else minimum)(out, initial)
    return out


@_eager
def max(x, axis=None, keepdims=False, initial=None):
    """The maximum values over ``axis`` (all axes by default)."""
    return _extreme("max", x, axis, keepdims, initial)


@_eager
def min(x, axis=None, keepdims=False, initial=None):
    """The minimum values over ``axis`` (all axes by default)."""
    return _extreme("min", x, axis, keepdims, initial)


@_eager
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (of the flattened x without ``axis``), int32."""
    return _tensor(x, "argmax").argmax(axis=axis, keepdims=keepdims).to(dtype=np.int32)


@_eager
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (of the flattened x without ``axis``), int32."""
    return _tensor(x, "argmin").argmin(axis=axis, keepdims=keepdims).to(dtype=np.int32)


@_eager
def var(x, axis=None, keepdims=False):
    """The biased variance Σ (x − x̄)² / n over ``axis``."""
    t = _float(x, "var")
    return t.var(correction=0, axis=_axis(axis) if axis is not None else tuple(range(t.ndim)),
                 keepdims=keepdims)


@_eager
def std(x, axis=None, keepdims=False):
    """√var (biased)."""
    return var(x, axis=axis, keepdims=keepdims).sqrt()


@_eager
def all(x, axis=None, keepdims=False):
    return _tensor(x, "all").all(axis=_axis(axis), keepdims=keepdims)


@_eager
def any(x, axis=None, keepdims=False):
    return _tensor(x, "any").any(axis=_axis(axis), keepdims=keepdims)


# -- comparisons --------------------------------------------------------------------------

def _compare(name, x1, x2, fn):
    a, b = _operands(x1, x2, name)
    if not isinstance(a, Tensor):
        a = _tensor(a, name)
    return fn(a, b)


@_eager
def equal(x1, x2):
    return _compare("equal", x1, x2, lambda a, b: a == b)


@_eager
def not_equal(x1, x2):
    return _compare("not_equal", x1, x2, lambda a, b: a != b)


@_eager
def greater(x1, x2):
    return _compare("greater", x1, x2, lambda a, b: a > b)


@_eager
def greater_equal(x1, x2):
    return _compare("greater_equal", x1, x2, lambda a, b: a >= b)


@_eager
def less(x1, x2):
    return _compare("less", x1, x2, lambda a, b: a < b)


@_eager
def less_equal(x1, x2):
    return _compare("less_equal", x1, x2, lambda a, b: a <= b)


# -- shapes -------------------------------------------------------------------------------

@_eager
def reshape(x, newshape):
    """x with shape ``newshape`` (one entry may be −1)."""
    shape_ = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    return _shape.reshape(_tensor(x, "reshape"), shape_)


@_eager
def transpose(x, axes=None):
    """x with its axes permuted by ``axes`` (reversed by default)."""
    t = _tensor(x, "transpose")
    axes = tuple(reversed(range(t.ndim))) if axes is None else tuple(axes)
    if len(axes) != t.ndim or sorted(a % builtins.max(t.ndim, 1) for a in axes) != \
            list(range(t.ndim)):
        raise ValueError(f"keras.ops.transpose: axes must be a permutation of "
                         f"{list(range(t.ndim))} for a tensor of shape {tuple(t.shape)}, "
                         f"got {axes}")
    return _shape.permute(t, *(a % t.ndim for a in axes))


@_eager
def concatenate(xs, axis=0):
    return _shape.concatenate([_tensor(x, "concatenate") for x in xs], axis)


@_eager
def stack(x, axis=0):
    return _shape.stack([_tensor(t, "stack") for t in x], axis)


@_eager
def expand_dims(x, axis):
    """x with size-1 axes inserted at ``axis`` (an int or a tuple of them)."""
    t = _tensor(x, "expand_dims")
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    nd = t.ndim + len(axes)
    for a in axes:
        if not -nd <= a < nd:
            raise ValueError(f"keras.ops.expand_dims: axis {a} is out of range for a "
                             f"result with {nd} dimensions")
    new = sorted(a % nd for a in axes)
    dims = iter(t.shape)
    return _shape.reshape(t, tuple(1 if i in new else next(dims) for i in range(nd)))


@_eager
def squeeze(x, axis=None):
    """x without its size-1 axes (all, or those in ``axis``, which must have size 1)."""
    t = _tensor(x, "squeeze")
    if axis is not None:
        for a in (axis,) if isinstance(axis, int) else tuple(axis):
            if t.shape[a] != 1:
                raise ValueError(f"keras.ops.squeeze: axis {a} has size {t.shape[a]}, "
                                 "not 1; only size-1 axes can be squeezed")
    return _shape.squeeze(t, axis)


@_eager
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Class indices x ↦ unit vectors of length ``num_classes`` along ``axis``
    (an index outside [0, num_classes) gives zeros), float32 by default."""
    if sparse:
        raise NotImplementedError("keras.ops.one_hot: sparse=True (retrograd has no sparse "
                                  "tensors)")
    t = _tensor(x, "one_hot")
    if t.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.one_hot: x must hold integer class indices, got dtype "
                        f"{t.dtype}")
    idx = np.asarray(t.detach().cpu().array)
    out = (idx[..., None] == np.arange(int(num_classes))).astype(
        _dtype(dtype, "one_hot") or np.float32)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return creation.as_tensor(out, device=t.device)


# -- creation -----------------------------------------------------------------------------

def _shape_of(shape_):
    return (shape_,) if isinstance(shape_, int) else tuple(int(n) for n in shape_)


def ones(shape, dtype=None):
    return creation.ones(_shape_of(shape), dtype=_dtype(dtype, "ones") or np.float32)


def zeros(shape, dtype=None):
    return creation.zeros(_shape_of(shape), dtype=_dtype(dtype, "zeros") or np.float32)


def full(shape, fill_value, dtype=None):
    return creation.full(_shape_of(shape), fill_value,
                         dtype=_dtype(dtype, "full") or np.float32)


@_eager
def ones_like(x, dtype=None):
    t = _tensor(x, "ones_like")
    return creation.ones_like(t, dtype=_dtype(dtype, "ones_like") or t.dtype)


@_eager
def zeros_like(x, dtype=None):
    t = _tensor(x, "zeros_like")
    return creation.zeros_like(t, dtype=_dtype(dtype, "zeros_like") or t.dtype)


@_eager
def full_like(x, fill_value, dtype=None):
    t = _tensor(x, "full_like")
    return creation.full_like(t, fill_value, dtype=_dtype(dtype, "full_like") or t.dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop): int32 for ints, float32 otherwise."""
    if stop is None:
        start, stop = 0, start
    numbers = (start, stop, step)
    default = np.int32 if builtins.all(isinstance(v, (int, np.integer)) for v in numbers) \
        else np.float32
    return creation.as_tensor(np.arange(start, stop, step,
                                        dtype=_dtype(dtype, "arange") or default))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from start to stop (float32 by default)."""
    values, step = np.linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    out = creation.as_tensor(values.astype(_dtype(dtype, "linspace") or np.float32))
    return (out, step) if retstep else out


def eye(N, M=None, k=0, dtype=None):
    """The N×M identity (ones on the k-th diagonal), float32 by default."""
    return creation.as_tensor(np.eye(N, M, k, dtype=_dtype(dtype, "eye") or np.float32))
