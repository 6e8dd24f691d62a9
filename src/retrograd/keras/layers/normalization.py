"""Keras's normalisation layers, ``BatchNormalization`` and ``LayerNormalization``,
channels-last (``axis=-1``) with Keras's defaults, over the ops of
``ops/normalization.py`` (the same fused op as ``nn.BatchNorm2d``/``nn.LayerNorm``).

Weights (``add_weight``) are in Keras's order: ``gamma``, ``beta`` (trainable), then,
for batch normalisation, ``moving_mean``, ``moving_variance`` (non-trainable: updated
in place by the layer itself during ``fit``, never by the optimizer)."""
import numpy as np

from ...missing import NotSupportedError
from ...nn import init as _init
from ...nn import regularizers as _regularizers
from ...ops.normalization import batch_norm_axis, normalize
from .core import _regularizer_config
from .layer import Layer, _plain, constraint_config, read_constraints


def _axes(axis, ndim, who):
    """``axis`` (an int or a list) as sorted non-negative axes of an ndim-D input."""
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    if not axes or any(not -ndim <= a < ndim for a in axes):
        raise ValueError(f"{who}: axis {axis} is out of bounds for inputs of rank {ndim}. "
                         f"Received: axis={axis}")
    return sorted({int(a) % ndim for a in axes})


class _Normalization(Layer):
    """Shared by both layers: γ and β (``add_weight``, so the base class lists them,
    trainable, before the non-trainable moving statistics), their initialisers and
    regularisers."""

    def _make_affine(self, shape):
        self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint, name="gamma") \
            if self.scale else None
        self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint, name="beta") \
            if self.center else None

    def _affine_config(self):
        return {"center": self.center, "scale": self.scale,
                "beta_initializer": _plain(self.beta_initializer),
                "gamma_initializer": _plain(self.gamma_initializer),
                "beta_regularizer": _regularizer_config(self.beta_regularizer),
                "gamma_regularizer": _regularizer_config(self.gamma_regularizer),
                "beta_constraint": constraint_config(self.beta_constraint),
                "gamma_constraint": constraint_config(self.gamma_constraint)}

    def _init_affine(self, center, scale, beta_initializer, gamma_initializer,
                     beta_regularizer, gamma_regularizer, beta_constraint=None,
                     gamma_constraint=None):
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        _init.get(beta_initializer), _init.get(gamma_initializer)    # refuse bad names now
        self.beta_regularizer = _regularizers.get(beta_regularizer)
        self.gamma_regularizer = _regularizers.get(gamma_regularizer)
        # projections the optimizers apply to γ and β after each update
        self.beta_constraint, self.gamma_constraint = read_constraints(
            type(self).__name__, beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint).values()

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class BatchNormalization(_Normalization):
    """Batch normalisation, Keras's: y = γ (x − μ)/√(σ² + ε) + β per feature of
    ``axis`` (−1: the channels of channels-last data). During ``fit``
    (``training=True``) μ, σ² are the batch's (over every other axis) and the
    non-trainable ``moving_mean``/``moving_variance`` follow them:
    m ← momentum·m + (1 − momentum)·μ (σ² biased, as Keras); in ``predict`` and
    ``evaluate`` the moving statistics are used. A layer with ``trainable=False``
    always runs in inference mode (as Keras 3).

    >>> BatchNormalization()            # after Conv2D(32, 3): 4·32 = 128 parameters
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False,
                 renorm_clipping=None, renorm_momentum=0.99, **kwargs):
        who = "BatchNormalization"
        if synchronized:
            raise ValueError("Argument synchronized=True is only supported with the "
                             "TensorFlow backend.")
        if renorm:
            raise NotSupportedError(f"{who}: renorm=True (batch renormalisation) is not "
                                    "supported; leave renorm=False")
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise TypeError(f"{who}: axis must be an integer, got axis={axis!r}")
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.gamma = self.beta = None
        self.moving_mean = self.moving_variance = None
        # Keras: called on its own, outside fit, the layer infers (fit's train() and
        # predict's eval() set the mode of every layer of a model).
        self.training = False

    def _channels(self, input_shape):
        ndim = len(input_shape)
        axis = _axes(self.axis, ndim, f"BatchNormalization {self.name!r}")[0]
        c = input_shape[axis]
        if c is None:
            raise ValueError(f"BatchNormalization {self.name!r}: axis {self.axis} of the "
                             f"input should have a defined dimension, but the layer "
                             f"received an input with shape {tuple(input_shape)}")
        return int(c)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self._make_affine((c,))
        self.moving_mean = self.add_weight(shape=(c,), initializer=self.moving_mean_initializer,
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight(
            shape=(c,), initializer=self.moving_variance_initializer, trainable=False,
            name="moving_variance")
        self.built = True

    def weight_shapes(self, input_shape):
        c = self._channels(input_shape)
        return {n: (c,) for n in ("gamma", "beta", "moving_mean", "moving_variance")
                if n not in (("gamma",) if not self.scale else ()) + (
                    ("beta",) if not self.center else ())}

    def call(self, inputs, training=None):
        x = inputs
        training = (self.training if training is None else bool(training)) and self.trainable
        return batch_norm_axis(x, self.moving_mean, self.moving_variance, self.gamma,
                               self.beta, training, 1.0 - self.momentum, self.epsilon,
                               self.axis, name=f"BatchNormalization {self.name!r}",
                               unbiased=False)

    def compute_output_shape(self, input_shape):
        _axes(self.axis, len(input_shape), f"BatchNormalization {self.name!r}")
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, **self._affine_config(),
                "moving_mean_initializer": _plain(self.moving_mean_initializer),
                "moving_variance_initializer": _plain(self.moving_variance_initializer),
                "synchronized": False, "renorm": False, "renorm_clipping": None,
                "renorm_momentum": 0.99}


class LayerNormalization(_Normalization):
    """Layer normalisation, Keras's: each sample's y = γ (x − μ)/√(σ² + ε) + β with
    μ, σ² over ``axis`` (an int or a list; default the last), γ and β of the shape
    of those axes. The same in training and inference.

    >>> LayerNormalization()            # on (None, T, 64): 2·64 = 128 parameters
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 rms_scaling=False, **kwargs):
        who = "LayerNormalization"
        if rms_scaling:
            raise NotSupportedError(f"{who}: rms_scaling=True (deprecated in Keras) is not "
                                    "supported; leave rms_scaling=False")
        if isinstance(axis, (list, tuple)):
            axis = [int(a) for a in axis]
        elif not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument "
                            f"'axis', but received: {axis!r}")
        else:
            axis = int(axis)
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, float(epsilon)
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.gamma = self.beta = None
        self._norm_axes = None

    def _shape(self, input_shape):
        axes = _axes(self.axis, len(input_shape), f"LayerNormalization {self.name!r}")
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(f"LayerNormalization {self.name!r}: the normalised axes {axes} "
                             f"must have known sizes, got input shape {tuple(input_shape)}")
        return axes, shape

    def build(self, input_shape):
        axes, shape = self._shape(input_shape)
        self._norm_axes = (len(input_shape), axes)
        self._make_affine(shape)
        self.built = True

    def weight_shapes(self, input_shape):
        _, shape = self._shape(input_shape)
        return {n: shape for n, on in (("gamma", self.scale), ("beta", self.center)) if on}

    def call(self, x):
        ndim, axes = self._norm_axes
        if x.ndim != ndim:
            raise ValueError(f"LayerNormalization {self.name!r}: built for inputs of rank "
                             f"{ndim}, got an input of shape {tuple(x.shape)}")
        bshape = tuple(x.shape[i] if i in axes else 1 for i in range(ndim))
        return normalize(x, axes, bshape, self.gamma, self.beta, self.epsilon)[0]

    def compute_output_shape(self, input_shape):
        _axes(self.axis, len(input_shape), f"LayerNormalization {self.name!r}")
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                **self._affine_config(), "rms_scaling": False}
