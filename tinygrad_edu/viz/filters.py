"""What a convolutional network learned, as pictures: its filters and its feature maps.

    viz.plot_filters(model[1])                            # a conv layer's kernels as a grid
    maps = viz.feature_maps(model, digit)                 # [(layer name, activation), ...]
    viz.plot_feature_maps(maps, path="maps.png")          # one row per layer

Filters: a conv weight (out, in, kh, kw) is drawn one small image per (output, input) channel
pair (a row per output channel), or one image per output channel when in is 1 (grey, in rows
of 8) or 3 (colour); a
Linear weight (out, side * side) one image per output unit (what an MLP's first layer looks
for). Each image has its own colour scale centred on 0 (blue negative, red positive), so the
pattern, not the magnitude, shows. Feature maps: the channels of one sample's activations.
"""

import math

import numpy as np

from ..backend import to_numpy
from .plots import _finish, _new_figure


def _array(value):
    """A module's weight, a Tensor or an array, as a NumPy array."""
    value = getattr(value, "weight", value)
    return to_numpy(getattr(value, "_data", value))


def _filter_images(weight, max_filters):
    """(list of 2-D or RGB images, columns) for a conv or Linear weight."""
    if weight.ndim == 2:  # Linear: each row an image of the (square) input
        side = math.isqrt(weight.shape[1])
        if side * side != weight.shape[1]:
            raise ValueError(f"plot_filters: a Linear weight of shape {weight.shape} has no "
                             "square image as its input")
        rows = weight[:max_filters]
        return list(rows.reshape(-1, side, side)), min(len(rows), 10)
    if weight.ndim == 3:  # Conv1d: each (out, in) kernel as a 1-pixel-high image
        weight = weight[:, :, None, :]
    if weight.ndim != 4:
        raise ValueError(f"plot_filters: expected a conv weight (out, in, kh, kw) or a Linear "
                         f"weight (out, in), got shape {weight.shape}")
    weight = weight[:max_filters]
    if weight.shape[1] == 3:  # RGB filters: min-max scaled to [0, 1], one image each
        low, high = weight.min(), weight.max()
        images = (weight - low) / (high - low if high > low else 1.0)
        return list(images.transpose(0, 2, 3, 1)), min(len(images), 8)
    if weight.shape[1] == 1:  # one input channel (a grey image): one kernel per output
        return list(weight[:, 0]), min(len(weight), 8)
    return [kernel for channels in weight for kernel in channels], weight.shape[1]


def _image_grid(images, columns, title, path, cell=0.6, labels=None):
    rows = -(-len(images) // columns)
    figure, _ = _new_figure((max(2.0, cell * columns + 0.4), 1.25 * cell * rows + 0.6))
    figure.clear()
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= len(images) or images[index] is None:
            ax.set_visible(False)  # past the end, or a short row
            continue
        image = images[index]
        if image.ndim == 3:
            ax.imshow(image, interpolation="nearest", aspect="equal")
        else:
            limit = float(np.abs(image).max()) or 1.0
            ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest",
                      aspect="equal")
        if labels is not None and index % columns == 0:
            ax.set_ylabel(labels[index // columns], fontsize=7, rotation=0, ha="right",
                          va="center")
    if title:
        figure.suptitle(title, fontsize=10)
    return _finish(figure, path)


def plot_filters(weight, max_filters=64, title="Filters", path=None):
    """A layer's weights as an image grid: `weight` is a conv or Linear module, its weight
    Tensor or an array. Conv weights (out, in, kh, kw) give a row of `in` kernels per output
    channel (one image each, 8 a row, when in is 1, an RGB one when in is 3); Linear weights
    with a square input give one image per output unit. At most `max_filters` output
    channels are drawn."""
    images, columns = _filter_images(_array(weight), max_filters)
    return _image_grid(images, columns, title, path)


def feature_maps(model, input):  # noqa: A002  (PyTorch's argument name)
    """Run `input` (one sample with its batch dimension) through the layers of a Sequential
    one by one, without a graph: [(name, output), ...], the input first."""
    from ..autograd.grad_mode import no_grad

    maps = [("input", input)]
    activation = input
    with no_grad():
        for name, layer in model.named_children():
            activation = layer(activation)
            maps.append((f"{name}: {type(layer).__name__}", activation))
    return maps


def plot_feature_maps(activations, max_maps=16, title="Feature maps", path=None):
    """The channels of one sample's activations as images: `activations` is a Tensor
    (C, H, W) or (1, C, H, W), or a list of (name, Tensor) pairs (one row per layer, e.g.
    from feature_maps(); entries that are not images, like a flattened vector, are skipped).
    At most `max_maps` channels per row, each on its own colour scale."""
    pairs = activations if isinstance(activations, list | tuple) else [("", activations)]
    rows, labels = [], []
    for name, tensor in pairs:
        array = _array(tensor)
        if array.ndim == 4:
            array = array[0]
        if array.ndim != 3:
            continue  # not an image: a flattened or fully connected layer
        rows.append(list(array[:max_maps]))
        labels.append(f"{name}\n{array.shape[0]}x{array.shape[1]}x{array.shape[2]}")
    if not rows:
        raise ValueError("plot_feature_maps: no activation of shape (C, H, W) or (1, C, H, W)")
    columns = max(len(row) for row in rows)
    images = [image for row in rows for image in row + [None] * (columns - len(row))]
    return _image_grid(images, columns, title, path, labels=labels)
