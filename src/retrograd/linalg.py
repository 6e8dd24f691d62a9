"""``torch.linalg``: linear algebra on (batches of) matrices, differentiable.

With ``import retrograd as torch``, ``torch.linalg.solve(X.T @ X, X.T @ y)``,
``torch.linalg.norm(x)``, ``torch.linalg.svd(A)``… run as in PyTorch: the same names,
arguments, defaults, result tuples (``slogdet`` → (sign, logabsdet), ``qr`` → (Q, R),
``eigh`` → (eigenvalues, eigenvectors), ``svd`` → (U, S, Vh)), dtypes and errors. The
matrices are the last two axes, the leading ones a batch. The ops and their gradient
formulas are in ``ops/linalg.py`` (factorisations) and ``ops/products.py``; this
module checks the arguments and assembles them.

>>> A = torch.tensor([[2., 1.], [1., 3.]], requires_grad=True)
>>> torch.linalg.det(A).backward(); A.grad          # det(A) · A⁻ᵀ
"""
import functools
from collections import namedtuple

import numpy as np

from .backend import array_module
from .function import no_grad
from .missing import NotSupportedError, module_getattr
from .ops import linalg as _ops
from .ops import products as _products
from .ops.einsum import einsum as _einsum
from .ops.einsum import outer
from .ops.linalg import LinAlgError, _T
from .ops.matmul import matmul
from .ops.operand import pair
from .ops.shape import stack as _stack
from .ops.products import multi_dot, vecdot
from .ops.triangular import tril as _tril
from .ops.triangular import triu as _triu
from .tensor import Tensor, _make

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "inv", "det", "slogdet",
           "solve", "solve_triangular", "cholesky", "qr", "eigh", "eigvalsh", "svd",
           "svdvals", "pinv", "matrix_power", "matrix_rank", "lstsq", "cond", "diagonal",
           "vecdot", "matmul", "outer", "cross", "multi_dot", "cholesky_ex", "inv_ex",
           "solve_ex", "tensorinv", "tensorsolve", "vander", "matrix_exp", "lu_factor", "lu",
           "lu_solve", "eig", "eigvals"]

_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                "uint8": "Byte", "bool": "Bool", "float16": "Half"}

SlogdetResult = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
QRResult = namedtuple("linalg_qr", ["Q", "R"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("linalg_svd", ["U", "S", "Vh"])
TorchSVDResult = namedtuple("svd", ["U", "S", "V"])
LstsqResult = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _with_out(fn):
    """PyTorch's ``out=``: the result written into given tensors (retrograd's rules
    for every function, in ``retrograd/__init__.py``)."""
    @functools.wraps(fn)
    def function(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        from . import _into_out   # the package's, imported when first used
        return _into_out(f"linalg.{fn.__name__}", fn, args, kwargs, out)
    return function


def _matrix(A, op, square=True, name="A"):
    """Check A: a tensor of ≥ 2 dimensions (square matrices) of a float dtype."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(A).__name__}")
    _float(A, op)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    return A


def _float(A, op):
    if A.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {_TORCH_NAMES.get(A.dtype.name, A.dtype.name)}")
    if A.dtype.kind == "c" and A.requires_grad:   # the formulas are for real matrices
        raise NotSupportedError(f"PyTorch's torch.{op} of a complex tensor that requires "
                                "grad is not in retrograd: its gradients are for real "
                                "matrices (PyTorch compatibility: docs/pytorch.md)")


# -- norms ---------------------------------------------------------------------------

def _dims(dim, ndim, op="linalg.vector_norm"):
    for d in dim:
        if not -ndim <= d < ndim:
            raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {d})")
    return tuple(d % ndim for d in dim)


@_with_out
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """‖x‖_ord = (Σ |xᵢ|^ord)^{1/ord} over ``dim`` (all elements by default); ord = inf
    the largest |xᵢ|, −inf the smallest, 0 the count of non-zeros. The gradient is 0
    where the norm is 0 (PyTorch's)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg.vector_norm(): argument 'x' must be Tensor, not "
                        f"{type(x).__name__}")
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not "
                        f"{type(ord).__name__}")
    _float(x, "linalg.vector_norm")
    if dtype is not None:
        x = x.to(dtype=dtype)
    if x.ndim == 0:
        x = x.reshape(1)
        dim = None
    dims = () if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    axes = _dims(dims, x.ndim) if dims else tuple(range(x.ndim))   # () too: all
    if abs(ord) == float("inf") and any(x.shape[a] == 0 for a in axes):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                           f"tensor of shape {tuple(x.shape)} because the operation does "
                           "not have an identity")
    return _ops.VectorNorm(ord, axes, keepdim).apply(x)


def _to_end(A, dim):
    """A with the two axes ``dim`` moved to the end (rows, columns)."""
    d0, d1 = _dims(dim, A.ndim)
    rest = [d for d in range(A.ndim) if d not in (d0, d1)]
    return A.permute(*rest, d0, d1) if (d0, d1) != (A.ndim - 2, A.ndim - 1) else A


@_with_out
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm over the two axes ``dim``: 'fro' √Σaᵢⱼ², 'nuc' Σσᵢ, 2 / −2 the
    largest / smallest singular value, 1 / −1 the largest / smallest column sum of
    |aᵢⱼ|, inf / −inf the largest / smallest row sum."""
    op = "linalg.matrix_norm"
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument 'A' must be Tensor, not {type(A).__name__}")
    _float(A, op)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if isinstance(dim, int) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = _dims(dim, A.ndim, op)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({d0}, {d1})")
    if dtype is not None:
        A = A.to(dtype=dtype)
    inf = float("inf")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord not in ("nuc", 2, -2, 1, -1, inf, -inf):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    M = _to_end(A, (d0, d1))
    if ord in ("nuc", 2, -2):
        s = _ops.svdvals(M)
        y = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
    else:
        sums = M.abs().sum(-2 if ord in (1, -1) else -1)
        y = sums.amax(-1) if ord in (1, inf) else sums.amin(-1)
    if keepdim:
        for d in sorted((d0, d1)):
            y = y.unsqueeze(d)
    return y


@_with_out
def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair,
    or a 2-D input with ``ord``): ``vector_norm`` / ``matrix_norm``. Without ord and
    dim: the 2-norm of all elements."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg.norm(): argument 'input' must be Tensor, not "
                        f"{type(A).__name__}")
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                           f"must be 1D or 2D. Got {A.ndim}D.")
    if A.ndim == 1 and not isinstance(ord, str):   # 'fro'/'nuc' of a vector: below
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def cond(A, p=None):
    """The condition number ‖A‖_p ‖A⁻¹‖_p (p None or 2: σ_max / σ_min, any m × n A).
    Other p need square matrices; a singular one's is inf, as PyTorch's."""
    _matrix(A, "linalg.cond", square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        s = _ops.svdvals(A)
        return s.amax(-1) / s.amin(-1) if p != -2 else s.amin(-1) / s.amax(-1)
    inverse, info = inv_ex(A)
    singular = info.array != 0
    if not bool(singular.any()):
        return matrix_norm(A, p) * matrix_norm(inverse, p)
    xp = array_module(A.array)   # inv_ex's NaN there would break the SVD of 'nuc'
    inverse = _make(xp.where(singular[..., None, None], 0, inverse.array))
    c = matrix_norm(A, p) * matrix_norm(inverse, p)
    return _make(xp.where(singular, xp.asarray(np.inf, dtype=c.dtype), c.array))


# -- inverse, determinant, solve -----------------------------------------------------

@_with_out
def inv(A):
    """A⁻¹ (batched);  ∂ℓ/∂A = −A⁻ᵀ G A⁻ᵀ. A singular matrix raises ``LinAlgError``."""
    return _ops.Inv().apply(_matrix(A, "linalg.inv"))


@_with_out
def det(A):
    """det A (batched);  ∂ℓ/∂A = g · adj(A)ᵀ (= g det(A) A⁻ᵀ), defined for singular A."""
    return _ops.Det().apply(_matrix(A, "linalg.det"))


@_with_out
def slogdet(A):
    """(sign, logabsdet): det A = sign · exp(logabsdet), without overflow;
    ∂logabsdet/∂A = A⁻ᵀ (sign has no gradient)."""
    _matrix(A, "linalg.slogdet")
    op = _ops.LogAbsDet()
    logabsdet = op.apply(A)
    return SlogdetResult(_make(op.sign), logabsdet)


def logdet(A):
    """log det A: NaN where det A < 0, −inf where it is 0 (torch.logdet)."""
    sign, logabsdet = slogdet(A)
    xp = array_module(A.array)
    nan = _make(xp.where(sign.array < 0, xp.nan, 0).astype(logabsdet.dtype))
    return logabsdet + nan


def _is_vector_rhs(A, B):
    """PyTorch's rule: B is a (batch of) vector(s) when it is 1-D or has A's batch
    shape with one axis fewer than A."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


@_with_out
def solve(A, B, *, left=True):
    """X with A X = B (``left=False``: X A = B), A square (batched, broadcast);
    ∂ℓ/∂B = A⁻ᵀ G,  ∂ℓ/∂A = −(∂ℓ/∂B) Xᵀ. A singular A raises ``LinAlgError``."""
    op = "linalg.solve"
    _matrix(A, op)
    if not isinstance(B, Tensor):
        raise TypeError(f"{op}(): argument 'B' must be Tensor, not {type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of "
                           f"type {_torch_dtype(A)} and B of type {_torch_dtype(B)} instead")
    vector = left and _is_vector_rhs(A, B)
    if vector:
        B = B.unsqueeze(-1)
    if not left:
        A, B = A.mT, B.mT
    n = A.shape[-1]
    if B.ndim < 2 or B.shape[-2] != n:
        shown = (f"{B.shape[-1]}x{B.shape[-2]}" if not left else
                 f"{B.shape[-2]}x{B.shape[-1]}" if B.ndim >= 2 else f"{B.shape[-1]}x1")
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shown})")
    X = _ops.Solve().apply(A, B)
    if not left:
        X = X.mT
    return X.squeeze(-1) if vector else X


def _torch_dtype(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(
        t.dtype.name, _TORCH_NAMES.get(t.dtype.name, t.dtype.name))


@_with_out
def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (``left=False``: X A = B) for a triangular A: only A's upper
    (``upper=True``) or lower triangle is read (its diagonal taken as 1 with
    ``unitriangular``)."""
    op = "linalg.solve_triangular"
    _matrix(A, op)
    T = _triu(A) if upper else _tril(A)
    if unitriangular:
        xp = array_module(A.array)
        eye = xp.eye(A.shape[-1], dtype=A.dtype)
        T = T - T * _make(eye) + _make(eye)
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    return solve(T, B, left=left)


@_with_out
def cholesky(A, *, upper=False):
    """L lower triangular with A = L Lᵀ (``upper=True``: U = Lᵀ, A = Uᵀ U), A symmetric
    positive-definite (its lower triangle is read); not positive-definite raises
    ``LinAlgError``."""
    L = _ops.Cholesky().apply(_matrix(A, "linalg.cholesky"))
    return L.mT if upper else L


# -- decompositions --------------------------------------------------------------------

_QR_MODES = ("reduced", "complete", "r")


@_with_out
def qr(A, mode="reduced"):
    """(Q, R) with A = QR, Q orthonormal columns, R upper triangular: ``mode`` 'reduced'
    (Q: m×k, R: k×n, k = min(m, n)), 'complete' (Q: m×m, R: m×n) or 'r' (R only, Q
    empty)."""
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _matrix(A, "linalg.qr", square=False)
    if mode == "r":
        _, R = _ops.qr(A, "reduced")
        return QRResult(_make(array_module(A.array).zeros((0,), dtype=A.dtype)), R)
    return QRResult(*_ops.qr(A, mode))


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


@_with_out
def eigh(A, UPLO="L"):
    """(eigenvalues, eigenvectors) of symmetric A (the triangle ``UPLO`` is read),
    eigenvalues ascending; differentiable where they are distinct (ops/linalg.py)."""
    _uplo(UPLO)
    return EighResult(*_ops.eigh(_matrix(A, "linalg.eigh"), UPLO))


EigResult = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])


@_with_out
def eig(A):
    """(eigenvalues, eigenvectors) of a general square A, complex (complex64 for
    float32); values only: backward through them raises NotSupportedError."""
    return EigResult(*_ops.eig(_matrix(A, "linalg.eig")))


@_with_out
def eigvals(A):
    """The eigenvalues of a general square A, complex; values only (see ``eig``)."""
    return _ops.eig(_matrix(A, "linalg.eigvals"))[0]


@_with_out
def eigvalsh(A, UPLO="L"):
    """The eigenvalues of symmetric A, ascending;  ∂ℓ/∂A = V diag(G) Vᵀ."""
    _uplo(UPLO)
    return _ops.eigh(_matrix(A, "linalg.eigvalsh"), UPLO)[0]


@_with_out
def svd(A, full_matrices=True, *, driver=None):
    """(U, S, Vh) with A = U diag(S) Vh, S descending (``full_matrices=False``: the
    reduced U: m×k, Vh: k×n); differentiable where the singular values are distinct."""
    _matrix(A, "linalg.svd", square=False)
    return SVDResult(*_ops.svd(A, full_matrices))


@_with_out
def svdvals(A, *, driver=None):
    """The singular values, descending;  ∂ℓ/∂A = U diag(G) Vh."""
    return _ops.svdvals(_matrix(A, "linalg.svdvals", square=False))


def torch_svd(input, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with A = U diag(S) Vᵀ (V, not Vh), reduced when ``some``;
    without ``compute_uv``, U and V are zeros."""
    _matrix(input, "svd", square=False)
    U, S, Vh = _ops.svd(input, not some)
    if not compute_uv:
        xp = array_module(input.array)
        return TorchSVDResult(_make(xp.zeros(U.shape, dtype=U.dtype)), S,
                              _make(xp.zeros(Vh.shape[:-2] + Vh.shape[:-3:-1], dtype=U.dtype)))
    return TorchSVDResult(U, S, Vh.mT)


def torch_cholesky_inverse(L, upper=False):
    """torch.cholesky_inverse: A⁻¹ from A's Cholesky factor (A = L Lᵀ, or Uᵀ U with
    ``upper``): L⁻ᵀ L⁻¹, differentiable in L."""
    _matrix(L, "cholesky_inverse")
    Li = inv.__wrapped__(L.mT if upper else L)
    return matmul(Li.mT, Li)


def torch_cholesky_solve(B, L, upper=False):
    """torch.cholesky_solve: X with A X = B from A's Cholesky factor (A = L Lᵀ, or Uᵀ U
    with ``upper``): two triangular solves, differentiable in B and L."""
    _matrix(L, "cholesky_solve")
    low = L.mT if upper else L
    return solve.__wrapped__(low.mT, solve.__wrapped__(low, B))


def _tolerance(S, atol, rtol, m, n):
    """max(atol, rtol·σ_max), PyTorch's default rtol ε·max(m, n) when neither is given."""
    eps = float(np.finfo(S.dtype).eps)
    if rtol is None:
        rtol = eps * max(m, n) if atol is None else 0.0
    atol = 0.0 if atol is None else atol
    smax = S.array.max(axis=-1, keepdims=True) if S.shape[-1] else 0
    xp = array_module(S.array)
    return xp.maximum(_array(atol), _array(rtol) * smax)


def _array(v):
    if isinstance(v, Tensor):
        return v.array[..., None] if v.ndim else v.array
    return v


@_with_out
def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore–Penrose pseudo-inverse V diag(1/σ) Uᵀ, σ below the tolerance
    max(atol, rtol·σ_max) counted as 0 (``hermitian``: from eigh); its gradient is
    PyTorch's (``ops.linalg.Pinv``), finite at rank-deficient matrices."""
    _matrix(A, "linalg.pinv", square=hermitian)
    m, n = A.shape[-2:]
    xp = array_module(A.array)
    a = A.array
    if hermitian:
        w, V = xp.linalg.eigh(a)
        tol = _tolerance(_make(xp.abs(w)), atol, rtol, m, n)
        keep = xp.abs(w) > tol
        p = (V * xp.where(keep, 1 / xp.where(keep, w, 1), 0)[..., None, :]) @ _T(V)
    else:
        U, S, Vh = xp.linalg.svd(a, full_matrices=False)
        tol = _tolerance(_make(S), atol, rtol, m, n)
        keep = S > tol
        p = (_T(Vh) * xp.where(keep, 1 / xp.where(keep, S, 1), 0)[..., None, :]) @ _T(U)
    # the gradient: PyTorch's formula at constant rank (the SVD's is 0/0 at rank < k)
    return _ops.Pinv(p.astype(A.dtype, copy=False)).apply(A)


@_with_out
def matrix_power(A, n):
    """Aⁿ by repeated squaring (n < 0: (A⁻¹)^|n|; n = 0: the identity)."""
    _matrix(A, "linalg.matrix_power")
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        xp = array_module(A.array)
        eye = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A.dtype), A.shape)
        return _make(xp.ascontiguousarray(eye)) + A * 0
    base, result, k = (inv(A) if n < 0 else A), None, abs(int(n))
    while k:
        if k & 1:
            result = base if result is None else matmul(result, base)
        k >>= 1
        if k:
            base = matmul(base, base)
    return result


@_with_out
def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    """The number of singular values above max(atol, rtol·σ_max) (int64, no gradient)."""
    _matrix(A, "linalg.matrix_rank", square=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    xp = array_module(A.array)
    if hermitian:
        S = _make(xp.abs(xp.linalg.eigh(A.array)[0]))
    else:
        S = _make(xp.linalg.svd(A.array, compute_uv=False))
    tol = _tolerance(S, atol, rtol, *A.shape[-2:])
    return _make((S.array > tol).sum(axis=-1).astype(np.int64))


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution X = argmin ‖A X − B‖ through the pseudo-inverse
    (differentiable), with PyTorch's CPU extras per ``driver``: ``rank`` (not with
    'gels'), ``singular_values`` of A ('gelsd', 'gelss'), ``residuals`` ‖A X − B‖²
    per column (not with the default 'gelsy'; only where m > n and A has full rank);
    the others are empty. 'gels' refuses a rank-deficient A, as LAPACK's."""
    op = "linalg.lstsq"
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           f"(gels, gelsy, gelsd, gelss), got {driver!r}")
    _matrix(A, op, square=False)
    if not isinstance(B, Tensor):
        raise TypeError(f"{op}(): argument 'B' must be Tensor, not {type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of "
                           f"type {_torch_dtype(A)} and B of type {_torch_dtype(B)} instead")
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"AX = B ({A.shape[-2]}x{A.shape[-1]} and "
                           f"{Bm.shape[-2]}x{Bm.shape[-1]})")
    rtol = None if rcond is None else rcond
    X = matmul(pinv(A, rtol=rtol), Bm)
    xp = array_module(A.array)
    rank = matrix_rank(A, rtol=rtol)
    m, n = A.shape[-2:]
    full = bool((rank.array == min(m, n)).all())
    if driver == "gels" and not full:
        raise LinAlgError(f"torch.linalg.lstsq: The least squares solution could not be "
                          f"computed because the input matrix does not have full rank "
                          f"(rank {rank.array.min()} < {min(m, n)}; driver 'gels')")
    residuals = _make(xp.zeros((0,), dtype=A.dtype))
    if driver not in (None, "gelsy") and m > n and full:
        residuals = (matmul(A, X) - Bm).pow(2).sum(-2)
    singular_values = _make(xp.zeros((0,), dtype=A.dtype))
    if driver in ("gelsd", "gelss"):
        singular_values = _make(xp.linalg.svd(A.array, compute_uv=False))
    if driver == "gels":
        rank = _make(xp.zeros((0,), dtype=np.int64))
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, rank, singular_values)


# -- the _ex variants, tensor equations, vander, matrix_exp ----------------------------

CholeskyExResult = namedtuple("linalg_cholesky_ex", ["L", "info"])
InvExResult = namedtuple("linalg_inv_ex", ["inverse", "info"])
SolveExResult = namedtuple("linalg_solve_ex", ["result", "info"])


def _ex(compute, A, result_type, check_errors, failed):
    """(compute(), info): info (int32, per matrix) is 0 where it succeeded; where it
    failed, ``failed(matrix)`` (> 0) and the result NaN, unless ``check_errors``."""
    xp = array_module(A.array)
    try:
        return result_type(compute(), _make(xp.zeros(A.shape[:-2], dtype=np.int32)))
    except LinAlgError:
        if check_errors:
            raise
    flat = A.array.reshape((-1,) + A.shape[-2:])
    info = np.array([failed(m) for m in flat], dtype=np.int32).reshape(A.shape[:-2])
    ok = xp.asarray(info == 0)
    safe = xp.where(ok[..., None, None], A.array, xp.eye(A.shape[-1], dtype=A.dtype))
    with no_grad():
        y = compute(_make(safe))
    bad = ~ok.reshape(ok.shape + (1,) * (y.ndim - ok.ndim))
    return result_type(_make(xp.where(bad, xp.nan, y.array)), _make(xp.asarray(info)))


def _singular(m):
    """LAPACK's getrf info: the (1-based) index of the first exactly zero pivot of the
    LU factorisation with partial pivoting, 0 if none."""
    a = np.array(_host(m))
    for k in range(a.shape[0]):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        a[[k, p]] = a[[p, k]]
        if a[k, k] == 0:
            return k + 1
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return 0


def _host(a):
    return a if isinstance(a, (np.ndarray, np.generic)) else a.get()


def cholesky_ex(A, *, upper=False, check_errors=False):
    """(L, info): ``cholesky`` that reports failure in ``info`` (the order of the first
    leading minor that is not positive-definite, 0 if none) instead of raising; L is NaN
    where it failed (PyTorch leaves a partial factor there)."""
    _matrix(A, "linalg.cholesky_ex")

    return _ex(lambda X=A: cholesky.__wrapped__(X, upper=upper), A, CholeskyExResult,
               check_errors, lambda m: _ops.not_pd_order(_host(m)))


def inv_ex(A, *, check_errors=False):
    """(inverse, info): ``inv`` that reports a singular matrix in ``info`` (the index of
    the first zero pivot, as LAPACK's) instead of raising; NaN there."""
    _matrix(A, "linalg.inv_ex")
    return _ex(lambda X=A: inv.__wrapped__(X), A, InvExResult, check_errors, _singular)


def solve_ex(A, B, *, left=True, check_errors=False):
    """(result, info): ``solve`` that reports a singular A in ``info`` instead of raising."""
    _matrix(A, "linalg.solve_ex")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve_ex(): argument 'B' must be Tensor, not "
                        f"{type(B).__name__}")
    return _ex(lambda X=A: solve.__wrapped__(X, B, left=left), A, SolveExResult,
               check_errors, _singular)


def tensorinv(A, ind=2):
    """The inverse of A read as a linear map from its first ``ind`` axes' space to the
    rest's: shape A.shape[ind:] + A.shape[:ind]."""
    rows, cols = A.shape[:ind], A.shape[ind:]
    n, k = int(np.prod(rows)), int(np.prod(cols))
    if ind <= 0 or n != k:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) "
                           f"== prod(self.shape[:ind]), but got {k} != {n}")
    return inv(A.reshape(n, k)).reshape(*cols, *rows)


def tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, X.ndim) = B: A's last axes (after B's) are X's."""
    if dims is not None:
        axes = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in axes], *axes)
    xs = A.shape[B.ndim:]
    n = int(np.prod(B.shape))
    if A.shape[:B.ndim] != B.shape or int(np.prod(xs)) != n:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other."
                           f"ndim:]) == prod(self.shape[:other.ndim]), but got shapes "
                           f"{list(A.shape)} and {list(B.shape)}")
    return solve(A.reshape(n, n), B.reshape(n)).reshape(*xs)


def vander(x, *, N=None):
    """The Vandermonde matrix of the last axis of x: columns x⁰, x¹, …, x^(N−1)
    (increasing powers, as torch.linalg.vander; N = x.shape[-1] by default)."""
    if not isinstance(x, Tensor) or x.ndim == 0:
        raise RuntimeError("linalg.vander: x must be at least 1-dimensional")
    N = x.shape[-1] if N is None else N
    if N < 1:
        raise RuntimeError(f"N must be greater than 1, got {N}")
    columns = [x * 0 + 1]
    for _ in range(N - 1):
        columns.append(columns[-1] * x)
    return _stack(columns, -1)


def matrix_exp(A):
    """e^A = Σ Aᵏ/k!, by scaling and squaring: e^A = (e^(A/2ˢ))^(2ˢ) with ‖A/2ˢ‖₁ ≤ ½,
    e^(A/2ˢ) by its Taylor polynomial of degree 12 (error below 2·10⁻¹⁴ relative).
    Written with matmul, so its gradient and forward mode are those of the formula."""
    _matrix(A, "linalg.matrix_exp")
    norm1 = float(_host(array_module(A.array).abs(A.array).sum(-2).max())) if A.numel() else 0.0
    s = max(0, int(np.ceil(np.log2(norm1 / 0.5)))) if norm1 > 0.5 else 0
    X = A / (2 ** s) if s else A
    xp = array_module(A.array)
    eye = _make(xp.eye(A.shape[-1], dtype=A.dtype))
    E = eye + X / 12
    for k in range(11, 0, -1):        # Horner: I + X(I + X/2(I + … X/12))
        E = eye + matmul(X, E) / k
    for _ in range(s):
        E = matmul(E, E)
    return E


# -- LU ---------------------------------------------------------------------------------

LUFactorResult = namedtuple("linalg_lu_factor", ["LU", "pivots"])
LUResult = namedtuple("linalg_lu", ["P", "L", "U"])


@_with_out
def lu_factor(A, *, pivot=True):
    """(LU, pivots): A = P L U with partial pivoting, L (unit diagonal) and U packed in
    LU, pivots int32 1-based (LAPACK's getrf); differentiable for square A."""
    _matrix(A, "linalg.lu_factor")
    _pivoting(pivot)
    lu, piv, perm = _ops.lu_factor(A.array)
    return LUFactorResult(_ops.LuPart(lu, perm, 0).apply(A), _make(piv))


@_with_out
def lu(A, *, pivot=True):
    """(P, L, U) with A = P L U (square A: L, U differentiable)."""
    _matrix(A, "linalg.lu")
    _pivoting(pivot)
    lu, _, perm = _ops.lu_factor(A.array)
    return LUResult(_make(_ops.permutation(perm, A.dtype)),
                    _ops.LuPart(lu, perm, 1).apply(A), _ops.LuPart(lu, perm, 2).apply(A))


def _pivoting(pivot):
    if not pivot:
        raise NotSupportedError("PyTorch's torch.linalg.lu(pivot=False) is not in retrograd: "
                                "LU without pivoting is CUDA-only there; use pivot=True "
                                "(PyTorch compatibility: docs/pytorch.md)")


@_with_out
def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """X with A X = B (``adjoint``: Aᵀ X = B; ``left=False``: X A = B) from A's
    ``lu_factor``: triangular solves, differentiable in LU and B."""
    op = "linalg.lu_solve"
    _matrix(LU, op)
    xp = array_module(LU.array)
    n = LU.shape[-1]
    eye = _make(xp.eye(n, dtype=LU.dtype))
    L, U = _tril(LU, -1) + eye, _triu(LU)
    perm = _perm_from_pivots(pivots.array, n)
    if not left:                    # X A = B  ⇔  Aᵀ Xᵀ = Bᵀ
        return lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    if B.ndim < 2 or B.shape[-2] != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if not adjoint else 'A^H X = B'} ({n}x{n} and "
                           f"{'x'.join(map(str, B.shape[-2:]))})")
    P = _make(_ops.permutation(perm, LU.dtype))
    if adjoint:                     # Aᵀ = Uᵀ Lᵀ Pᵀ:  X = P L⁻ᵀ U⁻ᵀ B
        return matmul(P, solve(L.mT, solve(U.mT, B)))
    return solve(U, solve(L, matmul(P.mT, B)))     # X = U⁻¹ L⁻¹ Pᵀ B


def _perm_from_pivots(piv, m):
    """The row order (L U = A[perm]) that LAPACK's pivots describe."""
    xp = array_module(piv)
    flat = piv.reshape((-1, piv.shape[-1])).astype(np.int64) - 1
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, flat[:, j]]
        perm[rows, flat[:, j]] = top
    return perm.reshape(piv.shape[:-1] + (m,))


# -- the rest ----------------------------------------------------------------------------

def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal (``offset`` above it when > 0, below when < 0) over the axes dim1 and
    dim2, as the last axis (a copy; its gradient lands on that diagonal)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg.diagonal(): argument 'A' must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.diagonal: The input tensor A must have at least 2 "
                           f"dimensions.")
    d1, d2 = _dims((dim1, dim2), A.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    M = _to_end(A, (d1, d2))
    if offset > 0:
        M = M[..., :, offset:]
    elif offset < 0:
        M = M[..., -offset:, :]
    k = min(M.shape[-2], M.shape[-1])
    return _einsum("...ii->...i", M[..., :k, :k])


@_with_out
def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (operands broadcast)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"linalg.cross(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    return _products._cross(*pair(input, other, "linalg.cross"), dim, "linalg.cross")


vecdot = _with_out(vecdot)
multi_dot = _with_out(multi_dot)
matmul = _with_out(matmul)
outer = _with_out(outer)

# torch.linalg names retrograd does not have.
_MISSING = dict.fromkeys(
    ("lu_factor_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve", "householder_product"),
    "not in retrograd's linear algebra (inv, det, slogdet, solve, cholesky, qr, eigh, "
    "eig, svd, lu, pinv, lstsq, matrix_exp, norms are)")
__getattr__ = module_getattr(__name__, _MISSING)
