"""Dropout (course section 6): during training each hidden unit is dropped
(set to 0) with probability p, which prevents co-adaptation; the network then
trains a huge family of thinned sub-networks sharing weights.

At inference the ideal prediction is the (normalised geometric) mean of all the
sub-networks' predictions. Two approximations:

* inverted dropout (``Dropout``): scale the kept units by 1/(1 − p) while
  training, so the expected activation is unchanged and inference is the plain
  network — for a single softmax layer this *is* the geometric mean;
* Monte-Carlo averaging (``mc_dropout_predict``): keep dropout active at
  inference and average n stochastic predictions.
"""
import warnings

import numpy as np

from ..backend import array_module, to_device
from ..function import Function, no_grad
from ..random import generator_for
from ..tensor import Tensor
from .module import Module


class DropoutMask(Function):
    """y = x ⊙ m with the fixed mask m ∈ {0, 1/(1 − p)};  ∂ℓ/∂x = ∂ℓ/∂y ⊙ m
    (dropped units get no update)."""

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x):
        return x * self.mask

    def backward(self, gy):
        return gy * self.mask

    def jvp(self, dx):
        return dx * self.mask


def _check_p(name, p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p < 1:
        raise ValueError(f"{name}: the drop probability p must lie in [0, 1), got p={p!r}"
                         + (" (p = 1 would drop every unit)" if p == 1 else ""))


def dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Inverted dropout: in training, each element is zeroed with probability p and
    the others are scaled by 1/(1 − p) (so E[y] = x); identity when not training."""
    _check_p("dropout", p)
    if not training or p == 0:
        return input
    xp = array_module(input.array)
    keep = generator_for(xp, generator).random(input.shape, dtype=np.float32) >= p
    keep = to_device(keep, input.device)   # a host draw (generator= given): 1 byte each
    return DropoutMask(xp.multiply(keep, 1.0 / (1.0 - p), dtype=input.dtype)).apply(input)


class Dropout(Module):
    """Inverted dropout with drop probability p (0 ≤ p < 1); identity in ``eval()``.

    >>> layer = Dropout(0.5); y = layer(x)        # training: E[y] = x
    """

    def __init__(self, p=0.5, inplace=False, generator=None):
        super().__init__()
        _check_p(type(self).__name__, p)
        self.p, self.generator = float(p), generator

    def forward(self, x):
        return dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self):
        return f"p={self.p}"


def shaped_dropout(input, p, noise_shape, training=True, generator=None, name="dropout"):
    """Dropout with one draw per entry of ``noise_shape`` (the input's shape with 1 on
    the axes that share a decision, e.g. the spatial axes: whole channels are zeroed),
    the kept ones scaled by 1/(1 − p); identity when not training."""
    _check_p(name, p)
    if not training or p == 0:
        return input
    xp = array_module(input.array)
    keep = generator_for(xp, generator).random(tuple(noise_shape), dtype=np.float32) >= p
    keep = to_device(keep, input.device)
    return DropoutMask(xp.multiply(keep, 1.0 / (1.0 - p), dtype=input.dtype)).apply(input)


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None):
    """Spatial (channel) dropout for (N, C, H, W) or (C, H, W) inputs: each channel is
    zeroed as a whole with probability p, the others scaled by 1/(1 − p); identity
    when not training. Neighbouring pixels of a feature map are strongly correlated,
    so dropping single pixels would barely regularise (Tompson et al., 2015).
    A 3-D input is read as (N, C, L), with PyTorch's warning."""
    if input.ndim < 2:
        raise ValueError(f"dropout2d: expected an input of shape (N, C, H, W) or (C, H, W), "
                         f"got shape {tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted "
                      "as shape (N, C, L), where C is the channel dim (as PyTorch does)",
                      UserWarning, stacklevel=2)
    elif input.ndim != 4:
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d (meant for "
                      "3-D or 4-D inputs); whole slices x[n, c] are dropped",
                      UserWarning, stacklevel=2)
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return shaped_dropout(input, p, shape, training, generator, "dropout2d")


def dropout1d(input, p=0.5, training=True, inplace=False, generator=None):
    """Channel dropout for (N, C, L) or unbatched (C, L) inputs (see ``dropout2d``)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a "
                           f"{input.ndim}D input of shape {tuple(input.shape)}")
    k = input.ndim - 1
    shape = tuple(input.shape[:k]) + (1,)
    return shaped_dropout(input, p, shape, training, generator, "dropout1d")


class Dropout2d(Dropout):
    """Channel dropout (``dropout2d``): each channel of (N, C, H, W) is zeroed with
    probability p as a whole, the others scaled by 1/(1 − p); identity in ``eval()``.

    >>> layer = Dropout2d(0.2); y = layer(feature_maps)
    """

    def forward(self, x):
        return dropout2d(x, self.p, self.training, generator=self.generator)


class Dropout1d(Dropout):
    """Channel dropout for (N, C, L) inputs (``dropout1d``); identity in ``eval()``."""

    def forward(self, x):
        return dropout1d(x, self.p, self.training, generator=self.generator)


def mc_dropout_predict(model, x, n=20, transform=None):
    """Monte-Carlo dropout: the mean of ``n`` predictions with dropout active,
    ŷ ≈ (1/n) Σₖ f(x; maskₖ) — the course's "apply dropout at inference and
    average the outputs". Only the ``Dropout`` layers are switched to training
    mode (and restored afterwards); ``transform`` (e.g. ``F.softmax``) is applied
    to each prediction before averaging. No graph is recorded."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"mc_dropout_predict: n must be a positive integer, got {n!r}")
    layers = [m for m in model.modules() if isinstance(m, Dropout)]
    if not layers:
        raise ValueError(f"mc_dropout_predict: {type(model).__name__} has no Dropout layer, "
                         "so every pass would give the same prediction")
    modes = [m.training for m in layers]
    try:
        for m in layers:
            m.training = True
        total = None
        with no_grad():
            for _ in range(n):
                y = model(x)
                if transform is not None:
                    y = transform(y)
                if total is None:
                    total = y.array.copy()
                else:
                    total += y.array
        total /= n
        return Tensor._wrap(total)
    finally:
        for m, mode in zip(layers, modes):
            m.training = mode
