"""``plot_weights``: the weight vector of each output unit drawn as an image —
for the MNIST logistic regression, the 10 "templates" it matches digits against."""
import math

import numpy as np

from .figure import new_figure, to_numpy


def weight_templates(weights):
    """The templates as an array (units, inputs): from a Keras-layout kernel
    (inputs, units), a layer with ``kernel`` (Dense) or ``weight`` (Linear,
    (units, inputs)), or such an array/Tensor."""
    if hasattr(weights, "kernel") and weights.kernel is not None:
        kernel = weights.kernel
        kernel = kernel.numpy() if hasattr(kernel, "numpy") else kernel
        return to_numpy(kernel).T
    if hasattr(weights, "weight") and getattr(weights, "weight") is not None and \
            not isinstance(weights, np.ndarray):
        return to_numpy(weights.weight)
    w = to_numpy(weights)
    if w.ndim != 2:
        raise ValueError(f"plot_weights: expected a 2-D kernel (inputs, units), got shape "
                         f"{w.shape}")
    return w.T


def plot_weights(weights, shape=None, titles=None, ncols=5, cmap="RdBu_r", title=None):
    """One image per output unit: its weights reshaped to ``shape`` (default: a
    square, e.g. 28×28 for 784 inputs) on a symmetric colour scale, red for
    positive (evidence for the class), blue for negative.

    ``weights``: a kernel (inputs, units) as Keras stores it, or a Dense/Linear
    layer; ``titles``: one per unit (default 0, 1, …). Returns the Figure.

    >>> plot_weights(model.get_layer("fc1"))      # the 10 MNIST templates
    """
    t = weight_templates(weights)
    units, inputs = t.shape
    if shape is None:
        side = math.isqrt(inputs)
        if side * side != inputs:
            raise ValueError(f"plot_weights: {inputs} inputs is not a square number; "
                             "pass shape=(height, width)")
        shape = (side, side)
    if int(np.prod(shape)) != inputs:
        raise ValueError(f"plot_weights: shape {tuple(shape)} holds {int(np.prod(shape))} "
                         f"values, the units have {inputs} weights")
    titles = [str(k) for k in range(units)] if titles is None else list(titles)
    ncols = min(ncols, units)
    nrows = -(-units // ncols)
    fig, axes = new_figure(nrows, ncols, width=1.5, height=1.6, squeeze=False)
    vmax = float(np.abs(t).max()) or 1.0
    for k, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= units:
            ax.set_visible(False)
            continue
        im = ax.imshow(t[k].reshape(shape), cmap=cmap, vmin=-vmax, vmax=vmax)
        ax.set_title(titles[k], fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8, label="weight")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
