"""Negative log-likelihood losses of count and real-valued targets (PyTorch's
``PoissonNLLLoss`` and ``GaussianNLLLoss``; functions and modules).

* poisson_nll_loss, target y ~ Poisson(λ):
  log_input: ℓ = e^x − y·x (x = log λ);  otherwise ℓ = λ − y·log(λ + ε).
  ``full`` adds Stirling's log y! ≈ y log y − y + ½ log(2πy) where y > 1.
* gaussian_nll_loss, target y ~ N(μ, σ²) with μ = ``input``, σ² = ``var``:
  ℓ = ½ (log max(σ², ε) + (μ − y)² / max(σ², ε)) (+ ½ log 2π with ``full``).
  As PyTorch, the clamp at ε changes the value only: the gradient is taken as if
  σ² were not clamped. ``var`` may have one entry per sample (the last axis of
  ``input`` dropped, or of size 1): one variance shared by the sample's features.

Built from differentiable ops, whose gradients and tangents they inherit.
"""
import math

from ..backend import array_module
from ..ops.elementwise import where
from ..tensor import Tensor
from .margin_losses import (_check_reduction, _reduce, _same_shape, float_target,
                            legacy_reduction)
from .module import Module


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log-likelihood of counts ``target`` given rates (or log-rates)."""
    name = "poisson_nll_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(name, reduction)
    target = float_target(name, input, target)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:   # differentiable in the target too, as PyTorch's
        big = Tensor._wrap(target.array > 1)
        safe = where(big, target, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(big, stirling, 0.0)
    return _reduce(name, loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood of ``target`` given mean ``input`` and variance
    ``var`` (heteroscedastic: one variance per element or per sample)."""
    name = "gaussian_nll_loss"
    if not isinstance(var, Tensor):
        if isinstance(var, (int, float)):
            var = Tensor(array_module(input.array).full(input.shape, var, dtype=input.dtype))
        else:
            var = Tensor(array_module(input.array).asarray(var, dtype=input.dtype))
    from .functional import _as_tensor   # functional imports this module
    target = _as_tensor(target, input, name)
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.reshape(*var.shape, 1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1:] == (1,)):
            raise ValueError("var is of incorrect size")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    if bool((var.array < 0).any()):
        raise ValueError("var has negative entry/entries")
    _same_shape(name, input=input, target=target)    # (after var's checks, as PyTorch)
    v = var.array
    var = var + Tensor._wrap(array_module(v).maximum(v, eps) - v)   # clamp: value only
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(name, loss, reduction)


class PoissonNLLLoss(Module):
    """Poisson negative log-likelihood. ``PoissonNLLLoss(log_input=True, full=False,
    eps=1e-8, reduction="mean")``."""

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                 reduction="mean"):
        super().__init__()
        self.log_input, self.full, self.eps = log_input, full, eps
        self.reduction = legacy_reduction(size_average, reduce, reduction)

    def forward(self, log_input, target):
        return poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(Module):
    """Gaussian negative log-likelihood with a predicted variance.
    ``GaussianNLLLoss(*, full=False, eps=1e-6, reduction="mean")``; called as
    ``loss(input, target, var)``."""

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__()
        self.full, self.eps, self.reduction = full, eps, reduction

    def forward(self, input, target, var):
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                 reduction=self.reduction)
