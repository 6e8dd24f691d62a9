"""``keras.ops`` statistics: quantiles, percentiles, medians, histograms, counts,
correlations.
"""

import builtins

import numpy as np

from ...backend import array_module
from ...ops import shape as _shape
from ...ops.matmul import matmul as _matmul
from ._common import _check_axis, _const, _eager, _float, _tensor, _values
from ...ops import conv as _conv
import retrograd

__all__ = [
    "bincount", "quantile", "percentile", "median", "nanquantile", "nanpercentile",
    "nanmedian", "histogram", "corrcoef", "correlate",
]


@_eager
def bincount(x, weights=None, minlength=0, sparse=False):
    """The count (or the sum of ``weights``) of each non-negative integer of x; a
    2-D x counts each row."""
    if sparse:
        raise NotImplementedError("keras.ops.bincount: sparse=True (retrograd has no sparse "
                                  "tensors)")
    t = _tensor(x, "bincount")
    v = _values(t)
    if t.dtype.kind not in "iu" or (v.size and v.min() < 0):
        raise ValueError(f"keras.ops.bincount: x must hold non-negative integers, got "
                         f"dtype {t.dtype}" + (f" and min {v.min()}" if v.size else ""))
    xp = array_module(v)
    n = builtins.max(int(v.max()) + 1 if v.size else 0, int(minlength))
    w = None if weights is None else _values(_tensor(weights, "bincount"))
    rows = v.reshape(1, -1) if v.ndim == 1 else v
    wr = None if w is None else w.reshape(rows.shape)
    out = xp.stack([xp.bincount(r, weights=None if wr is None else wr[i], minlength=n)
                    for i, r in enumerate(rows)])
    out = out[0] if v.ndim == 1 else out
    dt = np.int32 if w is None else (w.dtype if w.dtype.kind == "f" else np.float32)
    return _const(t, out.astype(dt))



def _gathered(t, axis, who):
    """t with the ``axis`` axes laid out as one last axis (all axes for None), and
    the shape to give a keepdims result."""
    axes = tuple(range(t.ndim)) if axis is None else \
        (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(sorted(_check_axis(t, a, who) for a in axes))
    rest = [a for a in range(t.ndim) if a not in axes]
    flat = _shape.permute(t, *rest, *axes).reshape(*[t.shape[a] for a in rest], -1)
    keep = [1 if a in axes else t.shape[a] for a in range(t.ndim)]
    return flat, keep


def _quantiles(name, x, q, axis, method, keepdims, scale=1.0, nan=False):
    t = _float(x, name)
    if isinstance(q, (int, float)):
        qt = q / scale
        values = np.asarray(qt)
    else:
        qt = _tensor(q, name).to(dtype=t.dtype) * (1.0 / scale)
        values = np.asarray(qt.detach().cpu().array)
    if np.any(values < 0) or np.any(values > 1):
        raise ValueError(f"keras.ops.{name}: q must be in [0, {scale:g}], got "
                         f"{(values * scale).tolist()}")
    flat, keep = _gathered(t, axis, name)
    fn = retrograd.nanquantile if nan else retrograd.quantile
    out = fn(flat, qt, dim=-1, keepdim=False, interpolation=method)
    if keepdims:
        lead = () if isinstance(qt, float) or qt.ndim == 0 else (qt.shape[0],)
        out = out.reshape(*lead, *keep)
    return out


@_eager
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th quantiles (q in [0, 1], a number or a 1-D list: a leading axis) over
    ``axis``; method: linear, lower, higher, midpoint or nearest."""
    return _quantiles("quantile", x, q, axis, method, keepdims)


@_eager
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """quantile with q in [0, 100]."""
    return _quantiles("percentile", x, q, axis, method, keepdims, 100.0)


@_eager
def median(x, axis=None, keepdims=False):
    """The median over ``axis`` (the mean of the two middle values for an even count,
    as NumPy's — PyTorch's median takes the lower one)."""
    return _quantiles("median", x, 0.5, axis, "linear", keepdims)


@_eager
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """quantile ignoring NaNs."""
    return _quantiles("nanquantile", x, q, axis, method, keepdims, nan=True)


@_eager
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """percentile ignoring NaNs."""
    return _quantiles("nanpercentile", x, q, axis, method, keepdims, 100.0, nan=True)


@_eager
def nanmedian(x, axis=None, keepdims=False):
    """median ignoring NaNs."""
    return _quantiles("nanmedian", x, 0.5, axis, "linear", keepdims, nan=True)


@_eager
def histogram(x, bins=10, range=None):
    """(counts, bin edges) of x's values in ``bins`` equal bins over ``range``."""
    t = _tensor(x, "histogram")
    if t.ndim != 1:
        raise ValueError(f"keras.ops.histogram: x must be 1-D, got shape {tuple(t.shape)}")
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"keras.ops.histogram: bins must be a positive int, got {bins!r}")
    counts, edges = array_module(t.array).histogram(_values(t), bins=bins, range=range)
    dt = t.dtype if t.dtype.kind == "f" else np.dtype(np.float32)
    return _const(t, counts.astype(dt)), _const(t, edges.astype(dt))


@_eager
def corrcoef(x):
    """The correlation coefficients of the rows of x (variables) over its columns."""
    t = _float(x, "corrcoef")
    t = t.reshape(1, -1) if t.ndim == 1 else t
    if t.ndim != 2:
        raise ValueError(f"keras.ops.corrcoef: x must be 1-D or 2-D, got shape "
                         f"{tuple(t.shape)}")
    c = t - t.mean(axis=1, keepdims=True)
    cov = _matmul(c, c.transpose(0, 1))
    d = (c * c).sum(axis=1).sqrt()
    out = (cov / d.reshape(-1, 1) / d.reshape(1, -1)).clip(-1, 1)
    return out.reshape(()) if out.shape == (1, 1) else out


@_eager
def correlate(x1, x2, mode="valid"):
    """NumPy's correlate of 1-D sequences: c[k] = Σₙ x1[n + k]·x2[n], over the
    overlaps ("valid"), the length of the longer ("same") or all shifts ("full")."""
    a, v = _float(x1, "correlate"), _float(x2, "correlate")
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"keras.ops.correlate: x1 and x2 must be 1-D, got shapes "
                         f"{tuple(a.shape)} and {tuple(v.shape)}")
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"keras.ops.correlate: mode must be 'valid', 'same' or 'full', "
                         f"got {mode!r}")
    n, k = a.shape[0], v.shape[0]
    if v.dtype != a.dtype:
        dt = np.promote_types(a.dtype, v.dtype)
        a, v = a.to(dtype=dt), v.to(dtype=dt)
    full = _conv.conv_padded(a.reshape(1, 1, n), v.reshape(1, 1, k), None, (1,),
                             ((k - 1, k - 1),), (1,)).reshape(-1)
    length = {"full": n + k - 1, "same": builtins.max(n, k),
              "valid": builtins.max(n, k) - builtins.min(n, k) + 1}[mode]
    start = (n + k - 1 - length) // 2
    return full[start:start + length]
