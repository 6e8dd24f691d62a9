"""8. Learning-rate decay (section 3, "Politiques d'adaptation du pas
d'apprentissage"): η_t = η0/(1 + r·t), η0·e^{−λt} and the step decay
η0·r^{⌊t/t_u⌋}, with the slide's parameters, from ``optim.schedules`` and as an
``LRScheduler`` actually driving an optimiser."""
import math

import numpy as np

import retrograd as rg
from retrograd import optim
from retrograd.optim import schedules

from .experiment import Result

NAME = "lr-decay"
TITLE = "the three learning-rate decay policies"
SLIDES = "§3 Optimisation : politique du pas d'apprentissage"
ERRATA = ["The slide writes the step decay η_t = η0·r^{t/t_u}; with the exponent t/t_u this "
          "is a smooth exponential, not the staircase of its figure 'Décroissance step'. "
          "The staircase is η0·r^{⌊t/t_u⌋} (floor), which retrograd implements; the figure "
          "draws the slide's literal formula dashed for comparison."]

# The slide's parameters; it gives none for the inverse decay: r = 0.1 here.
POLICIES = {
    "inverse time": (schedules.inverse_time, {"eta0": 0.1, "r": 0.1},
                     lambda t: 0.1 / (1 + 0.1 * t), r"$\eta_0/(1 + r t)$, $\eta_0$ = 0.1, r = 0.1"),
    "exponential": (schedules.exponential, {"eta0": 0.1, "lam": 0.1},
                    lambda t: 0.1 * math.exp(-0.1 * t),
                    r"$\eta_0 e^{-\lambda t}$, $\eta_0$ = 0.1, $\lambda$ = 0.1"),
    "step": (schedules.step_decay, {"eta0": 0.1, "r": 0.5, "t_u": 10},
             lambda t: 0.1 * 0.5 ** (t // 10),
             r"$\eta_0 r^{\lfloor t/t_u \rfloor}$, $\eta_0$ = 0.1, r = 0.5, $t_u$ = 10"),
}


def driven(schedule, args, steps):
    """η_t read from an SGD optimiser driven by ``LRScheduler`` for ``steps`` steps."""
    w = rg.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=args["eta0"])
    sched = optim.LRScheduler(opt, schedule, **{k: v for k, v in args.items() if k != "eta0"})
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        w.grad = rg.zeros(1)
        opt.step()
        sched.step()
    return np.array(out)


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES, errata=list(ERRATA))
    steps = 30 if quick else 60
    t = np.arange(steps)
    worst = {}
    for name, (fn, args, closed, _) in POLICIES.items():
        values = fn(t, **args)
        exact = np.array([closed(int(s)) for s in t])
        drv = driven(fn, args, steps)
        worst[name] = (float(np.abs(values - exact).max()), float(np.abs(drv - exact).max()))
    r.numbers["max_error_vs_closed_form"] = worst
    r.claim("η_t = η0/(1 + r·t), η0·e^{−λt}, η0·r^{⌊t/t_u⌋} (η0 = 0.1, λ = 0.1, r = 0.5, "
            "t_u = 10)",
            "max |schedule − closed form| over t < " + str(steps) + ": " + ", ".join(
                f"{k} {a:.0e} (driven SGD: {b:.0e})" for k, (a, b) in worst.items()),
            all(a < 1e-12 and b < 1e-8 for a, b in worst.values()),
            "max error < 1e-12 for the schedule functions, < 1e-8 for the rate an SGD "
            "driven by LRScheduler uses")
    step = schedules.step_decay(t, 0.1, r=0.5, t_u=10)
    literal = 0.1 * 0.5 ** (t / 10)
    r.numbers["step_values"] = [float(v) for v in step[[0, 9, 10, 19, 20]]]
    r.claim("'Décroissance step': η stays constant for t_u steps, then is multiplied by r",
            "η at t = 0, 9, 10, 19, 20: "
            + ", ".join(f"{v:g}" for v in step[[0, 9, 10, 19, 20]])
            + f"; the slide's r^(t/t_u) gives {literal[5]:.4f} at t = 5, not 0.1",
            list(step[[0, 9, 10, 19, 20]]) == [0.1, 0.1, 0.05, 0.05, 0.025],
            "exact: 0.1, 0.1, 0.05, 0.05, 0.025")
    exp10 = schedules.exponential(10, 0.1, lam=0.1)
    r.claim("exponential decay with λ = 0.1: η is divided by e every 10 steps",
            f"η_10 = {exp10:.5f} = 0.1/e = {0.1 / math.e:.5f}", abs(exp10 - 0.1 / math.e) < 1e-12,
            "|η_10 − 0.1/e| < 1e-12")
    if out is not None:
        from retrograd.viz import new_figure, plot_lr_schedule
        fig, axes = new_figure(1, 3, width=3.6, height=3.0)
        for ax, (name, (fn, args, _, label)) in zip(axes, POLICIES.items()):
            plot_lr_schedule(fn, steps, ax=ax, label=label, **args)
            ax.set_title(f"{name} decay", fontsize=9)
            ax.set_ylim(0, 0.105)
        axes[2].plot(t, literal, "k--", lw=0.9, label=r"slide: $\eta_0 r^{t/t_u}$ (no floor)")
        axes[2].legend(fontsize=7)
        r.save(fig, out, "lr_decay.png")
    return r
