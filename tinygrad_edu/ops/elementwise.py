"""Elementwise ops: y_i = f(x_i) or y_i = f(a_i, b_i), with NumPy broadcasting.

Binary ops return gradients in the output's (broadcast) shape; the engine sums them down to
each input's shape. Derivatives at kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, clamp
passes the gradient on its boundaries, maximum/minimum split it evenly on ties.
"""

import math

from ..autograd.function import Function, constant
from ..backend import device_of, get_backend, xp_of


def _broadcast_error(ctx, *operands):
    """The error for operands whose shapes do not broadcast, naming the op and every shape."""
    shapes = " and ".join(str(getattr(operand, "shape", ())) for operand in operands)
    return RuntimeError(f"{type(ctx).__name__}: shapes {shapes} cannot be broadcast together "
                        "(aligned from the right, each dim must match or be 1)")


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1."""

    elementwise = True

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

    elementwise = True

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

    elementwise = True

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

    elementwise = True

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

    elementwise = True

    @staticmethod
    def forward(ctx, base, exponent):
        try:
            result = base**exponent
        except ValueError as error:
            if "negative integer powers" not in str(error):
                raise _broadcast_error(ctx, base, exponent) from None
            result = _integer_power(base, exponent)
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
            grad_exponent = grad_output * _exponent_factor(base, exponent, result)
        return grad_base, grad_exponent


def _integer_power(base, exponent):
    """Integers to integer powers, negative ones included, as C and PyTorch compute them:
    a^-k rounds toward zero (2^-1 = 0, (-1)^-3 = -1); NumPy refuses negative exponents."""
    xp = xp_of(exponent)
    real = xp.power(xp.asarray(base, dtype=xp.float64), exponent)
    return xp.trunc(real).astype(xp.result_type(base, exponent))


def _exponent_factor(base, exponent, result):
    """d(a^b)/db = a^b ln(a), taken as 0 where a = 0 and b >= 0 (PyTorch's convention: 0^b is
    flat in b there, and the product 0 * ln(0) would be NaN)."""
    if isinstance(base, int | float):
        if base == 0:
            return constant(xp_of(result._data).zeros_like(result._data), result.device)
        return result * math.log(base)
    at_zero = constant((base._data == 0) & (getattr(exponent, "_data", exponent) >= 0),
                       base.device)
    safe_base = Where.apply(at_zero, 1.0, base)
    return Where.apply(at_zero, 0.0, result * safe_base.log())


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output


class Exp(Function):
    """y = e^x;  dy/dx = e^x = y."""

    elementwise = True

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

    elementwise = True

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

    elementwise = True

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

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).abs(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * constant(xp_of(x._data).sign(x._data), x.device)


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    elementwise = True

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

    elementwise = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).cos(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -(grad_output * x.sin())


class Clamp(Function):
    """y = min(max(x, low), high);  dy/dx = 1 where low <= x <= high, else 0."""

    elementwise = True

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return xp_of(x).clip(x, low, high)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        inside = True
        if ctx.low is not None:
            inside = x._data >= ctx.low
        if ctx.high is not None:
            inside = inside & (x._data <= ctx.high)
        return grad_output * constant(inside, x.device), None, None


class ClampTensor(Function):
    """y = min(max(x, low), high) with Tensor bounds (either may be None);
    dy/dx = 1 where low <= x <= high;  dy/dlow = 1 where x < low < high;
    dy/dhigh = 1 where x > high, or everywhere high < low (then y = high), as PyTorch."""

    elementwise = True

    @staticmethod
    def forward(ctx, x, low, high):
        xp = xp_of(x)
        result = x if low is None else xp.maximum(x, low)
        result = result if high is None else xp.minimum(result, high)
        to_x = xp.ones(result.shape, dtype=bool)
        to_low = to_high = None
        if low is not None:
            to_x &= x >= low
            to_low = x < low if high is None else (x < low) & (low < high)
        if high is not None:
            to_x &= x <= high
            to_high = x > high if low is None else (x > high) | (high < low)
        ctx.save_for_backward(*(mask for mask in (to_x, to_low, to_high) if mask is not None))
        ctx.has_low, ctx.has_high = low is not None, high is not None
        return result

    @staticmethod
    def backward(ctx, grad_output):
        masks = iter(ctx.saved_tensors)
        grads = [grad_output * next(masks)]
        for present in (ctx.has_low, ctx.has_high):
            grads.append(grad_output * next(masks) if present else None)
        return tuple(grads)


class Maximum(Function):
    """y = max(a, b);  the gradient goes to the larger input, half to each on a tie."""

    elementwise = True

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

    elementwise = True

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
    return getattr(value, "_data", value)


def _split_on_ties(grad_output, share_of_first, needs_input_grad):
    """(g * share, g * (1 - share)): the first input's share is 1, 0, or 1/2 on a tie."""
    share = constant(xp_of(grad_output._data).asarray(share_of_first, dtype=grad_output.dtype),
                     grad_output.device)
    needs_first, needs_second = needs_input_grad
    first = grad_output * share if needs_first else None
    second = grad_output * (1 - share) if needs_second else None
    return first, second


class Where(Function):
    """y = a where cond else b;  the gradient goes to a where cond holds, to b elsewhere."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        try:
            return xp_of(condition).where(condition, a, b)
        except ValueError:
            raise _broadcast_error(ctx, condition, a, b) from None

    @staticmethod
    def backward(ctx, grad_output):
        (condition,) = ctx.saved_tensors
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
