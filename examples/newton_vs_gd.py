"""Newton's method vs gradient descent on logistic regression with 2 features.

The loss L(w, b) = mean log(1 + exp(-s (w.x + b))) (labels s = +-1) is smooth and convex.
Gradient descent steps -lr g and converges linearly: the error shrinks by a constant factor
per step, a factor close to 1 when the Hessian is ill-conditioned. Newton steps -H^-1 g
(H the 3 x 3 Hessian, here from double backprop) and, near the minimum, converges
quadratically: the number of correct digits doubles every step. We count the iterations
each needs to bring the gradient norm below a tolerance.
"""

import numpy as np
from common import example_parser, report, save_figure

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import optim

TOLERANCE = 1e-6
SAMPLES_PER_CLASS = 100


def make_data(seed=0):
    """Two overlapping Gaussian clouds (so the best weights are finite), the second feature on
    a 4x larger scale (so the Hessian is ill-conditioned): inputs (200, 2) float64, labels 0/1."""
    rng = np.random.default_rng(seed)
    scale = np.array([1.0, 4.0])
    negatives = rng.normal([-1.0, -0.5], 1.2, size=(SAMPLES_PER_CLASS, 2)) * scale
    positives = rng.normal([1.0, 0.5], 1.2, size=(SAMPLES_PER_CLASS, 2)) * scale
    inputs = np.concatenate([negatives, positives])
    labels = np.concatenate([np.zeros(SAMPLES_PER_CLASS), np.ones(SAMPLES_PER_CLASS)])
    return tg.tensor(inputs), tg.tensor(labels)


def curvature_bound(inputs):
    """L = largest eigenvalue of mean(z z^T) / 4, z = (x, 1): the logistic loss's Hessian is
    mean(p (1 - p) z z^T) with p (1 - p) <= 1/4, so L bounds its curvature and lr = 1/L is
    the classic safe step for gradient descent."""
    z = np.concatenate([inputs.numpy(), np.ones((len(inputs), 1))], axis=1)
    return float(np.linalg.eigvalsh(z.T @ z / len(z) / 4).max())


def minimize(make_optimizer, inputs, labels, max_iterations):
    """Run the optimizer from w = 0, b = 0 until ||gradient|| < TOLERANCE.

    Returns (losses, gradient norms) before each step, and the final (w, b).
    """
    w = tg.zeros(2, dtype=tg.float64, requires_grad=True)
    b = tg.zeros((), dtype=tg.float64, requires_grad=True)
    optimizer = make_optimizer([w, b])

    def loss_fn():
        return F.binary_cross_entropy_with_logits(inputs @ w + b, labels)

    def closure():
        optimizer.zero_grad()
        loss = loss_fn()
        if not isinstance(optimizer, optim.Newton):  # Newton differentiates the loss itself
            loss.backward()
        return loss

    losses, norms = [], []
    for _ in range(max_iterations + 1):
        loss = loss_fn()
        grad_w, grad_b = tg.grad(loss, [w, b])
        losses.append(loss.item())
        norms.append(float(np.sqrt((grad_w * grad_w).sum().item() + grad_b.item() ** 2)))
        if norms[-1] < TOLERANCE:
            break
        optimizer.step(closure)
    return np.array(losses), np.array(norms), (w.detach(), b.detach())


def plot(inputs, labels, runs):
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    points, classes = inputs.numpy(), labels.numpy()
    left.scatter(*points[classes == 0].T, marker="x", alpha=0.6, label="class 0")
    left.scatter(*points[classes == 1].T, marker="o", alpha=0.6, label="class 1")
    xs = np.linspace(points[:, 0].min(), points[:, 0].max(), 2)
    best = min(run[0][-1] for run in runs.values())
    for name, (losses, norms, (w, b)) in runs.items():
        w0, w1 = w.tolist()
        left.plot(xs, -(w0 * xs + b.item()) / w1, label=f"{name} boundary")
        right.semilogy(np.maximum(norms, 1e-16), label=f"{name}: ||gradient||")
        right.semilogy(np.maximum(losses - best, 1e-16), "--", label=f"{name}: loss - best")
    right.axhline(TOLERANCE, color="grey", linewidth=0.8)
    left.set(xlabel="x1", ylabel="x2", ylim=(points[:, 1].min(), points[:, 1].max()),
             title="logistic regression on 2 features")
    right.set(xlabel="iteration", title="convergence (log scale)")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    return figure


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    inputs, labels = make_data()
    max_iterations = 300 if args.quick else 3000
    lr = 1.0 / curvature_bound(inputs)
    report("gd_lr", lr)
    runs = {
        "newton": minimize(lambda p: optim.Newton(p), inputs, labels, max_iterations),
        "gd": minimize(lambda p: optim.SGD(p, lr=lr), inputs, labels, max_iterations),
    }
    for name, (losses, norms, _) in runs.items():
        converged = norms[-1] < TOLERANCE
        report(f"{name}_converged", bool(converged))
        report(f"{name}_iterations", len(norms) - 1 if converged else f">{max_iterations}")
        report(f"{name}_final_loss", float(losses[-1]))
        report(f"{name}_final_gradient_norm", float(norms[-1]))
    save_figure(plot(inputs, labels, runs), args.out, "newton_vs_gd.png")


if __name__ == "__main__":
    main()
