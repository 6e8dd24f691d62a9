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
        _check_p("Dropout", p)
        self.p, self.generator = float(p), generator

    def forward(self, x):
        return dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self):
        return f"p={self.p}"


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
