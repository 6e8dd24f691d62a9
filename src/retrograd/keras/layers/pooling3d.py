"""Keras's 3-D pooling layers for volumes (N, D, H, W, C): ``MaxPooling3D``,
``AveragePooling3D`` (``padding="valid"``), ``GlobalAveragePooling3D``,
``GlobalMaxPooling3D``.

retrograd has no 3-D pooling op: a 3-D window is a 2-D window over (H, W) — the 2-D
pooling op on the D·C planes — then a window over D, the max (or mean) of the
``pool_size[0]`` planes it covers. max over a box = max over D of max over (H, W),
mean likewise, so the values and the gradients (those of the ops) are exact."""
from ...missing import NotSupportedError
from ...ops.pooling import avg_pool2d, max_pool2d
from ...ops.shape import stack
from .convolutional import _data_format, _tuple_arg
from .layer import Layer
from .pooling import _GlobalPooling


class _Pooling3D(Layer):
    _op = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        who = type(self).__name__
        self.pool_size = _tuple_arg(pool_size, 3, who, "pool_size")
        self.strides = self.pool_size if strides is None else \
            _tuple_arg(strides, 3, who, "strides")
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding == "same":
            raise NotSupportedError(f"{who}: padding='same' is not supported (retrograd has "
                                    "no 3-D pooling op); use padding='valid', or "
                                    "ZeroPadding3D before")
        if padding != "valid":
            raise ValueError(f"{who}: the `padding` argument must be one of 'valid', "
                             f"'same'. Received: padding={padding!r}")
        self.padding = padding
        self.data_format = _data_format(data_format, who)
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 5:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: expected ndim=5, found ndim={len(input_shape)}. Full "
                             f"shape received: {input_shape}")
        axes = (1, 2, 3) if self.data_format == "channels_last" else (2, 3, 4)
        out = list(input_shape)
        for a, k, s in zip(axes, self.pool_size, self.strides):
            if out[a] is not None:
                out[a] = (out[a] - k) // s + 1
                if out[a] < 1:
                    raise ValueError(f"{type(self).__name__} {self.name!r}: the pool_size "
                                     f"{self.pool_size} is larger than the input "
                                     f"{input_shape}")
        return tuple(out)

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        if self.data_format == "channels_last":        # → (N, C, D, H, W)
            x = x.permute(0, 4, 1, 2, 3)
        n, c, d, h, w = x.shape
        (kd, kh, kw), (sd, sh, sw) = self.pool_size, self.strides
        pool = max_pool2d if self._op == "max" else avg_pool2d
        planes = pool(x.reshape(n, c * d, h, w), (kh, kw), (sh, sw))
        planes = planes.reshape(n, c, d, planes.shape[-2], planes.shape[-1])
        windows = [planes[:, :, i * sd:i * sd + kd] for i in range((d - kd) // sd + 1)]
        y = stack([p.amax(2) if self._op == "max" else p.mean(2) for p in windows], 2)
        return y.permute(0, 2, 3, 4, 1) if self.data_format == "channels_last" else y

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling3D(_Pooling3D):
    """Max over (d, h, w) boxes of (N, D, H, W, C) volumes.

    >>> MaxPooling3D((2, 2, 2))
    """
    _op = "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling3D(_Pooling3D):
    """Mean over (d, h, w) boxes of (N, D, H, W, C) volumes."""
    _op = "avg"


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over D, H and W: (N, D, H, W, C) → (N, C)."""
    rank, _op = 3, "avg"


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over D, H and W: (N, D, H, W, C) → (N, C)."""
    rank, _op = 3, "max"


# Keras's aliases.
MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalAvgPool3D, GlobalMaxPool3D = GlobalAveragePooling3D, GlobalMaxPooling3D
