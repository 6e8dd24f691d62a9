"""retrograd — a readable, fast deep-learning framework on NumPy (and CuPy).

>>> import retrograd as rg
>>> x = rg.tensor([-2.0], requires_grad=True); y = rg.tensor([5.0], requires_grad=True)
>>> z = rg.tensor([-4.0], requires_grad=True)
>>> f = (x + y) * z; f.backward()
>>> x.grad, y.grad, z.grad        # the course's example: −4, −4, 3
"""
from .backend import cuda_available
from .creation import (arange, from_numpy, full, full_like, ones, ones_like, rand,
                       rand_like, randn, randn_like, tensor, zeros, zeros_like)
from .function import (AnomalyError, Function, detect_anomaly, enable_grad,
                       is_grad_enabled, no_grad, set_grad_enabled)
from .ops.activations import relu, sigmoid, tanh
from .ops.elementwise import abs, clip, cos, exp, log, maximum, minimum, sin, sqrt, where
from .ops.matmul import matmul
from .ops.shape import (broadcast_to, concatenate, expand, flatten, permute, reshape,
                        split, squeeze, stack, transpose, unsqueeze)
from .ops.softmax import log_softmax, logsumexp, softmax
from .random import manual_seed
from .tensor import Tensor

cat = concatenate
float32, float64, int64, int32, bool_ = "float32", "float64", "int64", "int32", "bool"


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
    "Tensor", "Function", "AnomalyError", "tensor", "from_numpy", "zeros", "ones", "full",
    "arange", "randn", "rand", "zeros_like", "ones_like", "full_like", "randn_like",
    "rand_like", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "manual_seed", "cuda_available",
    "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
    "maximum", "minimum", "clip", "where", "sum", "mean", "max", "min", "var", "std",
    "argmax", "logsumexp", "softmax", "log_softmax", "matmul",
    "reshape", "transpose", "permute", "flatten", "squeeze", "unsqueeze", "expand",
    "broadcast_to", "concatenate", "cat", "stack", "split",
]

from . import optim, data  # noqa: E402  (they import the core above)
from . import nn  # noqa: E402,F401
