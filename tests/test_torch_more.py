"""The rest of PyTorch's everyday API against PyTorch: the optimisers Adamax, RAdam,
ASGD, Rprop, LBFGS and swa_utils (step by step from the same weights and gradients),
nn.utils, nn.init and utils.data odds and ends."""
import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch", reason="PyTorch is the oracle")

rng = np.random.default_rng(0)
W0 = [rng.normal(size=(3, 4)), rng.normal(size=5)]
GRADS = [[rng.normal(size=(3, 4)), rng.normal(size=5)] for _ in range(6)]


def close(a, b, tol=1e-12):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def run_steps(lib, cls, kwargs, grads, weights=None):
    ps = [lib.tensor(w, dtype=lib.float64, requires_grad=True) for w in (weights or W0)]
    opt = getattr(lib.optim, cls)(ps, **kwargs)
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = lib.tensor(g, dtype=lib.float64)
        opt.step()
    return ps, opt


OPTIMISERS = [
    ("Adamax", {}), ("Adamax", dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1)),
    ("Adamax", dict(maximize=True)),
    ("RAdam", {}), ("RAdam", dict(lr=0.1, betas=(0.5, 0.6), weight_decay=0.1)),
    ("RAdam", dict(lr=0.1, betas=(0.5, 0.6), weight_decay=0.1, decoupled_weight_decay=True)),
    ("ASGD", {}), ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=2, weight_decay=0.1)),
    ("Rprop", {}), ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(0.05, 0.2))),
    ("Rprop", dict(maximize=True)),
]


def test_optimisers_equal_pytorch_step_by_step_and_round_trip_their_state():
    # a gradient sequence with sign changes and zeros (Rprop's cases)
    grads = GRADS[:3] + [[np.where(np.abs(g) < 0.3, 0.0, g) for g in GRADS[3]]] + GRADS[4:]
    for cls, kwargs in OPTIMISERS:
        ours, opt = run_steps(rg, cls, kwargs, grads[:3])
        theirs, topt = run_steps(torch, cls, kwargs, grads[:3])
        for o, t in zip(ours, theirs):
            close(o, t)
        # state_dict round trip: a fresh optimiser loaded from it continues identically
        saved = opt.state_dict()
        ps2 = [rg.tensor(o.numpy(), requires_grad=True) for o in ours]
        opt2 = getattr(rg.optim, cls)(ps2, **kwargs)
        opt2.load_state_dict(saved)
        for gs in grads[3:]:
            for p, p2, tp, g in zip(ours, ps2, theirs, gs):
                p.grad, p2.grad, tp.grad = rg.tensor(g), rg.tensor(g), torch.tensor(g)
            opt.step()
            opt2.step()
            topt.step()
        for o, o2, t in zip(ours, ps2, theirs):
            close(o, t)
            close(o2, t)
        if cls == "ASGD":
            for p, tp in zip(ours, theirs):
                close(opt.state[p]["ax"], topt.state[tp]["ax"])
    # float32 stays float32
    p = rg.zeros(3, requires_grad=True)
    for cls, _ in OPTIMISERS[::3]:
        p.grad = rg.ones(3)
        getattr(rg.optim, cls)([p]).step()
        assert p.dtype == rg.float32


Q = np.array([[3.0, 0.5, 0.0, 0.2], [0.5, 2.0, 0.3, 0.0], [0.0, 0.3, 1.5, 0.1],
              [0.2, 0.0, 0.1, 1.0]])


def rosenbrock(lib, x):
    """A well-conditioned nonquadratic bowl, ½xᵀQx − x₀ + Σx⁴/4 + a mild
    Rosenbrock valley (an ill-conditioned one amplifies rounding into the path)."""
    q = lib.tensor(Q, dtype=x.dtype)
    return 0.5 * (x @ (q @ x)) - x[0] + (x ** 4).sum() / 4 + (x[1] - x[0] ** 2) ** 2


def test_lbfgs_equals_pytorch_with_and_without_line_search():
    start = np.array([-1.2, 1.0, 0.5, -0.3])
    for kwargs in (dict(), dict(line_search_fn="strong_wolfe"),
                   dict(lr=0.5, history_size=3, max_iter=7),
                   dict(line_search_fn="strong_wolfe", history_size=2, max_iter=30)):
        result = []
        for lib in (rg, torch):
            x = lib.tensor(start, dtype=lib.float64, requires_grad=True)
            opt = lib.optim.LBFGS([x], **kwargs)
            calls = []

            def closure():
                opt.zero_grad()
                loss = rosenbrock(lib, x)
                loss.backward()
                calls.append(float(loss))
                return loss

            losses = [float(opt.step(closure)) for _ in range(3)]
            result.append((x.detach().numpy().copy(), losses, calls,
                           opt.state[x]["func_evals"], opt.state[x]["n_iter"]))
        (xo, lo, co, fo, no), (xt, lt, ct, ft, nt) = result
        # dozens of iterations near the optimum amplify last-bit differences of the
        # dot products (summation order): equal to 1e-9 absolute
        np.testing.assert_allclose(xo, xt, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(co, ct, rtol=1e-10, atol=1e-12)
        assert (fo, no) == (ft, nt), kwargs
        np.testing.assert_allclose(lo, lt, rtol=1e-10)
    # the state round-trips: a copy continues as the original
    x = rg.tensor(start, requires_grad=True)
    opt = rg.optim.LBFGS([x], history_size=4, max_iter=3)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(rg, x)
        loss.backward()
        return loss

    opt.step(closure)
    x2 = rg.tensor(x.numpy(), requires_grad=True)
    opt2 = rg.optim.LBFGS([x2], history_size=4, max_iter=3)
    opt2.load_state_dict(opt.state_dict())

    def closure2():
        opt2.zero_grad()
        loss = rosenbrock(rg, x2)
        loss.backward()
        return loss

    opt.step(closure)
    opt2.step(closure2)
    close(x, x2)
    with pytest.raises(RuntimeError, match="strong_wolfe"):
        rg.optim.LBFGS([x], line_search_fn="armijo")
    with pytest.raises(ValueError, match="parameter groups"):
        rg.optim.LBFGS([{"params": [x]}, {"params": [x2]}])


def test_swa_utils_equal_pytorch():
    results = []
    for lib in (rg, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4),
                                  lib.nn.Linear(4, 2)).double()
        with lib.no_grad():
            for p, w in zip(model.parameters(), [rng.normal(size=s) for s in
                                                 [(4, 3), 4, 4, 4, (2, 4), 2]]
                            if lib is rg else results[0][-1]):
                p.copy_(lib.tensor(w, dtype=lib.float64))
        init = [p.detach().numpy().copy() for p in model.parameters()]
        swa = lib.optim.swa_utils.AveragedModel(model)
        ema = lib.optim.swa_utils.AveragedModel(
            model, multi_avg_fn=lib.optim.swa_utils.get_ema_multi_avg_fn(0.9))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        sched = lib.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
        lrs = []
        x = lib.tensor(np.linspace(-1, 1, 24).reshape(8, 3), dtype=lib.float64)
        for step in range(5):
            opt.zero_grad()
            (model(x + 0.1 * step) - 1).pow(2).mean().backward()
            opt.step()
            swa.update_parameters(model)
            ema.update_parameters(model)
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        loader = [(x * 2, None), (x - 1, None)]
        lib.optim.swa_utils.update_bn(loader, swa)
        bn = swa.module[1]
        results.append(([p.detach().numpy().copy() for p in swa.parameters()],
                        [p.detach().numpy().copy() for p in ema.parameters()],
                        lrs, bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                        int(swa.n_averaged), init))
    ours, theirs = results
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        close(a, b, 1e-11)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)
    close(ours[3], theirs[3])
    close(ours[4], theirs[4])
    assert ours[5] == theirs[5] == 5
    with pytest.raises(ValueError, match="anneal_strategy"):
        rg.optim.swa_utils.SWALR(rg.optim.SGD([rg.zeros(1, requires_grad=True)], lr=1), 0.1,
                                 anneal_strategy="exp")
