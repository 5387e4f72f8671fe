"""The identity op that lets `nn.Module.register_full_backward_hook` see gradients."""

from ..autograd.function import Function


class BackwardHookIdentity(Function):
    """y = x;  dL/dx = dL/dy, passed to `on_gradient(position, dL/dy)` on the way, which may
    return a Tensor to use instead (a module's backward hook replacing grad_input)."""

    @staticmethod
    def forward(ctx, x, on_gradient, position):
        ctx.on_gradient = on_gradient
        ctx.position = position
        return x

    @staticmethod
    def backward(ctx, grad_output):
        replacement = ctx.on_gradient(ctx.position, grad_output)
        return (grad_output if replacement is None else replacement), None, None
