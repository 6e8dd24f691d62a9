"""retrograd — a readable, fast deep-learning framework on NumPy (and CuPy).

>>> import retrograd as rg
>>> x = rg.tensor([-2.0], requires_grad=True); y = rg.tensor([5.0], requires_grad=True)
>>> z = rg.tensor([-4.0], requires_grad=True)
>>> f = (x + y) * z; f.backward()
>>> x.grad, y.grad, z.grad        # the course's example: −4, −4, 3

PyTorch code runs with ``import retrograd as torch``: the dtypes, devices,
creation functions, ``save``/``load``, ``optim`` (with ``lr_scheduler``),
``utils.data``, ``cuda``, ``backends`` and ``accelerator`` have PyTorch's names.
A PyTorch feature retrograd lacks (``torch.compile``, ``torch.jit``…) raises
``NotSupportedError`` naming it; docs/pytorch.md has the table.
"""
from . import dtypes
from . import methods  # noqa: F401  (binds Tensor's computing methods to the ops)
from .backend import cuda_available
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, logspace, normal, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .devices import device, get_default_device, set_default_device
from .dtypes import (bool, cdouble, cfloat, complex64, complex128, double, finfo, float,
                     float16, float32, float64, get_default_dtype, half, iinfo, int, int8,
                     int16, int32, int64, is_complex, is_floating_point, long,
                     set_default_dtype, short, uint8, uint16, uint32, uint64)
from .function import (AnomalyError, Function, detect_anomaly, enable_grad,
                       is_grad_enabled, no_grad, set_grad_enabled)
from .generator import Generator
from .missing import TOP_LEVEL as _MISSING, NotSupportedError, module_getattr
from .ops.activations import relu, sigmoid, tanh
from .ops.elementwise import abs, clip, cos, exp, log, maximum, minimum, sin, sqrt, where
from .ops.matmul import matmul
from .ops.shape import (broadcast_to, concatenate, expand, flatten, permute, reshape,
                        split, squeeze, transpose, unsqueeze)
from .ops.shape import stack as _ops_stack
from .ops.softmax import log_softmax, logsumexp, softmax
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


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dimension (PyTorch's ``dim``, NumPy's ``axis``)."""
    return concatenate(tensors, dim if axis is None else axis)


concat = cat


def stack(tensors, dim=0, *, axis=None):
    """Join tensors along a new dimension."""
    return _ops_stack(tensors, dim if axis is None else axis)


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


def _method_as_function(name, doc):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{doc} ``retrograd.{name}(x, …)`` is ``x.{name}(…)``."
    return function


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
    "is_tensor", "numel", "save", "load", "Generator",
    "device", "set_default_device", "get_default_device", "cuda_available",
    *dtypes.NAMES, "get_default_dtype", "set_default_dtype", "finfo", "iinfo",
    "is_floating_point", "is_complex",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "manual_seed", "get_rng_state", "set_rng_state",
    "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
    "maximum", "minimum", "clip", "where", "sum", "mean", "max", "min", "var", "std",
    "argmax", "logsumexp", "softmax", "log_softmax", "matmul",
    "reshape", "transpose", "permute", "flatten", "squeeze", "unsqueeze", "expand",
    "broadcast_to", "concatenate", "cat", "concat", "stack", "split",
    *(name for name in _METHOD_DOCS if name in globals()),
]

# PyTorch names retrograd does not have: NotSupportedError (also an AttributeError,
# so hasattr() is False); unknown names: AttributeError.
__getattr__ = module_getattr(__name__, _MISSING)

from . import optim, data  # noqa: E402  (they import the core above)
from . import nn  # noqa: E402,F401
from . import accelerator, autograd, backends, cuda, utils  # noqa: E402,F401
