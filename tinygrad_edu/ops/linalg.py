"""Einstein summation: one op for contractions, outer products, traces and transposes.

`einsum("ij,jk->ik", a, b)` multiplies the operands elementwise along shared letters and sums
over every letter missing from the output. The gradient of operand k is itself an einsum: the
output gradient times every other operand, summed to operand k's letters. Two details make
that formula general: a letter repeated inside one operand (a diagonal, "ii->i") is written
back through an identity matrix, and a letter that only operand k has (summed away, "ij->i")
is spread back with a vector of ones.
"""

from ..autograd.function import Function
from ..backend import xp_of
from ..tensor import Tensor

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
            factors.append(_constant(xp.eye(ctx.sizes[letter], dtype=dtype), grad_output))
            letter = fresh
        target += letter
    present = "".join(terms)
    for letter in dict.fromkeys(subs):
        if letter not in present:  # summed away by this operand alone: spread with ones
            terms.append(letter)
            factors.append(_constant(xp.ones(ctx.sizes[letter], dtype=dtype), grad_output))
    return Einsum.apply(f"{','.join(terms)}->{target}", *factors)


def _constant(array, like):
    return Tensor._make(array, like.device, False)
