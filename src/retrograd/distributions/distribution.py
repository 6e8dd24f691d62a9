"""The ``Distribution`` base class, as ``torch.distributions.Distribution``.

A distribution has a ``batch_shape`` (independent, differently parameterised
copies) and an ``event_shape`` (the shape of one draw). ``sample(sample_shape)``
returns a tensor of shape ``sample_shape + batch_shape + event_shape`` with no
graph; ``rsample`` (where ``has_rsample``) draws by reparameterisation,
x = g(θ, ε) with ε from a fixed distribution, so gradients flow to θ (the VAE's
trick). ``log_prob(x)``, ``entropy()``, ``mean``, ``variance`` are differentiable.

Draws come from retrograd's generator (``retrograd.manual_seed``): same
distributions as PyTorch's, not the same numbers.
"""
import numbers

import numpy as np

from .. import random
from ..backend import array_module
from ..creation import as_tensor
from ..dtypes import get_default_dtype
from ..function import no_grad
from ..ops.shape import broadcast_to
from ..tensor import Size, Tensor
from . import constraints


class Distribution:
    """Base class: subclasses set ``arg_constraints``, ``support``, ``has_rsample``
    and define ``rsample``/``sample``, ``log_prob``, ``entropy``, ``mean``…"""
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off by default (on, as PyTorch's)."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args expects True or False, got "
                             f"{value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if isinstance(constraint, constraints._Dependent):
                    continue
                if param not in self.__dict__:   # a lazy parameter (logits from probs)
                    continue
                value = getattr(self, param)
                ok = constraint.check(value)
                if not bool(ok.array.all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")

    arg_constraints = {}

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=Size()):
        """Draws of shape ``sample_shape + batch_shape + event_shape``, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        raise NotImplementedError(f"{type(self).__name__} has no reparameterised "
                                  "sampler (rsample); use sample")

    def sample_n(self, n):
        return self.sample(Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} does not implement cdf")

    def icdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} does not implement icdf")

    def entropy(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement entropy")

    def perplexity(self):
        return self.entropy().exp()

    def enumerate_support(self, expand=True):
        raise NotImplementedError(f"{type(self).__name__} does not implement "
                                  "enumerate_support")

    def expand(self, batch_shape, _instance=None):
        """The same distribution with its parameters broadcast to ``batch_shape``
        (views, no copies): each parameter keeps its own event dimensions."""
        batch_shape = Size(batch_shape)
        new = object.__new__(type(self)) if _instance is None else _instance
        new.__dict__.update(self.__dict__)
        for name, constraint in self.arg_constraints.items():
            value = self.__dict__.get(name)
            if isinstance(value, Tensor):
                event = tuple(value.shape[value.ndim - constraint.event_dim:]) \
                    if constraint.event_dim else ()
                new.__dict__[name] = value.expand(tuple(batch_shape) + event)
        new._batch_shape = batch_shape
        new._expanded(self)
        return new

    def _expanded(self, original):
        """Fix up what ``expand`` copied (a subclass's derived attributes)."""

    def _extended_shape(self, sample_shape=Size()):
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return Size(sample_shape + self._batch_shape + self._event_shape)

    def _validate_sample(self, value):
        """PyTorch's checks of a value given to log_prob/cdf: a tensor whose
        rightmost dims are the event shape, broadcastable with the batch, in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.shape) - len(self._event_shape)
        if tuple(value.shape[event_dim_start:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{value.shape} vs {self._event_shape}.")
        actual_shape = value.shape
        expected_shape = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with "
                                 f"batch_shape+event_shape: {actual_shape} vs "
                                 f"{expected_shape}.")
        support = self.support
        ok = support.check(value)
        if not bool(ok.array.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}")

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        shown = ", ".join(f"{k}: {_short(self.__dict__[k])}" for k in names)
        return f"{type(self).__name__}({shown})"


def _short(value):
    if value.numel() == 1:
        return str(value.item()) if value.ndim == 0 else str(value)
    return repr(value.shape)


# -- helpers shared by the distributions ------------------------------------------
def broadcast_all(*values):
    """Tensors and numbers broadcast to one shape; numbers become tensors of the
    tensors' dtype (the default dtype if all are numbers), as PyTorch's."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    for v in values:
        if not isinstance(v, (Tensor, numbers.Number)):
            raise ValueError("Input arguments must all be instances of numbers.Number, "
                             f"torch.Tensor or objects implementing __torch_function__; "
                             f"got {type(v).__name__}")
    dtype = tensors[0].dtype if tensors else get_default_dtype()
    like = tensors[0] if tensors else None
    values = [v if isinstance(v, Tensor) else
              as_tensor(v, dtype=dtype, device=like.device if like is not None else None)
              for v in values]
    shape = np.broadcast_shapes(*(tuple(v.shape) for v in values))
    return tuple(v if tuple(v.shape) == shape else broadcast_to(v, shape) for v in values)


def broadcast_params(*values):
    """``broadcast_all(*values)`` and the batch shape they give a distribution: () when
    every value is a plain number, else the broadcast shape (a 0-d tensor keeps its
    own (), as in PyTorch)."""
    tensors = broadcast_all(*values)
    scalar = all(isinstance(v, numbers.Number) for v in values)
    return tensors, Size() if scalar else tensors[0].shape


def standard_normal(shape, like):
    """ε ~ N(0, 1) of ``shape``, with the dtype and device of tensor ``like``."""
    xp = array_module(like.array)
    g = random.generator_for(xp)
    return Tensor(g.standard_normal(tuple(shape)).astype(like.dtype, copy=False))


def standard_uniform(shape, like):
    """u ~ U[0, 1) of ``shape``, with the dtype and device of tensor ``like``."""
    xp = array_module(like.array)
    g = random.generator_for(xp)
    return Tensor(g.random(tuple(shape)).astype(like.dtype, copy=False))


def sum_rightmost(value, dim):
    """Sum the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.ndim - dim]) + (-1,)).sum(-1)


def clamp_probs(probs):
    """Probabilities kept inside [eps, 1 − eps] of their dtype, so their logs are finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """log p (categorical) or log p − log(1 − p) (binary), with clamped probabilities."""
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


def logits_to_probs(logits, is_binary=False):
    """σ(logits) (binary) or softmax over the last dimension."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


class SymmetricAboutLoc(Distribution):
    """A unimodal law symmetric about its ``loc``: mean and mode are both ``loc``."""

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


class RealLocScale(SymmetricAboutLoc):
    """A location-scale family on ℝ, symmetric about ``loc`` (Normal, Laplace): real
    ``loc`` and positive ``scale`` broadcast together, reparameterised sampling."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), batch = broadcast_params(loc, scale)
        super().__init__(batch, validate_args=validate_args)


class ProbsOrLogits(Distribution):
    """A distribution given either ``probs`` or ``logits`` (the other is derived
    lazily); ``_param`` is the one given, and stays so through ``expand``."""

    @staticmethod
    def _check_probs_or_logits(probs, logits):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")

    def _expanded(self, original):
        self._param = self.__dict__["probs"] if "probs" in original.__dict__ and \
            original._param is original.__dict__["probs"] else self.__dict__["logits"]


class lazy_property:
    """A property computed once, then stored in the instance's ``__dict__`` (so
    ``Categorical(logits=…)`` derives ``probs`` only when asked)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value
