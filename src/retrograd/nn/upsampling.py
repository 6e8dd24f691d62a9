"""Resizing feature maps: ``F.interpolate`` (``F.upsample``) and the ``Upsample`` layers.

Input (N, C, d₁, …, d_k), k = 1, 2 or 3 spatial axes, resized to ``size`` or by
``scale_factor`` (output size ⌊dᵢ·scale⌋). Modes: "nearest", "nearest-exact",
"linear" (k = 1), "bilinear" and "bicubic" (k = 2), "trilinear" (k = 3) and "area"
(adaptive average pooling) — all separable, one axis at a time (``ops/interpolation.py``
holds the index maps and formulas); ``antialias=True`` (bilinear, bicubic) filters as
PIL does. ``align_corners=True`` maps the corner
pixels' centres onto each other (s = d·(n − 1)/(m − 1)); False, the default, maps
their outer edges (s = (d + ½)·n/m − ½).

>>> up = Upsample(scale_factor=2, mode="bilinear"); up(x).shape   # x: (N, C, H, W)
(N, C, 2H, 2W)
"""
import math
import warnings

import numpy as np

from ..backend import array_module
from ..missing import NotSupportedError
from ..ops.interpolation import resample_axis, resample_axis_weighted
from ..tensor import Tensor
from .module import Module

_LINEAR = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")


def _spatial(name, value, k, what):
    if isinstance(value, (tuple, list)):
        if len(value) != k:
            if what == "size":
                raise ValueError(
                    f"Input and output must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {[None] * k} and output size of "
                    f"{list(value)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    f"format and output size in (o1, o2, ...,oK) format.")
            raise ValueError(
                f"Input and scale_factor must have the same number of spatial dimensions, "
                f"but got input with spatial dimensions of {[None] * k} and scale_factor of "
                f"shape {list(value)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                f"format and scale_factor in (s1, s2, ...,sK) format.")
        return tuple(value)
    return (value,) * k


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """PyTorch's ``F.interpolate``: resize the spatial axes of (N, C, d₁, …)."""
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if antialias and (mode not in ("bilinear", "bicubic") or input.ndim != 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and "
                         "requires a 4-D tensor as input")
    if mode in _LINEAR:
        align_corners = bool(align_corners)
    elif align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    k = input.ndim - 2
    if k not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode in _LINEAR and _LINEAR[mode] != k:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode] + 2}D input")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    n = input.shape[2:]
    if size is not None and recompute_scale_factor:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if size is not None:
        out = tuple(int(s) for s in _spatial("interpolate", size, k, "size"))
        scales = [None] * k
    elif scale_factor is not None:
        factors = tuple(float(s) for s in _spatial("interpolate", scale_factor, k, "scale"))
        out = tuple(int(math.floor(d * f)) for d, f in zip(n, factors))
        scales = [None if recompute_scale_factor else 1.0 / f for f in factors]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if min(n) <= 0 or min(out) <= 0:
        raise RuntimeError(f"interpolate: input {list(n)} and output {list(out)} sizes "
                           "should be greater than 0")
    if mode == "area":        # adaptive average pooling, one axis at a time
        if input.dtype.kind != "f":
            raise NotImplementedError(f"interpolate: mode 'area' is not implemented for "
                                      f"{input.dtype} input")
        y = input
        for i in reversed(range(k)):
            if n[i] != out[i]:
                y = resample_axis_weighted(y, 2 + i, out[i], "area", None)
        return y
    if mode in _LINEAR and input.dtype.kind in "iub":
        if mode == "bicubic" and input.dtype == np.uint8:
            raise NotSupportedError("interpolate: mode 'bicubic' on uint8 images is not "
                                    "supported; convert them to float first")
        if input.dtype != np.uint8 or mode != "bilinear":
            raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented for "
                                      f"{input.dtype} input (floating point, and uint8 for "
                                      "'bilinear', as PyTorch)")
        if antialias:        # filtered in float64, each pass rounded and clipped
            return _antialiased(input, out, scales, n, mode, align_corners, integer=True)
        return _integer_linear(input, out, scales, n, mode, align_corners)
    if antialias:
        return _antialiased(input, out, scales, n, mode, align_corners)
    y = input
    planar = mode == "nearest" and k == 2   # PyTorch's 2-D nearest kernel: copy, halve
    for i in range(k):
        if _unchanged(mode, n[i], out[i], scales[i]) or planar and n[i] == out[i]:
            continue
        scale = scales[i] if scales[i] is not None else n[i] / out[i]
        y = resample_axis(y, 2 + i, out[i], mode, scale, align_corners, exact_halves=planar)
    return y


def _unchanged(mode, n, m, scale):
    """An axis the mode leaves as it is: the linear modes copy an axis whose size does not
    change (PyTorch's kernels do, whatever the scale factor); the nearest modes and
    bicubic map by the scale factor even then."""
    return n == m and (mode in _LINEAR and mode != "bicubic" or scale is None or
                       scale == 1.0)


def _antialiased(input, out, scales, n, mode, align_corners, integer=False):
    """``antialias=True``: each axis filtered as PyTorch (and PIL) do, last axis first
    (``integer``: uint8 images, each pass rounded half up and clipped, no gradient)."""
    if input.dtype.kind != "f" and not integer:
        raise NotSupportedError(f"interpolate: antialias=True on {input.dtype} input is not "
                                "supported; convert it to float first")
    xp = array_module(input.array)
    y = Tensor._wrap(input.array.astype(np.float64)) if integer else input
    for i in reversed(range(len(out))):
        if n[i] == out[i]:
            continue                     # PyTorch filters only the axes that change size
        if align_corners:
            scale = (n[i] - 1) / (out[i] - 1) if out[i] > 1 else 0.0
        else:
            scale = scales[i] if scales[i] is not None else n[i] / out[i]
        y = resample_axis_weighted(y, 2 + i, out[i], mode, scale)
        if integer:
            y = Tensor._wrap(xp.clip(xp.floor(y.array + 0.5), 0, 255))
    return Tensor._wrap(y.array.astype(input.dtype)) if integer else y


def _integer_linear(input, out, scales, n, mode, align_corners):
    """Bilinear resizing of uint8 images: as PyTorch's kernel, one pass per axis from
    the last, each rounded half up and clipped to the dtype's range (no gradient)."""
    xp = array_module(input.array)
    info = np.iinfo(input.dtype) if input.dtype.kind in "iu" else None
    y = Tensor._wrap(input.array.astype(np.float64))
    for i in reversed(range(len(out))):
        if _unchanged(mode, n[i], out[i], scales[i]):
            continue
        scale = scales[i] if scales[i] is not None else n[i] / out[i]
        a = xp.floor(resample_axis(y, 2 + i, out[i], mode, scale, align_corners).array + 0.5)
        y = Tensor._wrap(a if info is None else xp.clip(a, info.min, info.max))
    return Tensor._wrap(y.array.astype(input.dtype))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate`` (PyTorch warns the same way)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode="nearest")``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode="bilinear", align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


class Upsample(Module):
    """``interpolate`` as a layer. ``Upsample(size=None, scale_factor=None,
    mode="nearest", align_corners=None, recompute_scale_factor=None)``."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) with ``align_corners=True``."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
