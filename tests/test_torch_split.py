"""split, tensor_split and chunk with PyTorch's meaning: each call runs on retrograd
and on PyTorch, and the pieces must agree in number, shapes, values and type, the
gradients through them too, or both must raise the same type of error. split with
``axis=`` keeps NumPy's meaning (PyTorch's split has no ``axis``)."""
import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")

X = np.arange(24.0).reshape(4, 6)


def pieces(lib, fn, *args, **kwargs):
    x = lib.tensor(X, dtype=lib.float64)
    return getattr(lib, fn)(x, *args, **kwargs)


def agree(fn, *args, **kwargs):
    ours, theirs = pieces(rg, fn, *args, **kwargs), pieces(torch, fn, *args, **kwargs)
    assert type(ours) is tuple and type(theirs) is tuple
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    return ours


def both_raise(fn, *args, **kwargs):
    with pytest.raises(Exception) as theirs:
        pieces(torch, fn, *args, **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        pieces(rg, fn, *args, **kwargs)
    return str(ours.value)


@pytest.mark.parametrize("args,kwargs", [
    ((1,), {}), ((3,), {}), ((4,), {}), ((5,), {}), ((2,), {"dim": 1}), ((4,), {"dim": 1}),
    ((4,), {"dim": -1}), ((6,), {"dim": 1}), ((10,), {"dim": 1}),
    (([1, 3],), {}), (([0, 4],), {}), (((2, 2),), {}), (([1, 2, 3],), {"dim": 1}),
    (([6],), {"dim": -1}),
])
def test_split_is_pytorchs(args, kwargs):
    agree("split", *args, **kwargs)


def test_split_of_size_two_is_not_numpys_two_sections():
    """The call that silently meant something else before: pieces of size 2."""
    ours = agree("split", 2, dim=1)
    assert [tuple(p.shape) for p in ours] == [(4, 2)] * 3


@pytest.mark.parametrize("args,kwargs", [
    ((1,), {}), ((3,), {}), ((4,), {}), ((6,), {}), ((4,), {"dim": 1}), ((7,), {"dim": 1}),
    (([1, 3],), {}), (([3, 1],), {}), (([-2],), {"dim": 1}), (([10],), {}), (([],), {}),
    (((0, 2, 5),), {"dim": 1}), ((), {"sections": 3}), ((), {"indices": [2]}),
])
def test_tensor_split_is_pytorchs(args, kwargs):
    agree("tensor_split", *args, **kwargs)


def test_tensor_split_takes_integer_tensors():
    for spec in ([2], 3):
        ours = rg.tensor_split(rg.tensor(X), rg.tensor(spec))
        theirs = torch.tensor_split(torch.tensor(X), torch.tensor(spec))
        assert [tuple(p.shape) for p in ours] == [tuple(p.shape) for p in theirs]
    both = [lib.tensor([1.0, 2.0]) for lib in (rg, torch)]
    with pytest.raises(RuntimeError):
        torch.tensor_split(torch.tensor(X), both[1])
    with pytest.raises(RuntimeError, match="long"):
        rg.tensor_split(rg.tensor(X), both[0])


@pytest.mark.parametrize("args,kwargs", [
    ((1,), {}), ((2,), {}), ((3,), {}), ((4,), {}), ((5,), {}), ((4,), {"dim": 1}),
    ((5,), {"dim": 1}), ((6,), {"dim": -1}), ((9,), {"dim": 1}),
])
def test_chunk_is_pytorchs(args, kwargs):
    agree("chunk", *args, **kwargs)


def test_empty_dimension():
    for lib in (rg, torch):
        x = lib.zeros((0, 3))
        assert [tuple(p.shape) for p in lib.split(x, 2)] == [(0, 3)]
        assert [tuple(p.shape) for p in lib.split(x, 0)] == [(0, 3)]
        assert [tuple(p.shape) for p in lib.chunk(x, 3)] == [(0, 3)] * 3
        assert [tuple(p.shape) for p in lib.tensor_split(x, 2)] == [(0, 3)] * 2


@pytest.mark.parametrize("fn,args,kwargs,match", [
    ("split", (0,), {}, "split_size can only be 0"),
    ("split", (-1,), {}, "non-negative"),
    ("split", ([1, 2],), {}, "sum exactly to 4"),
    ("split", ([],), {}, "sum exactly to 4"),
    ("split", ([-1, 5],), {}, "non-negative entries"),
    ("split", (2.0,), {}, "int"),
    ("split", (2,), {"dim": 2}, "range"),
    ("tensor_split", (0,), {}, "larger than 0"),
    ("tensor_split", (2,), {"dim": -3}, "range"),
    ("chunk", (0,), {}, "greater than 0"),
    ("chunk", ([2],), {}, "int"),
])
def test_errors_are_pytorchs(fn, args, kwargs, match):
    assert match in both_raise(fn, *args, **kwargs)


def test_a_zero_dimensional_tensor_is_refused():
    for fn in ("split", "tensor_split", "chunk"):
        for lib in (torch, rg):
            with pytest.raises(RuntimeError, match="1-dimensional"):
                getattr(lib, fn)(lib.tensor(1.0), 1)


def test_gradients_flow_through_the_pieces():
    def run(lib):
        x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        total = 0
        for fn, arg in (("split", 4), ("split", [1, 5]), ("tensor_split", 4), ("chunk", 4)):
            for i, p in enumerate(getattr(lib, fn)(x, arg, dim=1)):
                total = total + (p * (i + 1)).sum() ** 2 / 100
        total.backward()
        return x.grad.numpy()
    np.testing.assert_allclose(run(rg), run(torch), rtol=1e-12)


def test_pieces_are_views_sharing_the_version_counter():
    for lib in (rg, torch):
        x = lib.arange(10.0)
        p = lib.split(x, 3)[1]
        p[0] = 100.0
        assert x[3].item() == 100.0 and x._version == 1


def test_axis_keeps_numpys_meaning():
    """split(x, n, axis=…) is numpy.split: n equal parts, or cuts at indices."""
    x = rg.tensor(X)
    for spec in (2, 3, [1, 5], [2]):
        ours = rg.split(x, spec, axis=1)
        expected = np.split(X, spec, axis=1)
        assert len(ours) == len(expected)
        for a, b in zip(ours, expected):
            np.testing.assert_array_equal(a.numpy(), b)
    with pytest.raises(ValueError, match="equal parts"):
        rg.split(x, 4, axis=1)


def test_pieces_of_a_gpu_tensor_stay_on_the_gpu(fake_cuda):
    x = rg.tensor(X, device="cuda", requires_grad=True)
    parts = rg.split(x, [2, 4], dim=1) + rg.chunk(x, 3) + rg.tensor_split(x, 3, dim=1)
    assert all(p.device == "cuda" for p in parts)
    sum((p * (i + 1)).sum() for i, p in enumerate(parts)).backward()
    assert x.grad.device == "cuda" and tuple(x.grad.shape) == X.shape
