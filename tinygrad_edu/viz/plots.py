"""Training pictures with matplotlib: curves, gradient flow, optimizer paths, lr schedules.

Each function returns a `matplotlib.figure.Figure` and, given `path=`, also saves it (the
format follows the file's suffix). Figures are made with `Figure` and the Agg canvas directly,
never through pyplot, so they work on a headless machine and leave pyplot's state alone; in
Jupyter a returned Figure displays inline as a PNG (see `NotebookFigure`).
"""

import math
import warnings

import numpy as np

from ..backend import to_numpy

DPI = 100


def _new_figure(figsize, columns=1):
    """A Figure on the Agg canvas (no display needed) and its list of axes."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from .notebook_figure import NotebookFigure
    except ImportError as error:
        raise ImportError("viz plots need matplotlib: `pip install matplotlib` (or `pip install "
                          "tinygrad_edu[viz]`)") from error
    figure = NotebookFigure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, [figure.add_subplot(1, columns, index + 1) for index in range(columns)]


def _finish(figure, path):
    if path is not None:
        figure.savefig(path, dpi=DPI)
    return figure


def _spread(count, length):
    """x positions 1..length for `count` points spread evenly over a run of `length` (so
    once-per-epoch validation values line up with per-step training values)."""
    return np.arange(1, count + 1) * (length / count)


def plot_training_curves(train_loss, val_loss=None, train_accuracy=None, val_accuracy=None,
                         x_label="epoch", title=None, path=None, figsize=(10, 4)):
    """Loss (and, when given, accuracy) against epochs or steps, training vs validation.

    Each argument is a sequence of numbers, one per epoch or step. A validation series shorter
    than the training one is spread evenly over the same run: with 1000 training steps and 10
    validation values, those sit at steps 100, 200, ..., 1000.
    """
    if len(train_loss) == 0:
        raise ValueError("plot_training_curves: train_loss is empty")
    length = len(train_loss)
    panels = [("loss", train_loss, val_loss)]
    if train_accuracy is not None or val_accuracy is not None:
        panels.append(("accuracy", train_accuracy, val_accuracy))
    figure, axes = _new_figure(figsize, columns=len(panels))
    for ax, (quantity, train, validation) in zip(axes, panels, strict=True):
        for label, values, style in (("train", train, "-"), ("validation", validation, "o-")):
            if values is not None and len(values):
                ax.plot(_spread(len(values), length), values, style, label=label,
                        markersize=3)
        ax.set_xlabel(x_label)
        ax.set_ylabel(quantity)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    return _finish(figure, path)


def _layer_norms(named_parameters):
    """Gradient L2 norm per layer, in registration order: a layer is a parameter name's prefix
    ("0.weight" and "0.bias" make layer "0"), its norm sqrt(sum of squared gradient entries)."""
    squares = {}
    for name, parameter in named_parameters:
        if parameter.grad is None:
            continue
        layer = name.rsplit(".", 1)[0] if "." in name else name
        values = np.asarray(to_numpy(parameter.grad._data), dtype=np.float64)
        squares[layer] = squares.get(layer, 0.0) + float(np.sum(values * values))
    return {layer: math.sqrt(total) for layer, total in squares.items()}


def plot_gradient_flow(parameters, ratio_warning=1e-3, title="Gradient flow", path=None,
                       figsize=(8, 4.5)):
    """Per-layer gradient norms ||dL/dW|| as bars on a log scale, input layer on the left.

    parameters: a Module (its named_parameters()), a dict name -> Tensor, or (name, Tensor)
    pairs, after backward(). Warns when a layer's norm is below `ratio_warning` times the last
    layer's: the signature of vanishing gradients (sigmoid nets, bad initialization).
    """
    if hasattr(parameters, "named_parameters"):
        parameters = parameters.named_parameters()
    elif isinstance(parameters, dict):
        parameters = parameters.items()
    norms = _layer_norms(parameters)
    if not norms:
        raise ValueError("plot_gradient_flow: no parameter has a gradient; call backward() first")
    layers, values = list(norms), np.array(list(norms.values()))
    last = values[-1]
    vanishing = values < ratio_warning * last  # never true when the last layer's norm is 0
    for layer, value, flagged in zip(layers, values, vanishing, strict=True):
        if flagged:
            warnings.warn(f"plot_gradient_flow: the gradient norm of layer '{layer}' ({value:.3g}) "
                          f"is {value / last:.2g} times that of the last layer '{layers[-1]}' "
                          f"({last:.3g}): gradients are vanishing on the way back",
                          stacklevel=2)
    positive = values[values > 0]
    floor = positive.min() / 10 if positive.size else 1e-12  # a zero norm still gets a stub
    figure, (ax,) = _new_figure(figsize)
    ax.bar(range(len(layers)), np.maximum(values, floor),
           color=np.where(vanishing, "#c44e52", "#4c72b0"))
    if last > 0:
        ax.axhline(ratio_warning * last, color="#c44e52", linestyle="--", linewidth=1,
                   label=f"{ratio_warning:g} x last layer")
        ax.legend()
    ax.set_yscale("log")
    ax.set_xticks(range(len(layers)), layers, rotation=45, ha="right")
    ax.set_xlabel("layer (input -> output)")
    ax.set_ylabel("gradient norm ||dL/dW||")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title)
    return _finish(figure, path)


def _surface_range(points, margin=0.15):
    """Bounds around every trajectory point, widened by `margin` of their span."""
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-3)
    return low - margin * span, high + margin * span


def plot_optimizer_trajectories(loss_fn, trajectories, x_range=None, y_range=None, levels=15,
                                minimum=None, title="Optimizer trajectories", path=None,
                                figsize=(7, 6), resolution=200):
    """Paths of several optimizers over one 2-D loss surface drawn as contours.

    loss_fn(X, Y): the loss on NumPy grids (elementwise). trajectories: dict name -> points,
    an array of shape (steps, 2) of (x, y) positions. x_range / y_range: (low, high), by
    default the trajectories' extent plus a margin. minimum: an optional (x, y) to mark.
    Contour levels are spaced geometrically above the lowest loss on the grid, so the valley
    floor shows as well as the steep walls. Points are marked on paths of at most 60 steps.
    The picture shows only the window: a path that goes outside it is cut at its edge, and
    its legend entry says "(leaves the frame)". The legend sits beside the plot, off the paths.
    """
    paths = {}
    for name, points in trajectories.items():
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(f"plot_optimizer_trajectories: trajectory '{name}' must be an array "
                             f"of (x, y) points, shape (steps, 2); got shape {points.shape}")
        paths[name] = points
    if not paths:
        raise ValueError("plot_optimizer_trajectories: no trajectories given")
    marked = [] if minimum is None else [np.asarray(minimum, dtype=np.float64).reshape(1, 2)]
    low, high = _surface_range(np.concatenate(list(paths.values()) + marked))
    x_range = x_range or (low[0], high[0])
    y_range = y_range or (low[1], high[1])
    grid_x, grid_y = np.meshgrid(np.linspace(*x_range, resolution),
                                 np.linspace(*y_range, resolution))
    surface = np.asarray(loss_fn(grid_x, grid_y), dtype=np.float64)
    if surface.shape != grid_x.shape:
        raise ValueError(f"plot_optimizer_trajectories: loss_fn returned shape {surface.shape} "
                         f"for grids of shape {grid_x.shape}; it must work elementwise")
    finite = surface[np.isfinite(surface)]
    span = max(finite.max() - finite.min(), 1e-12)
    contour_levels = finite.min() + np.geomspace(span * 1e-3, span, levels)
    figure, (ax,) = _new_figure(figsize)
    ax.contour(grid_x, grid_y, surface, levels=contour_levels, cmap="viridis", linewidths=0.7)
    for index, (name, points) in enumerate(paths.items()):
        color = f"C{index % 10}"  # one colour per optimizer, its start dot and end star alike
        inside = ((points[:, 0] >= x_range[0]) & (points[:, 0] <= x_range[1])
                  & (points[:, 1] >= y_range[0]) & (points[:, 1] <= y_range[1]))
        label = name if inside.all() else f"{name} (leaves the frame)"
        ax.plot(points[:, 0], points[:, 1], "o-" if len(points) <= 60 else "-", color=color,
                markersize=2.5, linewidth=1.5, label=label)
        ax.plot(*points[0], "o", color=color, markersize=7)
        ax.plot(*points[-1], "*", color=color, markersize=12)
    if minimum is not None:
        ax.plot(*minimum, "kx", markersize=10, mew=2, label="minimum")
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
    return _finish(figure, path)


def plot_lr_schedules(schedules, x_label="step", log_scale=False,
                      title="Learning-rate schedules", path=None, figsize=(8, 4.5)):
    """Learning rate against steps (or epochs) for several schedules: dict name -> list of lrs.
    log_scale=True puts the lr axis on a log scale (for exponential decay)."""
    if not schedules:
        raise ValueError("plot_lr_schedules: no schedules given")
    figure, (ax,) = _new_figure(figsize)
    for name, rates in schedules.items():
        ax.plot(range(len(rates)), rates, drawstyle="steps-post", label=name)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(x_label)
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend()
    return _finish(figure, path)
