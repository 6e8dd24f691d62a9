"""The Gamma and Beta distributions, as ``torch.distributions.Gamma`` / ``Beta``:
densities from log Γ, entropies from ψ (both differentiable); draws from NumPy's
samplers. Their reparameterised sampling needs the gradient of a gamma draw with
respect to its shape (PyTorch's ``_standard_gamma_grad``), which retrograd lacks:
``rsample`` raises NotSupportedError and ``has_rsample`` is False."""

import numpy as np

from .. import random
from ..backend import array_module
from ..missing import NotSupportedError
from ..ops.shape import stack
from ..ops.special import digamma, lgamma, xlogy
from ..tensor import Size, Tensor
from . import constraints
from .counts_and_simplex import simplex_mode
from .distribution import Distribution, broadcast_params


def _no_rsample(name):
    raise NotSupportedError(f"PyTorch's torch.distributions.{name}.rsample is not in "
                            "retrograd: it needs the gradient of a gamma draw with respect "
                            "to its shape; use sample() (no gradient), or a Normal/"
                            "Uniform-based reparameterisation (docs/pytorch.md)")


class Gamma(Distribution):
    """Gamma(α = ``concentration``, β = ``rate``): p(x) = βᵅ xᵅ⁻¹ e^{−βx} / Γ(α), x > 0.

    mean α/β, variance α/β², H = α − log β + log Γ(α) + (1 − α) ψ(α).
    """
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = False

    def __init__(self, concentration, rate, validate_args=None):
        (self.concentration, self.rate), batch = broadcast_params(concentration, rate)
        super().__init__(batch, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()):
        _no_rsample("Gamma")

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        a = self.concentration.detach().array
        xp = array_module(a)
        g = random.generator_for(xp)
        draw = g.standard_gamma(xp.broadcast_to(a, shape)) / self.rate.detach().array
        tiny = np.finfo(a.dtype).tiny               # as PyTorch: never exactly 0
        return Tensor(xp.maximum(draw, tiny).astype(a.dtype, copy=False))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration, self.rate
        return xlogy(a, b) + xlogy(a - 1, value) - b * value - lgamma(a)

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + lgamma(a) + (1.0 - a) * digamma(a)


class Beta(Distribution):
    """Beta(α = ``concentration1``, β = ``concentration0``) on [0, 1]:
    p(x) = x^{α−1}(1 − x)^{β−1} / B(α, β).

    mean α/(α + β), variance αβ/((α + β)²(α + β + 1)),
    H = log B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β) + (α + β − 2)ψ(α + β).
    """
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = False

    def __init__(self, concentration1, concentration0, validate_args=None):
        (self.concentration1, self.concentration0), batch = broadcast_params(concentration1,
                                                                             concentration0)
        super().__init__(batch, validate_args=validate_args)

    def _lbeta(self):
        a, b = self.concentration1, self.concentration0
        return lgamma(a) + lgamma(b) - lgamma(a + b)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        """(α − 1)/(α + β − 2) where α, β ≥ 1 (not both 1), as PyTorch's: the corner 0 or
        1 where both are < 1, NaN where one is < 1 and the other ≤ 1."""
        ab = stack([self.concentration1, self.concentration0], -1)
        return simplex_mode(ab)[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=Size()):
        _no_rsample("Beta")

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        a = self.concentration1.detach().array
        b = self.concentration0.detach().array
        xp = array_module(a)
        g = random.generator_for(xp)
        x = g.standard_gamma(xp.broadcast_to(a, shape))
        y = g.standard_gamma(xp.broadcast_to(b, shape))
        eps = np.finfo(a.dtype).eps
        return Tensor(xp.clip(x / (x + y), eps, 1 - eps).astype(a.dtype, copy=False))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return xlogy(a - 1, value) + xlogy(b - 1, 1 - value) - self._lbeta()

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        return self._lbeta() - (a - 1) * digamma(a) - (b - 1) * digamma(b) \
            + (a + b - 2) * digamma(a + b)
