"""Adadelta and NAdam against PyTorch's: the same small network trained for 20
steps in float64 follows the same trajectory, with the same defaults, state
slots and argument checks."""
import io

import numpy as np
import pytest

import retrograd as rg
from retrograd import optim

torch = pytest.importorskip("torch")


@pytest.fixture
def float64_oracle():
    """PyTorch keeps NAdam's μ product in the default dtype: float64 here, so the
    oracle's whole trajectory is float64, as retrograd's is."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def problem(T):
    """A 3-4-2 tanh network's parameters and fixed data, float64."""
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s) for s in [(3, 4), (4,), (4, 2), (2,)]]
    x, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    params = [T.tensor(a, dtype=T.float64, requires_grad=True) for a in init]
    return params, T.tensor(x, dtype=T.float64), T.tensor(y, dtype=T.float64)


def train(opt, params, x, y, steps):
    """``steps`` steps of opt on the network's squared error; the parameters after each."""
    out = []
    for _ in range(steps):
        opt.zero_grad()
        w1, b1, w2, b2 = params
        loss = ((((x @ w1 + b1).tanh() @ w2 + b2) - y) ** 2).mean()
        loss.backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out


def trajectory(T, make, steps=20):
    params, x, y = problem(T)
    opt = make(T.optim, params)
    return opt, train(opt, params, x, y, steps)


def groups(params, **second):
    """Two parameter groups, the second with its own hyper-parameters."""
    return [{"params": params[:2]}, {"params": params[2:], **second}]


CONFIGS = {
    "Adadelta defaults": lambda O, p: O.Adadelta(p),
    "Adadelta tuned": lambda O, p: O.Adadelta(p, lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1),
    "Adadelta groups": lambda O, p: O.Adadelta(groups(p, lr=2.0, rho=0.95), lr=0.7),
    "NAdam defaults": lambda O, p: O.NAdam(p),
    "NAdam tuned": lambda O, p: O.NAdam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                         weight_decay=0.05, momentum_decay=0.01),
    "NAdamW": lambda O, p: O.NAdam(p, lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
    "NAdam groups": lambda O, p: O.NAdam(groups(p, lr=0.05, betas=(0.5, 0.9)), lr=0.01),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_trajectory_equals_pytorchs(name, float64_oracle):
    _, ours = trajectory(rg, CONFIGS[name])
    _, theirs = trajectory(torch, CONFIGS[name])
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for p, q in zip(a, b):
            np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12, err_msg=f"step {step}")
    assert not np.allclose(ours[0][0], ours[-1][0])          # it did move


def test_nadam_with_pytorchs_float32_mu_product_still_agrees():
    """With PyTorch's default dtype float32 its μ product is rounded to float32;
    the trajectories then agree to 1e-6."""
    _, ours = trajectory(rg, CONFIGS["NAdam tuned"])
    _, theirs = trajectory(torch, CONFIGS["NAdam tuned"])
    for a, b in zip(ours, theirs):
        for p, q in zip(a, b):
            np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["Adadelta", "NAdam"])
def test_defaults_and_state_slots_are_pytorchs(name, float64_oracle):
    ours, _ = trajectory(rg, lambda O, p: getattr(O, name)(p), steps=3)
    theirs, _ = trajectory(torch, lambda O, p: getattr(O, name)(p), steps=3)
    for key, value in ours.defaults.items():
        assert theirs.defaults[key] == value, key
    a, b = ours.state_dict()["state"], theirs.state_dict()["state"]
    assert sorted(a) == sorted(b)
    for k in a:
        assert sorted(a[k]) == sorted(b[k])
        for slot, v in a[k].items():
            np.testing.assert_allclose(np.asarray(v), b[k][slot].numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", ["Adadelta tuned", "NAdam tuned"])
def test_state_dict_resumes_the_trajectory(name):
    """Stopped after 3 steps, saved (retrograd.save), resumed into a new optimiser:
    the same parameters as 6 steps without a stop."""
    _, full = trajectory(rg, CONFIGS[name], steps=6)
    params, x, y = problem(rg)
    first = CONFIGS[name](optim, params)
    train(first, params, x, y, 3)
    buf = io.BytesIO()
    rg.save(first.state_dict(), buf)
    buf.seek(0)
    resumed = CONFIGS[name](optim, params)
    resumed.load_state_dict(rg.load(buf))
    for a, b in zip(train(resumed, params, x, y, 3)[-1], full[-1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", [
    lambda O, p: O.Adadelta(p, rho=1.5), lambda O, p: O.Adadelta(p, eps=-1.0),
    lambda O, p: O.Adadelta(p, lr=-1.0), lambda O, p: O.Adadelta(p, weight_decay=-0.1),
    lambda O, p: O.NAdam(p, betas=(1.0, 0.9)), lambda O, p: O.NAdam(p, betas=(0.9, -0.1)),
    lambda O, p: O.NAdam(p, momentum_decay=-1.0), lambda O, p: O.NAdam(p, lr=-1.0),
    lambda O, p: O.NAdam(p, eps=-1e-8),
])
def test_bad_hyper_parameters_raise_pytorchs_error_types(make):
    with pytest.raises(Exception) as theirs:
        make(torch.optim, [torch.zeros(2, requires_grad=True)])
    with pytest.raises(type(theirs.value)):
        make(optim, [rg.zeros(2, requires_grad=True)])
