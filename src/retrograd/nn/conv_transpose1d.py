"""``ConvTranspose1d``: the 1-D transposed convolution layer (the op, run as
``conv_transpose2d`` on a height-1 image, is ``ops/conv_transpose1d.py``)."""
from ..missing import NotSupportedError
from ..ops.conv import ntuple
from ..ops.conv_transpose1d import conv_transpose1d
from .conv import _ConvNd


class ConvTranspose1d(_ConvNd):
    """Transposed 1-D convolution, (N, C_in, L) → (N, C_out, L_out): stride 2 doubles L
    (kernel 2, or kernel 3 with padding 1 and output_padding 1). Weight (C_in,
    C_out/groups, k) and bias start as U(−1/√fan_in, 1/√fan_in) as PyTorch's."""

    _n, _transposed = 1, True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None, generator=None):
        if isinstance(padding, str):
            raise TypeError(f"ConvTranspose1d: padding must be an int or a tuple, got "
                            f"{padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, generator=generator)
        self.output_padding = ntuple(output_padding, 1, type(self).__name__, "output_padding")

    def forward(self, input, output_size=None):
        if output_size is not None:
            raise NotSupportedError("ConvTranspose1d: output_size= is not supported; set "
                                    "output_padding instead")
        return conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                self.output_padding, self.groups, self.dilation)
