"""`LayerNorm` and `GroupNorm`: normalization with the statistics of each sample, so they
behave the same in training and evaluation and for any batch size."""

from .. import creation
from . import functional as F
from .module import Module
from .parameter import Parameter


def add_affine_parameters(module, shape, weight, bias, dtype=None, device=None):
    """Give a normalization layer its learned scale and shift of `shape`: module.weight =
    ones (if `weight`), module.bias = zeros (if `bias`); each one left out is registered as
    None, as PyTorch does, so it still shows in the module's parameter names."""
    if weight:
        module.weight = Parameter(creation.ones(*shape, dtype=dtype, device=device))
    else:
        module.register_parameter("weight", None)
    if bias:
        module.bias = Parameter(creation.zeros(*shape, dtype=dtype, device=device))
    else:
        module.register_parameter("bias", None)


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var over the last
    dims, which must equal normalized_shape. weight (ones) and bias (zeros) have that shape;
    elementwise_affine=False drops both, bias=False only the bias."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        add_affine_parameters(self, self.normalized_shape, elementwise_affine,
                              elementwise_affine and bias, dtype, device)

    def forward(self, input):  # noqa: A002  (PyTorch's argument name)
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """Input (N, C, *): the C = num_channels channels in num_groups groups; each sample's
    group is standardized, then y = xhat * weight_c + bias_c per channel (affine=True:
    weight ones, bias zeros, of shape (C,)). num_groups=1 is layer norm over (C, *);
    num_groups=C is instance norm."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None,
                 dtype=None):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        add_affine_parameters(self, (num_channels,), affine, affine, dtype, device)

    def forward(self, input):  # noqa: A002
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
