"""PyTorch compatibility of dtypes, creation functions and devices: each snippet
runs on retrograd and on PyTorch (the oracle), and the results must agree in
values, shapes and dtypes, or both must raise the same type of error."""
import math

import numpy as np
import pytest

import retrograd as rg
from retrograd import dtypes

torch = pytest.importorskip("torch")


def dtype_name(d):
    """"float32" for retrograd.float32 and torch.float32 alike."""
    return str(d).removeprefix("torch.") if isinstance(d, torch.dtype) else np.dtype(d).name


def agree(snippet, values=True, rtol=1e-6, atol=0.0):
    """Run ``snippet(T)`` with T = retrograd and T = torch; compare the tensors."""
    ours, theirs = snippet(rg), snippet(torch)
    assert tuple(ours.shape) == tuple(theirs.shape), (ours.shape, theirs.shape)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    assert ours.requires_grad == theirs.requires_grad
    if values:
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)
    return ours, theirs


def both_raise(snippet):
    """Both frameworks refuse; retrograd's error is an instance of PyTorch's type."""
    with pytest.raises(Exception) as theirs:
        snippet(torch)
    with pytest.raises(type(theirs.value)) as ours:
        snippet(rg)
    return str(ours.value)


# -- dtypes -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", dtypes.NAMES)
def test_every_dtype_name_is_pytorchs(name):
    assert dtype_name(getattr(rg, name)) == dtype_name(getattr(torch, name))
    assert rg.zeros(2, dtype=getattr(rg, name)).dtype == getattr(rg, name)


def test_tensor_dtype_equals_the_dtype_objects_and_strings_still_work():
    assert rg.zeros(2).dtype == rg.float32 == rg.float == "float32"
    assert rg.tensor([1, 2]).dtype == rg.long and rg.tensor([True]).dtype == rg.bool
    assert rg.ones(2, dtype="double").dtype == rg.float64
    assert rg.arange(3, dtype="int").dtype == rg.int32 == np.int32
    assert rg.bool_ is rg.bool


def test_default_dtype():
    assert dtype_name(rg.get_default_dtype()) == dtype_name(torch.get_default_dtype())
    rg.set_default_dtype(rg.float32)
    both_raise(lambda T: T.set_default_dtype(T.int64))
    # PyTorch can make float64 the default; retrograd's layers and ops make float32.
    with pytest.raises(NotImplementedError, match="dtype=retrograd.float64.*model.double"):
        rg.set_default_dtype(rg.float64)


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(name):
    ours, theirs = rg.finfo(getattr(rg, name)), torch.finfo(getattr(torch, name))
    for field in ("eps", "max", "min", "tiny", "smallest_normal", "resolution", "bits"):
        rel = 1e-3 if field == "resolution" else 1e-6   # NumPy's is the float16 of 0.001
        assert float(getattr(ours, field)) == pytest.approx(float(getattr(theirs, field)),
                                                            rel=rel), field
    assert float(rg.finfo().eps) == torch.finfo().eps


@pytest.mark.parametrize("name", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo(name):
    ours, theirs = rg.iinfo(getattr(rg, name)), torch.iinfo(getattr(torch, name))
    assert (ours.min, ours.max, ours.bits) == (theirs.min, theirs.max, theirs.bits)


def test_finfo_and_iinfo_refuse_the_other_kind():
    both_raise(lambda T: T.finfo(T.int32))
    both_raise(lambda T: T.iinfo(T.float32))


def test_is_floating_point_and_is_tensor():
    for T in (rg, torch):
        assert T.is_floating_point(T.zeros(1)) and not T.is_floating_point(T.zeros(1).long())
        assert T.is_tensor(T.zeros(1)) and not T.is_tensor(np.zeros(1))
        assert T.numel(T.zeros(2, 3)) == 6


# -- creation -------------------------------------------------------------------------
@pytest.mark.parametrize("snippet", [
    lambda T: T.tensor(1.5), lambda T: T.tensor(True), lambda T: T.tensor([1, 2]),
    lambda T: T.tensor([[1.0, 2], [3, 4]]), lambda T: T.tensor(np.zeros(3)),
    lambda T: T.tensor(np.float32(2)), lambda T: T.tensor([np.float64(1.0), np.float64(2)]),
    lambda T: T.tensor(1 + 2j), lambda T: T.tensor([1, 2], dtype=T.float64),
    lambda T: T.tensor([1.0, 2.0], requires_grad=True),
    lambda T: T.as_tensor([1.0, 2.0]), lambda T: T.as_tensor(np.arange(3)),
    lambda T: T.from_numpy(np.arange(4.0).reshape(2, 2)),
    lambda T: T.zeros(2, 3), lambda T: T.zeros((2, 3)), lambda T: T.zeros([2, 3]),
    lambda T: T.zeros(size=(2, 3)), lambda T: T.zeros(()), lambda T: T.zeros(np.int64(3)),
    lambda T: T.ones(2, dtype=T.int32), lambda T: T.ones(3, requires_grad=True),
    lambda T: T.full((2, 2), 7), lambda T: T.full((2,), True), lambda T: T.full((2,), 1.5),
    lambda T: T.full((2,), 3, dtype=T.float64), lambda T: T.eye(3), lambda T: T.eye(2, 4),
    lambda T: T.eye(2, dtype=T.int64),
    lambda T: T.arange(5), lambda T: T.arange(1, 7, 2), lambda T: T.arange(5, 0, -1),
    lambda T: T.arange(0, 1, 0.1), lambda T: T.arange(-1.5, 2.5, 0.25),
    lambda T: T.arange(0, 1000, 0.37), lambda T: T.arange(5, dtype=T.float64),
    lambda T: T.arange(T.tensor(4)), lambda T: T.arange(T.tensor(4.0)),
    lambda T: T.linspace(-math.pi, math.pi, 2000), lambda T: T.linspace(0, 10, 5),
    lambda T: T.linspace(0, 10, 5, dtype=T.int64), lambda T: T.linspace(0, 1, 1),
    lambda T: T.linspace(0, 1, 0), lambda T: T.linspace(2, -3, 7, dtype=T.float64),
    lambda T: T.logspace(0, 2, 3), lambda T: T.logspace(0, 3, 4, base=2),
    lambda T: T.logspace(-2, 2, 9, dtype=T.float64), lambda T: T.logspace(0, 2, 3, dtype=T.int64),
    lambda T: T.zeros_like(T.ones(2, 3, dtype=T.int64)),
    lambda T: T.ones_like(T.zeros(2), dtype=T.float64),
    lambda T: T.full_like(T.zeros(2, dtype=T.int64), 2.7),
    lambda T: T.zeros_like(T.zeros(2), requires_grad=True),
])
def test_creation_agrees_with_pytorch(snippet):
    # Ranges: retrograd computes in float64 and rounds once, PyTorch in the output
    # dtype with vector instructions: they differ by an ulp of the range's scale.
    agree(snippet, rtol=1e-6, atol=1e-6)


def test_float64_ranges_agree_to_an_ulp():
    agree(lambda T: T.linspace(-math.pi, math.pi, 2001, dtype=T.float64), rtol=0,
          atol=4 * math.pi * 2.0 ** -52)
    agree(lambda T: T.arange(0, 10, 0.3, dtype=T.float64), rtol=0, atol=10 * 2.0 ** -52)


@pytest.mark.parametrize("snippet", [
    lambda T: T.empty(2, 3), lambda T: T.empty((2, 3), dtype=T.int32),
    lambda T: T.empty_like(T.zeros(4, dtype=T.float64)),
    lambda T: T.rand(2, 3), lambda T: T.rand((4,), dtype=T.float64), lambda T: T.randn(()),
    lambda T: T.randn(3, 2, requires_grad=True), lambda T: T.rand_like(T.zeros(2, 2)),
    lambda T: T.randn_like(T.zeros(3, dtype=T.float64)),
    lambda T: T.normal(0.0, 1.0, (4, 2)), lambda T: T.normal(2, 3, size=(2,)),
    lambda T: T.normal(0, 0.01, size=(2, 1), requires_grad=True),
    lambda T: T.normal(T.zeros(3, dtype=T.float64), 1.0), lambda T: T.normal(0.0, T.ones(3)),
    lambda T: T.normal(T.zeros(3, 1), T.ones(2)),
    lambda T: T.randint(5, (2, 3)), lambda T: T.randint(3, 10, (4,)),
    lambda T: T.randint(high=5, size=(2,)), lambda T: T.randint(3, 10, size=(2, 2)),
    lambda T: T.randint(0, 5, (3,), dtype=T.float32), lambda T: T.randperm(6),
    lambda T: T.randperm(0), lambda T: T.randperm(3, dtype=T.float32),
    lambda T: T.randint_like(T.zeros(4), 10), lambda T: T.randint_like(T.zeros(4), 3, 10),
])
def test_random_and_empty_creation_agree_in_shape_and_dtype(snippet):
    agree(snippet, values=False)


def test_random_values_are_in_range_and_seeded():
    rg.manual_seed(1)
    a = rg.randint(3, 10, (1000,)).numpy()
    assert a.min() == 3 and a.max() == 9
    assert sorted(rg.randperm(50).numpy().tolist()) == list(range(50))
    u = rg.rand(1000).numpy()
    assert 0 <= u.min() and u.max() < 1
    n = rg.normal(2.0, 3.0, size=(20000,)).numpy()
    assert abs(n.mean() - 2) < 0.1 and abs(n.std() - 3) < 0.1
    m = rg.normal(rg.tensor([0.0, 100.0]), rg.tensor([1e-6, 1e-6])).numpy()
    np.testing.assert_allclose(m, [0, 100], atol=1e-3)
    r = rg.randint_like(rg.zeros(100), 3, 5).numpy()
    assert set(r.tolist()) <= {3.0, 4.0}
    for draw in (lambda: rg.randn(3), lambda: rg.randperm(5), lambda: rg.randint(9, (4,)),
                 lambda: rg.normal(0, 1, (3,)), lambda: rg.rand(2)):
        rg.manual_seed(7)
        first = draw().numpy()
        rg.manual_seed(7)
        np.testing.assert_array_equal(first, draw().numpy())
    g1, g2 = rg.Generator().manual_seed(3), rg.Generator().manual_seed(3)
    np.testing.assert_array_equal(rg.randn(4, generator=g1).numpy(),
                                  rg.randn(4, generator=g2).numpy())
    assert g1.initial_seed() == torch.Generator().manual_seed(3).initial_seed() == 3


def test_tensor_copies_as_tensor_and_from_numpy_share():
    for T in (rg, torch):
        a = np.array([1.0, 2.0])
        t, s, f = T.tensor(a), T.as_tensor(a), T.from_numpy(a)
        a[0] = 9
        assert t.tolist() == [1.0, 2.0] and s.tolist() == f.tolist() == [9.0, 2.0]
        x = T.zeros(2)
        assert T.as_tensor(x) is x


@pytest.mark.parametrize("snippet", [
    lambda T: T.tensor([1, 2], requires_grad=True),          # integers hold no gradient
    lambda T: T.zeros(2, dtype=T.int64, requires_grad=True),
    lambda T: T.tensor("abc"), lambda T: T.tensor([[1, 2], [3]]),
    lambda T: T.zeros(2.5), lambda T: T.zeros(-1), lambda T: T.randperm(-1),
    lambda T: T.randn(2, dtype=T.int64), lambda T: T.rand_like(T.zeros(2, dtype=T.int64)),
    lambda T: T.normal(0.0, 1.0), lambda T: T.normal(0.0, -1.0, (2,)),
    lambda T: T.normal(T.zeros(3), T.ones(3), (3,)),
    lambda T: T.randint(5), lambda T: T.randint(5, 5, (2,)),
    lambda T: T.arange(0, 1, 0), lambda T: T.arange(1, 0, 1),
    lambda T: T.linspace(0, 1, -1), lambda T: T.linspace(0, 1),
    lambda T: T.from_numpy([1.0]),
])
def test_creation_errors_have_pytorchs_types(snippet):
    both_raise(snippet)


def test_creation_errors_name_the_function_and_values():
    assert "zeros: sizes must be >= 0, got (-1,)" in both_raise(lambda T: T.zeros(-1))
    assert "randint: low must be less than high, got low=5 >= high=5" in both_raise(
        lambda T: T.randint(5, 5, (2,)))
    assert "arange: step must be nonzero" in both_raise(lambda T: T.arange(0, 1, 0))
    assert "only floating-point" in both_raise(lambda T: T.tensor([1], requires_grad=True))


# -- devices ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cpu", "cuda", "cuda:0", "cuda:1", "cpu:0"])
def test_device_objects_are_pytorchs(name):
    ours, theirs = rg.device(name), torch.device(name)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert (str(ours), repr(ours)) == (str(theirs), repr(theirs))
    assert rg.device(ours) == ours and hash(rg.device(name)) == hash(ours)


def test_python_floats_given_float64_keep_float64_precision():
    agree(lambda T: T.tensor([[0.1, -0.4], [1 / 3, 2.0]], dtype=T.float64), rtol=0)


def test_device_constructors_and_equality():
    assert rg.device("cuda", 0) == rg.device("cuda:0")
    for a, b in [("cuda", "cuda:0"), ("cpu", "cuda")]:   # as in PyTorch: index matters
        assert (rg.device(a) == rg.device(b)) == (torch.device(a) == torch.device(b))
    # Tensor.device is a string in retrograd: a device equals the string naming it.
    assert rg.zeros(1).device == rg.device("cpu") and rg.device("cuda:0") == "cuda"
    assert rg.device("cuda:1") != "cuda" and rg.device("cpu") != "cuda"
    for bad in ["gpu", "cuda:x", "cuda:-1", " cuda", "cuda:0:1"]:
        both_raise(lambda T: T.device(bad))
    message = both_raise(lambda T: T.device("gpu"))
    assert "unknown device 'gpu'" in message
    with pytest.raises(ValueError, match="PyTorch's device type 'mps'"):
        rg.device("mps")


def test_device_objects_are_accepted_wherever_device_is(fake_cuda):
    for dev in (rg.device("cpu"), rg.device("cuda"), rg.device("cuda:0")):
        kind = dev.type
        made = [rg.zeros(2, device=dev), rg.tensor([1.0], device=dev), rg.randn(2, device=dev),
                rg.arange(3, device=dev), rg.linspace(0, 1, 3, device=dev),
                rg.eye(2, device=dev), rg.randint(5, (2,), device=dev),
                rg.ones(2).to(dev), rg.full((2,), 1.0, device=dev)]
        assert all(t.device == kind == dev for t in made)
    with pytest.raises(ValueError, match=r"device 'cuda:1': retrograd runs on one GPU"):
        rg.zeros(1, device=rg.device("cuda:1"))


def test_default_device(fake_cuda):
    assert rg.get_default_device() == rg.device("cpu")
    assert repr(rg.get_default_device()) == repr(torch.get_default_device())
    try:
        rg.set_default_device("cuda")
        assert rg.zeros(2).device == "cuda" and rg.tensor([1.0]).device == "cuda"
        assert rg.zeros(2, device="cpu").device == "cpu"
    finally:
        rg.set_default_device(None)
    assert rg.zeros(2).device == "cpu"
    with rg.device("cuda"):
        assert rg.randn(2).device == "cuda"
    assert rg.randn(2).device == "cpu"


def test_seeded_numbers_are_the_same_on_every_device(fake_cuda):
    for draw in (lambda d: rg.randn(4, device=d), lambda d: rg.randperm(6, device=d),
                 lambda d: rg.normal(0.0, 2.0, (3,), device=d)):
        rg.manual_seed(5)
        a = draw("cuda").numpy()
        rg.manual_seed(5)
        np.testing.assert_array_equal(a, draw("cpu").numpy())
