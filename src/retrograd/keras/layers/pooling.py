"""Keras's pooling layers: ``MaxPooling1D/2D``, ``AveragePooling1D/2D`` (aliases
``MaxPool2D``, ``AvgPool2D``, …), ``GlobalAveragePooling1D/2D``, ``GlobalMaxPooling1D/2D``.

Channels-last by default, as Keras. The windows are ``ops/pooling.py``'s;
``padding="same"`` gives ⌈n/stride⌉ outputs with the odd pad at the end, the pad
never winning a max (−∞) nor counted in a mean (Keras's rule).

>>> MaxPooling2D()(x).shape        # x: (N, 24, 24, 64); pool_size (2, 2)
(N, 12, 12, 64)
"""
from ...backend import array_module
from ...ops import pooling as P
from ...ops.conv import same_padding
from ...ops.elementwise import where
from ...ops.padding import pad
from ...tensor import Tensor
from .convolutional import _data_format, _tuple_arg
from .layer import Layer


class _Pooling(Layer):
    rank = 2
    _op = None   # "max" or "avg"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.pool_size = _tuple_arg(pool_size, self.rank, who, "pool_size")
        self.strides = self.pool_size if strides is None else \
            _tuple_arg(strides, self.rank, who, "strides")
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(f"{who}: the `padding` argument must be one of 'valid', "
                             f"'same'. Received: padding={padding!r}")
        self.padding = padding
        self.data_format = _data_format(data_format, who)
        self.built = True

    def _spatial(self, shape):
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected an input of "
                             f"rank {self.rank + 2}, got input shape {input_shape}")
        out = []
        for n, k, s in zip(self._spatial(input_shape), self.pool_size, self.strides):
            if n is None:
                out.append(None)
            elif self.padding == "same":
                out.append(-(-n // s))
            else:
                out.append((n - k) // s + 1)
        if any(o is not None and o < 1 for o in out):
            raise ValueError(f"{type(self).__name__} {self.name!r}: computed output size "
                             f"would be zero or negative for input shape {input_shape}, "
                             f"pool_size={self.pool_size}, strides={self.strides}")
        if self.data_format == "channels_last":
            return (input_shape[0],) + tuple(out) + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + tuple(out)

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        if self.data_format == "channels_last":
            x = x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))
        fn = {("max", 1): P.max_pool1d, ("max", 2): P.max_pool2d,
              ("avg", 1): P.avg_pool1d, ("avg", 2): P.avg_pool2d}[self._op, self.rank]
        if self.padding == "same":
            pads = [same_padding(n, k, s, 1) for n, k, s in
                    zip(x.shape[2:], self.pool_size, self.strides)]
            flat = tuple(v for lo_hi in reversed(pads) for v in lo_hi)
            if self._op == "max":
                y = fn(pad(x, flat, value=float("-inf")), self.pool_size, self.strides)
            else:
                # Mean over the window's input cells only: the zero-padded sum's mean
                # divided by the fraction of the window inside the input.
                y = fn(pad(x, flat), self.pool_size, self.strides)
                ones = x.detach()[:1, :1] * 0 + 1
                y = y / fn(pad(ones, flat), self.pool_size, self.strides)
        else:
            y = fn(x, self.pool_size, self.strides)
        if self.data_format == "channels_last":
            y = y.permute(0, *range(2, y.ndim), 1)
        return y

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size,
                "padding": self.padding, "strides": self.strides,
                "data_format": self.data_format}


class MaxPooling2D(_Pooling):
    """Max over pool_size windows: (N, H, W, C) → (N, H', W', C)."""
    _op = "max"


class AveragePooling2D(_Pooling):
    """Mean over pool_size windows: (N, H, W, C) → (N, H', W', C)."""
    _op = "avg"


class MaxPooling1D(_Pooling):
    """Max over windows of (N, L, C)."""
    rank, _op = 1, "max"


class AveragePooling1D(_Pooling):
    """Mean over windows of (N, L, C)."""
    rank, _op = 1, "avg"


class _GlobalPooling(Layer):
    rank = 2
    _op = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.built = True

    def _axes(self, ndim):
        return tuple(range(1, ndim - 1)) if self.data_format == "channels_last" else \
            tuple(range(2, ndim))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected an input of "
                             f"rank {self.rank + 2}, got input shape {input_shape}")
        axes = self._axes(len(input_shape))
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        axes = self._axes(x.ndim)
        if self._op == "max":
            return x.amax(axes, self.keepdims)
        return x.mean(axis=axes, keepdims=self.keepdims)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over H and W: (N, H, W, C) → (N, C)."""
    _op = "avg"


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over H and W: (N, H, W, C) → (N, C)."""
    _op = "max"


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over L: (N, L, C) → (N, C). With a mask (N, L) (``Embedding(mask_zero=
    True)``, ``Masking``) the mean of the real steps: Σ m·x / Σ m, as Keras's; the
    output has no mask."""
    rank, _op = 1, "avg"

    def call(self, inputs, mask=None):
        if mask is None:
            return _GlobalPooling.call(self, inputs)
        x = inputs
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        steps = 1 if self.data_format == "channels_last" else 2
        m = mask.array if isinstance(mask, Tensor) else array_module(x.array).asarray(mask)
        if tuple(m.shape) != (x.shape[0], x.shape[steps]):
            raise ValueError(f"GlobalAveragePooling1D {self.name!r}: the mask must have "
                             f"shape (batch, steps) = ({x.shape[0]}, {x.shape[steps]}), "
                             f"got {tuple(m.shape)}")
        m = m.astype(bool)[:, :, None] if steps == 1 else m.astype(bool)[:, None, :]
        total = where(m, x, 0.0).sum(axis=steps, keepdims=self.keepdims)
        count = m.astype(x.dtype).sum(axis=steps, keepdims=self.keepdims)
        return total / Tensor(count)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over L: (N, L, C) → (N, C)."""
    rank, _op = 1, "max"


# Keras's aliases.
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D


