"""The other normalisation layers of Keras: ``UnitNormalization`` (each sample to
unit L2 norm), ``RMSNormalization`` (divide by the root mean square, learned scale)
and ``GroupNormalization`` (batch normalisation's statistics, but per sample and per
group of channels: independent of the batch size). Each is a composition of tensor
ops, so the gradients are the ops'."""
import numpy as np

from .layer import Layer
from .normalization import _axes, _Normalization


def _axis_arg(axis):
    if isinstance(axis, (list, tuple)):
        return [int(a) for a in axis]
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple of "
                    f"ints. Received: axis={axis}")


def _check_axes(axis, input_shape):
    for a in [axis] if isinstance(axis, int) else axis:
        if a >= len(input_shape) or a < -len(input_shape):
            raise ValueError(f"Axis {axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}.")


class UnitNormalization(Layer):
    """y = x / ‖x‖₂ over ``axis`` (‖x‖ at least 10⁻¹²), each sample on the unit
    sphere (cosine-similarity models).

    >>> UnitNormalization()
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axis_arg(axis)
        self.built = True

    def call(self, inputs):
        axes = _axes(self.axis, inputs.ndim, f"UnitNormalization {self.name!r}")
        squares = (inputs * inputs).sum(tuple(axes), keepdim=True)
        return inputs * squares.clamp(min=1e-24) ** -0.5    # 1/max(‖x‖, 10⁻¹²)

    def compute_output_shape(self, input_shape):
        _check_axes(self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class RMSNormalization(Layer):
    """y = x / √(mean(x²) + ε) · scale over ``axis`` (RMSNorm, Zhang & Sennrich 2019:
    layer normalisation without centring); ``scale`` is learned, of the normalised
    axes' shape.

    >>> RMSNormalization()              # on (None, T, 64): 64 parameters
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon = _axis_arg(axis), float(epsilon)
        self.scale = None

    def build(self, input_shape):
        axes = _axes(self.axis, len(input_shape), f"RMSNormalization {self.name!r}")
        self._ndim, self._norm = len(input_shape), axes
        # Keras's: the axis becomes a list once built (so its config says [-1])
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self.scale = self.add_weight(name="scale", shape=tuple(input_shape[a] for a in axes),
                                     initializer="ones")
        self.built = True

    def call(self, x):
        axes = self._norm
        if x.ndim != self._ndim:
            raise ValueError(f"RMSNormalization {self.name!r}: built for inputs of rank "
                             f"{self._ndim}, got an input of shape {tuple(x.shape)}")
        ms = (x * x).mean(tuple(axes), keepdim=True)
        scale = self.scale.reshape(tuple(x.shape[i] if i in axes else 1
                                         for i in range(x.ndim)))
        return x * (ms + self.epsilon) ** -0.5 * scale

    def compute_output_shape(self, input_shape):
        _check_axes(self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self):
        axis = self.axis
        return {**super().get_config(), "axis": axis, "epsilon": self.epsilon}


class GroupNormalization(_Normalization):
    """Group normalisation (Wu & He, 2018), Keras's: the channels (``axis``) are cut
    into ``groups`` groups; each sample's group is normalised with its own mean and
    (biased) variance over the group's channels and every other axis, then
    y = γ x̂ + β per channel. ``groups=-1``: one group per channel (instance
    normalisation); ``groups=1``: layer normalisation over all axes.

    >>> GroupNormalization(groups=8)    # after Conv2D(32, 3): 2·32 = 64 parameters
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.groups, self.axis, self.epsilon = int(groups), int(axis), float(epsilon)
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.gamma = self.beta = None

    def build(self, input_shape):
        axis = _axes(self.axis, len(input_shape), f"GroupNormalization {self.name!r}")[0]
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             "dimension but the layer received an input with shape "
                             f"{tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the "
                             f"number of channels ({dim}).")
        if dim % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({dim}).")
        self._ndim, self._axis = len(input_shape), axis
        self._make_affine((dim,))
        self.built = True

    def call(self, x):
        if x.ndim != self._ndim:
            raise ValueError(f"GroupNormalization {self.name!r}: built for inputs of rank "
                             f"{self._ndim}, got an input of shape {tuple(x.shape)}")
        axis, c = self._axis, x.shape[self._axis]
        # (N, …, C, …) → (N, …, G, C/G, …): statistics over all but N and G.
        grouped = x.reshape(x.shape[:axis] + (self.groups, c // self.groups) +
                            x.shape[axis + 1:])
        axes = tuple(i for i in range(1, grouped.ndim) if i != axis)
        mean = grouped.mean(axes, keepdim=True)
        centred = grouped - mean
        var = (centred * centred).mean(axes, keepdim=True)
        y = (centred * (var + self.epsilon) ** -0.5).reshape(x.shape)
        bshape = tuple(c if i == axis else 1 for i in range(x.ndim))
        if self.gamma is not None:
            y = y * self.gamma.reshape(bshape)
        if self.beta is not None:
            y = y + self.beta.reshape(bshape)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, **self._affine_config()}
