"""Sliding blocks as columns: unfold (im2col) and its adjoint fold (col2im), as PyTorch.

``unfold`` lays out every kh×kw block of the zero-padded input x (N, C, H, W) (step s,
gap d between taps) as one column of C·kh·kw values, the blocks side by side:

    cols[n, (c, p, q), l] = x[n, c, s·i + d·p, s·j + d·q]      l = i·Wo + j
    (N, C, H, W) → (N, C·kh·kw, L),   L = Ho·Wo,   Ho = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1

``fold`` does the opposite: it adds each column's values back where its block lies in
an output of ``output_size`` (overlapping blocks add up), then drops the padding. The
two are linear and each other's transpose, so each one's gradient is the other:

    ∂ℓ/∂x = fold(∂ℓ/∂cols)        ∂ℓ/∂cols = unfold(∂ℓ/∂y)

The columns are those of the convolutions (``ops/conv.py``'s ``Geometry.columns`` and
``col2im_add``, one strided slice per kernel tap), laid out (G, C·kh·kw, N·L) there:
here one group, and the sample axis moved in front.

``Tensor.unfold(dimension, size, step)`` — sliding windows along one axis — is here too:
windows i·step … i·step + size − 1 of axis ``dimension``, as a new last axis.
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from .conv import Geometry


def _pair(op, name, v):
    """An int or a pair of ints as a pair, PyTorch's types: a TypeError for anything
    but ints (a string is not read digit by digit, a float not truncated), a
    RuntimeError for a sequence of the wrong length."""
    def is_int(i):
        return isinstance(i, (int, np.integer)) and not isinstance(i, bool)
    if is_int(v):
        return (int(v),) * 2
    if not isinstance(v, (tuple, list)) or not all(map(is_int, v)):
        raise TypeError(f"{op}: {name} must be an int or a tuple of 2 ints, got {v!r}")
    if len(v) != 2:
        raise RuntimeError(f"{op}: it is expected {name} equals to 2, but got "
                           f"{name}={tuple(v)!r}")
    return tuple(int(i) for i in v)


def _geometry(op, kernel_size, dilation, padding, stride):
    """Geometry of one group from PyTorch's int-or-pair arguments, checked as PyTorch."""
    args = {name: _pair(op, name, v) for name, v in (
        ("kernel_size", kernel_size), ("dilation", dilation), ("padding", padding),
        ("stride", stride))}
    for name in ("kernel_size", "dilation", "stride"):
        if min(args[name]) < 1:
            raise RuntimeError(f"{op}: {name} should be greater than zero, got "
                               f"{name}={args[name]}")
    if min(args["padding"]) < 0:
        raise RuntimeError(f"{op}: padding should be non-negative, got "
                           f"padding={args['padding']}")
    (ph, pw) = args["padding"]
    return Geometry(args["kernel_size"], args["stride"], args["dilation"],
                    ((ph, ph), (pw, pw)), 1)


def _blocks(op, geo, h, w):
    """Ho, Wo: the number of blocks along each axis, at least one each."""
    ho, wo = geo.output_hw(h, w)
    if ho < 1 or wo < 1:
        raise RuntimeError(
            f"{op}: given input with spatial size ({h}, {w}), kernel_size={geo.kernel}, "
            f"dilation={geo.dilation}, padding={(geo.pads[0][0], geo.pads[1][0])}, the "
            f"calculated shape of the array of sliding blocks is ({ho}, {wo}), but its "
            "components must be at least one")
    return ho, wo


def _check_input(op, a, nd, what):
    """PyTorch's checks of unfold's and fold's input: nd axes (unbatched) or nd + 1
    (batched), none empty but the batch, floating point."""
    if a.ndim not in (nd, nd + 1) or 0 in a.shape[-nd:]:
        raise RuntimeError(f"{op}: expected a {nd}D (unbatched) or {nd + 1}D (batched) input "
                           f"with non-zero {what} (batch may be 0), but got input of size: "
                           f"{list(a.shape)}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating-point input, got {a.dtype}")


def _im2col(x4, geo, ho, wo):
    """(N, C, H, W) → (N, C·kh·kw, Ho·Wo)."""
    n = x4.shape[0]
    cols = geo.columns(geo.pad(x4), ho, wo)                 # (1, C·kh·kw, N·Ho·Wo)
    return cols.reshape(cols.shape[1], n, ho * wo).transpose(1, 0, 2)


def _col2im(cols, geo, out_shape, ho, wo):
    """(N, C·kh·kw, Ho·Wo) → (N, C, H, W), overlaps added."""
    xp = array_module(cols)
    n, c, h, w = out_shape
    (t, b), (l, r) = geo.pads
    gpad = xp.zeros((n, c, h + t + b, w + l + r), dtype=cols.dtype)
    geo.col2im_add(xp.ascontiguousarray(cols.transpose(1, 0, 2)), gpad, ho, wo)
    return geo.unpad(gpad, h, w)


class Unfold(Function):
    """cols = unfold(x) (the module docstring); ∂ℓ/∂x = fold(∂ℓ/∂cols)."""

    fresh_grads = True

    def __init__(self, geo):
        self.geo = geo

    def forward(self, x):
        _check_input("unfold", x, 3, "channels and sizes")
        self.x_shape = x.shape
        x4 = x if x.ndim == 4 else x[None]
        self.x4 = x4.shape
        self.hw = _blocks("unfold", self.geo, *x4.shape[2:])
        return self._out(_im2col(x4, self.geo, *self.hw))

    def _out(self, cols):
        return cols if len(self.x_shape) == 4 else cols[0]

    def backward(self, gy):
        g = gy if gy.ndim == 3 else gy[None]
        return _col2im(g, self.geo, self.x4, *self.hw).reshape(self.x_shape)

    def jvp(self, dx):
        return self._out(_im2col(dx if dx.ndim == 4 else dx[None], self.geo, *self.hw))


class Fold(Function):
    """y = fold(cols) (the module docstring); ∂ℓ/∂cols = unfold(∂ℓ/∂y)."""

    fresh_grads = True

    def __init__(self, geo, output_size):
        self.geo, self.output_size = geo, output_size

    def forward(self, cols):
        geo, (h, w) = self.geo, self.output_size
        (kh, kw), (pt, _), (pl, _) = geo.kernel, *geo.pads
        args = (f"output_size={self.output_size}, kernel_size={geo.kernel}, dilation="
                f"{geo.dilation}, padding={(pt, pl)}, stride={geo.stride}")
        _check_input("fold", cols, 2, "sizes")
        ck, length = cols.shape[-2:]
        if ck % (kh * kw):
            raise RuntimeError(f"fold: expected size of input's dimension {cols.ndim - 2} to "
                               f"be divisible by the product of kernel_size, but got "
                               f"input.size({cols.ndim - 2})={ck} and kernel_size={geo.kernel}")
        ho, wo = geo.output_hw(h, w)
        if ho < 1 or wo < 1 or ho * wo != length:
            raise RuntimeError(f"fold: given {args}, expected size of input's dimension "
                               f"{cols.ndim - 1} to match the calculated number of sliding "
                               f"blocks {max(ho, 0)} * {max(wo, 0)} = {max(ho, 0) * max(wo, 0)}"
                               f", but got input.size({cols.ndim - 1})={length}")
        self.cols_shape, self.hw = cols.shape, (ho, wo)
        c3 = cols if cols.ndim == 3 else cols[None]
        y = _col2im(c3, geo, (len(c3), ck // (kh * kw), h, w), ho, wo)
        return y if cols.ndim == 3 else y[0]

    def backward(self, gy):
        g4 = gy if gy.ndim == 4 else gy[None]
        return _im2col(g4, self.geo, *self.hw).reshape(self.cols_shape)

    def jvp(self, dcols):
        return self.forward(dcols)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every kh×kw block of input (N, C, H, W) or (C, H, W) as a column:
    → (N, C·kh·kw, L), L the number of blocks (PyTorch's ``F.unfold``, im2col).

    >>> unfold(x, 2).shape            # x: (1, 3, 4, 4)
    (1, 12, 9)
    """
    return Unfold(_geometry("unfold", kernel_size, dilation, padding, stride)).apply(input)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of ``unfold``: columns (N, C·kh·kw, L) or (C·kh·kw, L) added back into
    an (N, C, *output_size) output where their blocks lie (overlaps summed; col2im).
    ``fold(unfold(x))`` is x times the number of blocks covering each pixel."""
    geo = _geometry("fold", kernel_size, dilation, padding, stride)
    size = _pair("fold", "output_size", output_size)
    return Fold(geo, size).apply(input)


class Windows(Function):
    """y[..., i, ..., k] = x[..., i·step + k, ...] along one axis (``Tensor.unfold``),
    windows as a new last axis; ∂ℓ/∂x adds each window's gradient back (they may
    overlap)."""

    fresh_grads = True

    def __init__(self, dim, size, step):
        self.dim, self.size, self.step = dim, size, step

    def forward(self, x):
        xp = array_module(x)
        n = x.shape[self.dim] if x.ndim else 1
        if self.size > n:
            raise RuntimeError(f"unfold: maximum size for tensor at dimension {self.dim} "
                               f"is {n} but size is {self.size}")
        self.x_shape, count = x.shape, (n - self.size) // self.step + 1
        # (count, size) positions along the axis: one gather.
        self.pos = xp.asarray(np.arange(count)[:, None] * self.step + np.arange(self.size))
        return self._gather(x)

    def _gather(self, x):
        if x.ndim == 0:                     # PyTorch: a 0-d tensor has one window of size ≤ 1
            return x.reshape(1)[:self.size]
        y = x.take(self.pos, axis=self.dim)           # (..., count, size, ...)
        return array_module(x).moveaxis(y, self.dim + 1, -1)

    def backward(self, gy):
        xp = array_module(gy)
        if not self.x_shape:
            return gy.sum().reshape(())
        g = xp.moveaxis(gy, -1, self.dim + 1)
        gx = xp.zeros(self.x_shape, dtype=gy.dtype)
        gview = xp.moveaxis(gx, self.dim, 0)
        g = xp.moveaxis(g, (self.dim, self.dim + 1), (0, 1))
        for k in range(self.size):                    # one strided add per window offset
            gview[self.pos[:, k]] += g[:, k]
        return gx

    def jvp(self, dx):
        return self._gather(dx)


def unfold_dim(input, dimension, size, step):
    """``Tensor.unfold``: windows of ``size`` along ``dimension``, every ``step``."""
    for name, v in (("dimension", dimension), ("size", size), ("step", step)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"unfold: {name} must be an int, got {v!r}")
    nd = max(input.ndim, 1)
    dim = int(dimension)
    if not -nd <= dim < nd:
        raise IndexError(f"unfold: dimension out of range (expected to be in range of "
                         f"[{-nd}, {nd - 1}], but got {dimension})")
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    return Windows(dim % nd, int(size), int(step)).apply(input)
