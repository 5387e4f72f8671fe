"""Reductions over `dims` (a sorted tuple of axes, or None for all), with or without keepdim.

The gradient of a reduction spreads dL/dy back over the reduced axes: first reshaped to the
keepdim shape (size 1 on each reduced axis), then broadcast to the input's shape.
"""

from ..autograd.function import Function, constant
from ..backend import xp_of
from .elementwise import Where


def _keepdim_shape(input_shape, dims):
    """The output shape with keepdim=True: 1 on every reduced axis."""
    if dims is None:
        return (1,) * len(input_shape)
    return tuple(1 if axis in dims else size for axis, size in enumerate(input_shape))


def _spread(grad_output, input_shape, dims):
    """dL/dy of a reduction, broadcast back over the reduced axes to the input's shape."""
    return grad_output.reshape(_keepdim_shape(input_shape, dims)).expand(*input_shape)


class Sum(Function):
    """y = sum of x over dims;  dy/dx_i = 1."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.input_shape, ctx.dims = x.shape, dims
        return x.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad_output):
        return _spread(grad_output, ctx.input_shape, ctx.dims), None, None


class Mean(Function):
    """y = (1/n) sum of x over dims;  dy/dx_i = 1/n."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.input_shape, ctx.dims = x.shape, dims
        return x.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad_output):
        shape, dims = ctx.input_shape, ctx.dims
        count = max(1, _size(shape) // _size(_keepdim_shape(shape, dims)))
        return _spread(grad_output * (1.0 / count), shape, dims), None, None


def _size(shape):
    size = 1
    for extent in shape:
        size *= extent
    return size


class Max(Function):
    """y = max of x over dims;  dy/dx_i = 1/k for the k elements equal to the max, else 0."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        if dims is None and x.size == 0:
            raise RuntimeError(f"max: cannot reduce an empty tensor of shape {x.shape} over all "
                               "dims (name a dim of non-zero size)")
        if x.size == 0 and _reduces_an_empty_dim(x.shape, dims):
            raise IndexError(f"max: expected the reduced dims {dims} to have non-zero size, got "
                             f"shape {x.shape}")
        result = x.max(axis=dims, keepdims=True)
        winners = x == result
        share = winners / winners.sum(axis=dims, keepdims=True)
        ctx.save_for_backward(share.astype(x.dtype, copy=False))
        ctx.input_shape, ctx.dims = x.shape, dims
        return result if keepdim else result.reshape(_reduced_shape(x.shape, dims))

    @staticmethod
    def backward(ctx, grad_output):
        (share,) = ctx.saved_tensors
        return _spread(grad_output, ctx.input_shape, ctx.dims) * share, None, None


def _reduces_an_empty_dim(shape, dims):
    return any(shape[axis] == 0 for axis in (range(len(shape)) if dims is None else dims))


def _reduced_shape(shape, dims):
    if dims is None:
        return ()
    return tuple(size for axis, size in enumerate(shape) if axis not in dims)


class StdFromVariance(Function):
    """s = sqrt(v) for a variance v;  ds/dv = 1 / (2 s), taken as 0 where s = 0 (PyTorch's
    convention for the std of a constant input, whose true derivative is infinite)."""

    @staticmethod
    def forward(ctx, variance):
        result = xp_of(variance).sqrt(variance)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        zero = constant(result._data == 0, result.device)
        safe = Where.apply(zero, 1.0, result)
        return Where.apply(zero, 0.0, grad_output / (safe * 2))


class LogSumExp(Function):
    """y = log(sum exp(x)) over dims, computed as m + log(sum exp(x - m)) with m = max(x),
    so no exp overflows;  dy/dx_i = exp(x_i - y) (the softmax of x)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = xp_of(x)
        if _reduces_an_empty_dim(x.shape, dims):  # a sum of no terms: log(0) = -inf
            result = xp.full(_keepdim_shape(x.shape, dims), -xp.inf, dtype=x.dtype)
        else:
            peak = x.max(axis=dims, keepdims=True)
            peak = xp.where(xp.isfinite(peak), peak, 0)  # all -inf (or inf) rows: no shift
            result = peak + xp.log(xp.exp(x - peak).sum(axis=dims, keepdims=True))
        if not keepdim:
            result = result.reshape(_reduced_shape(x.shape, dims))
        result = result.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, result)
        ctx.dims = dims
        return result

    @staticmethod
    def backward(ctx, grad_output):
        x, result = ctx.saved_tensors
        keep = _keepdim_shape(x.shape, ctx.dims)
        return grad_output.reshape(keep) * (x - result.reshape(keep)).exp(), None, None
