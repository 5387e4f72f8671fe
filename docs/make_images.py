"""Make the pictures in docs/images/ with tinygrad_edu.viz: `python docs/make_images.py`
(with tinygrad_edu installed, e.g. `pip install -e .[viz]`, or `PYTHONPATH=. python ...`).

Needs matplotlib and Graphviz's `dot`. Everything is seeded, so the pictures only change when
the code does. Writes:
  mlp_graph_before.svg, mlp_graph_after.svg, mlp_graph_collapsed.svg  (draw_graph)
  backprop/step_*.png (a few frames) and backprop/backprop.html             (save_backprop_steps)
  training_curves.png, gradient_flow.png, optimizer_trajectories.png, lr_schedules.png
"""

import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image  # installed with matplotlib

import tinygrad_edu as tg
from tinygrad_edu import nn, optim, viz

IMAGES = Path(__file__).resolve().parent / "images"


def small_mlp_graphs():
    """A 2 -> 3 -> 1 tanh MLP on 4 points: its graph before and after backward."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    x = tg.randn(4, 2)
    x.name = "x"
    loss = nn.MSELoss()(model(x), tg.tensor([[1.0], [0.0], [0.0], [1.0]]))
    viz.render(viz.draw_graph(loss, params=model, title="Before backward()"),
               IMAGES / "mlp_graph_before.svg")
    loss.backward()
    viz.render(viz.draw_graph(loss, params=model, title="After backward()"),
               IMAGES / "mlp_graph_after.svg")
    viz.render(viz.draw_graph(loss, params=model, collapse_modules=True,
                              title="After backward(), one box per layer"),
               IMAGES / "mlp_graph_collapsed.svg")


def backprop_frames():
    """A neuron whose weight w multiplies two inputs, so w's gradient is a sum of two shares."""
    w = tg.tensor(0.5, requires_grad=True)
    bias = tg.tensor(-0.2, requires_grad=True)
    w.name, bias.name = "w", "b"
    x1, x2 = tg.tensor(1.5), tg.tensor(-0.5)
    x1.name, x2.name = "x1", "x2"
    loss = ((w * x1 + w * x2 + bias).tanh() - 1.0) ** 2
    with tempfile.TemporaryDirectory() as scratch:
        saved = viz.save_backprop_steps(loss, scratch, title="Backprop through one neuron")
        shutil.copy(saved.html_path, IMAGES / "backprop" / "backprop.html")
    frames = viz.backprop_frames_to_dot(loss, saved.steps)
    for number in (1, len(frames) - 1):
        viz.render(frames[number], IMAGES / "backprop" / f"step_{number:03d}.png", format="png",
                   dpi=72)


def two_quadrant_data(count, rng):
    """Points in the square, labelled 1 where x0 * x1 > 0 (the XOR pattern)."""
    points = rng.uniform(-1, 1, size=(count, 2)).astype(np.float32)
    return tg.tensor(points), tg.tensor((points[:, 0] * points[:, 1] > 0).astype(np.int64))


def accuracy(logits, labels):
    return float((logits.argmax(dim=1) == labels).numpy().mean())


def training_curves():
    rng = np.random.default_rng(0)
    (x, y), (x_val, y_val) = two_quadrant_data(512, rng), two_quadrant_data(256, rng)
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.03)
    criterion = nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(25):
        for batch in np.split(rng.permutation(512), 8):
            logits = model(x[batch])
            loss = criterion(logits, y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["train_loss"].append(loss.item())
            history["train_accuracy"].append(accuracy(logits, y[batch]))
        with tg.no_grad():
            logits = model(x_val)
            history["val_loss"].append(criterion(logits, y_val).item())
            history["val_accuracy"].append(accuracy(logits, y_val))
    viz.plot_training_curves(**history, x_label="step", title="XOR quadrants, 2-16-2 MLP",
                             path=IMAGES / "training_curves.png")


def gradient_flow():
    """A 10-layer sigmoid network: its early layers barely learn (vanishing gradients)."""
    tg.manual_seed(0)
    layers = []
    for _ in range(10):
        layers += [nn.Linear(32, 32), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(32, 1))
    nn.MSELoss()(model(tg.randn(64, 32)), tg.randn(64, 1)).backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        viz.plot_gradient_flow(model, title="Gradient flow: 10 sigmoid layers",
                               path=IMAGES / "gradient_flow.png")
    print(f"gradient_flow: {len(caught)} layers flagged as vanishing")


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def optimizer_trajectories():
    makers = {"SGD lr=1e-3": lambda p: optim.SGD(p, lr=1e-3),
              "SGD lr=2e-4 momentum=0.9": lambda p: optim.SGD(p, lr=2e-4, momentum=0.9),
              "RMSprop lr=1e-2": lambda p: optim.RMSprop(p, lr=1e-2),
              "Adam lr=0.1": lambda p: optim.Adam(p, lr=0.1)}
    paths = {}
    for name, make in makers.items():
        point = nn.Parameter(tg.tensor([-1.5, 2.0]))
        optimizer = make([point])
        path = [point.numpy()]
        for _ in range(1000):
            optimizer.zero_grad()
            rosenbrock(point[0], point[1]).backward()
            optimizer.step()
            path.append(point.numpy())
        paths[name] = np.array(path)
    viz.plot_optimizer_trajectories(rosenbrock, paths, x_range=(-2, 2), y_range=(-1, 3),
                                    minimum=(1, 1), title="1000 steps on the Rosenbrock function",
                                    path=IMAGES / "optimizer_trajectories.png")


def lr_schedules():
    schedulers = {"StepLR(30, 0.5)": lambda o: optim.lr_scheduler.StepLR(o, 30, gamma=0.5),
                  "ExponentialLR(0.97)": lambda o: optim.lr_scheduler.ExponentialLR(o, 0.97),
                  "CosineAnnealingLR(100)": lambda o: optim.lr_scheduler.CosineAnnealingLR(o, 100),
                  "InverseTimeLR(0.05)": lambda o: optim.lr_scheduler.InverseTimeLR(o, 0.05)}
    rates = {}
    for name, make in schedulers.items():
        optimizer = optim.SGD([nn.Parameter(tg.zeros(1))], lr=0.1)
        scheduler = make(optimizer)
        rates[name] = []
        for _ in range(100):
            rates[name].append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    viz.plot_lr_schedules(rates, x_label="epoch", path=IMAGES / "lr_schedules.png")


def shrink_png(path):
    """Re-save a PNG with a 128-colour palette: a fraction of the bytes, the same look."""
    # FASTOCTREE keeps small areas of a distinct colour (a thin orange line) distinct; the
    # default median cut merged them into a neighbouring red
    Image.open(path).convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(
        path, optimize=True)


def main():
    (IMAGES / "backprop").mkdir(parents=True, exist_ok=True)
    for make in (small_mlp_graphs, backprop_frames, training_curves, gradient_flow,
                 optimizer_trajectories, lr_schedules):
        make()
    for path in IMAGES.rglob("*.png"):
        shrink_png(path)
    total = sum(path.stat().st_size for path in IMAGES.rglob("*") if path.is_file())
    print(f"wrote {IMAGES} ({total / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
