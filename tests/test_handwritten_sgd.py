"""The hand-written SGD idioms of PyTorch tutorials train a model, with the same numbers as
optim.SGD: `with no_grad(): p -= lr * p.grad` (the official tutorial, d2l's SGD.step) and
`p.data += -lr * p.grad` (lecture notebooks)."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def _model():
    tg.manual_seed(3)
    return nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 3))


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
    return tg.tensor(x), tg.tensor(y)


def _train(update, steps=40, lr=0.5):
    model = _model()
    x, y = _data()
    losses = []
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        update(model, lr)
        losses.append(loss.item())
    return losses, [p.numpy() for p in model.parameters()]


def _no_grad_isub(model, lr):
    with tg.no_grad():
        for p in model.parameters():
            p -= lr * p.grad


def _data_iadd(model, lr):
    for p in model.parameters():
        p.data += -lr * p.grad


def _optimizer_factory():
    optimizer = None

    def update(model, lr):
        nonlocal optimizer
        if optimizer is None:
            optimizer = optim.SGD(model.parameters(), lr=lr)
        optimizer.step()

    return update


@pytest.mark.parametrize("update", [_no_grad_isub, _data_iadd], ids=["no_grad_isub", "data_iadd"])
def test_handwritten_sgd_trains_like_optim_sgd(update):
    losses, params = _train(update)
    reference_losses, reference_params = _train(_optimizer_factory())
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_allclose(losses, reference_losses, rtol=1e-5)
    for ours, theirs in zip(params, reference_params, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_the_parameters_stay_the_same_objects():
    model = _model()
    before = [id(p) for p in model.parameters()]
    _train(_no_grad_isub, steps=2)
    x, y = _data()
    nn.functional.cross_entropy(model(x), y).backward()
    _no_grad_isub(model, 0.1)
    assert [id(p) for p in model.parameters()] == before
    assert all(p.is_leaf and p.requires_grad for p in model.parameters())
