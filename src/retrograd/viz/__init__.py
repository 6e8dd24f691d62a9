"""Pictures of what retrograd computes.

``graph(t)`` — the computational graph behind a tensor (Graphviz DOT; rendered
with ``dot`` when installed, else with retrograd's own layered layout);
``render_graph(t, path)`` draws it to SVG or PNG in one call.

Plots (matplotlib, imported only when one is drawn; headless — each returns a
``matplotlib.figure.Figure`` made without ``pyplot``; ``save(fig, path)`` writes it):

* ``plot_activation(name, derivative=True)`` — φ and φ′ (by backward);
* ``plot_decision_boundary(model, X, y)`` — class regions of a 2-D classifier;
* ``plot_history(history)`` — train/validation curves (Keras History or dict);
* ``plot_lr_schedule(schedule, steps)`` — η_t against t;
* ``activation_histograms(model, x)`` — one histogram per layer, with mean/std;
* ``plot_weights(weights)`` — each unit's weights as an image (MNIST templates).
"""
from .activations import COURSE_ACTIVATIONS, activation_curve, plot_activation
from .boundary import classes_of, plot_decision_boundary, predict_grid
from .figure import new_figure, save
from .graph import Graph, graph, render_graph
from .histograms import activation_histograms, activation_stats, layer_activations
from .history import history_dict, plot_history
from .schedules import plot_lr_schedule, schedule_values
from .weights import plot_weights, weight_templates

__all__ = ["Graph", "graph", "render_graph",
           "plot_activation", "activation_curve", "COURSE_ACTIVATIONS",
           "plot_decision_boundary", "predict_grid", "classes_of",
           "plot_history", "history_dict", "plot_lr_schedule", "schedule_values",
           "activation_histograms", "layer_activations", "activation_stats",
           "plot_weights", "weight_templates", "new_figure", "save"]
