"""Activation modules: stability at extreme inputs, the step's zero gradient, PReLU's slopes,
and the module forms agreeing with nn.functional."""

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

EXTREMES = [-1000.0, -100.0, -20.0, 0.0, 20.0, 100.0, 1000.0]


@pytest.mark.parametrize("function", [F.sigmoid, F.softplus, F.silu, F.elu, F.gelu, F.tanh,
                                      lambda x: F.gelu(x, approximate="tanh")])
@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_extreme_inputs_give_finite_values_and_gradients(function, dtype, device):
    x = tg.tensor(EXTREMES, dtype=dtype, device=device, requires_grad=True)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # fail on inf/nan steps
        output = function(x)
        output.sum().backward()
    assert output.dtype == dtype and x.grad.dtype == dtype
    assert np.all(np.isfinite(output.numpy())) and np.all(np.isfinite(x.grad.numpy()))


def test_softplus_is_linear_above_the_threshold_and_exact_below():
    x = tg.tensor([-1000.0, -2.0, 0.0, 2.0, 1000.0], dtype=tg.float64)
    np.testing.assert_allclose(F.softplus(x).numpy(),
                               [0.0, np.log1p(np.exp(-2.0)), np.log(2.0), 2 + np.log1p(np.exp(-2)),
                                1000.0], rtol=1e-12)
    assert F.softplus(tg.tensor([15.0]), beta=2.0, threshold=20.0).item() == 15.0


def test_step_outputs_zero_or_one_and_has_zero_gradient():
    x = tg.tensor([-2.0, -0.0, 0.0, 3.0], requires_grad=True)
    output = nn.Step()(x)
    assert output.tolist() == [0.0, 1.0, 1.0, 1.0]
    (output * tg.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_prelu_slopes_per_channel_and_shared():
    x = tg.tensor([[[-1.0, 2.0]], [[-3.0, 4.0]]])
    shared = nn.PReLU()
    assert shared.weight.tolist() == [0.25]
    np.testing.assert_allclose(shared(x).numpy(), [[[-0.25, 2.0]], [[-0.75, 4.0]]])
    per_channel = nn.PReLU(num_parameters=3, init=0.1)
    y = tg.tensor([[-1.0, -2.0, 3.0]], requires_grad=True)
    output = per_channel(y)
    np.testing.assert_allclose(output.numpy(), [[-0.1, -0.2, 3.0]], rtol=1e-6)
    output.sum().backward()
    np.testing.assert_allclose(per_channel.weight.grad.numpy(), [-1.0, -2.0, 0.0])
    with pytest.raises(ValueError, match="prelu: 3 slopes"):
        per_channel(tg.randn(2, 4))


MODULES = [
    (nn.ReLU(), F.relu), (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)), (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh),
    (nn.Softplus(beta=2.0), lambda x: F.softplus(x, beta=2.0)), (nn.GELU(), F.gelu),
    (nn.GELU("tanh"), lambda x: F.gelu(x, "tanh")), (nn.SiLU(), F.silu),
    (nn.Softmax(dim=1), lambda x: F.softmax(x, 1)),
    (nn.LogSoftmax(1), lambda x: F.log_softmax(x, 1)),
    (nn.ArcTan(), F.arctan), (nn.Step(), F.step),
]


@pytest.mark.parametrize("module, function", MODULES, ids=lambda m: type(m).__name__)
def test_modules_match_functional_forms(module, function):
    x = tg.randn(3, 4)
    np.testing.assert_array_equal(module(x).numpy(), function(x).numpy())


def test_activation_reprs_and_arguments():
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(tg.randn(2), approximate="erf")
