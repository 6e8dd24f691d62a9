"""Regenerate backprop_graph.svg and backprop_graph.png: the course's example
f = (x + y) · z at x = −2, y = 5, z = −4 (q = 3, f = −12; ∂f/∂x = ∂f/∂y = −4,
∂f/∂z = 3), drawn by retrograd's own layered renderer so that the figure does
not depend on whether Graphviz is installed.

    python docs/figures/make_backprop_graph.py
"""
import os

from retrograd.course.backprop_graph import course_example


def make(out_dir=os.path.dirname(os.path.abspath(__file__))):
    """Write both figures into ``out_dir``; returns their paths."""
    g, _ = course_example()
    return [g.render(os.path.join(out_dir, f"backprop_graph.{fmt}"), engine="layered")
            for fmt in ("svg", "png")]


if __name__ == "__main__":
    for path in make():
        print(path)
