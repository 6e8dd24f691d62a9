"""PyTorch's ``torch.autograd``: custom differentiable functions, and gradients of
chosen outputs with respect to chosen inputs.

``Function`` (``function.py``) is PyTorch's way of adding an op: static
``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` on tensors, called
through ``.apply``. retrograd's own ops are written the same way on arrays
(``retrograd.Function``, docs/extending.md); both enter the same graph.

>>> class Cube(retrograd.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, g):
...         x, = ctx.saved_tensors
...         return 3 * x ** 2 * g
"""
from ..function import (detect_anomaly, enable_grad, is_grad_enabled, no_grad,
                        set_grad_enabled, state)
from ..tensor import Tensor
from .function import Function, FunctionCtx
from .gradients import backward, grad


def Variable(data, requires_grad=False):
    """PyTorch's old wrapper: today a tensor is its own variable. Returns ``data``
    as a tensor (the same one when it is already a tensor)."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


class set_detect_anomaly(detect_anomaly):
    """``set_detect_anomaly(mode)``: anomaly detection on or off, for the scope of a
    ``with`` (as PyTorch's) or from now on when simply called."""

    def __init__(self, mode, check_nan=True):
        self._mode = bool(mode)
        self._prev = state.anomaly
        state.anomaly = self._mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.anomaly = self._prev


__all__ = ["Function", "FunctionCtx", "grad", "backward", "Variable", "no_grad",
           "enable_grad", "set_grad_enabled", "is_grad_enabled", "detect_anomaly",
           "set_detect_anomaly"]
