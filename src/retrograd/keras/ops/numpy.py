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
from ...backend import array_module
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
    if t.dtype == np.bool_:                 # Keras squares bools as int32
        t = t.to(dtype=np.int32)
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
    t = _tensor(x, "abs")
    return t if t.dtype == np.bool_ else t.abs()        # |bool| is itself, as Keras's


absolute = abs


@_eager
def sign(x):
    """−1, 0 or 1 by the sign of x. Its derivative is 0 (almost everywhere), so the
    result is a constant of the graph: ``sign(x) * x`` differentiates to sign(x)."""
    t = _tensor(x, "sign")
    if t.dtype == np.bool_:                 # sign(bool) is itself, as Keras's
        return t.detach()
    return creation.as_tensor(array_module(t.array).sign(t.detach().array), device=t.device)


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
    """x clipped to [x_min, x_max] (numbers; a float bound makes integers float32)."""
    t = _tensor(x, "clip")
    for bound in (x_min, x_max):
        t = _weak(t, bound) if isinstance(bound, float) else t
    return t.clip(x_min, x_max)


@_eager
def where(condition, x1=None, x2=None):
    """x1 where ``condition`` holds, else x2 (gradients flow to both)."""
    if x1 is None and x2 is None:       # NumPy's one-argument form: nonzero
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("keras.ops.where: give both x1 and x2, or neither (the indices "
                         "of the true entries)")
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


def _nonempty(name, x, axis):
    """x as a tensor whose reduced axis (all of x without ``axis``) is not empty: an
    arg-extreme of nothing is an IndexError, as PyTorch's (Keras's torch backend)."""
    t = _tensor(x, name)
    if t.size == 0 and (axis is None or t.ndim == 0 or t.shape[axis] == 0):
        raise IndexError(f"keras.ops.{name}: the reduced axis {axis} of the input of shape "
                         f"{tuple(t.shape)} is empty; {name} needs at least one element")
    return t


@_eager
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (of the flattened x without ``axis``), int32."""
    t = _nonempty("argmax", x, axis)
    return t.argmax(axis=axis, keepdims=keepdims).to(dtype=np.int32)


@_eager
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (of the flattened x without ``axis``), int32."""
    t = _nonempty("argmin", x, axis)
    return t.argmin(axis=axis, keepdims=keepdims).to(dtype=np.int32)


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


# -- more of Keras's NumPy: shapes, orders, indices, constants of the graph ----------------
# Each is composed from retrograd's differentiable ops (gradients come with them), or
# computed on the arrays when its derivative is zero almost everywhere (floor, sort's
# indices, comparisons): the result is then a constant of the graph, as ``sign``.

__all__ += [
    "split", "array_split", "tile", "repeat", "pad", "broadcast_to", "moveaxis",
    "swapaxes", "ravel", "flip", "fliplr", "flipud", "rot90", "roll", "sort", "argsort",
    "top_k", "in_top_k", "argpartition", "cumsum", "cumprod", "einsum", "outer",
    "tensordot", "inner", "vdot", "kron", "cross", "tril", "triu", "tri", "diag",
    "diagonal", "trace", "meshgrid", "unique", "isclose", "allclose", "nonzero",
    "count_nonzero", "prod", "amax", "amin", "average", "take", "take_along_axis",
    "logical_and", "logical_or", "logical_xor", "logical_not", "isnan", "isinf",
    "isfinite", "round", "floor", "ceil", "trunc", "mod", "floor_divide", "reciprocal",
    "log2", "log10", "exp2", "tan", "sinh", "cosh", "hypot", "logaddexp", "sinc",
    "log1p", "expm1", "erf", "erfinv", "rsqrt", "arcsin", "arccos", "arctan", "arcsinh",
    "arccosh", "arctanh", "deg2rad", "rad2deg", "logaddexp2", "arctan2", "cbrt",
    "median", "quantile", "percentile", "nanmedian", "nanquantile", "nanpercentile",
    "nansum", "nanmean", "diff", "trapezoid", "isneginf", "isposinf", "signbit", "fmod",
    "fabs",
    "nan_to_num", "divide_no_nan", "copy", "empty", "empty_like", "identity",
    "geomspace", "logspace", "hstack", "vstack", "dstack", "append", "searchsorted",
    "digitize", "bincount", "heaviside",
]


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


@_eager
def split(x, indices_or_sections, axis=0):
    """NumPy's split: ``n`` equal parts (an error if they are not), or cuts at the
    listed indices; a list of tensors."""
    t = _tensor(x, "split")
    axis = _check_axis(t, axis, "split")
    if isinstance(indices_or_sections, (int, np.integer)):
        n, k = t.shape[axis], int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(f"keras.ops.split: an axis of size {n} does not split into "
                             f"{k} equal sections (array_split allows unequal ones)")
    return _shape._numpy_split(t, indices_or_sections if not isinstance(
        indices_or_sections, (int, np.integer)) else int(indices_or_sections), axis)


@_eager
def array_split(x, indices_or_sections, axis=0):
    """NumPy's array_split: ``n`` parts, the first ones one longer when n does not
    divide the axis, or cuts at the listed indices."""
    t = _tensor(x, "array_split")
    axis = _check_axis(t, axis, "array_split")
    if isinstance(indices_or_sections, (int, np.integer)):
        k, n = int(indices_or_sections), t.shape[axis]
        if k <= 0:
            raise ValueError(f"keras.ops.array_split: sections must be positive, got {k}")
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        indices_or_sections = list(np.cumsum(sizes)[:-1])
    return _shape._numpy_split(t, [int(i) for i in indices_or_sections], axis)


@_eager
def tile(x, repeats):
    """x repeated ``repeats`` times along each axis (NumPy's tile)."""
    t = _tensor(x, "tile")
    reps = (int(repeats),) if isinstance(repeats, (int, np.integer)) else \
        tuple(int(r) for r in repeats)
    if len(reps) < t.ndim:
        reps = (1,) * (t.ndim - len(reps)) + reps
    return t.repeat(*reps)


@_eager
def repeat(x, repeats, axis=None):
    """Each element (of the flattened x, or along ``axis``) repeated ``repeats``
    times (a number, or one count per element)."""
    t = _tensor(x, "repeat")
    if axis is None:
        t, axis = t.reshape(-1), 0
    axis = _check_axis(t, axis, "repeat")
    counts = np.asarray(repeats.tolist() if isinstance(repeats, Tensor) else repeats)
    n = t.shape[axis]
    if counts.ndim and counts.shape != (n,):
        raise ValueError(f"keras.ops.repeat: repeats has {counts.size} entries for an "
                         f"axis of size {n}")
    index = np.repeat(np.arange(n), counts)
    return t.index_select(axis, array_module(t.array).asarray(index))


@_eager
def pad(x, pad_width, mode="constant", constant_values=None):
    """x padded by ``pad_width`` ((before, after) per axis, or one pair/number for
    all); modes "constant" (``constant_values``, 0 by default), "reflect",
    "symmetric" (the edge repeated) and "edge"."""
    from ...nn import functional as F
    t = _tensor(x, "pad")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (t.ndim, 2)) \
        if np.ndim(pad_width) < 2 else np.asarray(pad_width, dtype=np.int64)
    if widths.shape != (t.ndim, 2) or (widths < 0).any():
        raise ValueError(f"keras.ops.pad: pad_width must be non-negative (before, after) "
                         f"pairs, one per axis of the input of shape {tuple(t.shape)}, got "
                         f"{np.asarray(pad_width).tolist()}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"keras.ops.pad: constant_values only goes with mode='constant', "
                         f"got mode={mode!r}")
    flat = tuple(int(v) for pair in widths[::-1] for v in pair)
    if mode == "constant":
        return F.pad(t, flat, value=0 if constant_values is None else constant_values)
    if mode in ("reflect", "symmetric", "edge"):
        # Each output cell copies one input cell: index_select by NumPy's index map.
        xp = array_module(t.array)
        for a, (b, e) in enumerate(widths):
            if mode == "reflect" and builtins.max(b, e) >= t.shape[a] > 0:
                raise ValueError(f"keras.ops.pad: mode 'reflect' pads by less than the "
                                 f"axis size; got ({b}, {e}) on axis {a} of size "
                                 f"{t.shape[a]}")
            if b or e:
                index = np.pad(np.arange(t.shape[a]), (int(b), int(e)), mode=mode)
                t = t.index_select(a, xp.asarray(index))
        return t
    from ...missing import NotSupportedError
    raise NotSupportedError(f"keras.ops.pad: mode={mode!r}; retrograd has 'constant', "
                            "'reflect', 'symmetric' and 'edge'")


@_eager
def broadcast_to(x, shape):
    t = _tensor(x, "broadcast_to")
    shape = _shape_of(shape)
    fits = len(shape) >= t.ndim and builtins.all(
        n in (1, m) for n, m in zip(t.shape, shape[len(shape) - t.ndim:]))
    if not fits:
        raise ValueError(f"keras.ops.broadcast_to: a tensor of shape {tuple(t.shape)} "
                         f"cannot be broadcast to {shape}")
    return _shape.broadcast_to(t, shape)


@_eager
def moveaxis(x, source, destination):
    """x with the axes ``source`` moved to the places ``destination``."""
    t = _tensor(x, "moveaxis")
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"keras.ops.moveaxis: source {source} and destination "
                         f"{destination} must have the same number of axes")
    src = [_check_axis(t, a, "moveaxis") for a in src]
    dst = [_check_axis(t, a, "moveaxis") for a in dst]
    order = [a for a in range(t.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _shape.permute(t, *order)


@_eager
def swapaxes(x, axis1, axis2):
    t = _tensor(x, "swapaxes")
    a, b = _check_axis(t, axis1, "swapaxes"), _check_axis(t, axis2, "swapaxes")
    order = list(range(t.ndim))
    order[a], order[b] = b, a
    return _shape.permute(t, *order)


@_eager
def ravel(x):
    return _tensor(x, "ravel").reshape(-1)


@_eager
def flip(x, axis=None):
    """x reversed along ``axis`` (all axes by default)."""
    t = _tensor(x, "flip")
    axes = tuple(range(t.ndim)) if axis is None else \
        (axis,) if isinstance(axis, int) else tuple(axis)
    return t.flip([_check_axis(t, a, "flip") for a in axes]) if axes else t


@_eager
def fliplr(x):
    return flip(x, 1)


@_eager
def flipud(x):
    return flip(x, 0)


@_eager
def rot90(array, k=1, axes=(0, 1)):
    """``array`` turned by k quarter turns in the plane of ``axes`` (from the first
    axis towards the second)."""
    t = _tensor(array, "rot90")
    if t.ndim < 2:
        raise ValueError(f"keras.ops.rot90: the input must have at least 2 dimensions, got "
                         f"shape {tuple(t.shape)}")
    a, b = (_check_axis(t, ax, "rot90") for ax in axes)
    if a == b:
        raise ValueError(f"keras.ops.rot90: axes must be two different axes, got {axes}")
    import retrograd
    return retrograd.rot90(t, k % 4, (a, b))


@_eager
def roll(x, shift, axis=None):
    """x shifted cyclically by ``shift`` along ``axis`` (of the flattened x without)."""
    t = _tensor(x, "roll")
    if axis is None:
        return t.reshape(-1).roll(shift, 0).reshape(*t.shape)
    return t.roll(shift, axis)


@_eager
def sort(x, axis=-1):
    """x sorted ascending along ``axis`` (gradients follow the values)."""
    t = _tensor(x, "sort")
    return t.sort(_check_axis(t, axis, "sort"))[0] if t.ndim else t


@_eager
def argsort(x, axis=-1):
    """The indices that sort x along ``axis`` (int32)."""
    t = _tensor(x, "argsort")
    if axis is None:
        t, axis = t.reshape(-1), 0
    if t.ndim == 0:
        return _const(t, np.zeros((), np.int32))
    axis = _check_axis(t, axis, "argsort")
    return _const(t, array_module(t.array).argsort(_values(t), axis=axis,
                                                  kind="stable").astype(np.int32))


@_eager
def top_k(x, k, sorted=True):
    """(values, indices) of the k largest entries along the last axis (indices
    int64, as Keras's PyTorch backend); gradients flow to the values picked."""
    t = _tensor(x, "top_k")
    if not 0 <= k <= t.shape[-1]:         # RuntimeError: Keras's PyTorch backend's
        raise RuntimeError(f"keras.ops.top_k: k={k} is out of range for a last axis of size "
                         f"{t.shape[-1]}")
    return t.topk(int(k), -1, True, True)


@_eager
def in_top_k(targets, predictions, k):
    """Whether each target class is among the k largest predictions of its row
    (ties with the k-th value count as in)."""
    p = _tensor(predictions, "in_top_k")
    y = _tensor(targets, "in_top_k")
    xp = array_module(p.array)
    values, labels = _values(p), _values(y).astype(np.int64)
    if p.ndim != 2 or labels.shape != (p.shape[0],):
        raise ValueError(f"keras.ops.in_top_k: predictions must be (batch, classes) and "
                         f"targets (batch,), got {tuple(p.shape)} and {tuple(y.shape)}")
    target = xp.take_along_axis(values, labels[:, None], axis=1)
    return _const(p, (values > target).sum(axis=1) < k)


@_eager
def argpartition(x, kth, axis=-1):
    """Indices that put the kth element in its sorted place along ``axis``, smaller
    ones before it and larger after (int32)."""
    t = _tensor(x, "argpartition")
    axis = _check_axis(t, axis, "argpartition")
    if not -t.shape[axis] <= kth < t.shape[axis]:
        raise ValueError(f"keras.ops.argpartition: kth={kth} is out of bounds for an axis "
                         f"of size {t.shape[axis]}")
    return _const(t, array_module(t.array).argpartition(_values(t), kth, axis=axis)
                  .astype(np.int32))


def _scan_op(name, x, axis, dtype):
    t = _tensor(x, name)
    if axis is None:
        t, axis = t.reshape(-1), 0
    dt = _dtype(dtype, name)
    if dt is None and (t.dtype in _SMALL_INTS or t.dtype == np.int32):
        dt = np.dtype(np.int32)
    if dt is not None and dt != t.dtype:
        t = t.to(dtype=dt)
    out = getattr(t, name)(_check_axis(t, axis, name))
    return out if out.dtype == t.dtype else out.to(dtype=t.dtype)


@_eager
def cumsum(x, axis=None, dtype=None):
    """Running sums along ``axis`` (of the flattened x without)."""
    return _scan_op("cumsum", x, axis, dtype)


@_eager
def cumprod(x, axis=None, dtype=None):
    """Running products along ``axis`` (of the flattened x without)."""
    return _scan_op("cumprod", x, axis, dtype)


@_eager
def einsum(subscripts, *operands, **kwargs):
    """Σ over the indices missing from the output of ``subscripts`` (NumPy's
    einsum notation, "ij,jk->ik")."""
    from ...ops.einsum import einsum as _einsum
    ts = [_tensor(o, "einsum") for o in operands]
    kinds = {t.dtype.kind for t in ts}
    if kinds <= set("iub"):      # Keras: an integer einsum stays integer (int32)
        ts = [t.to(dtype=np.int32) if t.dtype in _SMALL_INTS else t for t in ts]
    return _einsum(subscripts, *ts)


@_eager
def outer(x1, x2):
    """x1 (flattened) ⊗ x2 (flattened): out[i, j] = x1[i]·x2[j]."""
    a, b = _tensor(x1, "outer").reshape(-1), _tensor(x2, "outer").reshape(-1)
    return a.reshape(-1, 1) * b.reshape(1, -1)


@_eager
def tensordot(x1, x2, axes=2):
    """Σ over the last ``axes`` axes of x1 and the first of x2 (or the listed pairs
    of axes): retrograd's tensordot."""
    a, b = _tensor(x1, "tensordot"), _tensor(x2, "tensordot")
    if isinstance(axes, (int, np.integer)):
        ax_a = list(range(a.ndim - int(axes), a.ndim))
        ax_b = list(range(int(axes)))
    else:
        ax_a, ax_b = ([v] if isinstance(v, int) else list(v) for v in axes)
    ax_a = [_check_axis(a, v, "tensordot") for v in ax_a]
    ax_b = [_check_axis(b, v, "tensordot") for v in ax_b]
    if [a.shape[i] for i in ax_a] != [b.shape[i] for i in ax_b]:
        raise ValueError(f"keras.ops.tensordot: the summed axes differ in size: "
                         f"{[a.shape[i] for i in ax_a]} of x1 {tuple(a.shape)} and "
                         f"{[b.shape[i] for i in ax_b]} of x2 {tuple(b.shape)}")
    import retrograd
    return retrograd.tensordot(a, b, dims=(ax_a, ax_b))


@_eager
def inner(x1, x2):
    """Σ over the last axes of both (a product for scalars)."""
    a, b = _tensor(x1, "inner"), _tensor(x2, "inner")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


@_eager
def vdot(x1, x2):
    """Σ x1·x2 of the flattened inputs."""
    a, b = _tensor(x1, "vdot").reshape(-1), _tensor(x2, "vdot").reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"keras.ops.vdot: the inputs have {a.shape[0]} and {b.shape[0]} "
                         "elements; they must have the same number")
    return (a * b).sum()


@_eager
def kron(x1, x2):
    """The Kronecker product: blocks x1[i, j]·x2."""
    import retrograd
    return retrograd.kron(_tensor(x1, "kron"), _tensor(x2, "kron"))


@_eager
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors along the given axes (2-vectors: z = 0)."""
    a, b = _tensor(x1, "cross"), _tensor(x2, "cross")
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"keras.ops.cross: the vectors must have 2 or 3 components, got "
                         f"{a.shape[-1]} and {b.shape[-1]}")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a = a if a.shape[-1] == 3 else pad(a, [(0, 0)] * (a.ndim - 1) + [(0, 1)])
    b = b if b.shape[-1] == 3 else pad(b, [(0, 0)] * (b.ndim - 1) + [(0, 1)])
    c = _shape.stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
                      a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
                      a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], -1)
    return moveaxis(c, -1, axisc)


@_eager
def tril(x, k=0):
    """x with the entries above the k-th diagonal zeroed."""
    return _tensor(x, "tril").tril(k)


@_eager
def triu(x, k=0):
    """x with the entries below the k-th diagonal zeroed."""
    return _tensor(x, "triu").triu(k)


def tri(N, M=None, k=0, dtype=None):
    """The N×M matrix of ones at and below the k-th diagonal (float32)."""
    return creation.as_tensor(np.tri(N, M, k, dtype=_dtype(dtype, "tri") or np.float32))


@_eager
def diag(x, k=0):
    """The k-th diagonal of a matrix, or the square matrix of a vector's diagonal."""
    t = _tensor(x, "diag")
    if t.ndim not in (1, 2):
        raise ValueError(f"keras.ops.diag: the input must be 1-D or 2-D, got shape "
                         f"{tuple(t.shape)}")
    return t.diag(k)


@_eager
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal of the planes (axis1, axis2), as a last axis."""
    t = _tensor(x, "diagonal")
    if t.ndim < 2:
        raise ValueError(f"keras.ops.diagonal: the input must have at least 2 dimensions, "
                         f"got shape {tuple(t.shape)}")
    import retrograd
    a, b = _check_axis(t, axis1, "diagonal"), _check_axis(t, axis2, "diagonal")
    return retrograd.diagonal(t, offset, a, b)


@_eager
def trace(x, offset=0, axis1=0, axis2=1):
    """Σ of the ``offset`` diagonal of the planes (axis1, axis2)."""
    t = _tensor(x, "trace")
    out = diagonal(t, offset, axis1, axis2).sum(-1)
    return out.to(dtype=np.int32) if t.dtype in _SMALL_INTS or t.dtype == np.int32 else out


@_eager
def meshgrid(*x, indexing="xy"):
    """Coordinate grids of the 1-D inputs: indexing "ij" gives (n1, n2, …), "xy"
    swaps the first two axes (Cartesian)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"keras.ops.meshgrid: indexing must be 'xy' or 'ij', got "
                         f"{indexing!r}")
    import retrograd
    return list(retrograd.meshgrid(*[_tensor(v, "meshgrid").reshape(-1) for v in x],
                                   indexing=indexing))


@_eager
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The distinct values (sorted), with the indices of their first occurrences,
    the inverse map and counts on demand (int64, as Keras's PyTorch backend)."""
    t = _tensor(x, "unique")
    xp = array_module(t.array)
    res = xp.unique(_values(t), return_index=True, return_inverse=True, return_counts=True,
                    axis=axis)
    values, index, inverse, counts = res
    if size is not None:
        fill = values.min() if fill_value is None and values.size else (fill_value or 0)
        extra = int(size) - values.shape[0]
        if extra > 0:
            values = xp.concatenate([values, xp.full((extra,), fill, dtype=values.dtype)])
            index = xp.concatenate([index, xp.zeros(extra, index.dtype)])
            counts = xp.concatenate([counts, xp.zeros(extra, counts.dtype)])
        else:
            values, index, counts = values[:size], index[:size], counts[:size]
    out = [_const(t, values)]
    if return_index:
        out.append(_const(t, index.astype(np.int64)))
    if return_inverse:
        out.append(_const(t, inverse.reshape(t.shape if axis is None else -1)
                          .astype(np.int64)))
    if return_counts:
        out.append(_const(t, counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


@_eager
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|x1 − x2| ≤ atol + rtol·|x2|, elementwise (bool)."""
    a, b = _tensor(x1, "isclose"), _tensor(x2, "isclose")
    return _const(a, array_module(a.array).isclose(_values(a), _values(b), rtol, atol,
                                                   equal_nan))


@_eager
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether isclose holds everywhere (a bool scalar tensor)."""
    return isclose(x1, x2, rtol, atol, equal_nan).all()


@_eager
def nonzero(x):
    """A tuple of int32 index tensors, one per axis, of the non-zero entries."""
    t = _tensor(x, "nonzero")
    return tuple(_const(t, i.astype(np.int32)) for i in array_module(t.array).nonzero(
        _values(t)))


@_eager
def count_nonzero(x, axis=None):
    """The number of non-zero entries over ``axis`` (all by default), int32."""
    t = _tensor(x, "count_nonzero")
    return _const(t, array_module(t.array).count_nonzero(_values(t), axis=_axis(axis))
                  .astype(np.int32))


@_eager
def prod(x, axis=None, keepdims=False, dtype=None):
    """Π x over ``axis`` (all axes by default); small integers give int32."""
    import retrograd
    t = _tensor(x, "prod")
    dt = _dtype(dtype, "prod")
    if dt is None and (t.dtype in _SMALL_INTS or t.dtype == np.int32):
        dt = np.dtype(np.int32)
    if dt is not None and dt != t.dtype:
        t = t.to(dtype=dt)
    if axis is not None and not isinstance(axis, int) and len(axis) == 0:
        return t
    flat, keep = _gathered(t, axis, "prod")
    out = retrograd.prod(flat, dim=-1)
    if keepdims:
        out = out.reshape(*keep)
    return out if out.dtype == t.dtype else out.to(dtype=t.dtype)


amax = max
amin = min


@_eager
def average(x, axis=None, weights=None):
    """Σ w·x / Σ w over ``axis`` (the mean without weights); 1-D weights go along
    ``axis``."""
    t = _float(x, "average")
    if weights is None:
        return t.mean(axis=_axis(axis))
    w = _tensor(weights, "average", dtype=t.dtype)
    if axis is not None and w.ndim == 1 and t.ndim > 1:
        a = _check_axis(t, axis, "average")
        if w.shape[0] != t.shape[a]:
            raise ValueError(f"keras.ops.average: weights of length {w.shape[0]} do not "
                             f"fit axis {axis} of size {t.shape[a]}")
        w = w.reshape(*[t.shape[a] if i == a else 1 for i in range(t.ndim)])
    elif tuple(w.shape) != tuple(t.shape):
        raise ValueError(f"keras.ops.average: weights of shape {tuple(w.shape)} must have "
                         f"x's shape {tuple(t.shape)} or be 1-D along axis")
    w = w * creation.ones_like(t)
    return (t * w).sum(axis=_axis(axis)) / w.sum(axis=_axis(axis))


@_eager
def take(x, indices, axis=None):
    """Entries of x at ``indices`` along ``axis`` (of the flattened x without);
    negative indices count from the end."""
    t = _tensor(x, "take")
    idx = _tensor(indices, "take")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.take: indices must be integers, got dtype {idx.dtype}")
    if axis is None:
        t, axis = t.reshape(-1), 0
    axis = _check_axis(t, axis, "take")
    n = t.shape[axis]
    i = _values(idx)
    if i.size and (int(i.min()) < -n or int(i.max()) >= n):
        raise IndexError(f"keras.ops.take: indices from {int(i.min())} to {int(i.max())} "
                         f"are out of bounds for axis {axis} of size {n}")
    i = i % builtins.max(n, 1)
    picked = t.index_select(axis, i.reshape(-1))
    return picked.reshape(*t.shape[:axis], *i.shape, *t.shape[axis + 1:])


@_eager
def take_along_axis(x, indices, axis=None):
    """x picked at ``indices`` along ``axis`` (NumPy's take_along_axis; indices
    broadcast against x on the other axes)."""
    t = _tensor(x, "take_along_axis")
    idx = _tensor(indices, "take_along_axis")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.take_along_axis: indices must be integers, got dtype "
                        f"{idx.dtype}")
    if axis is None:
        t, axis = t.reshape(-1), 0
    axis = _check_axis(t, axis, "take_along_axis")
    if idx.ndim != t.ndim:
        raise ValueError(f"keras.ops.take_along_axis: indices of shape {tuple(idx.shape)} "
                         f"must have as many dimensions as x {tuple(t.shape)}")
    n = t.shape[axis]
    i = _values(idx).astype(np.int64)
    if i.size and (int(i.min()) < -n or int(i.max()) >= n):
        raise IndexError(f"keras.ops.take_along_axis: indices from {int(i.min())} to "
                         f"{int(i.max())} are out of bounds for axis {axis} of size {n}")
    i = i % builtins.max(n, 1)
    shape = [builtins.max(a, b) if k != axis else a for k, (a, b) in
             enumerate(zip(i.shape, t.shape))]
    xp = array_module(t.array)
    i = xp.broadcast_to(i, shape)
    t = _shape.broadcast_to(t, tuple(s if k != axis else t.shape[axis]
                                     for k, s in enumerate(shape)))
    return t.gather(axis, i)


# Elementwise functions of zero derivative (or of booleans): constants of the graph.

def _logical(name, fn):
    @_eager
    def logical(x1, x2):
        a, b = _tensor(x1, name), _tensor(x2, name)
        return _const(a, fn(array_module(a.array), _values(a), _values(b)))
    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = f"Elementwise {name[8:]} of the truth values (bool)."
    return logical


logical_and = _logical("logical_and", lambda xp, a, b: xp.logical_and(a, b))
logical_or = _logical("logical_or", lambda xp, a, b: xp.logical_or(a, b))
logical_xor = _logical("logical_xor", lambda xp, a, b: xp.logical_xor(a, b))


def _test(name, fn, doc, float_dtype=False):
    @_eager
    def test(x):
        t = _tensor(x, name)
        out = fn(array_module(t.array), _values(t))
        if float_dtype and t.dtype.kind not in "fc":
            out = out.astype(np.float32)
        elif float_dtype:
            out = out.astype(t.dtype)
        return _const(t, out)
    test.__name__ = test.__qualname__ = name
    test.__doc__ = doc
    return test


logical_not = _test("logical_not", lambda xp, a: xp.logical_not(a), "not x (bool).")
isnan = _test("isnan", lambda xp, a: xp.isnan(a), "Whether x is NaN (bool).")
isinf = _test("isinf", lambda xp, a: xp.isinf(a), "Whether x is ±∞ (bool).")
isfinite = _test("isfinite", lambda xp, a: xp.isfinite(a), "Whether x is finite (bool).")


def _integral(name, fn, doc):
    @_eager
    def integral(x):
        t = _tensor(x, name)
        if t.dtype.kind in "iub":
            return t.to(dtype=np.float32) if name != "trunc" else t
        return _const(t, fn(array_module(t.array), _values(t)))
    integral.__name__ = integral.__qualname__ = name
    integral.__doc__ = doc + " Its derivative is 0 almost everywhere: a constant."
    return integral


floor = _integral("floor", lambda xp, a: xp.floor(a), "⌊x⌋.")
ceil = _integral("ceil", lambda xp, a: xp.ceil(a), "⌈x⌉.")
trunc = _integral("trunc", lambda xp, a: xp.trunc(a), "x rounded towards 0.")


@_eager
def round(x, decimals=0):
    """x rounded to ``decimals`` places (halves to even). A constant of the graph."""
    t = _tensor(x, "round")
    out = array_module(t.array).round(_values(t), decimals)
    return _const(t, out.astype(t.dtype))


@_eager
def floor_divide(x1, x2):
    """⌊x1 / x2⌋ (a constant of the graph)."""
    a, b = _operands(x1, x2, "floor_divide")
    ref = a if isinstance(a, Tensor) else b
    va = _values(a) if isinstance(a, Tensor) else a
    vb = _values(b) if isinstance(b, Tensor) else b
    xp = array_module(ref.array)
    return _const(ref, xp.asarray(xp.floor_divide(va, vb)).astype(_result_dtype(a, b)))


def _result_dtype(a, b):
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return np.promote_types(a.dtype, b.dtype)
    t, other = (a, b) if isinstance(a, Tensor) else (b, a)
    if t.dtype.kind in "iub" and isinstance(other, float):
        return np.dtype(np.float32)
    return t.dtype


@_eager
def mod(x1, x2):
    """x1 − ⌊x1 / x2⌋·x2 (the sign of x2, as NumPy's); ∂/∂x1 = 1, ∂/∂x2 = −⌊x1/x2⌋."""
    a, b = _operands(x1, x2, "mod")
    q = floor_divide(a, b)
    dt = _result_dtype(a, b)
    if isinstance(a, Tensor) and a.dtype != dt:
        a = a.to(dtype=dt)
    if isinstance(b, Tensor) and b.dtype != dt:
        b = b.to(dtype=dt)
    return a - q * b


@_eager
def reciprocal(x):
    return 1.0 / _float(x, "reciprocal")


# Elementwise functions with a float result: retrograd's (PyTorch-named) functions,
# integer and bool inputs made float32 first as Keras does.

def _unary(name, torch_name=None, doc=None):
    def function(x):
        import retrograd
        return getattr(retrograd, torch_name or name)(_float(x, name))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc or f"retrograd.{torch_name or name} of x (float32 for integers)."
    return _eager(function)


def _binary(name, torch_name=None, doc=None):
    def function(x1, x2):
        import retrograd
        a, b = _float(x1, name), _float(x2, name)
        if a.dtype != b.dtype:
            dt = np.promote_types(a.dtype, b.dtype)
            a, b = a.to(dtype=dt), b.to(dtype=dt)
        return getattr(retrograd, torch_name or name)(a, b)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc or f"retrograd.{torch_name or name} of x1 and x2 (floats)."
    return _eager(function)


log2 = _unary("log2", doc="log₂ x.")
log10 = _unary("log10", doc="log₁₀ x.")
exp2 = _unary("exp2", doc="2ˣ.")
log1p = _unary("log1p", doc="log(1 + x), accurate for small x.")
expm1 = _unary("expm1", doc="eˣ − 1, accurate for small x.")
erf = _unary("erf", doc="The error function (2/√π)∫₀ˣ e^{−t²} dt.")
erfinv = _unary("erfinv", doc="The inverse of erf on (−1, 1).")
rsqrt = _unary("rsqrt", doc="1/√x.")
tan = _unary("tan", doc="tan x.")
sinh = _unary("sinh", doc="sinh x.")
cosh = _unary("cosh", doc="cosh x.")
arcsin = _unary("arcsin", doc="sin⁻¹ x.")
arccos = _unary("arccos", doc="cos⁻¹ x.")
arctan = _unary("arctan", doc="tan⁻¹ x.")
arcsinh = _unary("arcsinh", doc="sinh⁻¹ x.")
arccosh = _unary("arccosh", doc="cosh⁻¹ x.")
arctanh = _unary("arctanh", doc="tanh⁻¹ x.")
deg2rad = _unary("deg2rad", doc="x·π/180.")
rad2deg = _unary("rad2deg", doc="x·180/π.")
sinc = _unary("sinc", doc="sin(πx)/(πx), 1 at 0.")
hypot = _binary("hypot", doc="√(x1² + x2²) without overflow.")
logaddexp = _binary("logaddexp", doc="log(e^x1 + e^x2), stable.")
logaddexp2 = _binary("logaddexp2", doc="log₂(2^x1 + 2^x2), stable.")
arctan2 = _binary("arctan2", doc="The angle of the point (x2, x1): tan⁻¹(x1/x2) in (−π, π].")


@_eager
def cbrt(x):
    """The real cube root sign(x)·|x|^⅓."""
    t = _float(x, "cbrt")
    return sign(t) * t.abs() ** (1.0 / 3.0)


@_eager
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with NaN → ``nan``, +∞ → ``posinf`` and −∞ → ``neginf`` (the dtype's
    largest/smallest by default); gradients flow where x is finite."""
    import retrograd
    t = _tensor(x, "nan_to_num")
    return t if t.dtype.kind not in "fc" else retrograd.nan_to_num(t, nan, posinf, neginf)


@_eager
def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 is 0 (no NaN, no gradient there)."""
    a, b = _float(x1, "divide_no_nan"), _float(x2, "divide_no_nan")
    zero = _const(b, _values(b) == 0)
    return where(zero, 0.0, a / where(zero, 1.0, b))


@_eager
def heaviside(x1, x2):
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 = 0 (a constant)."""
    a, b = _tensor(x1, "heaviside"), _tensor(x2, "heaviside")
    dt = np.promote_types(a.dtype, b.dtype)
    dt = dt if dt.kind in "fc" else np.dtype(np.float32)
    out = array_module(a.array).heaviside(_values(a).astype(dt), _values(b).astype(dt))
    return _const(a, out)


@_eager
def copy(x):
    """A copy of x (gradients flow to x)."""
    t = _tensor(x, "copy")
    return t.clone() if isinstance(x, Tensor) else t


def empty(shape, dtype=None):
    """A tensor of ``shape`` (zeros: retrograd does not hand out stale memory)."""
    return creation.zeros(_shape_of(shape), dtype=_dtype(dtype, "empty") or np.float32)


@_eager
def empty_like(x, dtype=None):
    t = _tensor(x, "empty_like")
    return creation.zeros_like(t, dtype=_dtype(dtype, "empty_like") or t.dtype)


def identity(n, dtype=None):
    """The n×n identity, float32 by default."""
    return eye(n, dtype=dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values from start to stop in geometric progression (float32)."""
    return creation.as_tensor(np.geomspace(start, stop, num, endpoint=endpoint, axis=axis)
                              .astype(_dtype(dtype, "geomspace") or np.float32))


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """base ** linspace(start, stop, num) (float32)."""
    return creation.as_tensor(np.logspace(start, stop, num, endpoint=endpoint, base=base,
                                          axis=axis)
                              .astype(_dtype(dtype, "logspace") or np.float32))


def _at_least(t, n):
    if n == 2 and t.ndim < 2:
        return t.reshape(1, -1)
    if n == 3 and t.ndim < 3:
        return t.reshape(1, -1, 1) if t.ndim < 2 else t.reshape(*t.shape, 1)
    return t


@_eager
def hstack(xs):
    """Concatenation along axis 1 (axis 0 for 1-D inputs)."""
    ts = [_tensor(v, "hstack") for v in xs]
    return _shape.concatenate(ts, 0 if ts and ts[0].ndim == 1 else 1)


@_eager
def vstack(xs):
    """Concatenation along axis 0 of inputs made at least 2-D."""
    return _shape.concatenate([_at_least(_tensor(v, "vstack"), 2) for v in xs], 0)


@_eager
def dstack(xs):
    """Concatenation along axis 2 of inputs made at least 3-D."""
    return _shape.concatenate([_at_least(_tensor(v, "dstack"), 3) for v in xs], 2)


@_eager
def append(x1, x2, axis=None):
    """x2 after x1 along ``axis`` (both flattened without)."""
    a, b = _tensor(x1, "append"), _tensor(x2, "append")
    if axis is None:
        a, b = a.reshape(-1), b.reshape(-1)
        axis = 0
    return _shape.concatenate([a, b], axis)


@_eager
def searchsorted(sorted_sequence, values, side="left"):
    """Where ``values`` would go in the 1-D ascending ``sorted_sequence`` (int32)."""
    s, v = _tensor(sorted_sequence, "searchsorted"), _tensor(values, "searchsorted")
    if s.ndim != 1:
        raise ValueError(f"keras.ops.searchsorted: sorted_sequence must be 1-D, got shape "
                         f"{tuple(s.shape)}")
    if side not in ("left", "right"):
        raise ValueError(f"keras.ops.searchsorted: side must be 'left' or 'right', got "
                         f"{side!r}")
    return _const(s, array_module(s.array).searchsorted(_values(s), _values(v), side=side)
                  .astype(np.int32))


@_eager
def digitize(x, bins):
    """The index of the bin each value falls in (bins ascending; int32)."""
    t, b = _tensor(x, "digitize"), _tensor(bins, "digitize")
    if b.ndim != 1:
        raise ValueError(f"keras.ops.digitize: bins must be 1-D, got shape {tuple(b.shape)}")
    # For ascending bins, digitize(x) = the number of bins ≤ x: searchsorted "right".
    return _const(t, array_module(t.array).searchsorted(_values(b), _values(t), side="right")
                  .astype(np.int32))


@_eager
def bincount(x, weights=None, minlength=0, sparse=False):
    """The count (or the sum of ``weights``) of each non-negative integer of x; a
    2-D x counts each row."""
    if sparse:
        raise NotImplementedError("keras.ops.bincount: sparse=True (retrograd has no sparse "
                                  "tensors)")
    t = _tensor(x, "bincount")
    v = _values(t)
    if t.dtype.kind not in "iu" or (v.size and v.min() < 0):
        raise ValueError(f"keras.ops.bincount: x must hold non-negative integers, got "
                         f"dtype {t.dtype}" + (f" and min {v.min()}" if v.size else ""))
    xp = array_module(v)
    n = builtins.max(int(v.max()) + 1 if v.size else 0, int(minlength))
    w = None if weights is None else _values(_tensor(weights, "bincount"))
    rows = v.reshape(1, -1) if v.ndim == 1 else v
    wr = None if w is None else w.reshape(rows.shape)
    out = xp.stack([xp.bincount(r, weights=None if wr is None else wr[i], minlength=n)
                    for i, r in enumerate(rows)])
    out = out[0] if v.ndim == 1 else out
    dt = np.int32 if w is None else (w.dtype if w.dtype.kind == "f" else np.float32)
    return _const(t, out.astype(dt))


# -- order statistics and NaN-skipping reductions (retrograd's median/quantile…) ---------

def _gathered(t, axis, who):
    """t with the ``axis`` axes laid out as one last axis (all axes for None), and
    the shape to give a keepdims result."""
    axes = tuple(range(t.ndim)) if axis is None else \
        (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(sorted(_check_axis(t, a, who) for a in axes))
    rest = [a for a in range(t.ndim) if a not in axes]
    flat = _shape.permute(t, *rest, *axes).reshape(*[t.shape[a] for a in rest], -1)
    keep = [1 if a in axes else t.shape[a] for a in range(t.ndim)]
    return flat, keep


def _quantiles(name, x, q, axis, method, keepdims, scale=1.0, nan=False):
    import retrograd
    t = _float(x, name)
    if isinstance(q, (int, float)):
        qt = q / scale
        values = np.asarray(qt)
    else:
        qt = _tensor(q, name).to(dtype=t.dtype) * (1.0 / scale)
        values = np.asarray(qt.detach().cpu().array)
    if np.any(values < 0) or np.any(values > 1):
        raise ValueError(f"keras.ops.{name}: q must be in [0, {scale:g}], got "
                         f"{(values * scale).tolist()}")
    flat, keep = _gathered(t, axis, name)
    fn = retrograd.nanquantile if nan else retrograd.quantile
    out = fn(flat, qt, dim=-1, keepdim=False, interpolation=method)
    if keepdims:
        lead = () if isinstance(qt, float) or qt.ndim == 0 else (qt.shape[0],)
        out = out.reshape(*lead, *keep)
    return out


@_eager
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th quantiles (q in [0, 1], a number or a 1-D list: a leading axis) over
    ``axis``; method: linear, lower, higher, midpoint or nearest."""
    return _quantiles("quantile", x, q, axis, method, keepdims)


@_eager
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """quantile with q in [0, 100]."""
    return _quantiles("percentile", x, q, axis, method, keepdims, 100.0)


@_eager
def median(x, axis=None, keepdims=False):
    """The median over ``axis`` (the mean of the two middle values for an even count,
    as NumPy's — PyTorch's median takes the lower one)."""
    return _quantiles("median", x, 0.5, axis, "linear", keepdims)


@_eager
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """quantile ignoring NaNs."""
    return _quantiles("nanquantile", x, q, axis, method, keepdims, nan=True)


@_eager
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """percentile ignoring NaNs."""
    return _quantiles("nanpercentile", x, q, axis, method, keepdims, 100.0, nan=True)


@_eager
def nanmedian(x, axis=None, keepdims=False):
    """median ignoring NaNs."""
    return _quantiles("nanmedian", x, 0.5, axis, "linear", keepdims, nan=True)


@_eager
def nansum(x, axis=None, keepdims=False):
    """Σ x over ``axis``, NaNs counted as 0."""
    import retrograd
    t = _tensor(x, "nansum")
    if t.dtype.kind not in "fc":
        return sum(t, axis, keepdims)
    return retrograd.nansum(t, dim=_axis(axis), keepdim=keepdims)


@_eager
def nanmean(x, axis=None, keepdims=False):
    """The mean over ``axis`` of the entries that are not NaN."""
    import retrograd
    return retrograd.nanmean(_float(x, "nanmean"), dim=_axis(axis), keepdim=keepdims)


@_eager
def diff(a, n=1, axis=-1):
    """The n-th differences along ``axis``: out[i] = a[i + 1] − a[i], n times."""
    import retrograd
    t = _tensor(a, "diff")
    return retrograd.diff(t, n=n, dim=_check_axis(t, axis, "diff"))


@_eager
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """∫ y dx by the trapezoidal rule along ``axis`` (samples at ``x``, or spaced by
    ``dx``)."""
    import retrograd
    t = _float(y, "trapezoid")
    axis = _check_axis(t, axis, "trapezoid")
    if x is None:
        return retrograd.trapezoid(t, dx=dx, dim=axis)
    return retrograd.trapezoid(t, _tensor(x, "trapezoid", dtype=t.dtype), dim=axis)


isneginf = _test("isneginf", lambda xp, a: xp.isinf(a) & (a < 0), "Whether x is −∞ (bool).")
isposinf = _test("isposinf", lambda xp, a: xp.isinf(a) & (a > 0), "Whether x is +∞ (bool).")
signbit = _test("signbit", lambda xp, a: xp.signbit(a), "Whether the sign bit is set "
                "(−0.0 included; bool).")


@_eager
def fmod(x1, x2):
    """x1 − trunc(x1/x2)·x2 (the sign of x1, C's fmod)."""
    import retrograd
    a, b = _operands(x1, x2, "fmod")
    return retrograd.fmod(a if isinstance(a, Tensor) else _tensor(a, "fmod"), b)


@_eager
def fabs(x):
    """|x| as a float (integers give float32)."""
    return _float(x, "fabs").abs()


# -- the rest of Keras's NumPy that retrograd can express ---------------------------------

__all__ += [
    "size", "ndim", "array", "get_item", "select", "fmax", "fmin", "nanmax", "nanmin",
    "nanprod", "nanvar", "nanstd", "nanargmax", "nanargmin", "nancumsum", "nancumprod",
    "ptp", "real", "imag", "conj", "conjugate", "angle", "isreal", "hsplit", "vsplit",
    "dsplit", "diagflat", "vander", "erfc", "ldexp", "saturate_cast", "isin",
    "unravel_index", "histogram", "corrcoef", "correlate", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_invert", "bitwise_left_shift",
    "bitwise_right_shift", "left_shift", "right_shift", "gcd", "lcm", "bartlett",
    "blackman", "hamming", "hanning", "kaiser", "nextafter",
]


def size(x):
    """The number of elements (a tensor, as Keras's PyTorch backend returns)."""
    n = int(np.prod(x.shape)) if hasattr(x, "shape") else int(np.size(x))
    return creation.as_tensor(np.asarray(n, dtype=np.int64))


def ndim(x):
    """The number of dimensions."""
    return len(x.shape) if hasattr(x, "shape") else np.ndim(x)


def array(x, dtype=None):
    """``x`` as a tensor (convert_to_tensor)."""
    return convert_to_tensor(x, dtype=dtype)


@_eager
def get_item(x, key):
    """x[key]."""
    return _tensor(x, "get_item")[key]


@_eager
def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] is the first condition that holds, else
    ``default``."""
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError(f"keras.ops.select: condlist and choicelist must be non-empty "
                         f"and of the same length, got {len(condlist)} and "
                         f"{len(choicelist)}")
    choices = [_tensor(c, "select") for c in choicelist]
    out = default
    for cond, choice in reversed(list(zip(condlist, choices))):
        out = where(cond, choice, out if isinstance(out, Tensor) else
                    _tensor(out, "select", dtype=choice.dtype))
    return out


fmax = _binary("fmax", doc="The maximum, NaN only where both are NaN.")
fmin = _binary("fmin", doc="The minimum, NaN only where both are NaN.")


def _nan_filled(x, fill, who):
    t = _float(x, who)
    return where(_const(t, array_module(t.array).isnan(_values(t))), fill, t)


@_eager
def nanmax(x, axis=None, keepdims=False):
    """max ignoring NaNs (NaN where all are NaN)."""
    t = _float(x, "nanmax")
    out = max(_nan_filled(t, -np.inf, "nanmax"), axis, keepdims)
    allnan = all(isnan(t), axis, keepdims)
    return where(allnan, float("nan"), out)


@_eager
def nanmin(x, axis=None, keepdims=False):
    """min ignoring NaNs (NaN where all are NaN)."""
    t = _float(x, "nanmin")
    out = min(_nan_filled(t, np.inf, "nanmin"), axis, keepdims)
    return where(all(isnan(t), axis, keepdims), float("nan"), out)


@_eager
def nanprod(x, axis=None, keepdims=False):
    """prod with NaNs counted as 1."""
    return prod(_nan_filled(x, 1.0, "nanprod"), axis, keepdims)


@_eager
def nanvar(x, axis=None, keepdims=False):
    """The biased variance of the entries that are not NaN."""
    t = _float(x, "nanvar")
    m = nanmean(t, axis, True)
    return nanmean((t - m) ** 2, axis, keepdims)


@_eager
def nanstd(x, axis=None, keepdims=False):
    """√nanvar."""
    return nanvar(x, axis, keepdims).sqrt()


@_eager
def nanargmax(x, axis=None, keepdims=False):
    """argmax ignoring NaNs (int32)."""
    return argmax(_nan_filled(x, -np.inf, "nanargmax"), axis, keepdims)


@_eager
def nanargmin(x, axis=None, keepdims=False):
    """argmin ignoring NaNs (int32)."""
    return argmin(_nan_filled(x, np.inf, "nanargmin"), axis, keepdims)


@_eager
def nancumsum(x, axis=None, dtype=None):
    """cumsum with NaNs counted as 0."""
    t = _tensor(x, "nancumsum")
    return cumsum(_nan_filled(t, 0.0, "nancumsum") if t.dtype.kind == "f" else t, axis,
                  dtype)


@_eager
def nancumprod(x, axis=None, dtype=None):
    """cumprod with NaNs counted as 1."""
    t = _tensor(x, "nancumprod")
    return cumprod(_nan_filled(t, 1.0, "nancumprod") if t.dtype.kind == "f" else t, axis,
                   dtype)


@_eager
def ptp(x, axis=None, keepdims=False):
    """max − min over ``axis``."""
    return max(x, axis, keepdims) - min(x, axis, keepdims)


@_eager
def real(x):
    """The real part (x itself: retrograd's Keras tensors are real)."""
    return _tensor(x, "real")


@_eager
def imag(x):
    """The imaginary part (zeros for real tensors)."""
    return zeros_like(x)


@_eager
def conj(x):
    """The complex conjugate (x itself for real tensors)."""
    return _tensor(x, "conj")


conjugate = conj


@_eager
def angle(x):
    """The argument: π for negative reals, 0 otherwise (float32 for integers)."""
    t = _float(x, "angle")
    v = _values(t)
    return _const(t, array_module(v).where(v < 0, np.pi, 0.0).astype(t.dtype))


@_eager
def isreal(x):
    """True everywhere for real tensors (bool)."""
    t = _tensor(x, "isreal")
    return _const(t, array_module(t.array).ones(t.shape, dtype=bool))


@_eager
def hsplit(x, indices_or_sections):
    t = _tensor(x, "hsplit")
    return split(t, indices_or_sections, axis=0 if t.ndim == 1 else 1)


@_eager
def vsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=0)


@_eager
def dsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=2)


@_eager
def diagflat(x, k=0):
    """The square matrix with the flattened x on its k-th diagonal."""
    return diag(ravel(x), k)


@_eager
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix: columns x^(N−1) … x⁰ (x⁰ … x^(N−1) when increasing)."""
    t = _tensor(x, "vander")
    if t.ndim != 1:
        raise ValueError(f"keras.ops.vander: x must be 1-D, got shape {tuple(t.shape)}")
    n = t.shape[0] if N is None else int(N)
    powers = range(n) if increasing else range(n - 1, -1, -1)
    cols = [creation.ones_like(t) if p == 0 else t ** p for p in powers]
    return _shape.stack(cols, 1) if cols else t.reshape(-1, 1)[:, :0]


@_eager
def erfc(x):
    """1 − erf(x)."""
    return 1.0 - erf(x)


@_eager
def ldexp(x1, x2):
    """x1 · 2^x2 (x2 integers)."""
    b = _tensor(x2, "ldexp")
    if b.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.ldexp: x2 must be integers, got dtype {b.dtype}")
    a = _float(x1, "ldexp")
    return a * _const(a, (2.0 ** _values(b).astype(np.float64)).astype(a.dtype))


@_eager
def saturate_cast(x, dtype):
    """x cast to ``dtype`` with values clipped to its range first."""
    t = _tensor(x, "saturate_cast")
    dt = _dtype(dtype, "saturate_cast")
    info = np.iinfo(dt) if dt.kind in "iu" else np.finfo(dt)
    lo, hi = builtins.max(float(info.min), -np.inf), float(info.max)
    if t.dtype.kind in "iu":
        src = np.iinfo(t.dtype)
        if src.min >= info.min and src.max <= info.max:
            return t.to(dtype=dt)
    return t.clip(lo, hi).to(dtype=dt)


@_eager
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each entry of x1 is among x2's (bool)."""
    a, b = _tensor(x1, "isin"), _tensor(x2, "isin")
    found = (_values(a)[..., None] == _values(b).reshape(-1)).any(-1)
    return _const(a, ~found if invert else found)


@_eager
def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in ``shape``: a tuple of int32 tensors."""
    t = _tensor(indices, "unravel_index")
    shape = _shape_of(shape)
    v = _values(t)
    if v.size and (v.min() < 0 or v.max() >= np.prod(shape)):
        raise ValueError(f"keras.ops.unravel_index: indices from {v.min()} to {v.max()} "
                         f"are out of range for shape {shape}")
    coords, rest = [], v
    for n in reversed(shape):           # the last axis varies fastest
        coords.append(rest % n)
        rest = rest // n
    return tuple(_const(t, c.astype(np.int32)) for c in reversed(coords))


@_eager
def histogram(x, bins=10, range=None):
    """(counts, bin edges) of x's values in ``bins`` equal bins over ``range``."""
    t = _tensor(x, "histogram")
    if t.ndim != 1:
        raise ValueError(f"keras.ops.histogram: x must be 1-D, got shape {tuple(t.shape)}")
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"keras.ops.histogram: bins must be a positive int, got {bins!r}")
    counts, edges = array_module(t.array).histogram(_values(t), bins=bins, range=range)
    dt = t.dtype if t.dtype.kind == "f" else np.dtype(np.float32)
    return _const(t, counts.astype(dt)), _const(t, edges.astype(dt))


@_eager
def corrcoef(x):
    """The correlation coefficients of the rows of x (variables) over its columns."""
    t = _float(x, "corrcoef")
    t = t.reshape(1, -1) if t.ndim == 1 else t
    if t.ndim != 2:
        raise ValueError(f"keras.ops.corrcoef: x must be 1-D or 2-D, got shape "
                         f"{tuple(t.shape)}")
    c = t - t.mean(axis=1, keepdims=True)
    cov = _matmul(c, c.transpose(0, 1))
    d = (c * c).sum(axis=1).sqrt()
    out = (cov / d.reshape(-1, 1) / d.reshape(1, -1)).clip(-1, 1)
    return out.reshape(()) if out.shape == (1, 1) else out


@_eager
def correlate(x1, x2, mode="valid"):
    """NumPy's correlate of 1-D sequences: c[k] = Σₙ x1[n + k]·x2[n], over the
    overlaps ("valid"), the length of the longer ("same") or all shifts ("full")."""
    from ...ops import conv as _conv
    a, v = _float(x1, "correlate"), _float(x2, "correlate")
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"keras.ops.correlate: x1 and x2 must be 1-D, got shapes "
                         f"{tuple(a.shape)} and {tuple(v.shape)}")
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"keras.ops.correlate: mode must be 'valid', 'same' or 'full', "
                         f"got {mode!r}")
    n, k = a.shape[0], v.shape[0]
    if v.dtype != a.dtype:
        dt = np.promote_types(a.dtype, v.dtype)
        a, v = a.to(dtype=dt), v.to(dtype=dt)
    full = _conv.conv_padded(a.reshape(1, 1, n), v.reshape(1, 1, k), None, (1,),
                             ((k - 1, k - 1),), (1,)).reshape(-1)
    length = {"full": n + k - 1, "same": builtins.max(n, k),
              "valid": builtins.max(n, k) - builtins.min(n, k) + 1}[mode]
    start = (n + k - 1 - length) // 2
    return full[start:start + length]


def _integer_op(name, fn, doc):
    @_eager
    def function(x, y):
        a, b = _tensor(x, name), _tensor(y, name)
        for t in (a, b):
            if t.dtype.kind not in "iub":
                raise TypeError(f"keras.ops.{name}: expected integer or bool tensors, got "
                                f"dtype {t.dtype}")
        out = fn(array_module(a.array), _values(a), _values(b))
        return _const(a, out.astype(np.promote_types(a.dtype, b.dtype)))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


bitwise_and = _integer_op("bitwise_and", lambda xp, a, b: xp.bitwise_and(a, b), "x & y.")
bitwise_or = _integer_op("bitwise_or", lambda xp, a, b: xp.bitwise_or(a, b), "x | y.")
bitwise_xor = _integer_op("bitwise_xor", lambda xp, a, b: xp.bitwise_xor(a, b), "x ^ y.")
bitwise_left_shift = _integer_op("bitwise_left_shift", lambda xp, a, b: xp.left_shift(a, b),
                                 "x << y.")
bitwise_right_shift = _integer_op("bitwise_right_shift",
                                  lambda xp, a, b: xp.right_shift(a, b), "x >> y.")
left_shift, right_shift = bitwise_left_shift, bitwise_right_shift
gcd = _integer_op("gcd", lambda xp, a, b: xp.gcd(a, b), "The greatest common divisor.")
lcm = _integer_op("lcm", lambda xp, a, b: xp.lcm(a, b), "The least common multiple.")


@_eager
def bitwise_not(x):
    """~x (bitwise; logical for bools)."""
    t = _tensor(x, "bitwise_not")
    if t.dtype.kind not in "iub":
        raise TypeError(f"keras.ops.bitwise_not: expected an integer or bool tensor, got "
                        f"dtype {t.dtype}")
    return _const(t, array_module(t.array).invert(_values(t)))


bitwise_invert = bitwise_not


def _window(name, fn, doc):
    def window(x):
        return creation.as_tensor(fn(int(x)).astype(np.float32))
    window.__name__ = window.__qualname__ = name
    window.__doc__ = doc
    return window


bartlett = _window("bartlett", np.bartlett, "The Bartlett (triangular) window of x points.")
blackman = _window("blackman", np.blackman, "The Blackman window of x points.")
hamming = _window("hamming", np.hamming, "The Hamming window of x points.")
hanning = _window("hanning", np.hanning, "The Hann window of x points.")


def kaiser(x, beta):
    """The Kaiser window of x points with shape parameter beta."""
    return creation.as_tensor(np.kaiser(int(x), beta).astype(np.float32))


@_eager
def nextafter(x1, x2):
    """The next representable float after x1 towards x2 (a constant)."""
    a, b = _float(x1, "nextafter"), _float(x2, "nextafter")
    return _const(a, array_module(a.array).nextafter(_values(a), _values(b).astype(a.dtype)))


# -- einops' rearrange, bit views ----------------------------------------------------------

__all__ += ["rearrange", "view"]


def _groups(side, who):
    """'b (h w) c' → [['b'], ['h', 'w'], ['c']]."""
    import re
    if "..." in side or "…" in side:
        from ...missing import NotSupportedError
        raise NotSupportedError(f"keras.ops.{who}: '...' in a pattern is not in retrograd")
    groups, depth = [], None
    for token in re.findall(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+", side):
        if token == "(":
            if depth is not None:
                raise ValueError(f"keras.ops.{who}: nested parentheses in {side!r}")
            depth = []
        elif token == ")":
            if depth is None:
                raise ValueError(f"keras.ops.{who}: unbalanced parentheses in {side!r}")
            groups.append(depth)
            depth = None
        elif token.isdigit():
            if token != "1":
                raise ValueError(f"keras.ops.{who}: only the anonymous axis 1 is allowed, "
                                 f"got {token} in {side!r}")
            if depth is None:           # an axis of size 1, no name
                groups.append([])
        else:
            (groups if depth is None else depth).append([token] if depth is None else token)
    if depth is not None:
        raise ValueError(f"keras.ops.{who}: unbalanced parentheses in {side!r}")
    return groups


@_eager
def rearrange(tensor, pattern, **axes_lengths):
    """einops' rearrange: "b h w c -> b (h w) c" splits the input's grouped axes,
    permutes the named axes and merges the output's groups (sizes of split axes from
    ``axes_lengths``)."""
    t = _tensor(tensor, "rearrange")
    if "->" not in pattern:
        raise ValueError(f"keras.ops.rearrange: the pattern needs '->', got {pattern!r}")
    left, right = (_groups(side, "rearrange") for side in pattern.split("->"))
    if len(left) != t.ndim:
        raise ValueError(f"keras.ops.rearrange: the pattern {pattern!r} names {len(left)} "
                         f"axes for a tensor of shape {tuple(t.shape)}")
    sizes = dict(axes_lengths)
    for group, n in zip(left, t.shape):
        unknown = [a for a in group if a not in sizes]
        known = int(np.prod([sizes[a] for a in group if a in sizes]))
        if len(unknown) > 1:
            raise ValueError(f"keras.ops.rearrange: give the sizes of {unknown[1:]} "
                             f"(axes_lengths) to split an axis of size {n}")
        if unknown:
            if n % known:
                raise ValueError(f"keras.ops.rearrange: an axis of size {n} does not split "
                                 f"into {group} with sizes {axes_lengths}")
            sizes[unknown[0]] = n // known
        elif known != n:
            raise ValueError(f"keras.ops.rearrange: axis group {group} of sizes "
                             f"{[sizes[a] for a in group]} does not match size {n}")
    names = [a for g in left for a in g]
    out_names = [a for g in right for a in g]
    if sorted(names) != sorted(out_names) or len(set(names)) != len(names):
        raise ValueError(f"keras.ops.rearrange: both sides of {pattern!r} must name the "
                         "same axes, each once")
    x = t.reshape(*[sizes[a] for a in names]) if names else t.reshape(())
    x = _shape.permute(x, *[names.index(a) for a in out_names]) if names else x
    return x.reshape(*[int(np.prod([sizes[a] for a in g])) for g in right])


@_eager
def view(x, dtype=None):
    """x's bytes read as ``dtype`` (the last axis rescaled by the itemsizes); a
    constant of the graph."""
    t = _tensor(x, "view")
    if dtype is None:
        return t
    dt = _dtype(dtype, "view")
    v = _values(t)
    if t.ndim == 0 or (t.shape[-1] * t.dtype.itemsize) % dt.itemsize:
        raise ValueError(f"keras.ops.view: a last axis of {t.shape[-1] if t.ndim else 0} "
                         f"{t.dtype} values cannot be read as {dt}")
    return _const(t, array_module(v).ascontiguousarray(v).view(dt))
