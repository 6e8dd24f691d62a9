"""Spatial transformers: ``F.affine_grid`` and ``F.grid_sample`` (2-D), as PyTorch's.

* affine_grid(θ, (N, C, H, W)): the sampling grid G[n, i, j] = θ_n · (x_j, y_i, 1), with
  x_j, y_i the normalised pixel centres in [−1, 1] (align_corners=False:
  x_j = (2j + 1)/W − 1; True: x_j = 2j/(W − 1) − 1). Differentiable in θ (a matmul).
* grid_sample(input, grid): output[n, :, i, j] = input sampled at the normalised point
  grid[n, i, j] = (x, y), unnormalised to pixel coordinates
  u = ((x + 1)W − 1)/2 (align_corners=False) or (x + 1)(W − 1)/2 (True):
  - "bilinear": Σ over the 4 neighbours of (u, v) of the weights (1 − |u − u'|)(1 − |v − v'|);
  - "nearest": the neighbour at (round-half-even(u), round-half-even(v)).
  padding_mode "zeros" reads 0 outside the image, "border" clamps (u, v) into it,
  "reflection" mirrors them into it.
  Differentiable in the input (a gather, whose gradient scatters back) and in the grid
  (through the bilinear weights), as PyTorch's.

The Spatial Transformer tutorial's two lines work unchanged::

    grid = F.affine_grid(theta, x.size(), align_corners=False)
    x = F.grid_sample(x, grid, align_corners=False)
"""
import warnings

import numpy as np

from ..backend import array_module
from ..missing import NotSupportedError
from ..tensor import Tensor
from ..ops.elementwise import where


def _base(n, align_corners, xp, dtype):
    if align_corners:
        return xp.linspace(-1.0, 1.0, n, dtype=dtype) if n > 1 else xp.zeros(1, dtype=dtype)
    return ((2 * xp.arange(n, dtype=dtype) + 1) / n - 1).astype(dtype)


def affine_grid(theta, size, align_corners=None):
    """The (N, H, W, 2) grid of the affine maps θ (N, 2, 3) for an output of ``size``
    (N, C, H, W)."""
    size = tuple(int(s) for s in size)
    if len(size) == 5:
        raise NotSupportedError("affine_grid: 3-D (volumetric) grids are not supported")
    if len(size) != 4:
        raise ValueError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                         f"transforms, respectively. Got size {list(size)}.")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                         f"{list(size)}. Got {list(theta.shape)}.")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"affine_grid: {theta.shape[0]} affine matrices for a batch of "
                           f"{size[0]} (size {list(size)})")
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got "
                         f"{theta.dtype}")
    if min(size[2:]) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {list(size)}")
    align_corners = _default_corners(align_corners)
    n, _, h, w = size
    xp = array_module(theta.array)
    xs, ys = _base(w, align_corners, xp, theta.dtype), _base(h, align_corners, xp, theta.dtype)
    base = xp.stack([xp.broadcast_to(xs[None, :], (h, w)), xp.broadcast_to(ys[:, None], (h, w)),
                     xp.ones((h, w), dtype=theta.dtype)], axis=-1).reshape(1, h * w, 3)
    grid = Tensor._wrap(base) @ theta.permute(0, 2, 1)          # (N, H·W, 2)
    return grid.reshape(n, h, w, 2)


def _default_corners(align_corners):
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if "
                      "the old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=3)
        return False
    return bool(align_corners)


def _unnormalise(coord, size, align_corners):
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, size, align_corners):
    """Mirror a pixel coordinate into the image as PyTorch does: about the border
    pixels' centres (align_corners) or their outer edges; the slope stays ±1."""
    low, high = (0.0, 2.0 * (size - 1)) if align_corners else (-1.0, 2.0 * size - 1)
    if low == high:
        return coord * 0
    lo, span = low / 2, (high - low) / 2
    a = (coord - lo).abs()
    flips = array_module(a.array).floor(a.array / span)
    extra = a - Tensor._wrap(flips * span)
    return where(flips % 2 == 0, extra + lo, (span - extra) + lo)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """``input`` (N, C, H, W) sampled at the normalised points ``grid`` (N, Ho, Wo, 2)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if mode == "bicubic":
        raise NotSupportedError("grid_sample: mode='bicubic' is not supported (bilinear and "
                                "nearest are)")
    if input.ndim == 5:
        raise NotSupportedError("grid_sample: 3-D (volumetric) sampling is not supported")
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or \
            grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected a 4D input (N, C, H, W) and a grid "
                           f"(N, H_out, W_out, 2) with the same N, got input of shape "
                           f"{list(input.shape)} and grid of shape {list(grid.shape)}")
    if input.dtype != grid.dtype:
        if grid.dtype.itemsize > input.dtype.itemsize:     # PyTorch refuses this way only
            raise RuntimeError(f"grid_sampler(): expected input and grid to have the same "
                               f"dtype, but input has {input.dtype} and grid has {grid.dtype}")
        grid = grid.to(dtype=input.dtype)
    align_corners = _default_corners(align_corners)
    n, c, h, w = input.shape
    _, ho, wo, _ = grid.shape
    xp = array_module(input.array)
    u = _unnormalise(grid[..., 0], w, align_corners)          # (N, Ho, Wo), pixel columns
    v = _unnormalise(grid[..., 1], h, align_corners)
    if padding_mode == "reflection":
        u, v = _reflect(u, w, align_corners), _reflect(v, h, align_corners)
    if padding_mode in ("border", "reflection"):
        u, v = u.clamp(0, w - 1), v.clamp(0, h - 1)
    flat = input.reshape(n, c, h * w)

    def tap(iy, ix, weight):
        """weight · input[:, :, iy, ix], 0 where (iy, ix) lies outside the image."""
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        index = (xp.clip(iy, 0, h - 1) * w + xp.clip(ix, 0, w - 1)).reshape(n, 1, ho * wo)
        values = flat.gather(2, Tensor._wrap(xp.broadcast_to(index, (n, c, ho * wo))))
        values = values.reshape(n, c, ho, wo)
        mask = inside.astype(input.dtype)[:, None]
        return values * mask if weight is None else values * (weight.reshape(n, 1, ho, wo)
                                                               * mask)

    if mode == "nearest":
        y = tap(xp.rint(v.array).astype(np.int64), xp.rint(u.array).astype(np.int64), None)
        # the grid gets a zero gradient, as PyTorch's (not none)
        return y + (grid * 0).sum() if grid.requires_grad else y
    x0, y0 = xp.floor(u.array), xp.floor(v.array)
    fx, fy = u - Tensor._wrap(x0), v - Tensor._wrap(y0)        # carry the grid's gradient
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    return (tap(y0, x0, (1 - fx) * (1 - fy)) + tap(y0, x0 + 1, fx * (1 - fy))
            + tap(y0 + 1, x0, (1 - fx) * fy) + tap(y0 + 1, x0 + 1, fx * fy))
