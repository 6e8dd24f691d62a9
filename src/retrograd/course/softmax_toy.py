"""3. The 3-class toy problem in 2-D (section 2, "Exemple jouet en 2D pour trois
classes"): three affine maps s_k = w_kᵀx + b_k on [−5, 5]², the softmax
probabilities P(k|x, W) and the predicted class k* = argmax_k P(k|x, W)."""
import numpy as np

import retrograd as rg
from retrograd import nn

from .experiment import Result

NAME = "softmax-toy"
TITLE = "3 classes in 2-D: affine maps, softmax, argmax regions"
SLIDES = "§2 Exemple jouet en 2D pour trois classes"

# Three directions 120° apart and small offsets: three regions meeting near 0.
W = np.array([[1.0, 0.0], [-0.5, 0.866], [-0.5, -0.866]], dtype=np.float32)
B = np.array([0.0, 0.5, -0.5], dtype=np.float32)


def perceptron():
    """s = xWᵀ + b (one neuron per class), then softmax: the logistic regression."""
    fc = nn.Linear(2, 3)
    fc.weight.data[:] = W
    fc.bias.data[:] = B
    return nn.Sequential(fc, nn.Softmax(dim=-1))


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES)
    n = 61 if quick else 201
    g = np.linspace(-5, 5, n)
    x1, x2 = np.meshgrid(g, g)
    X = rg.tensor(np.stack([x1.ravel(), x2.ravel()], 1))
    model = perceptron()
    with rg.no_grad():
        s = model[0](X).numpy()
        p = model(X).numpy()
    total = float(np.abs(p.sum(1) - 1).max())
    r.numbers["max_sum_error"] = total
    r.claim("softmax gives a distribution: P(k|x) > 0 and Σ_k P(k|x) = 1",
            f"min P = {p.min():.1e}, max |Σ_k P − 1| = {total:.1e}",
            p.min() > 0 and total < 1e-6,
            "every P > 0 and max |Σ_k P − 1| < 1e-6 over the grid")
    same = float(np.mean(p.argmax(1) == s.argmax(1)))
    r.numbers["argmax_agreement"] = same
    r.claim("k* = argmax_k P(k|x, W) (softmax keeps the order of the scores s_k)",
            f"argmax P = argmax s on {100 * same:.1f}% of the grid", same == 1.0,
            "exact: at every grid point")
    # Between two regions the boundary is where s_i = s_j: a line (w_i − w_j)ᵀx + b_i − b_j = 0.
    k = p.argmax(1).reshape(n, n)
    edge = np.zeros_like(k, dtype=bool)
    edge[:, 1:] |= k[:, 1:] != k[:, :-1]
    pts = np.stack([x1[edge], x2[edge]], 1)
    d = []
    for pt in pts:
        sc = W @ pt + B
        i, j = np.argsort(sc)[-2:]
        d.append(abs(sc[i] - sc[j]) / np.linalg.norm(W[i] - W[j]))
    spacing = g[1] - g[0]
    r.numbers["boundary_distance"] = float(max(d))
    r.claim("the regions are separated by straight lines (linear boundaries)",
            f"every boundary pixel lies within {max(d):.3f} of a line s_i = s_j "
            f"(grid spacing {spacing:.3f})", max(d) <= spacing,
            "every pixel where the winning class changes lies within one grid spacing of "
            "a line s_i = s_j")
    counts = np.bincount(k.ravel(), minlength=3) / k.size
    r.numbers["region_fractions"] = counts.tolist()
    r.claim("each of the 3 classes wins a region of the square",
            "region areas " + ", ".join(f"{100 * c:.0f}%" for c in counts), counts.min() > 0.1,
            "each class wins more than 10% of the square")
    if out is not None:
        r.save(figure(x1, x2, s.reshape(n, n, 3), p.reshape(n, n, 3), k), out,
               "softmax_toy.png")
    return r


def figure(x1, x2, s, p, k):
    from matplotlib.colors import ListedColormap

    from retrograd.viz import new_figure
    fig, axes = new_figure(3, 3, width=3.0, height=2.7)
    lim = float(np.abs(s).max())
    for c in range(3):
        ax = axes[0, c]
        im = ax.contourf(x1, x2, s[..., c], levels=np.linspace(-lim, lim, 21),
                         cmap="coolwarm")
        ax.set_title(f"$s_{c} = w_{c}^T x + b_{c}$, w = [{W[c, 0]:g}, {W[c, 1]:g}], "
                     f"b = {B[c]:g}", fontsize=8)
        fig.colorbar(im, ax=ax, shrink=0.8, ticks=[-6, -3, 0, 3, 6])
        ax = axes[1, c]
        im = ax.contourf(x1, x2, p[..., c], levels=np.linspace(0, 1, 21), cmap="viridis")
        ax.set_title(f"softmax: $P({c}\\,|\\,x, W)$", fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.8, ticks=[0, 0.5, 1])
    colours = ["#1f77b4", "#d62728", "#2ca02c"]
    ax = axes[2, 0]
    ax.contourf(x1, x2, k, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(colours),
                alpha=0.6)
    ax.contour(x1, x2, k, levels=[0.5, 1.5], colors="k", linewidths=0.8)
    ax.set_title("$k^* = \\arg\\max_k P(k\\,|\\,x, W)$", fontsize=9)
    for c in range(3):
        ax.plot([], [], "s", color=colours[c], alpha=0.6, label=f"class {c}")
    ax.legend(fontsize=7, loc="lower left")
    ax = axes[2, 1]
    im = ax.contourf(x1, x2, p.max(-1), levels=np.linspace(1 / 3, 1, 21), cmap="magma")
    fig.colorbar(im, ax=ax, shrink=0.8, ticks=[1 / 3, 2 / 3, 1], format="%.2f")
    ax.contour(x1, x2, k, levels=[0.5, 1.5], colors="w", linewidths=0.8)
    ax.set_title("confidence $\\max_k P(k\\,|\\,x, W)$", fontsize=9)
    axes[2, 2].set_visible(False)
    for ax in axes.flat:
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
    return fig
