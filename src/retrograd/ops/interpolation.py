"""Resampling along one axis: the separable pieces of ``F.interpolate``.

Every mode maps each output position d of an axis (input size n, output size m) to
a source coordinate s, with PyTorch's conventions (scale σ = n/m, or 1/scale_factor
when the caller gave a scale factor and did not ask to recompute it):

* nearest:        s = ⌊d·σ⌋                          y_d = x_s
* nearest-exact:  s = ⌊(d + ½)·σ⌋                    y_d = x_s
* linear, align_corners=False:  s = max((d + ½)·σ − ½, 0)
* linear, align_corners=True:   s = d·(n − 1)/(m − 1)
  then y_d = (1 − λ)·x_{⌊s⌋} + λ·x_{⌊s⌋+1}, λ = s − ⌊s⌋ (indices clipped to n − 1).

bilinear and trilinear are linear along each spatial axis in turn. Each step is a
gather (``index_select``) and a weighted sum, so its gradient — the scatter-add of
the weights — and its forward tangent come from those ops.
"""
import numpy as np

from ..backend import array_module


def source_index(mode, n, m, scale, align_corners):
    """(i0, i1, λ) as NumPy arrays for output positions 0…m−1 (i1, λ: None for the
    nearest modes)."""
    d = np.arange(m, dtype=np.float64)
    if mode == "nearest":       # PyTorch's float arithmetic: floorf(d · σ)
        s = np.floor(d.astype(np.float32) * np.float32(scale))
        return np.minimum(s.astype(np.int64), n - 1), None, None
    if mode == "nearest-exact":  # floorf((d + ½) · σ), the product rounded to float
        s = np.floor(((d + 0.5) * np.float64(np.float32(scale))).astype(np.float32))
        return np.minimum(s.astype(np.int64), n - 1), None, None
    if align_corners:
        s = d * ((n - 1) / (m - 1)) if m > 1 else np.zeros(m)
    else:
        s = np.maximum((d + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(s).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    return i0, i1, s - i0


def resample_axis(x, axis, m, mode, scale, align_corners, exact_halves=False):
    """``x`` resampled to ``m`` positions along ``axis`` (a Tensor op chain).
    ``exact_halves``: the rule of PyTorch's 2-D "nearest" kernel, which doubles an axis
    (m = 2n) as s = ⌊d/2⌋ whatever the scale factor."""
    n = x.shape[axis]
    if exact_halves and m == 2 * n:
        i0, i1, lam = np.arange(m) // 2, None, None
    else:
        i0, i1, lam = source_index(mode, n, m, scale, align_corners)
    xp = array_module(x.array)
    y0 = x.index_select(axis, xp.asarray(i0))
    if i1 is None:
        return y0
    y1 = x.index_select(axis, xp.asarray(i1))
    shape = [1] * x.ndim
    shape[axis] = m
    w = xp.asarray(lam.reshape(shape), dtype=x.dtype)
    return y0 + (y1 - y0) * w
