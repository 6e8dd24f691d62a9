"""``plot_decision_boundary``: the regions a classifier of 2-D inputs assigns
to each class, with the training points on top (the course's XOR and toy
figures)."""
import numpy as np

from .figure import new_figure, to_numpy


def predict_grid(model, X, resolution=200, padding=0.5, bounds=None):
    """``(xx, yy, scores)``: the model's outputs on a resolution² grid covering
    the points X (N, 2) plus ``padding`` (or ``bounds=(x0, x1, y0, y1)``);
    scores has shape (resolution, resolution, C) (C = 1 for a single output)."""
    X = to_numpy(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (N, 2), got {X.shape}")
    if bounds is None:
        (x0, y0), (x1, y1) = X.min(0) - padding, X.max(0) + padding
    else:
        x0, x1, y0, y1 = bounds
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)
    s = _predict(model, grid)
    return xx, yy, s.reshape(resolution, resolution, -1)


def classes_of(scores):
    """Predicted class per row: argmax for C ≥ 2 outputs; for one output, 1 where
    it exceeds ½ (probabilities in [0, 1]) or 0 (scores)."""
    scores = np.asarray(scores)
    if scores.shape[-1] > 1:
        return scores.argmax(-1)
    s = scores[..., 0]
    threshold = 0.5 if s.min() >= 0 and s.max() <= 1 else 0.0
    return (s > threshold).astype(np.int64)


def plot_decision_boundary(model, X, y, ax=None, resolution=200, padding=0.5, bounds=None,
                           title=None, proba=False):
    """Colour the plane by the class ``model`` predicts (argmax of its outputs,
    see ``classes_of``) and scatter the points ``X`` (N, 2) coloured by ``y``.

    ``model``: an ``nn.Module`` or any function of a (N, 2) Tensor, or a Keras
    model (its ``predict`` is used). ``proba=True`` (two classes): shade by
    P(class 1 | x) instead — the softmax of the scores unless they already are
    probabilities — with the line P = ½. Returns the Figure.

    >>> fig = plot_decision_boundary(mlp, X, y, title="MLP on XOR")
    """
    xx, yy, scores = predict_grid(model, X, resolution, padding, bounds)
    X, y = to_numpy(X), to_numpy(y).astype(np.int64).ravel()
    labels = classes_of(scores)
    k = int(max(labels.max(), y.max() if y.size else 0)) + 1
    if ax is None:
        fig, ax = new_figure(width=3.6, height=3.4)
    else:
        fig = ax.figure
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap
    light = ListedColormap(_PALETTE_LIGHT[:max(k, 2)])
    dark = ListedColormap(_PALETTE[:max(k, 2)])
    if proba:
        p = _probability_of_one(scores)
        shade = LinearSegmentedColormap.from_list("p", _PALETTE_LIGHT[:2])
        im = ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 21), cmap=shade)
        if p.min() < 0.5 < p.max():
            ax.contour(xx, yy, p, levels=[0.5], colors="k", linewidths=0.8)
        fig.colorbar(im, ax=ax, shrink=0.8, ticks=[0, 0.5, 1], label="P(class 1 | x)")
    else:
        ax.contourf(xx, yy, labels, levels=np.arange(-0.5, max(k, 2)), cmap=light)
        ax.contour(xx, yy, labels, levels=np.arange(0.5, max(k, 2) - 0.5), colors="k",
                   linewidths=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=dark, vmin=-0.5, vmax=max(k, 2) - 0.5,
               edgecolors="k", s=40 if len(y) < 50 else 12, zorder=3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def _probability_of_one(scores):
    if scores.shape[-1] == 1:
        s = scores[..., 0]
        return s if s.min() >= 0 and s.max() <= 1 else 1 / (1 + np.exp(-s))
    if scores.shape[-1] != 2:
        raise ValueError(f"plot_decision_boundary: proba=True needs two classes, the model "
                         f"has {scores.shape[-1]} outputs")
    if np.all(scores >= 0) and np.allclose(scores.sum(-1), 1, atol=1e-4):
        return scores[..., 1]
    return 1 / (1 + np.exp(scores[..., 0] - scores[..., 1]))   # softmax of two scores


_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"]
_PALETTE_LIGHT = ["#c6dbef", "#f4c2c2", "#c7e9c0", "#fdd9b5", "#dadaeb", "#e0cfc8",
                  "#f7d0ea", "#e0e0e0", "#eeeeb0", "#c0eef2"]


def _predict(model, grid):
    from ..function import no_grad
    from ..tensor import Tensor
    if hasattr(model, "predict") and not hasattr(model, "forward"):
        return np.asarray(model.predict(grid, verbose=0)).reshape(len(grid), -1)
    eval_mode = getattr(model, "training", False) and hasattr(model, "eval")
    if eval_mode:
        model.eval()
    try:
        with no_grad():
            out = model(Tensor(grid))
    finally:
        if eval_mode:
            model.train()
    return to_numpy(out).reshape(len(grid), -1)
