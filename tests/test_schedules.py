"""Learning-rate schedules: closed forms, the course's curves, drivers vs torch."""
import math

import numpy as np
import pytest

import retrograd as rg
from retrograd import optim
from retrograd.optim import schedules as S

T = np.arange(60)


def test_course_exponential_curve():
    # η0 = 0.1, λ = 0.1: η_t = 0.1·e^{−0.1 t}
    eta = S.exponential(T, 0.1, lam=0.1)
    np.testing.assert_allclose(eta, 0.1 * np.exp(-0.1 * T), rtol=1e-15)
    assert S.exponential(0, 0.1, 0.1) == 0.1
    assert S.exponential(10, 0.1, 0.1) == pytest.approx(0.1 / math.e)
    assert S.exponential(20, 0.1, 0.1) == pytest.approx(0.0135335283)
    assert np.all(np.diff(eta) < 0)


def test_course_step_curve():
    # η0 = 0.1, r = 0.5, t_u = 10: constant by plateaus of 10 steps, halved each time.
    eta = S.step_decay(T, 0.1, r=0.5, t_u=10)
    expected = np.repeat([0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125], 10)
    np.testing.assert_allclose(eta, expected, rtol=1e-15)
    # ⌊t/t_u⌋, not t/t_u: at t = 9 the rate is still η0.
    assert S.step_decay(9, 0.1, 0.5, 10) == 0.1
    assert S.step_decay(10, 0.1, 0.5, 10) == 0.05


def test_inverse_time_closed_form():
    np.testing.assert_allclose(S.inverse_time(T, 0.5, r=0.2), 0.5 / (1 + 0.2 * T),
                               rtol=1e-15)
    assert S.inverse_time(0, 0.5, 0.2) == 0.5
    assert S.inverse_time(5, 0.5, 0.0) == 0.5


def test_cosine_annealing_closed_form():
    eta = S.cosine_annealing(T, 0.1, T=40, eta_min=0.01)
    t = np.minimum(T, 40)
    np.testing.assert_allclose(eta, 0.01 + 0.09 * (1 + np.cos(np.pi * t / 40)) / 2,
                               rtol=1e-15)
    assert eta[0] == pytest.approx(0.1) and eta[20] == pytest.approx(0.055)
    assert np.all(eta[40:] == pytest.approx(0.01))


def test_linear_warmup_closed_form_and_then():
    eta = S.linear_warmup(T, 0.1, t_w=10, start_factor=0.1)
    expected = np.where(T < 10, 0.1 * (0.1 + 0.9 * T / 10), 0.1)
    np.testing.assert_allclose(eta, expected, rtol=1e-15)
    both = S.linear_warmup(T, 0.1, t_w=10,
                           then=lambda t, eta0: S.cosine_annealing(t, eta0, T=50))
    np.testing.assert_allclose(both[:10], 0.1 * T[:10] / 10)
    np.testing.assert_allclose(both[10:], S.cosine_annealing(T[10:] - 10, 0.1, T=50))


def test_functions_return_float_for_a_step_and_array_for_steps():
    assert isinstance(S.exponential(3, 0.1, 0.1), float)
    out = S.exponential([0, 1, 2], 0.1, 0.1)
    assert isinstance(out, np.ndarray) and out.shape == (3,)


@pytest.mark.parametrize("call,match", [
    (lambda: S.exponential(1, 0.0, 0.1), "eta0=0.0"),
    (lambda: S.exponential(1, float("nan"), 0.1), "eta0=nan"),
    (lambda: S.exponential(1, 0.1, -0.1), "lam=-0.1"),
    (lambda: S.exponential(-1, 0.1, 0.1), "t must be >= 0"),
    (lambda: S.inverse_time(1, 0.1, r=-1), "r=-1"),
    (lambda: S.step_decay(1, 0.1, r=2.0, t_u=10), "r=2.0"),
    (lambda: S.step_decay(1, 0.1, r=0.0, t_u=10), "r=0.0"),
    (lambda: S.step_decay(1, 0.1, r=0.5, t_u=0), "t_u=0"),
    (lambda: S.step_decay(1, 0.1, r="half", t_u=10), "r='half'"),
    (lambda: S.cosine_annealing(1, 0.1, T=0), "T=0"),
    (lambda: S.cosine_annealing(1, 0.1, T=10, eta_min=0.2), "eta_min=0.2"),
    (lambda: S.linear_warmup(1, 0.1, t_w=-5), "t_w=-5"),
    (lambda: S.linear_warmup(1, 0.1, t_w=5, start_factor=2), "start_factor=2"),
    (lambda: S.reduce_on_plateau([1.0], 0.1, factor=1.5), "factor=1.5"),
    (lambda: S.reduce_on_plateau([1.0], 0.1, patience=-1), "patience=-1"),
    (lambda: S.reduce_on_plateau([1.0], 0.1, mode="lowest"), "mode='lowest'"),
])
def test_nonsensical_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _opt(lrs=(0.1,)):
    groups = [{"params": [rg.tensor(np.ones(2), requires_grad=True)], "lr": lr} for lr in lrs]
    return optim.SGD(groups, lr=lrs[0])


def _torch_opt(lrs=(0.1,)):
    torch = pytest.importorskip("torch")
    return torch.optim.SGD([{"params": [torch.ones(2, requires_grad=True)], "lr": lr}
                            for lr in lrs], lr=lrs[0])


@pytest.mark.parametrize("ours,theirs", [
    (lambda o: S.LRScheduler(o, S.exponential, lam=0.1),
     lambda o, L: L.ExponentialLR(o, gamma=math.exp(-0.1))),
    (lambda o: S.LRScheduler(o, S.step_decay, r=0.5, t_u=10),
     lambda o, L: L.StepLR(o, step_size=10, gamma=0.5)),
    (lambda o: S.LRScheduler(o, S.inverse_time, r=0.3),
     lambda o, L: L.LambdaLR(o, lambda t: 1 / (1 + 0.3 * t))),
    (lambda o: S.LRScheduler(o, S.cosine_annealing, T=30, eta_min=0.001),
     lambda o, L: L.CosineAnnealingLR(o, T_max=30, eta_min=0.001)),
    (lambda o: S.LRScheduler(o, S.linear_warmup, t_w=8, start_factor=0.25),
     lambda o, L: L.LinearLR(o, start_factor=0.25, total_iters=8)),
])
def test_drivers_equal_torch_schedulers(ours, theirs):
    torch = pytest.importorskip("torch")
    lrs = (0.1, 0.02)                       # two groups: each keeps its own η0
    o, t = _opt(lrs), _torch_opt(lrs)
    so, st = ours(o), theirs(t, torch.optim.lr_scheduler)
    for _ in range(31):                     # cosine is compared up to T (no restart)
        np.testing.assert_allclose(so.get_last_lr(), st.get_last_lr(), rtol=1e-9)
        assert [g["lr"] for g in o.param_groups] == so.get_last_lr()
        o.step()
        t.step()
        so.step()
        st.step()


def test_driver_sets_the_lr_the_optimiser_uses():
    a = rg.tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    sched = S.LRScheduler(opt, S.step_decay, r=0.5, t_u=2)
    moves = []
    for _ in range(5):
        a.grad = rg.tensor(np.array([-1.0]))   # constant gradient: the move is η_t
        before = a.array.copy()
        opt.step()
        sched.step()
        moves.append(float(a.array[0] - before[0]))
    np.testing.assert_allclose(moves, [0.1, 0.1, 0.05, 0.05, 0.025])


def test_driver_state_dict_and_bad_input():
    opt = _opt()
    sched = S.LRScheduler(opt, S.exponential, lam=0.5)
    for _ in range(3):
        sched.step()
    opt2 = _opt()
    sched2 = S.LRScheduler(opt2, S.exponential, lam=0.5)
    sched2.load_state_dict(sched.state_dict())
    assert sched2.get_last_lr() == sched.get_last_lr() == [S.exponential(3, 0.1, 0.5)]
    with pytest.raises(ValueError, match="lam=-1"):
        S.LRScheduler(_opt(), S.exponential, lam=-1)
    with pytest.raises(TypeError, match="optimizer"):
        S.LRScheduler("sgd", S.exponential, lam=0.1)
    with pytest.raises(ValueError, match="gave lr=0.0 at t=0"):
        S.LRScheduler(_opt(), lambda t, eta0: 0.0)


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", threshold_mode="abs", threshold=0.1),
                                dict(factor=0.5, patience=2, cooldown=2, min_lr=0.004)])
def test_reduce_on_plateau_equals_torch(kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.01 * rng.random(40),
                              np.linspace(0.5, 0.2, 10), np.full(30, 0.2)])
    if kw.get("mode") == "max":
        metrics = -metrics
    o, t = _opt(), _torch_opt()
    ours = optim.ReduceLROnPlateau(o, **kw)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(t, **kw)
    curve = S.reduce_on_plateau(metrics, 0.1, **kw)
    for m, expected in zip(metrics, curve):
        ours.step(m)
        theirs.step(m)
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
        assert ours.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)
    assert curve[-1] < 0.1                  # the plateaus did reduce the rate


def test_reduce_on_plateau_min_lr_per_group():
    o = _opt((0.1, 0.01))
    sched = optim.ReduceLROnPlateau(o, factor=0.1, patience=0, min_lr=[0.001, 0.005])
    for m in [1.0, 1.0, 1.0, 1.0]:
        sched.step(m)
    assert sched.get_last_lr() == pytest.approx([0.001, 0.005], rel=1e-12)
    with pytest.raises(ValueError, match="min_lr has 1 values for 2"):
        optim.ReduceLROnPlateau(o, min_lr=[0.1])
