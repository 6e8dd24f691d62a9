"""Gradient clipping, applied to ``.grad`` in place between backward and step.

Clipping by norm rescales all gradients together, so the direction of the step is
kept and only its length is bounded; clipping by value clamps each component and
can change the direction. Both follow ``torch.nn.utils``.
"""
import math

from ...backend import array_module
from ...tensor import Tensor
from . import rnn  # noqa: F401  (nn.utils.rnn: pad_sequence; packing raises NotSupportedError)
import numpy as np


def _grads(parameters, where):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = []
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameters must be tensors, got "
                            f"{type(p).__name__} at position {i}")
        if p.grad is not None:
            grads.append(p.grad.array)
    return grads


def _number(value, name, where):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}") from None
    return value


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale the gradients so that their global norm is at most ``max_norm``.

    ‖g‖ = (Σ_params ‖g_p‖_q^q)^{1/q} over every gradient together (q = ``norm_type``,
    ``float('inf')`` for the max norm); each g_p ← g_p · min(1, max_norm / (‖g‖ + 1e-6)).
    Parameters without a gradient are skipped. Returns the total norm before
    clipping, as a 0-d tensor.

    >>> loss.backward(); clip_grad_norm_(params, 1.0); opt.step()
    """
    where = "clip_grad_norm_"
    max_norm = _number(max_norm, "max_norm", where)
    norm_type = _number(norm_type, "norm_type", where)
    if not max_norm >= 0:
        raise ValueError(f"{where}: max_norm must be >= 0, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"{where}: norm_type must be > 0 or inf, got {norm_type}")
    grads = _grads(parameters, where)
    if not grads:
        return Tensor._wrap(np.asarray(0.0, dtype=np.float32))
    xp = array_module(grads[0])
    norms = [xp.linalg.norm(g.ravel(), norm_type) for g in grads]
    total = xp.linalg.norm(xp.stack([xp.asarray(n, dtype=grads[0].dtype) for n in norms]),
                           norm_type)
    total_f = float(total)
    if error_if_nonfinite and not math.isfinite(total_f):
        raise RuntimeError(f"{where}: the total norm of order {norm_type} of the gradients "
                           f"is {total_f}; pass error_if_nonfinite=False to clip anyway")
    coef = max_norm / (total_f + 1e-6)
    # PyTorch multiplies by min(coef, 1) always; by 1 it changes nothing, so skip it.
    # A NaN norm makes coef NaN: the gradients become NaN, as in PyTorch.
    if not coef >= 1.0:
        for g in grads:
            g *= g.dtype.type(coef)
    return Tensor._wrap(xp.asarray(total))


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient component into [−clip_value, clip_value], in place.

    >>> loss.backward(); clip_grad_value_(params, 0.5); opt.step()
    """
    where = "clip_grad_value_"
    clip_value = _number(clip_value, "clip_value", where)
    if not clip_value >= 0:
        raise ValueError(f"{where}: clip_value must be >= 0, got {clip_value}")
    for g in _grads(parameters, where):
        xp = array_module(g)
        c = g.dtype.type(clip_value)
        xp.clip(g, -c, c, out=g)


from . import parametrizations, parametrize  # noqa: E402  (nn.utils.parametrize…)
from .clip_grad import clip_grad_norm, clip_grads_with_norm_, get_total_norm  # noqa: E402
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: E402
from .weight_norm import (remove_spectral_norm, remove_weight_norm, spectral_norm,  # noqa: E402
                          weight_norm)

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grad_norm", "clip_grads_with_norm_",
           "get_total_norm", "parameters_to_vector", "vector_to_parameters", "weight_norm",
           "remove_weight_norm", "spectral_norm", "remove_spectral_norm", "parametrize",
           "parametrizations"]
