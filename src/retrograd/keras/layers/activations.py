"""Activation layers with parameters: ``ReLU`` (threshold, slope, ceiling),
``LeakyReLU``, ``PReLU`` (a learned slope), ``ELU``, ``Softmax``."""
import math

import numpy as np

from ... import nn
from ...nn import activations as _activations
from .layer import Layer, _plain, as_variables, constrain, constraint_config, read_constraints


def _number(value, layer, field, low=0.0, inf=False, none=False):
    """A layer's numeric setting checked: a real number (not a string, not NaN), at
    least ``low``, finite unless ``inf``; None only if ``none``. Otherwise a
    ValueError naming the layer, the field, the value and the allowed range."""
    allowed = ("a finite number" if low == -math.inf else
               f"a number >= {low:g}" + ("" if inf else ", finite")) + \
        (", or None" if none else "")
    if value is None and none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{layer}: {field} must be {allowed}. Received: {field}={value!r}")
    value = float(value)
    if math.isnan(value) or value < low or (math.isinf(value) and not inf):
        raise ValueError(f"{layer}: {field} must be {allowed}. Received: {field}={value!r}")
    return value


class ReLU(Layer):
    """max_value-capped ReLU with Keras's options: y = x for x ≥ threshold,
    negative_slope·(x − threshold) below, then min(y, max_value)."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        max_value = _number(max_value, "ReLU", "max_value", inf=True, none=True)
        negative_slope = _number(negative_slope, "ReLU", "negative_slope")
        threshold = _number(threshold, "ReLU", "threshold", low=-math.inf)
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x):
        return _activations.relu(x, negative_slope=self.negative_slope,
                                 max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """y = x if x > 0 else negative_slope·x (Keras 3 default 0.3; ``alpha`` is
    Keras 2's name). Wraps ``nn.LeakyReLU``."""

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        self.negative_slope = _number(alpha if alpha is not None else negative_slope,
                                      "LeakyReLU", "alpha" if alpha is not None
                                      else "negative_slope")
        super().__init__(**kwargs)
        self.act = nn.LeakyReLU(self.negative_slope)

    def call(self, x):
        return self.act(x)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """y = x if x > 0 else α·x with α learned, one per input element (Keras's
    layout: α has the input's shape without the batch axis; ``shared_axes``
    shares it along the listed axes), initialised to 0 (``alpha_initializer``)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        if alpha_regularizer is not None:
            raise ValueError("PReLU: alpha_regularizer is not supported; leave it None")
        constraint = read_constraints("PReLU", alpha_constraint=alpha_constraint)
        super().__init__(**kwargs)
        # the projection the optimizers apply to α after each update
        self.alpha_constraint = constraint["alpha_constraint"]
        self.alpha_initializer = alpha_initializer
        self.shared_axes = None if shared_axes is None else \
            [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)

    def weight_shapes(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or ():
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU {self.name!r}: needs a known input shape, got "
                             f"{tuple(input_shape)}")
        return {"alpha": tuple(shape)}

    def build(self, input_shape):
        init = nn.init.get(self.alpha_initializer)
        self.alpha = nn.Parameter(init(self.weight_shapes(input_shape)["alpha"]))
        as_variables(self, {"alpha": self.alpha})
        constrain(self, alpha=self.alpha_constraint)

    def call(self, x):
        return x.relu() - self.alpha * (-x).relu()

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": _plain(self.alpha_initializer),
                "alpha_regularizer": None,
                "alpha_constraint": constraint_config(self.alpha_constraint),
                "shared_axes": self.shared_axes}


class ELU(Layer):
    """y = x if x > 0 else α(eˣ − 1). Wraps ``nn.ELU``."""

    def __init__(self, alpha=1.0, **kwargs):
        self.alpha = _number(alpha, "ELU", "alpha", low=-math.inf)
        super().__init__(**kwargs)
        self.act = nn.ELU(self.alpha)

    def call(self, x):
        return self.act(x)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """y = softmax(x) along ``axis`` (stable). Wraps ``nn.Softmax``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.act = nn.Softmax(axis)
        if axis == -1:
            self.output_activation = _activations.softmax

    def logits(self, x):
        return x

    def call(self, x):
        return self.act(x)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
