"""Layer normalization and group normalization as fused ops.

Both standardize groups of values (mean 0, variance 1 within each group) and then scale and
shift: layer norm over the last dims of every sample, group norm over groups of channels.
They share the math of the standardization and its gradient, written once below with Tensor
operations, so the backward pass is itself differentiable (double backprop).
"""

from ..autograd.function import Function
from ..backend import xp_of


def standardize(x, axes, eps):
    """xhat = (x - mean) / sqrt(var + eps) over `axes` (biased var), and r = 1/sqrt(var + eps),
    with Tensor operations."""
    centered = x - x.mean(axes, keepdim=True)
    inv_std = ((centered * centered).mean(axes, keepdim=True) + eps) ** -0.5
    return centered * inv_std, inv_std


def standardize_backward(grad_normalized, normalized, inv_std, axes):
    """dL/dx from dL/dxhat for xhat = standardize(x):
    r * (dL/dxhat - mean(dL/dxhat) - xhat * mean(dL/dxhat * xhat)), means over `axes`."""
    mean_grad = grad_normalized.mean(axes, keepdim=True)
    mean_projection = (grad_normalized * normalized).mean(axes, keepdim=True)
    return inv_std * (grad_normalized - mean_grad - normalized * mean_projection)


def _standardize_array(x, axes, eps):
    """standardize() on a raw array: the forward pass."""
    centered = x - x.mean(axis=axes, keepdims=True)
    variance = (centered * centered).mean(axis=axes, keepdims=True)
    return centered / xp_of(x).sqrt(variance + eps)


def _sum_except(tensor, kept_axes):
    """Sum over every axis not in kept_axes (a tensor with no other axis comes back as is)."""
    axes = tuple(axis for axis in range(tensor.ndim) if axis not in kept_axes)
    return tensor.sum(axes) if axes else tensor


class LayerNorm(Function):
    """y = w (x - mu) / sqrt(var + eps) + b, mu and (biased) var over the last k dims;
    with r = 1/sqrt(var + eps), xhat = (x - mu) r, g = dL/dy, gw = g * w (means over the
    same k dims):
        dL/dx = r (gw - mean(gw) - xhat mean(gw xhat)),
        dL/dw = sum of g xhat over the leading dims,  dL/db = sum of g over the leading dims.
    `weight` and `bias` (of the normalized shape) may be None."""

    @staticmethod
    def forward(ctx, x, weight, bias, normalized_ndim, eps):
        ctx.axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
        ctx.eps = eps
        ctx.save_for_backward(x, weight)
        result = _standardize_array(x, ctx.axes, eps)
        if weight is not None:
            result *= weight
        if bias is not None:
            result += bias
        return result

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        normalized, inv_std = standardize(x, ctx.axes, ctx.eps)
        grad_x = grad_weight = grad_bias = None
        if needs_x:
            scaled = grad_output if weight is None else grad_output * weight
            grad_x = standardize_backward(scaled, normalized, inv_std, ctx.axes)
        if needs_weight:
            grad_weight = _sum_except(grad_output * normalized, ctx.axes)
        if needs_bias:
            grad_bias = _sum_except(grad_output, ctx.axes)
        return grad_x, grad_weight, grad_bias, None, None


def _channel_shape(x_shape):
    """(1, C, 1, ...): a per-channel vector broadcast against x of shape (N, C, *)."""
    return (1, x_shape[1]) + (1,) * (len(x_shape) - 2)


class GroupNorm(Function):
    """y = w_c (x - mu) / sqrt(var + eps) + b_c, mu and var per sample and group of channels:
    x (N, C, *) has its C channels in G groups of C/G, each group's C/G times the spatial size
    values standardized together: xhat = (x - mu) r, r = 1/sqrt(var + eps). With g = dL/dy,
    gw = g * w_c and means over each group:
        dL/dx = r (gw - mean(gw) - xhat mean(gw xhat)),
        dL/dw_c = sum of g xhat over batch and space,  dL/db_c = sum of g likewise."""

    @staticmethod
    def forward(ctx, x, num_groups, weight, bias, eps):
        ctx.num_groups = num_groups
        ctx.eps = eps
        ctx.save_for_backward(x, weight)
        grouped = x.reshape(x.shape[0], num_groups, -1)
        result = _standardize_array(grouped, (2,), eps).reshape(x.shape)
        if weight is not None:
            result *= weight.reshape(_channel_shape(x.shape))
        if bias is not None:
            result += bias.reshape(_channel_shape(x.shape))
        return result

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        needs_x, needs_weight, needs_bias = needs[0], needs[2], needs[3]
        groups = (x.shape[0], ctx.num_groups, -1)
        normalized, inv_std = standardize(x.reshape(*groups), (2,), ctx.eps)
        grad_x = grad_weight = grad_bias = None
        if needs_x:
            scaled = grad_output
            if weight is not None:
                scaled = grad_output * weight.reshape(_channel_shape(x.shape))
            grad_x = standardize_backward(scaled.reshape(*groups), normalized, inv_std, (2,))
            grad_x = grad_x.reshape(x.shape)
        if needs_weight:
            grad_weight = _sum_except(grad_output * normalized.reshape(x.shape), (1,))
        if needs_bias:
            grad_bias = _sum_except(grad_output, (1,))
        return grad_x, None, grad_weight, grad_bias, None
