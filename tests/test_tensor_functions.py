"""Everyday PyTorch tensor functions: sort/argsort/topk/unique (ops/sorting.py),
cumsum/cumprod (ops/scan.py), tril/triu/diag/trace (ops/triangular.py), flip/roll
(ops/reorder.py), einsum/outer (ops/einsum.py), index_select/scatter/scatter_add
(ops/scatter.py), allclose/isclose/equal/nonzero (ops/comparison.py), multinomial
(ops/sampling.py). The differentiable ones are checked against finite differences,
forward mode and PyTorch (float64 and float32); the others against PyTorch.
The ``retrograd.f`` / ``x.f`` spellings are tested too, as tutorials write them."""
import numpy as np
import pytest
from harness import check_grad, check_jvp, compare_torch
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd.missing import NotSupportedError
from retrograd.ops import comparison, reorder, sampling, scan, scatter, sorting, triangular
from retrograd.ops import einsum as einsum_ops

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")

IDX = np.array([[2, 0, 1], [1, 1, 0]])          # scatter_add / index rows (repeats)
PERM = np.array([[2, 0, 3], [1, 3, 0]])         # scatter: distinct places per column


def _with_zeros():
    return np.array([[2.0, 0.0, 3.0, 0.0, 1.5], [0.5, -1.0, 0.0, 2.0, 4.0]])


def _rg_idx(a):
    return rg.tensor(a)


def _t_idx(a):
    return torch.tensor(a)


# name: (retrograd function, PyTorch function, input shapes or arrays)
CASES = {
    "sort": (lambda x: sorting.sort(x, 1, descending=True).values,
             lambda x: torch.sort(x, 1, descending=True).values, [(3, 4)]),
    "sort_dim0": (lambda x: sorting.sort(x, 0).values, lambda x: torch.sort(x, 0).values,
                  [(4, 2)]),
    "topk": (lambda x: sorting.topk(x, 2, dim=0).values,
             lambda x: torch.topk(x, 2, dim=0).values, [(4, 3)]),
    "topk_smallest": (lambda x: sorting.topk(x, 3, largest=False).values,
                      lambda x: torch.topk(x, 3, largest=False).values, [(2, 5)]),
    "cumsum": (lambda x: scan.cumsum(x, 1), lambda x: torch.cumsum(x, 1), [(2, 4)]),
    "cumprod": (lambda x: scan.cumprod(x, 1), lambda x: torch.cumprod(x, 1), [(3, 4)]),
    "cumprod_zeros": (lambda x: scan.cumprod(x, 1), lambda x: torch.cumprod(x, 1),
                      [_with_zeros()]),
    "cumprod_zeros_dim0": (lambda x: scan.cumprod(x, 0), lambda x: torch.cumprod(x, 0),
                           [_with_zeros().T.copy()]),
    "flip": (lambda x: reorder.flip(x, (0, 2)), lambda x: torch.flip(x, (0, 2)),
             [(2, 3, 2)]),
    "roll": (lambda x: reorder.roll(x, (1, -2), (0, 1)),
             lambda x: torch.roll(x, (1, -2), (0, 1)), [(3, 4)]),
    "roll_flat": (lambda x: reorder.roll(x, 5), lambda x: torch.roll(x, 5), [(3, 4)]),
    "roll_dim_repeated": (lambda x: reorder.roll(x, (1, 3), (1, -1)),
                          lambda x: torch.roll(x, (1, 3), (1, -1)), [(2, 5)]),
    "tril": (lambda x: triangular.tril(x, -1), lambda x: torch.tril(x, -1), [(2, 3, 4)]),
    "triu": (lambda x: triangular.triu(x, 1), lambda x: torch.triu(x, 1), [(4, 3)]),
    "diag_vector": (lambda x: triangular.diag(x, 1), lambda x: torch.diag(x, 1), [(3,)]),
    "diag_matrix": (lambda x: triangular.diag(x, -1), lambda x: torch.diag(x, -1), [(4, 3)]),
    "trace": (lambda x: triangular.trace(x), lambda x: torch.trace(x), [(3, 4)]),
    "outer": (lambda a, b: einsum_ops.outer(a, b), lambda a, b: torch.outer(a, b),
              [(3,), (4,)]),
    "einsum_matmul": (lambda a, b: einsum_ops.einsum("ij,jk->ik", a, b),
                      lambda a, b: torch.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    "einsum_batched": (lambda a, b: einsum_ops.einsum("...ij,...jk", a, b),
                       lambda a, b: torch.einsum("...ij,...jk", a, b),
                       [(1, 2, 3), (4, 3, 2)]),
    "einsum_implicit": (lambda a, b: einsum_ops.einsum("ijk,ik", a, b),
                        lambda a, b: torch.einsum("ijk,ik", a, b), [(2, 3, 4), (2, 4)]),
    "einsum_sum_only_one": (lambda a, b: einsum_ops.einsum("ij,k->i", a, b),
                            lambda a, b: torch.einsum("ij,k->i", a, b), [(2, 3), (4,)]),
    "einsum_three": (lambda a, b, c: einsum_ops.einsum("bi,ij,bj->b", a, b, c),
                     lambda a, b, c: torch.einsum("bi,ij,bj->b", a, b, c),
                     [(2, 3), (3, 4), (2, 4)]),
    "einsum_ellipsis_middle": (lambda a: einsum_ops.einsum("i...j->j...", a),
                               lambda a: torch.einsum("i...j->j...", a), [(2, 3, 1, 4)]),
    "einsum_scalar": (lambda a, b: einsum_ops.einsum("i,i", a, b),
                      lambda a, b: torch.einsum("i,i", a, b), [(5,), (5,)]),
    "index_select": (lambda x: scatter.index_select(x, 1, _rg_idx([2, 0, 2])),
                     lambda x: torch.index_select(x, 1, _t_idx([2, 0, 2])), [(2, 3)]),
    "scatter": (lambda x, s: scatter.scatter(x, 1, _rg_idx(PERM), s),
                lambda x, s: torch.scatter(x, 1, _t_idx(PERM), s), [(2, 4), (2, 3)]),
    "scatter_value": (lambda x: scatter.scatter(x, 0, _rg_idx(PERM[:, :2] % 2), 1.5),
                      lambda x: torch.scatter(x, 0, _t_idx(PERM[:, :2] % 2), 1.5),
                      [(2, 3)]),
    "scatter_0d": (lambda x, s: scatter.scatter(x, 0, _rg_idx(np.array(0)), s),
                   lambda x, s: torch.scatter(x, 0, _t_idx(np.array(0)), s),
                   [np.array(2.0), np.array(5.0)]),
    "scatter_add_0d": (lambda x, s: scatter.scatter_add(x, -1, _rg_idx(np.array(0)), s),
                       lambda x, s: torch.scatter_add(x, -1, _t_idx(np.array(0)), s),
                       [np.array(2.0), np.array(5.0)]),
    "scatter_add": (lambda x, s: scatter.scatter_add(x, 0, _rg_idx(IDX), s),
                    lambda x, s: torch.scatter_add(x, 0, _t_idx(IDX), s), [(3, 4), (2, 3)]),
}


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [s if isinstance(s, np.ndarray) else rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("name", list(CASES))
def test_op_gradients_forward_mode_and_pytorch(name):
    ours, theirs, shapes = CASES[name]
    arrays = _arrays(shapes)
    check_grad(ours, *arrays)
    check_jvp(ours, *arrays)
    compare_torch(ours, theirs, *arrays)
    # float32: values and gradients against PyTorch's float32
    xs = [rg.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    y, yt = ours(*xs), theirs(*ts)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    v = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
    y.backward(v)
    yt.backward(torch.tensor(v))
    for a, b in zip(xs, ts):
        assert a.grad.dtype == np.float32
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_backward_skips_inputs_that_need_no_gradient():
    a = rg.tensor(np.ones((2, 3)), requires_grad=True)
    b = rg.tensor(np.ones((3, 4)))
    einsum_ops.einsum("ij,jk->ik", a, b).sum().backward()
    assert b.grad is None and a.grad.shape == (2, 3)
    x = rg.tensor(np.ones((3, 4)))
    s = rg.tensor(np.ones((3, 4)), requires_grad=True)
    scatter.scatter_add(x, 0, rg.tensor(IDX), s).sum().backward()
    # src is read only in index's block: the rest of src gets a zero gradient
    expect = np.zeros((3, 4))
    expect[:2, :3] = 1
    np.testing.assert_array_equal(s.grad.numpy(), expect)


def test_on_every_device(device):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 4))
    b = rng.standard_normal((4, 2))
    fns = [lambda x, w: sorting.sort(x, 1).values.sum() + sorting.topk(x, 2).values.sum(),
           lambda x, w: (scan.cumsum(x, 0) * scan.cumprod(x, 1)).sum(),
           lambda x, w: (reorder.flip(x, 0) * reorder.roll(x, 1, 1)).sum(),
           lambda x, w: triangular.tril(x).sum() + triangular.triu(x, 1).sum()
           + triangular.diag(x).sum() + triangular.trace(x),
           lambda x, w: einsum_ops.einsum("ij,jk->ik", x, w).sum()
           + einsum_ops.outer(x[0], w[:, 0]).sum() + einsum_ops.einsum("ii", x[:, :3]),
           lambda x, w: scatter.index_select(x, 0, rg.tensor([2, 0]).to(x.device)).sum()
           + scatter.scatter_add(x, 1, rg.tensor(IDX).to(x.device), w.T).sum()
           + scatter.scatter(x, 1, rg.tensor(PERM).to(x.device), w.T[:, :3] * 2).sum()]
    for f in fns:
        x0, w0 = rg.tensor(a, requires_grad=True), rg.tensor(b, requires_grad=True)
        x1 = rg.tensor(a, device=device, requires_grad=True)
        w1 = rg.tensor(b, device=device, requires_grad=True)
        y0, y1 = f(x0, w0), f(x1, w1)
        y0.backward()
        y1.backward()
        assert y1.device == x1.device
        np.testing.assert_allclose(y1.cpu().numpy(), y0.numpy(), rtol=1e-12)
        np.testing.assert_allclose(x1.grad.cpu().numpy(), x0.grad.numpy(), rtol=1e-12)
        if w0.grad is not None:
            np.testing.assert_allclose(w1.grad.cpu().numpy(), w0.grad.numpy(), rtol=1e-12)
    z = _with_zeros()
    for f in (lambda t: scan.cumprod(t, 1), lambda t: sorting.sort(t, 1, True).values,
              lambda t: einsum_ops.einsum("ij,ik->jk", t, t)):
        t0, t1 = rg.tensor(z, requires_grad=True), rg.tensor(z, device=device,
                                                            requires_grad=True)
        (f(t0) ** 2).sum().backward()
        (f(t1) ** 2).sum().backward()
        np.testing.assert_allclose(t1.grad.cpu().numpy(), t0.grad.numpy(), rtol=1e-12)
    x = rg.tensor(a, device=device)
    assert sorting.argsort(x).device == x.device
    assert comparison.allclose(x, x) and comparison.nonzero(x).device == x.device
    assert comparison.isclose(x, x).device == x.device and comparison.equal(x, x)
    assert [p.device for p in comparison.nonzero(x, as_tuple=True)] == [x.device] * 2
    k = rg.tensor([[2, 1], [0, 1], [2, 1]], device=device)
    u, inv, cnt = sorting.unique(k, return_inverse=True, return_counts=True)
    assert u.device == x.device and inv.tolist() == [[2, 1], [0, 1], [2, 1]]
    assert cnt.tolist() == [1, 3, 2] and u.tolist() == [0, 1, 2]
    w = rg.zeros(2, 3, device=device)
    scatter.write_scatter(w, 1, rg.tensor([[2], [0]], device=device), value=1.0)
    scatter.write_scatter(w, 0, rg.tensor([[1, 1, 1]], device=device), rg.ones(1, 3,
                          device=device), add=True)
    assert w.tolist() == [[0, 0, 1], [2, 1, 1]]
    m = sampling.multinomial(rg.tensor([[0.2, 0.8, 0.0]], device=device), 3, True)
    assert m.device == x.device and m.dtype == np.int64
    assert set(m.cpu().numpy().ravel()) <= {0, 1}
    s = sampling.multinomial(rg.tensor([0.2, 0.8, 0.0], device=device), 2)
    assert sorted(s.cpu().numpy()) == [0, 1]


def test_sort_ties_nan_dtypes_and_results_as_pytorch():
    data = [np.array([3., 1, 3, 2, 1, 3, 1, np.nan, 2]),
            np.array([[2, 1, 2, 0], [1, 1, 1, 1]], dtype=np.int64),
            np.array([True, False, True, False])]
    for a in data:
        for kw in ({}, {"descending": True}, {"stable": True, "descending": True},
                   {"dim": 0}):
            ours, theirs = sorting.sort(rg.tensor(a), **kw), torch.sort(torch.tensor(a), **kw)
            assert type(ours).__name__ == "sort" and ours._fields == ("values", "indices")
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
            assert ours.indices.dtype == np.int64 and ours.values.dtype == a.dtype
            np.testing.assert_array_equal(
                sorting.argsort(rg.tensor(a), **kw).numpy(),
                torch.argsort(torch.tensor(a), **kw).numpy())
    # Longer rows: PyTorch's default (stable=False) ascending order of ties is its
    # own (not stable beyond 16 elements); retrograd's is stable=True's, always.
    a = np.random.default_rng(10).integers(0, 4, size=(2, 300))
    for desc in (False, True):
        ours = sorting.sort(rg.tensor(a), 1, desc)
        stable = torch.sort(torch.tensor(a), dim=1, descending=desc, stable=True)
        default = torch.sort(torch.tensor(a), dim=1, descending=desc)
        np.testing.assert_array_equal(ours.indices.numpy(), stable.indices.numpy())
        np.testing.assert_array_equal(ours.values.numpy(), default.values.numpy())
    # topk: values as PyTorch; indices point at them (PyTorch's tie order is unspecified)
    a = np.array([[3., 1, 3, 2, 1, 3, 1], [0, 5, 2, 2, 7, 1, 1]])
    for k, largest in ((3, True), (2, False), (0, True), (7, True)):
        ours = sorting.topk(rg.tensor(a), k, largest=largest)
        theirs = torch.topk(torch.tensor(a), k, largest=largest)
        assert type(ours).__name__ == "topk"
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(np.take_along_axis(a, ours.indices.numpy(), 1),
                                      theirs.values.numpy())
    # the gradient of tied values goes where their indices say (one place each)
    x = rg.tensor(a, requires_grad=True)
    v, i = sorting.topk(x, 3)
    v.sum().backward()
    expect = np.zeros_like(a)
    np.put_along_axis(expect, i.numpy(), 1.0, 1)
    np.testing.assert_array_equal(x.grad.numpy(), expect)


def test_topk_of_few_among_many_as_pytorch(device):
    """k < n/4 takes the partition path: values as PyTorch's (ties, NaN, ±inf),
    indices pointing at them, tied values in index order, the gradient at them."""
    rng = np.random.default_rng(14)
    a = rng.integers(0, 5, size=(3, 40)).astype(np.float64)
    a[0, [3, 17]] = np.nan
    a[1, 5] = np.inf
    a[2, 9] = -np.inf
    for k, largest, dim in ((3, True, 1), (9, False, 1), (1, True, 1), (2, False, 0)):
        b = a if dim == 1 else a.T.copy()
        x = rg.tensor(b, device=device, requires_grad=True)
        v, i = sorting.topk(x, k, dim, largest)
        theirs = torch.topk(torch.tensor(b), k, dim, largest)
        np.testing.assert_array_equal(v.detach().cpu().numpy(), theirs.values.numpy())
        i = i.cpu().numpy()
        assert i.dtype == np.int64
        np.testing.assert_array_equal(np.take_along_axis(b, i, dim), theirs.values.numpy())
        vals = v.detach().cpu().numpy()
        tied = (np.diff(vals, axis=dim) == 0) | np.isnan(vals[:-1] if dim == 0 else
                                                         vals[:, :-1])
        assert (np.diff(i, axis=dim)[tied] > 0).all()
        v.sum().backward()
        expect = np.zeros_like(b)
        np.put_along_axis(expect, i, 1.0, dim)
        np.testing.assert_array_equal(x.grad.cpu().numpy(), expect)


def test_scan_and_trace_dtypes_as_pytorch():
    for a in (np.array([True, False, True]), np.array([1, 2, 3], dtype=np.int32),
              np.array([1, 2, 3], dtype=np.uint8), np.array([1., 2.], dtype=np.float32)):
        for ours, theirs in ((scan.cumsum, torch.cumsum), (scan.cumprod, torch.cumprod)):
            y, yt = ours(rg.tensor(a), 0), theirs(torch.tensor(a), 0)
            np.testing.assert_array_equal(y.numpy(), yt.numpy())
            assert str(y.dtype) == str(yt.dtype).replace("torch.", "")
    y = scan.cumsum(rg.tensor([1, 2]), 0, dtype=rg.float32)
    assert y.dtype == np.float32 and y.tolist() == [1.0, 3.0]
    assert scan.cumsum(rg.tensor(2.0), 0).shape == () == torch.cumsum(torch.tensor(2.), 0).shape
    m = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert triangular.trace(rg.tensor(m)).dtype == np.int64 == np.dtype(
        str(torch.trace(torch.tensor(m)).dtype).replace("torch.", ""))


def test_cumprod_second_zero_and_all_zero_slices():
    for a in (np.array([[0., 0., 2., 3.], [1., 2., 0., 0.], [0., 0., 0., 0.]]),
              np.array([[1e-3, 0., 5., 0., 2.]])):
        check_grad(lambda x: scan.cumprod(x, 1), a)
        check_jvp(lambda x: scan.cumprod(x, 1), a)
        compare_torch(lambda x: scan.cumprod(x, 1), lambda x: torch.cumprod(x, 1), a)


def test_einsum_parsing_as_numpy_and_pytorch():
    rng = np.random.default_rng(5)
    cases = [("ij", [(2, 3)]), ("ji", [(2, 3)]), ("ij->", [(2, 3)]), ("...", [(2, 3)]),
             ("i...->...", [(2, 3, 4)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (5, 3, 2)]),
             ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)]), ("i,j,k", [(2,), (3,), (1,)]),
             (" ij , jk ", [(2, 3), (3, 2)]), ("Ab,bC->AC", [(2, 3), (3, 2)])]
    for eq, shapes in cases:
        arrays = [rng.standard_normal(s) for s in shapes]
        y = einsum_ops.einsum(eq, *[rg.tensor(a) for a in arrays])
        yt = torch.einsum(eq, *[torch.tensor(a) for a in arrays])
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-12)
        np.testing.assert_allclose(y.numpy(), np.einsum(eq, *arrays), rtol=1e-12)
    # operands as one list (PyTorch's other spelling)
    a = rng.standard_normal((2, 3))
    assert einsum_ops.einsum("ij->j", [rg.tensor(a)]).shape == (3,)
    # diagonals (a letter repeated in one operand), with their gradients
    for eq, shapes in (("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij,j->i", [(2, 2, 3), (3,)]),
                       ("bii->b", [(2, 3, 3)]), ("iji->j", [(2, 4, 2)])):
        arrays = [rng.standard_normal(s) for s in shapes]
        f = (lambda *t, eq=eq: einsum_ops.einsum(eq, *t))
        check_grad(f, *arrays)
        check_jvp(f, *arrays)
        compare_torch(f, lambda *t, eq=eq: torch.einsum(eq, *t), *arrays)


def test_einsum_of_one_operand_owns_its_memory():
    """"ij->ji" and "ii->i" are views in NumPy: the output is copied, so that an
    in-place change of it cannot reach the input an earlier op saved (PyTorch's
    version counter raises there; retrograd would silently use the changed values)."""
    for eq in ("ij->ji", "ii->i", "ij->ij", "ij"):
        x = rg.tensor(np.arange(1.0, 5.0).reshape(2, 2), requires_grad=True)
        a = x * 1
        s = a * a
        einsum_ops.einsum(eq, a).mul_(2)
        s.sum().backward()
        np.testing.assert_array_equal(a.detach().numpy(), [[1, 2], [3, 4]])
        np.testing.assert_array_equal(x.grad.numpy(), [[2, 4], [6, 8]])


def test_einsum_contracts_through_matrix_products(monkeypatch):
    """Two or more operands go through optimize=True (pairwise matrix products, ~8×
    NumPy's own loops on attention shapes), forward, backward and jvp alike."""
    calls = []
    real = np.einsum

    def spy(eq, *arrays, **kw):
        calls.append((eq, len(arrays), kw.get("optimize", False)))
        return real(eq, *arrays, **kw)

    monkeypatch.setattr(np, "einsum", spy)
    rng = np.random.default_rng(11)
    q, k = rng.standard_normal((1, 2, 3, 4)), rng.standard_normal((1, 2, 5, 4))
    f = (lambda a, b: einsum_ops.einsum("bhqd,bhkd->bhqk", a, b))
    check_jvp(f, q, k)
    compare_torch(f, lambda a, b: torch.einsum("bhqd,bhkd->bhqk", a, b), q, k)
    assert len(calls) >= 5 and all(n > 1 and opt for _, n, opt in calls), calls


def _same_error(ours, theirs, match=None):
    """Both raise, the same exception type; ours names the function (``match``)."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(Exception) as got:
        ours()
    assert isinstance(got.value, expected.type), (got.value, expected.value)
    if match:
        assert match in str(got.value), str(got.value)


def test_errors_as_pytorch():
    x, xt = rg.ones(2, 3), torch.ones(2, 3)
    v, vt = rg.ones(3), torch.ones(3)
    i, it = rg.tensor([[0, 5, 1]]), torch.tensor([[0, 5, 1]])
    pairs = [
        (lambda: triangular.tril(v), lambda: torch.tril(vt), "tril"),
        (lambda: triangular.triu(v), lambda: torch.triu(vt), "triu"),
        (lambda: triangular.diag(rg.ones(2, 2, 2)), lambda: torch.diag(torch.ones(2, 2, 2)),
         "diag"),
        (lambda: triangular.trace(v), lambda: torch.trace(vt), "trace"),
        (lambda: sorting.sort(x, 2), lambda: torch.sort(xt, 2), "sort"),
        (lambda: sorting.topk(x, 4), lambda: torch.topk(xt, 4), "topk"),
        (lambda: sorting.sort(rg.tensor(1.0), 1), lambda: torch.sort(torch.tensor(1.0), 1),
         "sort"),
        (lambda: sorting.topk(rg.tensor(1.0), 1, 1),
         lambda: torch.topk(torch.tensor(1.0), 1, 1), "topk"),
        (lambda: scatter.index_select(rg.tensor(2.0), 0, rg.tensor([0, 0])),
         lambda: torch.index_select(torch.tensor(2.0), 0, torch.tensor([0, 0])),
         "index_select"),
        (lambda: scan.cumsum(x, -3), lambda: torch.cumsum(xt, -3), "cumsum"),
        (lambda: reorder.flip(x, (0, 0)), lambda: torch.flip(xt, (0, 0)), "flip"),
        (lambda: reorder.flip(x, 3), lambda: torch.flip(xt, (3,)), "flip"),
        (lambda: reorder.roll(x, (1, 2), 0), lambda: torch.roll(xt, (1, 2), 0), "roll"),
        (lambda: einsum_ops.einsum("ij,jk", x, x), lambda: torch.einsum("ij,jk", xt, xt),
         "einsum"),
        (lambda: einsum_ops.einsum("ijk", x), lambda: torch.einsum("ijk", xt), "einsum"),
        (lambda: einsum_ops.einsum("ij->k", x), lambda: torch.einsum("ij->k", xt), "einsum"),
        (lambda: einsum_ops.einsum("ij->ii", x), lambda: torch.einsum("ij->ii", xt),
         "einsum"),
        (lambda: einsum_ops.einsum("ij", x, x), lambda: torch.einsum("ij", xt, xt), "einsum"),
        (lambda: einsum_ops.einsum("ij,jk", x), lambda: torch.einsum("ij,jk", xt), "einsum"),
        (lambda: einsum_ops.einsum("i1", x), lambda: torch.einsum("i1", xt), "einsum"),
        (lambda: einsum_ops.einsum("i"), lambda: torch.einsum("i"), "einsum"),
        (lambda: einsum_ops.outer(x, v), lambda: torch.outer(xt, vt), "outer"),
        (lambda: scatter.index_select(x, 1, rg.tensor([3])),
         lambda: torch.index_select(xt, 1, torch.tensor([3])), "index_select"),
        (lambda: scatter.index_select(x, 0, rg.tensor([2])),
         lambda: torch.index_select(xt, 0, torch.tensor([2])), "index_select"),
        (lambda: scatter.index_select(v, -1, rg.tensor([-1])),
         lambda: torch.index_select(vt, -1, torch.tensor([-1])), "index_select"),
        (lambda: scatter.index_select(x, 1, rg.tensor([0.5])),
         lambda: torch.index_select(xt, 1, torch.tensor([0.5])), "index_select"),
        (lambda: scatter.scatter(x, 1, i, x), lambda: torch.scatter(xt, 1, it, xt),
         "scatter"),
        (lambda: scatter.scatter_add(x, 1, rg.tensor([0]), x),
         lambda: torch.scatter_add(xt, 1, torch.tensor([0]), xt), "scatter_add"),
        (lambda: scatter.scatter(x, 1, rg.tensor([[0]]), rg.ones(1, 1, dtype=rg.float64)),
         lambda: torch.scatter(xt, 1, torch.tensor([[0]]),
                               torch.ones(1, 1, dtype=torch.float64)), "scatter"),
        (lambda: comparison.isclose(x, rg.ones(2, 3, dtype=rg.int64)),
         lambda: torch.isclose(xt, torch.ones(2, 3, dtype=torch.int64)), "isclose"),
        (lambda: comparison.allclose(x, rg.ones(3, 3)),
         lambda: torch.allclose(xt, torch.ones(3, 3)), "allclose"),
        (lambda: sampling.multinomial(rg.tensor([0., 0.]), 1),
         lambda: torch.multinomial(torch.tensor([0., 0.]), 1), "multinomial"),
        (lambda: sampling.multinomial(rg.tensor([1., -1.]), 1),
         lambda: torch.multinomial(torch.tensor([1., -1.]), 1), "multinomial"),
        (lambda: sampling.multinomial(rg.tensor([1., np.nan]), 1),
         lambda: torch.multinomial(torch.tensor([1., np.nan]), 1), "multinomial"),
        (lambda: sampling.multinomial(rg.tensor([1., 1.]), 3),
         lambda: torch.multinomial(torch.tensor([1., 1.]), 3), "multinomial"),
        (lambda: sampling.multinomial(rg.ones(2, 2, 2), 1),
         lambda: torch.multinomial(torch.ones(2, 2, 2), 1), "multinomial"),
        (lambda: sampling.multinomial(rg.tensor([1, 2]), 1),
         lambda: torch.multinomial(torch.tensor([1, 2]), 1), "multinomial"),
    ]
    for ours, theirs, name in pairs:
        _same_error(ours, theirs, name)
    with pytest.raises(NotSupportedError, match="reduce"):
        scatter.scatter(x, 0, rg.tensor([[0]]), rg.ones(1, 1), reduce="multiply")


def test_comparisons_and_nonzero_as_pytorch():
    nan = np.nan
    pairs = [(np.array([1.0, 2.0, nan]), np.array([1.0 + 1e-9, 2.1, nan])),
             (np.array([[1e-9], [1.0]]), np.array([0.0, 1.0])),
             (np.array([1, 2], dtype=np.int64), np.array([1, 3], dtype=np.int64)),
             (np.array([True, False]), np.array([True, True]))]
    for a, b in pairs:
        for kw in ({}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.0}):
            t = comparison.isclose(rg.tensor(a), rg.tensor(b), **kw)
            tt = torch.isclose(torch.tensor(a), torch.tensor(b), **kw)
            np.testing.assert_array_equal(t.numpy(), tt.numpy())
            assert t.dtype == np.bool_
            ours = comparison.allclose(rg.tensor(a), rg.tensor(b), **kw)
            assert ours is torch.allclose(torch.tensor(a), torch.tensor(b), **kw)
        if a.shape == b.shape:
            assert comparison.equal(rg.tensor(a), rg.tensor(a)) is torch.equal(
                torch.tensor(a), torch.tensor(a))
            assert comparison.equal(rg.tensor(a), rg.tensor(b)) is torch.equal(
                torch.tensor(a), torch.tensor(b))
    assert comparison.equal(rg.ones(2), rg.ones(3)) is False
    assert comparison.equal(rg.tensor([1, 2]), rg.tensor([1.0, 2.0])) is torch.equal(
        torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))
    for a in (np.array([[0, 1.5], [2, 0]]), np.array([0, 0]), np.array(3.0),
              np.zeros((2, 0)), np.array([[[True, False]], [[False, True]]])):
        t, tt = comparison.nonzero(rg.tensor(a)), torch.nonzero(torch.tensor(a))
        assert t.dtype == np.int64 and t.shape == tuple(tt.shape)
        np.testing.assert_array_equal(t.numpy(), tt.numpy())
        tup = comparison.nonzero(rg.tensor(a), as_tuple=True)
        tupt = torch.nonzero(torch.tensor(a), as_tuple=True)
        assert isinstance(tup, tuple) and len(tup) == len(tupt)
        for p, q in zip(tup, tupt):
            np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_unique_as_pytorch():
    a = np.array([[3, 1, 2], [1, 3, 3]])
    for kw in ({}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}, {"sorted": False},
               {"dim": 0}, {"dim": 1, "return_inverse": True, "return_counts": True}):
        ours = sorting.unique(rg.tensor(a), **kw)
        theirs = torch.unique(torch.tensor(a), **kw)
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        assert len(ours) == len(theirs)
        for p, q in zip(ours, theirs):
            np.testing.assert_array_equal(p.numpy(), q.numpy())
            assert str(p.dtype) == str(q.dtype).replace("torch.", "")
    # each NaN is a value of its own (NaN ≠ NaN), as PyTorch's
    a = np.array([np.nan, 1.0, np.nan, 1.0])
    ours = sorting.unique(rg.tensor(a), return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(a), return_inverse=True, return_counts=True)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    _same_error(lambda: sorting.unique(rg.tensor(2.0), dim=0),
                lambda: torch.unique(torch.tensor(2.0), dim=0), "unique")


def test_multinomial_draws_from_retrograd_generators():
    p = rg.tensor([0.1, 0.2, 0.0, 0.7])
    rg.manual_seed(7)
    first = sampling.multinomial(p, 5000, replacement=True)
    rg.manual_seed(7)
    again = sampling.multinomial(p, 5000, replacement=True)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert first.dtype == np.int64 and first.shape == (5000,)
    freq = np.bincount(first.numpy(), minlength=4) / 5000
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.0, 0.7], atol=0.03)
    assert freq[2] == 0          # a zero weight is never drawn
    g1, g2 = rg.Generator().manual_seed(3), rg.Generator().manual_seed(3)
    np.testing.assert_array_equal(sampling.multinomial(p, 4, generator=g1).numpy(),
                                  sampling.multinomial(p, 4, generator=g2).numpy())
    # without replacement: distinct categories; the first draw follows the weights,
    # zero weights come only after every non-zero one
    w = rg.tensor(np.tile([[1.0, 3.0, 0.0, 6.0]], (4000, 1)))
    draws = sampling.multinomial(w, 3).numpy()
    assert draws.shape == (4000, 3)
    assert all(len(set(r)) == 3 for r in draws[:50])
    assert not (draws == 2).any()
    np.testing.assert_allclose(np.bincount(draws[:, 0], minlength=4) / 4000,
                               [0.1, 0.3, 0.0, 0.6], atol=0.03)
    # second draw given the first is 3 (weight 6): 1 w.p. 3/4
    second = draws[draws[:, 0] == 3, 1]
    assert abs((second == 1).mean() - 0.75) < 0.05
    assert sorted(sampling.multinomial(rg.tensor([1.0, 0.0]), 2).tolist()) == [0, 1]
    # unnormalised float32 weights, 2-D with replacement
    m = sampling.multinomial(rg.tensor([[0.0, 5.0], [2.0, 0.0]], dtype=rg.float32), 6, True)
    np.testing.assert_array_equal(m.numpy(), [[1] * 6, [0] * 6])


def test_multinomial_never_draws_a_zero_weight_when_u_rounds_up(monkeypatch):
    """Row r searches its u + r among cdf + r: with u the largest double below 1,
    u + r rounds to r + 1, the end of the row; the category is the row's last with
    a non-zero weight, never the zero-weight ones after it."""
    class Largest:
        def random(self, shape):
            return np.full(shape, np.nextafter(1.0, 0.0))

    monkeypatch.setattr(sampling.random, "generator_for", lambda xp, generator=None:
                        Largest())
    w = rg.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 2.0]] * 2)
    np.testing.assert_array_equal(sampling.multinomial(w, 3, True).numpy(),
                                  [[0] * 3] * 3 + [[1] * 3] + [[0] * 3] * 3 + [[1] * 3])


def test_multinomial_without_replacement_on_tiny_weights():
    """Weights of 1e-310 are as good as 1: the keys are taken relative to the row's
    largest weight, so they neither overflow to −∞ (the draw was then always the
    index order) nor warn."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draws = sampling.multinomial(rg.tensor(np.full((400, 2), 1e-310)), 1).numpy()
    assert 100 < (draws == 1).sum() < 300


# -- in place: x.scatter_ / x.scatter_add_ (methods.py) ------------------------------
def test_in_place_scatter():
    x = rg.zeros(2, 4)
    assert x.scatter_(1, rg.tensor(PERM[:, :2]), value=2.0) is x
    xt = torch.zeros(2, 4).scatter_(1, torch.tensor(PERM[:, :2]), 2.0)
    np.testing.assert_array_equal(x.numpy(), xt.numpy())
    assert x.scatter_add_(0, rg.tensor(IDX % 2), rg.ones(2, 3)) is x
    xt.scatter_add_(0, torch.tensor(IDX % 2), torch.ones(2, 3))
    np.testing.assert_array_equal(x.numpy(), xt.numpy())
    # in the graph: the gradient flows to the former values and to src, as PyTorch's
    a = np.random.default_rng(6).standard_normal((2, 4))
    s = np.random.default_rng(7).standard_normal((2, 3))
    w, src = rg.tensor(a, requires_grad=True), rg.tensor(s, requires_grad=True)
    wt, srct = torch.tensor(a, requires_grad=True), torch.tensor(s, requires_grad=True)
    y = w * 2
    y.scatter_(1, rg.tensor(PERM[:, :3]), src)
    y.scatter_add_(1, rg.tensor(IDX), src * 3)
    yt = (wt * 2).scatter_(1, torch.tensor(PERM[:, :3]), srct)
    yt.scatter_add_(1, torch.tensor(IDX), srct * 3)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy())
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy())
    np.testing.assert_allclose(src.grad.numpy(), srct.grad.numpy())
    with pytest.raises(RuntimeError, match="leaf"):
        rg.ones(2, requires_grad=True).scatter_(0, rg.tensor([0]), value=1.0)


# -- the retrograd.f / x.f spellings (__init__.py / methods.py) ---------------------------
SPELLINGS = {
    # name: (call on retrograd, call as a method, PyTorch), given x (3, 4) float64
    "allclose": lambda m, x: m.allclose(x, x + 1e-12),
    "isclose": lambda m, x: m.isclose(x, x * 2),
    "equal": lambda m, x: m.equal(x, x),
    "tril": lambda m, x: m.tril(x, 1),
    "triu": lambda m, x: m.triu(x, -1),
    "sort": lambda m, x: m.sort(x, 0, descending=True),
    "argsort": lambda m, x: m.argsort(x, dim=1),
    "topk": lambda m, x: m.topk(x, 2, dim=1, largest=False),
    "cumsum": lambda m, x: m.cumsum(x, dim=1),
    "cumprod": lambda m, x: m.cumprod(x, 0),
    "flip": lambda m, x: m.flip(x, (0,)),
    "roll": lambda m, x: m.roll(x, 1, 1),
    "einsum": lambda m, x: m.einsum("ij->ji", x),
    "outer": lambda m, x: m.outer(x[0], x[1]),
    "diag": lambda m, x: m.diag(x),
    "trace": lambda m, x: m.trace(x),
    "index_select": lambda m, x: m.index_select(x, 0, m.tensor([2, 0])),
    "scatter": lambda m, x: m.scatter(x, 1, m.tensor(PERM[:, :2]), 7.0),
    "scatter_add": lambda m, x: m.scatter_add(x, 0, m.tensor(IDX), x),
    "nonzero": lambda m, x: m.nonzero(x > 0),
    "unique": lambda m, x: m.unique(m.tensor([3, 1, 3]), return_counts=True),
}


def _assert_same(ours, theirs):
    """The same results: tuples of the same length, arrays of the same shape and
    values, Python bools and numbers alike."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (ours, theirs)
        for p, q in zip(ours, theirs):
            _assert_same(p, q)
        return
    if isinstance(theirs, (bool, int, float)):
        assert type(ours) is type(theirs) and ours == theirs, (ours, theirs)
        return
    p, q = ours.detach().numpy(), theirs.detach().numpy()
    assert p.shape == q.shape and str(p.dtype) == str(q.dtype).replace("torch.", "")
    np.testing.assert_allclose(p, q)


@pytest.mark.parametrize("name", list(SPELLINGS))
def test_top_level_function_and_method_spellings(name):
    x = np.random.default_rng(8).standard_normal((3, 4))
    ours = SPELLINGS[name](rg, rg.tensor(x))
    _assert_same(ours, SPELLINGS[name](torch, torch.tensor(x)))
    if name in ("einsum",):     # no Tensor.einsum in PyTorch either
        return
    # the method spelling: x.f(args) is retrograd.f(x, args)
    t = rg.tensor(x)
    _assert_same(SPELLINGS[name](_MethodCaller(t), t), ours)


class _MethodCaller:
    """``m.f(x, *args)`` as ``x.f(*args)`` (with ``m.tensor`` kept)."""

    def __init__(self, t):
        self.t = t

    def __getattr__(self, name):
        if name == "tensor":
            return rg.tensor
        return lambda first, *args, **kw: getattr(first, name)(*args, **kw)


def test_method_spellings_of_in_place_and_sampling():
    x = rg.zeros(2, 3)
    assert x.scatter_(0, rg.tensor([[1, 0, 1]]), 1.0) is x
    assert x.scatter_add_(1, rg.tensor([[0], [0]]), rg.ones(2, 1)) is x
    np.testing.assert_array_equal(x.numpy(), [[1, 1, 0], [2, 0, 1]])
    p = rg.tensor([0.0, 1.0])
    assert p.multinomial(3, replacement=True).tolist() == [1, 1, 1]
    assert rg.multinomial(p, 1).tolist() == [1]
    _, i = rg.ones(3).sort()
    assert i.dtype == np.int64 and rg.ones(2, 2).flip(0, 1).shape == (2, 2)


def test_out_keyword_once_bound():
    out = rg.empty(0, dtype=rg.int64)
    assert rg.cumsum(rg.tensor([1, 2, 3]), 0, out=out) is out
    assert out.tolist() == [1, 3, 6]
    values, indices = rg.empty(0), rg.empty(0, dtype=rg.int64)
    r = rg.sort(rg.tensor([2.0, 1.0]), out=(values, indices))
    assert r.values is values and indices.tolist() == [1, 0] and values.tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="tril"):
        rg.tril(rg.ones(2, 2, requires_grad=True), out=rg.empty(0))


def test_gpt_causal_mask_as_pytorch():
    """The causal self-attention mask of every GPT tutorial: tril + masked_fill."""
    w = np.random.default_rng(9).standard_normal((2, 4, 4))
    x, xt = rg.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    mask, maskt = triangular.tril(rg.ones(4, 4)), torch.tril(torch.ones(4, 4))
    y = x.masked_fill(mask == 0, float("-inf")).softmax(-1)
    yt = xt.masked_fill(maskt == 0, float("-inf")).softmax(-1)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    (y * rg.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-14)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), data=st.data())
def test_sort_topk_cumsum_match_pytorch_on_random_shapes(shape, data):
    """Ties (few distinct values) on random shapes, dims and directions."""
    a = np.random.default_rng(len(shape) * 7 + sum(shape)).integers(0, 3, size=shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    desc = data.draw(st.booleans())
    x, xt = rg.tensor(a.astype(np.float64)), torch.tensor(a.astype(np.float64))
    ours, theirs = sorting.sort(x, dim, desc), torch.sort(xt, dim=dim, descending=desc,
                                                          stable=True)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    k = data.draw(st.integers(0, shape[dim]))
    np.testing.assert_array_equal(sorting.topk(x, k, dim, desc).values.numpy(),
                                  torch.topk(xt, k, dim, desc).values.numpy())
    for ours_f, torch_f in ((scan.cumsum, torch.cumsum), (scan.cumprod, torch.cumprod)):
        np.testing.assert_array_equal(ours_f(rg.tensor(a), dim).numpy(),
                                      torch_f(torch.tensor(a), dim).numpy())
    np.testing.assert_array_equal(reorder.roll(x, k, dim).numpy(),
                                  torch.roll(xt, k, dim).numpy())


# The idioms as tutorials write them: the same lambda on torch and on retrograd.
TUTORIAL = {
    "topk_indices": lambda m, x: m.topk(x, 2).indices,
    "sort_method_values": lambda m, x: x.sort(descending=True).values,
    "argsort_method": lambda m, x: x.argsort(dim=0, descending=True),
    "tril_ones": lambda m, x: m.tril(m.ones(4, 4)),
    "causal_mask": lambda m, x: m.ones(3, 3).tril() == 0,
    "flip_last": lambda m, x: x.flip(-1),
    "flip_two": lambda m, x: x.flip(0, 1),
    "one_hot_scatter_": lambda m, x: m.zeros(3, 5).scatter_(
        1, m.tensor([3, 0, 4]).unsqueeze(1), 1.0),
    "unique_counts": lambda m, x: m.unique(m.tensor([2, 0, 2, 1, 2]), return_counts=True),
    "allclose_same": lambda m, x: m.allclose(x, x * (1 + 1e-7)),
    "cumsum_method": lambda m, x: x.cumsum(0),
    "roll_method": lambda m, x: x.roll(1, 1),
    "diag_embed": lambda m, x: m.diag(x[0]),
    "nonzero_tuple": lambda m, x: (x > 0).nonzero(as_tuple=True),
    "index_select_method": lambda m, x: x.index_select(1, m.tensor([3, 0])),
}


@pytest.mark.parametrize("name", list(TUTORIAL))
def test_tutorial_idioms_as_pytorch(name):
    x = np.random.default_rng(12).standard_normal((3, 4))
    _assert_same(TUTORIAL[name](rg, rg.tensor(x)), TUTORIAL[name](torch, torch.tensor(x)))


def test_tutorial_attention_einsum_multinomial_and_mixed_dtypes():
    rng = np.random.default_rng(13)
    q, k = rng.standard_normal((2, 2, 3, 4)), rng.standard_normal((2, 2, 5, 4))
    qs, ks = rg.tensor(q, requires_grad=True), rg.tensor(k, requires_grad=True)
    qt, kt = torch.tensor(q, requires_grad=True), torch.tensor(k, requires_grad=True)
    att = rg.einsum("bhqd,bhkd->bhqk", qs, ks).softmax(-1)
    att_t = torch.einsum("bhqd,bhkd->bhqk", qt, kt).softmax(-1)
    w = rng.standard_normal(att.shape)
    (att * rg.tensor(w)).sum().backward()
    (att_t * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(att.detach().numpy(), att_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(qs.grad.numpy(), qt.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ks.grad.numpy(), kt.grad.numpy(), rtol=1e-10, atol=1e-14)
    # next-token sampling: one index per row, int64, never a zero-probability token
    probs = rg.tensor([[0.0, 0.3, 0.7], [1.0, 0.0, 0.0]]).softmax(-1) * rg.tensor(
        [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    nxt = rg.multinomial(probs, 1)
    assert nxt.shape == (2, 1) and nxt.dtype == np.int64
    assert nxt[0, 0].item() in (1, 2) and nxt[1, 0].item() == 0
    # float32 against float64: PyTorch's RuntimeError in both allclose and isclose
    a32, a64 = np.ones(3, np.float32), np.ones(3)
    for f in ("allclose", "isclose"):
        _same_error(lambda f=f: getattr(rg, f)(rg.tensor(a32), rg.tensor(a64)),
                    lambda f=f: getattr(torch, f)(torch.tensor(a32), torch.tensor(a64)), f)
