"""The products and distances PyTorch code reaches for beyond ``@``: tensordot, inner,
vdot, mv, the fused "add a product" family (addmm, addmv, addr, baddbmm, addbmm),
kron, cross, cdist, dist, the trapezoid rule and chains of matrix products.

Each is written with the differentiable ops (einsum, matmul, the arithmetic), so
its gradient and forward mode are theirs; only the Euclidean ``cdist`` through the
GEMM identity is an op of its own (``Cdist``), for its gradient at equal points.
"""
import warnings

import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor, _make
from . import elementwise
from .einsum import einsum
from .linalg import VectorNorm
from .matmul import matmul
from .operand import pair
from .reorder import roll
from .sorting import _dim

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _tensor(x, op, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _floating(x, op):
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: expected a floating point tensor as input, got {x.dtype}")


def tensordot(a, b, dims=2, out=None):
    """Σ over the ``dims`` last axes of a and first axes of b (an int), or over the
    axes listed in ``dims = ([axes of a], [axes of b])`` (torch.tensordot)."""
    _tensor(a, "tensordot", "a"), _tensor(b, "tensordot", "b")
    a, b = pair(a, b, "tensordot")
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got "
                               f"dims={dims} (shapes {list(a.shape)} and {list(b.shape)})")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError(f"both dimension lists should have same length, got {da} and {db}")
    da, db = _axes(a, da), _axes(b, db)
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} "
                               f"in dim {j}")
    sa = list(_LETTERS[:a.ndim])
    sb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        sb[j] = sa[i]
    keep = [c for k, c in enumerate(sa) if k not in da] + \
           [c for k, c in enumerate(sb) if k not in db]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(keep)}", a, b)


def _axes(x, dims):
    """``dims`` of x as distinct non-negative axes (PyTorch's IndexError out of range,
    RuntimeError when one repeats), never wrapped around silently."""
    axes = []
    for d in dims:
        if x.ndim == 0 or not -x.ndim <= d < x.ndim:
            raise IndexError(f"tensordot: Dimension out of range (expected to be in range "
                             f"of [{-x.ndim}, {x.ndim - 1}], but got {d}; shape "
                             f"{list(x.shape)})")
        if d % x.ndim in axes:
            raise RuntimeError(f"tensordot: dim {d % x.ndim} appears multiple times in the "
                               "list of dims")
        axes.append(d % x.ndim)
    return axes


def inner(input, other):
    """Σ over the last axes of both (a scalar operand multiplies) (torch.inner)."""
    a, b = pair(_tensor(input, "inner"), other, "inner")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors "
                           f"but got shapes {list(a.shape)} and {list(b.shape)}")
    return tensordot(a, b, ([-1], [-1]))


def vdot(input, other):
    """Σᵢ xᵢ yᵢ of two 1-D tensors (real tensors: torch.dot)."""
    a, b = pair(_tensor(input, "vdot"), other, "vdot")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and "
                           f"src [{b.shape[0]}] to have the same number of elements, but "
                           f"got {a.shape[0]} and {b.shape[0]} elements respectively")
    return matmul(a, b)


def mv(input, vec):
    """The product of a matrix (n, m) and a vector (m,) (torch.mv)."""
    a, v = pair(_tensor(input, "mv"), vec, "mv")
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                           f"({a.shape[0]}x{a.shape[1]}), vec ({v.shape[0]})")
    return matmul(a, v)


def _add_product(input, product, beta, alpha):
    """β·input + α·product; β = 0 ignores input (its NaN and Inf too), as PyTorch."""
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:   # input only lends its shape to the broadcast
        if isinstance(input, Tensor) and input.requires_grad:   # PyTorch's zero gradient
            every = array_module(input.array).ones(input.shape, dtype=bool)
            return scaled + elementwise.where(every, 0, input)
        return scaled + _zeros_like(input)
    return scaled + (input if beta == 1 else input * beta)


def _zeros_like(t):
    """Zeros of t's shape (t broadcast into the result without its values)."""
    _tensor(t, "add a product", "input")
    return _make(array_module(t.array).zeros(t.shape, dtype=t.dtype))


def _matrices(op, *named):
    for name, t, nd in named:
        _tensor(t, op, name)
        if t.ndim != nd:
            raise RuntimeError(f"{op}: {name} must be a {nd}-D tensor, got {t.ndim}-D "
                               f"(shape {list(t.shape)})")


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """β·input + α·(mat1 @ mat2) (input broadcast to (n, p)) (torch.addmm)."""
    _matrices("addmm", ("mat1", mat1, 2), ("mat2", mat2, 2))
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({mat1.shape[0]}x{mat1.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    return _add_product(input, matmul(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """β·input + α·(mat @ vec) (torch.addmv)."""
    return _add_product(input, mv(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """β·input + α·(vec1 ⊗ vec2), the outer product (torch.addr)."""
    _matrices("addr", ("vec1", vec1, 1), ("vec2", vec2, 1))
    return _add_product(input, einsum("i,j->ij", *pair(vec1, vec2, "addr")), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·(batch1 @ batch2), batch by batch (torch.baddbmm)."""
    _bmm_check("baddbmm", batch1, batch2)
    return _add_product(input, matmul(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·Σ_b batch1[b] @ batch2[b] (torch.addbmm)."""
    _bmm_check("addbmm", batch1, batch2)
    return _add_product(input, einsum("bij,bjk->ik", batch1, batch2), beta, alpha)


def _bmm_check(op, b1, b2):
    _matrices(op, ("batch1", b1, 3), ("batch2", b2, 3))
    if b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"{op}: batch1 and batch2 shapes cannot be multiplied "
                           f"({list(b1.shape)} and {list(b2.shape)}): expected (b, n, m) "
                           "and (b, m, p)")


def kron(input, other):
    """The Kronecker product: blocks aᵢ·B (torch.kron); operands of different ranks
    are aligned on their last axes."""
    a, b = pair(_tensor(input, "kron"), other, "kron")
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    # a[i] b[j] on interleaved axes (i₁, j₁, i₂, j₂, …), then merged pairwise.
    ea = a.reshape(*[s for d in sa for s in (d, 1)]) if nd else a
    eb = b.reshape(*[s for d in sb for s in (1, d)]) if nd else b
    return (ea * eb).reshape(*[p * q for p, q in zip(sa, sb)])


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (torch.cross: by default the first
    axis of size 3; torch.linalg.cross: -1), operands broadcast:
    cᵢ = aᵢ₊₁ bᵢ₊₂ − aᵢ₊₂ bᵢ₊₁ (indices mod 3)."""
    a, b = pair(_tensor(input, "cross"), other, "cross")
    if dim is None:
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (shapes {list(a.shape)} "
                               f"and {list(b.shape)})")
    return _cross(a, b, dim, "cross")


def _cross(a, b, dim, op):
    if a.ndim != b.ndim:
        raise RuntimeError(f"{op}: inputs must have the same number of dimensions.")
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[dim]} and {b.shape[dim]}")
    return roll(a, -1, dim) * roll(b, -2, dim) - roll(a, -2, dim) * roll(b, -1, dim)


class Cdist(Function):
    """Euclidean distances dᵢⱼ = ‖xᵢ − yⱼ‖ through the GEMM identity
    d² = ‖x‖² + ‖y‖² − 2 x·y (one matrix product, no (P, R, M) difference tensor).
    d² below its rounding error (4ε(‖x‖² + ‖y‖²)) is 0: equal points are at 0.

    ∂ℓ/∂xᵢ = Σⱼ Wᵢⱼ (xᵢ − yⱼ),  ∂ℓ/∂yⱼ = Σᵢ Wᵢⱼ (yⱼ − xᵢ),  W = G / d, 0 where d = 0
    (PyTorch's subgradient);  ḋᵢⱼ = (xᵢ − yⱼ)·(ẋᵢ − ẏⱼ) / dᵢⱼ."""

    def forward(self, x, y):
        xp = array_module(x)
        xx = (x * x).sum(-1)[..., :, None]
        yy = (y * y).sum(-1)[..., None, :]
        d2 = xx + yy - 2 * (x @ y.swapaxes(-1, -2))
        eps = np.finfo(d2.dtype).eps
        d2 = xp.where(d2 <= 4 * eps * (xx + yy), 0, d2)
        self.x, self.y, self.d = x, y, xp.sqrt(d2)
        return self.d

    def _w(self, g):
        xp = array_module(g)
        return xp.where(self.d > 0, g / xp.where(self.d > 0, self.d, 1), 0)

    def backward(self, g):
        w, x, y = self._w(g), self.x, self.y
        gx = w.sum(-1)[..., None] * x - w @ y
        gy = w.sum(-2)[..., None] * y - w.swapaxes(-1, -2) @ x
        return gx, gy

    def jvp(self, dx, dy):
        x, y = self.x, self.y
        num = ((x * dx).sum(-1)[..., :, None] + (y * dy).sum(-1)[..., None, :]
               - dx @ y.swapaxes(-1, -2) - x @ dy.swapaxes(-1, -2))
        return self._w(num)


_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
          "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 (…, P, M) and each row of x2
    (…, R, M): a (…, P, R) tensor (torch.cdist). p = 2 uses the matrix product when
    P or R exceeds 25 (PyTorch's default ``compute_mode``); the gradient is 0 where a
    distance is 0."""
    _tensor(x1, "cdist", "x1"), _tensor(x2, "cdist", "x2")
    x1, x2 = pair(x1, x2, "cdist")
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D"
                           if x1.ndim < 2 else
                           f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    _floating(x1, "cdist")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    if compute_mode not in _MODES and compute_mode is not None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = compute_mode or _MODES[0]
    big = x1.shape[-2] > 25 or x2.shape[-2] > 25
    if p == 2 and (mode == _MODES[1] or mode == _MODES[0] and big):
        return Cdist().apply(x1, x2)
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return VectorNorm(p, -1).apply(diff)


def dist(input, other, p=2):
    """‖input − other‖_p over all elements (operands broadcast) (torch.dist)."""
    a, b = pair(_tensor(input, "dist"), other, "dist")
    _floating(a, "dist")
    diff = a - b
    return VectorNorm(p, tuple(range(diff.ndim))).apply(diff)


def _along(t, dim, start, stop):
    index = [slice(None)] * t.ndim
    index[dim] = slice(start, stop)
    return t[tuple(index)]


def _trapezoids(y, x, dx, dim, op):
    """The areas of the trapezoids between consecutive samples along ``dim``."""
    _tensor(y, op, "y")
    if y.ndim == 0:
        raise RuntimeError(f"{op}: y must have at least one dimension")
    if y.dtype.kind == "b":
        raise RuntimeError(f"{op}: received a bool input for `y`, but bool is not supported")
    dim = _dim(y, dim, op)          # PyTorch's IndexError, never wrapped around
    mid = _along(y, dim, 1, None) + _along(y, dim, None, -1)
    if x is None:
        return mid * ((1 if dx is None else dx) / 2)
    if not isinstance(x, Tensor):
        return mid * (float(x) / 2)     # a number: the spacing (trapezoid(y, 0.5))
    if x.ndim == 1:
        steps = x[1:] - x[:-1]
        shape = [1] * y.ndim
        shape[dim] = steps.shape[0]
        steps = steps.reshape(*shape)
    else:
        steps = _along(x, dim, 1, None) - _along(x, dim, None, -1)
    return mid * steps / 2


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """∫ y along ``dim`` by the trapezoid rule, with sample points ``x`` (a tensor) or
    a spacing ``dx`` (1 by default) (torch.trapezoid)."""
    if x is not None and dx is not None:
        raise TypeError("trapezoid(): give x or dx, not both")
    if (x is None or not isinstance(x, Tensor)) and isinstance(y, Tensor) and y.ndim \
            and y.dtype.kind != "b" and y.shape[_dim(y, dim, "trapezoid")] > 0:
        # Even spacing: (Σ y − (y₀ + yₙ)/2)·dx, PyTorch's formula (its values, ∞ − ∞ = NaN
        # included), one reduction instead of the trapezoids' sum (1.8 → 0.5 ms on
        # (256, 4096) float32)
        d = _dim(y, dim, "trapezoid")
        step = 1 if dx is None and x is None else float(dx if x is None else x)
        ends = _along(y, d, 0, 1).squeeze(d) + _along(y, d, -1, None).squeeze(d)
        return (y.sum(d) - ends / 2) * step
    return _trapezoids(y, x, dx, dim, "trapezoid").sum(dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    """The older name of ``trapezoid`` (torch.trapz)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running integral of y along ``dim`` (one sample shorter) by the trapezoid
    rule (torch.cumulative_trapezoid)."""
    if x is not None and dx is not None:
        raise TypeError("cumulative_trapezoid(): give x or dx, not both")
    return _trapezoids(y, x, dx, dim, "cumulative_trapezoid").cumsum(dim)


def multi_dot(tensors):
    """A₁ @ A₂ @ … @ Aₙ (the first may be a row vector, the last a column vector)
    (torch.linalg.multi_dot), multiplied in the order that costs the fewest
    multiplications (the classic dynamic programme over the chain)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got "
                           f"{len(tensors)}")
    for i, t in enumerate(tensors):
        _tensor(t, "multi_dot", f"tensors[{i}]")
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            where = ("the first" if i == 0 else "the last") if len(allowed) == 2 else \
                f"tensor {i}"
            raise RuntimeError(f"multi_dot(): {where} tensor must be 1D or 2D but got "
                               f"{t.ndim}D" if len(allowed) == 2 else
                               f"multi_dot(): {where} must be 2D but got {t.ndim}D")
    first, last = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = [t.unsqueeze(0) if i == 0 and first else t for i, t in enumerate(tensors)]
    mats[-1] = mats[-1].unsqueeze(1) if last else mats[-1]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                               "cannot be multiplied")
    y = _chain(mats, _order([m.shape[0] for m in mats] + [mats[-1].shape[1]]), 0,
               len(mats) - 1)
    if first:
        y = y.squeeze(0)
    if last:
        y = y.squeeze(-1)
    return y


def _order(dims):
    """split[i][j]: where to split the chain i..j (the cheapest parenthesisation)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k)
                for k in range(i, j))
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return matmul(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


def chain_matmul(*matrices, out=None):
    """The product of 2-D matrices (torch.chain_matmul, deprecated for multi_dot)."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two "
                  "or more tensors rather than multiple parameters.", UserWarning,
                  stacklevel=2)
    for i, m in enumerate(matrices):
        if isinstance(m, Tensor) and m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0] * 1
    return multi_dot(matrices)


def vecdot(x, y, dim=-1):
    """Σ xᵢ yᵢ along ``dim``, operands broadcast (torch.linalg.vecdot)."""
    a, b = pair(_tensor(x, "vecdot", "x"), y, "vecdot")
    return (a * b).sum(dim)


__all__ = ["tensordot", "inner", "vdot", "mv", "addmm", "addmv", "addr", "baddbmm", "addbmm",
           "kron", "cross", "cdist", "dist", "trapezoid", "trapz", "cumulative_trapezoid",
           "multi_dot", "chain_matmul", "vecdot"]
