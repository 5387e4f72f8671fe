"""Registry entries of convolution, pooling and padding (nn.functional forms and the ops).

Each entry exercises a set of options (stride, padding including 'same' with an even kernel,
dilation, groups, odd and non-square sizes, unbatched inputs); tests/test_conv_parity.py
compares every combination of the options with PyTorch. Max-pooling samples are values at
least 0.09 apart, so no window has a tie that a finite difference could flip. Samples stay
small: gradgradcheck differentiates every element of every input and of the upstream grad.
"""

import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.ops.convolution import Conv2dWeightGrad

from . import OpInfo


def _torch_f():
    import torch.nn.functional

    return torch.nn.functional


def _torch_conv2d_weight(x, g):
    from torch.nn.grad import conv2d_weight

    return conv2d_weight(x, (4, 1, 2, 3), g, stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                         groups=2)


def normal(rng, shape):
    return np.asarray(rng.standard_normal(shape))


def distinct(rng, shape):
    """A permutation of multiples of 0.1 (plus jitter below 0.01): no two values tie."""
    count = int(np.prod(shape))
    return np.asarray(rng.permutation(count).reshape(shape) * 0.1 - 0.05 * count
                      + rng.uniform(0.0, 0.01, shape))


def shapes(*groups, make=normal):
    """Samples: one tuple of arrays per group of shapes."""
    return lambda rng: [tuple(make(rng, shape) for shape in group) for group in groups]


def entry(name, ours, theirs, samples, **options):
    return OpInfo(name, ours, samples, torch_function=theirs, **options)


def conv_entry(name, samples, **options):
    """F.conv2d(x, w, b, **options) against torch's."""
    return entry(f"conv2d_{name}", lambda x, w, b=None: F.conv2d(x, w, b, **options),
                 lambda x, w, b=None: _torch_f().conv2d(x, w, b, **options), samples)


def pool_entry(name, ours, theirs, samples, **options):
    return entry(name, lambda x: ours(x, **options), lambda x: theirs(x, **options), samples)


def _dropout2d(x):
    tg.manual_seed(0)  # the same channels dropped at every evaluation gradcheck makes
    return F.dropout2d(x, p=0.5, training=True)


OPS = [
    # ----- convolution ------------------------------------------------------------------
    conv_entry("plain", shapes(((2, 2, 5, 4), (3, 2, 3, 2), (3,)), ((1, 1, 4, 4), (2, 1, 2, 2)))),
    conv_entry("stride_padding", shapes(((1, 2, 6, 5), (2, 2, 3, 3), (2,))), stride=2,
               padding=1),
    conv_entry("dilation_asymmetric", shapes(((2, 1, 7, 5), (2, 1, 2, 3))), stride=(1, 2),
               padding=(2, 1), dilation=(2, 1)),
    conv_entry("groups", shapes(((1, 4, 4, 5), (4, 2, 2, 3), (4,))), groups=2, padding=(0, 1)),
    conv_entry("same_even_kernel", shapes(((1, 2, 5, 4), (2, 2, 2, 4), (2,))), padding="same",
               dilation=(1, 2)),
    conv_entry("valid_unbatched", shapes(((2, 5, 4), (3, 2, 3, 3), (3,))), padding="valid"),
    entry("conv1d", lambda x, w, b=None: F.conv1d(x, w, b, stride=2, padding=1, dilation=2,
                                                  groups=2),
          lambda x, w, b=None: _torch_f().conv1d(x, w, b, stride=2, padding=1, dilation=2,
                                                 groups=2),
          shapes(((2, 4, 9), (4, 2, 3), (4,)), ((4, 8), (2, 2, 2)))),
    entry("conv1d_same", lambda x, w: F.conv1d(x, w, padding="same"),
          lambda x, w: _torch_f().conv1d(x, w, padding="same"),
          shapes(((2, 2, 7), (3, 2, 4)))),
    entry("conv_transpose2d",
          lambda x, w, b=None: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                  output_padding=1, groups=2, dilation=(1, 2)),
          lambda x, w, b=None: _torch_f().conv_transpose2d(x, w, b, stride=2, padding=1,
                                                           output_padding=1, groups=2,
                                                           dilation=(1, 2)),
          shapes(((1, 4, 3, 3), (4, 1, 3, 2), (2,)), ((2, 3, 3), (2, 1, 2, 2)))),
    entry("conv_transpose2d_plain", lambda x, w: F.conv_transpose2d(x, w),
          lambda x, w: _torch_f().conv_transpose2d(x, w),
          shapes(((2, 2, 3, 2), (2, 3, 2, 3)))),
    entry("conv_transpose2d_output_padding_past_stride",  # rows that no window reaches
          lambda x, w: F.conv_transpose2d(x, w, padding=1, output_padding=1, dilation=2),
          lambda x, w: _torch_f().conv_transpose2d(x, w, padding=1, output_padding=1,
                                                   dilation=2),
          shapes(((1, 2, 3, 3), (2, 2, 3, 2)))),
    entry("conv2d_weight_grad",
          lambda x, g: Conv2dWeightGrad.apply(x, g, (2, 3), (2, 1), ((1, 1), (0, 0)), (1, 2),
                                              2, None),
          _torch_conv2d_weight,
          shapes(((2, 2, 5, 6), (2, 4, 3, 2)))),
    # ----- pooling ----------------------------------------------------------------------
    pool_entry("max_pool2d", F.max_pool2d, lambda x, **o: _torch_f().max_pool2d(x, **o),
               shapes(((2, 2, 4, 6),), ((1, 5, 5),), make=distinct), kernel_size=2),
    pool_entry("max_pool2d_options", F.max_pool2d, lambda x, **o: _torch_f().max_pool2d(x, **o),
               shapes(((1, 2, 7, 6),), make=distinct), kernel_size=(3, 2),
               stride=(2, 1), padding=1, dilation=(2, 1), ceil_mode=True),
    pool_entry("max_pool2d_overlap", F.max_pool2d, lambda x, **o: _torch_f().max_pool2d(x, **o),
               shapes(((1, 1, 5, 5),), make=distinct), kernel_size=3, stride=1),
    pool_entry("max_pool1d", F.max_pool1d, lambda x, **o: _torch_f().max_pool1d(x, **o),
               shapes(((2, 3, 9),), ((2, 8),), make=distinct), kernel_size=3,
               stride=2, padding=1, ceil_mode=True),
    pool_entry("avg_pool2d", F.avg_pool2d, lambda x, **o: _torch_f().avg_pool2d(x, **o),
               shapes(((2, 2, 4, 6),), ((1, 5, 5),)), kernel_size=2),
    pool_entry("avg_pool2d_exclude_pad_ceil", F.avg_pool2d,
               lambda x, **o: _torch_f().avg_pool2d(x, **o), shapes(((1, 2, 6, 7),)),
               kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True,
               count_include_pad=False),
    pool_entry("avg_pool2d_include_pad_ceil", F.avg_pool2d,
               lambda x, **o: _torch_f().avg_pool2d(x, **o), shapes(((1, 1, 6, 5),)),
               kernel_size=3, stride=2, padding=1, ceil_mode=True),
    pool_entry("avg_pool2d_divisor", F.avg_pool2d, lambda x, **o: _torch_f().avg_pool2d(x, **o),
               shapes(((1, 2, 5, 5),)), kernel_size=2, stride=1,
               divisor_override=3),
    pool_entry("avg_pool1d", F.avg_pool1d, lambda x, **o: _torch_f().avg_pool1d(x, **o),
               shapes(((2, 2, 9),), ((3, 7),)), kernel_size=3, stride=2,
               padding=1, ceil_mode=True, count_include_pad=False),
    pool_entry("adaptive_avg_pool2d", F.adaptive_avg_pool2d,
               lambda x, **o: _torch_f().adaptive_avg_pool2d(x, **o),
               shapes(((2, 2, 5, 7),), ((3, 4, 4),)), output_size=(3, 2)),
    pool_entry("adaptive_avg_pool2d_none", F.adaptive_avg_pool2d,
               lambda x, **o: _torch_f().adaptive_avg_pool2d(x, **o),
               shapes(((1, 2, 6, 3),)), output_size=(4, None)),
    # ----- padding, normalization and dropout of images ---------------------------------
    pool_entry("pad_constant", F.pad, lambda x, **o: _torch_f().pad(x, **o),
               shapes(((2, 3, 4),)), pad=(1, 2, 0, 1), value=0.5),
    pool_entry("pad_crop", F.pad, lambda x, **o: _torch_f().pad(x, **o),
               shapes(((2, 3, 4),)), pad=(-1, 2, 1, -2)),
    entry("batch_norm_2d", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
          lambda x, w, b: _torch_f().batch_norm(x, None, None, w, b, training=True),
          shapes(((2, 3, 2, 3), (3,), (3,)))),
    OpInfo("dropout2d", _dropout2d, shapes(((2, 3, 2, 2),), ((4, 2, 3),)),
           note="random channel mask drawn from tg's generator: no PyTorch twin"),
]
