"""embedding and nn.Embedding: the scatter-add gradient (repeated indices add up, the
padding row gets none), finite differences, forward mode, PyTorch parity, devices,
max_norm and scale_grad_by_freq, and the errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from harness import check_grad, check_jvp, compare_torch, torch
from retrograd.missing import NotSupportedError
from retrograd.nn.sparse import Embedding
from retrograd.ops.embedding import embedding

R = np.random.default_rng(0)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_embedding_three_ways(data):
    n = data.draw(st.integers(1, 6), label="num_embeddings")
    d = data.draw(st.integers(1, 4), label="dim")
    shape = tuple(data.draw(st.lists(st.integers(0, 4), max_size=3), label="index shape"))
    idx = R.integers(0, n, size=shape)
    pad = data.draw(st.sampled_from([None, 0, -1]), label="padding_idx")
    freq = data.draw(st.booleans(), label="scale_grad_by_freq")
    w = R.standard_normal((n, d))

    def f(w):
        return embedding(rg.tensor(idx), w, padding_idx=pad, scale_grad_by_freq=freq)

    def ft(w):
        return torch.nn.functional.embedding(torch.tensor(idx), w, padding_idx=pad,
                                             scale_grad_by_freq=freq)

    def plain(w):
        return embedding(rg.tensor(idx), w)
    # The padding row's zero gradient and the frequency scaling are conventions, not
    # the derivative: finite differences and forward mode check the plain lookup,
    # PyTorch the conventions.
    check_grad(plain, w)
    check_jvp(plain, w)
    compare_torch(f, ft, w)


def test_repeated_indices_accumulate_and_padding_gets_nothing():
    w = rg.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    y = embedding(rg.tensor([[1, 2, 1], [1, 0, 3]]), w, padding_idx=3)
    assert y.shape == (2, 3, 3)
    np.testing.assert_array_equal(y.numpy()[0, 0], [3.0, 4.0, 5.0])
    y.backward(rg.ones(2, 3, 3))
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1.0, 3.0, 1.0, 0.0])


def test_module_like_torch_and_from_pretrained():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    ours = Embedding(7, 3, padding_idx=2)
    assert ours.weight.dtype == np.float32 and ours.weight.shape == (7, 3)
    assert np.all(ours.weight.numpy()[2] == 0)
    w = ours.weight.numpy()
    others = np.delete(w, 2, axis=0).ravel()
    assert abs(others.mean()) < 0.8 and 0.4 < others.std() < 1.6     # N(0, 1), 18 draws
    theirs = torch.nn.Embedding(7, 3, padding_idx=2)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    opt, opt_t = rg.optim.SGD(ours.parameters(), lr=0.5), torch.optim.SGD(
        theirs.parameters(), lr=0.5)
    for _ in range(3):
        idx = R.integers(0, 7, size=(4, 5))
        y, yt = ours(rg.tensor(idx)), theirs(torch.tensor(idx))
        loss, loss_t = (y * y).sum(), (yt * yt).sum()
        opt.zero_grad()
        opt_t.zero_grad()
        loss.backward()
        loss_t.backward()
        opt.step()
        opt_t.step()
        np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(),
                                   rtol=1e-6, atol=1e-6)
    table = R.standard_normal((5, 2)).astype(np.float32)
    frozen = Embedding.from_pretrained(rg.tensor(table))
    assert not frozen.weight.requires_grad and frozen(rg.tensor([4])).shape == (1, 2)
    table[0] = 9          # a copy: the caller's array is not the table
    assert frozen.weight.numpy()[0, 0] != 9
    assert Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_max_norm_renormalises_the_rows_used_as_torch():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    table = R.standard_normal((6, 4)) * 3
    ours, theirs = rg.tensor(table.copy(), requires_grad=True), torch.tensor(
        table.copy(), requires_grad=True)
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    y = embedding(rg.tensor(idx), ours, max_norm=1.5)
    yt = torch.nn.functional.embedding(torch.tensor(idx), theirs, max_norm=1.5)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6)
    np.testing.assert_array_equal(ours.numpy()[3], table[3])          # not used: kept
    y.backward(rg.ones_like(y))
    yt.backward(torch.ones_like(yt))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())
    # An op that saved the table, which a renormalisation then changes: both refuse.
    for t, lib, emb in ((ours, rg, embedding), (theirs, torch, torch.nn.functional.embedding)):
        saved = t * t
        emb(lib.tensor(idx), t, max_norm=0.5)
        with pytest.raises(RuntimeError, match="modified by an inplace operation|modified by "
                                               "an in-place operation"):
            saved.sum().backward()


def test_on_every_device(device):
    w = rg.tensor(R.standard_normal((5, 3)).astype(np.float32), device=device,
                  requires_grad=True)
    idx = rg.tensor(np.array([[4, 1], [1, 1]]), device=device)
    y = nn.Embedding.from_pretrained(w.detach(), freeze=False).to(device)(idx)
    assert y.device == device
    out = embedding(idx, w, padding_idx=4, scale_grad_by_freq=True)
    out.backward(rg.ones(2, 2, 3, device=device))
    assert w.grad.device == device
    np.testing.assert_allclose(w.grad.numpy()[:, 0], [0, 1, 0, 0, 0])   # 3 uses / 3


def test_errors():
    w = rg.tensor(R.standard_normal((5, 3)), requires_grad=True)
    with pytest.raises(IndexError, match=r"embedding: index out of range: indices must lie "
                                         r"in \[0, 5\) .* got values from -1 to 5"):
        embedding(rg.tensor([[-1, 5]]), w)
    with pytest.raises(RuntimeError, match=r"embedding: indices must be integers .* float32"):
        embedding(rg.tensor([1.0, 2.0]), w)
    with pytest.raises(RuntimeError, match=r"embedding: weight must be a 2-D tensor"):
        embedding(rg.tensor([1]), rg.ones(5))
    with pytest.raises(NotSupportedError, match="sparse=True"):
        embedding(rg.tensor([1]), w, sparse=True)
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings"):
        Embedding(5, 3, padding_idx=5)
    with pytest.raises(ValueError, match=r"Embedding: embedding_dim must be a positive"):
        Embedding(5, 0)
    with pytest.raises(ValueError, match=r"from_pretrained: embeddings must be 2-D"):
        Embedding.from_pretrained(np.ones(3))
    assert F.embedding is embedding
    if torch is not None:      # the same exception type as PyTorch's
        with pytest.raises(IndexError):
            torch.nn.functional.embedding(torch.tensor([5]), torch.ones(5, 3))
        with pytest.raises(RuntimeError):
            torch.nn.functional.embedding(torch.tensor([1.0]), torch.ones(5, 3))
