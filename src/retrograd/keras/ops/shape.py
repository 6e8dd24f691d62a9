"""``keras.ops`` shape manipulation: reshape, transpose, concatenate/stack/split,
pad, tile, repeat, flips, rolls and einops-style ``rearrange``.
"""

import builtins

import numpy as np

from ...backend import array_module
from ...ops import shape as _shape
from ...tensor import Tensor
from ._common import _check_axis, _eager, _shape_of, _tensor, stack
from ...missing import NotSupportedError
from ...nn import functional as F
import re
import retrograd

__all__ = [
    "stack", "reshape", "transpose", "concatenate", "expand_dims", "squeeze", "split",
    "array_split", "tile", "repeat", "pad", "broadcast_to", "moveaxis", "swapaxes", "ravel",
    "flip", "fliplr", "flipud", "rot90", "roll", "hstack", "vstack", "dstack", "append",
    "hsplit", "vsplit", "dsplit", "rearrange",
]


@_eager
def reshape(x, newshape):
    """x with shape ``newshape`` (one entry may be −1)."""
    shape_ = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    return _shape.reshape(_tensor(x, "reshape"), shape_)


@_eager
def transpose(x, axes=None):
    """x with its axes permuted by ``axes`` (reversed by default)."""
    t = _tensor(x, "transpose")
    axes = tuple(reversed(range(t.ndim))) if axes is None else tuple(axes)
    if len(axes) != t.ndim or sorted(a % builtins.max(t.ndim, 1) for a in axes) != \
            list(range(t.ndim)):
        raise ValueError(f"keras.ops.transpose: axes must be a permutation of "
                         f"{list(range(t.ndim))} for a tensor of shape {tuple(t.shape)}, "
                         f"got {axes}")
    return _shape.permute(t, *(a % t.ndim for a in axes))


@_eager
def concatenate(xs, axis=0):
    return _shape.concatenate([_tensor(x, "concatenate") for x in xs], axis)


@_eager
def expand_dims(x, axis):
    """x with size-1 axes inserted at ``axis`` (an int or a tuple of them)."""
    t = _tensor(x, "expand_dims")
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    nd = t.ndim + len(axes)
    for a in axes:
        if not -nd <= a < nd:
            raise ValueError(f"keras.ops.expand_dims: axis {a} is out of range for a "
                             f"result with {nd} dimensions")
    new = sorted(a % nd for a in axes)
    dims = iter(t.shape)
    return _shape.reshape(t, tuple(1 if i in new else next(dims) for i in range(nd)))


@_eager
def squeeze(x, axis=None):
    """x without its size-1 axes (all, or those in ``axis``, which must have size 1)."""
    t = _tensor(x, "squeeze")
    if axis is not None:
        for a in (axis,) if isinstance(axis, int) else tuple(axis):
            if t.shape[a] != 1:
                raise ValueError(f"keras.ops.squeeze: axis {a} has size {t.shape[a]}, "
                                 "not 1; only size-1 axes can be squeezed")
    return _shape.squeeze(t, axis)


@_eager
def split(x, indices_or_sections, axis=0):
    """NumPy's split: ``n`` equal parts (an error if they are not), or cuts at the
    listed indices; a list of tensors."""
    t = _tensor(x, "split")
    axis = _check_axis(t, axis, "split")
    if isinstance(indices_or_sections, (int, np.integer)):
        n, k = t.shape[axis], int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(f"keras.ops.split: an axis of size {n} does not split into "
                             f"{k} equal sections (array_split allows unequal ones)")
    return _shape._numpy_split(t, indices_or_sections if not isinstance(
        indices_or_sections, (int, np.integer)) else int(indices_or_sections), axis)


@_eager
def array_split(x, indices_or_sections, axis=0):
    """NumPy's array_split: ``n`` parts, the first ones one longer when n does not
    divide the axis, or cuts at the listed indices."""
    t = _tensor(x, "array_split")
    axis = _check_axis(t, axis, "array_split")
    if isinstance(indices_or_sections, (int, np.integer)):
        k, n = int(indices_or_sections), t.shape[axis]
        if k <= 0:
            raise ValueError(f"keras.ops.array_split: sections must be positive, got {k}")
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        indices_or_sections = list(np.cumsum(sizes)[:-1])
    return _shape._numpy_split(t, [int(i) for i in indices_or_sections], axis)


@_eager
def tile(x, repeats):
    """x repeated ``repeats`` times along each axis (NumPy's tile)."""
    t = _tensor(x, "tile")
    reps = (int(repeats),) if isinstance(repeats, (int, np.integer)) else \
        tuple(int(r) for r in repeats)
    if len(reps) < t.ndim:
        reps = (1,) * (t.ndim - len(reps)) + reps
    return t.repeat(*reps)


@_eager
def repeat(x, repeats, axis=None):
    """Each element (of the flattened x, or along ``axis``) repeated ``repeats``
    times (a number, or one count per element)."""
    t = _tensor(x, "repeat")
    if axis is None:
        t, axis = t.reshape(-1), 0
    axis = _check_axis(t, axis, "repeat")
    counts = np.asarray(repeats.tolist() if isinstance(repeats, Tensor) else repeats)
    n = t.shape[axis]
    if counts.ndim and counts.shape != (n,):
        raise ValueError(f"keras.ops.repeat: repeats has {counts.size} entries for an "
                         f"axis of size {n}")
    index = np.repeat(np.arange(n), counts)
    return t.index_select(axis, array_module(t.array).asarray(index))


@_eager
def pad(x, pad_width, mode="constant", constant_values=None):
    """x padded by ``pad_width`` ((before, after) per axis, or one pair/number for
    all); modes "constant" (``constant_values``, 0 by default), "reflect",
    "symmetric" (the edge repeated) and "edge"."""
    t = _tensor(x, "pad")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (t.ndim, 2)) \
        if np.ndim(pad_width) < 2 else np.asarray(pad_width, dtype=np.int64)
    if widths.shape != (t.ndim, 2) or (widths < 0).any():
        raise ValueError(f"keras.ops.pad: pad_width must be non-negative (before, after) "
                         f"pairs, one per axis of the input of shape {tuple(t.shape)}, got "
                         f"{np.asarray(pad_width).tolist()}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"keras.ops.pad: constant_values only goes with mode='constant', "
                         f"got mode={mode!r}")
    flat = tuple(int(v) for pair in widths[::-1] for v in pair)
    if mode == "constant":
        return F.pad(t, flat, value=0 if constant_values is None else constant_values)
    if mode in ("reflect", "symmetric", "edge"):
        # Each output cell copies one input cell: index_select by NumPy's index map.
        xp = array_module(t.array)
        for a, (b, e) in enumerate(widths):
            if mode == "reflect" and builtins.max(b, e) >= t.shape[a] > 0:
                raise ValueError(f"keras.ops.pad: mode 'reflect' pads by less than the "
                                 f"axis size; got ({b}, {e}) on axis {a} of size "
                                 f"{t.shape[a]}")
            if b or e:
                index = np.pad(np.arange(t.shape[a]), (int(b), int(e)), mode=mode)
                t = t.index_select(a, xp.asarray(index))
        return t
    raise NotSupportedError(f"keras.ops.pad: mode={mode!r}; retrograd has 'constant', "
                            "'reflect', 'symmetric' and 'edge'")


@_eager
def broadcast_to(x, shape):
    t = _tensor(x, "broadcast_to")
    shape = _shape_of(shape)
    fits = len(shape) >= t.ndim and builtins.all(
        n in (1, m) for n, m in zip(t.shape, shape[len(shape) - t.ndim:]))
    if not fits:
        raise ValueError(f"keras.ops.broadcast_to: a tensor of shape {tuple(t.shape)} "
                         f"cannot be broadcast to {shape}")
    return _shape.broadcast_to(t, shape)


@_eager
def moveaxis(x, source, destination):
    """x with the axes ``source`` moved to the places ``destination``."""
    t = _tensor(x, "moveaxis")
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"keras.ops.moveaxis: source {source} and destination "
                         f"{destination} must have the same number of axes")
    src = [_check_axis(t, a, "moveaxis") for a in src]
    dst = [_check_axis(t, a, "moveaxis") for a in dst]
    order = [a for a in range(t.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _shape.permute(t, *order)


@_eager
def swapaxes(x, axis1, axis2):
    t = _tensor(x, "swapaxes")
    a, b = _check_axis(t, axis1, "swapaxes"), _check_axis(t, axis2, "swapaxes")
    order = list(range(t.ndim))
    order[a], order[b] = b, a
    return _shape.permute(t, *order)


@_eager
def ravel(x):
    return _tensor(x, "ravel").reshape(-1)


@_eager
def flip(x, axis=None):
    """x reversed along ``axis`` (all axes by default)."""
    t = _tensor(x, "flip")
    axes = tuple(range(t.ndim)) if axis is None else \
        (axis,) if isinstance(axis, int) else tuple(axis)
    return t.flip([_check_axis(t, a, "flip") for a in axes]) if axes else t


@_eager
def fliplr(x):
    return flip(x, 1)


@_eager
def flipud(x):
    return flip(x, 0)


@_eager
def rot90(array, k=1, axes=(0, 1)):
    """``array`` turned by k quarter turns in the plane of ``axes`` (from the first
    axis towards the second)."""
    t = _tensor(array, "rot90")
    if t.ndim < 2:
        raise ValueError(f"keras.ops.rot90: the input must have at least 2 dimensions, got "
                         f"shape {tuple(t.shape)}")
    a, b = (_check_axis(t, ax, "rot90") for ax in axes)
    if a == b:
        raise ValueError(f"keras.ops.rot90: axes must be two different axes, got {axes}")
    return retrograd.rot90(t, k % 4, (a, b))


@_eager
def roll(x, shift, axis=None):
    """x shifted cyclically by ``shift`` along ``axis`` (of the flattened x without)."""
    t = _tensor(x, "roll")
    if axis is None:
        return t.reshape(-1).roll(shift, 0).reshape(*t.shape)
    return t.roll(shift, axis)


def _at_least(t, n):
    if n == 2 and t.ndim < 2:
        return t.reshape(1, -1)
    if n == 3 and t.ndim < 3:
        return t.reshape(1, -1, 1) if t.ndim < 2 else t.reshape(*t.shape, 1)
    return t


@_eager
def hstack(xs):
    """Concatenation along axis 1 (axis 0 for 1-D inputs)."""
    ts = [_tensor(v, "hstack") for v in xs]
    return _shape.concatenate(ts, 0 if ts and ts[0].ndim == 1 else 1)


@_eager
def vstack(xs):
    """Concatenation along axis 0 of inputs made at least 2-D."""
    return _shape.concatenate([_at_least(_tensor(v, "vstack"), 2) for v in xs], 0)


@_eager
def dstack(xs):
    """Concatenation along axis 2 of inputs made at least 3-D."""
    return _shape.concatenate([_at_least(_tensor(v, "dstack"), 3) for v in xs], 2)


@_eager
def append(x1, x2, axis=None):
    """x2 after x1 along ``axis`` (both flattened without)."""
    a, b = _tensor(x1, "append"), _tensor(x2, "append")
    if axis is None:
        a, b = a.reshape(-1), b.reshape(-1)
        axis = 0
    return _shape.concatenate([a, b], axis)


@_eager
def hsplit(x, indices_or_sections):
    t = _tensor(x, "hsplit")
    return split(t, indices_or_sections, axis=0 if t.ndim == 1 else 1)


@_eager
def vsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=0)


@_eager
def dsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=2)


def _groups(side, who):
    """'b (h w) c' → [['b'], ['h', 'w'], ['c']]."""
    if "..." in side or "…" in side:
        raise NotSupportedError(f"keras.ops.{who}: '...' in a pattern is not in retrograd")
    groups, depth = [], None
    for token in re.findall(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+", side):
        if token == "(":
            if depth is not None:
                raise ValueError(f"keras.ops.{who}: nested parentheses in {side!r}")
            depth = []
        elif token == ")":
            if depth is None:
                raise ValueError(f"keras.ops.{who}: unbalanced parentheses in {side!r}")
            groups.append(depth)
            depth = None
        elif token.isdigit():
            if token != "1":
                raise ValueError(f"keras.ops.{who}: only the anonymous axis 1 is allowed, "
                                 f"got {token} in {side!r}")
            if depth is None:           # an axis of size 1, no name
                groups.append([])
        else:
            (groups if depth is None else depth).append([token] if depth is None else token)
    if depth is not None:
        raise ValueError(f"keras.ops.{who}: unbalanced parentheses in {side!r}")
    return groups


@_eager
def rearrange(tensor, pattern, **axes_lengths):
    """einops' rearrange: "b h w c -> b (h w) c" splits the input's grouped axes,
    permutes the named axes and merges the output's groups (sizes of split axes from
    ``axes_lengths``)."""
    t = _tensor(tensor, "rearrange")
    if "->" not in pattern:
        raise ValueError(f"keras.ops.rearrange: the pattern needs '->', got {pattern!r}")
    left, right = (_groups(side, "rearrange") for side in pattern.split("->"))
    if len(left) != t.ndim:
        raise ValueError(f"keras.ops.rearrange: the pattern {pattern!r} names {len(left)} "
                         f"axes for a tensor of shape {tuple(t.shape)}")
    sizes = dict(axes_lengths)
    for group, n in zip(left, t.shape):
        unknown = [a for a in group if a not in sizes]
        known = int(np.prod([sizes[a] for a in group if a in sizes]))
        if len(unknown) > 1:
            raise ValueError(f"keras.ops.rearrange: give the sizes of {unknown[1:]} "
                             f"(axes_lengths) to split an axis of size {n}")
        if unknown:
            if n % known:
                raise ValueError(f"keras.ops.rearrange: an axis of size {n} does not split "
                                 f"into {group} with sizes {axes_lengths}")
            sizes[unknown[0]] = n // known
        elif known != n:
            raise ValueError(f"keras.ops.rearrange: axis group {group} of sizes "
                             f"{[sizes[a] for a in group]} does not match size {n}")
    names = [a for g in left for a in g]
    out_names = [a for g in right for a in g]
    if sorted(names) != sorted(out_names) or len(set(names)) != len(names):
        raise ValueError(f"keras.ops.rearrange: both sides of {pattern!r} must name the "
                         "same axes, each once")
    x = t.reshape(*[sizes[a] for a in names]) if names else t.reshape(())
    x = _shape.permute(x, *[names.index(a) for a in out_names]) if names else x
    return x.reshape(*[int(np.prod([sizes[a] for a in g])) for g in right])
