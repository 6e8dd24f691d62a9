"""``keras.ops`` products and matrices: matmul, dot, einsum, tensordot, outer and
Kronecker products, triangles, diagonals and traces.
"""

import numpy as np

from ...ops import shape as _shape
from ...ops.matmul import matmul as _matmul
from ._common import _check_axis, _eager, _tensor
from .reductions import _SMALL_INTS
from .shape import moveaxis, pad, ravel
from ...ops.einsum import einsum as _einsum
import retrograd

__all__ = [
    "matmul", "dot", "einsum", "outer", "tensordot", "inner", "vdot", "kron", "cross",
    "tril", "triu", "diag", "diagonal", "trace", "diagflat",
]


@_eager
def matmul(x1, x2):
    return _matmul(_tensor(x1, "matmul"), _tensor(x2, "matmul"))


@_eager
def dot(x1, x2):
    """NumPy's dot: products of scalars; Σ over the last axis of x1 and the
    second-to-last of x2 (the last of a 1-D x2)."""
    a, b = _tensor(x1, "dot"), _tensor(x2, "dot")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2:
        return _matmul(a, b)
    # a: (..., k), b: (..., k, m) → (..., ..., m): move b's k axis first.
    k = b.shape[-2]
    perm = [b.ndim - 2] + [i for i in range(b.ndim) if i != b.ndim - 2]
    flat = _matmul(a.reshape(-1, k), _shape.permute(b, *perm).reshape(k, -1))
    return flat.reshape(*a.shape[:-1], *b.shape[:-2], b.shape[-1])



@_eager
def einsum(subscripts, *operands, **kwargs):
    """Σ over the indices missing from the output of ``subscripts`` (NumPy's
    einsum notation, "ij,jk->ik")."""
    ts = [_tensor(o, "einsum") for o in operands]
    kinds = {t.dtype.kind for t in ts}
    if kinds <= set("iub"):      # Keras: an integer einsum stays integer (int32)
        ts = [t.to(dtype=np.int32) if t.dtype in _SMALL_INTS else t for t in ts]
    return _einsum(subscripts, *ts)


@_eager
def outer(x1, x2):
    """x1 (flattened) ⊗ x2 (flattened): out[i, j] = x1[i]·x2[j]."""
    a, b = _tensor(x1, "outer").reshape(-1), _tensor(x2, "outer").reshape(-1)
    return a.reshape(-1, 1) * b.reshape(1, -1)


@_eager
def tensordot(x1, x2, axes=2):
    """Σ over the last ``axes`` axes of x1 and the first of x2 (or the listed pairs
    of axes): retrograd's tensordot."""
    a, b = _tensor(x1, "tensordot"), _tensor(x2, "tensordot")
    if isinstance(axes, (int, np.integer)):
        ax_a = list(range(a.ndim - int(axes), a.ndim))
        ax_b = list(range(int(axes)))
    else:
        ax_a, ax_b = ([v] if isinstance(v, int) else list(v) for v in axes)
    ax_a = [_check_axis(a, v, "tensordot") for v in ax_a]
    ax_b = [_check_axis(b, v, "tensordot") for v in ax_b]
    if [a.shape[i] for i in ax_a] != [b.shape[i] for i in ax_b]:
        raise ValueError(f"keras.ops.tensordot: the summed axes differ in size: "
                         f"{[a.shape[i] for i in ax_a]} of x1 {tuple(a.shape)} and "
                         f"{[b.shape[i] for i in ax_b]} of x2 {tuple(b.shape)}")
    return retrograd.tensordot(a, b, dims=(ax_a, ax_b))


@_eager
def inner(x1, x2):
    """Σ over the last axes of both (a product for scalars)."""
    a, b = _tensor(x1, "inner"), _tensor(x2, "inner")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


@_eager
def vdot(x1, x2):
    """Σ x1·x2 of the flattened inputs."""
    a, b = _tensor(x1, "vdot").reshape(-1), _tensor(x2, "vdot").reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"keras.ops.vdot: the inputs have {a.shape[0]} and {b.shape[0]} "
                         "elements; they must have the same number")
    return (a * b).sum()


@_eager
def kron(x1, x2):
    """The Kronecker product: blocks x1[i, j]·x2."""
    return retrograd.kron(_tensor(x1, "kron"), _tensor(x2, "kron"))


@_eager
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors along the given axes (2-vectors: z = 0)."""
    a, b = _tensor(x1, "cross"), _tensor(x2, "cross")
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"keras.ops.cross: the vectors must have 2 or 3 components, got "
                         f"{a.shape[-1]} and {b.shape[-1]}")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a = a if a.shape[-1] == 3 else pad(a, [(0, 0)] * (a.ndim - 1) + [(0, 1)])
    b = b if b.shape[-1] == 3 else pad(b, [(0, 0)] * (b.ndim - 1) + [(0, 1)])
    c = _shape.stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
                      a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
                      a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], -1)
    return moveaxis(c, -1, axisc)


@_eager
def tril(x, k=0):
    """x with the entries above the k-th diagonal zeroed."""
    return _tensor(x, "tril").tril(k)


@_eager
def triu(x, k=0):
    """x with the entries below the k-th diagonal zeroed."""
    return _tensor(x, "triu").triu(k)


@_eager
def diag(x, k=0):
    """The k-th diagonal of a matrix, or the square matrix of a vector's diagonal."""
    t = _tensor(x, "diag")
    if t.ndim not in (1, 2):
        raise ValueError(f"keras.ops.diag: the input must be 1-D or 2-D, got shape "
                         f"{tuple(t.shape)}")
    return t.diag(k)


@_eager
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal of the planes (axis1, axis2), as a last axis."""
    t = _tensor(x, "diagonal")
    if t.ndim < 2:
        raise ValueError(f"keras.ops.diagonal: the input must have at least 2 dimensions, "
                         f"got shape {tuple(t.shape)}")
    a, b = _check_axis(t, axis1, "diagonal"), _check_axis(t, axis2, "diagonal")
    return retrograd.diagonal(t, offset, a, b)


@_eager
def trace(x, offset=0, axis1=0, axis2=1):
    """Σ of the ``offset`` diagonal of the planes (axis1, axis2)."""
    t = _tensor(x, "trace")
    out = diagonal(t, offset, axis1, axis2).sum(-1)
    return out.to(dtype=np.int32) if t.dtype in _SMALL_INTS or t.dtype == np.int32 else out


@_eager
def diagflat(x, k=0):
    """The square matrix with the flattened x on its k-th diagonal."""
    return diag(ravel(x), k)
