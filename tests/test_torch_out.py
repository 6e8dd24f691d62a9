"""``out=`` on the top-level functions, against PyTorch: the result is written into
the given tensor (the same object is returned), which is resized when its shape
differs (PyTorch's warning when it had elements), cast to its dtype where PyTorch
casts, refused where PyTorch refuses, and never allowed to carry a gradient."""
import warnings

import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")

A = np.array([[1.0, -2.0], [3.0, 4.0]])
B = np.array([[0.5, 2.0], [-1.0, 1.5]])


def inputs(lib, dtype=None):
    dtype = dtype or lib.float32
    return lib.tensor(A, dtype=dtype), lib.tensor(B, dtype=dtype)


# name → call(lib, a, b, out); the out tensor's shape is the result's.
CALLS = {
    "add": lambda T, a, b, o: T.add(a, b, out=o),
    "add_alpha": lambda T, a, b, o: T.add(a, b, alpha=2, out=o),
    "sub": lambda T, a, b, o: T.sub(a, b, out=o),
    "mul": lambda T, a, b, o: T.mul(a, b, out=o),
    "div": lambda T, a, b, o: T.div(a, b, out=o),
    "pow": lambda T, a, b, o: T.pow(a, 2, out=o),
    "matmul": lambda T, a, b, o: T.matmul(a, b, out=o),
    "mm": lambda T, a, b, o: T.mm(a, b, out=o),
    "exp": lambda T, a, b, o: T.exp(a, out=o),
    "tanh": lambda T, a, b, o: T.tanh(a, out=o),
    "sigmoid": lambda T, a, b, o: T.sigmoid(a, out=o),
    "sqrt": lambda T, a, b, o: T.sqrt(b.abs(), out=o),
    "abs": lambda T, a, b, o: T.abs(a, out=o),
    "maximum": lambda T, a, b, o: T.maximum(a, b, out=o),
    "clamp": lambda T, a, b, o: T.clamp(a, -1, 1, out=o),
    "where": lambda T, a, b, o: T.where(a > 0, a, b, out=o),
    "softmax": lambda T, a, b, o: T.softmax(a, 1, out=o),
    "square": lambda T, a, b, o: T.square(a, out=o),
    "neg": lambda T, a, b, o: T.neg(a, out=o),
    "eq": lambda T, a, b, o: T.eq(a, b, out=o),
    "cat": lambda T, a, b, o: T.cat([a, b], dim=1, out=o),
    "stack": lambda T, a, b, o: T.stack([a, b], out=o),
    "sum_dim": lambda T, a, b, o: T.sum(a, 1, out=o),
    "mean_dim": lambda T, a, b, o: T.mean(a, 0, keepdim=True, out=o),
    "var_dim": lambda T, a, b, o: T.var(a, 1, out=o),
    "amax": lambda T, a, b, o: T.amax(a, 1, out=o),
    "logsumexp": lambda T, a, b, o: T.logsumexp(a, 1, out=o),
    "max_all": lambda T, a, b, o: T.max(a, out=o),
    "gather": lambda T, a, b, o: T.gather(a, 1, T.tensor([[1], [0]]), out=o),
}


def shape_and_dtype(name):
    r = CALLS[name](torch, *inputs(torch), None)
    return tuple(r.shape), r.dtype


@pytest.mark.parametrize("name", CALLS)
def test_the_result_is_written_into_out_and_out_is_returned(name):
    shape, dtype = shape_and_dtype(name)
    results = []
    for lib in (rg, torch):
        a, b = inputs(lib)
        out = lib.zeros(shape, dtype=getattr(lib, str(dtype).removeprefix("torch.")))
        r = CALLS[name](lib, a, b, out)
        assert r is out and out._version == 1
        results.append(out.numpy())
    assert results[0].dtype == results[1].dtype
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_the_tensors_tutorial_writes():
    """The tensors tutorial: torch.matmul(tensor, tensor.T, out=y3) and
    torch.mul(tensor, tensor, out=z3) into tensors from rand_like."""
    for lib in (rg, torch):
        tensor = lib.ones(4, 4)
        tensor[:, 1] = 0
        y1 = tensor @ tensor.T
        y3 = lib.rand_like(y1)
        lib.matmul(tensor, tensor.T, out=y3)
        z3 = lib.rand_like(tensor)
        lib.mul(tensor, tensor, out=z3)
        np.testing.assert_array_equal(y3.numpy(), y1.numpy())
        np.testing.assert_array_equal(z3.numpy(), (tensor * tensor).numpy())


def test_max_along_a_dimension_writes_values_and_indices():
    res = []
    for lib in (rg, torch):
        a, _ = inputs(lib)
        values, indices = lib.zeros(2), lib.zeros(2, dtype=lib.long)
        r = lib.max(a, 1, out=(values, indices))
        assert r.values is values and r.indices is indices
        res.append((values.numpy(), indices.numpy()))
    for x, y in zip(*res):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("out_shape", [(0,), (3,), (2, 2, 1), (4,)])
def test_out_of_another_shape_is_resized_with_pytorchs_warning(out_shape):
    seen = []
    for lib in (rg, torch):
        a, b = inputs(lib)
        out = lib.zeros(out_shape)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.add(a, b, out=out)
        assert tuple(out.shape) == (2, 2)
        np.testing.assert_array_equal(out.numpy(), A + B)
        seen.append([str(m.message) for m in w if m.category is UserWarning])
    ours, theirs = seen
    assert len(ours) == len(theirs) == (1 if out_shape != (0,) else 0)
    if theirs:
        assert "was resized since it had shape" in ours[0]
        assert f"shape {list(out_shape)}" in ours[0] and "[2, 2]" in ours[0]


def test_the_resize_warning_points_at_the_callers_line():
    out = rg.zeros(3)
    with pytest.warns(UserWarning, match="resized") as w:
        rg.mul(*inputs(rg), out=out)
    assert w[0].filename == __file__


def test_a_resized_view_gets_memory_of_its_own():
    base = rg.zeros(6)
    view = base[:3]
    with pytest.warns(UserWarning):
        rg.add(*inputs(rg), out=view)
    assert tuple(view.shape) == (2, 2) and base.numpy().tolist() == [0.0] * 6


@pytest.mark.parametrize("name,out_dtype", [
    ("add", "float64"), ("add", "float16"), ("add", "complex64"), ("add", "int64"),
    ("add", "bool"), ("exp", "int32"), ("mul", "float64"), ("eq", "float32"),
    ("eq", "int64"), ("sum_dim", "float64"), ("matmul", "float64"), ("mm", "float64"),
    ("softmax", "float64"), ("amax", "float64"), ("where", "float64"), ("clamp", "float64"),
    ("neg", "float64"), ("gather", "float64"), ("max_all", "float64"), ("cat", "float64"),
])
def test_out_dtype_casts_as_pytorch_or_is_refused_as_pytorch(name, out_dtype):
    shape, _ = shape_and_dtype(name)
    outcome = []
    for lib in (torch, rg):
        a, b = inputs(lib)
        out = lib.zeros(shape, dtype=getattr(lib, out_dtype))
        try:
            CALLS[name](lib, a, b, out)
            outcome.append((out.dtype, out.numpy().astype(np.complex128)))
        except RuntimeError:
            outcome.append(RuntimeError)
    theirs, ours = outcome
    if theirs is RuntimeError:
        assert ours is RuntimeError, f"retrograd wrote {name} into {out_dtype}"
    else:
        assert ours is not RuntimeError, f"retrograd refused {name} into {out_dtype}"
        assert str(ours[0]) == str(theirs[0]).removeprefix("torch.")
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-3)


def test_indices_of_max_want_int64():
    for lib in (torch, rg):
        a, _ = inputs(lib)
        with pytest.raises(RuntimeError, match="dtype"):
            lib.max(a, 1, out=(lib.zeros(2), lib.zeros(2, dtype=lib.int32)))


@pytest.mark.parametrize("who", ["input", "out", "in_list"])
def test_out_refuses_what_requires_grad_outside_no_grad(who):
    for lib in (torch, rg):
        a, b = inputs(lib)
        out = lib.zeros(2, 2)
        if who == "input":
            a.requires_grad_(True)
        elif who == "out":
            out.requires_grad_(True)
        else:
            b.requires_grad_(True)
        with pytest.raises(RuntimeError, match="out=.*automatic differentiation"):
            if who == "in_list":
                lib.cat([a, b], out=lib.zeros(4, 2))
            else:
                lib.add(a, b, out=out)


def test_inside_no_grad_out_may_require_grad_and_stays_a_leaf():
    res = []
    for lib in (rg, torch):
        a, b = inputs(lib)
        a.requires_grad_(True)
        out = lib.zeros(2, 2, requires_grad=True)
        with lib.no_grad():
            lib.mul(a, b, out=out)
        assert out.requires_grad and out.is_leaf and out.grad_fn is None
        res.append(out.detach().numpy())
    np.testing.assert_array_equal(*res)


def test_out_must_be_a_tensor_and_functions_without_out_refuse_it():
    for lib in (torch, rg):
        a, b = inputs(lib)
        with pytest.raises(TypeError):
            lib.add(a, b, out=[lib.zeros(2, 2)])
        for call in (lambda: lib.clone(a, out=lib.zeros(2, 2)),
                     lambda: lib.reshape(a, (4,), out=lib.zeros(4)),
                     lambda: lib.relu(a, out=lib.zeros(2, 2))):
            with pytest.raises(TypeError):
                call()


def test_version_counter_catches_a_saved_tensor_overwritten_through_out():
    """Writing into a tensor an op saved is an in-place change: backward refuses it,
    in both frameworks."""
    for lib in (torch, rg):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        x = lib.tensor([3.0, 4.0])
        y = (w * x).sum()
        lib.add(x, 1, out=x)
        with pytest.raises(RuntimeError):
            y.backward()


def test_out_on_the_gpu_stays_there_and_refuses_another_device(fake_cuda):
    a = rg.tensor(A, dtype=rg.float32, device="cuda")
    out = rg.zeros(3, device="cuda")
    with pytest.warns(UserWarning, match="resized"):
        r = rg.matmul(a, a, out=out)
    assert r is out and out.device == "cuda" and tuple(out.shape) == (2, 2)
    np.testing.assert_allclose(out.numpy(), A @ A, rtol=1e-6)
    with pytest.raises(RuntimeError, match="same device"):
        rg.add(a, a, out=rg.zeros(2, 2))
