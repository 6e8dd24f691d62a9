"""Pooling layers with PyTorch's names and defaults (NCHW); the computations are in
``ops/pooling.py``. ``stride`` defaults to ``kernel_size`` (non-overlapping windows).

>>> MaxPool2d(2)(x).shape          # x: (64, 32, 24, 24)
(64, 32, 12, 12)
"""
from ..missing import NotSupportedError
from ..ops import pooling as P
from .module import Module


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode


class MaxPool2d(_Pool):
    """y = max over each kernel_size window (see ops/pooling.py)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation, self.return_indices = dilation, return_indices
        if return_indices:
            raise NotSupportedError(f"{type(self).__name__}: return_indices=True is not "
                                    "supported (retrograd has no max_unpool to use them)")

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
