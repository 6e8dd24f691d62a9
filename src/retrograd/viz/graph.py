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

Some nodes of the engine fuse several of the course's operations for speed: a
``Chain`` runs a run of ``nn.Sequential``'s layers (Linear, Tanh, ReLU, Sigmoid)
as one node, ``Linear`` is x Wᵀ + b and ``Affine`` (``Dense``) x W + b in one op.
They are drawn as the operations they stand for (Transpose, MatMul, Add, Tanh…),
the same picture as the formula written out by hand. The values in between,
which the engine keeps in no tensor, are recomputed from the node's inputs when
the graph is captured; ``fused=True`` draws the nodes as the engine runs them.
"""
import copy
import os
import shutil
import subprocess

import numpy as np

from .. import backend
from ..ops.chain import Chain
from ..ops.matmul import Affine, Linear
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
    """A node of the drawn graph: ``kind`` is "tensor" or "op"; ``lines`` its label.
    ``tensor`` is the Tensor, or for a value inside a fused node (which no Tensor
    holds) an ``_Inner`` with its recomputed array."""

    __slots__ = ("id", "kind", "tensor", "op_name", "fill", "dashed", "lines")

    def __init__(self, id, kind, tensor=None, op_name=None):
        self.id, self.kind, self.tensor, self.op_name = id, kind, tensor, op_name
        self.fill, self.dashed, self.lines = OP_FILL, False, [op_name]


class Graph:
    """The graph behind a tensor: ``nodes`` (inputs first), ``edges`` as
    ``(source_id, target_id)`` pairs in data-flow order, ``source`` in DOT."""

    def __init__(self, root, show_grad=True, rankdir="LR", fused=False):
        if rankdir not in ("LR", "TB"):
            raise ValueError(f"viz.graph: rankdir must be 'LR' or 'TB', got {rankdir!r}")
        self.root, self.show_grad, self.rankdir = root, show_grad, rankdir
        self.nodes, self.edges = _capture(root, fused)

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


def graph(t, show_grad=True, rankdir="LR", fused=False):
    """The computational graph behind tensor ``t`` as a ``Graph`` (``.source``
    is Graphviz DOT, ``.render(path)`` draws it).

    Tensors are boxes (``t.name`` if set, shape, value when small, ``.grad``
    once computed when ``show_grad``), ops are ellipses (``Function.name``);
    edges follow the data flow. ``rankdir``: "LR" (left to right) or "TB".
    Fused nodes (``nn.Sequential``'s chains, ``Linear``, ``Dense``) are drawn as
    the ops they fuse (Transpose, MatMul, Add, Tanh…) unless ``fused=True``.

    ``backward()`` frees the graph it ran through: capture the graph before it
    (gradients computed later still show) or call ``backward(retain_graph=True)``.
    Intermediate tensors have a gradient to show only after ``retain_grad()``."""
    if not isinstance(t, Tensor):
        raise TypeError(f"viz.graph: expected a Tensor, got {type(t).__name__}")
    return Graph(t, show_grad=show_grad, rankdir=rankdir, fused=fused)


def render_graph(t, path, format=None, show_grad=True, engine="auto", rankdir="LR",
                 fused=False):
    """Draw the graph behind ``t`` into ``path`` (SVG or PNG); returns the path.
    Shorthand for ``graph(t, show_grad, rankdir, fused).render(path, format, engine)``."""
    return graph(t, show_grad=show_grad, rankdir=rankdir, fused=fused).render(
        path, format, engine)


# -- capture ---------------------------------------------------------------------
def _capture(root, fused=False):
    """Nodes (inputs first) and edges of the graph behind ``root``.

    Iterative depth-first search, as in the engine, so that a chain of 100,000
    ops does not hit Python's recursion limit."""
    tensor_ids, done_ops, nodes, edges = {}, set(), [], []
    n_ops = 0

    def add_tensor(t):
        tensor_ids[id(t)] = f"t{len(tensor_ids)}"
        nodes.append(Node(tensor_ids[id(t)], "tensor", tensor=t))

    stack = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        op = t._op
        if expanded:
            last_op = None
            if op is not None and id(op) not in done_ops:
                done_ops.add(id(op))
                steps = [(op.name, op.parents, t)] if fused else _steps(op, t)
                for name, inputs, out in steps:
                    last_op = f"op{n_ops}"
                    n_ops += 1
                    nodes.append(Node(last_op, "op", op_name=name))
                    edges.extend((tensor_ids[id(p)], last_op) for p in inputs)
                    if out is not t:   # a value inside the fused node
                        add_tensor(out)
                        edges.append((last_op, tensor_ids[id(out)]))
            add_tensor(t)
            if last_op is not None:
                edges.append((last_op, tensor_ids[id(t)]))
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


class _Inner:
    """A value computed inside a fused node, which the engine keeps in no tensor
    (a layer's output inside a Chain, x Wᵀ inside Linear): drawn as an
    intermediate tensor of the unfused graph, without a gradient (as an
    intermediate tensor without ``retain_grad``). ``shown`` is False when its
    recomputed value cannot be trusted: then only its shape is drawn."""

    name = grad = None
    _op = "fused"   # drawn as an op's output

    def __init__(self, array, requires_grad):
        self.array, self.requires_grad, self.shown = array, requires_grad, True

    def numpy(self):
        return backend.to_device(self.array, "cpu")


def _steps(op, out):
    """``op``'s node as the unfused graph draws it: [(op name, inputs, output)] in
    data-flow order; inputs are ``op.parents`` or ``_Inner`` values of earlier
    steps, the last output is ``out``. Ops that fuse nothing are one step."""
    if op.__class__ is Chain:
        links, k = [], 1   # its parents: the input, then each link's parameters in turn
        for link, n in op.links:
            links.append((link, op.parents[k:k + n]))
            k += n
    elif op.__class__ in (Linear, Affine):
        links = [(op, op.parents[1:])]
    else:
        return [(op.name, op.parents, out)]
    steps, inner = [], []
    x = op.parents[0]
    h = x.array
    for link, params in links:
        h, x = _link_steps(link, x, h, params, steps, inner)
    # The values in between were recomputed from the inputs as they are now; the
    # forward pass computed ``out`` from them as they were. If the two differ (a
    # parameter updated since), the values in between are not the ones that ran.
    if not np.allclose(backend.to_device(h, "cpu"), out.numpy(), rtol=1e-5, atol=1e-6,
                       equal_nan=True):
        for v in inner:
            v.shown = False
    name, inputs, last = steps[-1]
    steps[-1] = (name, inputs, out)   # the fused node's output: the tensor itself
    inner.remove(last)
    return steps


def _link_steps(link, x, h, params, steps, inner):
    """Append the steps of one fused op (a Chain's link, or a Linear/Affine node)
    applied to ``x`` (a tensor or an ``_Inner``) of value ``h``; returns the
    output's value and node."""
    def step(name, inputs, value):
        v = _Inner(value, any(i.requires_grad for i in inputs))
        steps.append((name, list(inputs), v))
        inner.append(v)
        return v

    if link.__class__ in (Linear, Affine):   # s = x Wᵀ + b (Linear), x W + b (Affine)
        w = params[0]
        if link.__class__ is Linear:
            w = step("Transpose", [w], w.array.T)
        s = h @ w.array
        node = step("MatMul", [x, w], s)
        if len(params) == 2:
            s = s + params[1].array
            node = step("Add", [node, params[1]], s)
        return s, node
    # An elementwise layer (Tanh, ReLU, Sigmoid): its own forward, on a copy, so
    # that what the chain's op saved for backward stays as it is.
    y = copy.copy(link).forward(h)
    return y, step(link.name, [x], y)


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
    shown = t.shown if t.__class__ is _Inner else True
    dtype = "" if a.dtype == np.float32 else f" {a.dtype}"
    if a.ndim == 0 and shown:
        lines = [f"{name} = {_fmt(a)}{dtype}" if name else f"{_fmt(a)}{dtype}"]
    else:
        lines = [f"{name + ' ' if name else ''}{tuple(a.shape)}{dtype}"]
        value = _fmt(a) if shown else None
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
