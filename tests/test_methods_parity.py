"""Tensor methods with PyTorch's meaning (issue 14), each idiom run on retrograd and on
PyTorch from the same inputs: values, shapes, dtypes and gradients compared, or the
same kind of error raised by both."""
import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")

X = np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])           # distinct: max/min are unique
B = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7


def _out(lib, f):
    x = lib.tensor(X, requires_grad=True)
    b = lib.tensor(B, requires_grad=True)
    y = f(lib, x, b)
    return y, x, b


def _np(v):
    if hasattr(v, "detach"):
        return v.detach().numpy()
    if hasattr(v, "numpy"):
        return v.numpy()
    return np.asarray(v)


IDIOMS = {
    # reductions with dim/keepdim
    "sum_dim": lambda lib, x, b: x.sum(dim=1),
    "sum_dim_keepdim": lambda lib, x, b: x.sum(1, keepdim=True),
    "sum_dims_tuple": lambda lib, x, b: b.sum(dim=(0, 2)),
    "mean_dim": lambda lib, x, b: x.mean(dim=0),
    "fn_sum_dim": lambda lib, x, b: lib.sum(x, dim=1),
    "fn_mean_keepdim": lambda lib, x, b: lib.mean(b, dim=-1, keepdim=True),
    "max_all": lambda lib, x, b: x.max(),
    "max_dim_values": lambda lib, x, b: x.max(dim=1).values,
    "max_dim_tuple": lambda lib, x, b: x.max(1)[0] * 2,
    "max_keepdim": lambda lib, x, b: x.max(1, keepdim=True).values,
    "min_dim_values": lambda lib, x, b: x.min(dim=0).values,
    "fn_max_dim": lambda lib, x, b: lib.max(x, 1)[0],
    "amax": lambda lib, x, b: b.amax(dim=(1, 2)),
    "max_elementwise": lambda lib, x, b: x.max(x.flip(1) if lib is torch else x[:, ::-1]),
    "var_default_unbiased": lambda lib, x, b: x.var(),
    "var_dim_unbiased_false": lambda lib, x, b: x.var(dim=1, unbiased=False),
    "std_dim_keepdim": lambda lib, x, b: b.std(dim=2, keepdim=True),
    "var_correction": lambda lib, x, b: x.var(dim=0, correction=0),
    "norm": lambda lib, x, b: x.norm(),
    "norm_dim": lambda lib, x, b: b.norm(dim=1),
    "logsumexp_dim": lambda lib, x, b: x.logsumexp(dim=1),
    "softmax_dim": lambda lib, x, b: x.softmax(dim=1),
    "fn_softmax_dim0": lambda lib, x, b: lib.softmax(x, dim=0),
    "log_softmax_dim": lambda lib, x, b: x.log_softmax(dim=-1),
    # shapes and products
    "t": lambda lib, x, b: x.t(),
    "mT": lambda lib, x, b: b.mT,
    "mm": lambda lib, x, b: x.mm(x.t()),
    "fn_mm": lambda lib, x, b: lib.mm(x, x.t()),
    "bmm": lambda lib, x, b: b.bmm(b.mT),
    "matmul_batched": lambda lib, x, b: lib.matmul(b, b.transpose(1, 2)),
    "view_minus_one": lambda lib, x, b: b.view(-1, 4),
    "view_as": lambda lib, x, b: x.view_as(lib.zeros(3, 2)),
    "expand": lambda lib, x, b: x[:, :1].expand(2, 5),
    "expand_as": lambda lib, x, b: x[:1].expand_as(x),
    "repeat": lambda lib, x, b: x.repeat(2, 3),
    "repeat_new_dims": lambda lib, x, b: x.repeat(2, 1, 2),
    "transpose_dims": lambda lib, x, b: b.transpose(0, 2),
    "permute": lambda lib, x, b: b.permute(2, 0, 1),
    "squeeze_dim": lambda lib, x, b: x[:1].squeeze(0),
    "unsqueeze_dim": lambda lib, x, b: x.unsqueeze(dim=1),
    "flatten": lambda lib, x, b: b.flatten(1),
    "cat_dim": lambda lib, x, b: lib.cat([x, x * 2], dim=1),
    "stack_dim": lambda lib, x, b: lib.stack([x, x], dim=2),
    "gather": lambda lib, x, b: x.gather(1, lib.tensor([[0, 0, 2], [1, 2, 1]])),
    "fn_gather": lambda lib, x, b: lib.gather(x, 0, lib.tensor([[1, 0, 1]])),
    "masked_fill": lambda lib, x, b: x.masked_fill(x > 3, 0.0),
    "where_method": lambda lib, x, b: x.where(x > 2, lib.zeros(2, 3, dtype=lib.float64)),
    "fn_where": lambda lib, x, b: lib.where(x > 2, x, x * 10),
    "clamp": lambda lib, x, b: x.clamp(min=2.0, max=4.5),
    "clamp_min": lambda lib, x, b: x.clamp(min=2.5),
    "pow_method": lambda lib, x, b: x.pow(3),
    "fn_pow": lambda lib, x, b: lib.pow(x, 2),
    "square": lambda lib, x, b: x.square(),
    "add_alpha": lambda lib, x, b: x.add(x * x, alpha=0.5),
    "sub_alpha": lambda lib, x, b: x.sub(1.0, alpha=2),
    "mul_div": lambda lib, x, b: x.mul(3).div(x + 1),
    "neg": lambda lib, x, b: x.neg(),
    "clone": lambda lib, x, b: x.clone() * 2,
    "dot": lambda lib, x, b: x[0].dot(x[1]),
    "split_method": lambda lib, x, b: x.split(2, dim=1)[1] * 3,
    "split_sizes": lambda lib, x, b: lib.cat(b.split([1, 3], dim=2)[::-1], dim=2),
    "chunk_method": lambda lib, x, b: b.chunk(2, dim=2)[1],
    "tensor_split_method": lambda lib, x, b: x.tensor_split(2, dim=1)[0],
}


@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_idiom_values_shapes_dtypes_gradients(name):
    f = IDIOMS[name]
    (y, x, b), (ty, tx, tb) = _out(rg, f), _out(torch, f)
    assert tuple(y.shape) == tuple(ty.shape), (y.shape, ty.shape)
    assert np.dtype(y.dtype) == np.dtype(str(ty.dtype).replace("torch.", "")), (y.dtype,
                                                                                 ty.dtype)
    np.testing.assert_allclose(_np(y), _np(ty), rtol=1e-12, atol=1e-12)
    if ty.requires_grad:
        w = np.random.default_rng(0).standard_normal(tuple(ty.shape))
        (y * rg.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        for ours, theirs in ((x, tx), (b, tb)):
            if theirs.grad is None:
                assert ours.grad is None or not _np(ours.grad).any()
            else:
                np.testing.assert_allclose(_np(ours.grad), _np(theirs.grad), rtol=1e-10,
                                           atol=1e-12)


def test_size_dim_numel_and_shape_are_pytorchs():
    x, tx = rg.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    assert x.size() == tx.size() == (2, 3, 4)
    assert x.size(1) == tx.size(1) == 3 and x.size(-1) == tx.size(-1) == 4
    assert x.dim() == tx.dim() == 3 and x.numel() == tx.numel() == 24
    assert x.size().numel() == tx.size().numel() == 24
    assert len(x) == len(tx) == 2
    with pytest.raises(IndexError):
        x.size(3)
    with pytest.raises(IndexError):
        tx.size(3)


def test_max_dim_returns_values_and_indices():
    for lib in (rg, torch):
        x = lib.tensor(X)
        values, indices = x.max(dim=1)
        assert values.tolist() == [5.0, 6.0] and indices.tolist() == [1, 2]
        r = x.min(0)
        assert r.values.tolist() == [1.0, 2.0, 3.0] and r.indices.tolist() == [0, 1, 0]
        assert x.argmax(dim=1).tolist() == [1, 2]
        assert x.argmax().item() == 5
        assert x.argmax(1, keepdim=True).shape == (2, 1)


def test_python_numbers_formatting_and_indexing():
    for lib in (rg, torch):
        loss = lib.tensor(0.123456)
        assert f"{loss:+.2f}" == "+0.12" and format(loss, ".3e") == "1.235e-01"
        assert int(lib.tensor(3.7)) == 3 and float(lib.tensor([2.5])) == 2.5
        classes = ["cat", "dog", "bird"]
        assert classes[lib.tensor(2)] == "bird"
        assert classes[lib.tensor([1])] == "dog"
        assert lib.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
        assert lib.tensor([1.0, 2.0]).type(lib.float64).dtype == lib.float64
        assert lib.tensor([1.5]).long().dtype == lib.int64
        assert lib.tensor([1.5]).int().dtype == lib.int32
        assert lib.tensor([0.0, 1.5]).bool().tolist() == [False, True]
        assert lib.tensor([1.0]).type() == "torch.FloatTensor"
        with pytest.raises(TypeError):
            classes[lib.tensor([0, 1])]
        with pytest.raises((TypeError, ValueError)):
            format(lib.tensor([1.0, 2.0]), ".2f")


def test_t_of_a_3d_tensor_is_an_error():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3, 4).t()
    with pytest.raises(ValueError, match="t\\(\\) expects"):
        rg.zeros(2, 3, 4).t()


def test_gather_index_out_of_range_is_an_error():
    with pytest.raises(RuntimeError):
        torch.tensor(X).gather(1, torch.tensor([[3, 0, 0], [0, 0, 0]]))
    with pytest.raises(IndexError, match="gather: index out of range"):
        rg.tensor(X).gather(1, rg.tensor([[3, 0, 0], [0, 0, 0]]))


def test_numpy_words_keep_numpy_meaning():
    """retrograd also takes NumPy's axis/keepdims; there the meaning stays NumPy's."""
    x = rg.tensor(X)
    np.testing.assert_array_equal(x.max(axis=1).numpy(), X.max(axis=1))
    np.testing.assert_allclose(x.var(axis=0).numpy(), X.var(axis=0))
    np.testing.assert_allclose(x.sum(axis=1, keepdims=True).numpy(),
                               X.sum(axis=1, keepdims=True))
    assert x.size == 6     # NumPy's element count; x.size() is the shape


def test_inference_mode_records_no_graph():
    for lib in (rg, torch):
        x = lib.tensor([1.0], requires_grad=True)
        with lib.inference_mode():
            y = x * 2
        assert not y.requires_grad
        with lib.inference_mode(False):
            assert (x * 2).requires_grad



def test_gather_backward_on_every_device(device):
    """gather's gradient scatters back through an open grid of indices built with
    arange (CuPy has no indices(sparse=True)): the same on every device."""
    x = np.arange(12.0).reshape(3, 4)
    index = np.array([[0, 0], [3, 1], [2, 2]])
    grads = []
    for dev in ("cpu", device):
        t = rg.tensor(x, device=dev, requires_grad=True)
        t.gather(1, rg.tensor(index, device=dev)).sum().backward()
        grads.append(t.grad.cpu().numpy())
    np.testing.assert_array_equal(grads[0], [[2, 0, 0, 0], [0, 1, 0, 1], [0, 0, 2, 0]])
    np.testing.assert_array_equal(grads[1], grads[0])


def test_gather_with_an_index_smaller_than_the_input():
    """gather reads only the index's part of the other axes (NumPy's take_along_axis
    would broadcast a smaller index across them): PyTorch's values and gradients;
    an index larger than the input on another axis is PyTorch's RuntimeError."""
    torch = pytest.importorskip("torch")
    x = np.arange(12.0).reshape(3, 4)
    for dim, index in ((0, [[1]]), (0, [[1, 2]]), (1, [[3], [0]]), (0, [[1], [2], [0], [1]])):
        ours = rg.tensor(x, requires_grad=True)
        theirs = torch.tensor(x, requires_grad=True)
        y = ours.gather(dim, rg.tensor(index))
        yt = theirs.gather(dim, torch.tensor(index))
        np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
        g = np.arange(1.0, 1.0 + yt.numel()).reshape(tuple(yt.shape))
        y.backward(rg.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    with pytest.raises(RuntimeError, match="no larger than self"):
        rg.tensor(x).gather(0, rg.tensor([[1, 2, 0, 1, 2]]))


def test_flip_without_dims_is_a_type_error_as_pytorch():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.ones(2).flip()
    with pytest.raises(TypeError, match="dims"):
        rg.ones(2).flip()
