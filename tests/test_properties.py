"""Property tests: broadcasting against NumPy for random compatible shapes, and a few
algebraic identities of softmax and logsumexp."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import tinygrad_edu as tg

SETTINGS = settings(max_examples=50, deadline=None)

shape_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)


def reduce_to_shape(gradient, shape):
    """The explicit adjoint of broadcasting: sum the leading axes, then the stretched ones."""
    leading = gradient.ndim - len(shape)
    gradient = gradient.sum(axis=tuple(range(leading)))
    stretched = tuple(axis for axis, size in enumerate(shape)
                      if size == 1 and gradient.shape[axis] != 1)
    return gradient.sum(axis=stretched, keepdims=True)


def arrays_for(shapes, seed):
    rng = np.random.default_rng(seed)
    return (np.asarray(rng.standard_normal(shapes.input_shapes[0])),
            np.asarray(rng.standard_normal(shapes.input_shapes[1])))


@pytest.mark.parametrize("name", ["add", "mul"])
@SETTINGS
@given(shapes=shape_pairs, seed=st.integers(0, 2**16))
def test_broadcast_forward_and_gradients_match_numpy(name, shapes, seed):
    a_values, b_values = arrays_for(shapes, seed)
    a = tg.tensor(a_values, requires_grad=True)
    b = tg.tensor(b_values, requires_grad=True)
    output = a + b if name == "add" else a * b
    expected = a_values + b_values if name == "add" else a_values * b_values
    assert output.shape == shapes.result_shape
    np.testing.assert_array_equal(output.numpy(), expected)

    upstream = np.random.default_rng(seed + 1).standard_normal(shapes.result_shape)
    output.backward(tg.tensor(upstream, dtype=tg.float64))
    local_a = np.ones_like(expected) if name == "add" else np.broadcast_to(b_values, expected.shape)
    local_b = np.ones_like(expected) if name == "add" else np.broadcast_to(a_values, expected.shape)
    assert a.grad.shape == a_values.shape and b.grad.shape == b_values.shape
    np.testing.assert_allclose(a.grad.numpy(), reduce_to_shape(upstream * local_a, a.shape),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), reduce_to_shape(upstream * local_b, b.shape),
                               rtol=1e-12, atol=1e-12)


@SETTINGS
@given(shapes=shape_pairs, seed=st.integers(0, 2**16))
def test_broadcast_keeps_float32(shapes, seed):
    a_values, b_values = arrays_for(shapes, seed)
    a = tg.tensor(a_values.astype(np.float32), requires_grad=True)
    b = tg.tensor(b_values.astype(np.float32), requires_grad=True)
    (a * b + a).sum().backward()
    assert a.grad.dtype == tg.float32 and b.grad.dtype == tg.float32
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


small_matrices = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**16))


@SETTINGS
@given(sizes=small_matrices, shift=st.floats(-50, 50), dim=st.sampled_from([0, 1, -1]))
def test_softmax_sums_to_one_and_is_shift_invariant(sizes, shift, dim):
    rows, columns, seed = sizes
    values = np.random.default_rng(seed).standard_normal((rows, columns)) * 5
    x = tg.tensor(values)
    probabilities = x.softmax(dim=dim).numpy()
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=dim), 1.0, rtol=1e-12)
    np.testing.assert_allclose((x + shift).softmax(dim=dim).numpy(), probabilities, rtol=1e-9,
                               atol=1e-15)
    np.testing.assert_allclose(np.exp(x.log_softmax(dim=dim).numpy()), probabilities,
                               rtol=1e-9)


@SETTINGS
@given(sizes=small_matrices, offset=st.sampled_from([-1000.0, 1000.0]))
def test_logsumexp_stable_far_from_zero(sizes, offset):
    rows, columns, seed = sizes
    values = np.random.default_rng(seed).standard_normal((rows, columns))
    x = tg.tensor(values + offset, requires_grad=True)
    result = x.logsumexp(dim=1)
    # logsumexp(x + c) = logsumexp(x) + c; exp(1000) alone overflows, exp(-1000) underflows
    reference = np.log(np.exp(values).sum(axis=1)) + offset
    assert np.all(np.isfinite(result.numpy()))
    np.testing.assert_allclose(result.numpy(), reference, rtol=1e-12)
    result.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x.softmax(dim=1).numpy(), rtol=1e-9)
    np.testing.assert_allclose(x.grad.numpy().sum(axis=1), 1.0, rtol=1e-12)


@SETTINGS
@given(sizes=small_matrices, offset=st.sampled_from([-1000.0, 1000.0]))
def test_softmax_and_log_softmax_finite_far_from_zero(sizes, offset):
    rows, columns, seed = sizes
    values = np.random.default_rng(seed).standard_normal((rows, columns))
    x = tg.tensor(values + offset, dtype=tg.float32, requires_grad=True)
    log_probabilities = x.log_softmax(dim=-1)
    assert log_probabilities.dtype == tg.float32
    assert np.all(np.isfinite(log_probabilities.numpy()))
    log_probabilities.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_allclose(x.softmax(dim=-1).numpy().sum(axis=-1), 1.0, rtol=1e-5)
