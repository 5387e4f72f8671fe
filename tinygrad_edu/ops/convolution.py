"""2-D convolution as im2col + one matrix product, and the two ops its gradients need.

Shapes: input x (N, C, H, W); weight w (O, C/G, kh, kw) for G groups; output y (N, O, Ho, Wo)
with Ho = (H + pad_top + pad_bottom - dilation (kh - 1) - 1) // stride + 1 (the same for W).
`stride` and `dilation` are (rows, columns) pairs, `padding` is ((top, bottom), (left, right)),
so 'same' padding with an even kernel (one more row at the bottom) needs no special case.

im2col: every output pixel's receptive field becomes one column of a matrix (a strided *view*
of the padded input, copied once into contiguous memory), so the whole convolution is one BLAS
product W (O, C kh kw) @ cols (C kh kw, Ho Wo N). col2im is its adjoint: each column is added
back where it came from, one vectorized strided add per kernel offset (kh kw adds, never a
Python loop over windows or pixels).

The three ops are closed under differentiation, which is what makes double backward work:
    Conv2d(x, w, b)              y = x * w + b
    ConvTranspose2d(g, w)        the adjoint in x:   dL/dx of Conv2d  (col2im(W^T g))
    Conv2dWeightGrad(x, g)       the adjoint in w:   dL/dw of Conv2d  (g cols^T)
and the gradients of each are again these three with the roles of the arguments swapped.
conv1d is conv2d on inputs of height 1, and transposed convolution (nn.ConvTranspose2d) is
ConvTranspose2d itself.
"""

from ..autograd.function import Function
from ..backend import xp_of


def output_size(size, kernel, stride, padding, dilation):
    """Output length along one axis: (size + pad_before + pad_after - dilation (kernel-1) - 1)
    // stride + 1."""
    return (size + padding[0] + padding[1] - dilation * (kernel - 1) - 1) // stride + 1


def im2col(x, kernel_size, stride, padding, dilation, groups, out_shape):
    """x (N, C, H, W) -> cols (G, C/G kh kw, Ho Wo N): each column one receptive field.

    x is first copied, padded, into the layout (C, H, W, N) with the batch innermost; the
    window view then has view[c, i, j, p, q, n] = padded[c, p s + i d, q s + j d, n], and its
    copy into contiguous memory moves runs of Wo N contiguous numbers at a time (stride 1)."""
    xp = xp_of(x)
    padded = _batch_last(x, padding)
    channels, batch = padded.shape[0], padded.shape[3]
    (kh, kw), (out_h, out_w) = kernel_size, out_shape
    step_c, step_h, step_w, step_n = padded.strides
    view = xp.lib.stride_tricks.as_strided(
        padded, (channels, kh, kw, out_h, out_w, batch),
        (step_c, step_h * dilation[0], step_w * dilation[1], step_h * stride[0],
         step_w * stride[1], step_n))
    return xp.ascontiguousarray(view).reshape(groups, -1, out_h * out_w * batch)


def _batch_last(x, padding):
    """x (N, C, H, W) -> zero-padded (C, top + H + bottom, left + W + right, N)."""
    (top, bottom), (left, right) = padding
    batch, channels, height, width = x.shape
    padded = xp_of(x).zeros((channels, top + height + bottom, left + width + right, batch),
                            dtype=x.dtype)
    padded[:, top:top + height, left:left + width] = x.transpose(1, 2, 3, 0)
    return padded


def col2im(cols, input_shape, stride, padding, dilation):
    """The adjoint of im2col: cols (C, kh, kw, Ho, Wo, N) -> x (N, C, H, W), each window's
    values added back at the positions it was read from (overlaps add up): one strided add
    of a whole (C, Ho, Wo, N) block per kernel offset (i, j)."""
    xp = xp_of(cols)
    channels, kh, kw, out_h, out_w, batch = cols.shape
    (top, bottom), (left, right) = padding
    height, width = input_shape[2], input_shape[3]
    padded = xp.zeros((channels, top + height + bottom, left + width + right, batch),
                      dtype=cols.dtype)
    for i in range(kh):
        row = i * dilation[0]
        rows = slice(row, row + stride[0] * (out_h - 1) + 1, stride[0])
        for j in range(kw):
            column = j * dilation[1]
            padded[:, rows, column:column + stride[1] * (out_w - 1) + 1:stride[1]] += \
                cols[:, i, j]
    inside = padded[:, top:top + height, left:left + width]
    return xp.ascontiguousarray(inside.transpose(3, 0, 1, 2))


def _grouped_rows(g, groups):
    """g (N, O, Ho, Wo) -> (G, O/G, Ho Wo N), the layout of the columns of im2col."""
    channels = g.shape[1]
    return xp_of(g).ascontiguousarray(g.transpose(1, 2, 3, 0)).reshape(
        groups, channels // groups, -1)


def fit_to_output(x, kernel_size, stride, padding, dilation, out_shape):
    """(x, padding) cut to the rows and columns that Ho x Wo windows read, so that a
    convolution of x gives exactly out_shape: a transposed convolution's output_padding can
    add rows that no window reaches. Usually x is returned unchanged."""
    limits, pairs = [], []
    for axis, ((before, after), size) in enumerate(zip(padding, x.shape[2:], strict=True)):
        reach = ((out_shape[axis] - 1) * stride[axis]
                 + dilation[axis] * (kernel_size[axis] - 1) + 1 - before)
        limits.append(min(size, reach))
        pairs.append((before, max(0, min(after, reach - size))))
    if tuple(limits) == tuple(x.shape[2:]) and tuple(pairs) == tuple(padding):
        return x, padding
    return x[:, :, :limits[0], :limits[1]], tuple(pairs)


class Conv2d(Function):
    """y[n, o, p, q] = b[o] + sum_{c, i, j} w[o, c, i, j] x_pad[n, c, p s + i d, q s + j d]
    (per group), computed as W @ im2col(x) + b;  dL/dx = ConvTranspose2d(g, w) =
    col2im(W^T g),  dL/dw = Conv2dWeightGrad(x, g) = g im2col(x)^T,  dL/db = sum of g over
    n, p, q. The bias b may be None."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, groups):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx.input_shape = x.shape
        out_channels, kernel_size = w.shape[0], w.shape[2:]
        out_shape = tuple(output_size(x.shape[2 + axis], kernel_size[axis], stride[axis],
                                      padding[axis], dilation[axis]) for axis in (0, 1))
        cols = im2col(x, kernel_size, stride, padding, dilation, groups, out_shape)
        ctx.save_for_backward(x, w, cols)  # cols again for the weight gradient
        product = w.reshape(groups, out_channels // groups, -1) @ cols
        if b is not None:
            product += b.reshape(groups, -1, 1)
        result = product.reshape(out_channels, *out_shape, x.shape[0])
        return xp_of(x).ascontiguousarray(result.transpose(3, 0, 1, 2))

    @staticmethod
    def backward(ctx, grad_output):
        x, w, cols = ctx.saved_tensors
        needs_x, needs_w, needs_b = ctx.needs_input_grad[:3]
        options = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        grad_x = ConvTranspose2d.apply(grad_output, w, ctx.input_shape, *options) \
            if needs_x else None
        grad_w = Conv2dWeightGrad.apply(x, grad_output, w.shape[2:], *options, cols) \
            if needs_w else None
        grad_b = grad_output.sum((0, 2, 3)) if needs_b else None
        return grad_x, grad_w, grad_b, None, None, None, None


class ConvTranspose2d(Function):
    """x = col2im(W^T g): the adjoint of Conv2d in its input, for g (N, O, Ho, Wo) and
    w (O, C/G, kh, kw), giving shape `input_shape` (N, C, H, W). It is the gradient of a
    convolution and, as a layer, the transposed ("fractionally strided") convolution.
    dL/dg = Conv2d(dL/dx, w),  dL/dw = Conv2dWeightGrad(dL/dx, g)."""

    @staticmethod
    def forward(ctx, g, w, input_shape, stride, padding, dilation, groups):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx.save_for_backward(g, w)
        out_channels, in_per_group = w.shape[:2]
        weight_rows = w.reshape(groups, out_channels // groups, -1)
        cols = weight_rows.transpose(0, 2, 1) @ _grouped_rows(g, groups)
        cols = cols.reshape(in_per_group * groups, *w.shape[2:], *g.shape[2:], g.shape[0])
        return col2im(cols, input_shape, stride, padding, dilation)

    @staticmethod
    def backward(ctx, grad_output):
        g, w = ctx.saved_tensors
        needs_g, needs_w = ctx.needs_input_grad[:2]
        options = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        grad_w = Conv2dWeightGrad.apply(grad_output, g, w.shape[2:], *options, None) \
            if needs_w else None
        grad_g = _convolve_to(grad_output, w, ctx, g.shape[2:]) if needs_g else None
        return grad_g, grad_w, None, None, None, None, None


class Conv2dWeightGrad(Function):
    """dw = g @ im2col(x)^T: the adjoint of Conv2d in its weight (its weight gradient), for
    x (N, C, H, W) and g (N, O, Ho, Wo), giving w's shape (O, C/G, kh, kw). `cols`, when
    not None, is im2col(x) as the forward convolution already computed it (a constant).
    dL/dx = ConvTranspose2d(g, dL/dw),  dL/dg = Conv2d(x, dL/dw)."""

    @staticmethod
    def forward(ctx, x, g, kernel_size, stride, padding, dilation, groups, cols):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx.input_shape = x.shape
        ctx.save_for_backward(x, g)
        if cols is None:
            cols = im2col(x, kernel_size, stride, padding, dilation, groups, g.shape[2:])
        product = cols @ _grouped_rows(g, groups).transpose(0, 2, 1)  # (G, C/G kh kw, O/G)
        weight_shape = (x.shape[1] // groups, *kernel_size, g.shape[1] // groups)
        grad = product.reshape(groups, *weight_shape).transpose(0, 4, 1, 2, 3)
        return xp_of(x).ascontiguousarray(grad).reshape(g.shape[1], *weight_shape[:3])

    @staticmethod
    def backward(ctx, grad_output):
        x, g = ctx.saved_tensors
        needs_x, needs_g = ctx.needs_input_grad[:2]
        options = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        grad_x = ConvTranspose2d.apply(g, grad_output, ctx.input_shape, *options) \
            if needs_x else None
        grad_g = _convolve_to(x, grad_output, ctx, g.shape[2:]) if needs_g else None
        return grad_x, grad_g, None, None, None, None, None, None


def _convolve_to(x, weight, ctx, output_size):
    """Conv2d(x, weight) with ctx's stride, dilation and groups, x trimmed or padded so the
    result has spatial size `output_size` (the gradients that are convolutions)."""
    fitted, padding = fit_to_output(x, weight.shape[2:], ctx.stride, ctx.padding, ctx.dilation,
                                    output_size)
    return Conv2d.apply(fitted, weight, None, ctx.stride, padding, ctx.dilation, ctx.groups)
