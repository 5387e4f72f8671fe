"""The fully connected layer as one fused op."""

from ...autograd.function import Function


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
        output = x @ weight.T
        if bias is not None:
            output += bias
        return output

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad
        grad_x = grad_output.matmul(weight) if needs_x else None
        if grad_output.ndim != 2:  # fold every leading axis into the batch
            grad_output = grad_output.reshape(-1, weight.shape[0])
            x = x.reshape(-1, weight.shape[1])
        grad_weight = grad_output.mT.matmul(x) if needs_weight else None
        grad_bias = grad_output.sum(0) if needs_bias else None
        return grad_x, grad_weight, grad_bias
