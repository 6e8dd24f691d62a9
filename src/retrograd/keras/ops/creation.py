"""``keras.ops`` tensor creation: ones/zeros/full, arange, linspace/logspace, eye,
tri, meshgrid, Vandermonde matrices and windows.
"""

import builtins

import numpy as np

from ... import creation
from ...ops import shape as _shape
from ._common import _dtype, _eager, _shape_of, _tensor
import retrograd

__all__ = [
    "ones", "zeros", "full", "ones_like", "zeros_like", "full_like", "arange", "linspace",
    "eye", "tri", "meshgrid", "empty", "empty_like", "identity", "geomspace", "logspace",
    "vander", "bartlett", "blackman", "hamming", "hanning", "kaiser",
]


def ones(shape, dtype=None):
    return creation.ones(_shape_of(shape), dtype=_dtype(dtype, "ones") or np.float32)


def zeros(shape, dtype=None):
    return creation.zeros(_shape_of(shape), dtype=_dtype(dtype, "zeros") or np.float32)


def full(shape, fill_value, dtype=None):
    return creation.full(_shape_of(shape), fill_value,
                         dtype=_dtype(dtype, "full") or np.float32)


@_eager
def ones_like(x, dtype=None):
    t = _tensor(x, "ones_like")
    return creation.ones_like(t, dtype=_dtype(dtype, "ones_like") or t.dtype)


@_eager
def zeros_like(x, dtype=None):
    t = _tensor(x, "zeros_like")
    return creation.zeros_like(t, dtype=_dtype(dtype, "zeros_like") or t.dtype)


@_eager
def full_like(x, fill_value, dtype=None):
    t = _tensor(x, "full_like")
    return creation.full_like(t, fill_value, dtype=_dtype(dtype, "full_like") or t.dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop): int32 for ints, float32 otherwise."""
    if stop is None:
        start, stop = 0, start
    numbers = (start, stop, step)
    default = np.int32 if builtins.all(isinstance(v, (int, np.integer)) for v in numbers) \
        else np.float32
    return creation.as_tensor(np.arange(start, stop, step,
                                        dtype=_dtype(dtype, "arange") or default))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from start to stop (float32 by default)."""
    values, step = np.linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    out = creation.as_tensor(values.astype(_dtype(dtype, "linspace") or np.float32))
    return (out, step) if retstep else out


def eye(N, M=None, k=0, dtype=None):
    """The N×M identity (ones on the k-th diagonal), float32 by default."""
    return creation.as_tensor(np.eye(N, M, k, dtype=_dtype(dtype, "eye") or np.float32))


def tri(N, M=None, k=0, dtype=None):
    """The N×M matrix of ones at and below the k-th diagonal (float32)."""
    return creation.as_tensor(np.tri(N, M, k, dtype=_dtype(dtype, "tri") or np.float32))


@_eager
def meshgrid(*x, indexing="xy"):
    """Coordinate grids of the 1-D inputs: indexing "ij" gives (n1, n2, …), "xy"
    swaps the first two axes (Cartesian)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"keras.ops.meshgrid: indexing must be 'xy' or 'ij', got "
                         f"{indexing!r}")
    return list(retrograd.meshgrid(*[_tensor(v, "meshgrid").reshape(-1) for v in x],
                                   indexing=indexing))


def empty(shape, dtype=None):
    """A tensor of ``shape`` (zeros: retrograd does not hand out stale memory)."""
    return creation.zeros(_shape_of(shape), dtype=_dtype(dtype, "empty") or np.float32)


@_eager
def empty_like(x, dtype=None):
    t = _tensor(x, "empty_like")
    return creation.zeros_like(t, dtype=_dtype(dtype, "empty_like") or t.dtype)


def identity(n, dtype=None):
    """The n×n identity, float32 by default."""
    return eye(n, dtype=dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values from start to stop in geometric progression (float32)."""
    return creation.as_tensor(np.geomspace(start, stop, num, endpoint=endpoint, axis=axis)
                              .astype(_dtype(dtype, "geomspace") or np.float32))


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """base ** linspace(start, stop, num) (float32)."""
    return creation.as_tensor(np.logspace(start, stop, num, endpoint=endpoint, base=base,
                                          axis=axis)
                              .astype(_dtype(dtype, "logspace") or np.float32))


@_eager
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix: columns x^(N−1) … x⁰ (x⁰ … x^(N−1) when increasing)."""
    t = _tensor(x, "vander")
    if t.ndim != 1:
        raise ValueError(f"keras.ops.vander: x must be 1-D, got shape {tuple(t.shape)}")
    n = t.shape[0] if N is None else int(N)
    powers = range(n) if increasing else range(n - 1, -1, -1)
    cols = [creation.ones_like(t) if p == 0 else t ** p for p in powers]
    return _shape.stack(cols, 1) if cols else t.reshape(-1, 1)[:, :0]


def _window(name, fn, doc):
    def window(x):
        return creation.as_tensor(fn(int(x)).astype(np.float32))
    window.__name__ = window.__qualname__ = name
    window.__doc__ = doc
    return window


bartlett = _window("bartlett", np.bartlett, "The Bartlett (triangular) window of x points.")
blackman = _window("blackman", np.blackman, "The Blackman window of x points.")
hamming = _window("hamming", np.hamming, "The Hamming window of x points.")
hanning = _window("hanning", np.hanning, "The Hann window of x points.")


def kaiser(x, beta):
    """The Kaiser window of x points with shape parameter beta."""
    return creation.as_tensor(np.kaiser(int(x), beta).astype(np.float32))
