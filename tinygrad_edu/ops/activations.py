"""Activation functions: each is y = f(x) elementwise, with dy/dx written with Tensor ops so
it can be differentiated again. Tanh, sigmoid and ReLU apply their gradient as one fused op
(TanhBackward, ...), one graph node instead of three."""

import math

from ..autograd.function import Function, constant
from ..backend import device_of, get_backend, xp_of
from .elementwise import Where


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y^2 (applied by one op, TanhBackward)."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        result = xp_of(x).tanh(x)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return TanhBackward.apply(grad_output, result)


class TanhBackward(Function):
    """z = g (1 - y^2): tanh's gradient from its output y, one node instead of three;
    dz/dg = 1 - y^2,  dz/dy = -2 g y."""

    elementwise = True

    @staticmethod
    def forward(ctx, grad_output, result):
        ctx.save_for_backward(grad_output, result)
        return grad_output * (1 - result * result)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, result = ctx.saved_tensors
        needs_grad_output, needs_result = ctx.needs_input_grad
        grad_grad_output = grad_grad * (1 - result * result) if needs_grad_output else None
        grad_result = grad_grad * grad_output * result * -2 if needs_result else None
        return grad_grad_output, grad_result


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  dy/dx = y (1 - y).

    Computed from e = exp(-|x|), which never overflows: y = 1/(1+e) for x >= 0, e/(1+e) else.
    """

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        e = xp.exp(-xp.abs(x))
        positive = (x >= 0).astype(x.dtype)  # 1 or 0 picks the branch; faster than where()
        result = ((positive + (1 - positive) * e) / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return SigmoidBackward.apply(grad_output, result)


class SigmoidBackward(Function):
    """z = g y (1 - y): the sigmoid's gradient from its output y, one node instead of three;
    dz/dg = y (1 - y),  dz/dy = g (1 - 2y)."""

    elementwise = True

    @staticmethod
    def forward(ctx, grad_output, result):
        ctx.save_for_backward(grad_output, result)
        return grad_output * (result * (1 - result))

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, result = ctx.saved_tensors
        needs_grad_output, needs_result = ctx.needs_input_grad
        grad_grad_output = grad_grad * (result * (1 - result)) if needs_grad_output else None
        grad_result = grad_grad * grad_output * (1 - 2 * result) if needs_result else None
        return grad_grad_output, grad_result


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0, else 0."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).maximum(x, 0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return ReluBackward.apply(grad_output, x)


class ReluBackward(Function):
    """z = g * (x > 0): relu's gradient, the mask made inside the op (one node, like
    PyTorch's threshold_backward);  dz/dg = (x > 0),  dz/dx = 0 (the mask is piecewise
    constant), so its own backward is the same op again."""

    elementwise = True

    @staticmethod
    def forward(ctx, grad_output, x):
        ctx.save_for_backward(x)
        return grad_output * (x > 0).astype(grad_output.dtype)  # float * float: twice as fast

    @staticmethod
    def backward(ctx, grad_grad):
        (x,) = ctx.saved_tensors
        return ReluBackward.apply(grad_grad, x), None


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold (PyTorch's linear
    tail);  dy/dx = sigmoid(beta x), and 1 on the linear tail.

    Computed as (max(z, 0) + log1p(exp(-|z|))) / beta with z = beta x: exp never overflows.
    """

    elementwise = True

    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = xp_of(x)
        scaled = x * beta
        smooth = (xp.maximum(scaled, 0) + xp.log1p(xp.exp(-xp.abs(scaled)))) / beta
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return xp.where(scaled > threshold, x, smooth)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        linear_tail = constant(x._data * ctx.beta > ctx.threshold, x.device)
        return grad_output * Where.apply(linear_tail, 1.0, (x * ctx.beta).sigmoid()), None, None


class ELU(Function):
    """y = x for x > 0, alpha (exp(x) - 1) otherwise;  dy/dx = 1 for x > 0, else y + alpha
    (= alpha exp(x))."""

    elementwise = True

    @staticmethod
    def forward(ctx, x, alpha):
        xp = xp_of(x)
        result = xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))
        ctx.save_for_backward(x, result)
        ctx.alpha = alpha
        return result

    @staticmethod
    def backward(ctx, grad_output):
        x, result = ctx.saved_tensors
        positive = constant(x._data > 0, x.device)
        return grad_output * Where.apply(positive, 1.0, result + ctx.alpha), None


class NormalCdf(Function):
    """The standard normal CDF, y = Phi(x) = (1 + erf(x / sqrt 2)) / 2;
    dy/dx = phi(x) = exp(-x^2 / 2) / sqrt(2 pi). GELU is x * Phi(x)."""

    elementwise = True

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

    elementwise = True

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

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        return (x >= 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0.0
