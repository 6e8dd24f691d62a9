"""The Poisson distribution of counts and the Dirichlet distribution on the
simplex, as ``torch.distributions.Poisson`` / ``Dirichlet``: densities and
entropies from log Γ and ψ (differentiable); NumPy's samplers draw (no
``rsample``: Dirichlet's needs the gamma draw's gradient, Poisson is discrete)."""

import numpy as np

from .. import random
from ..backend import array_module
from ..missing import NotSupportedError
from ..ops.elementwise import where
from ..ops.special import digamma, lgamma, xlogy
from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution, broadcast_all, broadcast_params


def simplex_mode(c):
    """The Dirichlet(c) mode, as PyTorch's: (c − 1)₊ / Σ(c − 1)₊ (NaN where that is
    0/0), and where every cᵢ < 1 (density unbounded at every corner) the first corner
    (1, 0, …, 0) — PyTorch's argmax of that NaN row."""
    a = (c - 1).clamp(min=0.0)
    mode = a / a.sum(-1, keepdim=True)
    corner = (c.detach().array < 1).all(-1)
    if not corner.any():
        return mode
    xp = array_module(corner)
    first = (xp.arange(c.shape[-1]) == 0).astype(c.dtype)
    return where(Tensor(corner[..., None]), Tensor(first), mode)


class Poisson(Distribution):
    """P(k) = λᵏ e^{−λ} / k!, k = 0, 1, …; mean and variance λ."""
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,), batch = broadcast_params(rate)
        super().__init__(batch, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        lam = self.rate.detach().array
        xp = array_module(lam)
        g = random.generator_for(xp)
        return Tensor(g.poisson(xp.broadcast_to(lam, shape)).astype(lam.dtype))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return xlogy(value, rate) - rate - lgamma(value + 1)


class Dirichlet(Distribution):
    """Dir(α = ``concentration``) on the simplex of the last dimension:
    p(x) = Γ(α₀)/Π Γ(αᵢ) · Π xᵢ^{αᵢ−1} (α₀ = Σ αᵢ); mean α/α₀."""
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = False

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        return simplex_mode(self.concentration)

    @property
    def variance(self):
        a0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (a0 - self.concentration) / (a0.pow(2) * (a0 + 1))

    def rsample(self, sample_shape=Size()):
        raise NotSupportedError("PyTorch's torch.distributions.Dirichlet.rsample is not in "
                                "retrograd: it needs the gradient of a gamma draw with "
                                "respect to its shape; use sample() (docs/pytorch.md)")

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        a = self.concentration.detach().array
        xp = array_module(a)
        g = random.generator_for(xp)
        x = g.standard_gamma(xp.broadcast_to(a, shape))
        x = xp.maximum(x, np.finfo(a.dtype).tiny)
        return Tensor((x / x.sum(-1, keepdims=True)).astype(a.dtype, copy=False))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return xlogy(a - 1.0, value).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    def entropy(self):
        a = self.concentration
        k = a.shape[-1]
        a0 = a.sum(-1)
        return lgamma(a).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0) \
            - ((a - 1.0) * digamma(a)).sum(-1)
