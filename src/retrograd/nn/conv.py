"""Convolution layers with PyTorch's names, defaults and initialisation (NCHW).

``Conv2d(in_channels, out_channels, kernel_size)`` holds a weight of shape
(out, in/groups, kh, kw) and a bias (out,), and computes ``F.conv2d`` (formula in
``ops/conv.py``). Both start as U(−1/√fan_in, 1/√fan_in), fan_in = in/groups·kh·kw:
PyTorch's kaiming_uniform(a=√5) for the weight, which is that same bound.
``ConvTranspose2d`` holds (in, out/groups, kh, kw), its fan_in being out/groups·kh·kw.
"""
import math

import numpy as np

from ..missing import NotSupportedError
from ..ops.conv import conv1d, conv2d, conv_transpose2d, ntuple
from ..ops.conv_transpose1d import conv_transpose1d
from ..ops.padding import pad
from . import init
from .linear import _positive_int
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    """The convolution layers' common part: arguments, weights, repr; ``forward``
    applies the class's op (``_conv``)."""
    _n = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None, generator=None):
        super().__init__()
        name, n = type(self).__name__, self._n
        self.in_channels = _positive_int(name, "in_channels", in_channels)
        self.out_channels = _positive_int(name, "out_channels", out_channels)
        self.groups = _positive_int(name, "groups", groups)
        for what, c in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if c % self.groups:
                raise ValueError(f"{name}: {what} must be divisible by groups, got "
                                 f"{what}={c} and groups={self.groups}")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of ['zeros', 'reflect', 'replicate', "
                             f"'circular'], but got padding_mode='{padding_mode}'")
        if padding_mode != "zeros" and self._transposed:
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        self.padding_mode = padding_mode
        self.kernel_size = ntuple(kernel_size, n, name, "kernel_size")
        self.stride = ntuple(stride, n, name, "stride")
        self.dilation = ntuple(dilation, n, name, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be "
                                 "one of {'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 "convolutions")
            self.padding = padding
        else:
            self.padding = ntuple(padding, n, name, "padding")
        self.output_padding = (0,) * n      # ConvTranspose2d sets its own
        dtype = np.dtype(dtype or np.float32)
        if self._transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        fan_in = shape[1] * math.prod(self.kernel_size)
        bound = 1.0 / math.sqrt(fan_in)
        self.weight = init.kaiming_uniform_(Parameter(np.empty(shape, dtype=dtype)),
                                            a=math.sqrt(5), generator=generator)
        if bias:
            self.bias = init.uniform_(Parameter(np.empty(self.out_channels, dtype=dtype)),
                                      -bound, bound, generator)
        else:
            self.bias = None
        if device is not None:
            self.to(device)

    def forward(self, input):
        if self.padding_mode != "zeros":   # PyTorch: F.pad in that mode, then no padding
            return self._conv(pad(input, self._mode_padding(), self.padding_mode),
                              self.weight, self.bias, self.stride, 0, self.dilation,
                              self.groups)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)

    def _mode_padding(self):
        """F.pad's amounts (last axis first) for ``padding`` ("same": d(k − 1) split
        with the extra one after, as PyTorch)."""
        if self.padding == "valid":
            return (0, 0) * self._n
        if self.padding == "same":
            pairs = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                     for k, d in zip(self.kernel_size, self.dilation)]
        else:
            pairs = [(p, p) for p in self.padding]
        return tuple(a for pair in reversed(pairs) for a in pair)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution, input (N, C_in, H, W) → (N, C_out, H_out, W_out).

    >>> conv = Conv2d(1, 32, 3); conv(x).shape          # x: (64, 1, 28, 28)
    (64, 32, 26, 26)
    """

    _conv = staticmethod(conv2d)


class Conv1d(_ConvNd):
    """1-D convolution, input (N, C_in, L) → (N, C_out, L_out)."""

    _n, _conv = 1, staticmethod(conv1d)


class _ConvTransposeNd(_ConvNd):
    """A transposed convolution (the gradient of the convolution with respect to its
    input): it upsamples, (L − 1)s − 2p + d(k − 1) + output_padding + 1 along each
    spatial axis — stride 2 doubles it (kernel 2, or kernel 3 with padding 1 and
    output_padding 1). Weight (C_in, C_out/groups, k…)."""

    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None, generator=None):
        name = type(self).__name__
        if isinstance(padding, str):
            raise TypeError(f"{name}: padding must be an int or a tuple, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, generator=generator)
        self.output_padding = ntuple(output_padding, self._n, name, "output_padding")

    def forward(self, input, output_size=None):
        if output_size is not None:
            raise NotSupportedError(f"{type(self).__name__}: output_size= is not "
                                    "supported; set output_padding instead")
        return self._conv_t(input, self.weight, self.bias, self.stride, self.padding,
                            self.output_padding, self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution, (N, C_in, H, W) → (N, C_out, H_out, W_out)."""

    _n, _conv_t = 2, staticmethod(conv_transpose2d)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution, (N, C_in, L) → (N, C_out, L_out) (run as
    ``conv_transpose2d`` on a height-1 image: ops/conv_transpose1d.py)."""

    _n, _conv_t = 1, staticmethod(conv_transpose1d)
