"""Padding layers: ``F.pad`` (``ops/padding.py``) with a fixed padding, as PyTorch's
``ZeroPad``/``ConstantPad``/``ReflectionPad``/``ReplicationPad``/``CircularPad``
1d, 2d and 3d.

``padding``: an int (the same on every side) or a tuple of 2·k amounts, last axis
first: (left, right) for 1d, (left, right, top, bottom) for 2d, and
(left, right, top, bottom, front, back) for 3d.

>>> ReflectionPad2d(1)(x).shape        # x: (N, C, H, W)
(N, C, H + 2, W + 2)
"""
import numpy as np

from ..ops.padding import pad
from .module import Module


def _padding(name, padding, k):
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        return (int(padding),) * (2 * k)
    padding = tuple(padding)
    if len(padding) != 2 * k:
        raise ValueError(f"{name}: padding must be an int or a tuple of {2 * k} ints, got "
                         f"{padding!r}")
    return padding


class _PadNd(Module):
    k = 1
    mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding(type(self).__name__, padding, self.k)

    def _check_dims(self, x):
        pass

    def forward(self, x):
        self._check_dims(x)
        return pad(x, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, x):
        return pad(x, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _CircularPadNd(_PadNd):
    mode = "circular"

    def _check_dims(self, x):
        if x.ndim not in (self.k + 1, self.k + 2):
            raise ValueError(f"expected {self.k + 1}D or {self.k + 2}D input (got {x.ndim}D "
                             "input)")


class ConstantPad1d(_ConstantPadNd):
    """Pads the last axis with ``value``."""
    k = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two axes with ``value``."""
    k = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three axes with ``value``."""
    k = 3


class _ZeroPad:
    """Mixin of the ZeroPadNd: a ConstantPadNd whose value is 0."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pads the last axis with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pads the last two axes with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pads the last three axes with zeros."""


class ReflectionPad1d(_PadNd):
    """Mirror padding of the last axis (the edge is not repeated)."""
    k, mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror padding of the last two axes."""
    k, mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Mirror padding of the last three axes."""
    k, mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeats the edge values of the last axis."""
    k, mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Repeats the edge values of the last two axes."""
    k, mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Repeats the edge values of the last three axes."""
    k, mode = 3, "replicate"


class CircularPad1d(_CircularPadNd):
    """Wraps the last axis around."""
    k = 1


class CircularPad2d(_CircularPadNd):
    """Wraps the last two axes around."""
    k = 2


class CircularPad3d(_CircularPadNd):
    """Wraps the last three axes around."""
    k = 3
