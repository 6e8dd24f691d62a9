"""The exponential and Laplace distributions, as ``torch.distributions.Exponential``
/ ``Laplace``: both reparameterised through a uniform draw (inverse CDF)."""
import math

import numpy as np

from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution, RealLocScale, broadcast_params, standard_uniform


class Exponential(Distribution):
    """Exponential(λ = ``rate``): p(x) = λ e^{−λx}, x ≥ 0; mean 1/λ, variance 1/λ²,
    H = 1 − log λ. ``rsample``: x = −log(u)/λ, u ~ U(0, 1]."""
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,), batch = broadcast_params(rate)
        super().__init__(batch, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return self.rate * 0

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=Size()):
        u = standard_uniform(self._extended_shape(sample_shape), self.rate)
        e = Tensor(-np.log1p(-u.array))             # −log(1 − u), u ∈ [0, 1): finite
        return e / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()


class Laplace(RealLocScale):
    """Laplace(μ = ``loc``, b = ``scale``): p(x) = e^{−|x − μ|/b} / (2b); variance 2b²,
    H = 1 + log 2b. ``rsample``: x = μ − b sign(u) log(1 − |u|), u ~ U(−1, 1)."""

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=Size()):
        u01 = standard_uniform(self._extended_shape(sample_shape), self.loc).array
        eps = np.finfo(u01.dtype).eps
        u = (u01 * 2 - 1).clip(-1 + eps, 1)          # PyTorch's open-at-−1 interval
        noise = Tensor(-np.sign(u) * np.log1p(-np.abs(u)))
        return self.loc + self.scale * noise

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return 0.5 - 0.5 * z.sign() * (-z.abs()).expm1()

    def icdf(self, value):
        """μ − b sign(u) log(1 − 2|u|), u = value − ½."""
        u = value - 0.5
        return self.loc - self.scale * u.sign() * (-2 * u.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()
