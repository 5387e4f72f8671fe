"""Functions of several tensors: join, split, select and compare them elementwise."""

from .ops.elementwise import Where
from .ops.shape import Cat, Stack
from .tensor import Tensor, _normalize_dim


def _same_shapes_except(tensors, dim, op_name):
    if not tensors:
        raise ValueError(f"{op_name}: expected a non-empty sequence of tensors")
    first = tensors[0].shape
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{op_name}: element {position} is a {type(tensor).__name__}, "
                            "not a Tensor")
        if len(tensor.shape) != len(first) or any(
                a != b for axis, (a, b) in enumerate(zip(tensor.shape, first)) if axis != dim):
            raise RuntimeError(f"{op_name}: tensor {position} has shape {tensor.shape}, which does "
                             f"not match shape {first} outside dim {dim}")


def cat(tensors, dim=0):
    """Join tensors along an existing dim; their other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    dim = _normalize_dim(dim, tensors[0].ndim, "cat")
    _same_shapes_except(tensors, dim, "cat")
    return Cat.apply(dim, *tensors)


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dim."""
    tensors = list(tensors)
    _same_shapes_except(tensors, None, "stack")
    return Stack.apply(_normalize_dim(dim, tensors[0].ndim + 1, "stack"), *tensors)


def split(tensor, split_size_or_sections, dim=0):
    return tensor.split(split_size_or_sections, dim)


def chunk(tensor, chunks, dim=0):
    return tensor.chunk(chunks, dim)


def where(condition, input, other):  # noqa: A002  (PyTorch's argument name)
    """input where condition holds, else other (elementwise, broadcasting)."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where: condition must be a boolean Tensor, got "
                        f"{type(condition).__name__}")
    if condition.dtype.kind != "b":
        raise TypeError(f"where: condition must be boolean, got dtype {condition.dtype}")
    return Where.apply(condition, input, other)


def maximum(input, other):  # noqa: A002
    """Elementwise larger value (the two promoted to a common dtype)."""
    return input.maximum(other)


def minimum(input, other):  # noqa: A002
    """Elementwise smaller value (the two promoted to a common dtype)."""
    return input.minimum(other)


def matmul(input, other):  # noqa: A002
    return input.matmul(other)
