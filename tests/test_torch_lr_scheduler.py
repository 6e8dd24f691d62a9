"""retrograd.optim.lr_scheduler against torch.optim.lr_scheduler: the same
schedule on a retrograd and a PyTorch optimiser gives the same learning rates at
every step (rtol 1e-12), chained, sequenced, resumed from a state dict, or
jumped with step(epoch)."""
import io
import math
import warnings

import numpy as np
import pytest

import retrograd as rg
from retrograd import optim

torch = pytest.importorskip("torch")

LRS = (0.1, 0.02)          # two groups: each keeps its own initial_lr


def optimiser(T, kind="SGD", lrs=LRS):
    groups = [{"params": [T.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "SGD":
        return T.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    return T.optim.Adam(groups, lr=lrs[0])


def rates(opt, key="lr"):
    return [g[key] for g in opt.param_groups]


def check_same(ours, theirs, o, t, step):
    np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12,
                               atol=1e-300, err_msg=f"step {step}")
    np.testing.assert_allclose(rates(o), rates(t), rtol=1e-12, atol=1e-300,
                               err_msg=f"step {step}")
    assert getattr(ours, "last_epoch", None) == getattr(theirs, "last_epoch", None)


def run_both(make, steps=30, kind="SGD", momentum=False):
    """``make(L, opt)`` builds the scheduler(s) from module L; step both ``steps``
    times and compare the rates (and momentum/β₁) at every step."""
    o, t = optimiser(rg, kind), optimiser(torch, kind)
    ours, theirs = make(optim.lr_scheduler, o), make(torch.optim.lr_scheduler, t)
    for step in range(steps):
        check_same(ours, theirs, o, t, step)
        if momentum:
            key = "momentum" if kind == "SGD" else "betas"
            np.testing.assert_allclose(np.array(rates(o, key), dtype=float),
                                       np.array(rates(t, key), dtype=float), rtol=1e-12)
        o.step()
        t.step()
        ours.step()
        theirs.step()
    check_same(ours, theirs, o, t, steps)
    return o, t, ours, theirs


SCHEDULES = {
    "StepLR": lambda L, o: L.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[5, 12, 12, 20], gamma=0.3),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.9),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda epoch: 0.95 ** epoch),
    "LambdaLR per group": lambda L, o: L.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: e + 1]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda epoch: 0.97),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR to 0": lambda L, o: L.CosineAnnealingLR(o, T_max=12),
    "LinearLR warm-up": lambda L, o: L.LinearLR(o, start_factor=0.25, total_iters=8),
    "LinearLR decay": lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                              total_iters=10),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=4),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=10, power=2.0),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
            L.CosineAnnealingLR(o, T_max=20, eta_min=1e-4)], milestones=[5]),
    "SequentialLR of three": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.1, total_iters=3), L.ExponentialLR(o, gamma=0.9),
            L.StepLR(o, step_size=4)], milestones=[4, 15]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=6), L.ExponentialLR(o, gamma=0.9)]),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=31),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_rates_equal_pytorchs(name):
    run_both(SCHEDULES[name])


def test_the_initial_lr_key_and_base_lrs():
    o, t, ours, theirs = run_both(SCHEDULES["StepLR"], steps=3)
    assert rates(o, "initial_lr") == rates(t, "initial_lr") == list(LRS)
    assert ours.base_lrs == theirs.base_lrs


def test_two_schedulers_stepped_together_compose():
    """Chainable schedulers on one optimiser multiply, as in PyTorch."""
    o, t = optimiser(rg), optimiser(torch)
    pairs = [(L.ExponentialLR(opt, gamma=0.9), L.MultiStepLR(opt, milestones=[3, 8], gamma=0.1))
             for L, opt in ((optim.lr_scheduler, o), (torch.optim.lr_scheduler, t))]
    for step in range(15):
        np.testing.assert_allclose(rates(o), rates(t), rtol=1e-12)
        for a, b in zip(*pairs):
            np.testing.assert_allclose(a.get_last_lr(), b.get_last_lr(), rtol=1e-12)
        o.step(), t.step()
        for s in (*pairs[0], *pairs[1]):
            s.step()


@pytest.mark.parametrize("kind,extra", [("SGD", {}), ("Adam", {}),
                                        ("Adam", {"anneal_strategy": "linear",
                                                  "three_phase": True, "pct_start": 0.25})])
def test_one_cycle_moves_momentum_or_beta1_as_pytorch(kind, extra):
    run_both(lambda L, o: L.OneCycleLR(o, max_lr=0.3, epochs=3, steps_per_epoch=10, **extra),
             steps=29, kind=kind, momentum=True)


@pytest.mark.parametrize("kw", [{}, {"mode": "max", "threshold_mode": "abs", "threshold": 0.1},
                                {"factor": 0.5, "patience": 2, "cooldown": 2,
                                 "min_lr": [0.004, 0.001]}])
def test_reduce_on_plateau_equals_pytorchs(kw):
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.01 * rng.random(30),
                              np.full(20, 0.2)])
    if kw.get("mode") == "max":
        metrics = -metrics
    o, t = optimiser(rg), optimiser(torch)
    ours = optim.lr_scheduler.ReduceLROnPlateau(o, **kw)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(t, **kw)
    assert optim.ReduceLROnPlateau is optim.lr_scheduler.ReduceLROnPlateau
    for m in metrics:
        ours.step(rg.tensor(m))                # a 0-d tensor, as a loss would be
        theirs.step(torch.tensor(m))
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        assert (ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == \
            (theirs.num_bad_epochs, theirs.cooldown_counter, theirs.last_epoch)
        assert ours.best == theirs.best
    assert ours.get_last_lr()[0] < LRS[0]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "CosineAnnealingLR", "LambdaLR",
                                  "SequentialLR", "OneCycleLR", "ChainedScheduler"])
def test_resuming_from_a_state_dict_continues_the_schedule(name):
    """Save after 10 steps, rebuild optimiser and scheduler, load (through
    retrograd.save/load), continue: the same rates as PyTorch's uninterrupted run."""
    make = SCHEDULES[name]
    o, t, ours, theirs = run_both(make, steps=10)
    o2 = optimiser(rg)
    o2.load_state_dict(o.state_dict())
    resumed = make(optim.lr_scheduler, o2)
    buf = io.BytesIO()
    rg.save(ours.state_dict(), buf)            # through a file, as a checkpoint would
    buf.seek(0)
    resumed.load_state_dict(rg.load(buf))
    for g2, g in zip(o2.param_groups, o.param_groups):
        g2.update({k: v for k, v in g.items() if k != "params"})
    for step in range(10, 25):
        check_same(resumed, theirs, o2, t, step)
        o2.step(), t.step()
        resumed.step()
        theirs.step()


def test_state_dict_holds_pytorchs_entries():
    o, t, ours, theirs = run_both(SCHEDULES["CosineAnnealingLR"], steps=5)
    a, b = ours.state_dict(), theirs.state_dict()
    for key in ("T_max", "eta_min", "base_lrs", "last_epoch", "_step_count", "_last_lr"):
        assert a[key] == pytest.approx(b[key], rel=1e-12), key
    lam = optim.lr_scheduler.LambdaLR(optimiser(rg), lambda e: 1.0).state_dict()
    assert lam["lr_lambdas"] == [None, None]        # functions are not saved


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "LinearLR warm-up",
                                  "ConstantLR", "PolynomialLR", "CosineAnnealingLR"])
def test_step_with_an_epoch_uses_the_closed_form(name):
    o, t = optimiser(rg), optimiser(torch)
    ours, theirs = SCHEDULES[name](optim.lr_scheduler, o), SCHEDULES[name](
        torch.optim.lr_scheduler, t)
    for epoch in (3, 9, 4, 15):
        with pytest.warns(UserWarning, match="deprecated"):
            ours.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs.step(epoch)
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)


def test_the_course_driver_is_a_pytorch_scheduler_too():
    """optim.LRScheduler(opt, f) sequences with PyTorch's schedulers."""
    o, t = optimiser(rg), optimiser(torch)
    warm = optim.lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=4)
    decay = optim.LRScheduler(o, optim.schedules.exponential, lam=0.1)
    ours = optim.lr_scheduler.SequentialLR(o, [warm, decay], milestones=[4])
    L = torch.optim.lr_scheduler
    theirs = L.SequentialLR(t, [L.LinearLR(t, start_factor=0.5, total_iters=4),
                                L.ExponentialLR(t, gamma=math.exp(-0.1))], milestones=[4])
    for _ in range(12):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-9)
        o.step(), t.step(), ours.step(), theirs.step()
    assert isinstance(decay, optim.lr_scheduler.LRScheduler) and decay.t == decay.last_epoch


@pytest.mark.parametrize("make", [
    lambda L, o: L.LinearLR(o, start_factor=0.0),
    lambda L, o: L.LinearLR(o, end_factor=1.5),
    lambda L, o: L.ConstantLR(o, factor=2.0),
    lambda L, o: L.OneCycleLR(o, max_lr=0.1),
    lambda L, o: L.OneCycleLR(o, max_lr=0.1, total_steps=0),
    lambda L, o: L.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5),
    lambda L, o: L.OneCycleLR(o, max_lr=[0.1], total_steps=10),
    lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(o, 3)], milestones=[]),
    lambda L, o: L.ReduceLROnPlateau(o, factor=1.5),
    lambda L, o: L.ReduceLROnPlateau(o, mode="lowest"),
    lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda L, o: L.LambdaLR(o, [lambda e: 1.0]),
    lambda L, o: L.StepLR("sgd", 2),
])
def test_bad_arguments_raise_pytorchs_error_types(make):
    with pytest.raises(Exception) as theirs:
        make(torch.optim.lr_scheduler, optimiser(torch))
    with pytest.raises(type(theirs.value)):
        make(optim.lr_scheduler, optimiser(rg))


def test_one_cycle_refuses_to_step_past_its_end():
    for L, T in ((optim.lr_scheduler, rg), (torch.optim.lr_scheduler, torch)):
        o = optimiser(T)
        sched = L.OneCycleLR(o, max_lr=0.1, total_steps=3)
        for _ in range(2):
            o.step(), sched.step()
        o.step()
        sched.step()
        with pytest.raises(ValueError):
            sched.step()


@pytest.mark.parametrize("name", ["MultiStepLR", "OneCycleLR", "SequentialLR", "LambdaLR"])
def test_schedulers_resume_through_a_training_checkpoint(tmp_path, name):
    """checkpoint.save_checkpoint keeps the scheduler's state in its JSON header."""
    from retrograd import checkpoint, nn
    make = SCHEDULES[name]
    o, t, ours, theirs = run_both(make, steps=9)
    model = nn.Linear(1, 1)
    checkpoint.save_checkpoint(tmp_path / "run.ckpt", model, o, ours, epoch=9)
    o2 = optimiser(rg)
    resumed = make(optim.lr_scheduler, o2)
    checkpoint.load_checkpoint(tmp_path / "run.ckpt", model, o2, resumed)
    for step in range(9, 20):
        check_same(resumed, theirs, o2, t, step)
        o2.step(), t.step()
        resumed.step()
        theirs.step()


def test_reduce_on_plateau_resumes_through_a_training_checkpoint(tmp_path):
    from retrograd import checkpoint, nn
    o, t = optimiser(rg), optimiser(torch)
    ours = optim.lr_scheduler.ReduceLROnPlateau(o, patience=1, cooldown=1)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(t, patience=1, cooldown=1)
    metrics = [1.0, 0.9, 0.95, 0.97, 0.99, 0.9, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7]
    for m in metrics[:5]:
        ours.step(m), theirs.step(m)
    model = nn.Linear(1, 1)
    checkpoint.save_checkpoint(tmp_path / "run.ckpt", model, o, ours)
    o2 = optimiser(rg)
    resumed = optim.lr_scheduler.ReduceLROnPlateau(o2, patience=1, cooldown=1)
    checkpoint.load_checkpoint(tmp_path / "run.ckpt", model, o2, resumed)
    for m in metrics[5:]:
        resumed.step(m), theirs.step(m)
        np.testing.assert_allclose(resumed.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)


def test_reduce_on_plateau_reads_the_state_of_the_earlier_retrograd_version():
    """Checkpoints written before the PyTorch names held {best, bad, cooldown_counter}."""
    sched = optim.ReduceLROnPlateau(optimiser(rg), patience=3)
    sched.load_state_dict({"best": 0.5, "bad": 3, "cooldown_counter": 0})
    assert (sched.best, sched.num_bad_epochs) == (0.5, 3)
    sched.step(0.6)                        # a fourth bad epoch: more than patience
    assert sched.get_last_lr() == pytest.approx([0.01, 0.002])
