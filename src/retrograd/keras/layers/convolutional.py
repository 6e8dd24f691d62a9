"""Keras's convolution layers: ``Conv1D``, ``Conv2D``, ``Conv3D``, ``Conv1DTranspose``,
``Conv2DTranspose``, ``Conv3DTranspose``, ``DepthwiseConv1D/2D`` and
``SeparableConv1D/2D`` (a depthwise convolution, one filter bank per input channel —
the grouped convolution with groups = channels — then a 1×1 convolution that mixes
the channels). The 3-D ones are made of 2-D convolutions (ops/conv.py is 1-D/2-D).

Inputs are channels-last by default, (N, H, W, C), as in Keras
(``data_format="channels_first"``: (N, C, H, W)); the kernel is stored in Keras's
layout (kh, kw, C/groups, filters) — (kh, kw, filters, C) for the transposed
convolution — so ``get_weights``/``set_weights`` exchange weights with Keras. The
computation is the one op of ``ops/conv.py`` (NCHW): the layer transposes its input,
kernel and output around it.

Keras's ``padding="same"`` gives ⌈n/stride⌉ outputs, with the odd pad at the end
(so it may be asymmetric); ``"causal"`` (Conv1D) pads d·(k − 1) at the start only.

>>> Conv2D(32, 3, activation="relu")(x).shape       # x: (N, 28, 28, 1)
(N, 26, 26, 32)
"""
import numpy as np

from ...nn import activations as _activations
from ...nn import regularizers as _regularizers
from ...ops.conv import ConvTranspose, Geometry, conv_padded, ntuple, same_padding
from .layer import Layer, _plain, _positive_int, _regularizer_config, constraint_config, \
    read_constraints
from ...ops.einsum import einsum
from ...ops.padding import pad
from ...tensor import Tensor


def _data_format(value, who):
    value = "channels_last" if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"{who}: the `data_format` argument must be one of "
                         f"'channels_first', 'channels_last'. Received: data_format={value!r}")
    return value


def _tuple_arg(value, n, who, arg):
    try:
        t = ntuple(value, n, who, arg)
    except (TypeError, ValueError):
        raise ValueError(f"{who}: the `{arg}` argument must be a tuple of {n} integers. "
                         f"Received {arg}={value!r}") from None
    if any(v < 1 for v in t):
        raise ValueError(f"{who}: the `{arg}` argument must be a tuple of {n} positive "
                         f"integers. Received {arg}={value!r}")
    return t


def _activation_name(fn, given):
    return "linear" if given is None else _activations.serialize(fn)


class _Conv(Layer):
    rank = 2
    _paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        who = type(self).__name__
        self.filters = _positive_int(filters, who, "filters")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.kernel_size = _tuple_arg(kernel_size, n, who, "kernel_size")
        self.strides = _tuple_arg(strides, n, who, "strides")
        self.dilation_rate = _tuple_arg(dilation_rate, n, who, "dilation_rate")
        self.groups = _positive_int(groups, who, "groups")
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in self._paddings:
            raise ValueError(f"{who}: the `padding` argument must be one of "
                             f"{self._paddings}. Received: padding={padding!r}")
        self.padding = padding
        self.data_format = _data_format(data_format, who)
        if self.filters % self.groups:
            raise ValueError(f"{who}: the number of filters must be evenly divisible by the "
                             f"number of groups. Received: groups={self.groups}, "
                             f"filters={self.filters}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{who}: `strides > 1` not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        # projections the optimizers apply to the weights after each update
        self.kernel_constraint, self.bias_constraint = read_constraints(
            who, kernel_constraint=kernel_constraint, bias_constraint=bias_constraint).values()
        self.activation = _activations.get(activation)
        self.activation_name = _activation_name(self.activation, activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.kernel = self.bias = None

    # -- shapes ----------------------------------------------------------------------
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape):
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels // self.groups, self.filters)

    def _add_bias(self, size):
        """The bias (when ``use_bias``), then the layer is built."""
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(size,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _input_channels(self, input_shape):
        """The input's channel count, after Keras's checks of its rank and of a known
        channel dimension."""
        who = f"{type(self).__name__} {self.name!r}"
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{who}: expected an input of rank {self.rank + 2} (batch, "
                             f"{self.rank} spatial axes, channels), got input shape "
                             f"{input_shape}")
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(f"{who}: the channel dimension of the inputs should be "
                             f"defined. Received input shape {input_shape}")
        return channels

    def build(self, input_shape):
        who = f"{type(self).__name__} {self.name!r}"
        input_shape = tuple(input_shape)
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(f"{who}: the number of input channels must be evenly divisible "
                             f"by the number of groups. Received groups={self.groups}, but "
                             f"the input has {channels} channels (full input shape is "
                             f"{input_shape})")
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape(channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._add_bias(self.filters)

    def _out_length(self, n, k, s, d):
        if n is None:
            return None
        if self.padding == "valid":
            return (n - d * (k - 1) - 1) // s + 1
        return -(-n // s)            # "same", "causal": ⌈n/s⌉

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = tuple(self._out_length(n, k, s, d) for n, k, s, d in zip(
            self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate))
        if any(o is not None and o < 1 for o in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: computed output size "
                             f"would be negative or zero for input shape {input_shape}, "
                             f"kernel_size={self.kernel_size}, strides={self.strides}, "
                             f"padding={self.padding!r}")
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (self.filters,)
        return (input_shape[0], self.filters) + spatial

    # -- computing ---------------------------------------------------------------------
    def _pads(self, spatial):
        out = []
        for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate):
            if self.padding == "valid":
                out.append((0, 0))
            elif self.padding == "causal":
                out.append((d * (k - 1), 0))
            else:
                out.append(same_padding(n, k, s, d))
        return out

    def _to_channels_first(self, x):
        if self.data_format == "channels_first":
            return x
        return x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))

    def _to_channels_last(self, y):
        if self.data_format == "channels_first":
            return y
        return y.permute(0, *range(2, y.ndim), 1)

    def _torch_kernel(self):
        """(k…, C/G, F) → PyTorch's (F, C/G, k…)."""
        n = self.rank
        return self.kernel.permute(n + 1, n, *range(n))

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))   # a clear size error
        xc = self._to_channels_first(x)
        y = conv_padded(xc, self._torch_kernel(), self.bias, self.strides,
                        self._pads(xc.shape[2:]), self.dilation_rate, self.groups)
        y = self._to_channels_last(y)
        return y if self.activation_name == "linear" else self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": self.activation_name, "use_bias": self.use_bias,
                "kernel_initializer": _plain(self.kernel_initializer),
                "bias_initializer": _plain(self.bias_initializer),
                "kernel_regularizer": _regularizer_config(self.kernel_regularizer),
                "bias_regularizer": _regularizer_config(self.bias_regularizer),
                "activity_regularizer": _regularizer_config(self.activity_regularizer),
                "kernel_constraint": constraint_config(self.kernel_constraint),
                "bias_constraint": constraint_config(self.bias_constraint)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for k in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
            if isinstance(config.get(k), dict):
                config[k] = _regularizers.get(config[k])
        return cls(**config)


class Conv2D(_Conv):
    """2-D convolution: (N, H, W, C) → (N, H', W', filters), kernel (kh, kw, C/groups,
    filters). Keras's arguments and defaults (``padding="valid"``, ``strides=1``,
    Glorot-uniform kernel, zero bias)."""


class Conv1D(_Conv):
    """1-D convolution: (N, L, C) → (N, L', filters), kernel (k, C/groups, filters);
    ``padding="causal"`` makes output t depend on inputs ≤ t only."""

    rank = 1
    _paddings = ("valid", "same", "causal")


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution (upsampling): (N, H, W, C) → (N, H', W', filters),
    kernel (kh, kw, filters, C) as Keras stores it. ``padding="valid"``:
    H' = (H − 1)s + max(k, s); ``"same"``: H' = H·s; ``output_padding`` sets the extra
    rows at the end instead."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         1, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None if output_padding is None else \
            ntuple(output_padding, self.rank, type(self).__name__, "output_padding")
        if self.output_padding is not None:
            for o, s in zip(self.output_padding, self.strides):
                if not 0 <= o < s:
                    raise ValueError(f"{type(self).__name__}: output_padding must be "
                                     f"smaller than the stride, got output_padding="
                                     f"{self.output_padding}, strides={self.strides}")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _lengths(self, n, k, s, d, op):
        """Keras's (left pad, right pad) of the stride-dilated input for one axis (its
        backend_utils formula), and the output length."""
        k = (k - 1) * d + 1
        if self.padding == "valid":
            op = max(k, s) - k if op is None else op
            left, right = k - 1, k - 1 + op
        else:
            total = s + k - 2 if op is None else k + k % 2 - 2 + op
            left = min(total // 2 + total % 2, k - 1)
            right = total - left
        return left, right, None if n is None else (n - 1) * s + 1 + left + right - k + 1

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        ops = self.output_padding or (None,) * self.rank
        spatial = tuple(self._lengths(n, k, s, d, op)[2] for n, k, s, d, op in zip(
            self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate,
            ops))
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (self.filters,)
        return (input_shape[0], self.filters) + spatial

    def call(self, x):
        y = self._transposed(self._to_channels_first(x), self.kernel, self.kernel_size,
                             self.strides, self.dilation_rate,
                             self.output_padding or (None, None))
        y = self._to_channels_last(y)
        return y if self.activation_name == "linear" else self.activation(y)

    def _transposed(self, xc, kernel, kernel_size, strides, dilation_rate, output_padding,
                    with_bias=True):
        """The transposed convolution of channels-first 4-D ``xc`` by the (kh, kw, F, C)
        ``kernel`` (plus the bias, if ``with_bias``)."""
        pads, extra = [], []
        for n, k, s, d, op in zip(xc.shape[2:], kernel_size, strides, dilation_rate,
                                  output_padding):
            left, right, _ = self._lengths(n, k, s, d, op)
            # Relative to the full transposed convolution ((n − 1)s + d(k − 1) + 1 long,
            # i.e. left = right = d(k − 1)): crop at the start, crop or extend at the end.
            keff = d * (k - 1)
            pads.append((keff - left, max(keff - right, 0)))
            extra.append(max(right - keff, 0))
        geo = Geometry(kernel_size, strides, dilation_rate, tuple(pads), 1)
        w = kernel.permute(3, 2, 0, 1)          # (kh, kw, F, C) → (C, F, kh, kw)
        args = (xc, w) if self.bias is None or not with_bias else (xc, w, self.bias)
        return ConvTranspose(geo, 2, "conv_transpose2d", tuple(extra)).apply(*args)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = self.output_padding
        return config




class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution: (N, L, C) → (N, L', filters), kernel (k, filters,
    C) as Keras stores it; computed as the 2-D one on a height-1 image."""

    rank = 1

    def call(self, x):
        xc = self._to_channels_first(x).unsqueeze(2)            # (N, C, 1, L)
        op = (self.output_padding or (None,))[0]
        y = self._transposed(xc, self.kernel.unsqueeze(0), (1,) + self.kernel_size,
                             (1,) + self.strides, (1,) + self.dilation_rate, (None, op))
        y = self._to_channels_last(y.squeeze(2))
        return y if self.activation_name == "linear" else self.activation(y)


class _Depthwise(_Conv):
    """Depthwise convolution: each input channel c convolved with its own
    ``depth_multiplier`` filters, kernel (k…, C, M), output channel c·M + m (the grouped
    convolution with groups = C)."""

    _paddings = ("valid", "same")

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        who = type(self).__name__
        self.depth_multiplier = _positive_int(depth_multiplier, who, "depth_multiplier")
        super().__init__(1, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)

    def _set_channels(self, input_shape):
        channels = self._input_channels(input_shape)
        self.groups, self.filters = channels, channels * self.depth_multiplier
        return channels

    def build(self, input_shape):
        channels = self._set_channels(input_shape)
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (
            channels, self.depth_multiplier), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self._add_bias(self.filters)

    def compute_output_shape(self, input_shape):
        self._set_channels(input_shape)
        return super().compute_output_shape(input_shape)

    def _torch_kernel(self):
        """(k…, C, M) → PyTorch's grouped (C·M, 1, k…)."""
        n, k = self.rank, self.kernel
        return k.reshape(self.kernel_size + (self.filters,)).permute(n, *range(n)).unsqueeze(1)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups"):
            del config[key]
        for key in ("initializer", "regularizer", "constraint"):
            config[f"depthwise_{key}"] = config.pop(f"kernel_{key}")
        return {"depth_multiplier": self.depth_multiplier, **config}


class DepthwiseConv2D(_Depthwise):
    """Depthwise 2-D convolution: (N, H, W, C) → (N, H', W', C·depth_multiplier),
    kernel (kh, kw, C, depth_multiplier) (MobileNet's spatial filtering).

    >>> DepthwiseConv2D(3, padding="same")
    """


class DepthwiseConv1D(_Depthwise):
    """Depthwise 1-D convolution: (N, L, C) → (N, L', C·depth_multiplier), kernel
    (k, C, depth_multiplier)."""

    rank = 1


class _Separable(_Depthwise):
    """A depthwise convolution (kernel ``depthwise_kernel`` (k…, C, M), no bias) then
    a 1×1 convolution (``pointwise_kernel`` (1…, C·M, filters), ``bias``): far fewer
    weights than a full convolution, k…·C·M + C·M·filters instead of k…·C·filters."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        self.out_filters = _positive_int(filters, type(self).__name__, "filters")
        self.pointwise_constraint = read_constraints(
            type(self).__name__, pointwise_constraint=pointwise_constraint)[
            "pointwise_constraint"]
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
        self.pointwise_initializer = pointwise_initializer
        self.pointwise_regularizer = _regularizers.get(pointwise_regularizer)
        self.pointwise_kernel = None

    def build(self, input_shape):
        channels = self._set_channels(input_shape)
        self.depthwise_kernel = self.kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (self.filters, self.out_filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._add_bias(self.out_filters)

    def compute_output_shape(self, input_shape):
        shape = list(super().compute_output_shape(input_shape))
        shape[self._channel_axis()] = self.out_filters
        return tuple(shape)

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        xc = self._to_channels_first(x)
        y = conv_padded(xc, self._torch_kernel(), None, self.strides,
                        self._pads(xc.shape[2:]), self.dilation_rate, self.groups)
        n = self.rank                      # (1…, C·M, F) → PyTorch's (F, C·M, 1…)
        w = self.pointwise_kernel.permute(n + 1, n, *range(n))
        y = conv_padded(y, w, self.bias, (1,) * n, [(0, 0)] * n, (1,) * n, 1)
        y = self._to_channels_last(y)
        return y if self.activation_name == "linear" else self.activation(y)

    def get_config(self):
        config = super().get_config()
        return {"depth_multiplier": config.pop("depth_multiplier"),
                "filters": self.out_filters, **config,
                "pointwise_initializer": _plain(self.pointwise_initializer),
                "pointwise_regularizer": _regularizer_config(self.pointwise_regularizer),
                "pointwise_constraint": constraint_config(self.pointwise_constraint)}


class SeparableConv2D(_Separable):
    """Depthwise-separable 2-D convolution (Xception, MobileNet): (N, H, W, C) →
    (N, H', W', filters).

    >>> SeparableConv2D(64, 3, padding="same", activation="relu")
    """


class SeparableConv1D(_Separable):
    """Depthwise-separable 1-D convolution: (N, L, C) → (N, L', filters)."""

    rank = 1


# Keras's other names for the same classes.
Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D


class Conv3D(_Conv):
    """3-D convolution: (N, D, H, W, C) → (N, D', H', W', filters), kernel (kd, kh, kw,
    C/groups, filters). retrograd has no 3-D convolution op: a 3-D kernel is kd 2-D
    kernels, y[d] = Σᵢ conv2d(x[d·s + i·dil], W[i]) — each of the kd 2-D convolutions
    runs on every output depth at once (the depths put in the batch) — so the values
    and the gradients are the 2-D op's.

    >>> Conv3D(8, 3, activation="relu")       # on (None, 16, 16, 16, 1)
    """

    rank = 3

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        xc = self._to_channels_first(x)                        # (N, C, D, H, W)
        (d0, d1), *plane_pads = self._pads(xc.shape[2:])
        if d0 or d1:
            xc = pad(xc, (0, 0, 0, 0, d0, d1))
        n, c, depth = xc.shape[:3]
        (kd, _, _), (sd, *s2), (dd, *dil2) = self.kernel_size, self.strides, \
            self.dilation_rate
        out_d = (depth - dd * (kd - 1) - 1) // sd + 1
        w = self._torch_kernel()                               # (F, C/g, kd, kh, kw)
        total = None
        for i in range(kd):
            planes = xc[:, :, np.arange(out_d) * sd + i * dd]   # (N, C, D', H, W)
            planes = planes.permute(0, 2, 1, 3, 4).reshape((n * out_d, c) + xc.shape[3:])
            y = conv_padded(planes, w[:, :, i], None, tuple(s2), plane_pads, tuple(dil2),
                            self.groups)
            total = y if total is None else total + y
        y = total.reshape((n, out_d) + total.shape[1:]).permute(0, 2, 1, 3, 4)
        if self.bias is not None:
            y = y + self.bias.reshape(1, -1, 1, 1, 1)
        y = self._to_channels_last(y)
        return y if self.activation_name == "linear" else self.activation(y)


Convolution3D = Conv3D


class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3-D convolution: (N, D, H, W, C) → (N, D', H', W', filters), kernel
    (kd, kh, kw, filters, C). As ``Conv3D``, made of 2-D ops: for each depth tap i, the
    2-D transposed convolution of every input depth by W[i], put at output depths
    d·s + i·dil (minus Keras's padding) by a constant 0/1 matrix.

    >>> Conv3DTranspose(8, 3, strides=2, padding="same")
    """

    rank = 3

    def call(self, x):
        xc = self._to_channels_first(x)                        # (N, C, D, H, W)
        n, c, depth, h, w = xc.shape
        (kd, *k2), (sd, *s2), (dd, *d2) = self.kernel_size, self.strides, self.dilation_rate
        op_d, *op2 = self.output_padding or (None, None, None)
        left, _, out_d = self._lengths(depth, kd, sd, dd, op_d)
        start = dd * (kd - 1) - left          # cropped from the full transposed length
        planes = xc.permute(0, 2, 1, 3, 4).reshape(n * depth, c, h, w)
        total = None
        for i in range(kd):
            y = self._transposed(planes, self.kernel[i], tuple(k2), tuple(s2), tuple(d2),
                                 tuple(op2), with_bias=False)   # (N·D, F, H', W')
            place = np.zeros((out_d, depth), np.float32)
            for d in range(depth):
                o = d * sd + i * dd - start
                if 0 <= o < out_d:
                    place[o, d] = 1.0
            y = y.reshape((n, depth) + y.shape[1:])
            part = einsum("od,ndfhw->nfohw", Tensor(np.asarray(place)).to(y.device), y)
            total = part if total is None else total + part
        if self.bias is not None:
            total = total + self.bias.reshape(1, -1, 1, 1, 1)
        y = self._to_channels_last(total)
        return y if self.activation_name == "linear" else self.activation(y)


Convolution3DTranspose = Conv3DTranspose
