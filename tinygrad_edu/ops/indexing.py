"""Ops that copy elements or accumulate them along an axis: clone and cumulative sums.

gather, index_select, flip, masked_fill, tril/triu and repeat are built from the indexing,
where and broadcast ops instead (their gradients come for free and stay exact).
"""

from ..autograd.function import Function
from ..backend import xp_of


class Clone(Function):
    """y = a copy of x (new memory, same values);  dL/dx = dL/dy."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class Cumsum(Function):
    """y_i = x_1 + ... + x_i along `dim`;  dL/dx_i = sum over j >= i of dL/dy_j
    (a cumulative sum of the reversed gradient, reversed back)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        dtype = x.dtype if x.dtype.kind in "fc" else "int64"  # PyTorch: integer sums in int64
        return xp_of(x).cumsum(x, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad_output):
        reverse = (slice(None),) * ctx.dim + (slice(None, None, -1),)
        return Cumsum.apply(grad_output[reverse], ctx.dim)[reverse], None
