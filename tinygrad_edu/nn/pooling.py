"""Pooling layers: `MaxPool1d`, `MaxPool2d`, `AvgPool1d`, `AvgPool2d`, `AdaptiveAvgPool2d`,
thin modules around the functions of nn/pool_functional.py (PyTorch's arguments)."""

from . import pool_functional
from .module import Module


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):  # noqa: A002  (PyTorch's argument name)
        return pool_functional.max_pool(
            type(self).__name__, input, self.kernel_size, self.stride, self.padding,
            self.dilation, self.ceil_mode, self.return_indices, self.dims)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """y[n, c, t] = the maximum of each window of kernel_size elements (input (N, C, L) or
    (C, L)); return_indices=True also returns where each maximum is."""

    dims = 1


class MaxPool2d(_MaxPoolNd):
    """y[n, c, p, q] = the maximum of each kh x kw window, windows `stride` apart (default:
    the kernel size, so they tile the image); input (N, C, H, W) or (C, H, W)."""

    dims = 2


class _AvgPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):  # noqa: A002
        return pool_functional.avg_pool(
            type(self).__name__, input, self.kernel_size, self.stride, self.padding,
            self.ceil_mode, self.count_include_pad, self.divisor_override, self.dims)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """y[n, c, t] = the mean of each window of kernel_size elements."""

    dims = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """y[n, c, p, q] = the mean of each kh x kw window (zero padding counted in the mean when
    count_include_pad; divided by divisor_override instead when given)."""

    dims = 2


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, whatever the input size: (N, C, H, W) ->
    (N, C, *output_size) (an int means a square; None keeps that input size)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):  # noqa: A002
        return pool_functional.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
