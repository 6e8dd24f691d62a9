"""Resampling along one axis: the separable pieces of ``F.interpolate``.

Every mode maps each output position d of an axis (input size n, output size m) to
a source coordinate s, with PyTorch's conventions (scale σ = n/m, or 1/scale_factor
when the caller gave a scale factor and did not ask to recompute it):

* nearest:        s = ⌊d·σ⌋                          y_d = x_s
* nearest-exact:  s = ⌊(d + ½)·σ⌋                    y_d = x_s
* linear, align_corners=False:  s = max((d + ½)·σ − ½, 0)
* linear, align_corners=True:   s = d·(n − 1)/(m − 1)
  then y_d = (1 − λ)·x_{⌊s⌋} + λ·x_{⌊s⌋+1}, λ = s − ⌊s⌋ (indices clipped to n − 1).
* bicubic: s as linear but never clipped at 0, then
  y_d = Σ_{j=−1..2} w_j(λ)·x_{⌊s⌋+j} (indices clamped to [0, n − 1]) with Keys' cubic
  kernel, a = −0.75: w(t) = ((a + 2)t − (a + 3))t² + 1 for |t| ≤ 1,
  ((at − 5a)t + 8a)t − 4a for 1 < |t| < 2.
* area: y_d = the mean of x over ⌊dn/m⌋ … ⌈(d + 1)n/m⌉ − 1 (adaptive average pooling).
* antialias (bilinear, bicubic): y_d = Σ_j w_j x_j over the filter's support around
  c = σ(d + ½), stretched by σ when downsampling, the weights normalised (as PIL).

bilinear, bicubic and trilinear are 1-D resamplings along each spatial axis in turn.
Each step is gathers (``index_select``) and a weighted sum, so its gradient — the
scatter-add of the weights — and its forward tangent come from those ops.
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
    elif mode == "bicubic":
        s = (d + 0.5) * scale - 0.5
    else:
        s = np.maximum((d + 0.5) * scale - 0.5, 0.0)
    if mode == "bicubic":
        i0 = np.floor(s).astype(np.int64)
        return i0, None, s - i0
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
    if mode == "bicubic":
        return _cubic(x, axis, m, i0, lam)
    y0 = x.index_select(axis, xp.asarray(i0))
    if i1 is None:
        return y0
    y1 = x.index_select(axis, xp.asarray(i1))
    shape = [1] * x.ndim
    shape[axis] = m
    w = xp.asarray(lam.reshape(shape), dtype=x.dtype)
    return y0 + (y1 - y0) * w


_A = -0.75     # PyTorch's (and OpenCV's) choice for Keys' cubic kernel


def _cubic(x, axis, m, i0, t):
    """Σ_{j=−1..2} w_j(t) x_{i0+j} along ``axis``, the taps clamped to the axis."""
    xp = array_module(x.array)
    n = x.shape[axis]
    near = lambda u: ((_A + 2) * u - (_A + 3)) * u * u + 1              # noqa: E731 |u| ≤ 1
    far = lambda u: ((_A * u - 5 * _A) * u + 8 * _A) * u - 4 * _A      # noqa: E731 1 < |u| < 2
    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    shape = [1] * x.ndim
    shape[axis] = m
    y = None
    for j, w in zip((-1, 0, 1, 2), weights):
        tap = x.index_select(axis, xp.asarray(np.clip(i0 + j, 0, n - 1)))
        term = tap * xp.asarray(w.reshape(shape), dtype=x.dtype)
        y = term if y is None else y + term
    return y


def antialias_taps(mode, n, m, scale):
    """PyTorch's ``antialias=True`` weights (as PIL's resampling): output d averages the
    inputs within the filter's support around its centre c = σ(d + ½), the filter (the
    triangle for bilinear, Keys' cubic with a = −0.5 for bicubic) stretched by σ when
    downsampling, the weights normalised to sum to 1. Returns (indices, weights), (m, K)."""
    if mode == "bilinear":
        support, kernel = 1.0, lambda u: np.maximum(0.0, 1.0 - np.abs(u))   # noqa: E731
    else:
        a = -0.5

        def kernel(u):
            u = np.abs(u)
            return np.where(u < 1, ((a + 2) * u - (a + 3)) * u * u + 1,
                            np.where(u < 2, ((a * u - 5 * a) * u + 8 * a) * u - 4 * a, 0.0))
        support = 2.0
    support = support * scale if scale >= 1.0 else support
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    rows = []
    for d in range(m):
        c = scale * (d + 0.5)
        lo = max(int(c - support + 0.5), 0)
        hi = min(int(c + support + 0.5), n)
        j = np.arange(lo, hi)
        w = kernel((j - c + 0.5) * invscale)
        total = w.sum()
        rows.append((j, w / total if total != 0 else w))
    k = max(len(j) for j, _ in rows)
    idx = np.zeros((m, k), dtype=np.int64)
    wts = np.zeros((m, k))
    for d, (j, w) in enumerate(rows):
        idx[d, :len(j)], wts[d, :len(j)] = j, w
    return idx, wts


def area_taps(n, m):
    """"area" (adaptive average pooling): output d is the mean of inputs
    ⌊dn/m⌋ … ⌈(d + 1)n/m⌉ − 1. Returns (indices, weights), (m, K)."""
    lo = (np.arange(m) * n) // m
    hi = -((-(np.arange(m) + 1) * n) // m)
    k = int((hi - lo).max())
    j = lo[:, None] + np.arange(k)[None, :]
    inside = j < hi[:, None]
    return np.where(inside, j, 0), inside / (hi - lo)[:, None]


def resample_axis_weighted(x, axis, m, mode, scale):
    """``x`` resampled to ``m`` positions along ``axis`` by weighted taps: PyTorch's
    antialias filter ("bilinear", "bicubic") or the window mean ("area")."""
    xp = array_module(x.array)
    if mode == "area":
        idx, wts = area_taps(x.shape[axis], m)
    else:
        idx, wts = antialias_taps(mode, x.shape[axis], m, scale)
    shape = [1] * x.ndim
    shape[axis] = m
    y = None
    for k in range(idx.shape[1]):
        term = x.index_select(axis, xp.asarray(idx[:, k])) * xp.asarray(
            wts[:, k].reshape(shape), dtype=x.dtype)
        y = term if y is None else y + term
    return y

