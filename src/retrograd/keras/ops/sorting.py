"""``keras.ops`` sorting and searching: sort, argsort, top_k, argpartition,
searchsorted, digitize, unique.
"""

import numpy as np

from ...backend import array_module
from ._common import _check_axis, _const, _eager, _tensor, _values

__all__ = [
    "sort", "argsort", "top_k", "in_top_k", "argpartition", "unique", "searchsorted",
    "digitize",
]


@_eager
def sort(x, axis=-1):
    """x sorted ascending along ``axis`` (gradients follow the values)."""
    t = _tensor(x, "sort")
    return t.sort(_check_axis(t, axis, "sort"))[0] if t.ndim else t


@_eager
def argsort(x, axis=-1):
    """The indices that sort x along ``axis`` (int32)."""
    t = _tensor(x, "argsort")
    if axis is None:
        t, axis = t.reshape(-1), 0
    if t.ndim == 0:
        return _const(t, np.zeros((), np.int32))
    axis = _check_axis(t, axis, "argsort")
    return _const(t, array_module(t.array).argsort(_values(t), axis=axis,
                                                  kind="stable").astype(np.int32))


@_eager
def top_k(x, k, sorted=True):
    """(values, indices) of the k largest entries along the last axis (indices
    int64, as Keras's PyTorch backend); gradients flow to the values picked."""
    t = _tensor(x, "top_k")
    if not 0 <= k <= t.shape[-1]:         # RuntimeError: Keras's PyTorch backend's
        raise RuntimeError(f"keras.ops.top_k: k={k} is out of range for a last axis of size "
                         f"{t.shape[-1]}")
    return t.topk(int(k), -1, True, True)


@_eager
def in_top_k(targets, predictions, k):
    """Whether each target class is among the k largest predictions of its row
    (ties with the k-th value count as in)."""
    p = _tensor(predictions, "in_top_k")
    y = _tensor(targets, "in_top_k")
    xp = array_module(p.array)
    values, labels = _values(p), _values(y).astype(np.int64)
    if p.ndim != 2 or labels.shape != (p.shape[0],):
        raise ValueError(f"keras.ops.in_top_k: predictions must be (batch, classes) and "
                         f"targets (batch,), got {tuple(p.shape)} and {tuple(y.shape)}")
    target = xp.take_along_axis(values, labels[:, None], axis=1)
    return _const(p, (values > target).sum(axis=1) < k)


@_eager
def argpartition(x, kth, axis=-1):
    """Indices that put the kth element in its sorted place along ``axis``, smaller
    ones before it and larger after (int32)."""
    t = _tensor(x, "argpartition")
    axis = _check_axis(t, axis, "argpartition")
    if not -t.shape[axis] <= kth < t.shape[axis]:
        raise ValueError(f"keras.ops.argpartition: kth={kth} is out of bounds for an axis "
                         f"of size {t.shape[axis]}")
    return _const(t, array_module(t.array).argpartition(_values(t), kth, axis=axis)
                  .astype(np.int32))


@_eager
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The distinct values (sorted), with the indices of their first occurrences,
    the inverse map and counts on demand (int64, as Keras's PyTorch backend)."""
    t = _tensor(x, "unique")
    xp = array_module(t.array)
    res = xp.unique(_values(t), return_index=True, return_inverse=True, return_counts=True,
                    axis=axis)
    values, index, inverse, counts = res
    if size is not None:
        fill = values.min() if fill_value is None and values.size else (fill_value or 0)
        extra = int(size) - values.shape[0]
        if extra > 0:
            values = xp.concatenate([values, xp.full((extra,), fill, dtype=values.dtype)])
            index = xp.concatenate([index, xp.zeros(extra, index.dtype)])
            counts = xp.concatenate([counts, xp.zeros(extra, counts.dtype)])
        else:
            values, index, counts = values[:size], index[:size], counts[:size]
    out = [_const(t, values)]
    if return_index:
        out.append(_const(t, index.astype(np.int64)))
    if return_inverse:
        out.append(_const(t, inverse.reshape(t.shape if axis is None else -1)
                          .astype(np.int64)))
    if return_counts:
        out.append(_const(t, counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


@_eager
def searchsorted(sorted_sequence, values, side="left"):
    """Where ``values`` would go in the 1-D ascending ``sorted_sequence`` (int32)."""
    s, v = _tensor(sorted_sequence, "searchsorted"), _tensor(values, "searchsorted")
    if s.ndim != 1:
        raise ValueError(f"keras.ops.searchsorted: sorted_sequence must be 1-D, got shape "
                         f"{tuple(s.shape)}")
    if side not in ("left", "right"):
        raise ValueError(f"keras.ops.searchsorted: side must be 'left' or 'right', got "
                         f"{side!r}")
    return _const(s, array_module(s.array).searchsorted(_values(s), _values(v), side=side)
                  .astype(np.int32))


@_eager
def digitize(x, bins):
    """The index of the bin each value falls in (bins ascending; int32)."""
    t, b = _tensor(x, "digitize"), _tensor(bins, "digitize")
    if b.ndim != 1:
        raise ValueError(f"keras.ops.digitize: bins must be 1-D, got shape {tuple(b.shape)}")
    # For ascending bins, digitize(x) = the number of bins ≤ x: searchsorted "right".
    return _const(t, array_module(t.array).searchsorted(_values(b), _values(t), side="right")
                  .astype(np.int32))
