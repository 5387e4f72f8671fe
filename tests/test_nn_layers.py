"""Linear, Dropout and BatchNorm1d: initialization, train/eval behaviour, running statistics,
and the fused batch-norm op against its composed definition."""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

# ----- Linear --------------------------------------------------------------------------------


def test_linear_shapes_dtype_and_pytorch_init_bounds():
    tg.manual_seed(0)
    layer = nn.Linear(400, 300)
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)
    assert layer.weight.dtype == tg.float32 and layer.bias.dtype == tg.float32
    bound = 1 / math.sqrt(400)
    weight = layer.weight.numpy()
    assert np.abs(weight).max() <= bound and np.abs(layer.bias.numpy()).max() <= bound
    # uniform on [-b, b]: mean 0, variance b^2 / 3 (120,000 draws: tight estimates)
    assert abs(weight.mean()) < 0.01 * bound
    assert weight.var() == pytest.approx(bound**2 / 3, rel=0.02)
    assert nn.Linear(3, 2, bias=False).bias is None


def test_linear_computes_x_wt_plus_b_on_any_leading_shape(device):
    layer = nn.Linear(4, 3).to(device)
    x = tg.randn(2, 5, 4, device=device)
    expected = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(RuntimeError, match="linear: input of shape \\(2, 3\\)"):
        layer(tg.randn(2, 3, device=device))


# ----- Dropout -------------------------------------------------------------------------------


def test_dropout_drops_a_binomial_fraction_and_scales_survivors_exactly(device):
    tg.manual_seed(1)
    p, count = 0.3, 100_000
    x = tg.rand(count, device=device) + 0.5  # never 0, so a zero output means dropped
    output = nn.Dropout(p)(x).numpy()
    dropped = output == 0
    tolerance = 5 * math.sqrt(p * (1 - p) / count)  # five binomial standard deviations
    assert abs(dropped.mean() - p) < tolerance
    survivors = ~dropped
    expected = x.numpy()[survivors] * np.float32(1 / (1 - p))
    np.testing.assert_array_equal(output[survivors], expected)


def test_dropout_gradient_uses_the_same_mask(device):
    x = tg.randn(50, device=device, requires_grad=True)
    output = F.dropout(x, p=0.5, training=True)
    output.sum().backward()
    kept = output.numpy() != 0
    np.testing.assert_array_equal(x.grad.numpy(), np.where(kept, 2.0, 0.0))


def test_dropout_is_the_identity_in_eval_and_at_p_zero():
    x = tg.randn(10)
    layer = nn.Dropout(0.9).eval()
    assert layer(x) is x
    assert F.dropout(x, p=0.0) is x
    assert np.all(F.dropout(x, p=1.0).numpy() == 0)


@pytest.mark.parametrize("p", [-0.1, 1.5, "half"])
def test_dropout_rejects_probabilities_outside_unit_interval(p):
    with pytest.raises(ValueError, match="p must be a number in \\[0, 1\\]"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout"):
        F.dropout(tg.randn(3), p=p)


# ----- BatchNorm1d ---------------------------------------------------------------------------


def test_batchnorm_training_normalizes_with_batch_statistics(device):
    layer = nn.BatchNorm1d(3).to(device)
    x = tg.randn(8, 3, device=device) * 5 + 2
    output = layer(x).numpy()
    np.testing.assert_allclose(output.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(output.var(0), 1, rtol=1e-3)


def test_batchnorm_running_statistics_by_hand():
    layer = nn.BatchNorm1d(2, momentum=0.25)
    batches = [np.array([[1.0, 4.0], [3.0, 0.0], [5.0, 2.0]], dtype=np.float32),
               np.array([[0.0, 1.0], [2.0, 3.0], [1.0, 2.0]], dtype=np.float32)]
    mean, var = np.zeros(2), np.ones(2)
    for batch in batches:
        layer(tg.tensor(batch))
        mean = 0.75 * mean + 0.25 * batch.mean(0)
        var = 0.75 * var + 0.25 * batch.var(0, ddof=1)  # the unbiased variance
    np.testing.assert_allclose(layer.running_mean.numpy(), mean, rtol=1e-6)
    np.testing.assert_allclose(layer.running_var.numpy(), var, rtol=1e-6)
    assert int(layer.num_batches_tracked.item()) == 2


def test_batchnorm_momentum_none_is_the_cumulative_average():
    layer = nn.BatchNorm1d(1, momentum=None)
    batches = [np.array([[1.0], [3.0]]), np.array([[10.0], [20.0]]), np.array([[0.0], [4.0]])]
    for batch in batches:
        layer(tg.tensor(batch, dtype=tg.float32))
    np.testing.assert_allclose(layer.running_mean.numpy(), [np.mean([2.0, 15.0, 2.0])],
                               rtol=1e-6)
    np.testing.assert_allclose(layer.running_var.numpy(), [np.mean([2.0, 50.0, 8.0])],
                               rtol=1e-6)


def test_batchnorm_eval_uses_running_statistics_and_leaves_them(device):
    layer = nn.BatchNorm1d(2).to(device)
    layer.running_mean.data = tg.tensor([1.0, -1.0], device=device).data
    layer.running_var.data = tg.tensor([4.0, 0.25], device=device).data
    layer.weight.data = tg.tensor([2.0, 1.0], device=device).data
    layer.bias.data = tg.tensor([0.5, 0.0], device=device).data
    layer.eval()
    x = tg.tensor([[3.0, 0.0], [1.0, -1.5]], device=device)
    expected = (x.numpy() - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) * [2, 1] + [0.5, 0]
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5)
    assert layer.running_mean.tolist() == [1.0, -1.0]
    assert int(layer.num_batches_tracked.item()) == 0


def test_batchnorm_three_dim_input_uses_batch_and_length():
    layer = nn.BatchNorm1d(2)
    x = tg.randn(4, 2, 5)
    output = layer(x).numpy()
    np.testing.assert_allclose(output.mean(axis=(0, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(layer.running_mean.numpy(), 0.1 * x.numpy().mean(axis=(0, 2)),
                               rtol=1e-5)


def test_batchnorm_affine_false_and_no_running_stats():
    plain = nn.BatchNorm1d(3, affine=False)
    assert list(plain.parameters()) == [] and plain.weight is None
    assert "running_mean" in plain.state_dict()
    stateless = nn.BatchNorm1d(3, track_running_stats=False).eval()
    assert list(stateless.state_dict()) == ["weight", "bias"]
    x = tg.randn(6, 3) * 3
    np.testing.assert_allclose(stateless(x).numpy().mean(0), 0, atol=1e-5)  # batch stats


def test_batchnorm_errors():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(tg.randn(1, 3))
    layer.eval()
    assert layer(tg.randn(1, 3)).shape == (1, 3)  # fine with running statistics
    with pytest.raises(ValueError, match="BatchNorm1d: expected input of shape \\(N, 3\\)"):
        layer(tg.randn(4, 2))
    with pytest.raises(ValueError, match="running_mean and running_var are required"):
        F.batch_norm(tg.randn(4, 3), None, None)


def composed_batch_norm(x, weight, bias, eps=1e-5):
    """The definition written with mean/var/sqrt ops, to check the fused op against."""
    mean = x.mean(0, keepdim=True)
    var = ((x - mean) * (x - mean)).mean(0, keepdim=True)
    return (x - mean) / (var + eps).sqrt() * weight + bias


def test_fused_batchnorm_matches_the_composed_definition_and_its_gradients(device):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((16, 5)) * 3 + 1, rng.standard_normal(5), rng.standard_normal(5)]
    upstream = tg.tensor(rng.standard_normal((16, 5)), device=device)
    results = []
    for function in (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     composed_batch_norm):
        inputs = [tg.tensor(a, device=device, requires_grad=True) for a in arrays]
        output = function(*inputs)
        grads = tg.grad([output], inputs, grad_outputs=[upstream], create_graph=True)
        second = tg.grad([(grads[0] * grads[0]).sum()], inputs[:2])  # second derivatives
        results.append([output.numpy(), *(g.numpy() for g in grads), *(g.numpy() for g in second)])
    for fused, composed in zip(*results, strict=True):
        np.testing.assert_allclose(fused, composed, rtol=1e-9, atol=1e-10)


def test_batchnorm_keeps_float32():
    layer = nn.BatchNorm1d(4)
    x = tg.randn(8, 4, requires_grad=True)
    output = layer(x)
    output.sum().backward()
    assert output.dtype == tg.float32 and x.grad.dtype == tg.float32
    assert layer.running_var.dtype == tg.float32
