"""The parts of gradient clipping by norm, as ``torch.nn.utils``: ``get_total_norm``
(the norm of many tensors together), ``clip_grads_with_norm_`` (rescale by a norm
already computed, e.g. reduced across processes), and the deprecated
``clip_grad_norm`` alias of ``clip_grad_norm_``."""
import warnings

import numpy as np

from ...backend import array_module
from ...tensor import Tensor


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """‖(‖t₁‖_q, …, ‖t_n‖_q)‖_q over ``tensors`` (any tensors, e.g. the gradients):
    a 0-d tensor, 0. for none."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not tensors:
        return Tensor(np.asarray(0.0, np.float32))
    norm_type = float(norm_type)
    arrays = [t.array for t in tensors]
    xp = array_module(arrays[0])
    norms = xp.stack([xp.asarray(_norm(xp, a.ravel(), norm_type), dtype=a.dtype)
                      for a in arrays])
    total = Tensor._wrap(xp.asarray(_norm(xp, norms, norm_type)))   # the norm of the norms
    value = float(total)
    if error_if_nonfinite and not np.isfinite(value):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm "
                           "anyway, set `error_if_nonfinite=False`")
    return total


def _norm(xp, v, p):
    if p == float("inf"):
        return abs(v).max() if v.size else v.dtype.type(0)
    return xp.linalg.norm(v, p) if p != 0 else (v != 0).sum().astype(v.dtype)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """g ← g · min(1, max_norm / (total_norm + 1e-6)) for every gradient, in place."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad.array for p in parameters if p.grad is not None]
    if not grads:
        return
    total = float(total_norm)
    coef = min(float(max_norm) / (total + 1e-6), 1.0)     # NaN stays NaN, as clamp's
    for g in grads:
        g *= g.dtype.type(coef)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """Deprecated alias of ``clip_grad_norm_`` (FutureWarning, as PyTorch's)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    from . import clip_grad_norm_    # the package defines it; imported late (no cycle)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)
