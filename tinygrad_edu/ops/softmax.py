"""Softmax and log-softmax along one axis, each with its own fused, stable backward."""

from ..autograd.function import Function
from ..backend import xp_of

SHORT_ROW = 32  # rows of a matrix at most this long are reduced column by column ...
MANY_ROWS = 16  # ... when there are at least this many (below, the copy costs more)


def row_reduce(x, dim, reduction):
    """`reduction` ("max" or "sum") of x along dim, keeping the axis. NumPy reduces each short
    row of a matrix in a loop of its own (for 10 classes, max over 512 rows takes 9 times as
    long as it should), so a matrix of short rows is reduced as a contiguous copy of its
    transpose along axis 0: one vectorized pass per column."""
    rows, length = x.shape if x.ndim == 2 else (0, 0)
    if dim in (1, -1) and 0 < length <= SHORT_ROW and rows >= MANY_ROWS:
        columns = xp_of(x).ascontiguousarray(x.T)
        return getattr(columns, reduction)(axis=0)[:, None]
    return getattr(x, reduction)(axis=dim, keepdims=True)


def _shifted(x, dim):
    """x - max(x) along dim: the same softmax, and exp of it never overflows."""
    if x.shape[dim] == 0:  # nothing along dim (an empty batch): nothing to shift
        return x
    xp = xp_of(x)
    peak = row_reduce(x, dim, "max")
    return x - xp.where(xp.isfinite(peak), peak, 0)


class Softmax(Function):
    """y_i = exp(x_i) / sum_j exp(x_j);  dL/dx = y * (g - sum(g * y))."""

    @staticmethod
    def forward(ctx, x, dim):
        exps = xp_of(x).exp(_shifted(x, dim))
        result = exps / row_reduce(exps, dim, "sum")
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        dim = ctx.dim
        return result * (grad_output - (grad_output * result).sum(dim, keepdim=True)), None


class LogSoftmax(Function):
    """y_i = x_i - log(sum_j exp(x_j));  dL/dx = g - softmax(x) * sum(g)."""

    @staticmethod
    def forward(ctx, x, dim):
        xp = xp_of(x)
        shifted = _shifted(x, dim)
        if x.shape[dim] == 0:  # an empty axis: an empty result (and no log(0) to warn about)
            result = shifted.copy()
        else:
            result = shifted - xp.log(row_reduce(xp.exp(shifted), dim, "sum"))
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        dim = ctx.dim
        return grad_output - result.exp() * grad_output.sum(dim, keepdim=True), None
