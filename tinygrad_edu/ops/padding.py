"""Constant padding, the one shape op whose adjoint is itself with the amounts negated."""

from ..autograd.function import Function
from ..backend import xp_of


class Pad(Function):
    """y = x with widths[axis] = (before, after) elements of `value` added on each side of each
    axis (negative amounts crop);  dL/dx = Pad(dL/dy, -widths, 0): the padding cut off again."""

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.widths = widths
        crop = tuple(slice(max(-before, 0), size - max(-after, 0))
                     for size, (before, after) in zip(x.shape, widths, strict=True))
        grow = tuple((max(before, 0), max(after, 0)) for before, after in widths)
        return xp_of(x).pad(x[crop], grow, constant_values=value)

    @staticmethod
    def backward(ctx, grad_output):
        negated = tuple((-before, -after) for before, after in ctx.widths)
        return Pad.apply(grad_output, negated, 0.0), None, None
