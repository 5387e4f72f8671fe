"""Shape and indexing ops: they move elements around, so their gradients move them back."""

from ..autograd.function import Function
from ..backend import device_of, get_backend, xp_of


class Reshape(Function):
    """y = x with a new shape (same elements in row-major order);  dL/dx = reshape(dL/dy)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot view a tensor of shape {x.shape} ({x.size} elements) as "
                f"shape {tuple(shape)}"
            ) from None

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.input_shape), None


class Permute(Function):
    """y = x with its axes reordered by `dims`;  dL/dx = dL/dy with the inverse order."""

    @staticmethod
    def forward(ctx, x, dims):
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad_output):
        dims = ctx.inputs[1]
        inverse = [0] * len(dims)
        for position, axis in enumerate(dims):
            inverse[axis] = position
        return grad_output.permute(*inverse), None


def _has_integer_array(index):
    """Integer-array indices can repeat an element, so their gradient must add, not assign."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(getattr(part, "dtype", None) is not None and part.dtype.kind in "iu"
               and getattr(part, "ndim", 0) > 0 for part in parts)


class Getitem(Function):
    """y = x[index] (ints, slices, None, Ellipsis, integer arrays, boolean masks);
    dL/dx = zeros with dL/dy added at the indexed positions (repeated indices add up)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.input_shape = x.shape
        try:
            return x[index]
        except IndexError as error:
            raise IndexError(f"getitem: index {_describe(index)} is invalid for a tensor of "
                             f"shape {x.shape}: {error}") from None

    @staticmethod
    def backward(ctx, grad_output):
        return IndexAdd.apply(grad_output, ctx.input_shape, ctx.inputs[1]), None


class IndexAdd(Function):
    """y = zeros(shape) with y[index] += g (the adjoint of getitem);  dL/dg = (dL/dy)[index]."""

    @staticmethod
    def forward(ctx, grad, shape, index):
        xp = xp_of(grad)
        result = xp.zeros(shape, dtype=grad.dtype)
        if _has_integer_array(index):
            get_backend(device_of(grad)).scatter_add(result, index, grad)
        else:
            result[index] = grad
        return result

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output[ctx.inputs[2]], None, None


def _describe(index):
    parts = index if isinstance(index, tuple) else (index,)
    return "(" + ", ".join(
        f"array of shape {part.shape}" if getattr(part, "ndim", 0) else repr(part)
        for part in parts) + ")"


class Cat(Function):
    """y = the inputs joined along `dim`;  each dL/dx_k is its slice of dL/dy."""

    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.sizes = [array.shape[dim] for array in arrays]
        return xp_of(arrays[0]).concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        dim = ctx.inputs[0]
        grads, start = [None], 0  # None: no gradient for dim
        for size in ctx.sizes:
            grads.append(grad_output[(slice(None),) * dim + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class Stack(Function):
    """y = the inputs stacked along a new axis `dim`;  dL/dx_k = dL/dy[..., k, ...]."""

    @staticmethod
    def forward(ctx, dim, *arrays):
        return xp_of(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        dim = ctx.inputs[0]
        index = (slice(None),) * dim
        return None, *(grad_output[index + (k,)] for k in range(len(ctx.inputs) - 1))
