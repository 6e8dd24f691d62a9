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
    ("Rprop", dict(maximize=True)), ("RAdam", dict(maximize=True, lr=0.1)),
    ("ASGD", dict(maximize=True)),
    ("Adamax", dict(foreach=False, differentiable=False, capturable=False)),   # torch's
    ("RAdam", dict(foreach=False, differentiable=False, capturable=False)),    # keywords
    ("ASGD", dict(foreach=False, differentiable=False, capturable=False)),
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


def test_lbfgs_equals_pytorch_with_and_without_line_search(tmp_path):
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
                calls.append(float(loss.detach()))
                return loss

            losses = [float(opt.step(closure).detach()) for _ in range(3)]
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
    # and through a training checkpoint (its history stored as arrays)
    from retrograd.checkpoint import load_checkpoint, save_checkpoint
    model = rg.nn.Linear(4, 1)
    mopt = rg.optim.LBFGS(model.parameters(), history_size=3, max_iter=4)

    def mclosure(o):
        o.zero_grad()
        loss = (model(rg.tensor(Q, dtype=rg.float32)) - 1).pow(2).sum()
        loss.backward()
        return loss

    mopt.step(lambda: mclosure(mopt))
    save_checkpoint(tmp_path / "lbfgs.ckpt", model, mopt)
    mopt2 = rg.optim.LBFGS(model.parameters(), history_size=3, max_iter=4)
    load_checkpoint(tmp_path / "lbfgs.ckpt", model, mopt2)
    a, b = mopt.state_dict()["state"][0], mopt2.state_dict()["state"][0]
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]))
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
            model, multi_avg_fn=lib.optim.swa_utils.get_ema_multi_avg_fn(0.9),
            use_buffers=True)
        mean = lib.optim.swa_utils.AveragedModel(
            model, avg_fn=lib.optim.swa_utils.get_ema_avg_fn(0.5))
        swab = lib.optim.swa_utils.AveragedModel(model, use_buffers=True)   # int buffer too
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
            mean.update_parameters(model)
            swab.update_parameters(model)
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        loader = [(x * 2, None), (x - 1, None)]
        lib.optim.swa_utils.update_bn(loader, swa)
        bn = swa.module[1]
        results.append(([p.detach().numpy().copy() for p in swa.parameters()],
                        [p.detach().numpy().copy() for p in ema.parameters()]
                        + [b.detach().numpy().copy() for b in ema.module.buffers()
                           if b.detach().numpy().dtype.kind == "f"]
                        + [p.detach().numpy().copy() for p in mean.parameters()]
                        + [b.detach().numpy().copy() for b in swab.module.buffers()],
                        lrs, bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                        int(swa.n_averaged), init))
    ours, theirs = results
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        close(a, b, 1e-11)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)
    close(ours[3], theirs[3])
    close(ours[4], theirs[4])
    assert ours[5] == theirs[5] == 5
    # SWALR's state round-trips, its annealing function included
    opt = rg.optim.SGD([rg.zeros(2, requires_grad=True)], lr=1.0)
    sched = rg.optim.swa_utils.SWALR(opt, 0.1, anneal_epochs=3, anneal_strategy="linear")
    sched.step()
    opt2 = rg.optim.SGD([rg.zeros(2, requires_grad=True)], lr=1.0)
    sched2 = rg.optim.swa_utils.SWALR(opt2, 0.1, anneal_epochs=3)
    sched2.load_state_dict(sched.state_dict())
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    sched.step()
    sched2.step()
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    with pytest.raises(ValueError, match="anneal_strategy"):
        rg.optim.swa_utils.SWALR(rg.optim.SGD([rg.zeros(1, requires_grad=True)], lr=1), 0.1,
                                 anneal_strategy="exp")


def test_nn_utils_equal_pytorch():
    import warnings
    ru, tu = rg.nn.utils, torch.nn.utils
    shapes = [(3, 4), (4,), (2, 3, 2)]
    ws = [rng.normal(size=s) for s in shapes]
    ours = [rg.tensor(w, requires_grad=True) for w in ws]
    theirs = [torch.tensor(w, requires_grad=True) for w in ws]
    v, tv = ru.parameters_to_vector(ours), tu.parameters_to_vector(theirs)
    close(v, tv)
    (v * rg.arange(v.numel(), dtype=rg.float64)).sum().backward()
    (tv * torch.arange(tv.numel(), dtype=torch.float64)).sum().backward()
    for o, t in zip(ours, theirs):
        close(o.grad, t.grad)
    ru.vector_to_parameters(v.detach() * 2, ours)
    tu.vector_to_parameters(tv.detach() * 2, theirs)
    for o, t in zip(ours, theirs):
        close(o, t)
    with pytest.raises(TypeError):
        tu.vector_to_parameters(ws[0], theirs)
    with pytest.raises(TypeError):
        ru.vector_to_parameters(ws[0], ours)
    # norms and clipping
    for p in (1.0, 2.0, 3.5, float("inf")):
        close(ru.get_total_norm([o.grad for o in ours], p),
              tu.get_total_norm([t.grad for t in theirs], p))
    total = ru.get_total_norm([o.grad for o in ours])
    ru.clip_grads_with_norm_(ours, 1.5, total)
    tu.clip_grads_with_norm_(theirs, 1.5, tu.get_total_norm([t.grad for t in theirs]))
    for o, t in zip(ours, theirs):
        close(o.grad, t.grad)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        n = ru.clip_grad_norm(ours, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tn = tu.clip_grad_norm(theirs, 0.5)
    close(n, tn)
    for o, t in zip(ours, theirs):
        close(o.grad, t.grad)


def _copy_linear(lib, w, b):
    m = lib.nn.Linear(w.shape[1], w.shape[0]).double()
    with lib.no_grad():
        m.weight.copy_(lib.tensor(w))
        m.bias.copy_(lib.tensor(b))
    return m


def test_weight_and_spectral_norm_equal_pytorch():
    import warnings
    w, b = rng.normal(size=(4, 3)), rng.normal(size=4)
    x_np = rng.normal(size=(5, 3))
    for variant in ("parametrizations.weight_norm", "weight_norm", "wn_dim_None",
                    "parametrizations.spectral_norm", "spectral_norm"):
        mods = []
        for lib in (rg, torch):
            m = _copy_linear(lib, w, b)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                if variant == "parametrizations.weight_norm":
                    lib.nn.utils.parametrizations.weight_norm(m)
                elif variant == "weight_norm":
                    lib.nn.utils.weight_norm(m)
                elif variant == "wn_dim_None":
                    lib.nn.utils.parametrizations.weight_norm(m, dim=None)
                elif variant == "parametrizations.spectral_norm":
                    lib.nn.utils.parametrizations.spectral_norm(m)
                else:
                    lib.nn.utils.spectral_norm(m)
            mods.append(m)
        m, tm = mods
        if variant == "parametrizations.spectral_norm":      # torch's random start vectors
            for name in ("_u", "_v"):
                getattr(m.parametrizations.weight[0], name).array[...] = \
                    getattr(tm.parametrizations.weight[0], name).numpy()
        if variant == "spectral_norm":
            for name in ("weight_u", "weight_v"):
                getattr(m, name).array[...] = getattr(tm, name).numpy()
        assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
        assert sorted(m.state_dict()) == sorted(tm.state_dict()), variant
        assert type(m).__name__ == type(tm).__name__
        for step in range(2):
            y = m(rg.tensor(x_np))
            ty = tm(torch.tensor(x_np))
            close(y, ty, 1e-10)
            (y ** 2).sum().backward()
            (ty ** 2).sum().backward()
            for (n, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
                close(p.grad, tp.grad, 1e-9)
        m.eval()
        tm.eval()
        close(m(rg.tensor(x_np)), tm(torch.tensor(x_np)), 1e-10)
    # removal: back to one parameter holding the current weight
    m = rg.nn.utils.parametrizations.weight_norm(_copy_linear(rg, w, b))
    rg.nn.utils.parametrize.remove_parametrizations(m, "weight")
    assert type(m) is rg.nn.Linear and [n for n, _ in m.named_parameters()] == ["bias",
                                                                                "weight"]
    close(m.weight, w, 1e-12)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        m = rg.nn.utils.weight_norm(_copy_linear(rg, w, b))
    rg.nn.utils.remove_weight_norm(m)
    close(m.weight, w, 1e-12)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        rg.nn.utils.remove_weight_norm(m)
    m = rg.nn.utils.spectral_norm(_copy_linear(rg, w, b))
    for _ in range(30):                          # power iterations, one per forward
        m(rg.tensor(x_np))
    rg.nn.utils.remove_spectral_norm(m)
    close(m.weight, w / np.linalg.svd(w, compute_uv=False)[0], 1e-6)
    with pytest.raises(rg.NotSupportedError, match="parametrizations.orthogonal"):
        rg.nn.utils.parametrizations.orthogonal(m)


def test_register_parametrization_and_init_extras_equal_pytorch():
    import warnings

    def symmetric(lib):
        class Symmetric(lib.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).mT

        class Invertible(Symmetric):
            def right_inverse(self, S):
                return S.triu()
        return Symmetric(), Invertible()

    a = rng.normal(size=(3, 3))
    results = []
    for lib in (rg, torch):
        m = lib.nn.Linear(3, 3).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor(a))
        plain, invertible = symmetric(lib)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", plain)
        assert lib.nn.utils.parametrize.is_parametrized(m, "weight")
        w = m.weight
        x = lib.tensor(np.eye(3))
        m(x).sum().backward()
        results.append((w.detach().numpy().copy(),
                        m.parametrizations.weight.original.grad.numpy().copy()))
        with pytest.raises(RuntimeError, match="Symmetric does not implement right_inverse"):
            m.weight = lib.tensor(np.eye(3) * 2)
        m2 = lib.nn.Linear(3, 3).double()
        lib.nn.utils.parametrize.register_parametrization(m2, "weight", invertible)
        m2.weight = lib.tensor(a + a.T)
        results.append((m2.parametrizations.weight.original.detach().numpy().copy(),
                        m2.weight.detach().numpy().copy()))
        lib.nn.utils.parametrize.remove_parametrizations(m2, "weight",
                                                         leave_parametrized=False)
        results[-1] += (m2.weight.detach().numpy().copy(),)
    for o, t in zip(results[:2], results[2:]):
        for a_, b_ in zip(o, t):
            close(a_, b_)
    # nn.init: eye_, dirac_ and the deprecated names
    for shape, groups in (((4, 2, 3), 1), ((4, 2, 3, 3), 2), ((2, 2, 1, 3, 3), 1)):
        t = rg.empty(*shape)
        tt = torch.empty(*shape)
        rg.nn.init.dirac_(t, groups)
        torch.nn.init.dirac_(tt, groups)
        close(t, tt)
    close(rg.nn.init.eye_(rg.empty(3, 5)), torch.nn.init.eye_(torch.empty(3, 5)))
    for bad in (lambda M, T: M.nn.init.eye_(T.empty(3)),
                lambda M, T: M.nn.init.dirac_(T.empty(3, 3)),
                lambda M, T: M.nn.init.dirac_(T.empty(3, 2, 3), groups=2)):
        with pytest.raises(ValueError) as theirs:
            bad(torch, torch)
        with pytest.raises(ValueError, match=str(theirs.value)):
            bad(rg, rg)
    for name in ("uniform", "normal", "constant", "xavier_uniform", "xavier_normal",
                 "kaiming_uniform", "kaiming_normal", "orthogonal"):
        args = (0.5,) if name == "constant" else ()
        with pytest.warns(FutureWarning, match=f"nn.init.{name}_"):
            out = getattr(rg.nn.init, name)(rg.zeros(4, 3), *args)
        assert tuple(out.shape) == (4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rg.nn.init.normal_(rg.zeros(2))


def test_iterable_datasets_and_data_helpers_equal_pytorch():
    import collections
    tdata, rdata = torch.utils.data, rg.utils.data

    def make(lib, M):
        class Stream(M.IterableDataset):
            def __init__(self, start, n):
                self.start, self.n = start, n

            def __iter__(self):
                return iter([(np.array([float(i), 2.0 * i]), i)
                             for i in range(self.start, self.start + self.n)])

            def __len__(self):
                return self.n
        return Stream

    RS, TS = make(rg, rdata), make(torch, tdata)
    for kwargs in (dict(batch_size=3), dict(batch_size=3, drop_last=True),
                   dict(batch_size=None), dict(batch_size=2, collate_fn=lambda b: len(b))):
        ours = rdata.DataLoader(RS(0, 5) + RS(10, 2), **kwargs)
        theirs = tdata.DataLoader(TS(0, 5) + TS(10, 2), **kwargs)
        assert len(ours) == len(theirs)
        got, want = list(ours), list(theirs)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            if isinstance(w, int):
                assert g == w
                continue
            for gi, wi in zip(g, w):
                np.testing.assert_array_equal(np.asarray(gi.numpy() if hasattr(gi, "numpy")
                                                         else gi),
                                              wi.numpy() if hasattr(wi, "numpy") else wi)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        tdata.DataLoader(TS(0, 2), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        rdata.DataLoader(RS(0, 2), shuffle=True)
    assert len(rdata.ChainDataset([RS(0, 2), RS(0, 3)])) == 5

    class Endless(rdata.IterableDataset):   # no __len__: TypeError, as PyTorch's
        def __iter__(self):
            return iter(range(3))
    with pytest.raises(TypeError, match="has no len"):
        len(rdata.DataLoader(Endless(), batch_size=2))
    # StackDataset
    a, b = rdata.TensorDataset(rg.arange(4)), list("wxyz")
    assert rdata.StackDataset(a, b)[2][1] == tdata.StackDataset(a, b)[2][1] == "y"
    assert set(rdata.StackDataset(n=a, c=b)[1]) == {"n", "c"}
    assert len(rdata.StackDataset(a, b)) == 4
    for bad in ((lambda M: M.StackDataset()), (lambda M: M.StackDataset(a, c=b)),
                (lambda M: M.StackDataset(a, b[:2]))):
        with pytest.raises(ValueError) as theirs:
            bad(tdata)
        with pytest.raises(ValueError, match=str(theirs.value).replace("(", r"\(")
                           .replace(")", r"\)")):
            bad(rdata)
    assert rdata.get_worker_info() is tdata.get_worker_info() is None
    Pair = collections.namedtuple("Pair", "x y")
    sample = {"a": np.ones(2), "b": [np.float64(1.5), "s"], "p": Pair(np.zeros(1), 3)}
    ours, theirs = rdata.default_convert(sample), tdata.default_convert(sample)
    assert isinstance(ours["a"], rg.Tensor) and isinstance(ours["b"][0], rg.Tensor)
    assert type(ours["p"]) is Pair and ours["b"][1] == "s" and ours["p"].y == 3
    np.testing.assert_array_equal(ours["a"].numpy(), theirs["a"].numpy())
    assert ours["b"][0].item() == theirs["b"][0].item()
    # map-style datasets load as before
    assert [x.tolist() for (x,) in rdata.DataLoader(a, batch_size=3)] == [[0, 1, 2], [3]]
