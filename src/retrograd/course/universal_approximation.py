"""5. Universal approximation (section 2, "Idée de la preuve"): Heaviside steps
("marches"), a step plus a reversed step make a "créneau", créneaux add up to a
staircase, and the staircase — a one-hidden-layer network — approximates a
continuous function with an error that shrinks as hidden units are added.
Then the same function learned by gradient descent."""
import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.nn import functional as F

from .experiment import Result

NAME = "universal-approximation"
TITLE = "steps, créneaux, staircases: one hidden layer approximates a continuous f"
SLIDES = "§2 Théorème d'approximation universelle, Idée de la preuve"
A, B = -3.0, 3.0


def f(x):
    """The continuous target on [A, B]."""
    return np.sin(2 * x) + 0.3 * x ** 2 - 1


def staircase(n):
    """A one-hidden-layer network x ↦ W_s H(Wx + b) + b_s with n − 1 hidden Heaviside
    units: the value f(m_i) at the middle of each of n intervals, each unit adding
    the jump f(m_i) − f(m_{i−1}) at the interval's left end c_i (a step of height k
    is the output weight k)."""
    h = (B - A) / n
    mids = A + h * (np.arange(n) + 0.5)
    cuts = A + h * np.arange(1, n)
    hidden, output = nn.Linear(1, n - 1), nn.Linear(n - 1, 1)
    hidden.weight.data[:] = 1.0
    hidden.bias.data[:] = -cuts
    output.weight.data[:] = np.diff(f(mids))[None, :]
    output.bias.data[:] = f(mids[0])
    return nn.Sequential(hidden, nn.Heaviside(), output)


def max_error(model, x):
    with rg.no_grad():
        y = model(rg.tensor(x[:, None].astype(np.float32))).numpy()[:, 0]
    return float(np.abs(y - f(x)).max()), y


def train_mlp(units, steps, seed):
    """A one-hidden-layer tanh MLP fitted to f by Adam on 200 points (MSE)."""
    rg.manual_seed(seed)
    x = np.linspace(A, B, 200, dtype=np.float32)[:, None]
    y = f(x).astype(np.float32)
    model = nn.Sequential(nn.Linear(1, units), nn.Tanh(), nn.Linear(units, 1))
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.LRScheduler(opt, optim.schedules.step_decay, r=0.3, t_u=steps // 3)
    xt, yt = rg.tensor(x), rg.tensor(y)
    for _ in range(steps):
        loss = F.mse_loss(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return model, float(loss)


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES)
    x = np.linspace(A, B, 2001 if quick else 20001)
    ns = [4, 8, 16, 32, 64, 128, 256]
    errors = [max_error(staircase(n), x)[0] for n in ns]
    r.numbers["staircase_max_error"] = dict(zip(ns, errors))
    ratios = [e0 / e1 for e0, e1 in zip(errors, errors[1:])]
    r.claim("∀ε > 0 a finite hidden layer reaches max |f − f̂| < ε: the staircase's error "
            "shrinks as hidden units are added",
            "max error " + ", ".join(f"{e:.3f}" for e in errors) + " for "
            + ", ".join(f"{n - 1}" for n in ns) + " hidden units (≈ halved when doubled: "
            f"ratios {min(ratios):.2f}–{max(ratios):.2f})",
            all(e1 < e0 for e0, e1 in zip(errors, errors[1:])) and min(ratios) > 1.5,
            "the error decreases at every doubling of the units, by a factor > 1.5 "
            "(a staircase of a smooth f: error ∝ 1/n, factor 2)")
    # The créneau: a step plus a reversed step (minus 1), of height k.
    c1, c2, k = -1.0, 1.0, 2.0
    z = rg.tensor(x.astype(np.float32))
    creneau = (k * (F.heaviside(z - c1) + F.heaviside(c2 - z) - 1)).numpy()
    inside = (x >= c1) & (x <= c2)
    r.claim("a créneau = a step + a reversed step; its height is the output weight k",
            f"k·(H(x + {-c1:g}) + H({c2:g} − x) − 1) = {k:g} on [{c1:g}, {c2:g}] "
            f"({np.all(creneau[inside] == k)}), 0 elsewhere ({np.all(creneau[~inside] == 0)})",
            np.all(creneau[inside] == k) and np.all(creneau[~inside] == 0),
            f"exact, at all {len(x)} points of [{A:g}, {B:g}]")
    units, steps, limit = (16, 3000, 0.1) if quick else (32, 8000, 0.05)
    mlp, loss = train_mlp(units, steps, seed)
    mlp_err, mlp_y = max_error(mlp, x)
    stair_at_units = max_error(staircase(units + 1), x)[0]
    r.numbers.update(mlp_units=units, mlp_max_error=mlp_err, mlp_loss=loss)
    r.claim("the theorem gives no method to find W_s, W, b — gradient descent does find them",
            f"a trained {units}-unit tanh layer: max error {mlp_err:.3f} "
            f"(the {units}-unit staircase: {stair_at_units:.3f})",
            mlp_err < limit,
            f"max error < {limit:g} on [{A:g}, {B:g}] after {steps} Adam steps")
    if out is not None:
        r.save(figure(x, ns, errors, mlp_y, units, mlp_err, c1, c2, k), out,
               "universal_approximation.png")
    return r


def figure(x, ns, errors, mlp_y, units, mlp_err, c1, c2, k):
    from retrograd.viz import new_figure
    fig, axes = new_figure(2, 3, width=3.5, height=2.8)
    H = lambda z: (z >= 0).astype(float)  # noqa: E731
    ax = axes[0, 0]
    ax.plot(x, H(x), label="marche H(x)")
    ax.plot(x, H(x - 1) + 0.03, label="décalée à droite H(x − 1)")
    ax.plot(x, H(1 - x) - 0.03, label="à l'envers H(1 − x)")
    ax.set_title("steps: one Heaviside unit each", fontsize=9)
    ax.legend(fontsize=6.5, loc="center left")
    ax = axes[0, 1]
    ax.plot(x, k * (H(x - c1) + H(c2 - x) - 1), label=f"k = {k:g}, Heaviside")
    ax.plot(x, k * (1 / (1 + np.exp(-10 * (x - c1))) + 1 / (1 + np.exp(-10 * (c2 - x))) - 1),
            "--", label="same with σ_a, a = 10")
    ax.set_title(f"créneau = H(x + {-c1:g}) + H({c2:g} − x) − 1, height k", fontsize=9)
    ax.legend(fontsize=6.5, loc="upper left")
    ax = axes[0, 2]
    ax.plot(x, f(x), "k", lw=2, label="f")
    for n in (5, 10, 40):
        ax.plot(x, max_error(staircase(n), x)[1], lw=1, label=f"staircase, {n - 1} units")
    ax.set_title("staircases approximating f", fontsize=9)
    ax.legend(fontsize=6.5)
    ax = axes[1, 0]
    hidden = [n - 1 for n in ns]
    ax.loglog(hidden, errors, "o-", label="staircase")
    ax.loglog(hidden, errors[0] * hidden[0] / np.array(hidden), "k:", lw=1,
              label="∝ 1 / units")
    ax.loglog([units], [mlp_err], "s", color="C3", label="trained tanh MLP")
    ax.set_xlabel("hidden units")
    ax.set_ylabel(r"$\max_x |f(x) - \hat f(x)|$")
    ax.set_title("max error vs width", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1, 1]
    ax.plot(x, f(x), "k", lw=2, label="f")
    ax.plot(x, mlp_y, "C3--", label=f"trained MLP, {units} tanh units")
    ax.set_title(f"learned by Adam: max error {mlp_err:.3f}", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 2]
    ax.plot(x, mlp_y - f(x), "C3", lw=1, label="trained MLP")
    ax.plot(x, max_error(staircase(units + 1), x)[1] - f(x), "C0", lw=0.8,
            label=f"staircase, {units} units")
    ax.set_title(r"error $\hat f - f$", fontsize=9)
    ax.legend(fontsize=7)
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
        if ax is not axes[1, 0]:
            ax.set_xlabel("x", fontsize=8)
    return fig
