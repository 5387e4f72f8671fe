"""`tinygrad_edu.nn.functional` (import as F): the stateless forms of the layers, activations,
losses and sequence ops (embedding, normalization, attention). Modules hold parameters and
call these; you can call them directly too.

Activations are composed from Tensor ops where that is cheap and stable; softplus, ELU, the
normal CDF inside GELU, arctan and the step have their own ops in ops/activations.py.
The losses live in nn/loss_functions.py and are re-exported here.
"""

import math

from ..autograd.function import constant
from ..backend import get_backend, to_numpy, xp_of
from ..combine import where
from ..ops.activations import ELU, ArcTan, NormalCdf, Softplus, Step
from ..ops.embedding import Embedding
from ..ops.layer_norm import GroupNorm, LayerNorm
from ..ops.linalg import Linear as LinearFunction
from ..ops.normalization import BatchNorm, channel_shape
from ..tensor import Tensor, float32, int64
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
    return input * constant(mask, input.device)


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
    return input * constant(factor, input.device)


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


# ----- sequence models ----------------------------------------------------------------------


def embedding(input, weight, padding_idx=None):  # noqa: A002  (PyTorch's argument name)
    """y[..., :] = weight[input[...], :] for integer ids `input`; the row padding_idx gets no
    gradient (a negative padding_idx counts from the end, as in PyTorch)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding: input must be a Tensor of token ids, got "
                        f"{type(input).__name__}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    return Embedding.apply(weight, input, _padding_index(padding_idx, weight.shape[0]))


def _padding_index(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError(f"embedding: padding_idx {padding_idx} must be within "
                             f"[-{num_embeddings}, {num_embeddings})")
    return padding_idx % num_embeddings


def one_hot(tensor, num_classes=-1):
    """y[..., k] = 1 if tensor[...] == k else 0, an int64 tensor with a new last dim of
    num_classes (-1: one more than the largest class). No gradient."""
    if tensor.dtype != int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    values = tensor._data
    xp = xp_of(values)
    if num_classes == -1:
        if values.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(to_numpy(values.max())) + 1
    if values.size:
        if int(to_numpy(values.min())) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(to_numpy(values.max())) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    encoded = (values[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return constant(encoded, tensor.device)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var over the last
    len(normalized_shape) dims, which must equal normalized_shape."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(f"layer_norm: given normalized_shape={list(shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, shape))}], but got input of "
                           f"size {list(input.shape)}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and tuple(value.shape) != shape:
            raise RuntimeError(f"layer_norm: expected {name} of shape {list(shape)}, got "
                               f"{list(value.shape)}")
    return LayerNorm.apply(input, weight, bias, len(shape), eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Input (N, C, *): the C channels split into num_groups groups; each sample's group is
    standardized (mean 0, biased var 1), then y = xhat * weight_c + bias_c per channel."""
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(f"group_norm: expected input of shape (N, C, *) with C divisible by "
                           f"num_groups={num_groups}, but got input of shape {input.shape}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and tuple(value.shape) != (input.shape[1],):
            raise RuntimeError(f"group_norm: expected {name} to be a vector of size equal to "
                               f"the number of channels in input, but got {name} of shape "
                               f"{list(value.shape)} and input of shape {list(input.shape)}")
    return GroupNorm.apply(input, num_groups, weight, bias, eps)


def causal_mask(query_length, key_length, device):
    """Boolean (L, S): position i may attend to keys 0..i (the lower triangle, top-left
    aligned, as PyTorch's is_causal)."""
    xp = get_backend(device).xp
    return constant(xp.tri(query_length, key_length, dtype=bool), device)


def attention_weights(query, key, attn_mask=None, is_causal=False, scale=None):
    """softmax(q k^T * scale + mask) over the keys: (..., L, S) weights summing to 1 per query.
    A boolean mask marks the pairs that take part (False: weight 0; a query that may attend
    to no key gets all-zero weights, as PyTorch's SDPA); a float mask is added."""
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        attn_mask = causal_mask(query.shape[-2], key.shape[-2], query.device)
    if scale is None:
        scale = 1 / math.sqrt(query.shape[-1])
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if attn_mask is None:
        return scores.softmax(-1)
    if attn_mask.dtype.kind != "b":
        return (scores + attn_mask).softmax(-1)
    allowed = attn_mask._data
    any_allowed = constant(allowed.any(axis=-1, keepdims=True), attn_mask.device)
    # rows with no allowed key: a finite softmax (no 0/0), then zeroed
    usable = constant(allowed | ~any_allowed._data, attn_mask.device)
    weights = where(usable, scores, -math.inf).softmax(-1)
    return where(any_allowed, weights, 0.0)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None):
    """softmax(q k^T / sqrt(E) + mask) v for query (..., L, E), key (..., S, E), value
    (..., S, Ev). attn_mask: boolean (True: may attend) or float (added to the scores),
    broadcast to (..., L, S); is_causal: query i attends to keys 0..i; dropout_p: dropout on
    the weights (always applied, as PyTorch's functional form); scale replaces 1/sqrt(E)."""
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: query {query.shape}, key {key.shape} "
                           f"and value {value.shape} do not fit: expected (..., L, E), "
                           "(..., S, E) and (..., S, Ev)")
    weights = attention_weights(query, key, attn_mask, is_causal, scale)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True)
    return weights.matmul(value)


__all__ = [
    "adaptive_avg_pool2d", "arctan", "avg_pool1d", "avg_pool2d", "batch_norm",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv1d", "conv2d",
    "conv_transpose2d", "cross_entropy", "dropout", "dropout2d", "elu", "gelu", "huber_loss",
    "l1_loss", "leaky_relu", "linear", "log_softmax", "max_pool1d", "max_pool2d", "mse_loss",
    "multi_margin_loss", "nll_loss", "pad", "prelu", "relu", "sigmoid", "silu", "softmax",
    "softplus", "step", "tanh",
    "embedding", "group_norm", "layer_norm", "one_hot", "scaled_dot_product_attention",
]
