"""``activation_histograms``: the distribution of each hidden layer's
activations (the course's initialisation figures, section 6)."""
import numpy as np

from .figure import new_figure, to_numpy

# Layers that only move numbers around or apply an affine map: their outputs are
# not the "activations" h = φ(s) the course plots.
_NOT_ACTIVATIONS = ("Linear", "Dropout", "Flatten", "Identity", "Reshape", "InputLayer")


def layer_activations(model, x, every=False):
    """``[(name, h)]``: the output h (a NumPy array) of each non-linearity of a
    sequential ``model`` on the input ``x`` — after each activation module, or
    each ``Dense`` layer with an activation; all layers with ``every=True``.

    ``model``: an ``nn.Sequential``, a Keras ``Sequential`` (``model.layers``) or
    any list of layers. Runs without recording a graph, in evaluation mode."""
    from ..function import no_grad
    from ..tensor import Tensor
    layers = _layers(model)
    h = x if isinstance(x, Tensor) else Tensor(to_numpy(x))
    out, k = [], 0
    modes = [(m, m.training) for m in layers if hasattr(m, "training")]
    try:
        for m, _ in modes:
            m.training = False
        with no_grad():
            for i, layer in enumerate(layers):
                h = layer(h)
                if every or _is_nonlinearity(layer):
                    k += 1
                    name = getattr(layer, "name", None) or type(layer).__name__
                    out.append((f"{k}: {name}" if not every else f"{i}: {name}",
                                to_numpy(h)))
    finally:
        for m, mode in modes:
            m.training = mode
    return out


def activation_stats(model, x, every=False):
    """``[(name, mean, std)]`` of each layer's activations (see ``layer_activations``)."""
    return [(n, float(h.mean()), float(h.std())) for n, h in layer_activations(model, x, every)]


def activation_histograms(model, x, bins=50, every=False, range=None, title=None, axes=None,
                          ncols=None, log=False):
    """One histogram per layer of the activations of ``model`` on ``x``, titled
    with their mean and standard deviation, as on the course's slides.

    ``range``: the common x-range (default: each layer's own); ``log``: counts on
    a log scale (ReLU layers, whose zeros would flatten the rest); ``axes``:
    panels to draw into (one per layer). Returns the Figure.

    >>> fig = activation_histograms(mlp, rg.randn(1000, 500))
    """
    acts = layer_activations(model, x, every)
    if not acts:
        raise ValueError(f"activation_histograms: no activation layer found in "
                         f"{type(model).__name__} (use every=True to show every layer)")
    n = len(acts)
    if axes is None:
        ncols = ncols or n
        nrows = -(-n // ncols)
        fig, axes = new_figure(nrows, ncols, width=1.9, height=1.9, squeeze=False)
        axes = axes.ravel()
        for ax in axes[n:]:
            ax.set_visible(False)
    else:
        axes = np.ravel(axes)
        fig = axes[0].figure
    for ax, (name, h) in zip(axes, acts):
        h = h.ravel()
        ax.hist(h, bins=bins, range=range, color="C0", log=log)
        ax.set_title(f"layer {name}\nmean {h.mean():+.2g}, std {h.std():.2g}", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
        ax.minorticks_off()
    if title:
        fig.suptitle(title, fontsize=9)
    return fig


def _layers(model):
    if isinstance(model, (list, tuple)):
        return list(model)
    layers = getattr(model, "layers", None)
    if layers is not None and not callable(layers):
        return list(layers)
    try:
        return list(iter(model))
    except TypeError:
        raise TypeError(f"activation_histograms: {type(model).__name__} is not sequential; "
                        "pass an nn.Sequential, a Keras Sequential or a list of layers") from None


def _is_nonlinearity(layer):
    name = type(layer).__name__
    if name == "Dense":
        act = getattr(layer, "activation", None)
        return act is not None and getattr(act, "__name__", "") not in ("linear", "identity")
    return name not in _NOT_ACTIVATIONS
