"""``keras.utils.plot_model``: a model's layers as a diagram, drawn by ``retrograd.viz``
(its own layered layout: SVG with nothing but NumPy, PNG through matplotlib; Graphviz
is not needed, and is used when ``engine="dot"`` asks for it and it is installed).

One box per layer — its name and class, with ``show_shapes`` its input and output
shapes, ``show_dtype``, ``show_layer_activations``, ``show_trainable`` — and one
arrow per connection: a Sequential model is a chain, a functional model its graph
(a layer called twice is one box with the arrows of both calls), a subclassed model
the list of its layers in the order they were made.

>>> keras.utils.plot_model(model, to_file="model.png", show_shapes=True)
"""
import os
import shutil

from ..viz import layout
from ..viz.graph import (ENGINES, INNER_FILL, LEAF_FILL, OUTPUT_FILL, _dot_escape,
                         _run_dot)

FORMATS = {".png": "png", ".svg": "svg"}


class _Box:
    """A node as ``viz.layout`` draws it."""

    __slots__ = ("id", "kind", "lines", "fill", "dashed")

    def __init__(self, id, lines, fill):
        self.id, self.kind, self.lines, self.fill, self.dashed = id, "tensor", lines, fill, False


def _shape(s):
    if isinstance(s, list):
        return "[" + ", ".join(_shape(t) for t in s) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in s) + ("," if len(s) == 1
                                                                            else "") + ")"


def _graph(model):
    """(layers in order, edges as index pairs, {layer index: (input shape, output
    shape)}) of ``model``."""
    if hasattr(model, "_nodes") and hasattr(model, "_input_nodes"):    # functional
        nodes = model._input_nodes() + list(model._nodes)
        layers, index, shapes, edges = [], {}, {}, []
        for node in nodes:
            if id(node.layer) not in index:
                index[id(node.layer)] = len(layers)
                layers.append(node.layer)
            k = index[id(node.layer)]
            ins = [t.shape for t in node.inputs] or [t.shape for t in node.outputs]
            outs = [t.shape for t in node.outputs]
            shapes[k] = (ins[0] if len(ins) == 1 else ins, outs[0] if len(outs) == 1 else outs)
            for t in node.inputs:
                e = (index[id(t.node.layer)], k)
                if e not in edges:
                    edges.append(e)
        return layers, edges, shapes
    layers = list(model.layers)
    shapes = {}
    shape = getattr(model, "input_shape", None) if model.built else None
    for k, layer in enumerate(layers):
        out = None
        if shape is not None:
            try:
                out = tuple(layer.compute_output_shape(tuple(shape)))
            except (AttributeError, NotImplementedError, TypeError, ValueError):
                out = None
        shapes[k] = (shape, out)
        shape = out
    return layers, [(k, k + 1) for k in range(len(layers) - 1)], shapes


def _lines(layer, shapes, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    cls = type(layer).__name__
    lines = [f"{layer.name} ({cls})" if show_layer_names else cls]
    if show_layer_activations:
        act = getattr(layer, "activation_name", None)
        if act is not None:
            lines.append(f"Activation: {act}")
    if show_dtype:
        lines.append(f"Output dtype: {getattr(layer, 'dtype', 'float32')}")
    if show_shapes:
        ins, outs = shapes
        lines.append(f"Input shape: {'?' if ins is None else _shape(ins)}")
        lines.append(f"Output shape: {'?' if outs is None else _shape(outs)}")
    if show_trainable:
        lines.append(f"Trainable: {bool(getattr(layer, 'trainable', True))}")
    return lines


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """The diagram's DOT source (Graphviz's language), as a string. Keras returns a
    pydot graph; retrograd returns its text, which ``dot`` renders."""
    boxes, edges = _boxes(model, show_shapes, show_dtype, show_layer_names,
                          show_layer_activations, show_trainable)
    out = ["digraph model {", f"  rankdir={rankdir};", "  node [shape=box];"]
    for b in boxes:
        label = "\\n".join(_dot_escape(s) for s in b.lines)
        out.append(f'  {b.id} [label="{label}", style=filled, fillcolor="{b.fill}"];')
    out += [f"  {a} -> {b};" for a, b in edges]
    return "\n".join(out + ["}"]) + "\n"


def _boxes(model, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    if not getattr(model, "built", False):
        raise ValueError(f"plot_model: model {model.name!r} is not built yet; call it on data "
                         "or build(input_shape) first (Keras too needs a built model)")
    layers, edges, shapes = _graph(model)
    if not layers:
        raise ValueError(f"plot_model: model {model.name!r} has no layers to draw")
    boxes = [_Box(f"L{k}", _lines(layer, shapes[k], show_shapes, show_dtype, show_layer_names,
                                   show_layer_activations, show_trainable),
                  LEAF_FILL if type(layer).__name__ == "InputLayer"
                  else OUTPUT_FILL if not any(a == k for a, _ in edges)
                  else INNER_FILL)
             for k, layer in enumerate(layers)]
    return boxes, [(f"L{a}", f"L{b}") for a, b in edges]


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, engine="layered",
               **kwargs):
    """Draw ``model``'s layers into ``to_file`` (``.png`` or ``.svg``) and return the
    path. ``rankdir``: "TB" (top to bottom, Keras's default) or "LR". ``dpi``: the
    PNG's resolution. ``expand_nested`` draws a nested model as one box (Keras
    expands it). ``engine``: "layered" (retrograd's layout, the default), "dot"
    (Graphviz, when installed) or "auto"."""
    path = os.fspath(to_file)
    fmt = FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise ValueError(f"plot_model: to_file must end in .png or .svg, got {path!r}")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', got rankdir={rankdir!r}")
    if engine not in ENGINES:
        raise ValueError(f"plot_model: engine must be one of {ENGINES}, got "
                         f"{engine!r}")
    boxes, edges = _boxes(model, show_shapes, show_dtype, show_layer_names,
                          show_layer_activations, show_trainable)
    dot = shutil.which("dot")
    if engine == "dot" or (engine == "auto" and dot is not None):
        if dot is None:
            raise RuntimeError("plot_model: engine='dot' but the Graphviz 'dot' program is "
                               "not on PATH; install Graphviz or use engine='layered'")
        source = model_to_dot(model, show_shapes, show_dtype, show_layer_names, rankdir,
                              show_layer_activations=show_layer_activations,
                              show_trainable=show_trainable)
        _run_dot(dot, source, fmt, path)
        return path
    scene = layout.scene(boxes, edges, rankdir)
    if fmt == "svg":
        from ..serialization import atomic_write
        text = layout.to_svg(scene)
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    else:
        layout.to_png(scene, path, dpi=dpi)
    return path


__all__ = ["plot_model", "model_to_dot"]
