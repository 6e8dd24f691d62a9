"""``Unfold`` and ``Fold``: sliding blocks as columns and back (im2col / col2im), with
PyTorch's names and defaults; the computations are in ``ops/fold.py``.

>>> Unfold(kernel_size=2)(x).shape             # x: (1, 3, 4, 4)
(1, 12, 9)
>>> Fold(output_size=(4, 4), kernel_size=2)(Unfold(2)(x)).shape
(1, 3, 4, 4)
"""
from ..ops import fold as _fold
from .module import Module


class Unfold(Module):
    """(N, C, H, W) → (N, C·kh·kw, L): every kernel_size block as a column."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input):
        return _fold.unfold(input, self.kernel_size, self.dilation, self.padding,
                            self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """(N, C·kh·kw, L) → (N, C, *output_size): columns added back where their blocks
    lie (overlaps summed), the adjoint of ``Unfold``."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return _fold.fold(input, self.output_size, self.kernel_size, self.dilation,
                          self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
