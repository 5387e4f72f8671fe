"""Pooling as functions (re-exported by nn.functional), with PyTorch's options and checks.

max pooling: the ops of ops/pooling.py (argmax indices, then a differentiable select);
average pooling: a convolution of each channel with a kernel of ones, divided by the window
sizes (what `count_include_pad` and `ceil_mode` change is only that divisor);
adaptive average pooling: y = A_h x A_w^T with averaging matrices A (rows of 1 / window size).
1-D pooling is 2-D pooling of inputs of height 1.
"""

from ..autograd.function import constant
from ..backend import xp_of
from ..ops.convolution import Conv2d
from ..ops.pooling import MaxPoolSelect, window_maxima
from .conv_functional import as_tuple


def pool_output_size(size, kernel, stride, pad, dilation, ceil_mode):
    """PyTorch's pooling output length: floor (or ceil) of (size + 2 pad - dilation (k - 1)
    - 1) / stride, plus 1; with ceil_mode the last window must start inside the input or
    its left padding."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    count = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + pad:
        count -= 1
    return count


def _pool_setup(name, input, kernel_size, stride, padding, dilation, ceil_mode, dims):  # noqa: A002
    """Check the options; return (4-D input, unbatched?, kernel, stride, padding pairs
    including ceil_mode's extra room at the end, dilation, output shape), all 2-D."""
    if input.ndim not in (dims + 1, dims + 2) or input.numel() == 0:
        raise RuntimeError(f"{name}: expected a non-empty {dims + 1}D (unbatched) or "
                           f"{dims + 2}D (batched) input, got input of size "
                           f"{list(input.shape)}")
    unbatched = input.ndim == dims + 1
    kernel = as_tuple(kernel_size, dims, name, "kernel_size")
    stride = kernel if stride is None or stride == [] else as_tuple(stride, dims, name, "stride")
    padding = as_tuple(padding, dims, name, "padding")
    dilation = as_tuple(dilation, dims, name, "dilation")
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in stride) or any(
            d <= 0 for d in dilation):
        raise RuntimeError(f"{name}: kernel_size, stride and dilation must be positive, got "
                           f"kernel_size={kernel}, stride={stride}, dilation={dilation}")
    for pad, k, d in zip(padding, kernel, dilation, strict=True):
        if pad < 0 or pad > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"{name}: pad should be at most half of effective kernel size, "
                               f"but got pad={padding}, kernel_size={kernel} and "
                               f"dilation={dilation}")
    sizes = input.shape[-dims:]
    out_shape = tuple(pool_output_size(*args, ceil_mode) for args
                      in zip(sizes, kernel, stride, padding, dilation, strict=True))
    if any(size < 1 for size in out_shape):
        raise RuntimeError(f"{name}: given input size {list(input.shape)}, calculated output "
                           f"size {list(out_shape)}. Output size is too small")
    pairs = tuple((pad, max(pad, (count - 1) * s + d * (k - 1) + 1 - size - pad))
                  for size, k, s, pad, d, count
                  in zip(sizes, kernel, stride, padding, dilation, out_shape, strict=True))
    batched = input.unsqueeze(0) if unbatched else input
    if dims == 1:
        batched = batched.unsqueeze(2)
        kernel, stride, pairs, dilation, out_shape = ((1, *kernel), (1, *stride),
                                                      ((0, 0), *pairs), (1, *dilation),
                                                      (1, *out_shape))
    return batched, unbatched, kernel, stride, pairs, dilation, out_shape


def _finish(result, unbatched, dims):
    if dims == 1:
        result = result.squeeze(2)
    return result.squeeze(0) if unbatched else result


def max_pool(name, input, kernel_size, stride, padding, dilation, ceil_mode,  # noqa: A002
             return_indices, dims):
    x, unbatched, kernel, stride, pairs, dilation, out_shape = _pool_setup(
        name, input, kernel_size, stride, padding, dilation, ceil_mode, dims)
    maxima, indices = window_maxima(x._data, kernel, stride, pairs, dilation, out_shape)
    indices = constant(indices, x.device)
    result = _finish(MaxPoolSelect.apply(x, indices, maxima), unbatched, dims)
    return (result, _finish(indices, unbatched, dims)) if return_indices else result


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """y[n, c, t] = max of each (dilated) window of length kernel_size, windows `stride`
    apart, over the input padded with -inf; indices: where each maximum is (flat in L)."""
    return max_pool("max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode,
                    return_indices, 1)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """y[n, c, p, q] = max of each (dilated) kh x kw window (stride defaults to the kernel);
    the gradient goes to the first maximum of each window. indices: flat in H x W."""
    return max_pool("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode,
                    return_indices, 2)


def _window_counts(xp, size, kernel, stride, pad, count, include_pad):
    """How many elements each window along one axis averages over (PyTorch's rule: padding
    counts when include_pad, the extra room of ceil_mode never does)."""
    start = xp.arange(count) * stride - pad
    end = xp.minimum(start + kernel, size + pad)
    if include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)


def avg_pool(name, input, kernel_size, stride, padding, ceil_mode, count_include_pad,  # noqa: A002
             divisor_override, dims):
    x, unbatched, kernel, stride, pairs, _, out_shape = _pool_setup(
        name, input, kernel_size, stride, padding, 1, ceil_mode, dims)
    xp = xp_of(x._data)
    batch, channels, height, width = x.shape
    ones = constant(xp.ones((1, 1, *kernel), dtype=x.dtype), x.device)
    sums = Conv2d.apply(x.reshape(batch * channels, 1, height, width), ones, None, stride,
                        pairs, (1, 1), 1).reshape(batch, channels, *out_shape)
    if divisor_override:
        return _finish(sums * (1.0 / divisor_override), unbatched, dims)
    rows, columns = (_window_counts(xp, size, k, s, pair[0], count, count_include_pad)
                     for size, k, s, pair, count
                     in zip((height, width), kernel, stride, pairs, out_shape, strict=True))
    inverse = (1.0 / (rows.reshape(-1, 1) * columns)).astype(x.dtype)
    return _finish(sums * constant(inverse, x.device), unbatched, dims)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True):
    """y[n, c, t] = the mean of each window of length kernel_size (zero padding counts in the
    mean when count_include_pad)."""
    return avg_pool("avg_pool1d", input, kernel_size, stride, padding, ceil_mode,
                    count_include_pad, None, 1)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True, divisor_override=None):
    """y[n, c, p, q] = the mean of each kh x kw window (stride defaults to the kernel): the
    window's sum over its size, zero padding included when count_include_pad, or over
    divisor_override when given."""
    return avg_pool("avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                    count_include_pad, divisor_override, 2)


def _averaging_matrix(xp, size, count, dtype):
    """A (count, size): row i averages elements floor(i size / count) .. ceil((i+1) size /
    count) - 1, the windows of PyTorch's adaptive pooling."""
    row = xp.arange(count).reshape(-1, 1)
    start = row * size // count
    end = -(-(row + 1) * size // count)
    column = xp.arange(size)
    inside = (column >= start) & (column < end)
    return (inside / (end - start)).astype(dtype)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    """Average pooling to a fixed output size (oh, ow) (an int for both; None keeps that
    size): y = A_h x A_w^T, window i of an axis of length L covering floor(i L / o) to
    ceil((i + 1) L / o)."""
    if input.ndim not in (3, 4) or input.numel() == 0:
        raise RuntimeError(f"adaptive_avg_pool2d: expected a non-empty 3D or 4D input, got "
                           f"input of size {list(input.shape)}")
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != 2:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must have 2 elements, got "
                           f"{output_size!r}")
    height, width = input.shape[-2:]
    sizes = tuple(size if size is not None else default
                  for size, default in zip(sizes, (height, width), strict=True))
    if any(size <= 0 for size in sizes):
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be positive, got {sizes}")
    xp = xp_of(input._data)
    rows = constant(_averaging_matrix(xp, height, sizes[0], input.dtype), input.device)
    columns = constant(_averaging_matrix(xp, width, sizes[1], input.dtype).T, input.device)
    return rows @ input @ columns


__all__ = ["adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d"]
