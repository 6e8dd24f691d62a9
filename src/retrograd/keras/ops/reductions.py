"""``keras.ops`` reductions: sums, means, extrema, variances, logical all/any,
cumulative sums and products, and their NaN-ignoring variants.
"""

import numpy as np

from ... import creation
from ...backend import array_module
from ._common import _axis, _check_axis, _const, _dtype, _eager, _float, _tensor, _values
from .arithmetic import maximum, minimum
from .comparison import isnan
from .indexing import where
from .statistics import _gathered
import retrograd

__all__ = [
    "sum", "mean", "max", "min", "argmax", "argmin", "var", "std", "all", "any", "cumsum",
    "cumprod", "count_nonzero", "prod", "amax", "amin", "average", "nansum", "nanmean",
    "diff", "trapezoid", "nanmax", "nanmin", "nanprod", "nanvar", "nanstd", "nanargmax",
    "nanargmin", "nancumsum", "nancumprod", "ptp",
]


_SMALL_INTS = {np.dtype(d) for d in (np.bool_, np.int8, np.int16, np.uint8, np.uint16)}


@_eager
def sum(x, axis=None, keepdims=False):
    """Σ x over ``axis`` (all axes by default); bools and small ints sum to int32."""
    t = _tensor(x, "sum")
    out = t.sum(axis=_axis(axis), keepdims=keepdims)
    if t.dtype in _SMALL_INTS or t.dtype == np.int32:
        out = out.to(dtype=np.int32)
    return out


@_eager
def mean(x, axis=None, keepdims=False):
    """The mean over ``axis`` (integers give float32)."""
    return _float(x, "mean").mean(axis=_axis(axis), keepdims=keepdims)


def _extreme(name, x, axis, keepdims, initial):
    t = _tensor(x, name)
    if t.ndim == 0 and axis is None:
        out = t * 1 if t.requires_grad else t
    else:
        out = getattr(t, name)(axis=_axis(axis) if axis is not None else
                               tuple(range(t.ndim)), keepdims=keepdims)
    if initial is not None:
        out = (maximum if name == "max" else minimum)(out, initial)
    return out


@_eager
def max(x, axis=None, keepdims=False, initial=None):
    """The maximum values over ``axis`` (all axes by default)."""
    return _extreme("max", x, axis, keepdims, initial)


@_eager
def min(x, axis=None, keepdims=False, initial=None):
    """The minimum values over ``axis`` (all axes by default)."""
    return _extreme("min", x, axis, keepdims, initial)


def _nonempty(name, x, axis):
    """x as a tensor whose reduced axis (all of x without ``axis``) is not empty: an
    arg-extreme of nothing is an IndexError, as PyTorch's (Keras's torch backend)."""
    t = _tensor(x, name)
    if t.size == 0 and (axis is None or t.ndim == 0 or t.shape[axis] == 0):
        raise IndexError(f"keras.ops.{name}: the reduced axis {axis} of the input of shape "
                         f"{tuple(t.shape)} is empty; {name} needs at least one element")
    return t


@_eager
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (of the flattened x without ``axis``), int32."""
    t = _nonempty("argmax", x, axis)
    return t.argmax(axis=axis, keepdims=keepdims).to(dtype=np.int32)


@_eager
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (of the flattened x without ``axis``), int32."""
    t = _nonempty("argmin", x, axis)
    return t.argmin(axis=axis, keepdims=keepdims).to(dtype=np.int32)


@_eager
def var(x, axis=None, keepdims=False):
    """The biased variance Σ (x − x̄)² / n over ``axis``."""
    t = _float(x, "var")
    return t.var(correction=0, axis=_axis(axis) if axis is not None else tuple(range(t.ndim)),
                 keepdims=keepdims)


@_eager
def std(x, axis=None, keepdims=False):
    """√var (biased)."""
    return var(x, axis=axis, keepdims=keepdims).sqrt()


@_eager
def all(x, axis=None, keepdims=False):
    return _tensor(x, "all").all(axis=_axis(axis), keepdims=keepdims)


@_eager
def any(x, axis=None, keepdims=False):
    return _tensor(x, "any").any(axis=_axis(axis), keepdims=keepdims)



def _scan_op(name, x, axis, dtype):
    t = _tensor(x, name)
    if axis is None:
        t, axis = t.reshape(-1), 0
    dt = _dtype(dtype, name)
    if dt is None and (t.dtype in _SMALL_INTS or t.dtype == np.int32):
        dt = np.dtype(np.int32)
    if dt is not None and dt != t.dtype:
        t = t.to(dtype=dt)
    out = getattr(t, name)(_check_axis(t, axis, name))
    return out if out.dtype == t.dtype else out.to(dtype=t.dtype)


@_eager
def cumsum(x, axis=None, dtype=None):
    """Running sums along ``axis`` (of the flattened x without)."""
    return _scan_op("cumsum", x, axis, dtype)


@_eager
def cumprod(x, axis=None, dtype=None):
    """Running products along ``axis`` (of the flattened x without)."""
    return _scan_op("cumprod", x, axis, dtype)


@_eager
def count_nonzero(x, axis=None):
    """The number of non-zero entries over ``axis`` (all by default), int32."""
    t = _tensor(x, "count_nonzero")
    return _const(t, array_module(t.array).count_nonzero(_values(t), axis=_axis(axis))
                  .astype(np.int32))


@_eager
def prod(x, axis=None, keepdims=False, dtype=None):
    """Π x over ``axis`` (all axes by default); small integers give int32."""
    t = _tensor(x, "prod")
    dt = _dtype(dtype, "prod")
    if dt is None and (t.dtype in _SMALL_INTS or t.dtype == np.int32):
        dt = np.dtype(np.int32)
    if dt is not None and dt != t.dtype:
        t = t.to(dtype=dt)
    if axis is not None and not isinstance(axis, int) and len(axis) == 0:
        return t
    flat, keep = _gathered(t, axis, "prod")
    out = retrograd.prod(flat, dim=-1)
    if keepdims:
        out = out.reshape(*keep)
    return out if out.dtype == t.dtype else out.to(dtype=t.dtype)


amax = max
amin = min


@_eager
def average(x, axis=None, weights=None):
    """Σ w·x / Σ w over ``axis`` (the mean without weights); 1-D weights go along
    ``axis``."""
    t = _float(x, "average")
    if weights is None:
        return t.mean(axis=_axis(axis))
    w = _tensor(weights, "average", dtype=t.dtype)
    if axis is not None and w.ndim == 1 and t.ndim > 1:
        a = _check_axis(t, axis, "average")
        if w.shape[0] != t.shape[a]:
            raise ValueError(f"keras.ops.average: weights of length {w.shape[0]} do not "
                             f"fit axis {axis} of size {t.shape[a]}")
        w = w.reshape(*[t.shape[a] if i == a else 1 for i in range(t.ndim)])
    elif tuple(w.shape) != tuple(t.shape):
        raise ValueError(f"keras.ops.average: weights of shape {tuple(w.shape)} must have "
                         f"x's shape {tuple(t.shape)} or be 1-D along axis")
    w = w * creation.ones_like(t)
    return (t * w).sum(axis=_axis(axis)) / w.sum(axis=_axis(axis))


@_eager
def nansum(x, axis=None, keepdims=False):
    """Σ x over ``axis``, NaNs counted as 0."""
    t = _tensor(x, "nansum")
    if t.dtype.kind not in "fc":
        return sum(t, axis, keepdims)
    return retrograd.nansum(t, dim=_axis(axis), keepdim=keepdims)


@_eager
def nanmean(x, axis=None, keepdims=False):
    """The mean over ``axis`` of the entries that are not NaN."""
    return retrograd.nanmean(_float(x, "nanmean"), dim=_axis(axis), keepdim=keepdims)


@_eager
def diff(a, n=1, axis=-1):
    """The n-th differences along ``axis``: out[i] = a[i + 1] − a[i], n times."""
    t = _tensor(a, "diff")
    return retrograd.diff(t, n=n, dim=_check_axis(t, axis, "diff"))


@_eager
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """∫ y dx by the trapezoidal rule along ``axis`` (samples at ``x``, or spaced by
    ``dx``)."""
    t = _float(y, "trapezoid")
    axis = _check_axis(t, axis, "trapezoid")
    if x is None:
        return retrograd.trapezoid(t, dx=dx, dim=axis)
    return retrograd.trapezoid(t, _tensor(x, "trapezoid", dtype=t.dtype), dim=axis)


def _nan_filled(x, fill, who):
    t = _float(x, who)
    return where(_const(t, array_module(t.array).isnan(_values(t))), fill, t)


@_eager
def nanmax(x, axis=None, keepdims=False):
    """max ignoring NaNs (NaN where all are NaN)."""
    t = _float(x, "nanmax")
    out = max(_nan_filled(t, -np.inf, "nanmax"), axis, keepdims)
    allnan = all(isnan(t), axis, keepdims)
    return where(allnan, float("nan"), out)


@_eager
def nanmin(x, axis=None, keepdims=False):
    """min ignoring NaNs (NaN where all are NaN)."""
    t = _float(x, "nanmin")
    out = min(_nan_filled(t, np.inf, "nanmin"), axis, keepdims)
    return where(all(isnan(t), axis, keepdims), float("nan"), out)


@_eager
def nanprod(x, axis=None, keepdims=False):
    """prod with NaNs counted as 1."""
    return prod(_nan_filled(x, 1.0, "nanprod"), axis, keepdims)


@_eager
def nanvar(x, axis=None, keepdims=False):
    """The biased variance of the entries that are not NaN."""
    t = _float(x, "nanvar")
    m = nanmean(t, axis, True)
    return nanmean((t - m) ** 2, axis, keepdims)


@_eager
def nanstd(x, axis=None, keepdims=False):
    """√nanvar."""
    return nanvar(x, axis, keepdims).sqrt()


@_eager
def nanargmax(x, axis=None, keepdims=False):
    """argmax ignoring NaNs (int32)."""
    return argmax(_nan_filled(x, -np.inf, "nanargmax"), axis, keepdims)


@_eager
def nanargmin(x, axis=None, keepdims=False):
    """argmin ignoring NaNs (int32)."""
    return argmin(_nan_filled(x, np.inf, "nanargmin"), axis, keepdims)


@_eager
def nancumsum(x, axis=None, dtype=None):
    """cumsum with NaNs counted as 0."""
    t = _tensor(x, "nancumsum")
    return cumsum(_nan_filled(t, 0.0, "nancumsum") if t.dtype.kind == "f" else t, axis,
                  dtype)


@_eager
def nancumprod(x, axis=None, dtype=None):
    """cumprod with NaNs counted as 1."""
    t = _tensor(x, "nancumprod")
    return cumprod(_nan_filled(t, 1.0, "nancumprod") if t.dtype.kind == "f" else t, axis,
                   dtype)


@_eager
def ptp(x, axis=None, keepdims=False):
    """max − min over ``axis``."""
    return max(x, axis, keepdims) - min(x, axis, keepdims)
