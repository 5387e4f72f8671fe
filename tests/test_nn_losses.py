"""Losses: input checking, stability at the extremes, gradients to targets, the fused
cross-entropy against its composed definition, and the module forms."""

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

CLASS_LOSSES = [F.cross_entropy, F.nll_loss, F.multi_margin_loss]
REGRESSION_LOSSES = [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy,
                     F.binary_cross_entropy_with_logits]


@pytest.mark.parametrize("loss", CLASS_LOSSES, ids=lambda f: f.__name__)
def test_class_losses_reject_bad_targets(loss):
    scores = tg.randn(4, 3)
    with pytest.raises(ValueError, match=f"{loss.__name__}: target of shape \\(4, 1\\)"):
        loss(scores, tg.tensor([[0], [1], [2], [0]]))
    with pytest.raises(TypeError, match=f"{loss.__name__}: target must hold integer class"):
        loss(scores, tg.tensor([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(IndexError, match=r"class indices in \[0, 3\).*got \[3\]"):
        loss(scores, tg.tensor([0, 1, 3, 0]))
    with pytest.raises(IndexError, match=r"got \[-1\]"):
        loss(scores, tg.tensor([0, -1, 2, 0]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        loss(scores, tg.tensor([0, 1, 2, 0]), reduction="average")


@pytest.mark.parametrize("loss", REGRESSION_LOSSES, ids=lambda f: f.__name__)
def test_regression_losses_reject_mismatched_shapes_and_integer_targets(loss):
    x = tg.rand(4, 1)
    with pytest.raises(ValueError, match=f"{loss.__name__}: target shape \\(4,\\) must match "
                                         "input shape \\(4, 1\\)"):
        loss(x, tg.rand(4))
    with pytest.raises(TypeError, match="must be floating point"):
        loss(x, tg.tensor([[1], [0], [1], [0]]))


@pytest.mark.parametrize("loss", REGRESSION_LOSSES, ids=lambda f: f.__name__)
def test_regression_targets_receive_gradients(loss):
    x = tg.tensor([[0.2, 0.7], [0.4, 0.9]], dtype=tg.float64, requires_grad=True)
    y = tg.tensor([[0.5, 0.1], [0.3, 0.6]], dtype=tg.float64, requires_grad=True)
    assert tg.gradcheck(loss, (x, y))


def test_cross_entropy_ignores_targets_and_averages_over_the_rest():
    logits = tg.randn(4, 3, requires_grad=True)
    targets = tg.tensor([2, -100, 0, -100])
    loss = F.cross_entropy(logits, targets)
    log_probs = logits.log_softmax(1).numpy()
    assert loss.item() == pytest.approx(-(log_probs[0, 2] + log_probs[2, 0]) / 2, rel=1e-6)
    loss.backward()
    assert np.all(logits.grad.numpy()[[1, 3]] == 0)
    custom = F.cross_entropy(logits, tg.tensor([2, 7, 0, 7]), ignore_index=7)
    assert custom.item() == pytest.approx(loss.item())


def test_cross_entropy_with_every_target_ignored_is_nan_with_zero_gradient():
    logits = tg.randn(3, 4, requires_grad=True)
    loss = F.cross_entropy(logits, tg.tensor([-100, -100, -100]))
    loss.backward()
    assert np.isnan(loss.item())  # the mean over no samples, as PyTorch
    assert np.all(logits.grad.numpy() == 0)


def test_cross_entropy_third_derivative_matches_the_composed_form():
    rng = np.random.default_rng(1)
    logits_array = rng.standard_normal((4, 3))
    targets = tg.tensor([0, 2, 1, -100])
    results = []
    for loss_function in (lambda x: F.cross_entropy(x, targets, label_smoothing=0.2),
                          lambda x: 0.8 * F.nll_loss(x.log_softmax(1), targets)
                          - 0.2 / 3 * (x.log_softmax(1).sum(1) * tg.tensor([1.0, 1, 1, 0],
                                                                         dtype=tg.float64)).sum()
                          / 3):
        logits = tg.tensor(logits_array, requires_grad=True)
        (first,) = tg.grad([loss_function(logits)], [logits], create_graph=True)
        (second,) = tg.grad([(first * first).sum()], [logits], create_graph=True)
        (third,) = tg.grad([(second ** 3).sum()], [logits])
        results.append((first.numpy(), second.numpy(), third.numpy()))
    for fused, composed in zip(*results, strict=True):
        np.testing.assert_allclose(fused, composed, rtol=1e-9, atol=1e-12)


def test_fused_cross_entropy_matches_log_softmax_then_nll(device):
    rng = np.random.default_rng(0)
    logits_array = rng.standard_normal((32, 10)) * 4
    targets = tg.tensor(rng.integers(0, 10, 32), device=device)
    results = []
    for loss_function in (F.cross_entropy, lambda x, t: F.nll_loss(x.log_softmax(1), t)):
        logits = tg.tensor(logits_array, device=device, requires_grad=True)
        loss = loss_function(logits, targets)
        (first,) = tg.grad([loss], [logits], create_graph=True)
        (second,) = tg.grad([(first * first).sum()], [logits])
        results.append((loss.item(), first.numpy(), second.numpy()))
    for fused, composed in zip(*results, strict=True):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(4, 10), (64, 10), (64, 32), (64, 33), (16, 1)])
def test_short_rows_reduce_to_numpys_values_either_way(shape):
    from tinygrad_edu.ops.softmax import row_reduce

    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32) * 50
    np.testing.assert_array_equal(row_reduce(x, 1, "max"), x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(row_reduce(x, -1, "sum"), x.sum(axis=1, keepdims=True),
                               rtol=1e-5, atol=1e-4)
    huge = tg.tensor(x * 1000, requires_grad=True)  # exp overflows unless shifted per row
    targets = tg.tensor(np.arange(shape[0]) % shape[1])
    F.cross_entropy(huge, targets).backward()
    assert np.all(np.isfinite(huge.grad.numpy()))
    np.testing.assert_allclose(huge.softmax(1).numpy().sum(axis=1), 1, rtol=1e-5)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits = tg.randn(5, 4, dtype=tg.float64, requires_grad=True)
    targets = tg.tensor([0, 3, 1, 1, 2])
    F.cross_entropy(logits, targets).backward()
    expected = (logits.softmax(1).numpy() - np.eye(4)[targets.numpy()]) / 5
    np.testing.assert_allclose(logits.grad.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_cross_entropy_is_stable_and_keeps_dtype_at_huge_logits(dtype, device):
    logits = tg.tensor([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype, device=device,
                       requires_grad=True)
    loss = F.cross_entropy(logits, tg.tensor([1, 0], device=device))
    loss.backward()
    assert loss.dtype == dtype and logits.grad.dtype == dtype
    assert loss.item() == pytest.approx((2000 + 2e4 + np.log(2)) / 2, rel=1e-5)
    assert np.all(np.isfinite(logits.grad.numpy()))


def test_binary_cross_entropy_is_finite_at_zero_and_one():
    probabilities = tg.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    targets = tg.tensor([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy(probabilities, targets, reduction="none")
    assert loss.tolist() == [0.0, 0.0, 100.0, 100.0]  # log clamped at -100, as PyTorch
    loss.sum().backward()
    assert np.all(np.isfinite(probabilities.grad.numpy()))
    with pytest.raises(RuntimeError, match="probabilities in \\[0, 1\\]"):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))


def test_binary_cross_entropy_with_logits_is_stable_at_100():
    logits = tg.tensor([100.0, -100.0, 100.0, -100.0], requires_grad=True)
    targets = tg.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 100.0, 100.0], atol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), [0.0, 0.0, 1.0, -1.0], atol=1e-6)


def test_multi_margin_loss_by_hand():
    scores = tg.tensor([[0.1, 0.2, 0.4, 0.8], [2.0, 0.5, 0.0, -1.0]])
    targets = tg.tensor([3, 0])
    # sample 0: max(0, 1 - 0.8 + x_i) for i = 0, 1, 2 -> 0.3, 0.4, 0.6; sum / 4 = 0.325
    # sample 1: all margins 1 - 2 + x_i <= 0 -> 0
    losses = F.multi_margin_loss(scores, targets, reduction="none")
    np.testing.assert_allclose(losses.numpy(), [0.325, 0.0], rtol=1e-6)


def test_huber_loss_pieces():
    x = tg.tensor([0.0, 0.0, 0.0])
    y = tg.tensor([0.5, -2.0, 3.0])
    np.testing.assert_allclose(F.huber_loss(x, y, reduction="none", delta=1.0).numpy(),
                               [0.125, 1.5, 2.5])
    with pytest.raises(ValueError, match="delta must be positive"):
        F.huber_loss(x, y, delta=0.0)


def test_loss_modules_forward_their_options():
    logits = tg.randn(6, 3)
    targets = tg.tensor([0, 1, 2, 2, -100, 1])
    weight = tg.tensor([1.0, 2.0, 0.5])
    module = nn.CrossEntropyLoss(weight=weight, label_smoothing=0.1, reduction="sum")
    assert module(logits, targets).item() == pytest.approx(
        F.cross_entropy(logits, targets, weight=weight, label_smoothing=0.1,
                        reduction="sum").item())
    assert list(module.state_dict()) == ["weight"]
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of"):
        nn.MSELoss(reduction="avg")
    x, y = tg.rand(3, 2), tg.rand(3, 2)
    pairs = [(nn.MSELoss(), F.mse_loss), (nn.L1Loss(), F.l1_loss),
             (nn.HuberLoss(delta=0.5), lambda a, b: F.huber_loss(a, b, delta=0.5)),
             (nn.BCELoss(), F.binary_cross_entropy),
             (nn.BCEWithLogitsLoss(), F.binary_cross_entropy_with_logits)]
    for loss_module, function in pairs:
        assert loss_module(x, y).item() == function(x, y).item()
    log_probs = logits.log_softmax(1)
    assert nn.NLLLoss(ignore_index=2)(log_probs, tg.tensor([0, 1, 2, 2, 0, 1])).item() == \
        F.nll_loss(log_probs, tg.tensor([0, 1, 2, 2, 0, 1]), ignore_index=2).item()
    assert nn.MultiMarginLoss(p=2, margin=0.5)(logits, tg.tensor([0, 1, 2, 2, 0, 1])).item() == \
        F.multi_margin_loss(logits, tg.tensor([0, 1, 2, 2, 0, 1]), p=2, margin=0.5).item()
