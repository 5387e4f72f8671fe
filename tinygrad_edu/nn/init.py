"""Weight initialization, as torch.nn.init: each function fills `tensor` in place (under
no_grad, on its device, in its dtype, with the device's random generator) and returns it.

For a weight of shape (out, in, *kernel), receptive field = prod(kernel) (1 for Linear):
    fan_in = in * receptive field,  fan_out = out * receptive field.
Xavier/Glorot keeps the variance of activations and gradients balanced for linear/tanh
units; Kaiming/He accounts for the half of the signal a ReLU removes (gain sqrt 2).
"""

import math
import warnings

from .. import backend
from ..autograd.grad_mode import no_grad

GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0),
         "selu": 3.0 / 4}
CONVOLUTIONS = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d")


def calculate_gain(nonlinearity, param=None):
    """The recommended scale of the weights for a nonlinearity: 1 for linear, sigmoid and
    convolutions, 5/3 for tanh, sqrt 2 for relu, sqrt(2 / (1 + slope^2)) for leaky_relu
    (slope = param, default 0.01), 3/4 for selu."""
    if nonlinearity in CONVOLUTIONS:
        return 1.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, int | float):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity in GAINS:
        return GAINS[nonlinearity]
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one "
                     f"of {sorted([*GAINS, 'leaky_relu', *CONVOLUTIONS])}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.ndim < 2:
        raise ValueError(f"init: fan in and fan out need a tensor with at least 2 dims, got "
                         f"shape {tensor.shape}")
    receptive_field = 1
    for size in tensor.shape[2:]:
        receptive_field *= size
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _has_no_elements(tensor):
    """A tensor with a zero-size dim (Linear(0, n)'s weight) has no fan to scale by: the
    Kaiming initializers leave it alone with a warning, as PyTorch's do."""
    if 0 not in tensor.shape:
        return False
    warnings.warn("init: initializing zero-element tensors is a no-op", stacklevel=3)
    return True


def _fan(tensor, mode):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"init: mode must be 'fan_in' or 'fan_out', got {mode!r}")


def _fill(tensor, values):
    """Write `values` (a host or device array, or a number) into tensor's array in place."""
    with no_grad():
        tensor._data[...] = values
    return tensor


def _rng(tensor):
    return backend.get_backend(tensor.device).rng


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with U(a, b)."""
    return _fill(tensor, _rng(tensor).random(tensor.shape, dtype=tensor.dtype) * (b - a) + a)


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with N(mean, std^2)."""
    noise = _rng(tensor).standard_normal(tensor.shape, dtype=tensor.dtype)
    return _fill(tensor, noise * std + mean)


def constant_(tensor, val):
    """Fill with the value val."""
    return _fill(tensor, val)


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def xavier_uniform_(tensor, gain=1.0):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """U(-bound, bound) with bound = sqrt(3) * gain / sqrt(fan) (He et al., 2015); `a` is
    the negative slope of the leaky_relu the gain is computed for."""
    if _has_no_elements(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """N(0, std^2) with std = gain / sqrt(fan)."""
    if _has_no_elements(tensor):
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)))


def layer_default_(weight, bias=None):
    """PyTorch's default init of Linear and Conv layers: weight by kaiming_uniform_ with a =
    sqrt(5), which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias (if not None)
    uniform on that same bound (0 when fan_in is 0)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)
