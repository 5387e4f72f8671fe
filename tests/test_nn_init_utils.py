"""nn.init (fans, gains, distributions, in-place writes) and nn.utils (clipping, penalties)."""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import init, utils


def test_fans_follow_pytorch():
    assert init._calculate_fan_in_and_fan_out(tg.zeros(3, 5)) == (5, 3)
    assert init._calculate_fan_in_and_fan_out(tg.zeros(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="at least 2 dims"):
        init.xavier_uniform_(tg.zeros(4))


def test_calculate_gain_matches_pytorch():
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None),
                        ("conv2d", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param))
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


def _spread_check(tensor, low=None, high=None, std=None):
    values = tensor.numpy()
    if low is not None:
        assert values.min() >= low and values.max() <= high
        assert values.std() == pytest.approx((high - low) / math.sqrt(12), rel=0.03)
    if std is not None:
        assert abs(values.mean()) < 0.05 * std
        assert values.std() == pytest.approx(std, rel=0.03)


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_initializers_write_in_place_with_the_right_spread(dtype, device):
    tg.manual_seed(0)
    weight = tg.zeros(200, 100, dtype=dtype, device=device, requires_grad=True)
    array = weight._data
    fan_in, fan_out = 100, 200
    bound = math.sqrt(6 / (fan_in + fan_out))
    assert init.xavier_uniform_(weight) is weight
    _spread_check(weight, -bound, bound)
    init.xavier_normal_(weight, gain=2.0)
    _spread_check(weight, std=2 * math.sqrt(2 / (fan_in + fan_out)))
    init.kaiming_uniform_(weight, mode="fan_out", nonlinearity="relu")
    bound = math.sqrt(3) * math.sqrt(2) / math.sqrt(fan_out)
    _spread_check(weight, -bound, bound)
    init.kaiming_normal_(weight, a=0.1)
    _spread_check(weight, std=math.sqrt(2 / (1 + 0.01)) / math.sqrt(fan_in))
    init.normal_(weight, mean=3.0, std=0.5)
    assert weight.numpy().mean() == pytest.approx(3.0, abs=0.01)
    init.uniform_(weight, a=-2.0, b=-1.0)
    _spread_check(weight, -2.0, -1.0)
    assert weight._data is array and weight.dtype == dtype and weight.device == device
    assert weight.is_leaf and weight.grad_fn is None


def test_constant_initializers():
    weight = tg.randn(3, 2)
    assert np.all(init.zeros_(weight).numpy() == 0)
    assert np.all(init.ones_(weight).numpy() == 1)
    assert np.all(init.constant_(weight, 0.5).numpy() == 0.5)
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_normal_(weight, mode="fan_avg")


def test_initialization_follows_manual_seed():
    tg.manual_seed(3)
    first = nn.Linear(4, 3).weight.numpy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(4, 3).weight.numpy(), first)


def _model_with_grads():
    model = nn.Linear(3, 2)
    model.weight.grad = tg.tensor([[3.0, 0.0, -4.0], [0.0, 0.0, 0.0]])
    model.bias.grad = tg.tensor([12.0, 0.0])
    return model


def test_clip_grad_norm_scales_like_pytorch():
    model = _model_with_grads()
    total = utils.clip_grad_norm_(model.parameters(), max_norm=2.6)
    assert total.item() == pytest.approx(13.0)
    scale = 2.6 / (13.0 + 1e-6)
    np.testing.assert_allclose(model.bias.grad.numpy(), [12.0 * scale, 0.0], rtol=1e-6)
    model = _model_with_grads()
    assert utils.clip_grad_norm_(model.parameters(), 100.0).item() == pytest.approx(13.0)
    assert model.bias.grad.tolist() == [12.0, 0.0]  # below max_norm: untouched
    inf_norm = utils.clip_grad_norm_(model.parameters(), 6.0, norm_type=float("inf"))
    assert inf_norm.item() == 12.0
    np.testing.assert_allclose(model.bias.grad.numpy(), [6.0, 0.0], rtol=1e-6)
    assert utils.clip_grad_norm_(model.weight, 1.0, norm_type=1).item() == pytest.approx(3.5)


def test_clip_grad_value_clamps_in_place():
    model = _model_with_grads()
    utils.clip_grad_value_(model.parameters(), 3.5)
    assert model.weight.grad.tolist() == [[3.0, 0.0, -3.5], [0.0, 0.0, 0.0]]
    assert model.bias.grad.tolist() == [3.5, 0.0]


def test_penalties_and_their_gradients():
    weight = tg.tensor([1.0, -2.0], requires_grad=True)
    other = tg.tensor([[3.0]], requires_grad=True)
    l1 = utils.l1_penalty([weight, other])
    l2 = utils.l2_penalty([weight, other])
    assert l1.item() == 6.0 and l2.item() == 7.0  # (1 + 4 + 9) / 2
    (l1 + l2).backward()
    assert weight.grad.tolist() == [2.0, -3.0]  # sign(w) + w
    assert other.grad.tolist() == [[4.0]]
