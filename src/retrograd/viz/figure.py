"""Figures without a display: every plot of ``retrograd.viz`` draws on a
``matplotlib.figure.Figure`` made here, never through ``pyplot``, so no GUI
backend is selected, no global figure list grows, and a notebook's own backend
is left alone. matplotlib is imported only when a plot is asked for."""
import numpy as np

DPI = 90   # PNGs for the docs stay small (a few tens of KB)


def new_figure(nrows=1, ncols=1, width=4.0, height=3.2, squeeze=True, **subplot_kw):
    """``(fig, axes)``: a headless Figure with an nrows × ncols grid of axes,
    each panel ``width`` × ``height`` inches."""
    Figure = _figure_class()
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=squeeze, subplot_kw=subplot_kw or None)
    return fig, axes


def save(fig, path, dpi=DPI):
    """Write ``fig`` to ``path`` (PNG, SVG or PDF by the extension); returns the path."""
    fig.savefig(path, dpi=dpi)
    return str(path)


def to_numpy(x):
    """A NumPy array from a Tensor/Parameter (copied off the GPU), a CuPy or
    NumPy array, or a list."""
    if hasattr(x, "numpy") and callable(x.numpy):
        return np.asarray(x.numpy())
    if hasattr(x, "get") and callable(x.get) and not isinstance(x, dict):  # CuPy array
        return np.asarray(x.get())
    return np.asarray(x)


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("retrograd.viz plots need matplotlib, which is not installed: "
                          "pip install 'retrograd[plot]' (or matplotlib)") from None
    return Figure
