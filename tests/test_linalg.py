"""torch.linalg, the products (tensordot, addmm, kron, cross, cdist…) and keras.ops.linalg.

Each case is one lambda ``f(m, *tensors)`` written once and run with ``m`` = retrograd
and ``m`` = torch (values and gradients, float64 and float32), and in retrograd against
finite differences and forward mode. Inputs are well-conditioned random matrices
(a decomposition's output is reduced by a sign-invariant function where LAPACK may pick
either sign of a vector)."""
import os

import numpy as np
import pytest

import retrograd as rg
from retrograd import linalg as rl

from harness import check_grad, check_jvp

torch = pytest.importorskip("torch", reason="the oracle of these tests is PyTorch")
os.environ.setdefault("KERAS_BACKEND", "torch")
try:   # imported with the module (as the other Keras parity tests do), not in a test
    import keras  # noqa: F401
except ImportError:   # test_keras_ops_linalg_against_keras then skips
    pass

R = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """PyTorch on one thread for these small matrices: its thread pool costs ~10× the
    work on a shared 2-core machine (1.4 s instead of 0.1 s for the table below)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def mat(*shape):
    """A well-conditioned square matrix (batch): random + n·I."""
    n = shape[-1]
    return R.standard_normal(shape) + n * np.eye(n)


def rnd(*shape):
    return R.standard_normal(shape)


def spd(m, A):
    """A symmetric positive-definite matrix made from A (any square A)."""
    n = A.shape[-1]
    return A @ A.mT + n * m.eye(n, dtype=A.dtype, device=A.device)


def sym(m, A):
    return A + A.mT


# name, f(m, *xs), inputs, options ("jvp": False where forward mode is not checked)
CASES = [
    ("inv", lambda m, A: m.linalg.inv(A), [mat(3)]),
    ("inv batched", lambda m, A: m.linalg.inv(A), [mat(2, 3, 3)]),
    ("inverse", lambda m, A: m.inverse(A) + A.inverse(), [mat(3)]),
    ("det", lambda m, A: m.linalg.det(A), [mat(2, 3, 3)]),
    ("det method", lambda m, A: A.det() * m.det(A), [mat(3)]),
    ("slogdet", lambda m, A: m.linalg.slogdet(A).logabsdet * m.linalg.slogdet(A).sign,
     [mat(2, 3, 3)]),
    ("logdet", lambda m, A: m.logdet(spd(m, A)), [mat(3)]),
    ("solve", lambda m, A, B: m.linalg.solve(A, B), [mat(3), rnd(3, 2)]),
    ("solve vector", lambda m, A, b: m.linalg.solve(A, b), [mat(3), rnd(3)]),
    ("solve batch-vector", lambda m, A, b: m.linalg.solve(A, b), [mat(2, 3, 3), rnd(2, 3)]),
    ("solve broadcast", lambda m, A, B: m.linalg.solve(A, B), [mat(3), rnd(2, 3, 2)]),
    ("solve left=False", lambda m, A, B: m.linalg.solve(A, B, left=False),
     [mat(3), rnd(2, 3)]),
    ("solve_triangular", lambda m, A, B: m.linalg.solve_triangular(A, B, upper=True),
     [mat(3), rnd(3, 2)]),
    ("solve_triangular unit", lambda m, A, B: m.linalg.solve_triangular(
        A, B, upper=False, unitriangular=True, left=False), [mat(3), rnd(2, 3)]),
    ("cholesky", lambda m, A: m.linalg.cholesky(spd(m, A)), [rnd(2, 3, 3)]),
    ("cholesky upper", lambda m, A: m.linalg.cholesky(spd(m, A), upper=True), [rnd(3, 3)]),
    ("qr", lambda m, A: m.linalg.qr(A).Q * 2 + m.linalg.qr(A).R.sum(), [rnd(4, 3)]),
    ("qr R", lambda m, A: m.linalg.qr(A)[1], [rnd(2, 4, 3)]),
    ("qr wide", lambda m, A: m.linalg.qr(A).Q.sum() + m.linalg.qr(A).R, [rnd(3, 5)]),
    ("qr complete square", lambda m, A: m.linalg.qr(A, mode="complete").Q, [rnd(3, 3)]),
    ("eigh values", lambda m, A: m.linalg.eigh(sym(m, A)).eigenvalues, [rnd(2, 4, 4)]),
    ("eigh vectors", lambda m, A: m.linalg.eigh(sym(m, A)).eigenvectors ** 2, [rnd(4, 4)]),
    ("eigh both", lambda m, A: (lambda w, V: (V * w.unsqueeze(-2)) @ V.mT)(
        *m.linalg.eigh(sym(m, A), UPLO="U")), [rnd(3, 3)]),
    ("eigvalsh", lambda m, A: m.linalg.eigvalsh(sym(m, A)), [rnd(3, 3)]),
    ("svd values", lambda m, A: m.linalg.svd(A).S, [rnd(2, 4, 3)]),
    ("svdvals", lambda m, A: m.linalg.svdvals(A), [rnd(3, 5)]),
    ("svd U", lambda m, A: m.linalg.svd(A, full_matrices=False).U ** 2, [rnd(5, 3)]),
    ("svd Vh", lambda m, A: m.linalg.svd(A, full_matrices=False).Vh ** 2, [rnd(2, 3, 5)]),
    ("svd U wide", lambda m, A: m.linalg.svd(A, full_matrices=False).U ** 2, [rnd(3, 5)]),
    ("svd Vh tall", lambda m, A: m.linalg.svd(A, full_matrices=False).Vh ** 2, [rnd(5, 3)]),
    ("svd product", lambda m, A: (lambda U, S, Vh: U[..., :, :1] * Vh[..., :1, :] * S[0])(
        *m.linalg.svd(A, full_matrices=False)), [rnd(4, 3)]),
    ("torch.svd", lambda m, A: (lambda U, S, V: U @ V.mT * S.sum())(*m.svd(A)), [rnd(4, 3)]),
    ("pinv", lambda m, A: m.linalg.pinv(A), [rnd(4, 3)]),
    ("pinv hermitian", lambda m, A: m.linalg.pinv(spd(m, A), hermitian=True), [rnd(3, 3)]),
    ("matrix_power 3", lambda m, A: m.linalg.matrix_power(A, 3), [rnd(3, 3)]),
    ("matrix_power -2", lambda m, A: m.linalg.matrix_power(A, -2), [mat(3)]),
    ("matrix_power 0", lambda m, A: m.linalg.matrix_power(A, 0), [rnd(2, 3, 3)]),
    ("lstsq", lambda m, A, B: m.linalg.lstsq(A, B).solution, [rnd(5, 3), rnd(5, 2)]),
    ("lstsq vector", lambda m, A, b: m.linalg.lstsq(A, b).solution, [rnd(5, 3), rnd(5)]),
    ("cond", lambda m, A: m.linalg.cond(A), [mat(3)]),
    ("cond wide", lambda m, A: m.linalg.cond(A), [rnd(2, 3, 5)]),
    ("norm", lambda m, x: m.linalg.norm(x), [rnd(3, 4)]),
    ("norm vector ord", lambda m, x: m.linalg.norm(x, 3), [rnd(5)]),
    ("norm dim", lambda m, x: m.linalg.norm(x, dim=1, keepdim=True), [rnd(3, 4)]),
    ("norm inf", lambda m, x: m.linalg.norm(x, float("inf"), dim=0), [rnd(3, 4)]),
    ("norm fro", lambda m, x: m.linalg.norm(x, "fro"), [rnd(3, 4)]),
    ("norm nuc", lambda m, x: m.linalg.norm(x, "nuc"), [rnd(3, 4)]),
    ("norm 2", lambda m, x: m.linalg.norm(x, 2), [rnd(3, 4)]),
    ("norm -2", lambda m, x: m.linalg.norm(x, -2), [rnd(3, 4)]),
    ("norm 1", lambda m, x: m.linalg.norm(x, 1), [rnd(3, 4)]),
    ("norm -inf", lambda m, x: m.linalg.norm(x, -float("inf")), [rnd(3, 4)]),
    ("matrix_norm dims", lambda m, x: m.linalg.matrix_norm(x, 1, dim=(0, 2), keepdim=True),
     [rnd(3, 2, 4)]),
    ("matrix_norm nuc dims", lambda m, x: m.linalg.matrix_norm(x, "nuc", dim=(2, 0)),
     [rnd(3, 2, 4)]),
    ("vector_norm", lambda m, x: m.linalg.vector_norm(x, 0.5, dim=(0, 2)), [rnd(3, 2, 4)]),
    ("vector_norm -inf", lambda m, x: m.linalg.vector_norm(x, -float("inf"), dim=-1),
     [rnd(3, 4)]),
    ("vector_norm 1", lambda m, x: m.linalg.vector_norm(x, 1), [rnd(3, 4)]),
    ("matrix_exp", lambda m, A: m.linalg.matrix_exp(A), [rnd(2, 3, 3) * 2]),
    ("matrix_exp small", lambda m, A: m.linalg.matrix_exp(A * 0.1), [rnd(3, 3)]),
    ("vander", lambda m, x: m.linalg.vander(x, N=4), [rnd(2, 3)]),
    ("tensorinv", lambda m, A: m.linalg.tensorinv(A.reshape(3, 3, 1), ind=1), [mat(3)]),
    ("tensorsolve", lambda m, A, B: m.linalg.tensorsolve(A.reshape(2, 3, 3, 2), B),
     [mat(6), rnd(2, 3)]),
    ("lu_factor", lambda m, A: m.linalg.lu_factor(A).LU, [rnd(2, 3, 3)]),
    ("lu", lambda m, A: (lambda P, L, U: P @ L * 2 + U)(*m.linalg.lu(A)), [rnd(3, 3)]),
    ("lu_solve", lambda m, A, B: (lambda LU, piv: m.linalg.lu_solve(LU, piv, B)
                                  + m.linalg.lu_solve(LU, piv, B, adjoint=True)
                                  + m.linalg.lu_solve(LU, piv, B.mT, left=False).mT)(
        *m.linalg.lu_factor(A)), [mat(2, 3, 3), rnd(3, 2)]),
    ("cholesky_inverse", lambda m, A: m.cholesky_inverse(m.linalg.cholesky(spd(m, A)))
     + m.linalg.cholesky(spd(m, A), upper=True).cholesky_inverse(upper=True), [rnd(3, 3)]),
    ("cholesky_solve", lambda m, A, B: m.cholesky_solve(B, m.linalg.cholesky(spd(m, A)))
     + B.cholesky_solve(m.linalg.cholesky(spd(m, A), upper=True), True), [rnd(3, 3),
                                                                           rnd(3, 2)]),
    ("matrix_exp method", lambda m, A: m.matrix_exp(A) + A.matrix_exp(), [rnd(3, 3)]),
    ("ger vdot method", lambda m, a, b: m.ger(a, b) * a.vdot(a), [rnd(3), rnd(2)]),
    ("Tensor.norm", lambda m, x: x.norm() + x.norm(3, dim=1).sum() + m.norm(x, "nuc")
     + x.norm("fro", dim=(0, 1)) + m.norm(x, float("inf"), 0, True).sum(), [rnd(3, 4)]),
    ("diagonal", lambda m, A: m.linalg.diagonal(A, offset=1, dim1=0, dim2=2), [rnd(3, 2, 4)]),
    ("vecdot", lambda m, x, y: m.linalg.vecdot(x, y), [rnd(2, 3), rnd(3)]),
    ("multi_dot", lambda m, a, B, C, d: m.linalg.multi_dot([a, B, C, d]),
     [rnd(3), rnd(3, 4), rnd(4, 2), rnd(2)]),
    ("multi_dot matrices", lambda m, A, B, C: m.linalg.multi_dot([A, B, C]),
     [rnd(2, 5), rnd(5, 1), rnd(1, 4)]),
    ("chain_matmul", lambda m, A, B: m.chain_matmul(A, B), [rnd(2, 5), rnd(5, 3)]),
    ("linalg.cross", lambda m, a, b: m.linalg.cross(a, b), [rnd(2, 3), rnd(1, 3)]),
    ("cross dim", lambda m, a, b: m.cross(a, b, dim=0), [rnd(3, 2), rnd(3, 2)]),
    ("tensordot int", lambda m, a, b: m.tensordot(a, b, dims=2), [rnd(2, 3, 4), rnd(3, 4, 2)]),
    ("tensordot lists", lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [2, 0])),
     [rnd(2, 3, 4), rnd(4, 5, 2)]),
    ("inner", lambda m, a, b: m.inner(a, b) + a.inner(b), [rnd(2, 3), rnd(4, 3)]),
    ("vdot", lambda m, a, b: m.vdot(a, b), [rnd(4), rnd(4)]),
    ("mv", lambda m, A, v: m.mv(A, v) + A.mv(v), [rnd(2, 3), rnd(3)]),
    ("addmm", lambda m, c, A, B: m.addmm(c, A, B, beta=0.5, alpha=2) + c.addmm(A, B),
     [rnd(3), rnd(2, 4), rnd(4, 3)]),
    ("addmv", lambda m, c, A, v: m.addmv(c, A, v, alpha=3) + c.addmv(A, v, beta=2),
     [rnd(2), rnd(2, 4), rnd(4)]),
    ("addr", lambda m, c, a, b: m.addr(c, a, b, beta=2) + c.addr(a, b), [rnd(2, 3), rnd(2),
                                                                       rnd(3)]),
    ("baddbmm", lambda m, c, A, B: m.baddbmm(c, A, B, alpha=0.5) + c.baddbmm(A, B, beta=0),
     [rnd(1, 2, 3), rnd(2, 2, 4), rnd(2, 4, 3)]),
    ("addbmm", lambda m, c, A, B: m.addbmm(c, A, B) + c.addbmm(A, B, beta=-1),
     [rnd(2, 3), rnd(2, 2, 4), rnd(2, 4, 3)]),
    ("kron", lambda m, a, b: m.kron(a, b) + a.kron(b), [rnd(2, 3), rnd(2, 1, 2)]),
    ("cdist", lambda m, a, b: m.cdist(a, b), [rnd(2, 3, 4), rnd(2, 5, 4)]),
    ("cdist mm", lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
     [rnd(2, 3, 4), rnd(5, 4)]),
    ("cdist big", lambda m, a, b: m.cdist(a, b), [rnd(27, 2), rnd(3, 2)]),
    ("cdist p", lambda m, a, b: m.cdist(a, b, p=1.5) + m.cdist(a, b, p=float("inf")),
     [rnd(3, 4), rnd(2, 4)]),
    ("dist", lambda m, a, b: m.dist(a, b, 3) + a.dist(b), [rnd(2, 3), rnd(3)]),
    ("trapezoid", lambda m, y, x: m.trapezoid(y, x) + m.trapezoid(y, dx=0.5, dim=0).sum(),
     [rnd(3, 4), np.sort(rnd(4))]),
    ("trapz", lambda m, y: m.trapz(y, dim=0), [rnd(3, 4)]),
    ("cumulative_trapezoid", lambda m, y, x: m.cumulative_trapezoid(y, x, dim=0),
     [rnd(4, 2), rnd(4, 2)]),
]


def _run(m, f, arrays, dtype):
    ts = [m.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    y = f(m, *ts)
    return ts, y


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
def test_against_pytorch_values_gradients_dtypes():
    """Every case: the same values, gradients and dtypes as PyTorch, float64 and float32."""
    failures = []
    for name, f, arrays in CASES:
        for dtype, tol in ((np.float64, 1e-7), (np.float32, 2e-4)):
            try:
                ours, y = _run(rg, f, arrays, dtype)
                theirs, yt = _run(torch, f, arrays, dtype)
                assert y.dtype == dtype, (y.dtype, dtype)
                assert tuple(y.shape) == tuple(yt.shape), (y.shape, yt.shape)
                np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
                v = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
                y.backward(rg.tensor(v))
                yt.backward(torch.tensor(v))
                for a, b in zip(ours, theirs):
                    ga = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
                    gb = np.zeros(a.shape) if b.grad is None else b.grad.numpy()
                    assert a.grad is None or a.grad.dtype == dtype
                    np.testing.assert_allclose(ga, gb, rtol=tol * 10, atol=tol * 10)
            except (AssertionError, RuntimeError, ValueError, TypeError) as e:
                failures.append(f"{name} {np.dtype(dtype).name}: {type(e).__name__} {e}")
    assert not failures, "\n".join(failures)


NO_JVP = {"matrix_power 0"}   # zeros: nothing to compare


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
def test_finite_differences_and_forward_mode():
    """float64: backward against central differences, forward mode against reverse."""
    failures = []
    for name, f, arrays in CASES:
        g = (lambda f: lambda *xs: f(rg, *xs))(f)
        try:
            check_grad(g, *arrays, atol=1e-5, rtol=1e-4)
            if name not in NO_JVP:
                check_jvp(g, *arrays, rtol=1e-6, atol=1e-8)
        except (AssertionError, RuntimeError, ValueError, TypeError) as e:
            failures.append(f"{name}: {type(e).__name__} {e}")
    assert not failures, "\n".join(failures)


def _error(f):
    try:
        f()
    except Exception as e:   # noqa: BLE001  (the type is what is compared)
        return e
    return None


def test_errors_as_pytorch():
    """Singular → LinAlgError (a RuntimeError) naming the op and the batch element;
    bad shapes and dtypes: PyTorch's error types, messages naming what was seen."""
    sing = np.stack([np.eye(2), np.ones((2, 2))])
    cases = [
        (lambda m: m.linalg.inv(m.tensor(sing)), "Batch element 1"),
        (lambda m: m.linalg.inv(m.ones(2, 2)), "singular"),
        (lambda m: m.linalg.solve(m.ones(2, 2), m.ones(2)), "singular"),
        (lambda m: m.linalg.cholesky(m.tensor(np.stack([np.eye(2), -np.eye(2)]))),
         "(Batch element 1): The factorization could not be completed because the input is "
         "not positive-definite (the leading minor of order 1 is not positive-definite)."),
        (lambda m: m.linalg.inv(m.ones(2, 3)), "2 by 3 matrices"),
        (lambda m: m.linalg.det(m.ones(3)), "at least 2 dimensions"),
        (lambda m: m.linalg.det(m.ones(3, 3, dtype=m.int32)), "Got Int"),
        (lambda m: m.linalg.solve(m.eye(3), m.ones(2, 3)), "(3x3 and 2x3)"),
        (lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64)), "same dtype"),
        (lambda m: m.linalg.norm(m.ones(2, 3, 4), 2), "must be 1D or 2D"),
        (lambda m: m.linalg.norm(m.ones(3), "fro"), "at least 2 dimensions"),
        (lambda m: m.linalg.vector_norm(m.ones(2, 2), dim=2), "Dimension out of range"),
        (lambda m: m.linalg.matrix_norm(m.ones(2, 2), dim=(0, 2)), "Dimension out of range"),
        (lambda m: m.linalg.vector_norm(m.ones(0), float("inf")), "empty tensor"),
        (lambda m: m.linalg.matrix_norm(m.ones(2, 3), 3), "Order 3 not supported"),
        (lambda m: m.linalg.vector_norm(m.ones(2), "fro"), "must be Number"),
        (lambda m: m.linalg.qr(m.eye(2), mode="x"), "unrecognized mode"),
        (lambda m: m.linalg.eigh(m.eye(2), UPLO="X"), "'L' or 'U'"),
        (lambda m: m.linalg.cross(m.ones(3, 2), m.ones(3, 2)), "must have length 3"),
        (lambda m: m.cdist(m.ones(3, 2), m.ones(3, 3)), "same number of columns"),
        (lambda m: m.tensordot(m.ones(3, 2), m.ones(3, 3), dims=1), "need to match"),
        (lambda m: m.mv(m.ones(3, 2), m.ones(3)), "size mismatch"),
        (lambda m: m.vdot(m.ones(3, 2), m.ones(3)), "1D tensors expected"),
        (lambda m: m.addmm(m.ones(3), m.ones(3, 2), m.ones(3, 3)), "cannot be multiplied"),
        (lambda m: m.linalg.multi_dot([m.ones(2, 3)]), "at least 2 tensors"),
        (lambda m: m.linalg.matrix_power(m.ones(2, 3), 2), "square matrices"),
    ]
    for f, text in cases:
        ours, theirs = _error(lambda: f(rg)), _error(lambda: f(torch))
        assert theirs is not None and ours is not None, (text, theirs, ours)
        assert isinstance(ours, type(theirs).__mro__[1] if type(theirs).__name__ ==
                          "_LinAlgError" else type(theirs)), (text, theirs, ours)
        assert text in str(ours), (text, str(ours))
        if type(theirs).__name__ == "_LinAlgError":
            assert isinstance(ours, rl.LinAlgError) and isinstance(ours, RuntimeError)
            assert str(ours).split(":")[0] in str(theirs).split(":")[0], (ours, theirs)


def test_results_are_pytorchs_named_tuples():
    A = np.array([[4.0, 1.0], [1.0, 3.0]])
    for name, f in [("slogdet", lambda m, a: m.linalg.slogdet(a)),
                    ("qr", lambda m, a: m.linalg.qr(a)), ("eigh", lambda m, a: m.linalg.eigh(a)),
                    ("svd", lambda m, a: m.linalg.svd(a)), ("torch.svd", lambda m, a: m.svd(a)),
                    ("lstsq", lambda m, a: m.linalg.lstsq(a, a)),
                    ("qr r", lambda m, a: m.linalg.qr(a, mode="r")),
                    ("cholesky_ex", lambda m, a: m.linalg.cholesky_ex(m.stack([a, -a]))),
                    ("inv_ex", lambda m, a: m.linalg.inv_ex(m.stack([a, a * 0]))),
                    ("solve_ex", lambda m, a: m.linalg.solve_ex(m.stack([a, a * 0]), a))]:
        ours, theirs = f(rg, rg.tensor(A)), f(torch, torch.tensor(A))
        assert len(ours) == len(theirs), name
        if name.endswith("_ex"):
            assert ours.info.tolist() == theirs.info.tolist(), name
            assert ours.info[0].item() == 0 < ours.info[1].item(), name
        for a, b in zip(ours, [getattr(theirs, field) for field in ours._fields]):
            assert tuple(a.shape) == tuple(b.shape), (name, a.shape, b.shape)
            assert a.dtype.name == str(b.dtype).split(".")[1], (name, a.dtype, b.dtype)
            if name.endswith("_ex"):   # NaN where it failed (PyTorch: a partial result)
                a, b = a[:1], b[:1]
            if name != "lstsq" or a.ndim:
                np.testing.assert_allclose(np.abs(a.numpy()), np.abs(b.numpy()), atol=1e-12)
    assert rg.linalg.matrix_rank(rg.tensor(np.ones((3, 3)))).item() == 1
    assert rg.linalg.matrix_rank(rg.eye(3)).dtype == np.int64
    tall, rhs = R.standard_normal((2, 5, 3)), R.standard_normal((2, 5, 2))
    for driver in (None, "gels", "gelsy", "gelsd", "gelss"):   # the extras per driver
        ours = rg.linalg.lstsq(rg.tensor(tall), rg.tensor(rhs), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(tall), torch.tensor(rhs), driver=driver)
        for field in ours._fields:
            a, b = getattr(ours, field).numpy(), getattr(theirs, field).numpy()
            assert a.shape == b.shape and a.dtype == b.dtype, (driver, field, a.shape, b.shape)
            np.testing.assert_allclose(a, b, atol=1e-10)
    with pytest.raises(RuntimeError, match="driver"):
        rg.linalg.lstsq(rg.tensor(tall), rg.tensor(rhs), driver="gelsx")
    sing = np.stack([np.ones((3, 3)), np.eye(3)])    # a singular matrix's cond: inf
    for p in ("fro", "nuc", 1, float("inf")):   # (PyTorch cannot differentiate these)
        np.testing.assert_array_equal(rg.linalg.cond(rg.tensor(sing), p).numpy(),
                                      torch.linalg.cond(torch.tensor(sing), p).numpy())


def test_gradients_at_zero_and_at_singular_points_are_pytorchs():
    """‖0‖, cdist between equal points (GEMM path too) and det of a zero matrix:
    finite gradients equal to PyTorch's (0 where a distance or norm is 0). At a singular
    A of rank n − 1, det's gradient is adj(A)ᵀ, the true derivative (finite differences),
    where PyTorch's det·A⁻ᵀ gives 0."""
    S = np.array([[1.0, 2.0], [2.0, 4.0]])
    A = rg.tensor(S, requires_grad=True)
    rg.linalg.det(A).backward()
    np.testing.assert_allclose(A.grad.numpy(), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    check_grad(lambda a: rg.linalg.det(a), S)
    x = np.array([[1.0, 2.0], [1.0, 2.0], [0.5, 0.1]])
    y = np.array([[1.0, 2.0], [3.0, 1.0]])
    cases = [
        (lambda m, a: m.linalg.norm(a * 0), [x]),
        (lambda m, a: m.linalg.vector_norm(a * 0, 3), [x]),
        (lambda m, a: m.linalg.vector_norm(a * (a > 0.7), 0.5, dim=()), [x]),   # some 0s
        (lambda m, a, b: m.cdist(a, b), [x, y]),
        (lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), [x, y]),
        (lambda m, a: m.cdist(a, a, compute_mode="use_mm_for_euclid_dist"),
         [R.standard_normal((30, 3)) * 100]),
        (lambda m, a: m.linalg.det(a), [np.zeros((3, 3))]),
        # rank 1 of 3: PyTorch's pinv derivative (the SVD's would be 0/0 = NaN)
        (lambda m, a: m.linalg.pinv(a), [np.outer(np.arange(1.0, 7.0), [1.0, 0.0, 2.0])]),
        (lambda m, a, b: m.linalg.lstsq(a, b).solution,
         [np.outer(np.arange(1.0, 7.0), [1.0, 0.0, 2.0]), np.ones((6, 2))]),
    ]
    for f, arrays in cases:
        ours, y1 = _run(rg, f, arrays, np.float64)
        theirs, y2 = _run(torch, f, arrays, np.float64)
        np.testing.assert_allclose(y1.numpy(), y2.detach().numpy(), atol=1e-5)
        y1.sum().backward()
        y2.sum().backward()
        for a, b in zip(ours, theirs):
            assert np.isfinite(a.grad.numpy()).all()
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-7)


def test_out_and_methods():
    A = rg.tensor(mat(3))
    out = rg.empty(3, 3, dtype=rg.float64)
    assert rg.linalg.inv(A, out=out) is out
    np.testing.assert_allclose(out.numpy(), np.linalg.inv(A.numpy()))
    n = rg.empty(0, dtype=rg.float64)
    rg.linalg.norm(A, out=n)
    assert n.shape == () and np.isclose(n.item(), np.linalg.norm(A.numpy()))
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        rg.linalg.inv(rg.tensor(mat(3), requires_grad=True), out=rg.empty(3, 3))
    t = rg.tensor(mat(2, 3, 3))
    for name in ("inverse", "det", "logdet", "pinverse"):
        np.testing.assert_allclose(getattr(t, name)().numpy(),
                                   getattr(torch.tensor(t.numpy()), name)().numpy(), atol=1e-10)
    c, M1, M2 = rnd(2, 3), rnd(2, 4), rnd(4, 3)
    ours, theirs = rg.tensor(c), torch.tensor(c)
    for x, m in ((ours, rg), (theirs, torch)):
        assert x.addmm_(m.tensor(M1), m.tensor(M2), beta=2, alpha=0.5) is x
        x.addr_(m.tensor(M1[:, 0]), m.tensor(M2[0]))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    C = np.eye(2) * (1 + 1j)                      # complex: values yes, gradients no
    np.testing.assert_allclose(rg.linalg.inv(rg.tensor(C)).numpy(), np.linalg.inv(C))
    with pytest.raises(rg.NotSupportedError, match="complex"):
        rg.linalg.inv(rg.tensor(C, requires_grad=True))
    assert not hasattr(rg.linalg, "householder_product")
    with pytest.raises(rg.NotSupportedError, match="torch.linalg.householder_product"):
        rg.linalg.householder_product(t)
    A = rg.tensor(rnd(2, 3, 3), requires_grad=True)       # eig: PyTorch's complex values
    for a, b in zip(rg.linalg.eig(A), torch.linalg.eig(torch.tensor(A.numpy()))):
        assert a.dtype == np.complex128
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-10)
    np.testing.assert_allclose(rg.linalg.eigvals(A).numpy(),
                               torch.linalg.eigvals(torch.tensor(A.numpy())).numpy())
    with pytest.raises(rg.NotSupportedError, match="linalg.eig: the gradient"):
        rg.linalg.eigvals(A).abs().sum().backward()


def test_device_loop(device):
    """Every op on each device (fake-cuda: NumPy posing as CuPy, host/device strict)."""
    A = rg.tensor(mat(2, 3, 3), device=device, requires_grad=True)
    B = rg.tensor(rnd(2, 3, 2), device=device, requires_grad=True)
    x = rg.tensor(rnd(4, 3), device=device, requires_grad=True)
    L = rg.linalg
    outs = [L.inv(A), L.det(A), L.slogdet(A).logabsdet, L.solve(A, B),
            L.cholesky(spd(rg, A)), L.qr(A).R, L.eigh(sym(rg, A)).eigenvalues,
            L.svd(A).S, L.pinv(x), L.lstsq(x, x).solution, L.norm(A), L.matrix_norm(A, "nuc"),
            L.matrix_power(A, 2), rg.cdist(x, x), rg.cdist(x, x, compute_mode=
                                                               "use_mm_for_euclid_dist"),
            rg.kron(x, x), rg.tensordot(x, x, ([0], [0])), rg.cross(x[:, :3], x[:, :3], dim=1),
            L.eigh(sym(rg, A)).eigenvectors ** 2, L.svd(A).U ** 2, L.matrix_exp(A),
            L.lu_factor(A).LU, L.lu_solve(*L.lu_factor(A), B), L.cholesky_ex(A).L.nan_to_num(),
            L.vander(x), L.multi_dot([x, x.mT, x])]
    total = sum(o.sum() for o in outs)
    total.backward()
    assert A.grad.device == device and np.isfinite(A.grad.numpy()).all()
    assert x.grad.device == device
    with pytest.raises(rl.LinAlgError, match="Batch element 1"):
        L.inv(rg.tensor(np.stack([np.eye(2), np.ones((2, 2))]), device=device))
    if device == "cpu":
        assert L.eigvals(A).device == "cpu"
    else:   # the fake has no cupy.linalg.eig, as CuPy before 14
        with pytest.raises(rg.NotSupportedError, match="linalg.eig: cupy"):
            L.eigvals(A)


def test_tutorial_least_squares_as_pytorch():
    """The normal equations of a linear regression, torch.linalg.solve(XᵀX, Xᵀy), and the
    same fit by lstsq and pinv: PyTorch's numbers."""
    def fit(m):
        m.manual_seed(0)
        X = m.tensor(R2.standard_normal((20, 3)), dtype=m.float32)
        w_true = m.tensor([[1.5], [-2.0], [0.5]])
        y = X @ w_true + 0.01 * m.tensor(R2.standard_normal((20, 1)), dtype=m.float32)
        w = m.linalg.solve(X.T @ X, X.T @ y)
        return w, m.linalg.lstsq(X, y).solution, m.linalg.pinv(X) @ y
    R2 = np.random.default_rng(5)
    ours = fit(rg)
    R2 = np.random.default_rng(5)
    theirs = fit(torch)
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours[0].numpy().ravel(), [1.5, -2.0, 0.5], atol=0.02)


# -- keras.ops.linalg against real Keras 3 (PyTorch backend) -----------------------------

KERAS_CASES = [   # f(ops, *xs); the arrays given as float32 (Keras's default)
    ("det", lambda o, a: o.det(a) + o.linalg.det(a), [mat(2, 3, 3)]),
    ("inv", lambda o, a: o.linalg.inv(a), [mat(3)]),
    ("solve", lambda o, a, b: o.solve(a, b), [mat(3), rnd(3, 2)]),
    ("solve vector", lambda o, a, b: o.linalg.solve(a, b), [mat(3), rnd(3)]),
    ("solve_triangular", lambda o, a, b: o.solve_triangular(a, b, lower=True),
     [mat(3), rnd(3)]),
    ("solve_triangular upper", lambda o, a, b: o.linalg.solve_triangular(a, b),
     [mat(3), rnd(3, 2)]),
    ("cholesky", lambda o, a: o.cholesky(a @ o.transpose(a) + 3 * o.eye(3)), [rnd(3, 3)]),
    ("cholesky upper", lambda o, a: o.linalg.cholesky(a @ o.transpose(a) + 3 * o.eye(3),
                                                      upper=True), [rnd(3, 3)]),
    ("cholesky_inverse", lambda o, a: o.linalg.cholesky_inverse(
        o.cholesky(a @ o.transpose(a) + 3 * o.eye(3))), [rnd(3, 3)]),
    ("eigh", lambda o, a: o.eigh(a + o.transpose(a))[0], [rnd(3, 3)]),
    ("eigh vectors", lambda o, a: o.linalg.eigh(a + o.transpose(a))[1] ** 2, [rnd(3, 3)]),
    ("qr", lambda o, a: o.qr(a)[1] + o.sum(o.linalg.qr(a)[0]), [rnd(4, 3)]),
    ("qr complete", lambda o, a: o.qr(a, mode="complete")[1], [rnd(3, 3)]),
    ("svd", lambda o, a: o.svd(a)[1], [rnd(4, 3)]),
    ("svd no uv", lambda o, a: o.linalg.svd(a, compute_uv=False), [rnd(2, 3, 4)]),
    ("lstsq", lambda o, a, b: o.lstsq(a, b), [rnd(5, 3), rnd(5, 2)]),
    ("lstsq vector", lambda o, a, b: o.linalg.lstsq(a, b), [rnd(5, 3), rnd(5)]),
    ("norm", lambda o, x: o.norm(x), [rnd(3, 4)]),
    ("norm axis", lambda o, x: o.norm(x, axis=1, keepdims=True), [rnd(3, 4)]),
    ("norm ord", lambda o, x: o.linalg.norm(x, ord=1) + o.norm(x, ord="nuc"), [rnd(3, 4)]),
    ("norm vector", lambda o, x: o.norm(x, ord=3), [rnd(4)]),
    ("pinv", lambda o, a: o.pinv(a) + o.linalg.pinv(a), [rnd(4, 3)]),
    ("lu_factor", lambda o, a: o.lu_factor(a)[0] + o.linalg.lu_factor(a)[0], [rnd(2, 3, 3)]),
    ("slogdet", lambda o, a: o.slogdet(a)[0] * o.slogdet(a)[1], [mat(3)]),
    ("logdet", lambda o, a: o.logdet(a @ o.transpose(a) + o.eye(3)), [rnd(3, 3)]),
    ("cdist", lambda o, x, y: o.cdist(x, y), [rnd(3, 2), rnd(4, 2)]),
    ("trapezoid", lambda o, y, x: o.trapezoid(y, x) + o.trapezoid(y, dx=0.5, axis=-1),
     [rnd(3, 4), np.sort(rnd(4))]),
]


def test_keras_ops_linalg_against_keras():
    """keras.ops.linalg and keras.ops' linear algebra: values, dtypes and gradients equal
    real Keras 3's (float32), with Keras's int32 rank and its errors."""
    from keras_parity import import_keras, value
    keras, _torch = import_keras("keras.ops.linalg")
    from retrograd.keras import ops as rops
    failures = []
    for name, f, arrays in KERAS_CASES:
        try:
            ours = [rg.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
            theirs = [_torch.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
            y, yt = f(rops, *ours), f(keras.ops, *theirs)
            assert str(y.dtype) == str(yt.dtype).replace("torch.", ""), (y.dtype, yt.dtype)
            np.testing.assert_allclose(value(y), value(yt), rtol=2e-4, atol=2e-4)
            y.sum().backward()
            yt.sum().backward()
            for a, b in zip(ours, theirs):
                np.testing.assert_allclose(value(a.grad), value(b.grad), rtol=2e-3, atol=2e-3)
        except (AssertionError, RuntimeError, ValueError, TypeError) as e:
            failures.append(f"{name}: {type(e).__name__} {e}")
    assert not failures, "\n".join(failures)
    rank = rops.linalg.matrix_rank(np.ones((3, 3), np.float32))
    assert rank.dtype == np.int32 and rank.item() == 1
    assert keras.ops.linalg.matrix_rank(np.ones((3, 3), np.float32)).dtype == _torch.int32
    assert rops.norm(np.array([[1, 2], [3, 4]])).dtype == np.float32   # ints: float32
    for f in (lambda o: o.inv(np.ones((2, 3), np.float32)),
              lambda o: o.cholesky(-np.eye(2, dtype=np.float32))):
        with pytest.raises(ValueError) as ours:
            f(rops)
        with pytest.raises(ValueError) as theirs:
            f(keras.ops)
        assert str(theirs.value).split(":")[0].split(".")[0] in str(ours.value)
    with pytest.raises(rl.LinAlgError):
        rops.inv(np.ones((2, 2), np.float32))
    assert rops.lu_factor(np.eye(2, dtype=np.float32))[1].dtype == np.int32
    M = mat(3).astype(np.float32)
    (w, V), (wk, Vk) = rops.eig(M), keras.ops.linalg.eig(M)   # complex, values only
    assert str(w.dtype) == str(V.dtype) == "complex64" and wk.dtype == _torch.complex64
    np.testing.assert_allclose(np.sort_complex(value(w)), np.sort_complex(value(wk)),
                               atol=1e-5)
    np.testing.assert_allclose(M @ value(V), value(V) * value(w), atol=1e-5)
    # forward mode, as keras.ops.linalg.jvp
    x, t = np.array([1.0, 2.0], np.float32), np.array([0.5, -1.0], np.float32)
    ys = [m.linalg.jvp(lambda v: m.norm(v), (T(x),), (T(t),))
          for m, T in ((rops, rg.tensor), (keras.ops, _torch.tensor))]
    for a, b in zip(*ys):
        np.testing.assert_allclose(value(a), value(b), rtol=1e-6)
    # on symbolic inputs: a node of a functional model
    from retrograd import keras as rk
    inp = rk.Input((3, 3))
    out = rops.det(inp)
    model = rk.Model(inp, out)
    M = mat(2, 3, 3).astype(np.float32)
    np.testing.assert_allclose(value(model(M)), np.linalg.det(M), rtol=1e-4)
