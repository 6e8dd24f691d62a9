"""The categorical distribution over {0, …, K−1}, as ``torch.distributions.Categorical``."""
import numpy as np

from ..backend import array_module
from ..ops.sampling import multinomial
from ..tensor import Size, Tensor
from . import constraints
from .distribution import ProbsOrLogits, lazy_property, logits_to_probs, probs_to_logits


class Categorical(ProbsOrLogits):
    """P(x = k) = p_k over the last dimension of ``probs`` (normalised to sum 1) or
    ``logits`` (unnormalised log-probabilities, normalised by logsumexp); the
    leading dimensions are the batch. The policy of REINFORCE:

    >>> dist = Categorical(logits=policy(state))
    >>> action = dist.sample(); loss = -(dist.log_prob(action) * reward).mean()

    log p(k) = logits_k − logsumexp(logits);  H = −Σ p_k log p_k.
    ``sample`` returns int64 indices; there is no ``rsample``.
    """
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._check_probs_or_logits(probs, logits)
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = self._param.shape[:-1] if self._param.ndim > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def mean(self):
        xp = array_module(self._param.array)       # on the parameters' device
        return Tensor(xp.full(tuple(self._extended_shape()), np.nan, self._param.dtype))

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=Size()):
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        probs_2d = self.probs.detach().reshape(-1, self._num_events)
        count = int(np.prod(sample_shape, dtype=np.int64))
        if count == 0:
            return Tensor(np.zeros(tuple(self._extended_shape(sample_shape)), np.int64))
        samples_2d = multinomial(probs_2d, count, True).T
        return samples_2d.reshape(tuple(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        shape = np.broadcast_shapes(tuple(value.shape), tuple(self.logits.shape))
        log_pmf = self.logits.expand(shape)
        index = value.expand(shape[:-1] + (1,))
        return log_pmf.gather(-1, index).squeeze(-1)

    def entropy(self):
        min_real = float(np.finfo(self.logits.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        n = self._num_events
        values = Tensor(np.arange(n, dtype=np.int64).reshape((-1,) + (1,) *
                                                             len(self._batch_shape)))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
