"""matplotlib plots: each returns a Figure, saves a PNG of the expected size with content."""

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.viz import (
    plot_gradient_flow,
    plot_lr_schedules,
    plot_optimizer_trajectories,
    plot_training_curves,
)

image = pytest.importorskip("matplotlib.image")
Figure = pytest.importorskip("matplotlib.figure").Figure


def read_png(path, height, width):
    """The saved picture, checked for its size and for not being blank."""
    pixels = image.imread(path)
    assert pixels.shape[:2] == (height, width)
    assert float(np.var(pixels[..., :3])) > 1e-3
    return pixels


def test_training_curves_with_per_step_training_and_per_epoch_validation(tmp_path):
    steps = np.arange(200)
    figure = plot_training_curves(list(np.exp(-steps / 50)), val_loss=[0.5, 0.2, 0.1, 0.05],
                                  train_accuracy=list(1 - np.exp(-steps / 50)),
                                  val_accuracy=[0.5, 0.8, 0.9, 0.95], x_label="step",
                                  path=tmp_path / "curves.png", figsize=(10, 4))
    assert isinstance(figure, Figure)
    read_png(tmp_path / "curves.png", 400, 1000)
    loss_axes, accuracy_axes = figure.axes
    validation = loss_axes.lines[1].get_xdata()
    assert validation.tolist() == [50, 100, 150, 200]  # spread over the 200 steps
    assert loss_axes.get_ylabel() == "loss" and accuracy_axes.get_ylabel() == "accuracy"


def test_training_curves_loss_only_has_one_panel():
    figure = plot_training_curves([3.0, 2.0, 1.5])
    assert len(figure.axes) == 1 and figure.axes[0].get_xlabel() == "epoch"
    with pytest.raises(ValueError, match="train_loss is empty"):
        plot_training_curves([])


def layered_parameters(scales):
    """Parameters named "<layer>.weight" whose gradients have norm proportional to `scales`."""
    named = {}
    for layer, scale in enumerate(scales):
        weight = tg.ones(2, 2, requires_grad=True)
        (weight * scale).sum().backward()  # grad = scale everywhere: norm = 2 * scale
        named[f"{layer}.weight"] = weight
    return named


def test_gradient_flow_warns_about_vanishing_gradients(tmp_path):
    named = layered_parameters([1e-6, 1e-2, 1.0])
    with pytest.warns(UserWarning, match=r"layer '0' \(2e-06\) is 1e-06 times that of the last "
                                         r"layer '2'"):
        figure = plot_gradient_flow(named, path=tmp_path / "flow.png")
    read_png(tmp_path / "flow.png", 450, 800)
    heights = [bar.get_height() for bar in figure.axes[0].patches]
    assert np.allclose(heights, [2e-6, 2e-2, 2.0])
    assert figure.axes[0].get_yscale() == "log"


def test_gradient_flow_is_quiet_for_healthy_gradients_and_needs_some():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_gradient_flow(list(layered_parameters([0.5, 1.0, 2.0, 1.0]).items()))
    with pytest.raises(ValueError, match="call backward\\(\\) first"):
        plot_gradient_flow({"w": tg.ones(2, requires_grad=True)})


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_optimizer_trajectories_on_a_contour_plot(tmp_path):
    t = np.linspace(0, 1, 40)[:, None]
    paths = {"SGD": np.hstack([-1 + 2 * t, 2 * t ** 2]), "Adam": [(-1.0, 1.0), (0.0, 0.5),
                                                                  (1.0, 1.0)]}
    figure = plot_optimizer_trajectories(rosenbrock, paths, minimum=(1, 1),
                                         path=tmp_path / "paths.png")
    read_png(tmp_path / "paths.png", 600, 700)
    labels = [line.get_label() for line in figure.axes[0].lines]
    assert "SGD" in labels and "Adam" in labels and "minimum" in labels
    clipped = plot_optimizer_trajectories(rosenbrock, paths, x_range=(-2, 2), y_range=(0.4, 3))
    labels = [line.get_label() for line in clipped.axes[0].lines]
    assert "SGD (leaves the frame)" in labels and "Adam" in labels  # SGD starts at y = 0
    assert clipped.axes[0].get_legend().get_bbox_to_anchor().x0 > clipped.axes[0].bbox.x1
    with pytest.raises(ValueError, match="trajectory 'bad' must be an array of \\(x, y\\) points"):
        plot_optimizer_trajectories(rosenbrock, {"bad": np.zeros((5, 3))})
    with pytest.raises(ValueError, match="must work elementwise"):
        plot_optimizer_trajectories(lambda x, y: 1.0, paths)


def test_lr_schedules(tmp_path):
    steps = np.arange(100)
    schedules = {"StepLR": [0.1 * 0.5 ** (step // 30) for step in steps],
                 "Exponential": list(0.1 * 0.97 ** steps)}
    figure = plot_lr_schedules(schedules, log_scale=True, path=tmp_path / "lr.png")
    read_png(tmp_path / "lr.png", 450, 800)
    assert [line.get_label() for line in figure.axes[0].lines] == ["StepLR", "Exponential"]
    assert figure.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="no schedules given"):
        plot_lr_schedules({})


# ----- filters and feature maps of convolutional layers ---------------------------------------


def test_conv_filters_as_an_image_grid(tmp_path):
    from tinygrad_edu import nn
    from tinygrad_edu.viz import plot_filters

    tg.manual_seed(0)
    conv = nn.Conv2d(2, 6, 5)
    figure = plot_filters(conv, title="conv filters", path=tmp_path / "filters.png")
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 6 * 2  # one kernel per (output, input) channel pair
    shown = visible[3].get_images()[0].get_array()
    np.testing.assert_allclose(shown, conv.weight.numpy()[1, 1])  # row 1, column 1
    assert figure.axes[0].get_images()[0].get_clim()[0] < 0  # centred on zero
    read_png(tmp_path / "filters.png", *image.imread(tmp_path / "filters.png").shape[:2])
    grey = plot_filters(nn.Conv2d(1, 12, 5))
    assert len(grey.axes) == 16 and len([ax for ax in grey.axes if ax.get_visible()]) == 12
    rgb = plot_filters(nn.Conv2d(3, 4, 3).weight)
    assert len([ax for ax in rgb.axes if ax.get_visible()]) == 4  # one colour image each
    linear = plot_filters(nn.Linear(64, 12), max_filters=5)
    assert [ax.get_images()[0].get_array().shape for ax in linear.axes if ax.get_visible()] \
        == [(8, 8)] * 5
    with pytest.raises(ValueError, match="no square image"):
        plot_filters(nn.Linear(10, 3))


def test_feature_maps_layer_by_layer(tmp_path):
    from tinygrad_edu import nn
    from tinygrad_edu.viz import feature_maps, plot_feature_maps

    tg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 10))
    digit = tg.randn(1, 1, 8, 8)
    maps = feature_maps(model, digit)
    assert [name for name, _ in maps] == ["input", "0: Conv2d", "1: ReLU", "2: MaxPool2d",
                                          "3: Flatten", "4: Linear"]
    np.testing.assert_allclose(maps[-1][1].numpy(), model(digit).numpy(), rtol=1e-6)
    assert all(not tensor.requires_grad for _, tensor in maps[1:])
    figure = plot_feature_maps(maps, path=tmp_path / "maps.png")
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 1 + 4 + 4 + 4  # the flat layers are skipped
    np.testing.assert_allclose(visible[-1].get_images()[0].get_array(),
                               maps[3][1].numpy()[0, 3])
    read_png(tmp_path / "maps.png", *image.imread(tmp_path / "maps.png").shape[:2])
    single = plot_feature_maps(maps[1][1][0], max_maps=2)
    assert len([ax for ax in single.axes if ax.get_visible()]) == 2
    with pytest.raises(ValueError, match="no activation"):
        plot_feature_maps([("flat", tg.zeros(3, 10, 2, 2, 1))])
