"""The op-testing harness: one finite-difference checker and one PyTorch comparer.

Each op test is a lambda written once and run here in retrograd (against finite
differences in float64) and, when PyTorch is installed, in PyTorch on the same
data (values and gradients, rtol 1e-6 in float64)."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import autodiff

try:
    import torch
except ImportError:  # the parity half of each test then skips
    torch = None


def check_grad(f, *arrays, atol=1e-6, rtol=1e-5):
    """Assert f's backward matches central finite differences in float64."""
    report = autodiff.gradcheck(f, tuple(np.asarray(a, dtype=np.float64) for a in arrays),
                                atol=atol, rtol=rtol)
    assert report, report


def check_jvp(f, *arrays, rtol=1e-7, atol=1e-9, seed=1):
    """Assert forward mode equals reverse mode: jvp(f, x, t) · v == t · vjp(f, x)(v)."""
    rng = np.random.default_rng(seed)
    xs = [np.asarray(a, dtype=np.float64) for a in arrays]
    ts = [rng.standard_normal(x.shape) for x in xs]
    y, dy = autodiff.jvp(f, xs, ts)
    v = rng.standard_normal(y.shape)
    _, pullback = autodiff.vjp(f, *xs)
    gs = pullback(v)
    lhs = float((dy.numpy() * v).sum())
    rhs = sum(float((g.numpy() * t).sum()) for g, t in zip(gs, ts))
    assert np.isclose(lhs, rhs, rtol=rtol, atol=atol), (lhs, rhs)


def compare_torch(f_rg, f_torch, *arrays, rtol=1e-6, atol=1e-9, seed=2):
    """Run the same computation in both frameworks (float64): values and gradients."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    xs = [np.asarray(a, dtype=np.float64) for a in arrays]
    ours = [rg.tensor(x, requires_grad=True) for x in xs]
    theirs = [torch.tensor(x, requires_grad=True) for x in xs]
    y, yt = f_rg(*ours), f_torch(*theirs)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=rtol, atol=atol)
    v = np.random.default_rng(seed).standard_normal(y.shape)
    y.backward(v)
    yt.backward(torch.tensor(v))
    for a, b in zip(ours, theirs):
        ga = a.grad.numpy() if a.grad is not None else np.zeros(a.shape)
        gb = b.grad.numpy() if b.grad is not None else np.zeros(a.shape)
        np.testing.assert_allclose(ga, gb, rtol=rtol, atol=atol)


def compare_torch_float32(f_rg, f_torch, x, rtol=1e-5, atol=1e-6, seed=3):
    """The same computation in float32 in both frameworks: the output stays float32,
    values and the gradient of ``x`` agree within float32's precision."""
    if torch is None:
        return
    a = rg.tensor(x.astype(np.float32), requires_grad=True)
    at = torch.tensor(x.astype(np.float32), requires_grad=True)
    ours, theirs = f_rg(a), f_torch(at)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)
    v = np.random.default_rng(seed).standard_normal(ours.shape).astype(np.float32)
    ours.backward(v)
    theirs.backward(torch.tensor(v))
    assert a.grad.dtype == np.float32
    np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=rtol, atol=atol)
