"""`tinygrad_edu.nn.functional` (import as F): the stateless forms of the layers, activations
and losses. Modules hold parameters and call these; you can call them directly too.

Activations are composed from Tensor ops where that is cheap and stable; softplus, ELU, the
normal CDF inside GELU, arctan and the step have their own ops in ops/activations.py.
The losses live in nn/loss_functions.py and are re-exported here.
"""

import math

from ..autograd.function import constant
from ..backend import get_backend, xp_of
from ..combine import where
from ..ops.activations import ELU, ArcTan, NormalCdf, Softplus, Step
from ..ops.linalg import Linear as LinearFunction
from ..ops.normalization import BatchNorm, channel_shape
from ..tensor import Tensor, float32
from .conv_functional import conv1d, conv2d, conv_transpose2d, pad
from .loss_functions import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    multi_margin_loss,
    nll_loss,
)
from .pool_functional import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

# ----- layers -------------------------------------------------------------------------------


def linear(input, weight, bias=None):  # noqa: A002  (PyTorch's argument name)
    """y = x W^T + b, for x (..., in_features), W (out_features, in_features), b (out,)."""
    return LinearFunction.apply(input, weight, bias)  # checks the shapes


def dropout(input, p=0.5, training=True):  # noqa: A002
    """Inverted dropout: in training each element is zeroed with probability p and the
    survivors are scaled by 1 / (1 - p), so the expected value is unchanged and evaluation
    needs no rescaling; the identity when not training. The mask comes from the device's
    random generator (seeded by tg.manual_seed)."""
    _check_probability(p, "dropout")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    keep = get_backend(input.device).rng.random(input.shape, dtype=float32) >= p
    mask = keep.astype(input.dtype) * (1 / (1 - p))
    return input * Tensor._make(mask, input.device, False)


def dropout2d(input, p=0.5, training=True):  # noqa: A002
    """Channel dropout for (N, C, H, W) or (C, H, W) input: in training each whole channel
    (feature map) is zeroed with probability p and the survivors scaled by 1 / (1 - p)."""
    _check_probability(p, "dropout2d")
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 3D (unbatched) or 4D (batched) input, got "
                         f"input of shape {input.shape}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    mask_shape = input.shape[:-2] + (1, 1)
    keep = get_backend(input.device).rng.random(mask_shape, dtype=float32) >= p
    mask = keep.astype(input.dtype) * (1 / (1 - p))
    return input * constant(mask, input.device)


def _check_probability(p, name):
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
        raise ValueError(f"{name}: probability p must be a number in [0, 1], got {p!r}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,  # noqa: A002
               momentum=0.1, eps=1e-5):
    """Batch normalization of (N, C), (N, C, L) or (N, C, H, W) input, per channel C:
        y = (x - mean) / sqrt(var + eps) * weight + bias.
    training=True: mean and (biased) var of this batch (the fused BatchNorm op), and when
    running_mean/running_var are given they are updated in place:
        running = (1 - momentum) * running + momentum * batch statistic  (unbiased var).
    training=False: running_mean and running_var are used, so y is an affine map of x."""
    if input.ndim not in (2, 3, 4):
        raise ValueError(f"batch_norm: expected input of shape (N, C), (N, C, L) or "
                         f"(N, C, H, W), got {input.shape}")
    channels = input.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        if value is not None and value.shape != (channels,):
            raise ValueError(f"batch_norm: {name} has shape {value.shape}, but the input of "
                             f"shape {input.shape} has {channels} channels")
    if training:
        if input.numel() // max(channels, 1) <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input of shape {input.shape}")
        return BatchNorm.apply(input, weight, bias, eps,
                               None if running_mean is None else running_mean._data,
                               None if running_var is None else running_var._data, momentum)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are required when "
                         "training=False")
    scale = (running_var + eps) ** -0.5
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    shape = channel_shape(input.shape)
    return input * scale.reshape(shape) + shift.reshape(shape)


# ----- activations --------------------------------------------------------------------------


def relu(input):  # noqa: A002
    """y = max(x, 0)."""
    return input.relu()


def leaky_relu(input, negative_slope=0.01):  # noqa: A002
    """y = x for x > 0, negative_slope * x otherwise: x times a piecewise-constant factor,
    so dy/dx is that factor (negative_slope at 0, as PyTorch)."""
    data = input._data
    factor = xp_of(data).where(data > 0, 1.0, negative_slope).astype(data.dtype)
    return input * Tensor._make(factor, input.device, False)


def prelu(input, weight):  # noqa: A002
    """y = x for x > 0, a * x otherwise, with learned slopes a: one shared (weight of shape
    (1,)) or one per channel on dim 1 (weight of shape (C,))."""
    if weight.numel() != 1:
        if input.ndim < 2 or input.shape[1] != weight.numel():
            raise ValueError(f"prelu: {weight.numel()} slopes need an input with that many "
                             f"channels on dim 1, got input of shape {input.shape}")
        weight = weight.reshape(channel_shape(input.shape))
    return where(input > 0, input, weight * input)


def elu(input, alpha=1.0):  # noqa: A002
    """y = x for x > 0, alpha (exp(x) - 1) otherwise."""
    return ELU.apply(input, alpha)


def sigmoid(input):  # noqa: A002
    """y = 1 / (1 + exp(-x)), stable for any x."""
    return input.sigmoid()


def tanh(input):  # noqa: A002
    return input.tanh()


def softplus(input, beta=1.0, threshold=20.0):  # noqa: A002
    """y = log(1 + exp(beta x)) / beta, linear (y = x) where beta x > threshold."""
    return Softplus.apply(input, beta, threshold)


def gelu(input, approximate="none"):  # noqa: A002
    """y = x Phi(x), Phi the standard normal CDF (exact, with erf); approximate="tanh" uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate == "none":
        return input * NormalCdf.apply(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
        return input * (inner.tanh() + 1) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input):  # noqa: A002
    """y = x sigmoid(x) (also called swish)."""
    return input * input.sigmoid()


def softmax(input, dim):  # noqa: A002
    """y_i = exp(x_i) / sum_j exp(x_j) along dim."""
    return input.softmax(dim)


def log_softmax(input, dim):  # noqa: A002
    """y_i = x_i - log sum_j exp(x_j) along dim."""
    return input.log_softmax(dim)


def arctan(input):  # noqa: A002
    """y = arctan x."""
    return ArcTan.apply(input)


def step(input):  # noqa: A002
    """y = 1 for x >= 0, else 0; its gradient is 0 everywhere."""
    return Step.apply(input)


__all__ = [
    "adaptive_avg_pool2d", "arctan", "avg_pool1d", "avg_pool2d", "batch_norm",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv1d", "conv2d",
    "conv_transpose2d", "cross_entropy", "dropout", "dropout2d", "elu", "gelu", "huber_loss",
    "l1_loss", "leaky_relu", "linear", "log_softmax", "max_pool1d", "max_pool2d", "mse_loss",
    "multi_margin_loss", "nll_loss", "pad", "prelu", "relu", "sigmoid", "silu", "softmax",
    "softplus", "step", "tanh",
]
