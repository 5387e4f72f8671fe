"""Normalization ops: batch normalization in training mode as one fused op."""

from ..autograd.function import Function
from ..backend import xp_of


def batch_axes(ndim):
    """The axes a channel's statistics are taken over: every axis but the channels' (1):
    (N, C) -> (0,), (N, C, L) -> (0, 2), (N, C, H, W) -> (0, 2, 3)."""
    return (0, *range(2, ndim))


def channel_shape(x_shape):
    """A per-channel vector's shape for broadcasting against x: (1, C) or (1, C, 1)."""
    return (1, x_shape[1]) + (1,) * (len(x_shape) - 2)


class BatchNorm(Function):
    """Normalize each channel with the statistics of the batch, then scale and shift:
        mu = mean(x),  var = mean((x - mu)^2) (biased),  sigma = sqrt(var + eps),
        xhat = (x - mu) / sigma,  y = gamma * xhat + beta,
    means and sums taken per channel over the batch (and length) axes, N values each.
    Backward, with g = dL/dy:
        dL/dbeta = sum(g),  dL/dgamma = sum(g * xhat),
        dL/dx = gamma / (N sigma) * (N g - sum(g) - xhat * sum(g * xhat)).
    `weight` (gamma) and `bias` (beta) may be None. When `running_mean` and `running_var`
    arrays are given, the batch statistics are also folded into them in place, as PyTorch's
    kernel does: running = (1 - momentum) * running + momentum * batch, with the unbiased
    variance var * N / (N - 1).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, eps, running_mean, running_var, momentum):
        xp = xp_of(x)
        axes, shape = batch_axes(x.ndim), channel_shape(x.shape)
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axis=axes, keepdims=True)
        scale = 1 / xp.sqrt(var + eps)
        if weight is not None:
            scale = scale * weight.reshape(shape)
        result = centered * scale
        if bias is not None:
            result += bias.reshape(shape)
        if running_mean is not None:
            count = x.size // x.shape[1]
            running_mean *= 1 - momentum
            running_mean += momentum * mean.reshape(-1)
            running_var *= 1 - momentum
            running_var += (momentum * count / (count - 1)) * var.reshape(-1)
        ctx.save_for_backward(x, weight)
        ctx.eps = eps
        return result

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        eps = ctx.eps
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        axes, shape = batch_axes(x.ndim), channel_shape(x.shape)
        count = x.numel() // x.shape[1]
        centered = x - x.mean(axes, keepdim=True)
        inv_std = ((centered * centered).mean(axes, keepdim=True) + eps) ** -0.5
        normalized = centered * inv_std
        sum_g = grad_output.sum(axes, keepdim=True)
        sum_g_normalized = (grad_output * normalized).sum(axes, keepdim=True)
        grad_x = grad_weight = grad_bias = None
        if needs_x:
            factor = inv_std * (1 / count)
            if weight is not None:
                factor = factor * weight.reshape(shape)
            grad_x = factor * (grad_output * count - sum_g - normalized * sum_g_normalized)
        if needs_weight:
            grad_weight = sum_g_normalized.reshape(x.shape[1])
        if needs_bias:
            grad_bias = sum_g.reshape(x.shape[1])
        return grad_x, grad_weight, grad_bias, None, None, None, None
