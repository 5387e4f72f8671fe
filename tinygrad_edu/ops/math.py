"""More elementwise math: logarithms in other bases, the accurate log1p/expm1 near 0, and the
piecewise-constant roundings (zero gradient almost everywhere, as in PyTorch)."""

import math

from ..autograd.function import Function
from ..backend import xp_of


class Log2(Function):
    """y = log2 x;  dy/dx = 1 / (x ln 2)."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log2(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (x * math.log(2.0))


class Log10(Function):
    """y = log10 x;  dy/dx = 1 / (x ln 10)."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log10(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (x * math.log(10.0))


class Log1p(Function):
    """y = ln(1 + x), exact for tiny x;  dy/dx = 1 / (1 + x)."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log1p(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (x + 1)


class Expm1(Function):
    """y = e^x - 1, exact for tiny x;  dy/dx = e^x = y + 1."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        result = xp_of(x).expm1(x)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * (result + 1)


class Rounding(Function):
    """y = floor(x), ceil(x), round(x) (half to even) or trunc(x), named by `mode`;
    dy/dx = 0 (the steps are flat; PyTorch's convention at the jumps too)."""

    elementwise = True

    @staticmethod
    def forward(ctx, x, mode):
        return getattr(xp_of(x), mode)(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, None
