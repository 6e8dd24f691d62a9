"""More dropouts: 3-D channel dropout and the alpha dropouts of self-normalising networks.

* dropout3d: each channel of (N, C, D, H, W) or (C, D, H, W) is zeroed as a whole with
  probability p, the others scaled by 1/(1 − p).
* alpha_dropout (Klambauer et al., 2017, for SELU networks): a dropped unit is set to
  SELU's negative saturation −α' (α' = λα ≈ 1.7581) instead of 0, then an affine map
  restores mean 0 and variance 1:  y = a·(x·m − α'(1 − m)) + a·α'·p, with the mask
  m ~ Bernoulli(1 − p) and a = 1/√((α'²p + 1)(1 − p)). ∂y/∂x = a·m.
* feature_alpha_dropout: the same with one decision per channel.
Identity when not training (or p = 0), as PyTorch.
"""
import warnings

import numpy as np

from ..backend import array_module, to_device
from ..random import generator_for
from ..tensor import Tensor
from .dropout import Dropout, DropoutMask, shaped_dropout
from .module import Module

_ALPHA = 1.7580993408473766   # λα of SELU: its limit for x → −∞, negated


def dropout3d(input, p=0.5, training=True, inplace=False, generator=None):
    """Channel dropout for (N, C, D, H, W) or unbatched (C, D, H, W) inputs."""
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. "
                      "Note that dropout3d exists to provide channel-wise dropout on inputs "
                      "with 3 spatial dimensions, a channel dimension, and an optional batch "
                      "dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if input.ndim < 4:
        shape = tuple(input.shape)
    else:
        shape = tuple(input.shape[:input.ndim - 3]) + (1, 1, 1)
    return shaped_dropout(input, p, shape, training, generator, "dropout3d")


def _alpha_p(name, p):
    if isinstance(p, bool) or not 0 <= p <= 1:
        raise ValueError(f"{name}: dropout probability has to be between 0 and 1, but got "
                         f"{p}")


def _alpha(input, p, training, noise_shape, generator):
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    xp = array_module(input.array)
    keep = generator_for(xp, generator).random(tuple(noise_shape), dtype=np.float32) >= p
    m = to_device(keep, input.device).astype(input.dtype)
    a = 1.0 / np.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (m - 1) * (_ALPHA * a) + _ALPHA * a * p
    return DropoutMask(xp.broadcast_to(m * a, input.shape)).apply(input) + Tensor._wrap(b)


def alpha_dropout(input, p=0.5, training=False, inplace=False, generator=None):
    """Alpha dropout (keeps SELU's mean 0 and variance 1); identity unless training."""
    _alpha_p("alpha_dropout", p)
    return _alpha(input, p, training, input.shape, generator)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False, generator=None):
    """Alpha dropout with one decision per channel of (N, C, …)."""
    _alpha_p("feature_alpha_dropout", p)
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _alpha(input, p, training, shape, generator)


class Dropout3d(Dropout):
    """Channel dropout for (N, C, D, H, W) inputs; identity in ``eval()``."""

    def forward(self, x):
        return dropout3d(x, self.p, self.training, generator=self.generator)

    def extra_repr(self):
        return f"p={self.p}, inplace=False"


class AlphaDropout(Module):
    """Alpha dropout for SELU networks; identity in ``eval()``.
    ``AlphaDropout(p=0.5, inplace=False)``."""

    def __init__(self, p=0.5, inplace=False, generator=None):
        super().__init__()
        _alpha_p(type(self).__name__, p)
        self.p, self.inplace, self.generator = float(p), inplace, generator

    def forward(self, x):
        return alpha_dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class FeatureAlphaDropout(AlphaDropout):
    """Alpha dropout dropping whole channels; identity in ``eval()``."""

    def forward(self, x):
        return feature_alpha_dropout(x, self.p, self.training, generator=self.generator)
