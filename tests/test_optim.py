"""Optimisers: trajectories equal torch.optim's, groups, checkpoints, bad input."""
import pickle
import warnings

import numpy as np
import pytest

import retrograd as rg
from retrograd import optim
from retrograd.nn.utils import clip_grad_norm_, clip_grad_value_
from retrograd.ops.losses import SoftmaxCrossEntropy
from retrograd.ops.matmul import linear

D, H, C, N, STEPS = 5, 8, 3, 16, 50


def problem(seed=0):
    """An MLP D → H → C on fixed random data: initial weights, inputs, labels."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.5, (H, D)), rng.normal(0, 0.1, H),
               rng.normal(0, 0.5, (C, H)), rng.normal(0, 0.1, C)]
    return weights, rng.normal(size=(N, D)), rng.integers(0, C, N)


def rg_loss(params, x, y):
    w1, b1, w2, b2 = params
    h = linear(x, w1, b1).relu()
    return SoftmaxCrossEntropy().apply(linear(h, w2, b2), y)


def rg_params(weights, dtype=np.float64):
    return [rg.tensor(w.astype(dtype), requires_grad=True) for w in weights]


def groups_of(params, groups):
    """[{'params': [0, 1], 'lr': ...}] with indices → the same with tensors."""
    if groups is None:
        return params
    return [{**g, "params": [params[i] for i in g["params"]]} for g in groups]


def rg_run(make, weights, x, y, steps=STEPS, groups=None):
    params = rg_params(weights)
    opt = make(groups_of(params, groups))
    xt, yt = rg.tensor(x), rg.tensor(y)
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        rg_loss(params, xt, yt).backward()
        opt.step()
        traj.append([p.array.copy() for p in params])
    return traj


def torch_run(make, weights, x, y, steps=STEPS, groups=None):
    torch = pytest.importorskip("torch")
    params = [torch.tensor(w, requires_grad=True) for w in weights]
    opt = make(groups_of(params, groups))
    xt, yt = torch.tensor(x), torch.tensor(y)
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        w1, b1, w2, b2 = params
        h = torch.relu(xt @ w1.T + b1)
        torch.nn.functional.cross_entropy(h @ w2.T + b2, yt).backward()
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.05)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01,
                     initial_accumulator_value=0.1, eps=1e-8)),
]


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{kw}" for n, kw in CONFIGS])
def test_trajectory_equals_torch(name, kw):
    torch = pytest.importorskip("torch")
    weights, x, y = problem()
    ours = rg_run(lambda p: getattr(optim, name)(p, **kw), weights, x, y)
    theirs = torch_run(lambda p: getattr(torch.optim, name)(p, **kw), weights, x, y)
    for t, (a, b) in enumerate(zip(ours, theirs)):
        for i, (pa, pb) in enumerate(zip(a, b)):
            np.testing.assert_allclose(pa, pb, rtol=1e-6, atol=1e-6,
                                       err_msg=f"{name} {kw}: step {t}, param {i}")
    # The problem is not trivial: the parameters did move.
    assert np.abs(ours[-1][0] - weights[0]).max() > 1e-3


GROUPS = [{"params": [0, 1], "lr": 0.02, "weight_decay": 0.05}, {"params": [2, 3]}]


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9)),
                                     ("Adam", dict(lr=0.01)),
                                     ("RMSprop", dict(lr=0.01, centered=True)),
                                     ("Adagrad", dict(lr=0.1))])
def test_param_groups_equal_torch(name, kw):
    torch = pytest.importorskip("torch")
    weights, x, y = problem(1)
    ours = rg_run(lambda p: getattr(optim, name)(p, **kw), weights, x, y, groups=GROUPS)
    theirs = torch_run(lambda p: getattr(torch.optim, name)(p, **kw), weights, x, y,
                       groups=GROUPS)
    for a, b in zip(ours[-1], theirs[-1]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_group_lr_is_used_and_writable():
    a, b = (rg.tensor(np.ones(2), requires_grad=True) for _ in range(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    (a.sum() + b.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.array, 0.9)
    np.testing.assert_allclose(b.array, 0.0)
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    np.testing.assert_allclose(a.array, 0.4)


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
                                     ("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("AdamW", dict(lr=0.01)),
                                     ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
                                     ("Adagrad", dict(lr=0.1, lr_decay=0.1))])
def test_state_dict_round_trip_continues_identically(name, kw):
    weights, x, y = problem(2)
    xt, yt = rg.tensor(x), rg.tensor(y)
    params = rg_params(weights)
    opt = getattr(optim, name)(params, **kw)

    def train(opt, params, n):
        for _ in range(n):
            opt.zero_grad()
            rg_loss(params, xt, yt).backward()
            opt.step()

    train(opt, params, 20)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    copy = [rg.tensor(p.array.copy(), requires_grad=True) for p in params]
    resumed = getattr(optim, name)(copy, lr=1.0)    # hyper-parameters come from the dict
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == kw["lr"]
    train(opt, params, 15)
    train(resumed, copy, 15)
    for a, b in zip(params, copy):
        np.testing.assert_array_equal(a.array, b.array)
    # state_dict is a snapshot: later steps do not change it.
    snap = opt.state_dict()
    before = {k: {n: np.copy(v) for n, v in s.items()} for k, s in snap["state"].items()}
    train(opt, params, 1)
    for k, s in snap["state"].items():
        for n, v in s.items():
            np.testing.assert_array_equal(v, before[k][n])


def test_load_state_dict_rejects_mismatch():
    a = rg.tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    a.sum().backward()
    opt.step()
    sd = opt.state_dict()
    other = optim.Adam([rg.tensor(np.ones(4), requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="shape"):
        other.load_state_dict(sd)
    two = optim.Adam([{"params": [rg.tensor(np.ones(3), requires_grad=True)]},
                      {"params": [rg.tensor(np.ones(3), requires_grad=True)]}])
    with pytest.raises(ValueError, match="group"):
        two.load_state_dict(sd)


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
    lambda p: optim.Adam(p, lr=0.1, amsgrad=True, weight_decay=0.1),
    lambda p: optim.AdamW(p, lr=0.1),
    lambda p: optim.RMSprop(p, lr=0.1, momentum=0.9, centered=True, weight_decay=0.1),
    lambda p: optim.Adagrad(p, lr=0.1, weight_decay=0.1)])
def test_updates_in_place_keep_float32_and_slots(make):
    weights, x, y = problem(3)
    params = rg_params(weights, np.float32)
    arrays = [p.array for p in params]
    opt = make(params)
    xt, yt = rg.tensor(x.astype(np.float32)), rg.tensor(y)
    slots = None
    for _ in range(3):
        opt.zero_grad()
        rg_loss(params, xt, yt).backward()
        grads = [p.grad.array.copy() for p in params]
        opt.step()
        # The gradients are read, never modified.
        for p, g in zip(params, grads):
            np.testing.assert_array_equal(p.grad.array, g)
        now = {id(p): [id(v) for v in opt.state[p].values() if hasattr(v, "shape")]
               for p in params}
        assert slots is None or now == slots       # slots made once, then reused
        slots = now
    for p, a in zip(params, arrays):
        assert p.array is a and p.array.dtype == np.float32
        for v in opt.state[p].values():
            assert not hasattr(v, "dtype") or v.dtype == np.float32


def test_zero_grad():
    a = rg.tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    (a * 2).sum().backward()
    g = a.grad.array
    opt.zero_grad(set_to_none=False)
    assert a.grad.array is g and not g.any()
    opt.zero_grad()
    assert a.grad is None
    opt.step()                                 # no gradient: nothing moves
    np.testing.assert_array_equal(a.array, 1.0)


def test_closure_returns_loss():
    a = rg.tensor(np.array([2.0]), requires_grad=True)
    opt = optim.SGD([a], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 4.0
    np.testing.assert_allclose(a.array, [1.0])  # 2 − 0.25·4


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_skip_nonfinite_leaves_params_unchanged(bad):
    a = rg.tensor(np.ones(3), requires_grad=True)
    b = rg.tensor(np.ones(2), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1, skip_nonfinite=True)
    (a.sum() + b.sum()).backward()
    b.grad.array[1] = bad
    with pytest.warns(RuntimeWarning, match="skipped.*group 0"):
        opt.step()
    np.testing.assert_array_equal(a.array, 1.0)
    np.testing.assert_array_equal(b.array, 1.0)
    assert opt.last_step_skipped and opt.skipped_steps == 1 and not opt.state
    b.grad.array[1] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
    assert not opt.last_step_skipped and opt.skipped_steps == 1
    assert (a.array < 1).all()


def test_skip_nonfinite_tells_overflowing_sum_from_nan():
    # Finite float32 values whose sum overflows are not a reason to skip.
    a = rg.tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    opt = optim.SGD([a], lr=1e-40, skip_nonfinite=True)
    a.grad = rg.tensor(np.full(4, 3e38, dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
    assert not opt.last_step_skipped


def test_without_skip_nonfinite_nan_propagates():
    a = rg.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    a.grad = rg.tensor(np.array([np.nan, 1.0]))
    opt.step()
    assert np.isnan(a.array[0]) and a.array[1] == 0.9


def _param():
    return rg.tensor(np.ones(2), requires_grad=True)


@pytest.mark.parametrize("make,match", [
    (lambda: optim.SGD([_param()], lr=float("inf")), "lr=inf"),
    (lambda: optim.SGD([_param()], lr=-0.1), "lr=-0.1"),
    (lambda: optim.SGD([_param()], lr=float("nan")), "lr=nan"),
    (lambda: optim.Adam([_param()], lr="fast"), "lr='fast'"),
    (lambda: optim.SGD([_param()], lr=0.1, momentum=1.0), "momentum=1.0"),
    (lambda: optim.SGD([_param()], lr=0.1, momentum=-0.5), "momentum=-0.5"),
    (lambda: optim.SGD([_param()], lr=0.1, nesterov=True), "nesterov.*momentum=0"),
    (lambda: optim.SGD([_param()], lr=0.1, momentum=0.9, nesterov=True, dampening=0.1),
     "dampening=0.1"),
    (lambda: optim.SGD([_param()], lr=0.1, weight_decay=-1), "weight_decay=-1"),
    (lambda: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda: optim.SGD([rg.tensor(np.ones(2))], lr=0.1), "does not require grad"),
    (lambda: optim.SGD([_param() * 2], lr=0.1), "not a leaf"),
    (lambda: optim.Adam([_param()], betas=(0.9, 1.0)), r"betas\[1\]=1.0"),
    (lambda: optim.Adam([_param()], betas=0.9), "betas=0.9"),
    (lambda: optim.Adam([_param()], eps=-1e-8), "eps=-1e-08"),
    (lambda: optim.RMSprop([_param()], alpha=1.5), "alpha=1.5"),
    (lambda: optim.Adagrad([_param()], lr_decay=-1), "lr_decay=-1"),
    (lambda: optim.SGD([{"params": [_param()], "lr": -1}], lr=0.1), "lr=-1"),
    (lambda: optim.SGD([{"params": [_param()], "momentom": 0.9}], lr=0.1), "momentom"),
])
def test_bad_hyper_parameters_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_params_types():
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(_param(), lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 of group 0 is a ndarray"):
        optim.SGD([_param(), np.ones(2)], lr=0.1)
    p = _param()
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def test_generator_of_params_is_consumed_once():
    ps = [_param(), _param()]
    opt = optim.SGD((p for p in ps), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2


# -- gradient clipping -------------------------------------------------------

def _grads(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) * scale for s in [(3, 4), (4,), (2,)]]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_equals_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    grads = _grads(0)
    ours = [rg.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad = rg.tensor(g.copy())
        t.grad = torch.tensor(g.copy())
    n1 = clip_grad_norm_(ours, max_norm, norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    np.testing.assert_allclose(float(n1), float(n2), rtol=1e-12)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.array, t.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_bounds_the_norm_and_keeps_direction():
    grads = _grads(1, scale=10.0)
    ps = [rg.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = rg.tensor(g.copy())
    ps.append(rg.tensor(np.zeros(2), requires_grad=True))   # no grad: skipped
    total = float(clip_grad_norm_(ps, 1.0))
    flat = np.concatenate([g.ravel() for g in grads])
    assert total == pytest.approx(np.linalg.norm(flat))
    new = np.concatenate([p.grad.array.ravel() for p in ps[:3]])
    assert np.linalg.norm(new) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(new / np.linalg.norm(new), flat / np.linalg.norm(flat))


def test_clip_grad_norm_nonfinite_and_bad_input():
    p = rg.tensor(np.zeros(2), requires_grad=True)
    p.grad = rg.tensor(np.array([np.inf, 1.0]))
    with pytest.raises(RuntimeError, match="inf"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm must be >= 0, got -1"):
        clip_grad_norm_([p], -1)
    with pytest.raises(ValueError, match="norm_type must be > 0"):
        clip_grad_norm_([p], 1.0, norm_type=0)
    assert float(clip_grad_norm_([rg.tensor(np.zeros(2), requires_grad=True)], 1.0)) == 0.0


def test_clip_grad_value_equals_torch():
    torch = pytest.importorskip("torch")
    g = _grads(2)[0]
    p = rg.tensor(np.zeros_like(g), requires_grad=True)
    p.grad = rg.tensor(g.copy())
    grad_array = p.grad.array
    t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor(g.copy())
    clip_grad_value_(p, 0.3)
    torch.nn.utils.clip_grad_value_(t, 0.3)
    np.testing.assert_array_equal(p.grad.array, t.grad.numpy())
    assert p.grad.array is grad_array                          # in place
    with pytest.raises(ValueError, match="clip_value must be >= 0, got -0.3"):
        clip_grad_value_(p, -0.3)


def test_clip_keeps_float32():
    p = rg.tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    p.grad = rg.tensor(np.array([3.0, 4.0, 12.0], dtype=np.float32))
    clip_grad_norm_([p], 1.0)
    clip_grad_value_([p], 0.1)
    assert p.grad.dtype == np.float32


# -- L2 as weight decay vs L2 as a loss penalty --------------------------------

def _train(make, lam_penalty, steps=30):
    """Train the MLP; the loss gets (λ/2)·Σθ² when ``lam_penalty`` is set."""
    weights, x, y = problem(4)
    params = rg_params(weights)
    opt = make(params)
    xt, yt = rg.tensor(x), rg.tensor(y)
    for _ in range(steps):
        opt.zero_grad()
        loss = rg_loss(params, xt, yt)
        if lam_penalty:
            loss = loss + lam_penalty / 2 * sum((p * p).sum() for p in params)
        loss.backward()
        opt.step()
    return np.concatenate([p.array.ravel() for p in params])


def test_l2_decay_equals_penalty_for_sgd_not_for_adamw():
    lam = 0.05
    decay = _train(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=lam), 0)
    penalty = _train(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lam)
    np.testing.assert_allclose(decay, penalty, rtol=1e-10, atol=1e-12)
    # Adam's weight_decay is the penalty too (coupled: it is divided by √v̂) ...
    adam_decay = _train(lambda p: optim.Adam(p, lr=0.01, weight_decay=lam), 0)
    adam_penalty = _train(lambda p: optim.Adam(p, lr=0.01), lam)
    np.testing.assert_allclose(adam_decay, adam_penalty, rtol=1e-10, atol=1e-12)
    # ... AdamW's decoupled decay is a different algorithm.
    adamw = _train(lambda p: optim.AdamW(p, lr=0.01, weight_decay=lam), 0)
    assert np.abs(adamw - adam_penalty).max() > 1e-3


def test_a_zero_learning_rate_is_accepted_as_pytorch():
    """PyTorch (and Keras) accept lr=0 — a warm-up schedule starts there — and a step
    then changes nothing."""
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle")
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        w = _param()
        before = w.numpy().copy()
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=0.0)
        opt = getattr(optim, name)([w], lr=0.0)
        (w * w).sum().backward()
        opt.step()
        np.testing.assert_array_equal(w.numpy(), before)
