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
                        split, squeeze, stack, transpose, unsqueeze)
from .ops.softmax import log_softmax, logsumexp, softmax
from .random import get_rng_state, manual_seed, set_rng_state
from .tensor import Tensor
from .tensor_files import load, save

cat = concatenate
bool_ = bool        # the name before the PyTorch names (NumPy's spelling)


def is_tensor(obj):
    """True when ``obj`` is a retrograd Tensor."""
    return isinstance(obj, Tensor)


def numel(x):
    """The number of elements of ``x``."""
    return x.numel()


def sum(x, axis=None, keepdims=False):
    """Σ x over ``axis``."""
    return x.sum(axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """(1/n) Σ x over ``axis``."""
    return x.mean(axis, keepdims)


def max(x, axis=None, keepdims=False):
    """max x over ``axis`` (the gradient goes to the maximum)."""
    return x.max(axis, keepdims)


def min(x, axis=None, keepdims=False):
    """min x over ``axis``."""
    return x.min(axis, keepdims)


def var(x, axis=None, keepdims=False, ddof=0):
    """Σ (x − x̄)² / (n − ddof) over ``axis`` (ddof=0 as NumPy)."""
    return x.var(axis, keepdims, ddof)


def std(x, axis=None, keepdims=False, ddof=0):
    """√var(x)."""
    return x.std(axis, keepdims, ddof)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (no gradient)."""
    return x.argmax(axis, keepdims)


__version__ = "0.1.0"

__all__ = [
    "Tensor", "Function", "AnomalyError", "NotSupportedError",
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
    "broadcast_to", "concatenate", "cat", "stack", "split",
]

# PyTorch names retrograd does not have: NotSupportedError (also an AttributeError,
# so hasattr() is False); unknown names: AttributeError.
__getattr__ = module_getattr(__name__, _MISSING)

from . import optim, data  # noqa: E402  (they import the core above)
from . import nn  # noqa: E402,F401
from . import accelerator, autograd, backends, cuda, utils  # noqa: E402,F401
