"""1. The artificial neuron ŷ = σ_a(wᵀx + b) in 2-D (section 2, "Application à
la classification binaire"): w = [1, 1], b = −2 on [−5, 5]², the affine map
s = x₁ + x₂ − 2 and the sigmoid of slope a = 10, 1, 0.1."""
import numpy as np

import retrograd as rg
from retrograd import nn

from .experiment import Result

NAME = "neuron"
TITLE = "the 2-D artificial neuron and the slope a of its sigmoid"
SLIDES = "§2 Application à la classification binaire"
ERRATA = ["The slide says the sigmoid is linear near 0 with σ(x) ≈ ax and saturates at ±1. "
          "For σ_a(z) = 1/(1 + e^{−az}) the tangent at 0 is σ_a(z) ≈ ½ + az/4, and it "
          "saturates at 0 and 1 (±1 is tanh's range). The 1-D panel draws both tangents."]

W, B, SLOPES = [1.0, 1.0], -2.0, (10.0, 1.0, 0.1)


def neuron(a):
    """The neuron as a module: nn.Linear(2, 1) with w = [1, 1], b = −2, then σ_a."""
    fc = nn.Linear(2, 1)
    fc.weight.data[:] = np.array([W], dtype=np.float32)
    fc.bias.data[:] = B
    return nn.Sequential(fc, nn.Sigmoid(a=a))


def run(out=None, quick=False, seed=0):
    """Evaluate s and ŷ on a grid of [−5, 5]² and check the slide's statements."""
    r = Result(NAME, TITLE, SLIDES, errata=list(ERRATA))
    n = 41 if quick else 201
    g = np.linspace(-5, 5, n)
    x1, x2 = np.meshgrid(g, g)
    X = rg.tensor(np.stack([x1.ravel(), x2.ravel()], 1))
    with rg.no_grad():
        s = neuron(1.0)[0](X).numpy().reshape(n, n)
        yhat = {a: neuron(a)(X).numpy().reshape(n, n) for a in SLOPES}
    r.numbers["s_range"] = [float(s.min()), float(s.max())]
    r.claim("s = wᵀx + b = x₁ + x₂ − 2 on [−5, 5]²",
            f"s ranges over [{s.min():.0f}, {s.max():.0f}]; max |s − (x₁ + x₂ − 2)| = "
            f"{np.abs(s - (x1 + x2 - 2)).max():.1e}",
            np.allclose(s, x1 + x2 - 2, atol=1e-5),
            "max |s − (x₁ + x₂ − 2)| ≤ 1e-5 (float32 rounding of values up to 12)")
    # Class 1 ⇔ P(1|x) > 0.5 ⇔ wᵀx + b > 0: the boundary is the line x₁ + x₂ = 2 for any a.
    off = np.abs(s) > 1e-6
    agree = {a: float(np.mean((yhat[a] > 0.5)[off] == (s > 0)[off])) for a in SLOPES}
    r.numbers["boundary_agreement"] = agree
    r.claim("ŷ > 0.5 ⇔ wᵀx + b > 0: the decision boundary is linear, whatever a",
            "{ŷ > 0.5} = {s > 0} on " + ", ".join(f"{100 * v:.0f}%" for v in agree.values())
            + " of the grid for a = 10, 1, 0.1",
            all(v == 1.0 for v in agree.values()),
            "exact: 100% agreement at every grid point off the line (|s| > 1e-6), for each a")
    # a ↑: towards the Heaviside step. Measured away from the boundary (|s| ≥ 0.5).
    far = np.abs(s) >= 0.5
    gap = {a: float(np.abs(yhat[a] - (s >= 0))[far].max()) for a in SLOPES}
    r.numbers["max_gap_to_heaviside"] = gap
    r.claim("a ↑: σ_a approaches the Heaviside step (a → ∞)",
            "max |σ_a(s) − H(s)| for |s| ≥ 0.5: " + ", ".join(
                f"{v:.3f} (a = {a:g})" for a, v in gap.items()),
            gap[10.0] < gap[1.0] < gap[0.1],
            "the gap decreases strictly as a grows (a = 0.1 → 1 → 10)")
    ranges = {a: (float(yhat[a].min()), float(yhat[a].max())) for a in SLOPES}
    r.numbers["yhat_range"] = ranges
    r.claim("a = 0.1: ŷ stays in the linear regime on the whole square",
            f"ŷ ∈ [{ranges[0.1][0]:.3f}, {ranges[0.1][1]:.3f}] for a = 0.1 "
            f"(vs [{ranges[10.0][0]:.0e}, {ranges[10.0][1]:.4f}] for a = 10)",
            ranges[0.1][0] > 0.2 and ranges[0.1][1] < 0.8,
            "ŷ within [0.2, 0.8], i.e. |a·s| ≤ 1.39, where σ departs from its tangent "
            "½ + z/4 by at most 0.05")
    # The erratum: the tangent at 0 is ½ + az/4, not az.
    z = np.linspace(-0.5, 0.5, 101)
    sig = rg.sigmoid(rg.tensor(z, dtype="float64")).numpy()
    tangent_err = float(np.abs(sig - (0.5 + z / 4)).max())
    r.numbers["tangent_error"] = tangent_err
    r.claim("near 0 the sigmoid is linear (the slide: σ(x) ≈ ax; correct: ½ + az/4)",
            f"max |σ(z) − (½ + z/4)| on |z| ≤ 0.5 = {tangent_err:.1e}, "
            f"max |σ(z) − z| = {np.abs(sig - z).max():.2f}",
            tangent_err < 3e-3,
            "max |σ(z) − (½ + z/4)| < 3e-3 on |z| ≤ 0.5: the cubic term z³/48 is 2.6e-3 "
            "there")
    if out is not None:
        r.save(figure(x1, x2, s, yhat), out, "neuron.png")
    return r


def figure(x1, x2, s, yhat):
    from matplotlib.colors import TwoSlopeNorm

    from retrograd.viz import new_figure
    fig, axes = new_figure(2, 3, width=3.4, height=3.0)
    maps = [axes[0, 0], axes[0, 1], axes[0, 2], axes[1, 0]]
    im = maps[0].contourf(x1, x2, s, levels=21, cmap="coolwarm",
                          norm=TwoSlopeNorm(0, s.min(), s.max()))
    maps[0].contour(x1, x2, s, levels=[0], colors="k", linewidths=1.2)
    fig.colorbar(im, ax=maps[0], shrink=0.8)
    maps[0].set_title("affine map $s = x_1 + x_2 - 2$\n(black line: $s = 0$)", fontsize=9)
    for ax, a in zip(maps[1:], SLOPES):
        im = ax.contourf(x1, x2, yhat[a], levels=np.linspace(0, 1, 21), cmap="coolwarm")
        ax.contour(x1, x2, yhat[a], levels=[0.5], colors="k", linewidths=1.2)
        ax.set_title(f"$\\hat y = \\sigma_a(s)$ with a = {a:g}\n(black line: $\\hat y = 0.5$)",
                     fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.8, ticks=[0, 0.25, 0.5, 0.75, 1])
    for ax in maps:
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_aspect("equal")
    ax = axes[1, 1]
    z = np.linspace(-6, 6, 400)
    for a in SLOPES:
        ax.plot(z, 1 / (1 + np.exp(-a * z)), label=f"a = {a:g}")
    ax.axhline(0, color="0.6", lw=0.6)
    ax.axhline(1, color="0.6", lw=0.6)
    ax.set_xlabel("z")
    ax.set_title("$\\sigma_a(z) = 1/(1 + e^{-az})$: saturates at 0 and 1", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    ax = axes[1, 2]
    z = np.linspace(-3, 3, 300)
    ax.plot(z, 1 / (1 + np.exp(-z)), label="$\\sigma(z)$ (a = 1)")
    ax.plot(z, 0.5 + z / 4, "k--", lw=1, label="tangent $1/2 + z/4$")
    ax.plot(z, z, ":", color="C3", lw=1.2, label="slide: $\\sigma(z) \\approx z$")
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlabel("z")
    ax.set_title("the linear regime near 0", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    return fig
