"""Activation functions that get their own op: each is y = f(x) elementwise, with dy/dx
written with Tensor ops so it can be differentiated again."""

import math

from ...autograd.function import Function
from ...backend import device_of, get_backend, xp_of
from ...combine import where
from ...tensor import Tensor


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold (PyTorch's linear
    tail);  dy/dx = sigmoid(beta x), and 1 on the linear tail.

    Computed as (max(z, 0) + log1p(exp(-|z|))) / beta with z = beta x: exp never overflows.
    """

    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = xp_of(x)
        scaled = x * beta
        smooth = (xp.maximum(scaled, 0) + xp.log1p(xp.exp(-xp.abs(scaled)))) / beta
        ctx.save_for_backward(x)
        return xp.where(scaled > threshold, x, smooth)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.inputs[1], ctx.inputs[2]
        linear_tail = Tensor._make(x.data * beta > threshold, x.device, False)
        return grad_output * where(linear_tail, 1.0, (x * beta).sigmoid()), None, None


class ELU(Function):
    """y = x for x > 0, alpha (exp(x) - 1) otherwise;  dy/dx = 1 for x > 0, else y + alpha
    (= alpha exp(x))."""

    @staticmethod
    def forward(ctx, x, alpha):
        xp = xp_of(x)
        result = xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        x, result = ctx.saved_tensors
        positive = Tensor._make(x.data > 0, x.device, False)
        return grad_output * where(positive, 1.0, result + ctx.inputs[1]), None


class NormalCdf(Function):
    """The standard normal CDF, y = Phi(x) = (1 + erf(x / sqrt 2)) / 2;
    dy/dx = phi(x) = exp(-x^2 / 2) / sqrt(2 pi). GELU is x * Phi(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        erf = get_backend(device_of(x)).erf(x * (1 / math.sqrt(2)))
        return (erf + 1) * 0.5

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        density = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        return grad_output * density


class ArcTan(Function):
    """y = arctan x;  dy/dx = 1 / (1 + x^2). A sigmoid-shaped squashing to (-pi/2, pi/2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).arctan(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (x * x + 1)


class Step(Function):
    """The binary (Heaviside) step: y = 1 for x >= 0, else 0;  dy/dx = 0 everywhere (the
    jump at 0 has no derivative). Gradient descent therefore cannot train through it: it is
    the perceptron's activation, shown for contrast with the smooth ones."""

    @staticmethod
    def forward(ctx, x):
        return (x >= 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0.0
