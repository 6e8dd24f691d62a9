"""6. Gradient descent x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − η ∇f(x⁽ᵗ⁾) (section 3, "Algorithme du
gradient", "Pas d'apprentissage", "Minimum local ou global"): η too small, good,
too large on f(x) = x², and a local vs the global minimum of a non-convex f,
each step taken by ``optim.SGD`` on a gradient from ``backward``."""
import numpy as np

import retrograd as rg
from retrograd import optim

from .experiment import Result

NAME = "gradient-descent"
TITLE = "the learning rate η, and local vs global minima"
SLIDES = "§3 Algorithme du gradient, Pas d'apprentissage, Minimum local ou global"
ERRATA = ["The slide 'Algorithme du gradient' writes x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − α_t ∇f(x⁽ᵗ⁺¹⁾). "
          "Gradient descent evaluates the gradient at the current point, ∇f(x⁽ᵗ⁾) (as the "
          "later slides do); the slide's formula is the implicit (proximal) step, which "
          "needs an equation solved at each step — on f = x² it is x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾/(1 + 2α) "
          "and could never diverge, unlike the figure 'η trop grand'."]

RATES = {"too small": 0.02, "good": 0.3, "too large": 1.05}


def quadratic(x):
    return x * x


def nonconvex(x):
    """x⁴ − 3x² + x: a global minimum near −1.30, a local one near 1.13."""
    return x ** 4 - 3 * x ** 2 + x


def descend(f, x0, lr, steps):
    """The iterates x⁽⁰⁾ … x⁽ᵀ⁾ of SGD(lr) on f from x0 (one parameter, float64)."""
    x = rg.tensor([x0], requires_grad=True, dtype="float64")
    opt = optim.SGD([x], lr=lr)
    path = [x0]
    for _ in range(steps):
        opt.zero_grad()
        f(x).sum().backward()
        opt.step()
        path.append(float(x.item()))
    return np.array(path)


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES, errata=list(ERRATA))
    steps, x0 = 20, 2.0
    paths = {k: descend(quadratic, x0, lr, steps) for k, lr in RATES.items()}
    final = {k: abs(p[-1]) for k, p in paths.items()}
    r.numbers["final_abs_x"] = final
    closed = {k: abs(x0 * (1 - 2 * lr) ** steps) for k, lr in RATES.items()}
    r.claim("the update uses ∇f(x⁽ᵗ⁾): on x², x⁽ᵗ⁾ = (1 − 2η)ᵗ x⁽⁰⁾",
            "max |x⁽²⁰⁾ − (1 − 2η)²⁰x⁽⁰⁾| = "
            f"{max(abs(final[k] - closed[k]) for k in RATES):.1e}",
            all(abs(final[k] - closed[k]) <= 1e-9 * max(1, closed[k]) for k in RATES),
            "|x⁽²⁰⁾ − closed form| ≤ 1e-9·max(1, |closed form|) (float64), for each η")
    r.claim("η too small: slow progress; η good: convergence; η too large: divergence",
            f"|x⁽²⁰⁾| from x⁽⁰⁾ = 2: {final['too small']:.3f} (η = {RATES['too small']}), "
            f"{final['good']:.1e} (η = {RATES['good']}), {final['too large']:.1f} "
            f"(η = {RATES['too large']})",
            final["too small"] > 0.5 and final["good"] < 1e-6 and final["too large"] > x0,
            f"after {steps} steps: |x| > 0.5 (too small), < 1e-6 (good), > |x⁽⁰⁾| = {x0:g} "
            "(too large)")
    implicit = abs(x0 / (1 + 2 * RATES["too large"]) ** steps)
    r.numbers["implicit_too_large"] = implicit
    r.notes.append(f"The slide's implicit step with η = {RATES['too large']} would give "
                   f"|x⁽²⁰⁾| = {implicit:.1e}: it cannot show divergence.")
    local = descend(nonconvex, 2.0, 0.02, 200 if quick else 500)
    glob = descend(nonconvex, -2.0, 0.02, 200 if quick else 500)
    fl, fg = float(nonconvex(local[-1])), float(nonconvex(glob[-1]))
    grid = np.linspace(-2.5, 2.5, 100001)
    true_min = float(grid[np.argmin(nonconvex(grid))])
    r.numbers.update(local_min=[local[-1], fl], global_min=[glob[-1], fg])
    r.claim("non-convex f: the minimum found depends on the start; only convexity "
            "guarantees the global one",
            f"from x⁽⁰⁾ = 2: x = {local[-1]:.3f}, f = {fl:.3f} (local); from −2: "
            f"x = {glob[-1]:.3f}, f = {fg:.3f} (global; grid search: {true_min:.3f})",
            fl > fg + 1 and abs(glob[-1] - true_min) < 1e-3 and local[-1] > 0.5,
            "from 2: stuck at the local minimum (x > 0.5, f more than 1 above the global "
            "one); from −2: within 1e-3 of the grid search's global minimum")
    if out is not None:
        r.save(figure(paths, local, glob), out, "gradient_descent.png")
    return r


def figure(paths, local, glob):
    from retrograd.viz import new_figure
    fig, axes = new_figure(1, 3, width=3.7, height=3.2)
    ax = axes[0]
    xs = np.linspace(-3, 3, 300)
    ax.plot(xs, xs ** 2, "k", lw=1)
    for i, (k, p) in enumerate(paths.items()):
        shown = p[:8] if k == "too large" else p
        ax.plot(shown, shown ** 2, "o-", ms=3, lw=0.8, color=f"C{i}",
                label=f"η = {RATES[k]} ({k})")
    ax.set_ylim(-0.5, 9.5)
    ax.set_xlim(-3, 3)
    ax.set_xlabel("x")
    ax.set_title("$f(x) = x^2$ from $x^{(0)} = 2$", fontsize=9)
    ax.legend(fontsize=7, loc="upper center")
    ax = axes[1]
    for i, (k, p) in enumerate(paths.items()):
        ax.semilogy(np.abs(p) + 1e-300, "o-", ms=2.5, color=f"C{i}", label=f"η = {RATES[k]}")
    ax.set_xlabel("iteration t")
    ax.set_ylabel("$|x^{(t)} - x^*|$")
    ax.set_title("distance to the minimum", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[2]
    xs = np.linspace(-2.1, 2.1, 300)
    ax.plot(xs, nonconvex(xs), "k", lw=1)
    for p, c, name in ((local, "C3", "from 2: local minimum"),
                       (glob, "C2", "from −2: global minimum")):
        ax.plot(p[::4], nonconvex(p[::4]), "o-", ms=3, lw=0.8, color=c, label=name)
    ax.set_xlabel("x")
    ax.set_title("$f(x) = x^4 - 3x^2 + x$, η = 0.02", fontsize=9)
    ax.legend(fontsize=7, loc="upper center")
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig
