"""Regenerate backprop_graph.svg and backprop_graph.png: the course's example
f = (x + y) · z at x = −2, y = 5, z = −4 (q = 3, f = −12; ∂f/∂x = ∂f/∂y = −4,
∂f/∂z = 3), drawn by retrograd's own layered renderer so that the figure does
not depend on whether Graphviz is installed.

    python docs/figures/make_backprop_graph.py
"""
import os

import retrograd as rg
from retrograd import viz


def course_example():
    """f = (x + y) · z with named tensors, after backward (q keeps its gradient)."""
    x = rg.tensor(-2.0, requires_grad=True)
    y = rg.tensor(5.0, requires_grad=True)
    z = rg.tensor(-4.0, requires_grad=True)
    q = x + y
    q.retain_grad()          # q is not a leaf: keep ∂f/∂q to show it
    f = q * z
    for t, name in ((x, "x"), (y, "y"), (z, "z"), (q, "q"), (f, "f")):
        t.name = name
    g = viz.graph(f)         # captured before backward() frees the ops
    f.backward()
    return g


def make(out_dir=os.path.dirname(os.path.abspath(__file__))):
    """Write both figures into ``out_dir``; returns their paths."""
    g = course_example()
    return [g.render(os.path.join(out_dir, f"backprop_graph.{fmt}"), engine="layered")
            for fmt in ("svg", "png")]


if __name__ == "__main__":
    for path in make():
        print(path)
