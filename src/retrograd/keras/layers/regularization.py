"""Keras's spatial dropout layers: ``SpatialDropout1D``, ``SpatialDropout2D``,
``SpatialDropout3D``. They drop whole feature maps (one decision per sample and
channel) instead of single values: neighbouring values of a feature map are strongly
correlated, so dropping them one by one barely regularises (Tompson et al., 2015).
The op is ``nn.dropout.shaped_dropout``."""
import numpy as np

from ...nn.dropout import shaped_dropout
from .layer import Layer
from ...nn.regularizers import L1L2


class _SpatialDropout(Layer):
    """Dropout of whole channels: in training each (sample, channel) feature map is
    zeroed with probability ``rate`` and the others scaled by 1/(1 − rate); identity
    at inference."""

    ndim = None          # the input rank, batch axis included

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        who = type(self).__name__
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1 (1 excluded: it would drop every "
                             f"channel). Received: rate={rate!r}")
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{who}: The `data_format` argument must be one of "
                             f"{{'channels_first', 'channels_last'}}. Received: "
                             f"data_format={data_format!r}")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.rate, self.seed, self.data_format = float(rate), seed, data_format
        self.generator = None if seed is None else np.random.default_rng(seed)
        self.training = False     # Keras: outside fit, the layer infers

    def _check_rank(self, shape):
        if len(shape) != self.ndim:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: expected ndim={self.ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {tuple(shape)}")

    def build(self, input_shape):
        self._check_rank(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        x = inputs
        self._check_rank(x.shape)
        if not (self.training if training is None else training) or self.rate == 0:
            return x
        if self.data_format == "channels_last":
            noise = (x.shape[0],) + (1,) * (x.ndim - 2) + (x.shape[-1],)
        else:
            noise = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
        return shaped_dropout(x, self.rate, noise, True, self.generator, type(self).__name__)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Channel dropout for (N, steps, channels) sequences: one decision per sample and
    channel, shared by all steps.

    >>> SpatialDropout1D(0.2)
    """
    ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, None, seed, name, dtype, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config


class SpatialDropout2D(_SpatialDropout):
    """Channel dropout for (N, rows, cols, channels) feature maps (channels-last; or
    (N, channels, rows, cols) with ``data_format="channels_first"``).

    >>> SpatialDropout2D(0.2)             # after Conv2D
    """
    ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Channel dropout for (N, d1, d2, d3, channels) volumes (or channels-first)."""
    ndim = 5


class ActivityRegularization(Layer):
    """y = x, adding l1·Σ|x| + l2·Σx² (divided by the batch size, as Keras) to the
    losses of the call: a penalty on activations rather than weights.

    >>> ActivityRegularization(l1=1e-3)
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)    # made from l1 and l2
        super().__init__(activity_regularizer=L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
