"""Convergence on quadratics: the lectures' gradient-descent regimes, QuickProp's secant,
Newton in one step, and Newton's safeguard on non-convex losses."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim

# f(x) = x^T A x / 2 with eigenvalues 1 and 4: lambda_max = 4, so eta_opt = 1 / 4
CURVATURES = np.array([1.0, 4.0])
ETA_OPT = 1.0 / CURVATURES.max()


def gradient_descent_path(lr, steps=30):
    """Coordinates of x along plain GD on f from x0 = (1, 1)."""
    x = tg.tensor([1.0, 1.0], dtype="float64", requires_grad=True)
    curvatures = tg.tensor(CURVATURES)
    optimizer = optim.SGD([x], lr=lr)
    path = [x.numpy()]
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (curvatures * x * x).sum()).backward()
        optimizer.step()
        path.append(x.numpy())
    return np.array(path)


def test_small_learning_rate_converges_monotonically():
    path = gradient_descent_path(0.8 * ETA_OPT)
    assert (path > 0).all()  # never crosses the minimum: each coordinate shrinks toward 0
    assert (np.diff(np.abs(path), axis=0) < 0).all()
    assert np.abs(path[-1]).max() < 1e-2


def test_between_eta_opt_and_twice_it_oscillates_and_converges():
    path = gradient_descent_path(1.6 * ETA_OPT)
    stiff = path[:, 1]  # factor 1 - 1.6 * 4 / 4 = -0.6 per step
    assert (np.sign(stiff[1:]) == -np.sign(stiff[:-1])).all()
    assert abs(stiff[-1]) < 1e-5 and abs(path[-1, 0]) < 1e-3


def test_beyond_twice_eta_opt_diverges():
    path = gradient_descent_path(2.2 * ETA_OPT)
    stiff = np.abs(path[:, 1])  # factor |1 - 2.2| = 1.2 per step
    assert (np.diff(stiff) > 0).all() and stiff[-1] > 100


def test_quickprop_solves_a_separable_quadratic_in_two_steps():
    # f = sum(a w^2 / 2): the secant through two gradients is exact; with lr * a = 0.4 the
    # second step stays within max_growth, so the minimum is reached exactly.
    w = tg.tensor([1.0, -3.0], dtype="float64", requires_grad=True)
    optimizer = optim.QuickProp([w], lr=0.1)
    for _ in range(2):
        optimizer.zero_grad()
        (0.5 * 4.0 * (w * w).sum()).backward()
        optimizer.step()
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0], atol=1e-12)


def test_quickprop_converges_on_an_ill_conditioned_quadratic():
    w = tg.tensor([1.0, 1.0, 1.0], dtype="float64", requires_grad=True)
    curvatures = tg.tensor([0.5, 3.0, 20.0], dtype="float64")
    optimizer = optim.QuickProp([w], lr=0.04)
    for _ in range(60):
        optimizer.zero_grad()
        (0.5 * (curvatures * w * w).sum()).backward()
        optimizer.step()
    assert np.abs(w.numpy()).max() < 1e-6


def test_newton_solves_a_coupled_quadratic_in_one_step():
    # f = z^T A z / 2 - b^T z with z = (u, v) split over two tensors; the minimum is A^-1 b
    a = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, 0.3], [0.5, 0.3, 1.5]])
    b = np.array([1.0, -2.0, 0.5])
    u = tg.tensor([0.3, 0.3], dtype="float64", requires_grad=True)
    v = tg.tensor([-1.0], dtype="float64", requires_grad=True)
    matrix, vector = tg.tensor(a), tg.tensor(b)

    def closure():  # returns the loss without calling backward
        z = tg.cat([u, v])
        return 0.5 * (z @ (matrix @ z)) - (vector * z).sum()
    start_loss = closure().item()
    loss = optim.Newton([u, v]).step(closure)
    np.testing.assert_allclose(np.concatenate([u.numpy(), v.numpy()]), np.linalg.solve(a, b),
                               atol=1e-12)
    assert loss.item() == start_loss  # step returns the loss before the step


def test_newton_damping_and_lr_scale_the_step():
    # f = 2 x^2: H = 4, g = 4 x; step = -lr * g / (H + damping) = -0.5 * 4 / (4 + 4) = -0.25
    x = tg.tensor([1.0], dtype="float64", requires_grad=True)
    optim.Newton([x], lr=0.5, damping=4.0).step(lambda: 2.0 * (x * x).sum())
    assert x.item() == pytest.approx(0.75)


def test_newton_safeguard_descends_at_a_saddle():
    # f = x^2 - y^2 at (0, 0.5): g = (0, -1), H = diag(2, -2). Plain Newton would jump to the
    # saddle (0, 0) where f = 0 > -0.25; with |H| the step is +0.5 in y: f = -1.
    xy = tg.tensor([0.0, 0.5], dtype="float64", requires_grad=True)
    optim.Newton([xy]).step(lambda: xy[0] ** 2 - xy[1] ** 2)
    np.testing.assert_allclose(xy.numpy(), [0.0, 1.0], atol=1e-12)


def test_newton_safeguard_leaves_a_maximum_and_finds_the_minimum():
    # double well f = x^4/4 - x^2/2 at x = 0.1: f'' = -0.97 < 0, g = -0.099. Plain Newton moves
    # to x = -0.002, up toward the maximum at 0; the safeguarded step moves to x = 0.202.
    x = tg.tensor([0.1], dtype="float64", requires_grad=True)

    def closure():
        return (x ** 4 / 4 - x ** 2 / 2).sum()
    optimizer = optim.Newton([x])
    before = closure().item()
    optimizer.step(closure)
    assert x.item() == pytest.approx(0.1 + 0.099 / 0.97)
    assert closure().item() < before
    for _ in range(15):
        optimizer.step(closure)
    assert x.item() == pytest.approx(1.0, abs=1e-12)


def test_newton_refuses_a_dense_hessian_too_large():
    from tinygrad_edu.autograd.functional import MAX_HESSIAN_SIZE

    count = MAX_HESSIAN_SIZE + 1
    with pytest.raises(ValueError, match=f"{count} parameters.*LBFGS"):
        optim.Newton([tg.zeros(count, requires_grad=True)])


def test_newton_explains_a_closure_that_called_backward():
    x = tg.tensor([1.0], dtype="float64", requires_grad=True)

    def closure():
        loss = (x ** 4).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="without calling backward"):
        optim.Newton([x]).step(closure)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_minimizes_rosenbrock(line_search_fn):
    xy = tg.tensor([-1.2, 1.0], dtype="float64", requires_grad=True)
    optimizer = optim.LBFGS([xy], lr=1 if line_search_fn else 0.1, max_iter=50,
                            line_search_fn=line_search_fn)

    def closure():
        optimizer.zero_grad()
        loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
        loss.backward()
        return loss
    for _ in range(20 if line_search_fn else 40):
        optimizer.step(closure)
    np.testing.assert_allclose(xy.numpy(), [1.0, 1.0], atol=1e-4)
