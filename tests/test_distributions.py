"""torch.distributions and torch.special against PyTorch: log_prob, entropy, moments,
KL, rsample gradients, sample statistics, validation errors, a REINFORCE step."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.distributions as D

torch = pytest.importorskip("torch", reason="PyTorch is the oracle")
TD = torch.distributions

rng = np.random.default_rng(0)
LOC = rng.normal(size=(3, 2))
SCALE = rng.uniform(0.5, 2.0, size=(3, 2))
PROBS = rng.uniform(0.05, 1.0, size=(3, 4))
LOGITS = rng.normal(size=(3, 4))
BPROBS = rng.uniform(0.05, 0.95, size=(3, 2))
A = rng.normal(size=(2, 3, 3))
COV = A @ A.transpose(0, 2, 1) + 3 * np.eye(3)
MVLOC = rng.normal(size=(2, 3))


def both(array, grad=False):
    return (rg.tensor(array, dtype=rg.float64, requires_grad=grad),
            torch.tensor(array, dtype=torch.float64, requires_grad=grad))


def close(a, b, tol=1e-10):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=tol, atol=tol)


def cases():
    """(name, make(lib module, *params), parameter arrays, a value of the support)."""
    v_normal = rng.normal(size=(3, 2))
    v_cat = rng.integers(0, 4, size=(5, 3))
    v_bern = (rng.random((3, 2)) < 0.5).astype(float)
    v_mv = rng.normal(size=(4, 2, 3))
    return [
        ("Normal", lambda M, l, s: M.Normal(l, s), (LOC, SCALE), v_normal),
        ("Uniform", lambda M, l, s: M.Uniform(l, l + s), (LOC, SCALE),
         LOC + 0.5 * SCALE),
        ("Categorical(probs)", lambda M, p: M.Categorical(probs=p), (PROBS,), v_cat),
        ("Categorical(logits)", lambda M, z: M.Categorical(logits=z), (LOGITS,), v_cat),
        ("Bernoulli(probs)", lambda M, p: M.Bernoulli(probs=p), (BPROBS,), v_bern),
        ("Bernoulli(logits)", lambda M, z: M.Bernoulli(logits=z), (LOC,), v_bern),
        ("OneHotCategorical", lambda M, z: M.OneHotCategorical(logits=z), (LOGITS,),
         np.eye(4)[v_cat]),
        ("MVN(cov)", lambda M, m, c: M.MultivariateNormal(m, covariance_matrix=c),
         (MVLOC, COV), v_mv),
        ("MVN(scale_tril)", lambda M, m, c: M.MultivariateNormal(m, scale_tril=c),
         (MVLOC, np.linalg.cholesky(COV)), v_mv),
        ("MVN(precision)", lambda M, m, c: M.MultivariateNormal(m, precision_matrix=c),
         (MVLOC, COV), v_mv),
        ("Independent(Normal)", lambda M, l, s: M.Independent(M.Normal(l, s), 1),
         (LOC, SCALE), v_normal),
        ("Exponential", lambda M, s: M.Exponential(s), (SCALE,), np.abs(v_normal)),
        ("Laplace", lambda M, l, s: M.Laplace(l, s), (LOC, SCALE), v_normal),
        ("Gamma", lambda M, a, b: M.Gamma(a, b), (SCALE, SCALE[::-1].copy()),
         np.abs(v_normal) + 0.1),
        ("Beta", lambda M, a, b: M.Beta(a, b), (SCALE, SCALE[::-1].copy()),
         BPROBS),
        ("LogNormal", lambda M, l, s: M.LogNormal(l, s / 2), (LOC, SCALE),
         np.abs(v_normal) + 0.1),
        ("HalfNormal", lambda M, s: M.HalfNormal(s), (SCALE,), np.abs(v_normal)),
        ("Dirichlet", lambda M, a: M.Dirichlet(a), (PROBS * 3,),
         PROBS / PROBS.sum(-1, keepdims=True)),
        ("Beta < 1", lambda M, a, b: M.Beta(a, b),   # the mode at a corner, or NaN
         (np.array([0.5, 0.5, 2.0, 0.5, 3.0]), np.array([0.7, 1.0, 0.5, 2.0, 3.0])),
         np.full(5, 0.3)),
        ("Dirichlet < 1", lambda M, a: M.Dirichlet(a), (np.array([[0.5, 0.7, 0.2],
                                                                 [0.5, 1.0, 3.0]]),),
         np.full((2, 3), 1 / 3)),
    ]


def test_log_prob_entropy_moments_and_gradients_equal_pytorch():
    for name, make, params, value in cases():
        ours_p, theirs_p = zip(*(both(p, grad=True) for p in params))
        ours, theirs = make(D, *ours_p), make(TD, *theirs_p)
        assert tuple(ours.batch_shape) == tuple(theirs.batch_shape), name
        assert tuple(ours.event_shape) == tuple(theirs.event_shape), name
        v, tv = both(value)
        if "Categorical" in name and "OneHot" not in name:
            v, tv = v.long(), tv.long()
        lp, tlp = ours.log_prob(v), theirs.log_prob(tv)
        close(lp, tlp)
        for attr in ("mean", "variance", "stddev", "mode"):
            if "Categorical" in name and "OneHot" not in name:
                continue
            close(getattr(ours, attr), getattr(theirs, attr))
        ent, tent = ours.entropy(), theirs.entropy()
        close(ent, tent)
        (lp.sum() + ent.sum()).backward()
        (tlp.sum() + tent.sum()).backward()
        for o, t in zip(ours_p, theirs_p):
            close(o.grad, t.grad, 1e-9)


def test_sample_shapes_dtypes_and_statistics():
    rg.manual_seed(0)
    n = 20000
    for name, make, params, _ in cases():
        ours = make(D, *(both(p)[0] for p in params))
        theirs = make(TD, *(both(p)[1] for p in params))
        s, ts = ours.sample((n,)), theirs.sample((2,))
        assert tuple(s.shape[1:]) == tuple(ts.shape[1:]), name
        assert str(s.dtype) == str(ts.dtype).replace("torch.", ""), name
        if "Categorical" in name and "OneHot" not in name:
            counts = np.stack([(s.numpy() == k).mean(0) for k in range(4)], -1)
            p = theirs.probs.numpy()
            assert np.all(abs(counts - p) < 4 * np.sqrt(p * (1 - p) / n)), name
            continue
        mean, var = theirs.mean.numpy(), theirs.variance.numpy()
        assert np.all(abs(s.numpy().mean(0) - mean) < 4 * np.sqrt(var / n)), name
        if "Bernoulli" not in name and "OneHot" not in name:
            # the sample variance's standard error √((μ4 − σ⁴)/n), μ4 from the sample
            x = s.numpy()
            mu4 = ((x - x.mean(0)) ** 4).mean(0)
            assert np.all(abs(x.var(0) - var) < 5 * np.sqrt((mu4 - var ** 2) / n)), name


def test_rsample_is_differentiable_as_pytorch_for_the_same_noise():
    loc, tloc = both(LOC, True)
    scale, tscale = both(SCALE, True)
    x = D.Normal(loc, scale).rsample((5,))
    eps = (x.detach().numpy() - LOC) / SCALE
    (x ** 3).sum().backward()
    tx = tloc + torch.tensor(eps) * tscale     # torch's rsample with our noise
    (tx ** 3).sum().backward()
    close(loc.grad, tloc.grad, 1e-9)
    close(scale.grad, tscale.grad, 1e-9)
    # MultivariateNormal: x = μ + L ε
    m, tm = both(MVLOC, True)
    L, tL = both(np.linalg.cholesky(COV), True)
    x = D.MultivariateNormal(m, scale_tril=L).rsample((4,))
    eps = np.linalg.solve(np.linalg.cholesky(COV), (x.detach().numpy() - MVLOC)[..., None])
    (x ** 2).sum().backward()
    tx = tm + (tL @ torch.tensor(eps)).squeeze(-1)
    (tx ** 2).sum().backward()
    close(m.grad, tm.grad, 1e-8)
    close(L.grad, tL.grad, 1e-8)
    # Exponential: x = ε/λ; Laplace: x = μ + b ε
    rate, trate = both(SCALE, True)
    x = D.Exponential(rate).rsample()
    eps = x.detach().numpy() * SCALE
    (x ** 2).sum().backward()
    ((torch.tensor(eps) / trate) ** 2).sum().backward()
    close(rate.grad, trate.grad, 1e-9)
    loc, tloc = both(LOC, True)
    scale, tscale = both(SCALE, True)
    x = D.Laplace(loc, scale).rsample()
    eps = (x.detach().numpy() - LOC) / SCALE
    (x ** 3).sum().backward()
    ((tloc + tscale * torch.tensor(eps)) ** 3).sum().backward()
    close(loc.grad, tloc.grad, 1e-9)
    close(scale.grad, tscale.grad, 1e-9)
    # Uniform: x = low + u (high − low)
    lo, tlo = both(LOC, True)
    hi, thi = both(LOC + SCALE, True)
    x = D.Uniform(lo, hi).rsample()
    u = (x.detach().numpy() - LOC) / SCALE
    assert np.all((u >= 0) & (u < 1))
    (x ** 2).sum().backward()
    (((tlo + torch.tensor(u) * (thi - tlo)) ** 2).sum()).backward()
    close(lo.grad, tlo.grad, 1e-9)
    close(hi.grad, thi.grad, 1e-9)


def test_kl_divergence_equals_pytorch():
    other = rng.normal(size=(3, 4))
    pairs = [
        (lambda M, a, b: (M.Normal(a, 1.5), M.Normal(b, 0.7)), LOC, LOC[::-1].copy()),
        (lambda M, a, b: (M.Categorical(logits=a), M.Categorical(logits=b)), LOGITS, other),
        (lambda M, a, b: (M.Categorical(probs=a), M.Categorical(probs=b)), PROBS,
         np.abs(other)),
        (lambda M, a, b: (M.Bernoulli(logits=a), M.Bernoulli(logits=b)), LOC,
         LOC[::-1].copy()),
        (lambda M, a, b: (M.OneHotCategorical(logits=a), M.OneHotCategorical(logits=b)),
         LOGITS, other),
        (lambda M, a, b: (M.Independent(M.Normal(a, 1.0), 1),
                          M.Independent(M.Normal(b, 2.0), 1)), LOC, LOC[::-1].copy()),
        (lambda M, a, b: (M.MultivariateNormal(a, covariance_matrix=M_cov(M, 0)),
                          M.MultivariateNormal(b, covariance_matrix=M_cov(M, 1))),
         MVLOC[0], MVLOC[1]),
        (lambda M, a, b: (M.Uniform(a, a + 1.0), M.Uniform(a - 1.0, a + 2.0)), LOC, LOC),
        (lambda M, a, b: (M.Exponential(a), M.Exponential(b)), SCALE, SCALE[::-1].copy()),
        (lambda M, a, b: (M.Laplace(a, 1.5), M.Laplace(b, 0.5)), LOC, LOC[::-1].copy()),
        (lambda M, a, b: (M.Gamma(a, b), M.Gamma(b, a)), SCALE, SCALE[::-1].copy()),
        (lambda M, a, b: (M.Beta(a, b), M.Beta(b, 2.0)), SCALE, SCALE[::-1].copy()),
        (lambda M, a, b: (M.Poisson(a), M.Poisson(b)), SCALE, SCALE[::-1].copy()),
        (lambda M, a, b: (M.Dirichlet(a), M.Dirichlet(b)), PROBS * 3, np.abs(other) + 0.1),
    ]
    for make, a, b in pairs:
        (ra, ta), (rb, tb) = both(a, True), both(b, True)
        kl, tkl = D.kl_divergence(*make(D, ra, rb)), TD.kl_divergence(*make(TD, ta, tb))
        close(kl, tkl)
        kl.sum().backward()
        tkl.sum().backward()
        close(ra.grad, ta.grad, 1e-9)
        if tb.grad is not None:
            close(rb.grad, tb.grad, 1e-9)
    with pytest.raises(rg.NotSupportedError, match="Beta.rsample"):
        D.Beta(1.0, 2.0).rsample()
    with pytest.raises(NotImplementedError, match="Normal.*Bernoulli"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.5))


def M_cov(M, i):
    return (rg if M is D else torch).tensor(COV[i], dtype=(rg if M is D else torch).float64)


def test_validation_errors_are_pytorchs():
    bad = [
        lambda M, T: M.Normal(T.zeros(2), -T.ones(2)),
        lambda M, T: M.Normal(0.0, 1.0).log_prob(T.tensor([float("nan")])),
        lambda M, T: M.Normal(T.zeros(2), T.ones(2)).log_prob(T.zeros(3)),
        lambda M, T: M.Categorical(T.tensor([1.0, 2.0])).log_prob(T.tensor(3)),
        lambda M, T: M.Categorical(probs=T.tensor([0.5]), logits=T.tensor([0.5])),
        lambda M, T: M.Categorical(T.tensor(0.5)),
        lambda M, T: M.Bernoulli(1.5),
        lambda M, T: M.Bernoulli(0.5).log_prob(T.tensor(0.5)),
        lambda M, T: M.Uniform(1.0, 0.0),
        lambda M, T: M.Uniform(0.0, 1.0).log_prob(T.tensor(2.0)),
        lambda M, T: M.MultivariateNormal(T.zeros(2), scale_tril=T.ones(2, 2)),
        lambda M, T: M.MultivariateNormal(T.zeros(2), covariance_matrix=-T.eye(2)),
        lambda M, T: M.MultivariateNormal(T.zeros(2)),
        lambda M, T: M.MultivariateNormal(T.tensor(0.0), T.eye(2)),
        lambda M, T: M.Independent(M.Normal(T.zeros(2), 1.0), 2),
        lambda M, T: M.OneHotCategorical(T.tensor([0.5, 0.5])).log_prob(T.tensor([1., 1.])),
    ]
    for i, make in enumerate(bad):
        with pytest.raises(ValueError) as theirs:
            make(TD, torch)
        with pytest.raises(ValueError) as ours:
            make(D, rg)
        first = str(theirs.value).split("(")[0].split(":")[0]
        assert str(ours.value).startswith(first), (i, str(ours.value), str(theirs.value))
        for constraint in ("GreaterThan(lower_bound=0.0)", "Real()", "IntegerInterval",
                           "LowerCholesky()", "PositiveDefinite()", "Boolean()",
                           "Interval(lower_bound=0.0, upper_bound=1.0)", "OneHot()"):
            if constraint in str(theirs.value):
                assert constraint in str(ours.value), (i, str(ours.value))
    D.Normal(rg.zeros(2), -rg.ones(2), validate_args=False)     # no check asked
    assert repr(D.Normal(0.0, 1.0)) == repr(TD.Normal(0.0, 1.0))


def test_reinforce_gradients_equal_pytorchs_for_the_same_actions():
    x_np = rng.normal(size=(6, 5))
    w_np = rng.normal(size=(5, 3))
    r_np = rng.normal(size=6)
    w, tw = both(w_np, True)
    x, tx = both(x_np)
    rg.manual_seed(1)
    dist = D.Categorical(logits=x @ w)
    a = dist.sample()
    assert a.dtype == rg.int64 and tuple(a.shape) == (6,)
    loss = -(dist.log_prob(a) * rg.tensor(r_np)).mean()
    loss.backward()
    tdist = TD.Categorical(logits=tx @ tw)
    tloss = -(tdist.log_prob(torch.tensor(a.numpy())) * torch.tensor(r_np)).mean()
    tloss.backward()
    close(loss, tloss)
    close(w.grad, tw.grad)
    # the same with a Normal policy (continuous actions) and an entropy bonus
    w.grad = None
    tw.grad = None
    pol = D.Normal(x @ w, 0.5)
    act = pol.sample()
    assert act.grad_fn is None
    (-(pol.log_prob(act).sum(-1) * rg.tensor(r_np)).mean() - pol.entropy().mean()).backward()
    tpol = TD.Normal(tx @ tw, 0.5)
    (-(tpol.log_prob(torch.tensor(act.numpy())).sum(-1) * torch.tensor(r_np)).mean()
     - tpol.entropy().mean()).backward()
    close(w.grad, tw.grad)


def test_special_functions_equal_torch_special():
    import retrograd.special as S
    x_np = np.array([-2.5, -0.7, 0.0, 0.3, 1.0, 3.2])
    p_np = np.array([0.01, 0.2, 0.5, 0.7, 0.95, 0.999])
    pos_np = np.array([0.1, 0.5, 1.0, 2.5, 4.0, 7.5])
    unary = {"erf": x_np, "erfc": x_np, "erfinv": p_np * 2 - 1, "expm1": x_np,
             "exp2": x_np, "log1p": pos_np, "expit": x_np, "logit": p_np, "sinc": x_np,
             "digamma": pos_np, "psi": pos_np, "gammaln": pos_np, "ndtr": x_np,
             "ndtri": p_np, "log_ndtr": x_np, "entr": pos_np, "erfcx": x_np,
             # the tails, where the textbook formulas under- or overflow in float32
             "ndtri tail": np.array([1e-8, 1e-20, 1 - 1e-7]),
             "log_ndtr tail": np.array([-50.0, -20.0, 8.0]),
             "erfcx tail": np.array([10.0, 50.0, 1e4])}
    for name, values in unary.items():
        for dtype, tol in ((np.float64, 1e-9), (np.float32, 2e-5)):
            ours = rg.tensor(values.astype(dtype), requires_grad=True)
            theirs = torch.tensor(values.astype(dtype), requires_grad=True)
            fn = name.split()[0]
            y, ty = getattr(S, fn)(ours), getattr(torch.special, fn)(theirs)
            assert str(y.dtype) == str(ty.dtype).replace("torch.", ""), name
            close(y, ty, tol)
            y.sum().backward()
            ty.sum().backward()
            close(ours.grad, theirs.grad, tol * 10)
    a, ta = both(x_np, True)
    b, tb = both(pos_np, True)
    for name, call in [("xlogy", lambda M, u, v: M.xlogy(u, v)),
                       ("xlog1py", lambda M, u, v: M.xlog1py(u, v)),
                       ("polygamma", lambda M, u, v: M.polygamma(2, v) * u),
                       ("multigammaln", lambda M, u, v: M.multigammaln(v + 2, 3) * u),
                       ("round", lambda M, u, v: M.round(u * v, decimals=1)),
                       ("logsumexp", lambda M, u, v: M.logsumexp((u * v).reshape(2, 3), 1)),
                       ("softmax", lambda M, u, v: M.softmax(u * v, 0)),
                       ("log_softmax", lambda M, u, v: M.log_softmax(u * v, 0))]:
        a.grad = b.grad = ta.grad = tb.grad = None
        y, ty = call(rg.special, a, b), call(torch.special, ta, tb)
        close(y, ty)
        (y * y).sum().backward()
        (ty * ty).sum().backward()
        close(a.grad, ta.grad, 1e-8)
        close(b.grad, tb.grad, 1e-8)
    zero = rg.tensor([0.0, 0.0]), torch.tensor([0.0, 0.0])
    close(rg.special.xlog1py(zero[0], rg.tensor([-1.0, 2.0])),
          torch.special.xlog1py(zero[1], torch.tensor([-1.0, 2.0])))
    close(rg.special.entr(rg.tensor([0.0, -1.0])), torch.special.entr(torch.tensor([0.0, -1.0])))
    with pytest.raises(rg.NotSupportedError, match="zeta"):
        rg.special.zeta


def test_distributions_run_on_the_device_of_their_parameters(device):
    # (Gamma and Beta draw with the generator's standard_gamma, which CuPy's Generator
    # has and tests/fake_cupy.py's lacks: not run here.)
    loc = rg.zeros(3, device=device, requires_grad=True)
    scale = rg.ones(3, device=device, requires_grad=True)
    logits = rg.zeros(2, 4, device=device, requires_grad=True)
    dists = [D.Normal(loc, scale), D.Uniform(loc, scale + 1), D.Bernoulli(logits=loc),
             D.Categorical(logits=logits), D.OneHotCategorical(logits=logits),
             D.Exponential(scale), D.Laplace(loc, scale),
             D.MultivariateNormal(loc, scale_tril=rg.eye(3, device=device))]
    total = 0
    for d in dists:
        x = d.sample((5,))
        assert x.device == loc.device, type(d).__name__
        lp = d.log_prob(x)
        assert lp.device == loc.device, type(d).__name__
        total = total + lp.sum() + d.entropy().sum()
        if d.has_rsample:
            total = total + d.rsample((2,)).sum()
    total.backward()
    assert loc.grad.device == loc.device and logits.grad is not None


def test_expand_equals_pytorch():
    for make in [lambda M, T: M.Normal(T.zeros(3, dtype=T.float64), 1.0),
                 lambda M, T: M.Categorical(logits=T.zeros(3, dtype=T.float64)),
                 lambda M, T: M.Bernoulli(probs=T.ones(3, dtype=T.float64) / 3),
                 lambda M, T: M.OneHotCategorical(logits=T.zeros(3, dtype=T.float64)),
                 lambda M, T: M.MultivariateNormal(T.zeros(3, dtype=T.float64),
                                                   scale_tril=T.eye(3, dtype=T.float64)),
                 lambda M, T: M.Independent(M.Normal(T.zeros(3, dtype=T.float64), 1.0), 1),
                 lambda M, T: M.Uniform(T.zeros(3, dtype=T.float64), 2.0),
                 lambda M, T: M.Beta(T.ones(3, dtype=T.float64), 2.0)]:
        ours = make(D, rg)
        ours = ours.expand((4,) + tuple(ours.batch_shape))
        theirs = make(TD, torch).expand(tuple(ours.batch_shape))
        assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
        assert tuple(ours.event_shape) == tuple(theirs.event_shape)
        v = theirs.sample()
        assert tuple(ours.sample().shape) == tuple(v.shape)
        close(ours.log_prob(rg.tensor(v.numpy())), theirs.log_prob(v))
        close(ours.entropy(), theirs.entropy())


def test_masked_logits_give_pytorchs_entropy_log_prob_and_gradients():
    z = np.array([[0.5, -np.inf, 1.0], [0.1, 0.2, -np.inf]])     # action masking
    a, ta = both(z, True)
    d, td = D.Categorical(logits=a), TD.Categorical(logits=ta)
    e, te = d.entropy(), td.entropy()
    lp, tlp = d.log_prob(rg.tensor([0, 1])), td.log_prob(torch.tensor([0, 1]))
    close(e, te)
    close(lp, tlp)
    (e.sum() + lp.sum()).backward()
    (te.sum() + tlp.sum()).backward()
    close(a.grad, ta.grad)


def test_modified_bessel_functions_and_their_gradients():
    pytest.importorskip("scipy", reason="i0/i1 come from SciPy")
    from harness import check_grad, check_jvp, compare_torch, compare_torch_float32
    x = np.array([-7.5, -3.0, -0.5, 0.0, 0.7, 2.0, 10.0])
    for name in ("i0", "i0e", "i1", "i1e"):
        ours, theirs = getattr(rg.special, name), getattr(torch.special, name)
        check_grad(ours, x)
        check_jvp(ours, x)
        compare_torch(ours, theirs, x, rtol=1e-12)
        compare_torch_float32(ours, theirs, x / 2)


def test_poisson_equals_pytorch():
    rate, trate = both(SCALE * 3, True)
    k = rng.poisson(3.0, size=(4, 3, 2)).astype(float)
    lp, tlp = D.Poisson(rate).log_prob(rg.tensor(k)), TD.Poisson(trate).log_prob(
        torch.tensor(k))
    close(lp, tlp)
    lp.sum().backward()
    tlp.sum().backward()
    close(rate.grad, trate.grad)
    rg.manual_seed(3)
    s = D.Poisson(rg.tensor(SCALE * 3)).sample((20000,)).numpy()
    assert np.all(s == np.round(s)) and s.dtype == np.float64
    assert np.all(abs(s.mean(0) - SCALE * 3) < 4 * np.sqrt(SCALE * 3 / 20000))
    with pytest.raises(ValueError) as theirs:
        TD.Poisson(torch.tensor([1.0])).log_prob(torch.tensor([0.5]))
    with pytest.raises(ValueError, match=r"support \(IntegerGreaterThan\(lower_bound=0\)\)"):
        D.Poisson(rg.tensor([1.0])).log_prob(rg.tensor([0.5]))
    assert "support" in str(theirs.value)


def test_cdf_and_icdf_equal_pytorch():
    """cdf and icdf (values and gradients in the parameters) of the distributions that
    have them, and PyTorch's support check of the cdf's value."""
    xs, ps = np.array([0.0, 0.3, 2.0, 40.0]), np.array([1e-8, 0.3, 0.5, 0.9])
    for make in (lambda M, a, b: M.Normal(a, b), lambda M, a, b: M.Laplace(a, b),
                 lambda M, a, b: M.LogNormal(a, b), lambda M, a, b: M.HalfNormal(b),
                 lambda M, a, b: M.Exponential(b), lambda M, a, b: M.Uniform(a - 1, a + 40)):
        for method, values in (("cdf", xs), ("icdf", ps)):
            (a, ta), (b, tb) = both(np.full(4, 0.5), True), both(np.full(4, 2.0), True)
            y = getattr(make(D, a, b), method)(rg.tensor(values))
            ty = getattr(make(TD, ta, tb), method)(torch.tensor(values))
            close(y, ty, 1e-9)
            y.sum().backward()
            ty.sum().backward()
            for o, t in ((a, ta), (b, tb)):
                if t.grad is not None:
                    close(o.grad, t.grad, 1e-9)
    with pytest.raises(ValueError, match="support"):
        D.HalfNormal(rg.tensor([1.0])).cdf(rg.tensor([-1.0]))
