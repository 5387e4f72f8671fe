"""Backprop fails to separate where the perceptron succeeds (Brady, Raghavan and Slawny, 1989).

The data are linearly separable: 20 positives on the line y = 1 and 20 negatives on y = -1
(x from -1 to 1), plus one far-away negative "spoiler" at (-10, 8), deep on the positive side
of the natural boundary y = 0. Only steep lines (slopes between about -1 and -0.8) separate
it, and those pass close to every other point.

- The perceptron rule (w += t x for each misclassified x, t = +-1) is guaranteed to find a
  separating line in finitely many updates (Novikoff's theorem): 100% training accuracy.
- Backprop on one sigmoid unit with squared error, E = 1/2 mean (sigmoid(w.x + b) - t)^2, and
  weights bounded to |w_i| <= B settles on the wide-margin line that misclassifies the spoiler:
  its sigmoid saturates at the wrong end, so its error signal (o - t) o (1 - o) is ~0 and it
  stops pulling, however long we train.
"""

import numpy as np
from common import example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import optim

SPOILER = (-10.0, 8.0)
POINTS_PER_CLASS = 20
WEIGHT_BOUND = 4.0


def make_data():
    """Points (41, 2) float64 and targets (41,): 1 for positives, 0 for negatives."""
    xs = np.linspace(-1.0, 1.0, POINTS_PER_CLASS)
    positives = np.stack([xs, np.ones_like(xs)], axis=1)
    negatives = np.stack([xs, -np.ones_like(xs)], axis=1)
    points = np.concatenate([positives, negatives, [SPOILER]])
    targets = np.concatenate([np.ones(POINTS_PER_CLASS), np.zeros(POINTS_PER_CLASS + 1)])
    return points, targets


def train_perceptron(points, targets, max_epochs=100):
    """Rosenblatt's rule from w = 0: for each misclassified x with sign t, w += t x, b += t.

    Returns (w, b, epochs used); stops after the first epoch with no mistake.
    """
    signs = tg.tensor(2 * targets - 1)
    x = tg.tensor(points)
    w, b = tg.zeros(2, dtype=tg.float64), tg.zeros((), dtype=tg.float64)
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for i in range(len(targets)):
            if (signs[i] * (x[i] @ w + b)).item() <= 0:
                w, b = w + signs[i] * x[i], b + signs[i]
                mistakes += 1
        if mistakes == 0:
            return w, b, epoch
    return w, b, max_epochs


def train_backprop(points, targets, steps, lr=1.0):
    """Gradient descent on E = 1/2 mean (sigmoid(x.w + b) - t)^2 from w = 0, with every weight
    clipped to [-WEIGHT_BOUND, WEIGHT_BOUND] after each step. Returns (w, b)."""
    x, t = tg.tensor(points), tg.tensor(targets)
    w = tg.zeros(2, dtype=tg.float64, requires_grad=True)
    b = tg.zeros((), dtype=tg.float64, requires_grad=True)
    optimizer = optim.SGD([w, b], lr=lr)
    for _ in range(steps):
        loss = 0.5 * ((x @ w + b).sigmoid() - t).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with tg.no_grad():
            for weight in (w, b):
                weight.data = weight.clamp(-WEIGHT_BOUND, WEIGHT_BOUND).data
    return w.detach(), b.detach()


def predictions(points, w, b):
    """1 where w.x + b > 0, else 0."""
    return ((tg.tensor(points) @ w + b) > 0).numpy().astype(float)


def plot(points, targets, lines):
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 5))
    positive = targets == 1
    axes.scatter(*points[positive].T, marker="o", label="class 1")
    axes.scatter(*points[~positive].T, marker="x", label="class 0")
    axes.scatter(*SPOILER, s=150, facecolors="none", edgecolors="red", label="spoiler (class 0)")
    xs = np.linspace(-12, 3, 2)
    for name, (w, b) in lines.items():
        w0, w1 = w.tolist()
        axes.plot(xs, -(w0 * xs + b.item()) / w1, label=f"{name} boundary")
    axes.set(xlim=(-12, 3), ylim=(-3, 10), xlabel="x1", ylabel="x2",
             title="Perceptron vs backprop with a spoiler point")
    axes.legend(loc="upper right", fontsize=8)
    return figure


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    points, targets = make_data()
    perceptron_w, perceptron_b, epochs = train_perceptron(points, targets)
    backprop_w, backprop_b = train_backprop(points, targets, steps=500 if args.quick else 5000)

    for name, w, b in (("perceptron", perceptron_w, perceptron_b),
                       ("backprop", backprop_w, backprop_b)):
        predicted = predictions(points, w, b)
        report(f"{name}_train_accuracy", float((predicted == targets).mean()))
        report(f"{name}_spoiler_correct", bool(predicted[-1] == targets[-1]))
    report("perceptron_epochs", epochs)
    spoiler_output = (tg.tensor(SPOILER, dtype=tg.float64) @ backprop_w + backprop_b).sigmoid()
    output = spoiler_output.item()
    report("backprop_spoiler_output", output)
    report("backprop_spoiler_error_signal", (output - 0.0) * output * (1 - output))
    lines = {"perceptron": (perceptron_w, perceptron_b), "backprop": (backprop_w, backprop_b)}
    save_figure(plot(points, targets, lines), args.out, "perceptron_vs_backprop.png")


if __name__ == "__main__":
    main()
