"""batch_norm, layer_norm, dropout2d and the nn layers over them (BatchNorm1d/2d,
LayerNorm, Dropout2d): finite differences and forward mode in float64, PyTorch parity
(values, gradients, running statistics after several steps; float64 and float32),
every device, and the errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from harness import check_grad, check_jvp, compare_torch, torch
from retrograd.nn.dropout import Dropout2d, dropout1d, dropout2d
from retrograd.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from retrograd.ops.normalization import batch_norm, layer_norm

R = np.random.default_rng(0)


def _shape(data, rank):
    # at most 3 per axis: finite differences cost two passes per element
    return tuple(data.draw(st.integers(1, 3), label=f"d{i}") for i in range(rank))


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_batch_norm_training_three_ways(data):
    rank = data.draw(st.sampled_from([2, 3, 4]), label="rank")
    shape = _shape(data, rank)
    if np.prod(shape) // shape[1] < 2:   # one value per channel: refused (below)
        shape = (shape[0] + 1,) + shape[1:]
    c = shape[1]
    x = R.standard_normal(shape) * 3 + 1
    w, b = R.standard_normal(c), R.standard_normal(c)
    eps = data.draw(st.sampled_from([1e-5, 1e-1]), label="eps")

    def f(x, w, b):
        return batch_norm(x, None, None, w, b, training=True, eps=eps)

    def ft(x, w, b):
        return torch.nn.functional.batch_norm(x, None, None, w, b, training=True, eps=eps)
    check_grad(f, x, w, b, atol=1e-5, rtol=1e-4)
    check_jvp(f, x, w, b)
    compare_torch(f, ft, x, w, b)


@settings(max_examples=12, deadline=None)
@given(st.data())
def test_layer_norm_three_ways(data):
    rank = data.draw(st.integers(1, 4), label="rank")
    shape = _shape(data, rank)
    k = data.draw(st.integers(1, rank), label="k")
    norm = shape[rank - k:]
    if np.prod(norm) < 2:
        shape = shape[:-1] + (shape[-1] + 1,)
        norm = shape[rank - k:]
    x = R.standard_normal(shape) * 2 - 1
    w, b = R.standard_normal(norm), R.standard_normal(norm)
    affine = data.draw(st.booleans(), label="affine")
    if affine:
        def f(x, w, b):
            return layer_norm(x, norm, w, b)

        def ft(x, w, b):
            return torch.nn.functional.layer_norm(x, norm, w, b)
        arrays = (x, w, b)
    else:
        def f(x):
            return layer_norm(x, norm)

        def ft(x):
            return torch.nn.functional.layer_norm(x, norm)
        arrays = (x,)
    check_grad(f, *arrays, atol=1e-5, rtol=1e-4)
    check_jvp(f, *arrays)
    compare_torch(f, ft, *arrays)


def test_batch_norm_eval_and_partial_affine_three_ways():
    x = R.standard_normal((3, 2, 4))
    rm, rv = R.standard_normal(2), R.random(2) + 0.5
    w, b = R.standard_normal(2), R.standard_normal(2)
    cases = [  # (ours, theirs, arrays): eval mode with γ, β; γ only; β only; neither
        (lambda x, w, b: batch_norm(x, rg.tensor(rm), rg.tensor(rv), w, b),
         lambda x, w, b: torch.nn.functional.batch_norm(x, torch.tensor(rm), torch.tensor(rv),
                                                        w, b), (x, w, b)),
        (lambda x, w: batch_norm(x, None, None, w, training=True),
         lambda x, w: torch.nn.functional.batch_norm(x, None, None, w, training=True), (x, w)),
        (lambda x, b: batch_norm(x, None, None, None, b, training=True),
         lambda x, b: torch.nn.functional.batch_norm(x, None, None, None, b, training=True),
         (x, b)),
        (lambda x: batch_norm(x, rg.tensor(rm), rg.tensor(rv)),
         lambda x: torch.nn.functional.batch_norm(x, torch.tensor(rm), torch.tensor(rv)), (x,)),
    ]
    for f, ft, arrays in cases:
        check_grad(f, *arrays, atol=1e-5, rtol=1e-4)
        check_jvp(f, *arrays)
        compare_torch(f, ft, *arrays)


def test_batch_norm_is_one_fused_node():
    x = rg.tensor(R.standard_normal((4, 3)), requires_grad=True)
    y = batch_norm(x, None, None, rg.ones(3, requires_grad=True), rg.zeros(3), training=True)
    assert type(y._op).__name__ == "Normalize" and y._op.parents[0] is x
    y = layer_norm(x, (3,))
    assert type(y._op).__name__ == "Normalize" and y._op.parents[0] is x


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 2e-5)])
def test_functional_running_stats_match_torch(dtype, rtol):
    """Several training steps: output, γ/β/x gradients, running mean and (unbiased)
    running variance as PyTorch's, in the given dtype; then evaluation mode."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    c = 3
    ours = [rg.tensor(np.zeros(c, dtype)), rg.tensor(np.ones(c, dtype))]
    theirs = [torch.zeros(c, dtype=getattr(torch, dtype)), torch.ones(c, dtype=getattr(torch,
                                                                                        dtype))]
    w0, b0 = R.standard_normal(c).astype(dtype), R.standard_normal(c).astype(dtype)
    for step in range(3):
        x = (R.standard_normal((5, c, 2, 3)) * (step + 1) + step).astype(dtype)
        g = R.standard_normal(x.shape).astype(dtype)
        xr, wr, br = (rg.tensor(a, requires_grad=True) for a in (x, w0, b0))
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w0, b0))
        y = F.batch_norm(xr, *ours, wr, br, training=True, momentum=0.3)
        yt = torch.nn.functional.batch_norm(xt, *theirs, wt, bt, training=True, momentum=0.3)
        assert y.dtype == np.dtype(dtype)
        y.backward(g)
        yt.backward(torch.tensor(g))
        for a, b in [(y, yt), (xr.grad, xt.grad), (wr.grad, wt.grad), (br.grad, bt.grad),
                     (ours[0], theirs[0]), (ours[1], theirs[1])]:
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=rtol, atol=rtol)
    x = R.standard_normal((2, c, 2, 2)).astype(dtype)
    np.testing.assert_allclose(
        batch_norm(rg.tensor(x), *ours, rg.tensor(w0), rg.tensor(b0)).numpy(),
        torch.nn.functional.batch_norm(torch.tensor(x), *theirs, torch.tensor(w0),
                                       torch.tensor(b0)).numpy(), rtol=rtol, atol=rtol)


def test_layer_norm_float32_matches_torch():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    x = R.standard_normal((4, 3, 5)).astype(np.float32) * 10
    w, b = R.standard_normal((3, 5)).astype(np.float32), R.standard_normal((3, 5)).astype(
        np.float32)
    g = R.standard_normal(x.shape).astype(np.float32)
    ours = [rg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y, yt = layer_norm(ours[0], (3, 5), *ours[1:]), torch.nn.functional.layer_norm(
        theirs[0], (3, 5), *theirs[1:])
    assert y.dtype == np.float32
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-4)


def _torch_module(ours, cls, *args, **kwargs):
    theirs = cls(*args, **kwargs)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return theirs


@pytest.mark.parametrize("ours_cls,theirs_name,shape,kwargs", [
    (BatchNorm1d, "BatchNorm1d", (6, 3), {}),
    (BatchNorm1d, "BatchNorm1d", (4, 3, 5), {"momentum": None}),
    (BatchNorm2d, "BatchNorm2d", (4, 3, 2, 3), {"affine": False}),
    (BatchNorm2d, "BatchNorm2d", (4, 3, 2, 2), {"track_running_stats": False}),
    (LayerNorm, "LayerNorm", (4, 3, 5), {}),
])
def test_modules_train_like_torch(ours_cls, theirs_name, shape, kwargs):
    """The same module in both frameworks, from the same weights: a few SGD steps in
    train() mode, then eval(): outputs, gradients, parameters and buffers agree, and
    state_dict keys are PyTorch's."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    arg = shape[-1] if ours_cls is LayerNorm else shape[1]
    ours = ours_cls(arg, **kwargs)
    if ours_cls is not LayerNorm and ours.affine:   # not the default ones/zeros
        ours.weight.array[...] = R.standard_normal(arg)
        ours.bias.array[...] = R.standard_normal(arg)
    theirs = _torch_module(ours, getattr(torch.nn, theirs_name), arg, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    params = list(ours.parameters())    # none for affine=False: no step then
    opt = rg.optim.SGD(params, lr=0.1) if params else None
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1) if params else None
    for step in range(4):
        if step == 3:
            ours.eval()
            theirs.eval()
        x = (R.standard_normal(shape) * 2 + step).astype(np.float32)
        target = R.standard_normal(shape).astype(np.float32)
        y, yt = ours(rg.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
        loss, loss_t = ((y - rg.tensor(target)) ** 2).mean(), ((yt - torch.tensor(target))
                                                               ** 2).mean()
        if opt is not None:
            opt.zero_grad()
            opt_t.zero_grad()
            loss.backward()
            loss_t.backward()
            opt.step()
            opt_t.step()
        for (k, a), (k2, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
            assert k == k2
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def test_batchnorm_loads_a_torch_state_dict_and_moves_buffers(device):
    if torch is None:
        pytest.skip("PyTorch is not installed")
    theirs = torch.nn.BatchNorm2d(2)
    theirs(torch.randn(3, 2, 2, 2) * 3 + 1)    # running statistics away from 0 and 1
    ours = BatchNorm2d(2)
    ours.load_state_dict(theirs.state_dict())
    assert int(ours.num_batches_tracked.item()) == 1
    ours.to(device).eval()
    theirs.eval()
    assert ours.running_mean.device == device
    x = R.standard_normal((2, 2, 3, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(rg.tensor(x, device=device)).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_ops_on_every_device(device):
    """Forward and backward of the three ops on the device agree with the CPU."""
    x = R.standard_normal((3, 2, 2, 2)).astype(np.float32)
    w, b = R.standard_normal(2).astype(np.float32), R.standard_normal(2).astype(np.float32)
    results = []
    for dev in ("cpu", device):
        xs = [rg.tensor(a, device=dev, requires_grad=True) for a in (x, w, b)]
        rm, rv = rg.zeros(2, device=dev), rg.ones(2, device=dev)
        y = batch_norm(xs[0], rm, rv, xs[1], xs[2], training=True)
        y = y + batch_norm(xs[0], rm, rv, xs[1], xs[2])        # eval, after the update
        y = layer_norm(y, (2, 2), xs[1].reshape(2, 1) * rg.ones(2, 2, device=dev))
        y = dropout2d(y, 0.5, generator=np.random.default_rng(1))
        y.backward(rg.tensor(np.cos(x), device=dev))
        assert y.device == dev and xs[0].grad.device == dev
        results.append([y.numpy(), rm.numpy(), rv.numpy()] + [t.grad.numpy() for t in xs])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_dropout2d_zeroes_whole_channels():
    x = rg.tensor(np.full((50, 40, 3, 3), 2, np.float32), requires_grad=True)
    y = dropout2d(x, 0.3)
    a = y.numpy() / x.numpy()
    kept = a[:, :, 0, 0]
    assert np.all((a == kept[:, :, None, None]))            # one decision per channel
    assert set(np.unique(np.round(kept, 5))) <= {0, np.float32(round(1 / 0.7, 5))}
    assert abs((kept == 0).mean() - 0.3) < 0.05             # 2,000 channels: ±4σ ≈ ±0.04
    y.backward(rg.ones_like(y))
    np.testing.assert_allclose(x.grad.numpy(), a, rtol=1e-6)
    assert dropout2d(x, 0.3, training=False) is x
    layer = Dropout2d(0.5)
    assert np.all(layer.eval()(x).numpy() == x.numpy())
    assert isinstance(nn.functional.dropout2d(x, 0.2), rg.Tensor)
    with pytest.warns(UserWarning, match="3D input"):
        z = dropout2d(rg.ones(4, 6, 5), 0.5).numpy()
    assert np.all(z == z[:, :, :1])
    z = dropout1d(rg.ones(4, 6, 5), 0.5).numpy()
    assert np.all(z == z[:, :, :1]) and set(np.unique(z)) <= {0.0, 2.0}


def test_dropout2d_matches_torch_semantics():
    """Same statistics as PyTorch: the fraction of channels dropped and the scale."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    x = np.ones((20, 30, 2, 2), np.float32)
    t = torch.nn.functional.dropout2d(torch.tensor(x), 0.4, True).numpy()
    o = dropout2d(rg.tensor(x), 0.4, True).numpy()
    assert set(np.unique(t)) == set(np.unique(o)) == {0.0, np.float32(1 / 0.6)}
    assert abs((o == 0).mean() - (t == 0).mean()) < 0.1


def test_errors_name_the_op_and_shapes():
    x4 = rg.tensor(R.standard_normal((2, 3, 4, 4)).astype(np.float32))
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4D input, got 2D input of "
                                         r"shape \(2, 3\)"):
        BatchNorm2d(3)(rg.ones(2, 3))
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 2D or 3D input, got 4D"):
        BatchNorm1d(3)(x4)
    with pytest.raises(RuntimeError, match=r"BatchNorm2d: input of shape \(2, 3, 4, 4\) has 3 "
                                         r"channels \(axis 1\), expected 5"):
        BatchNorm2d(5)(x4)
    with pytest.raises(ValueError, match=r"more than 1 value per channel when training, got "
                                         r"input size \[1, 3\]"):
        BatchNorm1d(3)(rg.ones(1, 3))
    with pytest.raises(RuntimeError, match=r"batch_norm: weight of shape \(4,\) does not fit "
                                           r"input of shape \(2, 3, 4, 4\)"):
        batch_norm(x4, None, None, rg.ones(4), training=True)
    with pytest.raises(RuntimeError, match="running_mean and running_var must be given"):
        batch_norm(x4, None, None)
    with pytest.raises(ValueError, match=r"batch_norm: expected an input with a batch and a "
                                         r"channel axis"):
        batch_norm(rg.ones(3), None, None, training=True)
    with pytest.raises(TypeError, match="batch_norm: input must be a floating-point tensor"):
        batch_norm(rg.tensor([[1, 2], [3, 4]]), None, None, training=True)
    with pytest.raises(RuntimeError, match=r"layer_norm: given normalized_shape=\[5\], "
                                           r"expected input with shape \[\*, 5\], but got "
                                           r"input of size \[2, 3, 4, 4\]"):
        layer_norm(x4, 5)
    with pytest.raises(RuntimeError, match=r"layer_norm: weight of shape \(3,\) does not "
                                           r"match normalized_shape \(4,\)"):
        layer_norm(x4, (4,), rg.ones(3))
    with pytest.raises(ValueError, match=r"dropout2d: the drop probability p must lie in "
                                         r"\[0, 1\), got p=1"):
        dropout2d(x4, 1)
    with pytest.raises(ValueError, match=r"Dropout2d: the drop probability"):
        Dropout2d(1.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        dropout1d(x4)
    with pytest.raises(ValueError, match="momentum must lie in"):
        BatchNorm1d(3, momentum=2)
    if torch is not None:     # PyTorch raises the same types for these
        with pytest.raises(ValueError):
            torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
        with pytest.raises(RuntimeError):
            torch.nn.functional.layer_norm(torch.ones(2, 3, 4, 4), (5,))
        with pytest.raises(RuntimeError):
            torch.nn.BatchNorm2d(5)(torch.ones(2, 3, 4, 4))


def test_functional_names_and_module_exports():
    assert F.batch_norm is batch_norm and F.layer_norm is layer_norm
    assert F.dropout2d is dropout2d
    for name in ("BatchNorm1d", "BatchNorm2d", "LayerNorm", "Dropout2d", "Embedding"):
        assert name in nn.__all__ and hasattr(nn, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        repr(BatchNorm2d(4))
    assert repr(LayerNorm(4)).startswith("LayerNorm((4,), eps=1e-05")
