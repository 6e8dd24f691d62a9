"""``ConvTranspose1d``: the 1-D transposed convolution, run as ``conv_transpose2d`` on a
height-1 image.

Input (N, C_in, L) (or unbatched (C_in, L)), weight (C_in, C_out/groups, k):
L_out = (L − 1)s − 2p + d(k − 1) + output_padding + 1. A length-L signal is the image
(N, C_in, 1, L) and the kernel (C_in, C_out/groups, 1, k): stride, padding, dilation
and output padding act on the width only, so the 2-D op (its formula, gradients and
forward tangents are in ``ops/conv.py``) computes exactly the 1-D one.
"""
from .conv import conv_transpose2d, ntuple


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """1-D transposed convolution of (N, C_in, L) by weight (C_in, C_out/groups, k)."""
    name = "conv_transpose1d"
    if isinstance(padding, str):
        raise TypeError(f"{name}: padding must be an int or a tuple of ints, got {padding!r}")
    if weight.ndim != 3:
        raise RuntimeError(f"{name}: expected a 3-D weight (C_in, C_out/groups, k), got "
                           f"shape {tuple(weight.shape)}")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{name}: Expected 2D (unbatched) or 3D (batched) input to "
                           f"conv_transpose1d, but got input of size: {list(input.shape)}")
    s, p, op, d = (ntuple(v, 1, name, what)[0] for v, what in (
        (stride, "stride"), (padding, "padding"), (output_padding, "output_padding"),
        (dilation, "dilation")))
    unbatched = input.ndim == 2
    x = input.reshape(1, *input.shape) if unbatched else input
    x = x.reshape(x.shape[0], x.shape[1], 1, x.shape[2])
    w = weight.reshape(weight.shape[0], weight.shape[1], 1, weight.shape[2])
    y = conv_transpose2d(x, w, bias, (1, s), (0, p), (0, op), groups, (1, d))
    y = y.reshape(y.shape[0], y.shape[1], y.shape[3])
    return y.reshape(*y.shape[1:]) if unbatched else y
