"""Pictures of what retrograd computes.

``graph(t)`` — the computational graph behind a tensor (Graphviz DOT; rendered
with ``dot`` when installed, else with retrograd's own layered layout);
``render_graph(t, path)`` draws it to SVG or PNG in one call.
"""
from .graph import Graph, graph, render_graph

__all__ = ["Graph", "graph", "render_graph"]
