"""Keras's noise layers, regularisers active only in training (identity at
inference): ``GaussianNoise`` (x + ε, ε ~ N(0, σ²)), ``GaussianDropout``
(x·ε, ε ~ N(1, p/(1 − p))) and ``AlphaDropout`` (dropout for SELU networks that keeps
the mean and variance of the activations). Each draw is a constant of the step, so
the gradient is that of a product or a sum with a constant."""
import math

import numpy as np

from ...backend import array_module, to_device
from ...random import generator_for
from ...tensor import Tensor
from .layer import Layer


def _fraction(value, who, arg):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{who}: Invalid value received for argument `{arg}`. Expected a "
                         f"float value between 0 and 1. Received: {arg}={value}")
    return value


class _Noise(Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        # A seed makes one generator for the layer's life (not the same noise each step).
        self.generator = None if seed is None else np.random.default_rng(seed)
        self.built = True

    def _draw(self, x, shape, kind):
        """A float array of ``shape``: standard normal or uniform [0, 1) draws."""
        xp = array_module(x.array)
        g = generator_for(xp, self.generator)
        a = g.standard_normal(shape, dtype=np.float32) if kind == "normal" else \
            g.random(shape, dtype=np.float32)
        return Tensor(to_device(a, x.device).astype(x.dtype, copy=False))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class GaussianNoise(_Noise):
    """y = x + ε, ε ~ N(0, stddev²) in training; y = x at inference.

    >>> GaussianNoise(0.1)
    """

    def __init__(self, stddev, seed=None, **kwargs):
        self.stddev = _fraction(stddev, "GaussianNoise", "stddev")
        super().__init__(seed, **kwargs)

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + self._draw(inputs, inputs.shape, "normal") * self.stddev
        return inputs

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """y = x·ε, ε ~ N(1, rate/(1 − rate)) in training (multiplicative noise with
    dropout's variance); y = x at inference."""

    def __init__(self, rate, seed=None, **kwargs):
        self.rate = _fraction(rate, "GaussianDropout", "rate")
        super().__init__(seed, **kwargs)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            std = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * (self._draw(inputs, inputs.shape, "normal") * std + 1.0)
        return inputs

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


# SELU's constants: α and λ (Klambauer et al., 2017).
_ALPHA, _SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


class AlphaDropout(_Noise):
    """Dropout for self-normalising (SELU) networks: a dropped value is set to SELU's
    lower bound α' = −λα instead of 0, then y = a·x̃ + b with a = ((1 − p)(1 +
    p α'²))^−½, b = −a α' p, so the activations keep zero mean and unit variance.
    ``noise_shape``: the shape of the draws (None: the input's)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        self.rate = _fraction(rate, "AlphaDropout", "rate")
        self.noise_shape = noise_shape
        super().__init__(seed, **kwargs)

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            d if n is None else n for d, n in zip(inputs.shape, self.noise_shape))
        kept = (self._draw(inputs, tuple(shape), "uniform").array >= self.rate).astype(
            inputs.dtype)
        kept = Tensor(kept)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return (inputs * kept + (1 - kept) * alpha_p) * a + b

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
