"""Convolution and pooling against PyTorch for every combination of their options: values and
gradients in float64, or the same exception type where PyTorch rejects the combination.
(The registry, tests/registry/conv_ops.py, gradchecks a representative subset.)"""

import itertools

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def compare(ours, theirs, arrays, device, **options):
    """Run both on the same float64 arrays; compare outputs and input gradients (for one
    random upstream gradient), or that both raise the same exception type."""
    our_inputs = [tg.tensor(a, dtype=tg.float64, device=device, requires_grad=True)
                  for a in arrays]
    their_inputs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    try:
        expected = theirs(*their_inputs, **options)
    except (RuntimeError, ValueError) as error:
        with pytest.raises(type(error)):
            ours(*our_inputs, **options)
        return
    output = ours(*our_inputs, **options)
    np.testing.assert_allclose(output.numpy(), expected.detach().numpy(), rtol=1e-10,
                               atol=1e-12, err_msg=f"output, {options}")
    upstream = np.random.default_rng(1).standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(upstream))
    output.backward(tg.tensor(upstream, device=device))
    for position, (mine, theirs_input) in enumerate(zip(our_inputs, their_inputs, strict=True)):
        np.testing.assert_allclose(mine.grad.numpy(), theirs_input.grad.numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=f"gradient {position}, {options}")


def arrays(*shapes, distinct=False):
    rng = np.random.default_rng(0)
    if distinct:  # no ties inside a pooling window
        return [rng.permutation(int(np.prod(s))).reshape(s) * 0.1 for s in shapes]
    return [rng.standard_normal(shape) for shape in shapes]


def conv_options():
    return [dict(stride=s, padding=p, dilation=d, groups=g) for s, p, d, g in itertools.product(
        (1, 2, (2, 1)), (0, 1, (2, 0), "same", "valid"), (1, 2, (1, 2)), (1, 2))]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("options", conv_options(), ids=str)
def test_conv2d_every_option(options, bias, device):
    shapes = [(2, 4, 7, 6), (4, 4 // options["groups"], 3, 2)] + ([(4,)] if bias else [])
    compare(F.conv2d, TF.conv2d, arrays(*shapes), device, **options)


def conv1d_options():
    return [dict(stride=s, padding=p, dilation=d, groups=g) for s, p, d, g in itertools.product(
        (1, 2), (0, 1, "same", "valid"), (1, 2), (1, 2))]


@pytest.mark.parametrize("unbatched", [True, False])
@pytest.mark.parametrize("options", conv1d_options(), ids=str)
def test_conv1d_every_option(options, unbatched, device):
    shapes = [(4, 9) if unbatched else (2, 4, 9), (2, 4 // options["groups"], 3), (2,)]
    compare(F.conv1d, TF.conv1d, arrays(*shapes), device, **options)


@pytest.mark.parametrize("stride, padding, output_padding, dilation, groups", list(
    itertools.product((1, 2, (2, 3)), (0, 1), (0, 1), (1, 2), (1, 2))), ids=str)
def test_conv_transpose2d_every_option(stride, padding, output_padding, dilation, groups,
                                       device):
    compare(F.conv_transpose2d, TF.conv_transpose2d,
            arrays((2, 4, 3, 4), (4, 3, 3, 2), (3 * groups,)), device, stride=stride,
            padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)


@pytest.mark.parametrize("kernel_size, stride, padding, dilation, ceil_mode", list(
    itertools.product((2, 3, (3, 2)), (None, 1, 2), (0, 1), (1, 2), (False, True))), ids=str)
def test_max_pool2d_every_option(kernel_size, stride, padding, dilation, ceil_mode, device):
    compare(F.max_pool2d, TF.max_pool2d, arrays((2, 2, 7, 8), distinct=True), device,
            kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
            ceil_mode=ceil_mode)


@pytest.mark.parametrize("kernel_size, stride, padding, ceil_mode, count_include_pad", list(
    itertools.product((2, 3, (3, 2)), (None, 1, 2), (0, 1), (False, True), (True, False))),
    ids=str)
def test_avg_pool2d_every_option(kernel_size, stride, padding, ceil_mode, count_include_pad,
                                 device):
    compare(F.avg_pool2d, TF.avg_pool2d, arrays((2, 2, 7, 8)), device, kernel_size=kernel_size,
            stride=stride, padding=padding, ceil_mode=ceil_mode,
            count_include_pad=count_include_pad)


@pytest.mark.parametrize("unbatched", [True, False])
@pytest.mark.parametrize("kernel_size, stride, padding, ceil_mode", list(
    itertools.product((2, 3), (None, 2), (0, 1), (False, True))), ids=str)
def test_pool1d_every_option(kernel_size, stride, padding, ceil_mode, unbatched, device):
    shape = (3, 10) if unbatched else (2, 3, 10)
    options = dict(kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)
    compare(F.max_pool1d, TF.max_pool1d, arrays(shape, distinct=True), device, **options)
    for include in (True, False):
        compare(F.avg_pool1d, TF.avg_pool1d, arrays(shape), device, count_include_pad=include,
                **options)


@pytest.mark.parametrize("output_size", [1, 3, (2, 5), (None, 4), (7, 6), (4, None)], ids=str)
def test_adaptive_avg_pool2d_sizes(output_size, device):
    compare(F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, arrays((2, 3, 7, 6)), device,
            output_size=output_size)


@pytest.mark.parametrize("dims, pooling", [(1, "max_pool1d"), (2, "max_pool2d")])
def test_max_pool_indices_match_torch_even_with_ties(dims, pooling, device):
    """return_indices gives PyTorch's flat indices; on ties (ReLU zeros) the first maximum
    wins and receives the whole gradient, as in PyTorch."""
    values = np.maximum(np.random.default_rng(0).standard_normal((2, 3) + (6,) * dims), 0)
    x = tg.tensor(values, device=device, requires_grad=True)
    x_torch = torch.tensor(values, requires_grad=True)
    options = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True)
    output, indices = getattr(F, pooling)(x, **options)
    expected, expected_indices = getattr(TF, pooling)(x_torch, **options)
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
    assert indices.dtype == tg.int64
    output.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), x_torch.grad.numpy())


@pytest.mark.parametrize("pad, value", [((1, 1), 0.0), ((0, 2, 1, 0), -1.0),
                                        ((-1, 1, 2, -1, 1, 1), None)], ids=str)
def test_pad_matches_torch(pad, value, device):
    compare(F.pad, TF.pad, arrays((2, 3, 4)), device, pad=pad, value=value)
