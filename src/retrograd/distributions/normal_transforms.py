"""Distributions of simple transforms of a normal variable, as
``torch.distributions.LogNormal`` (eˣ) and ``HalfNormal`` (|x|); both
reparameterised through the normal draw."""
import math

from ..ops.elementwise import where
from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .normal import Normal


class _OfNormal(Distribution):
    """A distribution defined by transforming ``self.base_dist``, a Normal: its batch
    shape is the Normal's, and ``expand`` expands the Normal with it."""

    def __init__(self, base_dist, validate_args=None):
        self.base_dist = base_dist
        super().__init__(base_dist.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new.base_dist = self.base_dist.expand(batch_shape)
        return new


class LogNormal(_OfNormal):
    """y = eˣ with x ~ N(loc, scale²): log p(y) = log N(log y; μ, σ) − log y;
    mean e^{μ + σ²/2}, variance (e^{σ²} − 1) e^{2μ + σ²}, H = H_N + μ."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        self.loc, self.scale = base.loc, base.scale
        super().__init__(base, validate_args=validate_args)

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.pow(2)).exp()

    @property
    def variance(self):
        s2 = self.scale.pow(2)
        return s2.expm1() * (2 * self.loc + s2).exp()

    def rsample(self, sample_shape=Size()):
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_y = value.log()
        return self.base_dist.log_prob(log_y) - log_y

    def cdf(self, value):   # (validated by the normal: log y ≠ NaN, so 0 gives 0)
        return self.base_dist.cdf(value.log())

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc


class HalfNormal(_OfNormal):
    """y = |x| with x ~ N(0, scale²): p(y) = 2 N(y; 0, σ) for y ≥ 0;
    mean σ√(2/π), variance σ²(1 − 2/π), H = H_N − log 2."""
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        base = Normal(0.0, scale, validate_args=False)
        self.scale = base.scale
        super().__init__(base, validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return self.scale * 0

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def rsample(self, sample_shape=Size()):
        return self.base_dist.rsample(sample_shape).abs()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return where(value >= 0, log_prob, float("-inf"))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
