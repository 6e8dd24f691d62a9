"""``plot_history``: training and validation curves per epoch."""
import numpy as np

from .figure import new_figure


def history_dict(history):
    """The ``{metric: [value per epoch]}`` dict of a Keras ``History`` (its
    ``.history``) or of a dict of lists."""
    h = getattr(history, "history", history)
    if not isinstance(h, dict) or not h:
        raise TypeError(f"plot_history: expected a History or a non-empty dict of lists, got "
                        f"{type(history).__name__}")
    out = {}
    for k, v in h.items():
        v = np.asarray([float(x) for x in v], dtype=np.float64)
        if v.ndim != 1:
            raise ValueError(f"plot_history: {k!r} must be a list of numbers, got shape {v.shape}")
        out[str(k)] = v
    return out


def plot_history(history, axes=None, label=None, title=None, color=None, logy=False):
    """One panel per metric (``loss``, ``accuracy``, …): the training curve solid,
    the validation one (``val_<metric>``) dashed, against the epoch.

    ``history``: Keras ``History`` or ``{"loss": [...], "val_loss": [...], ...}``.
    ``axes``: the panels to draw into (one per metric, to overlay several runs,
    each with its ``label`` and ``color``). Returns the Figure.

    >>> fig = plot_history(model.fit(x, y, validation_split=0.1, epochs=20))
    """
    h = history_dict(history)
    metrics = [k for k in h if not k.startswith("val_")]
    metrics += [k[4:] for k in h if k.startswith("val_") and k[4:] not in metrics]
    if axes is None:
        fig, axes = new_figure(1, len(metrics), width=3.8, height=3.0, squeeze=False)
        axes = axes[0]
    else:
        axes = np.atleast_1d(axes)
        if len(axes) < len(metrics):
            raise ValueError(f"plot_history: {len(metrics)} metrics {metrics} but "
                             f"{len(axes)} axes")
        fig = axes[0].figure
    prefix = f"{label}: " if label else ""
    for ax, m in zip(axes, metrics):
        for key, style, what in ((m, "-", "train"), ("val_" + m, "--", "validation")):
            if key in h:
                epochs = np.arange(1, len(h[key]) + 1)
                ax.plot(epochs, h[key], ls=style, color=color, label=prefix + what)
        ax.set_xlabel("epoch")
        ax.set_ylabel(m)
        if logy:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
