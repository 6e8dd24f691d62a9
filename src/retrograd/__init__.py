"""retrograd — a readable, fast deep-learning framework on NumPy (and CuPy).

>>> import retrograd as rg
>>> x = rg.tensor([-2.0], requires_grad=True); y = rg.tensor([5.0], requires_grad=True)
>>> z = rg.tensor([-4.0], requires_grad=True)
>>> f = (x + y) * z; f.backward()
>>> x.grad, y.grad, z.grad        # the course's example: −4, −4, 3

PyTorch code runs with ``import retrograd as torch``: the dtypes, devices,
creation functions, ``save``/``load``, ``optim`` (with ``lr_scheduler``),
``utils.data``, ``cuda``, ``backends`` and ``accelerator`` have PyTorch's names;
the functions of tensors take PyTorch's ``out=`` and ``split`` is PyTorch's.
A PyTorch feature retrograd lacks (``torch.compile``, ``torch.jit``…) raises
``NotSupportedError`` naming it; docs/pytorch.md has the table.
"""
import builtins as _builtins
import functools as _functools
import warnings as _warnings

from numpy import dtype   # torch.dtype: the class of retrograd's dtypes (isinstance checks)

from . import dtypes
from . import methods  # noqa: F401  (binds Tensor's computing methods to the ops)
from . import backend
from .backend import cuda_available
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, logspace, normal, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .devices import device, get_default_device, set_default_device
from .dlpack import from_dlpack
from .dtypes import (bool, cdouble, cfloat, complex64, complex128, double, finfo, float,
                     float16, float32, float64, get_default_dtype, half, iinfo, int, int8,
                     int16, int32, int64, is_complex, is_floating_point, long,
                     set_default_dtype, short, uint8, uint16, uint32, uint64)
from .function import (AnomalyError, Function, detect_anomaly, enable_grad, inference_mode,
                       is_grad_enabled, no_grad, set_grad_enabled)
from .function import mark_modified as _mark_modified
from .generator import Generator
from .printing import set_printoptions
from .threads import get_num_threads, set_num_threads
from .missing import TOP_LEVEL as _MISSING, NotSupportedError, module_getattr
from . import linalg
from .ops import activations as _activations
from .ops import comparison as _comparison
from .ops import division as _division
from .ops import einsum as _einsum_ops
from .ops import elementwise as _elementwise
from .ops import exponential as _exponential
from .ops import logical as _logical
from .ops import matmul as _matmul
from .ops import products as _products
from .ops import rearranging as _rearranging
from .ops import reorder as _reorder
from .ops import rounding as _rounding
from .ops import sampling as _sampling
from .ops import scan as _scan
from .ops import scatter as _scatter
from .ops import searching as _searching
from .ops import selecting as _selecting
from .ops import softmax as _softmax
from .ops import shape as _ops_shape
from .ops import sorting as _sorting
from .ops import special as _special
from .ops import stacking as _stacking
from .ops import statistics as _statistics
from .ops import triangular as _triangular
from .ops import trigonometry as _trigonometry
from .ops.activations import relu
from .ops.comparison import allclose, equal, isclose
from .ops.einsum import einsum
from .ops.shape import (broadcast_to, chunk, expand, flatten, permute, reshape, split,
                        squeeze, tensor_split, transpose, unsqueeze)
from .ops.shape import concatenate as _ops_concatenate
from .ops.shape import stack as _ops_stack
from .ops.sorting import unique
from .random import get_rng_state, manual_seed, set_rng_state
from .tensor import Size, Tensor
from .tensor_files import load, save

bool_ = bool        # the name before the PyTorch names (NumPy's spelling)


def is_tensor(obj):
    """True when ``obj`` is a retrograd Tensor."""
    return isinstance(obj, Tensor)


def numel(x):
    """The number of elements of ``x``."""
    return x.numel()


# -- out=: the result written into a given tensor, as PyTorch does ------------------------
# ``torch.add(a, b, out=c)`` computes a + b and writes it into c (PyTorch's rules): c is
# resized when its shape differs (with PyTorch's warning when it had elements), the
# result is cast to c's dtype when PyTorch allows the cast (never float → integer,
# complex → real or anything → bool), and some functions want c's dtype to be exactly
# the result's. Outside no_grad() no argument may require grad (out= is not
# differentiable). c's version counter goes up, as after any in-place change.
# (In this module all, any, abs, max, min, sum, bool, int and float are retrograd's:
# the code says _builtins.any where it means Python's.)

# PyTorch refuses an out of another dtype for these (it casts for the others).
_EXACT_OUT_DTYPE = {"matmul", "mm", "bmm", "dot", "amax", "amin", "argmax", "argmin",
                    "all", "any", "softmax", "log_softmax", "where", "gather", "norm",
                    "clamp", "clip", "neg", "nonzero", "multinomial"}
_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _with_out(fn, name=None):
    """``fn`` with PyTorch's ``out=`` keyword (see above)."""
    name = name or fn.__name__

    @_functools.wraps(fn)
    def function(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return _into_out(name, fn, args, kwargs, out)
    return function


def _into_out(name, fn, args, kwargs, out):
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    wrong = [type(o).__name__ for o in outs if not isinstance(o, Tensor)]
    if wrong:
        raise TypeError(f"{name}(): argument 'out' must be Tensor (or a tuple of tensors "
                        f"where the result is one), not {wrong[0]}")
    if is_grad_enabled():
        given = [*args, *kwargs.values(), *outs]
        given += [t for a in given if isinstance(a, (list, tuple)) for t in a]
        if _builtins.any(isinstance(t, Tensor) and t.requires_grad for t in given):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments "
                               "requires grad (as in PyTorch): call it inside "
                               "retrograd.no_grad(), or without out= (y = f(x))")
    with no_grad():
        result = fn(*args, **kwargs)
    results = tuple(result) if isinstance(result, tuple) else (result,)
    if isinstance(out, (tuple, list)) != isinstance(result, tuple) or \
            len(outs) != len(results):
        raise TypeError(f"{name}(): out= takes {len(results)} tensor(s) here"
                        + (" (values, indices)" if len(results) == 2 else "")
                        + f", got {type(out).__name__} of {len(outs)}")
    exact = name in _EXACT_OUT_DTYPE or len(results) > 1
    for r, o in zip(results, outs):
        _write_out(name, r, o, exact)
    return type(result)(*outs) if isinstance(result, tuple) else out


def _write_out(name, result, out, exact):
    if not isinstance(result, Tensor):
        result = Tensor(result)
    if result.device != out.device:
        raise RuntimeError(f"{name}(): out= is on {out.device} and the result on "
                           f"{result.device}; Expected all tensors to be on the same device")
    rd, od = result.dtype, out.dtype
    if exact and rd != od:
        raise RuntimeError(f"{name}(): Expected out tensor to have dtype {rd}, but got "
                           f"{od} instead")
    if od.kind == "b" and rd.kind != "b" or _KIND_ORDER[rd.kind] > _KIND_ORDER[od.kind]:
        raise RuntimeError(f"{name}(): result type {rd} can't be cast to the desired "
                           f"output type {od}")
    if out.shape != result.shape:
        if out.numel():
            _warnings.warn(
                f"{name}(): An output with one or more elements was resized since it had "
                f"shape {list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}. PyTorch deprecates this; pass an empty tensor "
                "(retrograd.empty(0)) to be resized without a warning.",
                UserWarning, stacklevel=4)
        xp = backend.array_module(out.array)
        out.array = xp.empty(result.shape, dtype=od)
        out._base = None          # new memory: no longer a view of another tensor
    out.array[...] = result.array
    _mark_modified(out)


exp = _with_out(_elementwise.exp)
log = _with_out(_elementwise.log)
sqrt = _with_out(_elementwise.sqrt)
abs = _with_out(_elementwise.abs)
sin = _with_out(_elementwise.sin)
cos = _with_out(_elementwise.cos)
maximum = _with_out(_elementwise.maximum)
minimum = _with_out(_elementwise.minimum)
clip = _with_out(_elementwise.clip)
where = _with_out(_elementwise.where)
tanh = _with_out(_activations.tanh)
sigmoid = _with_out(_activations.sigmoid)
matmul = _with_out(_matmul.matmul)
softmax = _with_out(_softmax.softmax)
log_softmax = _with_out(_softmax.log_softmax)
logsumexp = _with_out(_softmax.logsumexp)
concatenate = _with_out(_ops_concatenate, "concatenate")
sort = _with_out(_sorting.sort)
argsort = _sorting.argsort
topk = _with_out(_sorting.topk)
cumsum = _with_out(_scan.cumsum)
cumprod = _with_out(_scan.cumprod)
flip = _reorder.flip
roll = _reorder.roll
tril = _with_out(_triangular.tril)
triu = _with_out(_triangular.triu)
diag = _with_out(_triangular.diag)
trace = _triangular.trace
outer = _with_out(_einsum_ops.outer)
index_select = _with_out(_scatter.index_select)
scatter = _with_out(_scatter.scatter)
scatter_add = _with_out(_scatter.scatter_add)
nonzero = _with_out(_comparison.nonzero)
multinomial = _with_out(_sampling.multinomial)
bernoulli = _with_out(_sampling.bernoulli)
msort = _with_out(_sorting.msort)
unique_consecutive = _sorting.unique_consecutive
hsplit, vsplit, dsplit = _ops_shape.hsplit, _ops_shape.vsplit, _ops_shape.dsplit


def ravel(input):
    """The elements of ``input`` as one dimension (torch.ravel)."""
    return input.ravel()

# -- elementwise math (ops/rounding.py, exponential.py, trigonometry.py, special.py,
#    logical.py, division.py): retrograd.floor(x), retrograd.atan2(y, x, out=…), …
_MATH_MODULES = (_rounding, _exponential, _special, _trigonometry, _logical, _division)
_MATH_NO_OUT = {"isnan", "isinf", "isfinite", "isreal", "positive"}   # as PyTorch's
_ELEMENTWISE_MATH = [_n for _m in _MATH_MODULES for _n in _m.PUBLIC]
for _m in _MATH_MODULES:
    for _n in _m.PUBLIC:
        globals()[_n] = getattr(_m, _n) if _n in _MATH_NO_OUT else \
            _with_out(getattr(_m, _n), _n)
del _m, _n
pi, e, inf, nan = 3.141592653589793, 2.718281828459045, _builtins.float("inf"), \
    _builtins.float("nan")   # Python floats, as PyTorch's


@_with_out
def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dimension (PyTorch's ``dim``, NumPy's ``axis``)."""
    return _ops_concatenate(tensors, dim if axis is None else axis)


concat = _with_out(cat.__wrapped__, "concat")


@_with_out
def stack(tensors, dim=0, *, axis=None):
    """Join tensors along a new dimension."""
    return _ops_stack(tensors, dim if axis is None else axis)


# -- reductions, scans, shape and indexing functions (ops/statistics.py, selecting.py,
#    rearranging.py, stacking.py, searching.py; cummax… in scan.py): retrograd.prod,
#    retrograd.median(x, 1, out=(v, i)), retrograd.meshgrid(a, b, indexing="ij"), …

_SHAPE_STATS_OUT = {   # module: the functions that take PyTorch's out=
    _statistics: ["prod", "median", "nanmedian", "mode", "kthvalue", "quantile",
                  "nanquantile", "nansum", "nanmean", "aminmax"],
    _scan: ["cummax", "cummin", "logcumsumexp", "diff"],
    _selecting: ["take", "take_along_dim", "masked_select", "index_add", "index_copy"],
    _stacking: ["hstack", "vstack", "row_stack", "dstack", "column_stack"],
    _searching: ["searchsorted", "bucketize", "histc"]}
_SHAPE_STATS_PLAIN = {
    _statistics: ["var_mean", "std_mean", "count_nonzero"],
    _selecting: ["narrow", "select", "unbind", "masked_scatter", "diagonal", "diag_embed",
                 "index_fill", "tril_indices", "triu_indices"],
    _rearranging: ["movedim", "moveaxis", "swapaxes", "swapdims", "unflatten", "tile",
                   "repeat_interleave", "fliplr", "flipud", "rot90", "atleast_1d",
                   "atleast_2d", "atleast_3d"],
    _stacking: ["meshgrid", "broadcast_tensors", "broadcast_shapes", "block_diag",
                "cartesian_prod", "combinations"],
    _searching: ["bincount", "argwhere"]}
_SHAPE_STATS = []
for _m, _names in _SHAPE_STATS_OUT.items():
    for _n in _names:
        globals()[_n] = _with_out(getattr(_m, _n), _n)
        _SHAPE_STATS.append(_n)
for _m, _names in _SHAPE_STATS_PLAIN.items():
    for _n in _names:
        globals()[_n] = getattr(_m, _n)
        _SHAPE_STATS.append(_n)
del _m, _n, _names


# -- linear algebra: retrograd.linalg (torch.linalg), the products of ops/products.py and
#    torch's top-level names for linalg's functions (torch.det, torch.svd → (U, S, V), …)
_PRODUCTS_OUT = ["tensordot", "inner", "vdot", "mv", "addmm", "addmv", "addr", "baddbmm",
                 "addbmm", "kron", "cross"]        # these take PyTorch's out=
_PRODUCTS_PLAIN = ["cdist", "dist", "trapezoid", "trapz", "cumulative_trapezoid",
                   "chain_matmul"]
for _n in _PRODUCTS_OUT:
    globals()[_n] = _with_out(getattr(_products, _n), _n)
for _n in _PRODUCTS_PLAIN:
    globals()[_n] = getattr(_products, _n)
_LINALG_NAMES = ["linalg", *_PRODUCTS_OUT, *_PRODUCTS_PLAIN, "inverse", "det", "logdet",
                 "slogdet", "svd", "pinverse", "matrix_power", "cholesky", "qr",
                 "cholesky_inverse", "cholesky_solve", "matrix_exp", "ger"]
inverse = _with_out(linalg.inv.__wrapped__, "inverse")
det, logdet, slogdet = linalg.det.__wrapped__, linalg.logdet, linalg.slogdet.__wrapped__
svd = _with_out(linalg.torch_svd, "svd")
matrix_power = _with_out(linalg.matrix_power.__wrapped__, "matrix_power")
cholesky_inverse = _with_out(linalg.torch_cholesky_inverse, "cholesky_inverse")
cholesky_solve = _with_out(linalg.torch_cholesky_solve, "cholesky_solve")
matrix_exp = linalg.matrix_exp
ger = _with_out(_einsum_ops.outer, "ger")     # torch.ger: the old name of outer
qr = _with_out(lambda input, some=True: linalg.qr.__wrapped__(
    input, "reduced" if some else "complete"), "qr")
del _n


def pinverse(input, rcond=1e-15):
    """The pseudo-inverse, singular values below rcond·σ_max counted as 0 (torch.pinverse)."""
    return linalg.pinv.__wrapped__(input, rtol=rcond)


@_with_out
def cholesky(input, upper=False):
    """torch.cholesky (deprecated for torch.linalg.cholesky): L, or U with ``upper``."""
    return linalg.cholesky.__wrapped__(input, upper=upper)


# Functions that are the Tensor method of the same name: ``retrograd.sum(x, 1)`` is
# ``x.sum(1)``, with whatever arguments the method takes (PyTorch's dim/keepdim).
_METHOD_DOCS = {
    "sum": "Σ x over ``dim``.", "mean": "(1/n) Σ x over ``dim``.",
    "max": "max x over ``dim`` (the gradient goes to the maximum).",
    "min": "min x over ``dim``.", "var": "Σ (x − x̄)² / (n − correction) over ``dim``.",
    "std": "√var(x).", "argmax": "Index of the maximum (no gradient).",
    "argmin": "Index of the minimum (no gradient).",
    "add": "x + α·y.", "sub": "x − α·y.", "mul": "x · y, elementwise.", "div": "x / y.",
    "pow": "xʸ.", "square": "x².", "neg": "−x.", "mm": "The matrix product of 2-D x and y.",
    "bmm": "Batched matrix products.", "dot": "Σ xᵢ yᵢ of 1-D x and y.",
    "t": "The transpose of a matrix.", "clamp": "x clipped to [min, max].",
    "norm": "The p-norm.", "amax": "max x over ``dim``.", "amin": "min x over ``dim``.",
    "all": "True where all are true.", "any": "True where any is true.",
    "eq": "x == y.", "ne": "x != y.", "lt": "x < y.", "le": "x <= y.", "gt": "x > y.",
    "ge": "x >= y.", "gather": "Entries of x picked along ``dim`` by ``index``.",
    "masked_fill": "x with ``value`` where ``mask``.", "clone": "A copy (differentiable).",
    "detach": "The same data, cut from the graph.",
}
# PyTorch's functions of these names take no out= (TypeError there and here).
_NO_OUT = {"t", "masked_fill", "clone", "detach"}


def _method_as_function(name, doc):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{doc} ``retrograd.{name}(x, …)`` is ``x.{name}(…)``" + \
        ("." if name in _NO_OUT else "; ``out=`` writes the result into a given tensor.")
    return function if name in _NO_OUT else _with_out(function)


for _name, _doc in _METHOD_DOCS.items():
    if hasattr(Tensor, _name):       # a method Tensor lacks stays missing here too
        globals()[_name] = _method_as_function(_name, _doc)
del _name, _doc


__version__ = "0.1.0"

__all__ = [
    "Tensor", "Size", "Function", "AnomalyError", "NotSupportedError",
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "eye", "arange",
    "linspace", "logspace", "randn", "rand", "normal", "randint", "randperm", "zeros_like",
    "ones_like", "empty_like", "full_like", "randn_like", "rand_like", "randint_like",
    "is_tensor", "numel", "save", "load", "from_dlpack", "Generator",
    "device", "set_default_device", "get_default_device", "cuda_available",
    *dtypes.NAMES, "get_default_dtype", "set_default_dtype", "finfo", "iinfo",
    "is_floating_point", "is_complex",
    "no_grad", "inference_mode", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "manual_seed", "get_rng_state", "set_rng_state",
    "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
    "maximum", "minimum", "clip", "where", "sum", "mean", "max", "min", "var", "std",
    "argmax", "logsumexp", "softmax", "log_softmax", "matmul",
    "reshape", "transpose", "permute", "flatten", "squeeze", "unsqueeze", "expand",
    "broadcast_to", "concatenate", "cat", "concat", "stack", "split", "tensor_split",
    "chunk",
    "allclose", "isclose", "equal", "tril", "triu", "sort", "argsort", "topk", "cumsum",
    "cumprod", "flip", "roll", "einsum", "outer", "diag", "trace", "index_select",
    "scatter", "scatter_add", "nonzero", "unique", "multinomial", "bernoulli", "msort",
    "unique_consecutive", "hsplit", "vsplit", "dsplit", "dtype", "ravel",
    "set_printoptions", "set_num_threads", "get_num_threads",
    *_ELEMENTWISE_MATH, "pi", "e", "inf", "nan",
    *_SHAPE_STATS,
    *_LINALG_NAMES,
    *(name for name in _METHOD_DOCS if name in globals()),
]

# PyTorch names retrograd does not have: NotSupportedError (also an AttributeError,
# so hasattr() is False); unknown names: AttributeError.
__getattr__ = module_getattr(__name__, _MISSING)

from . import optim, data  # noqa: E402  (they import the core above)
from . import nn  # noqa: E402,F401
from . import accelerator, autograd, backends, cuda, utils  # noqa: E402,F401
from . import distributions, special  # noqa: E402,F401  (torch.distributions, torch.special)
from .utils import dlpack as _utils_dlpack  # noqa: E402,F401  (retrograd.utils.dlpack)
from . import onnx  # noqa: E402,F401  (imports the onnx library only when exporting)
