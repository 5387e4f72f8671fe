"""Optimizers on 2-D surfaces: the paths they take, drawn over the contours.

Three surfaces, each with its difficulty:
  quadratic   f = (x^2 + 20 y^2) / 2: ill-conditioned (curvatures 1 and 20), so plain gradient
              descent must take a step small enough for y and then crawls along x;
  rosenbrock  f = (1 - x)^2 + 100 (y - x^2)^2: a curved, flat-bottomed valley to (1, 1);
  saddle      f = x^2 - y^2 + y^4 / 4: a saddle at (0, 0) between minima (0, +-sqrt 2);
              the start lies almost on the ridge, so the gradient barely points away from it.
Each optimizer starts at the same point with a learning rate chosen for that surface. Newton
uses the Hessian: exact in one step on a quadratic; its safeguard (|eigenvalues|) turns the
negative curvature of the saddle into a push away from it.
"""

import numpy as np
from common import example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import optim, viz


def quadratic(x, y):
    return 0.5 * (x**2 + 20 * y**2)


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def saddle(x, y):
    return x**2 - y**2 + y**4 / 4


# name -> (function, start, lowest value, plot window (x0, x1, y0, y1))
SURFACES = {
    "quadratic": (quadratic, (-4.5, 1.0), 0.0, (-5, 5, -1.5, 1.5)),
    "rosenbrock": (rosenbrock, (-1.2, 1.0), 0.0, (-2, 2, -1, 3)),
    "saddle": (saddle, (1.5, 0.01), -1.0, (-2, 2, -2, 2.5)),
}

# name -> (constructor, learning rate per surface)
OPTIMIZERS = {
    "sgd": (lambda p, lr: optim.SGD(p, lr=lr), (0.09, 0.002, 0.05)),
    "momentum": (lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9), (0.01, 0.002, 0.03)),
    "nesterov": (lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
                 (0.01, 0.002, 0.03)),
    "adagrad": (lambda p, lr: optim.Adagrad(p, lr=lr), (1.0, 1.0, 0.5)),
    "rmsprop": (lambda p, lr: optim.RMSprop(p, lr=lr), (0.05, 0.2, 0.03)),
    "adam": (lambda p, lr: optim.Adam(p, lr=lr), (0.1, 0.5, 0.1)),
    "rprop": (lambda p, lr: optim.Rprop(p, lr=lr), (0.1, 0.05, 0.05)),
    "quickprop": (lambda p, lr: optim.QuickProp(p, lr=lr), (0.05, 0.01, 0.1)),
    "newton": (lambda p, lr: optim.Newton(p, lr=lr), (1.0, 1.0, 1.0)),
}


def run(surface, make_optimizer, lr, steps):
    """The path [(x, y), ...] of `steps` optimizer steps from the surface's start, and the
    final value of the function."""
    function, start, _, _ = SURFACES[surface]
    point = tg.tensor(start, dtype=tg.float64, requires_grad=True)
    optimizer = make_optimizer([point], lr)

    def closure():
        optimizer.zero_grad()
        loss = function(point[0], point[1])
        if not isinstance(optimizer, optim.Newton):  # Newton differentiates the loss itself
            loss.backward()
        return loss

    path = [point.tolist()]
    for _ in range(steps):
        optimizer.step(closure)
        path.append(point.tolist())
    with tg.no_grad():
        final = function(point[0], point[1]).item()
    return np.array(path), final


def save_plots(paths, steps, out):
    """One contour plot per surface with every optimizer's path (viz's trajectory plot)."""
    for surface, (function, _, _, window) in SURFACES.items():
        x0, x1, y0, y1 = window
        figure = viz.plot_optimizer_trajectories(
            function, paths[surface], x_range=(x0, x1), y_range=(y0, y1),
            title=f"{surface}: {steps} steps from the same start")
        save_figure(figure, out, f"optimizer_paths_{surface}.png")


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    steps = 40 if args.quick else 100
    paths = {surface: {} for surface in SURFACES}
    for column, surface in enumerate(SURFACES):
        lowest = SURFACES[surface][2]
        for name, (make_optimizer, rates) in OPTIMIZERS.items():
            path, final = run(surface, make_optimizer, rates[column], steps)
            report(f"{surface}_{name}_gap", final - lowest)
            paths[surface][name] = path
    save_plots(paths, steps, args.out)


if __name__ == "__main__":
    main()
