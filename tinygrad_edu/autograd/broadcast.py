"""Broadcasting and its adjoint, the one place where broadcast gradients are reduced.

If x of shape s is broadcast to shape S (size-1 axes stretched, missing leading axes added),
each element of x is used once per copy, so dL/dx sums dL/d(broadcast x) over the copies:
`sum_to_shape` undoes `broadcast_to`, and each is the other's backward.
"""

from ..backend import xp_of
from .function import Function


def _reduced_axes(shape, target):
    """The axes of `shape` to sum so that the result has shape `target` (None if impossible)."""
    leading = len(shape) - len(target)
    if leading < 0:
        return None
    axes = list(range(leading))
    for axis, (size, wanted) in enumerate(zip(shape[leading:], target, strict=True)):
        if wanted == 1 and size != 1:
            axes.append(leading + axis)
        elif wanted != size:
            return None
    return tuple(axes)


class SumToShape(Function):
    """y = x summed over the broadcast axes down to `shape`;
    dL/dx = broadcast_to(dL/dy, x.shape)."""

    @staticmethod
    def forward(ctx, x, shape, axes):
        ctx.input_shape = x.shape
        return x.sum(axis=axes, keepdims=True).reshape(shape)

    @staticmethod
    def backward(ctx, grad_output):
        return BroadcastTo.apply(grad_output, ctx.input_shape), None, None


class BroadcastTo(Function):
    """y = x broadcast to `shape` (a view, no copy);  dL/dx = dL/dy summed back to x.shape."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return xp_of(x).broadcast_to(x, shape)
        except ValueError:
            raise ValueError(
                f"expand: cannot broadcast a tensor of shape {x.shape} to shape {tuple(shape)} "
                "(each axis must match or be 1, and new axes go in front)"
            ) from None

    @staticmethod
    def backward(ctx, grad_output):
        return sum_to_shape(grad_output, ctx.input_shape, "expand"), None


def sum_to_shape(grad, shape, op_name):
    """Sum a gradient of a broadcast shape down to `shape`; a clear error if it cannot be."""
    if grad.shape == shape:
        return grad
    axes = _reduced_axes(grad.shape, shape)
    if axes is None:
        raise RuntimeError(
            f"{op_name}: backward produced a gradient of shape {grad.shape} for an input of "
            f"shape {shape}, which does not broadcast to it"
        )
    return SumToShape.apply(grad, shape, axes)
