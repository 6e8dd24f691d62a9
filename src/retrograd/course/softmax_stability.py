"""10. Numerical stability of the softmax (section 5, "Problèmes d'optimisation
numérique"): with x_i = C for all i the softmax is 1/K in theory, but the naive
e^{x_i}/Σ_j e^{x_j} overflows (C → +∞) or underflows to 0/0 (C → −∞); shifting
by max_i x_i fixes both, and log-softmax x_i − log Σ_j e^{x_j} fixes the log of
the cross-entropy."""
import numpy as np

import retrograd as rg
from retrograd.nn import functional as F

from .experiment import Result

NAME = "softmax-stability"
TITLE = "naive vs stable softmax and log-softmax at C = ±1000"
SLIDES = "§5 Problèmes d'optimisation numérique, Cas de l'entropie croisée"


def naive_softmax(x):
    """e^{x_i} / Σ_j e^{x_j} written with retrograd's elementwise ops, as on the slide."""
    e = rg.exp(x)
    return e / e.sum(-1, keepdims=True)


def naive_log_softmax(x):
    return rg.log(naive_softmax(x))


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES)
    K = 3
    with np.errstate(all="ignore"):          # the overflows are the point here
        res = {}
        for C in (1000.0, -1000.0):
            x = rg.tensor(np.full(K, C, dtype=np.float32))
            res[C] = (naive_softmax(x).numpy(), rg.softmax(x).numpy())
        nan_naive = all(np.isnan(res[C][0]).all() for C in res)
        uniform = all(np.allclose(res[C][1], 1 / K, rtol=1e-6) for C in res)
        r.numbers["softmax_at_pm1000"] = {str(C): [v[0].tolist(), v[1].tolist()]
                                          for C, v in res.items()}
        r.claim("x_i = C for all i: s(x)_i = 1/K in theory; C → +∞ overflow, C → −∞ "
                "underflow (0/0): not a number",
                f"K = {K}, float32: naive softmax at C = +1000 gives {res[1000.0][0][0]}, at "
                f"C = −1000 gives {res[-1000.0][0][0]}; stable (z = x − max x) gives "
                f"{res[1000.0][1][0]:.6f} and {res[-1000.0][1][0]:.6f} = 1/{K}",
                nan_naive and uniform,
                "naive: NaN at both C; stable: within 1e-6 (relative) of 1/K at both")
        # log-softmax: s(z) underflows to 0 and log 0 = −∞.
        x = rg.tensor(np.array([0.0, -1000.0], dtype=np.float32))
        naive = naive_log_softmax(x).numpy()
        stable = rg.log_softmax(x).numpy()
        r.numbers["log_softmax"] = [naive.tolist(), stable.tolist()]
        r.claim("log s(z): s(z) = 0 (underflow) ⇒ log → −∞; x_i − log Σ_j e^{x_j} is stable",
                f"log-softmax of (0, −1000): naive {naive.tolist()}, stable {stable.tolist()}",
                np.isneginf(naive[1]) and np.allclose(stable, [0.0, -1000.0]),
                "naive: −∞ exactly; stable: (0, −1000) to NumPy's allclose (rtol 1e-5)")
        # The cross-entropy, value and gradient.
        logits = rg.tensor(np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32),
                           requires_grad=True)
        target = rg.tensor(np.array([2]))
        naive_ce = float(-naive_log_softmax(logits).numpy()[0, 2])
        loss = F.cross_entropy(logits, target)
        loss.backward()
        grad = logits.grad.numpy()[0]
        r.numbers["cross_entropy"] = {"naive": naive_ce, "stable": float(loss),
                                      "grad": grad.tolist()}
        r.claim("cross-entropy −log ŷ_{c*} on scores (1000, 0, −1000), c* = 2: finite only "
                "with the stable log-softmax",
                f"naive {naive_ce}, F.cross_entropy {float(loss):g} with gradient ŷ − y* = "
                f"{np.round(grad, 6).tolist()}",
                not np.isfinite(naive_ce) and float(loss) == 2000.0
                and np.allclose(grad, [1, 0, -1]),
                "naive: not finite; stable: exactly 2000, gradient (1, 0, −1) to allclose "
                "(rtol 1e-5)")
        # Where the naive softmax breaks, per dtype: the range of C that stays finite.
        Cs = np.linspace(-1000, 1000, 801 if quick else 4001)
        curves = {}
        for dtype in ("float32", "float64"):
            X = rg.tensor(np.repeat(Cs[:, None], K, 1).astype(dtype))
            curves[dtype] = (naive_softmax(X).numpy()[:, 0], rg.softmax(X).numpy()[:, 0])
        correct = {d: Cs[np.abs(v[0] - 1 / K) < 1e-4] for d, v in curves.items()}
        finite = {d: (float(c.min()), float(c.max())) for d, c in correct.items()}
        r.numbers["naive_correct_range"] = finite
        r.claim("the stable softmax is exact for every C; the naive one only on a range",
                "naive = 1/3 only for C ∈ " + ", ".join(
                    f"[{a:.0f}, {b:.0f}] ({d})" for d, (a, b) in finite.items())
                + " (NaN or 0 beyond); stable = 1/3 on all of [−1000, 1000]",
                all(np.allclose(v[1], 1 / K, rtol=1e-6) for v in curves.values())
                and all(-1000 < a and b < 1000 for a, b in finite.values()),
                f"stable: within 1e-6 (relative) of 1/K at all {len(Cs)} values of C, in "
                "both dtypes; naive: within 1e-4 of 1/K on a range strictly inside "
                "[−1000, 1000]")
        Cs2 = np.linspace(-50, 1000, 400 if quick else 2101)
        ce = {}
        for name, fn in (("naive", lambda s: -naive_log_softmax(s).numpy()[:, 1]),
                         ("stable", lambda s: F.cross_entropy(
                             s, rg.tensor(np.ones(len(Cs2), dtype=np.int64)),
                             reduction="none").numpy())):
            S = rg.tensor(np.stack([Cs2, np.zeros_like(Cs2)], 1).astype(np.float32))
            ce[name] = fn(S)
    if out is not None:
        r.save(figure(Cs, curves, Cs2, ce, K), out, "softmax_stability.png")
    return r


def figure(Cs, curves, Cs2, ce, K):
    from retrograd.viz import new_figure
    fig, axes = new_figure(1, 3, width=3.6, height=3.2)
    for ax, (dtype, (naive, stable)) in zip(axes, curves.items()):
        bad = ~np.isfinite(naive)
        ax.fill_between(Cs, -0.05, 0.6, where=bad, color="C3", alpha=0.15, lw=0,
                        label="naive = NaN")
        ax.plot(Cs, np.where(bad, np.nan, naive), color="C0", lw=2, label="naive")
        ax.plot(Cs, stable, "k--", lw=1, label="stable (x − max x)")
        ax.set_ylim(-0.05, 0.6)
        ax.set_xlabel("C (all K = 3 scores equal to C)")
        ax.set_ylabel("$s(x)_1$")
        ax.set_title(f"softmax of (C, C, C), {dtype}: 1/3 in theory", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
        ax.text(-990, 0.05, "underflow\n0/0", fontsize=7, color="C3")
        ax.text(990, 0.05, "overflow\ninf/inf", fontsize=7, color="C3", ha="right")
    ax = axes[2]
    ax.fill_between(Cs2, 0, 1050, where=~np.isfinite(ce["naive"]), color="C3", alpha=0.15,
                    lw=0, label="naive = inf")
    ax.plot(Cs2, np.where(np.isfinite(ce["naive"]), ce["naive"], np.nan), "C0", lw=2,
            label="naive −log softmax")
    ax.plot(Cs2, ce["stable"], "k--", lw=1, label="F.cross_entropy (log-sum-exp)")
    ax.set_xlabel("C (scores (C, 0), true class 1)")
    ax.set_ylabel("cross-entropy")
    ax.set_title(r"float32: $-\log \hat y_1 = \log(1 + e^C)$", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig
