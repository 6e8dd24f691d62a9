"""The speed-ups of issue 7 keep PyTorch's semantics: the rank-one weight gradient
of a layer (fast_paths.Outer) behaves as a plain ``.grad`` wherever it is read,
the fused SGD update equals the plain one, and backend.ger equals a + α x yᵀ."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim
from retrograd.autodiff import grad as rg_grad
from retrograd.backend import axpy, ger
from retrograd.fast_paths import OuterGrad
from retrograd.nn import functional as F
from retrograd.ops.matmul import affine, linear

torch = pytest.importorskip("torch")


def mlp_steps(dtype, steps, momentum=0.0, read_grad=False, seed=0):
    """Online SGD (one sample per step) on a 6-5-3 ReLU MLP, in retrograd and in
    PyTorch from the same weights; returns both frameworks' final weights."""
    rng = np.random.default_rng(seed)
    w = [rng.standard_normal((5, 6)), rng.standard_normal(5),
         rng.standard_normal((3, 5)), rng.standard_normal(3)]
    x, y = rng.standard_normal((steps, 6)), rng.integers(0, 3, steps)
    ours = [rg.tensor(a.astype(dtype), requires_grad=True) for a in w]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in w]
    opt = optim.SGD(ours, lr=0.1, momentum=momentum)
    topt = torch.optim.SGD(theirs, lr=0.1, momentum=momentum)
    for i in range(steps):
        opt.zero_grad()
        h = linear(rg.tensor(x[i:i + 1].astype(dtype)), ours[0], ours[1]).relu()
        F.cross_entropy(linear(h, ours[2], ours[3]), y[i:i + 1]).backward()
        if read_grad:
            ours[0].grad.numpy()       # the matrix is built: the plain update runs
        opt.step()
        topt.zero_grad()
        th = torch.relu(torch.nn.functional.linear(torch.tensor(x[i:i + 1].astype(dtype)),
                                                   theirs[0], theirs[1]))
        torch.nn.functional.cross_entropy(torch.nn.functional.linear(th, theirs[2], theirs[3]),
                                          torch.tensor(y[i:i + 1])).backward()
        topt.step()
    return [p.numpy() for p in ours], [p.detach().numpy() for p in theirs]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("read_grad", [False, True])
def test_online_sgd_equals_torch(momentum, read_grad):
    ours, theirs = mlp_steps(np.float64, 20, momentum, read_grad)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_online_sgd_float32_stays_float32_and_equals_torch():
    ours, theirs = mlp_steps(np.float32, 20)
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def one_sample(layer=linear, seed=0):
    rng = np.random.default_rng(seed)
    shape = (3, 4) if layer is linear else (4, 3)
    w = rg.tensor(rng.standard_normal(shape), requires_grad=True)
    b = rg.tensor(rng.standard_normal(3), requires_grad=True)
    x = rng.standard_normal((1, 4))
    g = rng.standard_normal((1, 3))
    expected = g.T @ x if layer is linear else x.T @ g
    return w, b, x, g, expected


@pytest.mark.parametrize("layer", [linear, affine])
def test_grad_is_factored_until_read_and_then_the_matrix(layer):
    w, b, x, g, expected = one_sample(layer)
    layer(rg.tensor(x), w, b).backward(g)
    assert isinstance(w.grad, OuterGrad) and w.grad.factored
    assert w.grad.shape == expected.shape and w.grad.dtype == np.float64
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)
    assert not w.grad.factored
    np.testing.assert_allclose(b.grad.numpy(), g[0], rtol=1e-12)


def test_grad_survives_the_step_and_changes_of_the_input():
    w, b, x, g, expected = one_sample()
    xs = x.copy()
    xt = rg.from_numpy(xs)          # shares xs (rg.tensor would copy it)
    assert np.shares_memory(xt.array, xs)
    linear(xt, w, b).backward(g)
    xs[...] = 7.0                   # the caller reuses its input buffer
    w0 = w.numpy().copy()
    optim.SGD([w, b], lr=0.5).step()
    np.testing.assert_allclose(w.numpy(), w0 - 0.5 * expected, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)  # still ∂ℓ/∂W


def test_accumulates_without_zero_grad_and_after_zeroing_in_place():
    w, b, x, g, expected = one_sample()
    for _ in range(2):
        linear(rg.tensor(x), w, b).backward(g)
    np.testing.assert_allclose(w.grad.numpy(), 2 * expected, rtol=1e-12)
    optim.SGD([w, b], lr=0.1).zero_grad(set_to_none=False)
    linear(rg.tensor(x), w, b).backward(g)
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)


def test_in_place_change_of_the_grad_is_used_by_the_step():
    w, b, x, g, expected = one_sample()
    linear(rg.tensor(x), w, b).backward(g)
    w.grad.array *= 0.5              # as clip_grad_norm_ does
    w0 = w.numpy().copy()
    optim.SGD([w], lr=1.0).step()
    np.testing.assert_allclose(w.numpy(), w0 - 0.5 * expected, rtol=1e-12)


def test_shared_weight_hooks_and_autodiff_get_arrays():
    w, b, x, g, expected = one_sample()
    xt = rg.tensor(x)
    seen = []
    w.register_hook(lambda t: seen.append(type(t.array)))
    (linear(xt, w, b) + linear(xt, w)).backward(g)     # W used twice: summed
    np.testing.assert_allclose(w.grad.numpy(), 2 * expected, rtol=1e-12)
    assert seen == [np.ndarray]
    gw = rg_grad(lambda w_: (linear(xt, w_) * rg.tensor(g)).sum())(w.detach())
    assert type(gw.array) is np.ndarray
    np.testing.assert_allclose(gw.numpy(), expected, rtol=1e-12)


def test_anomaly_mode_checks_the_factored_gradient():
    w, _, x, g, _ = one_sample()   # no bias: W's is the only gradient
    with rg.detect_anomaly(), pytest.raises(FloatingPointError, match="Linear"):
        linear(rg.tensor(x), w).backward(np.array([[np.inf, 0.0, 1.0]]))


def test_module_training_step_with_batch_one_matches_batch_path():
    """nn.Linear + SGD: a batch of one takes the factored path; the same sample
    repeated (batch of two, loss summed and halved) takes the matrix path."""
    rng = np.random.default_rng(3)
    models = [nn.Linear(4, 3) for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    x, y = rng.standard_normal((1, 4)).astype(np.float32), np.array([2])
    for model, xb, yb in ((models[0], x, y), (models[1], np.repeat(x, 2, 0), np.repeat(y, 2))):
        opt = optim.SGD(model.parameters(), lr=0.3)
        opt.zero_grad()
        F.cross_entropy(model(rg.tensor(xb)), yb).backward()
        opt.step()
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_ger_equals_rank_one_update(dtype, layout):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((5, 7)).astype(dtype)
    if layout == "F":
        a = np.asfortranarray(a)
    x, y = rng.standard_normal(10).astype(dtype), rng.standard_normal(7).astype(dtype)
    x = x[::2] if layout == "strided" else x[:5]
    expected = a + dtype(-0.25) * np.outer(x, y)
    out = ger(-0.25, x, y, a)
    assert out is a and a.dtype == dtype
    np.testing.assert_allclose(a, expected, rtol=1e-6 if dtype == np.float32 else 1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [5, 40000])            # the NumPy and the BLAS paths
@pytest.mark.parametrize("layout", ["C", "strided", "read-only x"])
def test_axpy_equals_y_plus_alpha_x(dtype, n, layout):
    rng = np.random.default_rng(2)
    y = rng.standard_normal(n).astype(dtype)
    x = rng.standard_normal(2 * n).astype(dtype)
    x = x[::2] if layout == "strided" else x[:n].copy()
    if layout == "read-only x":
        x.flags.writeable = False
    expected = y + dtype(0.3) * x
    out = axpy(0.3, x, y)
    assert out is y and y.dtype == dtype
    # BLAS may fuse the multiply-add (one rounding instead of two): absolute tolerance.
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-6 if dtype == np.float32 else 1e-14)


def test_tune_malloc_reports_whether_it_applied():
    # In a child process: the setting is process-wide, the test session keeps its own.
    import platform
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", "from retrograd.backend import tune_malloc; "
                          "print(tune_malloc())"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert out.stdout.strip() == str(expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "transposed u"])
def test_gemm_tn_equals_a_plus_alpha_ut_v(dtype, layout):
    from retrograd.backend import gemm_tn
    rng = np.random.default_rng(3)
    a = rng.standard_normal((6, 7)).astype(dtype)
    if layout == "F":
        a = np.asfortranarray(a)
    u, v = rng.standard_normal((4, 6)).astype(dtype), rng.standard_normal((4, 7)).astype(dtype)
    if layout == "transposed u":
        u = np.ascontiguousarray(u.T).T      # not C-contiguous: the NumPy path
    expected = a + dtype(-0.5) * (u.T @ v)
    out = gemm_tn(-0.5, u, v, a)
    assert out is a and a.dtype == dtype
    np.testing.assert_allclose(a, expected, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-5 if dtype == np.float32 else 1e-12)


def minibatch_sgd(k, model_kind, steps=6, seed=0, overwrite_input=False):
    """Plain SGD on batches of k samples, retrograd against PyTorch (float64).
    ``overwrite_input``: the caller reuses its input buffer before opt.step()."""
    rng = np.random.default_rng(seed)
    w1, b1 = rng.standard_normal((16, 12)), rng.standard_normal(16)
    w2, b2 = rng.standard_normal((3, 16)), rng.standard_normal(3)
    xs, ys = rng.standard_normal((steps, k, 12)), rng.integers(0, 3, (steps, k))
    l1, l2 = nn.Linear(12, 16, dtype=np.float64), nn.Linear(16, 3, dtype=np.float64)
    for lin, (w, b) in ((l1, (w1, b1)), (l2, (w2, b2))):
        lin.weight.array[...], lin.bias.array[...] = w, b
    model = nn.Sequential(l1, nn.Tanh(), l2) if model_kind == "chain" else None
    forward = model if model is not None else (lambda x: l2(F.tanh(l1(x))))
    params = [l1.weight, l1.bias, l2.weight, l2.bias]
    opt = optim.SGD(params, lr=0.05)
    t1, t2 = torch.nn.Linear(12, 16).double(), torch.nn.Linear(16, 3).double()
    with torch.no_grad():
        for lin, (w, b) in ((t1, (w1, b1)), (t2, (w2, b2))):
            lin.weight.copy_(torch.tensor(w)), lin.bias.copy_(torch.tensor(b))
    topt = torch.optim.SGD(list(t1.parameters()) + list(t2.parameters()), lr=0.05)
    buf = np.empty((k, 12))
    for i in range(steps):
        buf[...] = xs[i]
        opt.zero_grad()
        F.cross_entropy(forward(rg.from_numpy(buf)), ys[i]).backward()
        factored = isinstance(l1.weight.grad, OuterGrad) and l1.weight.grad.factored
        if overwrite_input:
            buf[...] = 1e3                 # the next batch arrives before the step
        opt.step()
        topt.zero_grad()
        torch.nn.functional.cross_entropy(t2(torch.tanh(t1(torch.tensor(xs[i])))),
                                          torch.tensor(ys[i])).backward()
        topt.step()
    theirs = [t1.weight, t1.bias, t2.weight, t2.bias]
    return factored, [p.numpy() for p in params], [p.detach().numpy() for p in theirs]


@pytest.mark.parametrize("model_kind", ["chain", "layers"])
@pytest.mark.parametrize("overwrite_input", [False, True])
def test_minibatch_gradient_kept_factored_equals_torch(model_kind, overwrite_input):
    # k = 5 < min(16, 12): the first layer's gradient stays Gᵀ X until the update
    factored, ours, theirs = minibatch_sgd(5, model_kind, overwrite_input=overwrite_input)
    assert factored
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_large_batches_build_the_matrix():
    factored, ours, theirs = minibatch_sgd(20, "chain")   # 20 ≥ 12: no gain in factors
    assert not factored
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_a_retained_gradient_written_by_the_caller_does_not_change_the_weights_update():
    rng = np.random.default_rng(4)
    w = rg.tensor(rng.standard_normal((8, 6)), requires_grad=True)
    x = rg.tensor(rng.standard_normal((3, 6)))
    y = linear(x, w)
    y.retain_grad()
    (y * y).sum().backward()
    expected = 2 * y.numpy().T @ x.numpy()
    y.grad.array[...] = 0                      # the caller's own copy of ∂ℓ/∂y
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)


def test_a_gradient_given_to_backward_is_copied():
    rng = np.random.default_rng(5)
    w = rg.tensor(rng.standard_normal((8, 6)), requires_grad=True)
    x = rg.tensor(rng.standard_normal((3, 6)))
    seed = rng.standard_normal((3, 8))
    linear(x, w).backward(seed)
    expected = seed.T @ x.numpy()
    seed[...] = 0
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)
