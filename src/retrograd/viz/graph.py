"""The computational graph behind a tensor, as Graphviz DOT and as a picture.

``graph(f)`` walks the graph from ``f`` back to its leaves (ops keep their
inputs in ``op.parents``, tensors their op in ``t._op``) and returns a
``Graph``: one box per tensor (name, shape, value when small, gradient once
computed) and one ellipse per op, edges in the direction data flows. Its
``source`` is DOT; ``render(path)`` draws it with Graphviz's ``dot`` when it is
installed and otherwise with retrograd's own layered layout (``layout.py``), so
the picture never needs anything but NumPy (SVG) or matplotlib (PNG)::

    f = (x + y) * z; f.name = "f"
    g = viz.graph(f)              # capture before backward() frees the ops
    f.backward()
    g.render("backprop.svg")      # shows ∂f/∂x etc. for the named leaves

The graph keeps references to the tensors and reads their ``.grad`` when the
source is produced, so a graph captured before ``backward`` shows the gradients
computed afterwards.
"""
import os
import shutil
import subprocess

import numpy as np

from ..tensor import Tensor

FORMATS = ("svg", "png")
ENGINES = ("auto", "dot", "layered")
SMALL = 4        # tensors with at most this many elements show their values,
MAX_CHARS = 40   # when these fit on one line

# One palette for both renderers (close to torchviz's, which students know).
LEAF_FILL = "#cfe2f3"      # leaves that require grad: the parameters/inputs
CONST_FILL = "#eeeeee"     # tensors without grad (constants, labels)
INNER_FILL = "#ffffff"     # intermediate results
OUTPUT_FILL = "#d9ead3"    # the tensor the graph was drawn for
OP_FILL = "#fff2cc"


class Node:
    """A node of the drawn graph: ``kind`` is "tensor" or "op"; ``lines`` its label."""

    __slots__ = ("id", "kind", "tensor", "op_name", "fill", "dashed", "lines")

    def __init__(self, id, kind, tensor=None, op_name=None):
        self.id, self.kind, self.tensor, self.op_name = id, kind, tensor, op_name
        self.fill, self.dashed, self.lines = OP_FILL, False, [op_name]


class Graph:
    """The graph behind a tensor: ``nodes`` (inputs first), ``edges`` as
    ``(source_id, target_id)`` pairs in data-flow order, ``source`` in DOT."""

    def __init__(self, root, show_grad=True, rankdir="LR"):
        if rankdir not in ("LR", "TB"):
            raise ValueError(f"viz.graph: rankdir must be 'LR' or 'TB', got {rankdir!r}")
        self.root, self.show_grad, self.rankdir = root, show_grad, rankdir
        self.nodes, self.edges = _capture(root)

    # -- labels, read when asked so that gradients computed later show ---------
    def labelled_nodes(self):
        """The nodes with their current labels and colours."""
        root_name = self.root.name
        for n in self.nodes:
            if n.kind == "tensor":
                t = n.tensor
                n.lines = _tensor_lines(t, root_name, self.show_grad)
                n.dashed = not t.requires_grad
                n.fill = (OUTPUT_FILL if t is self.root else
                          INNER_FILL if t._op is not None else
                          LEAF_FILL if t.requires_grad else CONST_FILL)
        return self.nodes

    @property
    def source(self):
        """Graphviz DOT source of the graph."""
        out = ["digraph retrograd {",
               f"  rankdir={self.rankdir};",
               '  node [fontname="DejaVu Sans Mono", fontsize=11];',
               '  edge [arrowsize=0.7];']
        for n in self.labelled_nodes():
            label = "\\n".join(_dot_escape(s) for s in n.lines)
            if n.kind == "op":
                attrs = f'shape=ellipse, style=filled, fillcolor="{n.fill}"'
            else:
                style = "filled,dashed" if n.dashed else "filled"
                attrs = f'shape=box, style="{style}", fillcolor="{n.fill}"'
            out.append(f'  {n.id} [label="{label}", {attrs}];')
        for a, b in self.edges:
            out.append(f"  {a} -> {b};")
        out.append("}")
        return "\n".join(out) + "\n"

    def __str__(self):
        return self.source

    def __repr__(self):
        ops = sum(n.kind == "op" for n in self.nodes)
        return f"<viz.Graph: {len(self.nodes) - ops} tensors, {ops} ops>"

    # -- pictures ---------------------------------------------------------------
    def render(self, path, format=None, engine="auto"):
        """Write the picture to ``path`` and return the path.

        ``format`` is "svg" or "png" (default: from the path's extension).
        ``engine``: "dot" (Graphviz, must be installed), "layered" (retrograd's
        own layout: SVG with no dependency, PNG through matplotlib), or "auto"
        (dot when ``shutil.which("dot")`` finds it, else layered)."""
        path = os.fspath(path)
        if format is None:
            format = os.path.splitext(path)[1].lstrip(".").lower()
        if format not in FORMATS:
            raise ValueError(f"viz.render: format must be one of {FORMATS}, got {format!r} "
                             f"(path {path!r})")
        if engine not in ENGINES:
            raise ValueError(f"viz.render: engine must be one of {ENGINES}, got {engine!r}")
        dot = shutil.which("dot")
        if engine == "dot" and dot is None:
            raise RuntimeError("viz.render: engine='dot' but the Graphviz 'dot' program is "
                               "not on PATH; install Graphviz or use engine='layered'")
        if engine == "dot" or (engine == "auto" and dot is not None):
            _run_dot(dot, self.source, format, path)
            return path
        from . import layout
        scene = layout.scene(self.labelled_nodes(), self.edges, self.rankdir)
        if format == "svg":
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(layout.to_svg(scene))
        else:
            layout.to_png(scene, path)
        return path

    def _repr_svg_(self):  # Jupyter shows the graph inline
        from . import layout
        return layout.to_svg(layout.scene(self.labelled_nodes(), self.edges, self.rankdir))


def graph(t, show_grad=True, rankdir="LR"):
    """The computational graph behind tensor ``t`` as a ``Graph`` (``.source``
    is Graphviz DOT, ``.render(path)`` draws it).

    Tensors are boxes (``t.name`` if set, shape, value when small, ``.grad``
    once computed when ``show_grad``), ops are ellipses (``Function.name``);
    edges follow the data flow. ``rankdir``: "LR" (left to right) or "TB".

    ``backward()`` frees the graph it ran through: capture the graph before it
    (gradients computed later still show) or call ``backward(retain_graph=True)``.
    Intermediate tensors have a gradient to show only after ``retain_grad()``."""
    if not isinstance(t, Tensor):
        raise TypeError(f"viz.graph: expected a Tensor, got {type(t).__name__}")
    return Graph(t, show_grad=show_grad, rankdir=rankdir)


def render_graph(t, path, format=None, show_grad=True, engine="auto", rankdir="LR"):
    """Draw the graph behind ``t`` into ``path`` (SVG or PNG); returns the path.
    Shorthand for ``graph(t, show_grad, rankdir).render(path, format, engine)``."""
    return graph(t, show_grad=show_grad, rankdir=rankdir).render(path, format, engine)


# -- capture ---------------------------------------------------------------------
def _capture(root):
    """Nodes (inputs first) and edges of the graph behind ``root``.

    Iterative depth-first search, as in the engine, so that a chain of 100,000
    ops does not hit Python's recursion limit."""
    tensor_ids, op_ids, nodes, edges = {}, {}, [], []
    stack = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        op = t._op
        if expanded:
            if op is not None and id(op) not in op_ids:
                op_ids[id(op)] = f"op{len(op_ids)}"
                nodes.append(Node(op_ids[id(op)], "op", op_name=op.name))
                edges.extend((tensor_ids[id(p)], op_ids[id(op)]) for p in op.parents)
            tensor_ids[id(t)] = f"t{len(tensor_ids)}"
            nodes.append(Node(tensor_ids[id(t)], "tensor", tensor=t))
            if op is not None:
                edges.append((op_ids[id(op)], tensor_ids[id(t)]))
            continue
        if id(t) in tensor_ids:
            continue
        if op is not None and op.freed:
            raise RuntimeError(
                f"viz.graph: the graph through {op.name} was freed by backward(); "
                "capture it first (g = viz.graph(f); f.backward(); g.render(path)) or "
                "call backward(retain_graph=True)")
        stack.append((t, True))
        if op is not None:
            # Reversed so that the first input is visited, hence numbered, first.
            stack.extend((p, False) for p in reversed(op.parents) if id(p) not in tensor_ids)
    return nodes, edges


# -- labels ----------------------------------------------------------------------
def _fmt(a):
    """A short text for a small array (`-12`, `[1, 2.5]`), None for a large one."""
    a = np.asarray(a)
    if a.ndim == 0:
        v = a.item()
        return f"{v:.4g}" if isinstance(v, float) else str(v)
    if a.size > SMALL:
        return None
    text = np.array2string(a, precision=4, separator=", ", suppress_small=True,
                           formatter={"float_kind": lambda v: f"{v:.4g}"}).replace("\n", "")
    return text if len(text) <= MAX_CHARS else None


def _tensor_lines(t, root_name, show_grad):
    """Label of a tensor: name and value (scalars) or name, shape and value when
    small; then its gradient, as ∂f/∂x when both are named."""
    name = t.name
    a = t.numpy()
    dtype = "" if a.dtype == np.float32 else f" {a.dtype}"
    if a.ndim == 0:
        lines = [f"{name} = {_fmt(a)}{dtype}" if name else f"{_fmt(a)}{dtype}"]
    else:
        lines = [f"{name + ' ' if name else ''}{tuple(a.shape)}{dtype}"]
        value = _fmt(a)
        if value is not None:
            lines.append(value)
    if show_grad and t.grad is not None:
        g = t.grad.numpy()
        what = f"∂{root_name}/∂{name}" if name and root_name else "grad"
        value = _fmt(g)
        lines.append(f"{what} = {value}" if value is not None else
                     f"‖{what}‖ = {_fmt(np.sqrt((g.astype(np.float64) ** 2).sum()))}")
    return lines


def _dot_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _run_dot(dot, source, format, path):
    try:
        subprocess.run([dot, f"-T{format}", "-o", path], input=source.encode("utf-8"),
                       check=True, capture_output=True, timeout=120)
    except subprocess.CalledProcessError as e:
        raise RuntimeError(f"viz.render: dot -T{format} failed (exit {e.returncode}): "
                           f"{e.stderr.decode(errors='replace').strip()}") from None
