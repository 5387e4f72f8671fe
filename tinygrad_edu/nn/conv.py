"""Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose2d`, with PyTorch's arguments,
weight layout and initialization, so their state dicts load into PyTorch's layers."""

from .. import creation
from . import conv_functional, init
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    """Holds weight (out, in / groups, *kernel) for a convolution, (in, out / groups, *kernel)
    for a transposed one, and bias (out,). Initialized as PyTorch: weight by kaiming_uniform_
    with a = sqrt(5) (uniform on +-1 / sqrt(fan_in)), bias uniform on +-1 / sqrt(fan_in), with
    fan_in = weight.shape[1] * kernel area."""

    dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels must be divisible by groups, got "
                             f"in_channels={in_channels}, groups={groups}")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels must be divisible by groups, got "
                             f"out_channels={out_channels}, groups={groups}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"{name}: padding_mode {padding_mode!r} is not "
                                      "implemented; only 'zeros'")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = conv_functional.as_tuple(kernel_size, self.dims, name, "kernel_size")
        self.stride = conv_functional.as_tuple(stride, self.dims, name, "stride")
        self.dilation = conv_functional.as_tuple(dilation, self.dims, name, "dilation")
        self.padding_mode = padding_mode
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one "
                                 "of ['valid', 'same']")
            if padding == "same" and any(step != 1 for step in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions (stride={self.stride})")
            self.padding = padding
        else:
            self.padding = conv_functional.as_tuple(padding, self.dims, name, "padding")
        shape = ((in_channels, out_channels // groups) if self.transposed
                 else (out_channels, in_channels // groups))
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, dtype=dtype,
                                               device=device))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.layer_default_(self.weight, self.bias)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,) * self.dims) != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(_ConvNd):
    """y = conv1d(x, weight, bias): input (N, C_in, L) or (C_in, L), output (N, C_out, L_out),
    L_out = (L + 2 padding - dilation (kernel_size - 1) - 1) // stride + 1."""

    dims = 1

    def forward(self, input):  # noqa: A002  (PyTorch's argument name)
        return conv_functional.convolution(
            type(self).__name__, input, self.weight, self.bias, self.stride, self.padding,
            self.dilation, self.groups, 1)


class Conv2d(_ConvNd):
    """y = conv2d(x, weight, bias): input (N, C_in, H, W) or (C_in, H, W), weight
    (C_out, C_in / groups, kh, kw), output (N, C_out, H_out, W_out) with
    H_out = (H + 2 padding - dilation (kh - 1) - 1) // stride + 1 (W alike).

        conv = nn.Conv2d(1, 6, kernel_size=5, padding=2)   # LeNet's first layer
        conv(tg.randn(64, 1, 28, 28)).shape                # (64, 6, 28, 28)
    """

    def forward(self, input):  # noqa: A002
        return conv_functional.convolution(
            type(self).__name__, input, self.weight, self.bias, self.stride, self.padding,
            self.dilation, self.groups, 2)


class ConvTranspose2d(_ConvNd):
    """The transposed convolution (the gradient of Conv2d with respect to its input), an
    upsampling layer: weight (C_in, C_out / groups, kh, kw), output
    H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1 (W alike)."""

    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got "
                             f"{padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.output_padding = conv_functional.as_tuple(output_padding, 2, "ConvTranspose2d",
                                                       "output_padding")

    def forward(self, input, output_size=None):  # noqa: A002
        """output_size: the wanted (H_out, W_out) (trailing entries of a longer shape are
        used), one of the sizes this stride can give; it sets output_padding for this call."""
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding(input, output_size)
        return conv_functional.conv_transpose2d(
            input, self.weight, self.bias, self.stride, self.padding, output_padding,
            self.groups, self.dilation, name="ConvTranspose2d")

    def _output_padding(self, input, output_size):  # noqa: A002
        wanted = list(output_size)[-2:]
        smallest = [(size - 1) * step - 2 * pad + spacing * (kernel - 1) + 1
                    for size, step, pad, spacing, kernel
                    in zip(input.shape[-2:], self.stride, self.padding, self.dilation,
                           self.kernel_size, strict=True)]
        largest = [size + step - 1 for size, step in zip(smallest, self.stride, strict=True)]
        if len(wanted) != 2 or any(not low <= size <= high for size, low, high
                                   in zip(wanted, smallest, largest, strict=True)):
            raise ValueError(f"ConvTranspose2d: requested an output size of {list(output_size)}, "
                             f"but valid sizes range from {smallest} to {largest} (for an input "
                             f"of shape {input.shape})")
        return tuple(size - low for size, low in zip(wanted, smallest, strict=True))
