"""``keras.ops`` indexing and selection: where, take, take_along_axis, get_item,
select, nonzero, one_hot.
"""

import builtins

import numpy as np

from ... import creation
from ...backend import array_module
from ...ops import elementwise as _elementwise
from ...ops import shape as _shape
from ...tensor import Tensor
from ._common import _check_axis, _const, _dtype, _eager, _operands, _shape_of, _tensor, _values

__all__ = [
    "where", "one_hot", "nonzero", "take", "take_along_axis", "get_item", "select",
    "unravel_index",
]


@_eager
def where(condition, x1=None, x2=None):
    """x1 where ``condition`` holds, else x2 (gradients flow to both)."""
    if x1 is None and x2 is None:       # NumPy's one-argument form: nonzero
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("keras.ops.where: give both x1 and x2, or neither (the indices "
                         "of the true entries)")
    cond = _tensor(condition, "where")
    if cond.dtype != np.bool_:
        cond = cond.to(dtype=np.bool_)
    a, b = _operands(x1, x2, "where")
    if not isinstance(a, Tensor):
        a = _tensor(a, "where")
    return _elementwise.where(cond, a, b)


@_eager
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Class indices x ↦ unit vectors of length ``num_classes`` along ``axis``
    (an index outside [0, num_classes) gives zeros), float32 by default."""
    if sparse:
        raise NotImplementedError("keras.ops.one_hot: sparse=True (retrograd has no sparse "
                                  "tensors)")
    t = _tensor(x, "one_hot")
    if t.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.one_hot: x must hold integer class indices, got dtype "
                        f"{t.dtype}")
    idx = np.asarray(t.detach().cpu().array)
    out = (idx[..., None] == np.arange(int(num_classes))).astype(
        _dtype(dtype, "one_hot") or np.float32)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return creation.as_tensor(out, device=t.device)



@_eager
def nonzero(x):
    """A tuple of int32 index tensors, one per axis, of the non-zero entries."""
    t = _tensor(x, "nonzero")
    return tuple(_const(t, i.astype(np.int32)) for i in array_module(t.array).nonzero(
        _values(t)))


@_eager
def take(x, indices, axis=None):
    """Entries of x at ``indices`` along ``axis`` (of the flattened x without);
    negative indices count from the end."""
    t = _tensor(x, "take")
    idx = _tensor(indices, "take")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.take: indices must be integers, got dtype {idx.dtype}")
    if axis is None:
        t, axis = t.reshape(-1), 0
    axis = _check_axis(t, axis, "take")
    n = t.shape[axis]
    i = _values(idx)
    if i.size and (int(i.min()) < -n or int(i.max()) >= n):
        raise IndexError(f"keras.ops.take: indices from {int(i.min())} to {int(i.max())} "
                         f"are out of bounds for axis {axis} of size {n}")
    i = i % builtins.max(n, 1)
    picked = t.index_select(axis, i.reshape(-1))
    return picked.reshape(*t.shape[:axis], *i.shape, *t.shape[axis + 1:])


@_eager
def take_along_axis(x, indices, axis=None):
    """x picked at ``indices`` along ``axis`` (NumPy's take_along_axis; indices
    broadcast against x on the other axes)."""
    t = _tensor(x, "take_along_axis")
    idx = _tensor(indices, "take_along_axis")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.take_along_axis: indices must be integers, got dtype "
                        f"{idx.dtype}")
    if axis is None:
        t, axis = t.reshape(-1), 0
    axis = _check_axis(t, axis, "take_along_axis")
    if idx.ndim != t.ndim:
        raise ValueError(f"keras.ops.take_along_axis: indices of shape {tuple(idx.shape)} "
                         f"must have as many dimensions as x {tuple(t.shape)}")
    n = t.shape[axis]
    i = _values(idx).astype(np.int64)
    if i.size and (int(i.min()) < -n or int(i.max()) >= n):
        raise IndexError(f"keras.ops.take_along_axis: indices from {int(i.min())} to "
                         f"{int(i.max())} are out of bounds for axis {axis} of size {n}")
    i = i % builtins.max(n, 1)
    shape = [builtins.max(a, b) if k != axis else a for k, (a, b) in
             enumerate(zip(i.shape, t.shape))]
    xp = array_module(t.array)
    i = xp.broadcast_to(i, shape)
    t = _shape.broadcast_to(t, tuple(s if k != axis else t.shape[axis]
                                     for k, s in enumerate(shape)))
    return t.gather(axis, i)


@_eager
def get_item(x, key):
    """x[key]."""
    return _tensor(x, "get_item")[key]


@_eager
def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] is the first condition that holds, else
    ``default``."""
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError(f"keras.ops.select: condlist and choicelist must be non-empty "
                         f"and of the same length, got {len(condlist)} and "
                         f"{len(choicelist)}")
    choices = [_tensor(c, "select") for c in choicelist]
    out = default
    for cond, choice in reversed(list(zip(condlist, choices))):
        out = where(cond, choice, out if isinstance(out, Tensor) else
                    _tensor(out, "select", dtype=choice.dtype))
    return out


@_eager
def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in ``shape``: a tuple of int32 tensors."""
    t = _tensor(indices, "unravel_index")
    shape = _shape_of(shape)
    v = _values(t)
    if v.size and (v.min() < 0 or v.max() >= np.prod(shape)):
        raise ValueError(f"keras.ops.unravel_index: indices from {v.min()} to {v.max()} "
                         f"are out of range for shape {shape}")
    coords, rest = [], v
    for n in reversed(shape):           # the last axis varies fastest
        coords.append(rest % n)
        rest = rest // n
    return tuple(_const(t, c.astype(np.int32)) for c in reversed(coords))
