"""Max pooling as "find each window's argmax, then select it", and the select's adjoint.

Average pooling needs no op of its own: it is a convolution with a kernel of ones divided by
the window sizes, and adaptive average pooling is two products with averaging matrices (see
nn/pool_functional.py). Max pooling is not linear, so it is split in two:
  window_maxima     finds, per window, its maximum and where it sits in the unpadded input,
                    as the flat index row * W + column (PyTorch's `return_indices`
                    convention; the first maximum wins ties, as in PyTorch). Arrays only.
  MaxPoolSelect     y = x at those indices (a gather): linear in x, so its gradient is
  MaxUnpool         the scatter-add of g back to the indices (max_unpool2d), whose gradient is
                    the gather again. The pair is closed, so double backward works.
"""

from ..autograd.function import Function
from ..backend import device_of, get_backend, xp_of


def window_maxima(x, kernel_size, stride, padding, dilation, out_shape):
    """(maxima, indices), both (N, C, Ho, Wo): every window's maximum and its flat index into
    its H x W plane of x.

    The (i, j) elements of all windows form one strided view per kernel offset; the maximum
    is their elementwise maximum, and the offset of the first view that equals it is the
    argmax (the first maximum wins ties, as in PyTorch). `padding` is ((top, bottom), (left,
    right)); padded positions hold -inf, so they never win (PyTorch's limit pad <= kernel / 2
    leaves a real value in every window)."""
    xp = xp_of(x)
    (top, bottom), (left, right) = padding
    width = x.shape[3]
    if top or bottom or left or right:
        x = xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=-xp.inf)
    (kh, kw), (out_h, out_w) = kernel_size, out_shape
    views = []
    for i in range(kh):
        rows = slice(i * dilation[0], i * dilation[0] + stride[0] * (out_h - 1) + 1, stride[0])
        for j in range(kw):
            start = j * dilation[1]
            views.append(x[:, :, rows, start:start + stride[1] * (out_w - 1) + 1:stride[1]])
    best = views[0].copy()  # a new array: the result must not share memory with x
    for view in views[1:]:
        xp.maximum(best, view, out=best)
    offset = xp.zeros(best.shape, dtype=xp.int32)  # which view holds the first maximum
    missing = views[0] != best  # not found yet (arithmetic: masked writes are slower)
    for position in range(1, len(views)):
        found = views[position] == best
        found &= missing
        offset += found * xp.int32(position)
        missing ^= found
    # window (p, q) starts at row p stride - top, column q stride - left; offset k moves it
    # by (k // kw) dilation rows and (k % kw) dilation columns
    shifts = xp.arange(kh * kw)
    shifts = shifts // kw * dilation[0] * width + shifts % kw * dilation[1]
    starts = ((xp.arange(out_h).reshape(-1, 1) * stride[0] - top) * width
              + xp.arange(out_w) * stride[1] - left)
    index = xp.take(shifts, offset)
    index += starts
    return best, index


class MaxPoolSelect(Function):
    """y[n, c, p, q] = x[n, c].flat[indices[n, c, p, q]] (each window's maximum, given where it
    is);  dL/dx = MaxUnpool(dL/dy, indices): g added back at the indices. `maxima`, when not
    None, is that result already computed (by window_maxima), a constant."""

    @staticmethod
    def forward(ctx, x, indices, maxima):
        ctx.input_shape = x.shape
        ctx.save_for_backward(indices)
        if maxima is not None:
            return maxima
        batch, channels = x.shape[:2]
        planes = x.reshape(batch, channels, -1)
        flat = indices.reshape(batch, channels, -1)
        return xp_of(x).take_along_axis(planes, flat, axis=2).reshape(indices.shape)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return MaxUnpool.apply(grad_output, indices, ctx.input_shape), None, None


class MaxUnpool(Function):
    """x = zeros(output_shape) with x[n, c].flat[indices[n, c, p, q]] += g[n, c, p, q] (repeated
    indices add up: overlapping windows can share a maximum);
    dL/dg = MaxPoolSelect(dL/dx, indices)."""

    @staticmethod
    def forward(ctx, g, indices, output_shape):
        ctx.save_for_backward(indices)
        xp = xp_of(g)
        batch, channels = output_shape[:2]
        plane = output_shape[2] * output_shape[3]
        result = xp.zeros(batch * channels * plane, dtype=g.dtype)
        offsets = xp.arange(batch * channels).reshape(batch, channels, 1) * plane
        flat = (indices.reshape(batch, channels, -1) + offsets).reshape(-1)
        get_backend(device_of(g)).scatter_add(result, flat, g.reshape(-1))
        return result.reshape(output_shape)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return MaxPoolSelect.apply(grad_output, indices, None), None, None
