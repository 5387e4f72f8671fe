"""Matrix product with batch broadcasting."""

from ..autograd.function import Function


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
