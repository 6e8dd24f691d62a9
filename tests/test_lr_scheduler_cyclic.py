"""CyclicLR and CosineAnnealingWarmRestarts against PyTorch's: the same schedule on
a retrograd and a PyTorch optimiser (two parameter groups) gives the same rates —
and for CyclicLR the same momentum or Adam betas — at every step (rtol 1e-12),
stepped per batch, jumped to fractional epochs, resumed from a state dict; bad
arguments raise PyTorch's error types."""
import io
import warnings

import numpy as np
import pytest

import retrograd as rg
from retrograd import optim

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")

LRS = (0.1, 0.02)          # two groups: each keeps its own initial_lr


def optimiser(T, kind="SGD", lrs=LRS):
    groups = [{"params": [T.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "SGD":
        return T.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    if kind == "Adam":
        return T.optim.Adam(groups, lr=lrs[0], betas=(0.85, 0.99))
    return T.optim.Adagrad(groups, lr=lrs[0])


def values(opt, key):
    return np.array([g[key] for g in opt.param_groups], dtype=float)


def check_same(ours, theirs, o, t, step, momentum=None):
    where = f"step {step}"
    np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12,
                               atol=1e-300, err_msg=where)
    np.testing.assert_allclose(values(o, "lr"), values(t, "lr"), rtol=1e-12, atol=1e-300,
                               err_msg=where)
    assert ours.last_epoch == theirs.last_epoch, where
    if momentum:
        np.testing.assert_allclose(values(o, momentum), values(t, momentum), rtol=1e-12,
                                   err_msg=where)


def both(make, kind="SGD"):
    o, t = optimiser(rg, kind), optimiser(torch, kind)
    return o, t, make(optim.lr_scheduler, o), make(torch.optim.lr_scheduler, t)


def step_both(o, t, ours, theirs, steps, start=0, momentum=None):
    for step in range(start, start + steps):
        check_same(ours, theirs, o, t, step, momentum)
        o.step(), t.step()
        ours.step()
        theirs.step()
    check_same(ours, theirs, o, t, start + steps, momentum)


class Damped:
    """A callable scale_fn with state: state_dict keeps its attributes."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return 1.0 / (1.0 + self.rate * x)


WARM_RESTARTS = {
    "T_0=5": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5),
    "T_0=3 T_mult=2 eta_min": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001),
    "T_0=1 T_mult=3": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=1, T_mult=3),
    "T_0=7 eta_min int": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=7, eta_min=0),
}

CYCLIC = {
    "triangular": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "triangular2 per group, asymmetric": lambda L, o: L.CyclicLR(
        o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.05], step_size_up=3, step_size_down=6,
        mode="triangular2", base_momentum=[0.8, 0.7], max_momentum=[0.95, 0.9]),
    "exp_range": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                         mode="exp_range", gamma=0.97),
    "scale_fn per cycle, float step sizes": lambda L, o: L.CyclicLR(
        o, base_lr=0.02, max_lr=0.2, step_size_up=2.5, step_size_down=3.5,
        scale_fn=lambda c: 0.5 ** c, mode="ignored with a scale_fn"),
    "scale_fn per iteration": lambda L, o: L.CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=4, scale_fn=Damped(0.1),
        scale_mode="iterations"),
    "sawtooth (step_size_down=0)": lambda L, o: L.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=6, step_size_down=0),
    "no momentum cycling": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                   step_size_up=3, cycle_momentum=False),
}


@pytest.mark.parametrize("name", WARM_RESTARTS)
def test_warm_restarts_equal_pytorchs(name):
    o, t, ours, theirs = both(WARM_RESTARTS[name])
    first = []
    for step in range(45):
        check_same(ours, theirs, o, t, step)
        assert (ours.T_cur, ours.T_i) == (theirs.T_cur, theirs.T_i), step
        first.append(ours.get_last_lr()[0])
        o.step(), t.step()
        ours.step()
        theirs.step()
    assert first.count(LRS[0]) >= 3 and min(first) < LRS[0] / 2      # restarts happened


@pytest.mark.parametrize("name", ["T_0=5", "T_0=3 T_mult=2 eta_min", "T_0=1 T_mult=3"])
def test_warm_restarts_with_a_fractional_epoch_inside_the_batch_loop(name):
    """PyTorch's documented use: scheduler.step(epoch + i / iters) after each
    batch, with no deprecation warning; then plain step() goes on from the epoch."""
    o, t, ours, theirs = both(WARM_RESTARTS[name])
    iters = 7
    for epoch in range(9):
        for i in range(iters):
            o.step(), t.step()
            with warnings.catch_warnings():
                warnings.simplefilter("error")           # no warning, as PyTorch
                ours.step(epoch + i / iters)
            theirs.step(epoch + i / iters)
            check_same(ours, theirs, o, t, (epoch, i))
            assert ours.T_cur == pytest.approx(theirs.T_cur, rel=1e-12, abs=1e-12)
            assert ours.T_i == theirs.T_i
    for epoch in (26, None, None, 4.5, None, 40, None):   # interleaved, as documented
        ours.step(epoch)
        theirs.step(epoch)
        check_same(ours, theirs, o, t, epoch)
        assert (ours.T_cur, ours.T_i) == pytest.approx((theirs.T_cur, theirs.T_i), rel=1e-12)


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("name", CYCLIC)
def test_cyclic_rates_and_momentum_equal_pytorchs(name, kind):
    o, t, ours, theirs = both(CYCLIC[name], kind)
    momentum = {"SGD": "momentum", "Adam": "betas"}[kind]    # betas compared whole
    step_both(o, t, ours, theirs, 50, momentum=None if name == "no momentum cycling"
              else momentum)
    if kind == "Adam":                     # β₂ untouched
        assert [g["betas"][1] for g in o.param_groups] == [0.99, 0.99]
    if name == "no momentum cycling":
        assert list(values(o, momentum).ravel()) == list(values(t, momentum).ravel())
        assert "max_momentum" not in o.param_groups[0]


def test_cyclic_sets_the_rates_and_momentum_at_construction_as_pytorch():
    o, t, ours, theirs = both(CYCLIC["triangular2 per group, asymmetric"])
    assert list(values(o, "lr")) == list(values(t, "lr")) == [0.01, 0.001]
    for key in ("momentum", "max_momentum", "base_momentum", "initial_lr"):
        assert list(values(o, key)) == list(values(t, key)), key
    assert ours.base_lrs == theirs.base_lrs == [0.01, 0.001]
    # A group that already has an initial_lr (an earlier scheduler): PyTorch's first
    # rate is that initial_lr, the later ones cycle from base_lr.
    o, t = optimiser(rg), optimiser(torch)
    L, T = optim.lr_scheduler, torch.optim.lr_scheduler
    L.StepLR(o, 3), T.StepLR(t, 3)
    ours, theirs = CYCLIC["triangular"](L, o), CYCLIC["triangular"](T, t)
    assert ours.get_last_lr() == theirs.get_last_lr() == list(LRS)
    step_both(o, t, ours, theirs, 10, momentum="momentum")


def test_cyclic_step_with_an_epoch_warns_and_jumps_as_pytorch():
    o, t, ours, theirs = both(CYCLIC["exp_range"], "Adam")
    for it in (7, 3, 30, 12):
        with pytest.warns(UserWarning, match="deprecated"):
            ours.step(it)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs.step(it)
        check_same(ours, theirs, o, t, it, momentum="betas")


def resumed(make, kind, ours, o, via):
    """A new optimiser and scheduler (as a restarted job builds them), then both
    states loaded: through retrograd.save/load or a training checkpoint's JSON."""
    o2 = optimiser(rg, kind)
    sched = make(optim.lr_scheduler, o2)
    if via == "save":
        buf = io.BytesIO()
        rg.save({"opt": o.state_dict(), "sched": ours.state_dict()}, buf)
        buf.seek(0)
        saved = rg.load(buf)
        o2.load_state_dict(saved["opt"])
        sched.load_state_dict(saved["sched"])
    else:
        from retrograd import checkpoint, nn
        model = nn.Linear(1, 1)
        checkpoint.save_checkpoint(via / "run.ckpt", model, o, ours, epoch=1)
        checkpoint.load_checkpoint(via / "run.ckpt", model, o2, sched)
    return o2, sched


@pytest.mark.parametrize("name,kind,momentum", [
    ("triangular2 per group, asymmetric", "SGD", "momentum"),
    ("scale_fn per iteration", "Adam", "betas"),
    ("exp_range", "SGD", "momentum"),
    ("T_0=3 T_mult=2 eta_min", "SGD", None),
    ("T_0=5", "Adam", None)])
@pytest.mark.parametrize("via", ["save", "checkpoint"])
def test_a_state_dict_round_trip_mid_run_continues_identically(name, kind, momentum, via,
                                                               tmp_path):
    make = {**CYCLIC, **WARM_RESTARTS}[name]
    o, t, ours, theirs = both(make, kind)
    step_both(o, t, ours, theirs, 13, momentum=momentum)
    if name.startswith("T_0=3"):                 # a fractional T_cur in the state
        ours.step(5.25), theirs.step(5.25)
    if name == "scale_fn per iteration":         # the callable's attributes are saved
        ours._scale_fn_custom.rate = theirs._scale_fn_custom.rate = 0.3
    o2, again = resumed(make, kind, ours, o, "save" if via == "save" else tmp_path)
    if name == "scale_fn per iteration":
        assert again._scale_fn_custom.rate == 0.3
        assert again.state_dict()["_scale_fn_custom"] == {"rate": 0.3}
    check_same(again, theirs, o2, t, "after loading", momentum)
    step_both(o2, t, again, theirs, 25, start=14, momentum=momentum)


def test_state_dicts_hold_pytorchs_entries():
    for make in (WARM_RESTARTS["T_0=3 T_mult=2 eta_min"], CYCLIC["scale_fn per iteration"],
                 CYCLIC["triangular"]):
        o, t, ours, theirs = both(make)
        step_both(o, t, ours, theirs, 8)
        a, b = ours.state_dict(), theirs.state_dict()
        b.pop("_get_lr_called_within_step")           # a PyTorch internal flag
        assert set(a) == set(b)
        for key in a:
            if isinstance(b[key], (int, float, list)) and not isinstance(b[key], bool):
                assert a[key] == pytest.approx(b[key], rel=1e-12), key
            else:
                assert a[key] == b[key], key
    lam = optim.lr_scheduler.CyclicLR(optimiser(rg), 0.01, 0.1, scale_fn=lambda c: 1.0)
    assert lam.state_dict()["_scale_fn_custom"] is None     # functions are not saved


def test_a_bad_state_is_refused_and_nothing_changes():
    sched = CYCLIC["triangular"](optim.lr_scheduler, optimiser(rg))
    cosine = WARM_RESTARTS["T_0=5"](optim.lr_scheduler, optimiser(rg))
    before = sched.state_dict(), cosine.state_dict()
    for s, bad in ((sched, {"mode": "sine"}), (sched, {"scale_mode": "epochs"}),
                   (sched, {"_scale_fn_custom": {"rate": 1.0}}),
                   (sched, {"total_size": -4.0}), (sched, {"max_lrs": [0.1]}),
                   (sched, {"step_ratio": float("nan")}), (sched, {"mode": 3}),
                   (cosine, {"T_i": 0}), (cosine, {"T_cur": -1.5}), (cosine, {"T_mult": 1.5}),
                   (cosine, {"last_epoch": "3"})):
        with pytest.raises(ValueError, match=f"{type(s).__name__}.load_state_dict"):
            s.load_state_dict({"last_epoch": 5, **bad})
    assert (sched.state_dict(), cosine.state_dict()) == before


@pytest.mark.parametrize("make", [
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=-2),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2.0),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0="2"),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=None),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
    lambda L, o: L.CosineAnnealingWarmRestarts("sgd", T_0=2),
    lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, mode="sine"),
    lambda L, o: L.CyclicLR(o, base_lr=[0.01], max_lr=0.1),
    lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2, 0.3]),
    lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, base_momentum=[0.8]),
    lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up="ten"),
    lambda L, o: L.CyclicLR(o.param_groups, base_lr=0.01, max_lr=0.1),
    lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, last_epoch=10),   # no initial_lr
])
def test_bad_arguments_raise_pytorchs_error_types(make):
    with pytest.raises(Exception) as theirs:
        make(torch.optim.lr_scheduler, optimiser(torch))
    with pytest.raises(type(theirs.value)) as ours:
        make(optim.lr_scheduler, optimiser(rg))
    assert ("CyclicLR" in str(ours.value) or "CosineAnnealingWarmRestarts" in str(ours.value)
            or "initial_lr" in str(ours.value)), ours.value


def test_cycling_momentum_needs_an_optimizer_with_momentum():
    with pytest.raises(ValueError):
        torch.optim.lr_scheduler.CyclicLR(optimiser(torch, "Adagrad"), 0.01, 0.1)
    with pytest.raises(ValueError, match="CyclicLR: cycle_momentum=True.*Adagrad"):
        optim.lr_scheduler.CyclicLR(optimiser(rg, "Adagrad"), 0.01, 0.1)
    o, t, ours, theirs = both(lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=2,
                                                        cycle_momentum=False), "Adagrad")
    step_both(o, t, ours, theirs, 8)


def test_step_sizes_pytorch_would_divide_by_or_misuse_are_refused():
    """PyTorch raises ZeroDivisionError for step_size_up=0 and accepts negative
    sizes (meaningless rates); retrograd refuses both with a ValueError naming them,
    and an unknown scale_mode (PyTorch reads any but "cycle" as "iterations")."""
    with pytest.raises(ZeroDivisionError):
        torch.optim.lr_scheduler.CyclicLR(optimiser(torch), 0.01, 0.1, step_size_up=0)
    for bad in ({"step_size_up": 0}, {"step_size_up": -3}, {"step_size_down": -1},
                {"scale_fn": lambda c: 1.0, "scale_mode": "epochs"}):
        with pytest.raises(ValueError, match=f"CyclicLR: {next(iter(bad))}|scale_mode"):
            optim.lr_scheduler.CyclicLR(optimiser(rg), 0.01, 0.1, **bad)
    with pytest.raises(TypeError, match="scale_fn must be a function"):
        optim.lr_scheduler.CyclicLR(optimiser(rg), 0.01, 0.1, scale_fn=0.5)


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_the_optimiser_uses_the_cycled_momentum_as_pytorchs(kind):
    """Training with the cycled momentum (or β₁) moves the parameters as PyTorch's
    does (float64, loss ½‖w‖² per group)."""
    w0 = np.array([1.0, -2.0, 0.5])

    def run(T, L):
        ws = [T.tensor(w0 * (i + 1), requires_grad=True) for i in range(2)]
        groups = [{"params": [w], "lr": lr} for w, lr in zip(ws, LRS)]
        opt = T.optim.SGD(groups, momentum=0.9) if kind == "SGD" else T.optim.Adam(groups)
        sched = L.CyclicLR(opt, base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=3,
                           mode="triangular2")
        for _ in range(20):
            opt.zero_grad()
            sum((w * w).sum() * 0.5 for w in ws).backward()
            opt.step()
            sched.step()
        return [np.asarray(w.detach().numpy()) for w in ws]

    for a, b in zip(run(rg, optim.lr_scheduler), run(torch, torch.optim.lr_scheduler)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_the_schedulers_are_no_longer_listed_missing():
    L = optim.lr_scheduler
    assert L.CyclicLR.__name__ == "CyclicLR" and "CyclicLR" in L.__all__
    assert "CosineAnnealingWarmRestarts" in L.__all__
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        L.Nope
