"""Linear algebra: the matrix product with batch broadcasting, and the fully connected layer
as one fused op with the two products that give its parameter gradients."""

from ..autograd.function import Function
from ..backend import xp_of


class Matmul(Function):
    """Y = A @ B over the last two axes (leading axes broadcast);
    dL/dA = dL/dY @ B^T,  dL/dB = A^T @ dL/dY (summed over broadcast batch axes by the engine)."""

    @staticmethod
    def forward(ctx, a, b):
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                f"({a.shape[-1]} columns on the left vs {b.shape[-2]} rows on the right)"
            )
        ctx.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError:
            raise ValueError(f"matmul: the batch dimensions of shapes {a.shape} and {b.shape} "
                             "do not broadcast") from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = Matmul.apply(grad_output, b.mT) if needs_a else None
        grad_b = Matmul.apply(a.mT, grad_output) if needs_b else None
        return grad_a, grad_b

class Linear(Function):
    """y = x W^T + b  for x (..., in), W (out, in), b (out,);
    dL/dx = g W,   dL/dW = g^T x,   dL/db = sum of g,  summed over every leading axis of x.

    One node instead of transpose + matmul + add: fewer graph nodes per layer, and dL/dW comes
    out as a contiguous (out, in) array rather than a transposed view, which keeps the
    optimizer's in-place updates on contiguous memory.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        try:
            output = x @ weight.T
            if bias is not None:
                output += bias
        except ValueError:
            raise _shape_error(x, weight, bias) from None
        return output

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad
        grad_x = grad_output.matmul(weight) if needs_x else None
        grad_weight = LinearWeightGrad.apply(grad_output, x) if needs_weight else None
        grad_bias = LinearBiasGrad.apply(grad_output) if needs_bias else None
        return grad_x, grad_weight, grad_bias


def _shape_error(x, weight, bias):
    """The error for a linear layer whose input, weight and bias do not fit together."""
    if x.shape[-1:] != weight.shape[1:]:
        return ValueError(f"linear: input of shape {x.shape} has {x.shape[-1:]} features, but "
                          f"weight of shape {weight.shape} expects {weight.shape[1]}")
    return ValueError(f"linear: bias of shape {bias.shape} does not fit the output of shape "
                      f"{x.shape[:-1] + weight.shape[:1]}")


class LinearWeightGrad(Function):
    """G = g^T x  for g (..., out) and x (..., in), every leading axis summed over: the
    weight gradient of Linear, one node that yields a contiguous (out, in) array.
    Backward, with H = dL/dG (out, in):  dL/dg = x H^T  (a Linear without bias),  dL/dx = g H.
    """

    @staticmethod
    def forward(ctx, grad_output, x):
        ctx.save_for_backward(grad_output, x)
        if x.ndim != 2:  # fold every leading axis into one batch axis
            grad_output = grad_output.reshape(-1, grad_output.shape[-1])
            x = x.reshape(-1, x.shape[-1])
        return grad_output.T @ x

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        needs_grad_output, needs_x = ctx.needs_input_grad
        grad_grad_output = Linear.apply(x, grad_grad, None) if needs_grad_output else None
        grad_x = grad_output.matmul(grad_grad) if needs_x else None
        return grad_grad_output, grad_x


class LinearBiasGrad(Function):
    """b = 1^T g  for g (..., out): the bias gradient of Linear, g summed over every leading
    axis, as one matrix-vector product with a vector of ones (a BLAS call, about twice as fast
    as NumPy's reduction over the batch axis);  dL/dg = dL/db broadcast back to g's shape."""

    @staticmethod
    def forward(ctx, grad_output):
        ctx.input_shape = grad_output.shape
        rows = grad_output.reshape(-1, grad_output.shape[-1])
        return xp_of(rows).ones(rows.shape[0], rows.dtype) @ rows

    @staticmethod
    def backward(ctx, grad_grad):
        return grad_grad.expand(ctx.input_shape)
