"""Shape and indexing ops: they move elements around, so their gradients move them back.

Broadcasting and its adjoint live here too: if x of shape s is broadcast to shape S (size-1
axes stretched, missing leading axes added), each element of x is used once per copy, so
dL/dx sums dL/d(broadcast x) over the copies. `SumToShape` undoes `BroadcastTo`, and each is
the other's backward; the engine reduces every broadcast gradient with `Tensor.sum_to_size`.
"""

from ..autograd.function import Function
from ..backend import device_of, get_backend, xp_of


def reduced_axes(shape, target):
    """The axes of `shape` to sum so that the result has shape `target` (None if impossible)."""
    leading = len(shape) - len(target)
    if leading < 0:
        return None
    axes = list(range(leading))
    for axis, (size, wanted) in enumerate(zip(shape[leading:], target, strict=True)):
        if wanted == 1 and size != 1:
            axes.append(leading + axis)
        elif wanted != size:
            return None
    return tuple(axes)


class SumToShape(Function):
    """y = x summed over the broadcast axes down to `shape`;
    dL/dx = broadcast_to(dL/dy, x.shape)."""

    @staticmethod
    def forward(ctx, x, shape, axes):
        ctx.input_shape = x.shape
        return x.sum(axis=axes, keepdims=True).reshape(shape)

    @staticmethod
    def backward(ctx, grad_output):
        return BroadcastTo.apply(grad_output, ctx.input_shape), None, None


class BroadcastTo(Function):
    """y = x broadcast to `shape` (a view, no copy);  dL/dx = dL/dy summed back to x.shape."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return xp_of(x).broadcast_to(x, shape)
        except ValueError:
            raise RuntimeError(
                f"expand: cannot broadcast a tensor of shape {x.shape} to shape {tuple(shape)} "
                "(each axis must match or be 1, and new axes go in front)"
            ) from None

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.sum_to_size(ctx.input_shape, op_name="expand"), None


class Reshape(Function):
    """y = x with a new shape (same elements in row-major order);  dL/dx = reshape(dL/dy)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(
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
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad_output):
        dims = ctx.dims
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
        ctx.input_shape, ctx.index = x.shape, index
        try:
            return x[index]
        except IndexError as error:
            raise IndexError(f"getitem: index {_describe(index)} is invalid for a tensor of "
                             f"shape {x.shape}: {error}") from None

    @staticmethod
    def backward(ctx, grad_output):
        return IndexAdd.apply(grad_output, ctx.input_shape, ctx.index), None


class IndexAdd(Function):
    """y = zeros(shape) with y[index] += g (the adjoint of getitem);  dL/dg = (dL/dy)[index]."""

    @staticmethod
    def forward(ctx, grad, shape, index):
        ctx.index = index
        xp = xp_of(grad)
        result = xp.zeros(shape, dtype=grad.dtype)
        if _has_integer_array(index):
            get_backend(device_of(grad)).scatter_add(result, index, grad)
        else:
            result[index] = grad
        return result

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output[ctx.index], None, None


def _describe(index):
    parts = index if isinstance(index, tuple) else (index,)
    return "(" + ", ".join(
        f"array of shape {part.shape}" if getattr(part, "ndim", 0) else repr(part)
        for part in parts) + ")"


class Cat(Function):
    """y = the inputs joined along `dim`;  each dL/dx_k is its slice of dL/dy."""

    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim, ctx.sizes = dim, [array.shape[dim] for array in arrays]
        return xp_of(arrays[0]).concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        dim = ctx.dim
        grads, start = [None], 0  # None: no gradient for dim
        for size in ctx.sizes:
            grads.append(grad_output[(slice(None),) * dim + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class Stack(Function):
    """y = the inputs stacked along a new axis `dim`;  dL/dx_k = dL/dy[..., k, ...]."""

    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim, ctx.count = dim, len(arrays)
        return xp_of(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        index = (slice(None),) * ctx.dim
        return None, *(grad_output[index + (k,)] for k in range(ctx.count))


class IndexPut(Function):
    """y = x with y[index] = v (x[index] = v as an op);
    dL/dx = dL/dy with zeros at the written positions,  dL/dv = (dL/dy)[index]."""

    @staticmethod
    def forward(ctx, x, index, value):
        ctx.index = index
        result = x.copy()
        try:
            result[index] = value
        except (IndexError, ValueError) as error:
            raise type(error)(f"setitem: cannot assign a value of shape "
                              f"{getattr(value, 'shape', ())} at index {_describe(index)} of a "
                              f"tensor of shape {x.shape}: {error}") from None
        return result

    @staticmethod
    def backward(ctx, grad_output):
        needs_x, _, needs_value = ctx.needs_input_grad
        grad_x = IndexPut.apply(grad_output, ctx.index, 0.0) if needs_x else None
        grad_value = grad_output[ctx.index] if needs_value else None
        return grad_x, None, grad_value
