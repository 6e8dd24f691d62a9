"""The normal (Gaussian) distribution N(μ, σ²), as ``torch.distributions.Normal``."""
import math

from ..ops.special import erf, erfinv
from ..tensor import Size
from .distribution import RealLocScale, standard_normal


class Normal(RealLocScale):
    """N(loc, scale²), batched over the broadcast shape of ``loc`` and ``scale``.

    log p(x) = −(x − μ)²/(2σ²) − log σ − ½ log 2π;  H = ½ + ½ log 2π + log σ;
    ``rsample``: x = μ + σ ε, ε ~ N(0, 1), differentiable in μ and σ.

    >>> Normal(torch.zeros(3), 1.0).rsample((5,)).shape   # (5, 3)
    """

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() \
            - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
