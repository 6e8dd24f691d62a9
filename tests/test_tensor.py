"""The Tensor's API and the creation functions: dtypes, conversions, properties,
comparisons, repr, and the guards against breaking a graph."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import Tensor


# -- construction and dtypes -----------------------------------------------------
def test_python_floats_are_float32_ints_int64_bools_bool():
    assert rg.tensor([1.0, 2.0]).dtype == np.float32
    assert rg.tensor(1.5).dtype == np.float32
    assert rg.tensor([1, 2]).dtype == np.int64
    assert rg.tensor([True, False]).dtype == np.bool_
    assert Tensor([[1.0], [2]]).dtype == np.float32


def test_arrays_keep_their_dtype_unless_one_is_asked():
    assert rg.tensor(np.zeros(2)).dtype == np.float64
    assert rg.tensor(np.zeros(2, dtype=np.int32)).dtype == np.int32
    assert rg.tensor([1, 2], dtype="float64").dtype == np.float64
    assert rg.tensor([1.0], dtype=rg.float64).dtype == np.float64
    assert rg.tensor([1.7], dtype="int64").numpy().tolist() == [1]
    assert Tensor([1.0], dtype="double").dtype == np.float64


def test_bad_data_and_dtypes_are_refused_clearly():
    with pytest.raises(TypeError, match="unknown dtype 'float17'"):
        rg.tensor([1.0], dtype="float17")
    with pytest.raises(TypeError, match="cannot make a tensor from dict"):
        rg.tensor({"a": 1})
    with pytest.raises(TypeError, match="numeric dtype"):
        rg.tensor(np.array([object()]))


def test_tensor_copies_and_from_numpy_shares():
    a = np.array([1.0, 2.0])
    t, s = rg.tensor(a), rg.from_numpy(a)
    a[0] = 9
    assert t.numpy()[0] == 1 and s.numpy()[0] == 9
    assert s.dtype == np.float64
    with pytest.raises(TypeError, match="expected a numpy.ndarray, got list"):
        rg.from_numpy([1.0])


def test_tensor_of_a_tensor_and_requires_grad():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    y = rg.tensor(x)
    assert not y.requires_grad and not np.shares_memory(y.array, x.array)


def test_zeros_ones_full():
    assert rg.zeros(2, 3).shape == (2, 3) and rg.zeros((2, 3)).shape == (2, 3)
    assert rg.zeros(2).dtype == np.float32 and not rg.zeros(2).numpy().any()
    assert (rg.ones(3, dtype="float64").numpy() == 1).all()
    assert rg.ones(3, dtype="float64").dtype == np.float64
    f = rg.full((2, 2), 7.5)
    assert f.shape == (2, 2) and (f.numpy() == 7.5).all() and f.dtype == np.float32
    assert rg.full(3, 2, dtype="int64").numpy().tolist() == [2, 2, 2]
    assert rg.zeros(2, requires_grad=True).requires_grad
    assert rg.zeros(()).shape == ()


def test_arange():
    assert rg.arange(4).numpy().tolist() == [0, 1, 2, 3] and rg.arange(4).dtype == np.int64
    assert rg.arange(1, 7, 2).numpy().tolist() == [1, 3, 5]
    r = rg.arange(0.0, 1.0, 0.25)
    assert r.dtype == np.float32 and r.numpy().tolist() == [0, 0.25, 0.5, 0.75]
    assert rg.arange(3, dtype="float64").dtype == np.float64


def test_random_creation_is_seeded_and_shaped():
    rg.manual_seed(3)
    a = rg.randn(2, 3)
    rg.manual_seed(3)
    b = rg.randn((2, 3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype == np.float32 and a.shape == (2, 3)
    u = rg.rand(1000, dtype="float64")
    assert u.dtype == np.float64 and 0 <= u.numpy().min() and u.numpy().max() < 1
    assert abs(rg.randn(10_000).numpy().mean()) < 0.05
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(rg.rand(3, generator=g1).numpy(),
                                  rg.rand(3, generator=g2).numpy())
    np.testing.assert_array_equal(rg.randn(3, generator=7).numpy(),
                                  rg.randn(3, generator=7).numpy())


def test_like_functions_copy_shape_and_dtype():
    x = rg.tensor(np.ones((2, 3)))  # float64
    for fn in (rg.zeros_like, rg.ones_like, rg.randn_like, rg.rand_like):
        y = fn(x)
        assert y.shape == (2, 3) and y.dtype == np.float64 and not y.requires_grad
    assert (rg.zeros_like(x).numpy() == 0).all() and (rg.ones_like(x).numpy() == 1).all()
    f = rg.full_like(x, 4.0)
    assert f.dtype == np.float64 and (f.numpy() == 4).all()
    assert rg.zeros_like(x, dtype="float32").dtype == np.float32
    assert rg.ones_like(x, requires_grad=True).requires_grad


# -- properties and conversions ----------------------------------------------------
def test_properties():
    x = rg.tensor(np.arange(6.0).reshape(2, 3))
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and x.numel() == 6
    assert x.dtype == np.float64 and x.device == "cpu" and len(x) == 2
    np.testing.assert_array_equal(x.T.numpy(), np.arange(6.0).reshape(2, 3).T)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(rg.tensor(1.0))


def test_numpy_item_array_and_python_conversions():
    x = rg.tensor([[1.5]])
    assert isinstance(x.numpy(), np.ndarray) and x.item() == 1.5
    assert isinstance(x.item(), float) and float(x) == 1.5 and int(rg.tensor([3])) == 3
    assert np.asarray(x).dtype == np.float32
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert rg.tensor([1, 2]).tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"item\(\): tensor of shape \(2,\) has 2 elements"):
        rg.tensor([1.0, 2.0]).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(rg.tensor([1.0, 2.0]))
    assert bool(rg.tensor([1.0]))


def test_numpy_ufuncs_and_operators_with_arrays_give_tensors():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([2.0, 3.0]) * x  # __array_priority__ hands the op to the tensor
    assert isinstance(y, Tensor) and y.requires_grad and y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), [2.0, 6.0])


def test_to_dtype_is_differentiable():
    x = rg.tensor([1.5, 2.5], requires_grad=True)
    for y in (x.to("float64"), x.to(dtype="float64"), x.to(np.float64), x.double(),
              x.astype("float64")):
        assert y.dtype == np.float64
    (x.to("float64") * 2).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.numpy().tolist() == [2.0, 2.0]
    assert x.to("float32") is x and x.to("cpu") is x and x.float() is x
    assert x.long().numpy().tolist() == [1, 2] and not x.long().requires_grad


def test_repr_is_readable():
    assert repr(rg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(rg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(rg.tensor(3.5, dtype="float64")) == "tensor(3.5, dtype=float64)"
    x = rg.tensor([1.0], requires_grad=True)
    assert repr(x) == "tensor([1.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2.], grad_fn=<Mul>)"
    assert "..." in repr(rg.zeros(1000))


# -- comparisons and argmax: no gradient ---------------------------------------------
def test_comparisons_return_boolean_tensors_without_gradient():
    x = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [(x > 2, [0, 0, 1]), (x >= 2, [0, 1, 1]), (x < 2, [1, 0, 0]),
                             (x <= 2, [1, 1, 0]), (x == 2, [0, 1, 0]), (x != 2, [1, 0, 1]),
                             (x == rg.tensor([1.0, 0.0, 3.0]), [1, 0, 1])]:
        assert isinstance(result, Tensor) and result.dtype == np.bool_
        assert not result.requires_grad and result.grad_fn is None
        assert result.numpy().astype(int).tolist() == expected
    assert {x: 1}[x] == 1  # tensors stay hashable by identity


def test_argmax_returns_an_integer_tensor_without_gradient():
    x = rg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 1.0]], requires_grad=True)
    a = x.argmax(axis=1)
    assert a.numpy().tolist() == [1, 0] and a.dtype.kind == "i" and not a.requires_grad
    assert rg.argmax(x).item() == 3 and x.argmin(axis=0).numpy().tolist() == [0, 1, 1]
    assert rg.argmax(x, axis=1, keepdims=True).shape == (2, 1)
    assert (x > 0).any().item() and not (x > 10).any().item() and (x >= 0).all().item()


# -- integer tensors and dtype promotion -----------------------------------------------
def test_integer_tensors_meeting_floats_become_float32_not_float64():
    x, i = rg.tensor([1.0, 2.0]), rg.arange(2)
    for y in (x + i, i * x, x - i, x / (i + 1), rg.maximum(x, i), rg.where(x > 1, x, i),
              rg.concatenate([x, i]), rg.stack([i, x]), x * np.array([1.0, 2.0]),
              x + np.float64(1.0), 2.0 ** x, x ** np.float64(2), x ** np.int64(2),
              np.float64(2) ** x, x * np.float32(2), x * np.int64(3)):
        assert y.dtype == np.float32, y
    assert (i + 1).dtype == np.int64 and (i * 2.0).dtype == np.float32


def test_float_functions_of_integers_give_float32():
    i = rg.tensor([1, 2, 4])
    for y in (i.exp(), i.log(), i.sqrt(), i.sin(), i.cos(), i / 2, 1 / i, i.mean(),
              i.var(), i.std(), (i > 1).mean(), i.softmax(0), i.log_softmax(0),
              i.logsumexp()):
        assert y.dtype == np.float32, y
    np.testing.assert_allclose((i / 2).numpy(), [0.5, 1, 2])


def test_float64_stays_float64():
    x = rg.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    y = ((x * 2.0 + 1) ** 2 / 3).exp().log().softmax(0).sum()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


# -- guards ---------------------------------------------------------------------------
def test_in_place_arithmetic_follows_pytorch():
    """Issue 14 changed this rule: in-place arithmetic works on a tensor that needs
    no gradient (it was refused), and is refused on a leaf that requires grad outside
    no_grad(), as in PyTorch (tests/test_inplace.py compares with PyTorch)."""
    x = rg.tensor([1.0])
    x += 1
    x *= 2
    assert x.numpy().tolist() == [4.0]
    w = rg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w += 1


def test_item_assignment():
    x = rg.tensor([1.0, 2.0, 3.0])
    x[0] = 5
    x[rg.tensor([1, 2])] = rg.tensor([7.0, 8.0])
    assert x.numpy().tolist() == [5, 7, 8]
    w = rg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="item assignment.*requires grad"):
        w[0] = 2
    with rg.no_grad():
        w[0] = 2
    assert w.item() == 2


def test_iteration_yields_rows():
    x = rg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 2 and rows[1].numpy().tolist() == [3, 4]
    sum(r.sum() for r in rows).backward()
    assert x.grad.numpy().tolist() == [[1, 1], [1, 1]]


def test_zero_():
    x = rg.tensor([1.0, 2.0])
    assert x.zero_() is x and x.numpy().tolist() == [0, 0]
