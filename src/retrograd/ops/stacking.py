"""Putting several tensors together: hstack, vstack (row_stack), dstack,
column_stack, block_diag, and the grids of all their combinations: meshgrid,
broadcast_tensors, cartesian_prod, combinations.

All are concatenations, reshapes and broadcasts (ops/shape.py), so the gradient of
each input is its part of ∂ℓ/∂y (summed over the copies a broadcast made)."""
import itertools
import warnings

import numpy as np

from ..backend import array_module
from ..tensor import Tensor, _make
from . import shape
from .operand import lift_all
from .rearranging import atleast_1d, atleast_2d, atleast_3d


def _sequence(tensors, who):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{who}(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{who} expects a non-empty TensorList")
    return lift_all(tensors, who)


def _cat(tensors, dim, who):
    nd = tensors[0].ndim
    for i, t in enumerate(tensors):
        if t.ndim != nd:
            raise RuntimeError(f"{who}(): Tensors must have same number of dimensions: got "
                               f"{nd} and {t.ndim}")
        for k, (a, b) in enumerate(zip(t.shape, tensors[0].shape)):
            if k != dim and a != b:
                raise RuntimeError(f"{who}(): Sizes of tensors must match except in "
                                   f"dimension {dim}. Expected size {b} but got size {a} "
                                   f"for tensor number {i} in the list.")
    return shape.concatenate(tensors, dim)


def hstack(tensors):
    """Tensors joined column-wise: along dimension 1, or 0 when they are 1-D
    (torch.hstack)."""
    ts = atleast_1d(*_sequence(tensors, "hstack"))
    return _cat(list(ts), 0 if ts[0].ndim == 1 else 1, "hstack")


def vstack(tensors):
    """Tensors joined row-wise: 1-D ones become rows, then dimension 0 (torch.vstack)."""
    return _cat(list(atleast_2d(*_sequence(tensors, "vstack"))), 0, "vstack")


row_stack = vstack


def dstack(tensors):
    """Tensors joined depth-wise, along dimension 2 after atleast_3d (torch.dstack)."""
    return _cat(list(atleast_3d(*_sequence(tensors, "dstack"))), 2, "dstack")


def column_stack(tensors):
    """Tensors as columns: 0-d and 1-d ones become (n, 1) columns, then all are joined
    along dimension 1 (torch.column_stack)."""
    ts = [t.reshape(t.numel(), 1) if t.ndim < 2 else t
          for t in _sequence(tensors, "column_stack")]
    return _cat(ts, 1, "column_stack")


def _varargs(tensors, who):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{who}(): expected Tensor as element of the arguments, but "
                            f"got {type(t).__name__}")
    return tensors


def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 1-D tensors (torch.meshgrid): with ``indexing="ij"`` the
    i-th output varies along dimension i, shape (n₁, n₂, …); with ``"xy"`` the first
    two dimensions are swapped, as NumPy's (x varies along columns). Without
    ``indexing`` PyTorch's default "ij", with its warning."""
    tensors = _varargs(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to "
                      "pass the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f'received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor "
                               f"list but got: shape {tuple(t.shape)}")
        if t.dtype != tensors[0].dtype or t.device != tensors[0].device:
            raise RuntimeError("torch.meshgrid: Expected all tensors in the tensor list to "
                               "have the same dtype and device, got "
                               f"{tensors[0].dtype} on {tensors[0].device} and {t.dtype} "
                               f"on {t.device}")
    sizes = [t.numel() for t in tensors]
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0       # x along columns, y along rows
    full = [0] * len(tensors)
    for t_axis, n in zip(axes, sizes):
        full[t_axis] = n
    out = []
    for t, a in zip(tensors, axes):
        lone = [1] * len(tensors)
        lone[a] = t.numel()
        out.append(shape.broadcast_to(t.reshape(*lone), tuple(full)))
    return tuple(out)


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to (torch.broadcast_shapes)."""
    return _common_shape(shapes, "broadcast_shapes")


def _common_shape(shapes, who):
    shapes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for s in shapes:
        for k, m in enumerate(s, n - len(s)):
            if m != 1 and out[k] not in (1, m):
                raise RuntimeError(f"{who}: The size of tensor a ({out[k]}) must match the size of "
                                   f"tensor b ({m}) at non-singleton dimension {k}")
            if m != 1:
                out[k] = m
    return tuple(out)


def broadcast_tensors(*tensors):
    """The tensors broadcast to their common shape (torch.broadcast_tensors)."""
    tensors = _varargs(tensors, "broadcast_tensors")
    common = _common_shape([tuple(t.shape) for t in tensors], "broadcast_tensors")
    return tuple(t if tuple(t.shape) == common else shape.broadcast_to(t, common)
                 for t in tensors)


def block_diag(*tensors):
    """The block-diagonal matrix with the given tensors (0-, 1- or 2-D, each a block
    of shape (1, 1), (1, n) or as is) on its diagonal (torch.block_diag)."""
    tensors = _varargs(tensors, "block_diag")
    if not tensors:
        return _make(np.zeros((1, 0), dtype=np.float32))
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    blocks = lift_all([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors],
                      "block_diag")
    width = sum(b.shape[1] for b in blocks)
    xp = array_module(blocks[0].array)
    rows, left = [], 0
    for b in blocks:
        h, w = b.shape
        pad = [_make(xp.zeros((h, left), dtype=b.dtype)), b,
               _make(xp.zeros((h, width - left - w), dtype=b.dtype))]
        rows.append(shape.concatenate(pad, 1))
        left += w
    return shape.concatenate(rows, 0)


def cartesian_prod(*tensors):
    """Every combination of one entry of each 1-D tensor, one per row, the last
    tensor varying fastest (torch.cartesian_prod; one tensor: itself)."""
    tensors = _varargs(tensors, "cartesian_prod")
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod(): Expect a 1D vector, but got shape "
                               f"{list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return shape.stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of a 1-D tensor's entries, one per row, in
    itertools' order (torch.combinations)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"combinations(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim != 1:
        raise RuntimeError(f"combinations(): Expect a 1D vector, but got shape "
                           f"{list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"combinations(): Expect a non-negative number, but got {r}")
    if r == 0:
        return _make(array_module(input.array).zeros((0,), dtype=input.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if idx.shape[0] == 0:
        return _make(array_module(input.array).zeros((0, r), dtype=input.dtype))
    return input[_make(array_module(input.array).asarray(idx))]
