"""Seeing backprop: graphs of computations, the backward pass step by step, training plots,
and what a convolutional network learned (its filters and feature maps).

    from tinygrad_edu import viz
    viz.draw_graph(loss, params=model)               # a graphviz.Digraph (inline in Jupyter)
    viz.render(viz.graph_to_dot(loss), "loss.svg")   # needs Graphviz's `dot`
    viz.save_backprop_steps(loss, "steps/")          # numbered frames + one offline HTML page

graph_to_dot and the recording need nothing beyond the core; draw_graph needs the graphviz
package, the pictures need `dot`, and the plots need matplotlib (`pip install tinygrad_edu[viz]`).
"""

from .backprop_frames import SavedFrames, backprop_frames_to_dot, save_backprop_steps
from .backprop_steps import BackwardStep, GradientShare, record_backward
from .filters import feature_maps, plot_feature_maps, plot_filters
from .graph import graph_to_dot
from .html_player import frames_to_html
from .plots import (
    plot_gradient_flow,
    plot_lr_schedules,
    plot_optimizer_trajectories,
    plot_training_curves,
)
from .rendering import DotNotFoundError, draw_graph, render, run_dot

__all__ = [
    "BackwardStep", "DotNotFoundError", "GradientShare", "SavedFrames", "backprop_frames_to_dot",
    "draw_graph", "feature_maps", "frames_to_html", "graph_to_dot", "plot_feature_maps",
    "plot_filters", "plot_gradient_flow", "plot_lr_schedules", "plot_optimizer_trajectories",
    "plot_training_curves", "record_backward", "render", "run_dot", "save_backprop_steps",
]
