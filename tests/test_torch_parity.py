"""The registry against PyTorch: forward values and gradients in float64, dtypes in float32,
and the gradient conventions at kinks and ties, where finite differences cannot decide."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tests.registry import all_ops, sample_cases

torch = pytest.importorskip("torch")

WITH_TWIN = [entry for entry in all_ops() if entry.torch_function is not None]


def cases():
    return sample_cases(WITH_TWIN)


def both_inputs(entry, index, device, dtype):
    """Sample `index` as tinygrad tensors on `device` and as torch CPU tensors: float arrays
    rounded to `dtype`, ours in `dtype` and torch's in float64 (the reference), requiring grad;
    integer/boolean arrays as constants."""
    arrays = entry.samples(np.random.default_rng(0))[index]
    ours, theirs = [], []
    for array in arrays:
        if array.dtype.kind == "f":
            rounded = array.astype(dtype)
            ours.append(tg.tensor(rounded, device=device, requires_grad=True))
            theirs.append(torch.tensor(rounded, dtype=torch.float64, requires_grad=True))
        else:
            ours.append(tg.tensor(array, device=device))
            theirs.append(torch.from_numpy(array))
    return ours, theirs


def as_tuple(value):
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def run_both(entry, index, device, dtype):
    """Outputs and input gradients (for one random upstream gradient per output) of both."""
    ours, theirs = both_inputs(entry, index, device, dtype)
    our_outputs = as_tuple(entry.function(*ours))
    their_outputs = as_tuple(entry.torch_function(*theirs))
    assert len(our_outputs) == len(their_outputs), entry.name
    rng = np.random.default_rng(1)
    upstream = [rng.standard_normal(output.shape) for output in their_outputs]
    our_grads = tg.grad(list(our_outputs), [t for t in ours if t.requires_grad],
                        grad_outputs=[tg.tensor(u, dtype=o.dtype, device=device)
                                      for u, o in zip(upstream, our_outputs, strict=True)],
                        allow_unused=True)
    their_grads = torch.autograd.grad(
        their_outputs, [t for t in theirs if t.requires_grad],
        grad_outputs=[torch.tensor(u, dtype=o.dtype) for u, o in
                      zip(upstream, their_outputs, strict=True)], allow_unused=True)
    return our_outputs, their_outputs, our_grads, their_grads


def assert_close(ours, theirs, rtol, atol, what):
    """Values and shapes agree; a missing gradient (None) on one side must be zero on the other."""
    if ours is None or theirs is None:
        present = theirs.detach().numpy() if ours is None else ours.numpy()
        assert present is None or not np.any(present), f"{what}: missing on one side only"
        return
    expected = theirs.detach().numpy()
    actual = ours.numpy()
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} vs {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.parametrize("entry, index", cases())
def test_matches_torch_in_float64(entry, index, device):
    outputs, expected, grads, expected_grads = run_both(entry, index, device, tg.float64)
    for position, (ours, theirs) in enumerate(zip(outputs, expected, strict=True)):
        assert_close(ours, theirs, 1e-10, 1e-12, f"{entry.name}: output {position}")
    for position, (ours, theirs) in enumerate(zip(grads, expected_grads, strict=True)):
        assert_close(ours, theirs, 1e-10, 1e-12, f"{entry.name}: gradient of input {position}")


@pytest.mark.parametrize("entry, index", cases())
def test_float32_stays_float32(entry, index, device):
    """float32 in, float32 out and float32 gradients, close to PyTorch's float64 values."""
    outputs, expected, grads, expected_grads = run_both(entry, index, device, tg.float32)
    for position, (ours, theirs) in enumerate(zip(outputs, expected, strict=True)):
        assert ours.dtype == tg.float32, f"{entry.name}: output {position} is {ours.dtype}"
        assert_close(ours, theirs, 1e-4, 1e-5, f"{entry.name}: float32 output {position}")
    for position, (ours, theirs) in enumerate(zip(grads, expected_grads, strict=True)):
        assert ours is None or ours.dtype == tg.float32, f"{entry.name}: gradient {position}"
        assert_close(ours, theirs, 1e-4, 1e-5, f"{entry.name}: float32 gradient {position}")


# ----- conventions at kinks and ties (PyTorch's choices, named in API.md) ----------------------


def kink_cases():
    """(name, our function, torch function, input values placed exactly on kinks and ties)."""
    values = [-1.0, -0.5, 0.0, 0.5, 0.5, 1.0]
    return [
        ("relu_at_0", lambda x: x.relu(), lambda x: x.relu(), values),
        ("abs_at_0", lambda x: x.abs(), lambda x: x.abs(), values),
        ("clamp_on_boundaries", lambda x: x.clamp(min=-0.5, max=0.5),
         lambda x: x.clamp(min=-0.5, max=0.5), values),
        ("maximum_ties", lambda x: x[:3].maximum(x[3:]), lambda x: x[:3].maximum(x[3:]),
         [0.5, 0.0, 1.0, 0.5, 0.0, -1.0]),
        ("minimum_ties", lambda x: x[:3].minimum(x[3:]), lambda x: x[:3].minimum(x[3:]),
         [0.5, 0.0, 1.0, 0.5, 0.0, -1.0]),
        ("amax_ties", lambda x: x.reshape(2, 3).amax(dim=1), lambda x: x.reshape(2, 3).amax(dim=1),
         [1.0, 1.0, 0.0, 2.0, 2.0, 2.0]),
        ("amin_ties_all", lambda x: x.amin(), lambda x: x.amin(), [0.0, 0.0, 1.0, 0.0, 2.0, 3.0]),
        ("max_ties_all", lambda x: x.max(), lambda x: x.max(), [3.0, 0.0, 3.0, 1.0, 3.0, 2.0]),
    ]


@pytest.mark.parametrize("name, ours, theirs, values", kink_cases(),
                         ids=[case[0] for case in kink_cases()])
def test_gradient_conventions_at_kinks_match_torch(name, ours, theirs, values, device):
    x = tg.tensor(values, dtype=tg.float64, device=device, requires_grad=True)
    x_torch = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    output, expected = ours(x), theirs(x_torch)
    upstream = np.arange(1.0, 1.0 + expected.numel()).reshape(tuple(expected.shape))
    output.backward(tg.tensor(upstream, dtype=tg.float64, device=device))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(output.numpy(), expected.detach().numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(x.grad.numpy(), x_torch.grad.numpy(), rtol=1e-15, atol=0,
                               err_msg=name)
