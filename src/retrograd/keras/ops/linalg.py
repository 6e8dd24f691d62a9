"""``keras.ops.linalg``: Keras 3's linear algebra on retrograd tensors (``cholesky``,
``det``, ``eigh``, ``inv``, ``lstsq``, ``norm``, ``qr``, ``solve``, ``solve_triangular``,
``svd``, ``pinv``, ``matrix_rank``, ``cholesky_inverse``, ``jvp``), all of them at the
top of ``keras.ops`` too, with ``ops.slogdet``, ``ops.logdet`` and ``ops.cdist``
(``ops.trapezoid`` is ``ops.numpy``'s). ``eig`` gives complex values without a gradient.

Each is a thin entry over ``retrograd.linalg`` (the ops and their gradients are in
``ops/linalg.py``), with Keras's names, defaults and dtypes: integer inputs become
float32, ``matrix_rank`` is int32, ``svd`` returns (u, s, vh) and only s without
``compute_uv``, decompositions return plain tuples. Errors are Keras's (a non-square
matrix: ``ValueError``; a failed Cholesky: ``ValueError`` "Cholesky decomposition
failed"; a singular matrix: ``retrograd.linalg.LinAlgError``, a ``RuntimeError``).
"""
from ... import autodiff
from ... import linalg as _linalg
from ...ops import products as _products
from ...tensor import Tensor
from ..missing import module_getattr as _module_getattr
from .numpy import _eager, _float

__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular",
           "svd"]
# keras.ops's own names for them (keras.ops.det is keras.ops.linalg.det) and a few more.
TOP_LEVEL = [*__all__, "slogdet", "logdet", "cdist"]


def _square(x, who):
    x = _float(x, who)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"keras.ops.{who}: Expected a square matrix. Received non-square "
                         f"input with shape {tuple(x.shape)}")
    return x


@_eager
def cholesky(x, upper=False):
    """L with x = L Lᵀ (``upper``: U = Lᵀ); not positive-definite: ValueError."""
    x = _square(x, "cholesky")
    try:
        return _linalg.cholesky(x, upper=upper)
    except _linalg.LinAlgError as e:
        raise ValueError(f"Cholesky decomposition failed: {e}") from None


@_eager
def cholesky_inverse(x, upper=False):
    """A⁻¹ from A's Cholesky factor x (lower, or upper with ``upper``): L⁻ᵀ L⁻¹."""
    x = _square(x, "cholesky_inverse")
    li = _linalg.inv(x.mT if upper else x)
    return li.mT @ li


@_eager
def det(x):
    """det x (batched)."""
    return _linalg.det(_square(x, "det"))


@_eager
def slogdet(x):
    """(sign, log|det x|)."""
    return tuple(_linalg.slogdet(_square(x, "slogdet")))


@_eager
def logdet(x):
    """log det x (NaN where det x < 0)."""
    return _linalg.logdet(_square(x, "logdet"))


@_eager
def eig(x):
    """(eigenvalues, eigenvectors) of a general square x, complex; values only (no
    gradient)."""
    return tuple(_linalg.eig(_square(x, "eig")))


@_eager
def eigh(x):
    """(eigenvalues ascending, eigenvectors) of symmetric x."""
    return tuple(_linalg.eigh(_square(x, "eigh")))


@_eager
def inv(x):
    """x⁻¹ (batched); singular: LinAlgError."""
    return _linalg.inv(_square(x, "inv"))


@_eager
def lstsq(a, b, rcond=None):
    """The least-squares solution of a x = b (b a vector or a matrix)."""
    a, b = _float(a, "lstsq"), _float(b, "lstsq")
    if b.dtype != a.dtype:
        b = b.to(dtype=a.dtype)
    return _linalg.lstsq(a, b, rcond).solution


@_eager
def lu_factor(x):
    """(lu, pivots): x = P L U with partial pivoting, L and U packed in lu, pivots int32
    0-based (row i was swapped with row pivots[i]), as Keras's (its torch backend
    subtracts 1 from LAPACK's 1-based pivots, to agree with JAX's)."""
    lu, pivots = _linalg.lu_factor(_square(x, "lu_factor"))
    return lu, pivots - 1


@_eager
def matrix_rank(x, tol=None):
    """The number of singular values above ``tol`` (PyTorch's default tolerance
    otherwise), int32."""
    x = _float(x, "matrix_rank")
    return _linalg.matrix_rank(x, atol=tol).to(dtype="int32")


@_eager
def norm(x, ord=None, axis=None, keepdims=False):
    """A vector norm (``axis`` an int, or a 1-D x) or a matrix norm (``axis`` a pair, or
    a 2-D x with ``ord``); without ord and axis, the 2-norm of all elements."""
    return _linalg.norm(_float(x, "norm"), ord, axis, keepdims)


@_eager
def pinv(x, rcond=None):
    """The pseudo-inverse, singular values below rcond·σ_max counted as 0."""
    return _linalg.pinv(_float(x, "pinv"), rtol=rcond)


@_eager
def qr(x, mode="reduced"):
    """(q, r) with x = q r; ``mode`` 'reduced' or 'complete'."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` argument value not supported. Expected one of "
                         f"{{'reduced', 'complete'}}. Received: mode={mode}")
    return tuple(_linalg.qr(_float(x, "qr"), mode))


def _operands(a, b, who):
    a, b = _float(a, who), _float(b, who)
    return a, b if b.dtype == a.dtype else b.to(dtype=a.dtype)


@_eager
def solve(a, b):
    """x with a x = b (b a vector or a matrix, as torch.linalg.solve)."""
    return _linalg.solve(*_operands(a, b, "solve"))


@_eager
def solve_triangular(a, b, lower=False):
    """x with a x = b, reading a's lower (``lower=True``) or upper triangle."""
    a, b = _operands(a, b, "solve_triangular")
    vector = b.ndim == a.ndim - 1
    x = _linalg.solve_triangular(a, b.unsqueeze(-1) if vector else b, upper=not lower)
    return x.squeeze(-1) if vector else x


@_eager
def svd(x, full_matrices=True, compute_uv=True):
    """(u, s, vh) with x = u diag(s) vh; only s without ``compute_uv``."""
    x = _float(x, "svd")
    if not compute_uv:
        return _linalg.svdvals(x)
    return tuple(_linalg.svd(x, full_matrices))


@_eager
def cdist(x, y):
    """The Euclidean distance between each row of x and each row of y."""
    x, y = _operands(x, y, "cdist")
    return _products.cdist(x, y)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward mode: (fun(*primals), the directional derivative along ``tangents``)
    (and fun's auxiliary output with ``has_aux``: fun returns (output, aux))."""
    aux = []

    def f(*xs):
        out = fun(*xs)
        if has_aux:
            out, extra = out
            aux.append(extra)
        return out
    primals = [p if isinstance(p, Tensor) else _float(p, "jvp") for p in primals]
    y, dy = autodiff.jvp(f, primals, [_float(t, "jvp") for t in tangents])
    return (y, dy, aux[0]) if has_aux else (y, dy)


# Keras 3 names retrograd lacks raise NotSupportedError naming them.
__getattr__ = _module_getattr(__name__)
