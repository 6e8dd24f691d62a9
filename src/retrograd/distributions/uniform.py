"""The continuous uniform distribution U[low, high), as ``torch.distributions.Uniform``."""

from ..tensor import Size
from . import constraints
from .distribution import Distribution, broadcast_params, standard_uniform


class Uniform(Distribution):
    """U[low, high): density 1/(high − low) inside, 0 outside;
    ``rsample``: x = low + u (high − low), u ~ U[0, 1), differentiable in both bounds.

    >>> Uniform(0.0, torch.tensor([1.0, 2.0])).sample((3,)).shape   # (3, 2)
    """
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        (self.low, self.high), batch = broadcast_params(low, high)
        super().__init__(batch, validate_args=validate_args)

    @property
    def arg_constraints(self):
        return {"low": constraints.less_than(self.high),
                "high": constraints.greater_than(self.low)}

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.high * float("nan")

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        u = standard_uniform(shape, self.low)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        inside = ((self.low <= value) & (self.high > value)).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()
