"""Convolutions and padding as functions (re-exported by nn.functional): the argument checks
and PyTorch's conventions around the ops of ops/convolution.py and ops/padding.py.

A 1-D convolution is run as a 2-D one on inputs of height 1; an input without the batch
dimension gets one for the call. Errors follow PyTorch's (RuntimeError for bad shapes and
values at call time) and start with the name of the function or layer that raised.
"""

from ..ops.convolution import Conv2d, ConvTranspose2d
from ..ops.padding import Pad


def as_tuple(value, count, name, what):
    """An int or a sequence of `count` ints as a tuple of `count` ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * count
    values = tuple(value)
    if len(values) != count or not all(isinstance(v, int) for v in values):
        raise RuntimeError(f"{name}: expected {what} to be a single integer or a list of "
                           f"{count} integers, got {what}={value!r}")
    return values


def _batched(name, input, dims):  # noqa: A002  (PyTorch's argument name)
    """(input with a batch dimension, whether one was added), checking the number of dims."""
    if input.ndim == dims + 2:
        return input, False
    if input.ndim == dims + 1:
        return input.unsqueeze(0), True
    raise RuntimeError(f"{name}: expected {dims + 1}D (unbatched) or {dims + 2}D (batched) "
                       f"input, but got input of size {list(input.shape)}")


def same_padding(kernel_size, dilation):
    """'same' padding per axis: dilation (k - 1) in all, the odd one at the end (PyTorch)."""
    pads = []
    for kernel, spacing in zip(kernel_size, dilation, strict=True):
        total = spacing * (kernel - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _padding_pairs(name, padding, kernel_size, stride, dilation):
    dims = len(kernel_size)
    if padding == "valid":
        return ((0, 0),) * dims
    if padding == "same":
        if any(step != 1 for step in stride):
            raise RuntimeError(f"{name}: padding='same' is not supported for strided "
                               f"convolutions (stride={stride})")
        return same_padding(kernel_size, dilation)
    if isinstance(padding, str):
        raise RuntimeError(f"{name}: invalid padding string {padding!r}; expected 'same', "
                           "'valid', an int or a tuple of ints")
    return tuple((pad, pad) for pad in as_tuple(padding, dims, name, "padding"))


def _check_options(name, stride, pairs, dilation):
    if any(step <= 0 for step in stride):
        raise RuntimeError(f"{name}: non-positive stride is not supported, got {stride}")
    if any(pad < 0 for pair in pairs for pad in pair):
        raise RuntimeError(f"{name}: negative padding is not supported, got {pairs}")
    if any(spacing <= 0 for spacing in dilation):
        raise RuntimeError(f"{name}: dilation should be greater than zero, got {dilation}")


def _check_weight(name, input, weight, bias, groups, in_channels_axis, dims):  # noqa: A002
    """Shapes of weight (O, C/groups, *kernel) against input (N, C, *spatial) and bias."""
    if weight.ndim != dims + 2:
        raise RuntimeError(f"{name}: expected a weight with {dims + 2} dims, got weight of "
                           f"size {list(weight.shape)}")
    if groups <= 0:
        raise RuntimeError(f"{name}: non-positive groups is not supported, got {groups}")
    if in_channels_axis == 1:  # a convolution: weight (O, C/G, ...)
        if weight.shape[0] % groups:
            raise RuntimeError(f"{name}: given groups={groups}, expected weight to be "
                               f"divisible by {groups} at dimension 0, but got weight of size "
                               f"{list(weight.shape)} instead")
        expected = weight.shape[1] * groups
    else:  # a transposed convolution: weight (C, O/G, ...)
        expected = weight.shape[0]
    if input.shape[1] != expected:
        raise RuntimeError(f"{name}: given groups={groups}, weight of size "
                           f"{list(weight.shape)}, expected input{list(input.shape)} to have "
                           f"{expected} channels, but got {input.shape[1]} channels instead")
    for what, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tensor.dtype != input.dtype:
            raise RuntimeError(f"{name}: input type ({input.dtype}) and {what} type "
                               f"({tensor.dtype}) should be the same")
    out_channels = weight.shape[0] if in_channels_axis == 1 else weight.shape[1] * groups
    if bias is not None and bias.shape != (out_channels,):
        raise RuntimeError(f"{name}: expected bias of shape ({out_channels},), got "
                           f"{tuple(bias.shape)}")


def _as_2d(values, fill):
    """A 1-D option (one axis) as the 2-D option of an input of height 1."""
    return (fill, *values) if len(values) == 1 else values


def convolution(name, input, weight, bias, stride, padding, dilation, groups, dims):  # noqa: A002
    """conv1d (dims=1) and conv2d (dims=2): checks, then the Conv2d op."""
    x, unbatched = _batched(name, input, dims)
    kernel_size = weight.shape[2:]
    stride = as_tuple(stride, dims, name, "stride")
    dilation = as_tuple(dilation, dims, name, "dilation")
    _check_weight(name, x, weight, bias, groups, 1, dims)
    pairs = _padding_pairs(name, padding, kernel_size, stride, dilation)
    _check_options(name, stride, pairs, dilation)
    padded = tuple(size + before + after for size, (before, after)
                   in zip(x.shape[2:], pairs, strict=True))
    reach = tuple(spacing * (kernel - 1) + 1 for kernel, spacing
                  in zip(kernel_size, dilation, strict=True))
    if any(size < extent for size, extent in zip(padded, reach, strict=True)):
        raise RuntimeError(f"{name}: calculated padded input size per channel: "
                           f"{' x '.join(map(str, padded))}; (dilated) kernel size: "
                           f"{' x '.join(map(str, reach))}. Kernel size can't be greater "
                           f"than actual input size (input of size {list(x.shape)})")
    if dims == 1:
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
    result = Conv2d.apply(x, weight, bias, _as_2d(stride, 1), _as_2d(pairs, (0, 0)),
                          _as_2d(dilation, 1), groups)
    if dims == 1:
        result = result.squeeze(2)
    return result.squeeze(0) if unbatched else result


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """y[n, o, t] = b[o] + sum_{c, i} w[o, c, i] x_pad[n, c, t stride + i dilation] for input
    (N, C, L) or (C, L) and weight (O, C / groups, k); padding int, tuple, 'valid' or 'same'."""
    return convolution("conv1d", input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """y[n, o, p, q] = b[o] + sum_{c, i, j} w[o, c, i, j] x_pad[n, c, p s + i d, q s + j d]
    (a cross-correlation, as in every deep-learning framework) for input (N, C, H, W) or
    (C, H, W) and weight (O, C / groups, kh, kw); padding int, pair, 'valid' or 'same'."""
    return convolution("conv2d", input, weight, bias, stride, padding, dilation, groups, 2)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,  # noqa: A002
                     groups=1, dilation=1, name="conv_transpose2d"):
    """The adjoint of conv2d in its input (its gradient), used as an upsampling layer: for
    input (N, C_in, H, W) and weight (C_in, C_out / groups, kh, kw), the output has
    H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1 rows (W alike)."""
    x, unbatched = _batched(name, input, 2)
    stride = as_tuple(stride, 2, name, "stride")
    dilation = as_tuple(dilation, 2, name, "dilation")
    output_padding = as_tuple(output_padding, 2, name, "output_padding")
    _check_weight(name, x, weight, bias, groups, 0, 2)
    pairs = tuple((pad, pad) for pad in as_tuple(padding, 2, name, "padding"))
    _check_options(name, stride, pairs, dilation)
    for extra, step, spacing in zip(output_padding, stride, dilation, strict=True):
        if not (0 <= extra < step or 0 <= extra < spacing):
            raise RuntimeError(f"{name}: output padding must be smaller than either stride or "
                               f"dilation, but got output_padding={output_padding}, "
                               f"stride={stride}, dilation={dilation}")
    kernel_size = weight.shape[2:]
    sizes = tuple((size - 1) * step - 2 * pad + spacing * (kernel - 1) + extra + 1
                  for size, step, (pad, _), spacing, kernel, extra
                  in zip(x.shape[2:], stride, pairs, dilation, kernel_size, output_padding,
                         strict=True))
    if any(size <= 0 for size in sizes):
        raise RuntimeError(f"{name}: input of size {list(x.shape)} with weight of size "
                           f"{list(weight.shape)}, stride={stride}, padding={padding} gives a "
                           f"non-positive output size {sizes}")
    output_shape = (x.shape[0], weight.shape[1] * groups, *sizes)
    result = ConvTranspose2d.apply(x, weight, output_shape, stride, pairs, dilation, groups)
    if bias is not None:
        result = result + bias.reshape(1, -1, 1, 1)
    return result.squeeze(0) if unbatched else result


def pad(input, pad, mode="constant", value=None):  # noqa: A002
    """Pad the last len(pad) // 2 dims: pad = (last_before, last_after, second_last_before,
    ...), as PyTorch; negative amounts crop. mode='constant' only, filled with value (0)."""
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got pad={pad!r}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad: padding length {len(pad)} is too large for an input of "
                           f"{input.ndim} dims (shape {input.shape})")
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not implemented; only 'constant'")
    widths = [(0, 0)] * input.ndim
    for position in range(len(pad) // 2):
        widths[input.ndim - 1 - position] = (pad[2 * position], pad[2 * position + 1])
    for size, (before, after) in zip(input.shape, widths, strict=True):
        if size + before + after < 0:
            raise RuntimeError(f"pad: padding {pad} gives a negative size for an input of "
                               f"shape {input.shape}")
    return Pad.apply(input, tuple(widths), 0.0 if value is None else value)
