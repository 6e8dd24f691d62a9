"""The Bernoulli distribution over {0, 1}, as ``torch.distributions.Bernoulli``."""
import numpy as np

from ..backend import array_module
from ..nn.functional import binary_cross_entropy_with_logits
from ..tensor import Size, Tensor
from . import constraints
from .distribution import (ProbsOrLogits, broadcast_all, broadcast_params, lazy_property,
                           logits_to_probs, probs_to_logits, standard_uniform)


class Bernoulli(ProbsOrLogits):
    """P(x = 1) = p, given by ``probs`` p or ``logits`` log(p / (1 − p)) (one of them).

    log p(x) = x log p + (1 − x) log(1 − p), computed from the logits as
    −BCE-with-logits; H = BCE-with-logits(logits, p). Samples are 0./1. floats.

    >>> Bernoulli(logits=torch.zeros(4)).sample()   # four fair coins
    """
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._check_probs_or_logits(probs, logits)
        if probs is not None:
            (self.probs,), batch = broadcast_params(probs)
        else:
            (self.logits,), batch = broadcast_params(logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(batch, validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        p = self.probs
        mode = (p >= 0.5).to(p.dtype)
        return mode.masked_fill(p == 0.5, float("nan"))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        p = self.probs.detach()
        u = standard_uniform(shape, p)
        xp = array_module(p.array)
        return Tensor((u.array < xp.broadcast_to(p.array, tuple(shape))).astype(p.dtype))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = Tensor(np.arange(2, dtype=self._param.dtype)
                        .reshape((-1,) + (1,) * len(self._batch_shape)))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
