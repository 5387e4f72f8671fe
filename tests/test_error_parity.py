"""Errors that used to be obscure or missing: each raises PyTorch's exception type with a
message naming the op and what was expected, and valid edge cases (empty batches, zero
features) work as in PyTorch. With PyTorch installed, its behaviour is checked too."""

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.data import DataLoader, Dataset

try:
    import torch
except ImportError:  # the cases still run; only the comparison with PyTorch is skipped
    torch = None


def _clamp_backward(lib):
    x = lib.tensor([1.0, -2.0, 3.0, 0.5], requires_grad=True)
    low = lib.tensor([0.0, 0.0, 5.0, 1.0], requires_grad=True)
    high = lib.tensor([4.0, 4.0, 4.0, 0.8], requires_grad=True)
    x.clamp(min=low, max=high).sum().backward()
    return x.grad, low.grad, high.grad


def _set_grad(lib, value):
    x = lib.ones(2, requires_grad=True)
    x.grad = value


def _hook_returning_float(lib):
    x = lib.ones(2, requires_grad=True)
    x.register_hook(lambda grad: 1.0)
    (x * 2).sum().backward()


# name, call(lib, functional), exception type, message (regex) of ours
ERRORS = [
    ("add_shapes", lambda lib, F: lib.ones(2, 3) + lib.ones(4), RuntimeError,
     r"Add: shapes \(2, 3\) and \(4,\) cannot be broadcast"),
    ("matmul_shapes", lambda lib, F: lib.ones(2, 3) @ lib.ones(4, 2), RuntimeError,
     r"matmul: shapes \(2, 3\) and \(4, 2\)"),
    ("reshape_size", lambda lib, F: lib.ones(2, 3).reshape(4, 2), RuntimeError,
     r"reshape: .*\(2, 3\).*\(4, 2\)"),
    ("expand_shape", lambda lib, F: lib.ones(2, 3).expand(2, 4), RuntimeError,
     r"expand: .*\(2, 3\).*\(2, 4\)"),
    ("cat_shapes", lambda lib, F: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), RuntimeError,
     r"cat: tensor 1 has shape \(2, 4\)"),
    ("compare_shapes", lambda lib, F: lib.ones(2, 3) < lib.ones(4), RuntimeError,
     r"<: shapes \(2, 3\) and \(4,\) cannot be broadcast"),
    ("equal_shapes", lambda lib, F: lib.ones(2, 3) == lib.ones(4), RuntimeError,
     r"==: shapes \(2, 3\) and \(4,\)"),
    ("sum_float_dim", lambda lib, F: lib.ones(2, 3).sum(dim=0.0), TypeError,
     r"sum: dim must be an int or a tuple of ints, got 0.0"),
    ("tensor_of_str", lambda lib, F: lib.tensor("abc"), TypeError, r"tensor: cannot hold str"),
    ("tensor_of_none", lambda lib, F: lib.tensor(None), RuntimeError,
     r"tensor: could not infer a dtype for NoneType"),
    ("zeros_negative", lambda lib, F: lib.zeros(-1), RuntimeError,
     r"zeros: sizes must be non-negative, got \(-1,\)"),
    ("randn_negative", lambda lib, F: lib.randn(2, -3), RuntimeError,
     r"randn: sizes must be non-negative"),
    ("arange_zero_step", lambda lib, F: lib.arange(0, 5, 0), RuntimeError,
     r"arange: step must be nonzero"),
    ("arange_wrong_way", lambda lib, F: lib.arange(0, 5, -1), RuntimeError,
     r"arange: .* inconsistent signs"),
    ("int_negative_power", lambda lib, F: lib.tensor([1, 2]) ** -1, RuntimeError,
     r"Integers to negative integer powers are not allowed"),
    ("clamp_mixed_bounds", lambda lib, F: lib.ones(2).clamp(min=0.0, max=lib.ones(2)),
     TypeError, r"clamp: min and max must both be numbers or both Tensors"),
    ("linear_bias_shape", lambda lib, F: F.linear(lib.ones(2, 3), lib.ones(4, 3), lib.ones(5)),
     RuntimeError, r"linear: bias of shape \(5,\) does not fit the output of shape \(2, 4\)"),
    ("linear_features", lambda lib, F: F.linear(lib.ones(2, 3), lib.ones(4, 2)), RuntimeError,
     r"linear: input of shape \(2, 3\)"),
    ("hook_returns_float", lambda lib, F: _hook_returning_float(lib), TypeError,
     r"hook: a gradient hook must return None or a Tensor, got float"),
    ("grad_set_to_array", lambda lib, F: _set_grad(lib, np.ones(2)), TypeError,
     r"grad: assigned grad expected to be a Tensor or None, got ndarray"),
    ("grad_wrong_shape", lambda lib, F: _set_grad(lib, lib.ones(3)), RuntimeError,
     r"grad: attempting to assign a gradient of shape \(3,\) to a tensor of shape \(2,\)"),
    ("grad_wrong_dtype", lambda lib, F: _set_grad(lib, lib.ones(2, dtype=lib.float64)),
     RuntimeError, r"grad: attempting to assign a gradient of dtype float64"),
    ("bce_target_above_1", lambda lib, F: F.binary_cross_entropy(
        lib.tensor([0.5, 0.5]), lib.tensor([0.0, 2.0])), RuntimeError,
     r"binary_cross_entropy: target values must be probabilities in \[0, 1\]"),
    ("bce_target_below_0", lambda lib, F: F.binary_cross_entropy(
        lib.tensor([0.5, 0.5]), lib.tensor([-1.0, 1.0])), RuntimeError,
     r"binary_cross_entropy: target values"),
    ("bce_input_above_1", lambda lib, F: F.binary_cross_entropy(
        lib.tensor([1.5, 0.5]), lib.tensor([1.0, 1.0])), RuntimeError,
     r"binary_cross_entropy: input values must be probabilities"),
    ("max_over_empty_dim", lambda lib, F: lib.ones(0, 3).max(dim=0), IndexError,
     r"expected reduction dim 0 to have non-zero size"),
    ("amax_over_empty_dim", lambda lib, F: lib.ones(0, 3).amax(dim=0), IndexError,
     r"max: expected the reduced dims \(0,\) to have non-zero size"),
    ("argmax_over_empty_dim", lambda lib, F: lib.ones(0, 3).argmax(dim=0), IndexError,
     r"argmax: expected reduction dim 0 to have non-zero size"),
]


@pytest.mark.parametrize("name, call, error, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_pytorchs_type_with_a_clear_message(name, call, error, message):
    with pytest.raises(error, match=message):
        call(tg, F)
    if torch is not None:
        with pytest.raises(error):
            call(torch, torch.nn.functional)


# name, call(lib, nn) -> Tensor or tuple of Tensors, with the same values in both
VALID_EDGES = [
    ("flatten_empty_batch", lambda lib, nn: nn.Flatten()(lib.ones(0, 3, 4))),
    ("flatten_zero_dim", lambda lib, nn: lib.ones(0, 0, 3).flatten(1)),
    ("softmax_along_empty_dim", lambda lib, nn: lib.ones(0, 3).softmax(0)),
    ("log_softmax_along_empty_dim", lambda lib, nn: lib.ones(0, 3).log_softmax(0)),
    ("softmax_of_empty_batch", lambda lib, nn: lib.ones(0, 3).softmax(1)),
    ("max_dim_of_empty_batch", lambda lib, nn: tuple(lib.ones(0, 3).max(dim=1))),
    ("amax_of_empty_batch", lambda lib, nn: lib.ones(0, 3).amax(dim=1)),
    ("argmax_of_empty_batch", lambda lib, nn: lib.ones(0, 3).argmax(dim=1)),
    ("logsumexp_of_empty_batch", lambda lib, nn: lib.ones(0, 3).logsumexp(dim=1)),
    ("logsumexp_over_empty_dim", lambda lib, nn: lib.ones(0, 3).logsumexp(dim=0)),
    ("clamp_tensor_bounds_backward", lambda lib, nn: _clamp_backward(lib)),
]


def _as_arrays(result):
    results = result if isinstance(result, tuple) else (result,)
    return [np.asarray(r.detach().numpy()) for r in results]


@pytest.mark.parametrize("name, call", VALID_EDGES, ids=[e[0] for e in VALID_EDGES])
def test_valid_edge_cases_work_as_in_pytorch(name, call):
    ours = _as_arrays(call(tg, nn))
    if torch is None:
        assert all(array is not None for array in ours)
        return
    theirs = _as_arrays(call(torch, torch.nn))
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.shape == reference.shape
        np.testing.assert_array_equal(mine, reference)


def test_clamp_with_tensor_bounds_sends_gradients_to_the_bounds():
    grad_x, grad_low, grad_high = _clamp_backward(tg)
    # x = [1, -2, 3, 0.5], low = [0, 0, 5, 1], high = [4, 4, 4, 0.8]: x inside; below low;
    # low > high (everything to high); low > high again
    np.testing.assert_array_equal(grad_x.numpy(), [1, 0, 0, 0])
    np.testing.assert_array_equal(grad_low.numpy(), [0, 1, 0, 0])
    np.testing.assert_array_equal(grad_high.numpy(), [0, 0, 1, 1])


def test_linear_with_zero_input_features_gives_the_bias():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = nn.Linear(0, 2)
    assert any("zero-element" in str(warning.message) for warning in caught)
    assert layer.weight.shape == (2, 0)
    np.testing.assert_array_equal(layer.bias.numpy(), [0, 0])  # U(-0, 0), as in PyTorch
    np.testing.assert_array_equal(layer(tg.ones(3, 0)).numpy(), np.zeros((3, 2)))


def test_a_dataset_whose_samples_differ_in_field_count_is_named():
    class Ragged(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return (tg.tensor([1.0]), tg.tensor(1)) if index != 2 else (tg.tensor([1.0]),)

    with pytest.raises(RuntimeError, match=r"get_batch: sample 2 has 1 fields but sample 0 "
                                           r"has 2"):
        list(DataLoader(Ragged(), batch_size=4))


def test_grad_can_still_be_set_to_a_fitting_tensor_or_none():
    x = tg.ones(2, requires_grad=True)
    x.grad = tg.tensor([3.0, 4.0])
    np.testing.assert_array_equal(x.grad.numpy(), [3, 4])
    x.grad = None
    assert x.grad is None
