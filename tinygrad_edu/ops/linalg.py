"""Linear algebra: the matrix product with batch broadcasting, the fully connected layer
as one fused op with the two products that give its parameter gradients, and Einstein
summation.

`einsum("ij,jk->ik", a, b)` multiplies the operands elementwise along shared letters and sums
over every letter missing from the output. The gradient of operand k is itself an einsum: the
output gradient times every other operand, summed to operand k's letters. Two details make
that formula general: a letter repeated inside one operand (a diagonal, "ii->i") is written
back through an identity matrix, and a letter that only operand k has (summed away, "ij->i")
is spread back with a vector of ones.
"""

from ..autograd.function import Function, constant
from ..backend import xp_of


class Matmul(Function):
    """Y = A @ B over the last two axes (leading axes broadcast);
    dL/dA = dL/dY @ B^T,  dL/dB = A^T @ dL/dY (summed over broadcast batch axes by the engine)."""

    @staticmethod
    def forward(ctx, a, b):
        if a.shape[-1] != b.shape[-2]:
            raise RuntimeError(
                f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                f"({a.shape[-1]} columns on the left vs {b.shape[-2]} rows on the right)"
            )
        ctx.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError:
            raise RuntimeError(f"matmul: the batch dimensions of shapes {a.shape} and {b.shape} "
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
        return RuntimeError(f"linear: input of shape {x.shape} has {x.shape[-1:]} features, but "
                          f"weight of shape {weight.shape} expects {weight.shape[1]}")
    return RuntimeError(f"linear: bias of shape {bias.shape} does not fit the output of shape "
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


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_equation(equation, shapes):
    """(input subscripts, output subscripts, size of each letter) with '...' spelled out."""
    equation = equation.replace(" ", "")
    inputs_part, arrow, output_part = equation.partition("->")
    inputs = inputs_part.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: the equation '{equation}' names {len(inputs)} operands but "
                         f"{len(shapes)} were given")
    unused = [letter for letter in _LETTERS if letter not in equation]
    widest = max((len(shape) - len(subs.replace("...", "")) for subs, shape
                  in zip(inputs, shapes) if "..." in subs), default=0)
    ellipsis = "".join(unused[:widest])
    spelled = []
    for subs, shape in zip(inputs, shapes):
        if "..." in subs:
            count = len(shape) - len(subs.replace("...", ""))
            subs = subs.replace("...", ellipsis[widest - count:])
        if len(subs) != len(shape) or not all(letter in _LETTERS for letter in subs):
            raise ValueError(f"einsum: subscripts '{subs}' do not fit an operand of shape "
                             f"{tuple(shape)} (one letter per dimension)")
        spelled.append(subs)
    if arrow:
        output = output_part.replace("...", ellipsis)
    else:  # implicit output: the ellipsis dims, then the letters used once, in order
        letters = "".join(spelled)
        output = ellipsis + "".join(sorted(letter for letter in set(letters)
                                           if letters.count(letter) == 1
                                           and letter not in ellipsis))
    sizes = {}
    for subs, shape in zip(spelled, shapes):
        for letter, size in zip(subs, shape):
            if sizes.setdefault(letter, size) != size:
                raise ValueError(f"einsum: letter '{letter}' has size {sizes[letter]} in one "
                                 f"operand and {size} in another (shapes "
                                 f"{[tuple(s) for s in shapes]})")
    for letter in output:
        if letter not in sizes:
            raise ValueError(f"einsum: output letter '{letter}' names no input dimension")
    return spelled, output, sizes


class Einsum(Function):
    """y = einsum(equation, x_1, ..., x_n);
    dL/dx_k = einsum(dL/dy and every x_j, j != k -> the letters of x_k)."""

    @staticmethod
    def forward(ctx, equation, *operands):
        inputs, output, sizes = parse_equation(equation, [x.shape for x in operands])
        ctx.inputs_subscripts, ctx.output_subscripts, ctx.sizes = inputs, output, sizes
        ctx.save_for_backward(*operands)
        return xp_of(operands[0]).einsum(f"{','.join(inputs)}->{output}", *operands)

    @staticmethod
    def backward(ctx, grad_output):
        operands = ctx.saved_tensors
        grads = [None]
        for k, needs in enumerate(ctx.needs_input_grad[1:]):
            grads.append(_operand_gradient(ctx, operands, k, grad_output) if needs else None)
        return tuple(grads)


def _operand_gradient(ctx, operands, k, grad_output):
    """The einsum that sends dL/dy back to operand k's letters (see the module docstring)."""
    subs = ctx.inputs_subscripts[k]
    terms = [ctx.output_subscripts]
    factors = [grad_output]
    for j, other in enumerate(operands):
        if j != k:
            terms.append(ctx.inputs_subscripts[j])
            factors.append(other)
    xp = xp_of(grad_output._data)
    dtype = grad_output.dtype
    free = [letter for letter in _LETTERS if letter not in ctx.sizes]
    target = ""
    for position, letter in enumerate(subs):
        if letter in subs[:position]:  # a repeat: its own letter, tied by an identity matrix
            fresh = free.pop(0)
            terms.append(letter + fresh)
            factors.append(constant(xp.eye(ctx.sizes[letter], dtype=dtype), grad_output.device))
            letter = fresh
        target += letter
    present = "".join(terms)
    for letter in dict.fromkeys(subs):
        if letter not in present:  # summed away by this operand alone: spread with ones
            terms.append(letter)
            factors.append(constant(xp.ones(ctx.sizes[letter], dtype=dtype), grad_output.device))
    return Einsum.apply(f"{','.join(terms)}->{target}", *factors)
