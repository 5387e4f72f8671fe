"""Trajectories of 25 steps match PyTorch's to 1e-10 (float64) for every shared optimizer and
every option combination, on a tiny tanh MLP (non-quadratic, four parameter tensors)."""

import itertools

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim

pytestmark = pytest.mark.usefixtures("default_device")  # every test on every device

torch = pytest.importorskip("torch")

STEPS = 25
_rng = np.random.default_rng(0)
X = _rng.normal(size=(6, 3))
Y = _rng.normal(size=(6, 2))
INITIAL = [_rng.normal(size=(3, 4)) * 0.7, _rng.normal(size=4) * 0.1,
           _rng.normal(size=(4, 2)) * 0.7, _rng.normal(size=2) * 0.1]


def mlp_loss(params, x, y):
    """mean((tanh(x W1 + b1) W2 + b2 - y)^2): the same expression in both libraries."""
    w1, b1, w2, b2 = params
    return ((((x @ w1 + b1).tanh() @ w2 + b2) - y) ** 2).mean()


def convex_loss(params, x, y):
    """A smooth strongly convex loss (logistic terms plus penalties): L-BFGS with a short
    history is stable on it, while on the MLP it amplifies rounding chaotically (PyTorch itself
    moves 1e-10 after one step from a 1e-15 change of the start)."""
    w1, b1, w2, b2 = params
    logistic = ((x @ w1 + b1).exp() + 1).log().mean()
    shifted = w2 - 0.5
    return (logistic + 0.1 * (w1 ** 2).sum() + 0.1 * (b1 ** 2).sum()
            + (shifted ** 4 + shifted ** 2).sum() + ((b2 - y[0]) ** 2).sum())


def _flat(values):
    return np.concatenate([np.asarray(v).ravel() for v in values])


def _trajectory(make_tensor, make_optimizer, steps, sign, closure_style, loss_fn):
    """The parameters after each of `steps` optimizer steps, for either framework."""
    params = [make_tensor(a.copy(), requires_grad=True) for a in INITIAL]
    x, y = make_tensor(X), make_tensor(Y)
    optimizer = make_optimizer(params)
    points = []
    for _ in range(steps):
        def closure():
            optimizer.zero_grad()
            loss = sign * loss_fn(params, x, y)
            loss.backward()
            return loss
        if closure_style:
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
        points.append(_flat(p.detach().numpy() for p in params))
    return np.array(points)


def trajectory_tg(make_optimizer, steps=STEPS, sign=1.0, closure_style=False,
                  loss_fn=mlp_loss):
    return _trajectory(tg.Tensor, make_optimizer, steps, sign, closure_style, loss_fn)


def trajectory_torch(make_optimizer, steps=STEPS, sign=1.0, closure_style=False,
                     loss_fn=mlp_loss):
    return _trajectory(torch.tensor, make_optimizer, steps, sign, closure_style, loss_fn)


def grid(**options):
    """Every combination of the given option values, as kwargs dicts."""
    names = list(options)
    combinations = itertools.product(*options.values())
    return [dict(zip(names, values, strict=True)) for values in combinations]


SGD_GRID = [kw for kw in grid(momentum=[0.0, 0.9], dampening=[0.0, 0.3], nesterov=[False, True],
                              weight_decay=[0.0, 0.1])
            if not kw["nesterov"] or (kw["momentum"] > 0 and kw["dampening"] == 0)]
CASES = (
    [("SGD", dict(lr=0.1, **kw)) for kw in SGD_GRID]
    + [(name, dict(lr=0.05, **kw)) for name in ("Adam", "AdamW")
       for kw in grid(amsgrad=[False, True], weight_decay=[0.0, 0.1], betas=[(0.9, 0.999),
                                                                          (0.5, 0.8)])]
    + [("Adagrad", dict(lr=0.1, **kw)) for kw in grid(lr_decay=[0.0, 0.1],
                                                       weight_decay=[0.0, 0.1],
                                                       initial_accumulator_value=[0.0, 0.5])]
    + [("RMSprop", dict(lr=0.01, **kw)) for kw in grid(centered=[False, True],
                                                        momentum=[0.0, 0.9],
                                                        weight_decay=[0.0, 0.1], alpha=[0.99, 0.5])]
    + [("Adadelta", dict(**kw)) for kw in grid(rho=[0.9, 0.5], weight_decay=[0.0, 0.1],
                                               lr=[1.0, 0.5])]
    + [("Rprop", dict(**kw)) for kw in grid(lr=[0.01, 0.1], etas=[(0.5, 1.2), (0.3, 1.5)],
                                            step_sizes=[(1e-6, 50), (1e-3, 0.05)])]
)


def _case_id(case):
    name, kwargs = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_first_order_trajectory_matches_torch(case):
    name, kwargs = case
    ours = trajectory_tg(lambda p: getattr(optim, name)(p, **kwargs))
    theirs = trajectory_torch(lambda p: getattr(torch.optim, name)(p, **kwargs))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
    assert np.abs(ours[-1] - ours[0]).max() > 1e-3  # the optimizer really moved


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta",
                                  "Rprop"])
def test_maximize_matches_torch(name):
    """maximize=True on -loss walks the same path as PyTorch's."""
    kwargs = {"maximize": True, "lr": 0.05}
    ours = trajectory_tg(lambda p: getattr(optim, name)(p, **kwargs), sign=-1.0)
    theirs = trajectory_torch(lambda p: getattr(torch.optim, name)(p, **kwargs), sign=-1.0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_parameter_groups_match_torch():
    """Per-group hyperparameters override the defaults as in PyTorch."""
    def groups(params):
        return [{"params": params[:2], "lr": 0.2, "weight_decay": 0.1}, {"params": params[2:]}]
    ours = trajectory_tg(lambda p: optim.Adam(groups(p), lr=0.01, amsgrad=True))
    theirs = trajectory_torch(lambda p: torch.optim.Adam(groups(p), lr=0.01, amsgrad=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


LBFGS_CASES = (
    [(mlp_loss, kw) for kw in grid(line_search_fn=[None, "strong_wolfe"], lr=[1.0, 0.3],
                                   max_iter=[20, 4])]
    + [(convex_loss, kw) for kw in grid(line_search_fn=[None, "strong_wolfe"], history_size=[3],
                                        lr=[1.0, 0.3], max_iter=[20, 4])]
    # a first trial step far too long: the strong-Wolfe zoom phase has to shrink it
    + [(loss_fn, {"line_search_fn": "strong_wolfe", "lr": 5.0})
       for loss_fn in (mlp_loss, convex_loss)])


@pytest.mark.parametrize("case", LBFGS_CASES,
                         ids=[f"{fn.__name__}-{kw}" for fn, kw in LBFGS_CASES])
def test_lbfgs_trajectory_matches_torch(case):
    loss_fn, kwargs = case
    ours = trajectory_tg(lambda p: optim.LBFGS(p, **kwargs), closure_style=True, loss_fn=loss_fn)
    theirs = trajectory_torch(lambda p: torch.optim.LBFGS(p, **kwargs), closure_style=True,
                              loss_fn=loss_fn)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def _first_losses(optimizer, params, x, y, steps=3):
    def closure():
        optimizer.zero_grad()
        loss = mlp_loss(params, x, y)
        loss.backward()
        return loss
    return [optimizer.step(closure).item() for _ in range(steps)]


def test_lbfgs_counters_and_first_loss_match_torch():
    """step returns the first loss; func_evals and n_iter count as PyTorch's."""
    params = [tg.Tensor(a.copy(), requires_grad=True) for a in INITIAL]
    torch_params = [torch.tensor(a.copy(), requires_grad=True) for a in INITIAL]
    ours = optim.LBFGS(params, line_search_fn="strong_wolfe", max_iter=7)
    theirs = torch.optim.LBFGS(torch_params, line_search_fn="strong_wolfe", max_iter=7)
    our_losses = _first_losses(ours, params, tg.Tensor(X), tg.Tensor(Y))
    their_losses = _first_losses(theirs, torch_params, torch.from_numpy(X), torch.from_numpy(Y))
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-12)
    ours_state, theirs_state = ours.state[params[0]], theirs.state[torch_params[0]]
    assert ours_state["func_evals"] == theirs_state["func_evals"]
    assert ours_state["n_iter"] == theirs_state["n_iter"]
