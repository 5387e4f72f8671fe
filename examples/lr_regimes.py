"""Learning-rate regimes of gradient descent on a quadratic (LeCun et al., Efficient BackProp).

On f(w) = a/2 (w - w*)^2 one gradient step gives w - w* <- (1 - eta a)(w - w*). With the
curvature a = f''(w) (measured here by double backprop) the best rate is eta_opt = 1/a, which
lands on w* in one step, and:
  eta < eta_opt             0 < 1 - eta a < 1: monotone, slow convergence;
  eta_opt < eta < 2 eta_opt -1 < 1 - eta a < 0: w overshoots, oscillates, still converges;
  eta > 2 eta_opt           |1 - eta a| > 1: every step overshoots further: divergence.
"""

import numpy as np
from common import example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import optim
from tinygrad_edu.autograd.functional import hessian

CURVATURE = 4.0
MINIMUM = 1.0
START = -1.0
# Each regime's learning rate as a multiple of eta_opt.
REGIMES = {"slow": 0.5, "optimal": 1.0, "oscillating": 1.7, "diverging": 2.2}


def quadratic(w):
    """f(w) = a/2 (w - w*)^2."""
    return 0.5 * CURVATURE * ((w - MINIMUM) ** 2).sum()


def descend(lr, steps):
    """Plain gradient descent from START; returns the iterates w_0..w_steps and their losses."""
    w = tg.tensor([START], dtype=tg.float64, requires_grad=True)
    optimizer = optim.SGD([w], lr=lr)
    iterates, losses = [], []
    for _ in range(steps):
        loss = quadratic(w)
        iterates.append(w.item())
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    iterates.append(w.item())
    losses.append(quadratic(w).item())
    return np.array(iterates), np.array(losses)


def plot(paths):
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    grid = np.linspace(-2.5, 4.5, 200)
    left.plot(grid, 0.5 * CURVATURE * (grid - MINIMUM) ** 2, color="grey")
    for name, (lr, iterates, losses) in paths.items():
        shown = iterates[:6]
        left.plot(shown, 0.5 * CURVATURE * (shown - MINIMUM) ** 2, "o-", markersize=3,
                  label=f"{name}: eta = {lr:.3g}")
        right.semilogy(np.maximum(losses, 1e-20), label=name)
    left.set(xlim=(-2.5, 4.5), ylim=(-1, 25), xlabel="w", ylabel="f(w)",
             title="first 5 steps on f(w) = a/2 (w - w*)^2")
    right.set(xlabel="step", ylabel="f(w) (log scale, floored at 1e-20)",
              title="loss per step")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    return figure


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    steps = 10 if args.quick else 30
    curvature = hessian(quadratic, tg.tensor([START], dtype=tg.float64)).item()
    eta_opt = 1.0 / curvature
    report("curvature", curvature)
    report("eta_opt", eta_opt)
    paths = {}
    for name, multiple in REGIMES.items():
        lr = multiple * eta_opt
        iterates, losses = descend(lr, steps)
        offsets = np.sign(iterates - MINIMUM)
        report(f"{name}_eta", lr)
        report(f"{name}_initial_loss", float(losses[0]))
        report(f"{name}_final_loss", float(losses[-1]))
        report(f"{name}_overshoots", int((offsets[1:] * offsets[:-1] < 0).sum()))
        report(f"{name}_loss_decreasing", bool(np.all(np.diff(losses) <= 0)))
        paths[name] = (lr, iterates, losses)
    save_figure(plot(paths), args.out, "lr_regimes.png")


if __name__ == "__main__":
    main()
