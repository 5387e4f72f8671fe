"""Elementwise ops: y_i = f(x_i) or y_i = f(a_i, b_i), with NumPy broadcasting.

Binary ops return gradients in the output's (broadcast) shape; the engine sums them down to
each input's shape. Derivatives at kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, clamp
passes the gradient on its boundaries, maximum/minimum split it evenly on ties.
"""

import math

from ..autograd.function import Function
from ..backend import device_of, get_backend, xp_of
from ..tensor import Tensor


def _constant(array, like):
    """A gradient-free Tensor on `like`'s device (masks and other piecewise-constant factors)."""
    return Tensor._make(array, like.device, False)


def _broadcast_error(ctx, *operands):
    """The error for operands whose shapes do not broadcast, naming the op and every shape."""
    shapes = " and ".join(str(getattr(operand, "shape", ())) for operand in operands)
    return ValueError(f"{type(ctx).__name__}: shapes {shapes} cannot be broadcast together "
                      "(aligned from the right, each dim must match or be 1)")


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a + b
        except ValueError:
            raise _broadcast_error(ctx, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, grad_output


class Sub(Function):
    """y = a - b;  dy/da = 1, dy/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a - b
        except ValueError:
            raise _broadcast_error(ctx, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        needs_a, needs_b = ctx.needs_input_grad
        return (grad_output if needs_a else None), (-grad_output if needs_b else None)


class Mul(Function):
    """y = a * b;  dy/da = b, dy/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return a * b
        except ValueError:
            raise _broadcast_error(ctx, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        return (grad_output * b if needs_a else None), (grad_output * a if needs_b else None)


class Div(Function):
    """y = a / b;  dy/da = 1/b, dy/db = -a/b^2."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return a / b
        except ValueError:
            raise _broadcast_error(ctx, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad_output / b if needs_a else None
        grad_b = -(grad_output * a) / (b * b) if needs_b else None
        return grad_a, grad_b


class Pow(Function):
    """y = a^b;  dy/da = b a^(b-1), dy/db = a^b ln(a)."""

    @staticmethod
    def forward(ctx, base, exponent):
        try:
            result = base**exponent
        except ValueError:
            raise _broadcast_error(ctx, base, exponent) from None
        ctx.save_for_backward(base, exponent, result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        base, exponent, result = ctx.saved_tensors
        needs_base, needs_exponent = ctx.needs_input_grad
        grad_base = grad_exponent = None
        if needs_base:
            if isinstance(exponent, int | float) and exponent == 0:
                grad_base = grad_output * 0
            else:
                grad_base = grad_output * exponent * base ** (exponent - 1)
        if needs_exponent:
            log_base = base.log() if isinstance(base, Tensor) else math.log(base)
            grad_exponent = grad_output * result * log_base
        return grad_base, grad_exponent


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output


class Exp(Function):
    """y = e^x;  dy/dx = e^x = y."""

    @staticmethod
    def forward(ctx, x):
        result = xp_of(x).exp(x)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / x


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 1 / (2y)."""

    @staticmethod
    def forward(ctx, x):
        result = xp_of(x).sqrt(x)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output / (result * 2)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).abs(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _constant(xp_of(x.data).sign(x.data), x)


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).sin(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.cos()


class Cos(Function):
    """y = cos x;  dy/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).cos(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -(grad_output * x.sin())


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y^2 (applied by one op, TanhBackward)."""

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

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        e = xp.exp(-xp.abs(x))
        result = xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return SigmoidBackward.apply(grad_output, result)


class SigmoidBackward(Function):
    """z = g y (1 - y): the sigmoid's gradient from its output y, one node instead of three;
    dz/dg = y (1 - y),  dz/dy = g (1 - 2y)."""

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

    @staticmethod
    def forward(ctx, grad_output, x):
        ctx.save_for_backward(x)
        return grad_output * (x > 0)

    @staticmethod
    def backward(ctx, grad_grad):
        (x,) = ctx.saved_tensors
        return ReluBackward.apply(grad_grad, x), None


class Clamp(Function):
    """y = min(max(x, low), high);  dy/dx = 1 where low <= x <= high, else 0."""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        return xp_of(x).clip(x, low, high)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        low, high = ctx.inputs[1], ctx.inputs[2]
        inside = True
        if low is not None:
            inside = x.data >= low
        if high is not None:
            inside = inside & (x.data <= high)
        return grad_output * _constant(inside, x), None, None


class Maximum(Function):
    """y = max(a, b);  the gradient goes to the larger input, half to each on a tie."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return (xp_of(b) if isinstance(a, int | float) else xp_of(a)).maximum(a, b)
        except ValueError:
            raise _broadcast_error(ctx, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = (_raw(value) for value in ctx.saved_tensors)
        return _split_on_ties(grad_output, (a > b) + 0.5 * (a == b), ctx.needs_input_grad)


class Minimum(Function):
    """y = min(a, b);  the gradient goes to the smaller input, half to each on a tie."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return (xp_of(b) if isinstance(a, int | float) else xp_of(a)).minimum(a, b)
        except ValueError:
            raise _broadcast_error(ctx, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = (_raw(value) for value in ctx.saved_tensors)
        return _split_on_ties(grad_output, (a < b) + 0.5 * (a == b), ctx.needs_input_grad)


def _raw(value):
    return value.data if isinstance(value, Tensor) else value


def _split_on_ties(grad_output, share_of_first, needs_input_grad):
    """(g * share, g * (1 - share)): the first input's share is 1, 0, or 1/2 on a tie."""
    share = _constant(xp_of(grad_output.data).asarray(share_of_first, dtype=grad_output.dtype),
                      grad_output)
    needs_first, needs_second = needs_input_grad
    first = grad_output * share if needs_first else None
    second = grad_output * (1 - share) if needs_second else None
    return first, second


class Where(Function):
    """y = a where cond else b;  the gradient goes to a where cond holds, to b elsewhere."""

    @staticmethod
    def forward(ctx, condition, a, b):
        try:
            return xp_of(condition).where(condition, a, b)
        except ValueError:
            raise _broadcast_error(ctx, condition, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        condition = ctx.inputs[0]
        _, needs_a, needs_b = ctx.needs_input_grad
        grad_a = Where.apply(condition, grad_output, 0.0) if needs_a else None
        grad_b = Where.apply(condition, 0.0, grad_output) if needs_b else None
        return None, grad_a, grad_b


class Cast(Function):
    """y = x converted to `dtype`;  dL/dx = dL/dy converted back to x's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.input_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return Cast.apply(grad_output, ctx.input_dtype), None


class ToDevice(Function):
    """y = x copied to `device`;  dL/dx = dL/dy copied back to x's device."""

    @staticmethod
    def forward(ctx, x, device):
        ctx.input_device = device_of(x)
        return get_backend(device).asarray(x)

    @staticmethod
    def backward(ctx, grad_output):
        return ToDevice.apply(grad_output, ctx.input_device), None
