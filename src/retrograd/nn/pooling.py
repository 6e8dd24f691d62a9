"""Pooling layers with PyTorch's names and defaults (NCHW); the computations are in
``ops/pooling.py``. ``stride`` defaults to ``kernel_size`` (non-overlapping windows).

>>> MaxPool2d(2)(x).shape          # x: (64, 32, 24, 24)
(64, 32, 12, 12)
"""
from ..ops import pooling as P
from ..ops.conv import ntuple
from .module import Module


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode


class MaxPool2d(_Pool):
    """y = max over each kernel_size window (see ops/pooling.py); with
    ``return_indices=True`` the pair (y, indices), each max's flat index into its
    input plane, for ``MaxUnpool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation, self.return_indices = dilation, return_indices

    _fn = staticmethod(P.max_pool2d)

    def forward(self, input):
        return self._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                        self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding="
                f"{self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(MaxPool2d):
    """y = max over each window of (N, C, L)."""

    _fn = staticmethod(P.max_pool1d)


class AvgPool2d(_Pool):
    """y = mean over each kernel_size window; ``count_include_pad`` counts the zero
    padding in the divisor."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return P.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                            self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_Pool):
    """y = mean over each window of (N, C, L)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return P.avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                            self.ceil_mode, self.count_include_pad)

    def extra_repr(self):
        return (f"kernel_size={_one(self.kernel_size)}, stride={_one(self.stride)}, "
                f"padding={_one(self.padding)}")


def _one(v):
    """PyTorch's 1-d pooling shows its arguments as 1-tuples."""
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (oh, ow), whatever the input's H and W;
    ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return P.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of (N, C, L) to a fixed length."""

    def forward(self, input):
        return P.adaptive_avg_pool1d(input, self.output_size)


class MaxUnpool2d(Module):
    """The partial inverse of ``MaxPool2d``: values written back at the indices it
    returned, zeros elsewhere (see ops/pooling.py).

    >>> pool, unpool = MaxPool2d(2, return_indices=True), MaxUnpool2d(2)
    >>> unpool(*pool(x)).shape == x.shape        # x: (N, C, 4, 4)
    """

    _n, _fn = 2, staticmethod(P.max_unpool2d)

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = ntuple(kernel_size, self._n, name, "kernel_size")
        self.stride = self.kernel_size if stride is None else ntuple(stride, self._n, name,
                                                                      "stride")
        self.padding = ntuple(padding, self._n, name, "padding")

    def forward(self, input, indices, output_size=None):
        return self._fn(input, indices, self.kernel_size, self.stride, self.padding,
                        output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """The partial inverse of ``MaxPool1d`` on (N, C, L)."""

    _n, _fn = 1, staticmethod(P.max_unpool1d)


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed output size (oh, ow), whatever the input's H and W;
    ``return_indices=True`` also returns each max's flat index into its plane."""

    _fn = staticmethod(P.adaptive_max_pool2d)

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return self._fn(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max pooling of (N, C, L) to a fixed length."""

    _fn = staticmethod(P.adaptive_max_pool1d)
