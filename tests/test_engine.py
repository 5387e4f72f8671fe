"""Semantics of the autograd engine: graph walk, accumulation, retain_graph, hooks, grad modes,
dtypes, grad(), devices, user-defined Functions and gradcheck's own failure reports."""

import re

import numpy as np
import pytest

import tinygrad_edu as tg


def leaf(values, device="cpu", dtype=tg.float64):
    return tg.tensor(values, dtype=dtype, device=device, requires_grad=True)


# ----- the graph walk ---------------------------------------------------------------------------


def test_reused_node_accumulates_every_use(device):
    a = leaf([1.0, -2.0], device)
    b = a + a
    c = b + b
    c.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 4.0])


def test_a_leaf_used_many_times_sums_in_place_without_touching_shared_gradients(device):
    w = leaf([1.0, 2.0], device)
    x = leaf([3.0, -1.0], device)
    a = x * 1.0
    # the last op runs first in backward: its Add hands one gradient tensor to both a and w,
    # w's first contribution; w's later ones are summed into an array of the engine's own,
    # in place from the third on, and a's gradient must not see any of them
    loss = (w * 2.0).sum() + (w * 3.0).sum() + (w * w).sum() + (a + w).sum()
    loss.backward()
    np.testing.assert_allclose(w.grad.numpy(), 1 + 2 + 3 + 2 * np.array([1.0, 2.0]))
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])
    steps = tg.zeros(2, dtype=tg.float64, device=device)
    for step in range(50):  # a weight shared by every step of a sequence
        steps = steps + w * float(step)
    w.grad = None
    steps.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [sum(range(50))] * 2)


def test_diamond_graph_sums_both_paths(device):
    x = leaf([0.3, -1.2, 2.0], device)
    left = x * 2.0
    right = x.exp()
    (left * right).sum().backward()
    values = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(values) + 2 * values * np.exp(values))


def test_shared_subgraph_visited_once_per_backward():
    x = leaf([2.0])
    shared = x * x  # used by two consumers, its backward must run once with the summed grad
    calls = []
    shared.register_hook(lambda grad: calls.append(grad.numpy().copy()))
    (shared * 3.0 + shared.sin()).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], 3.0 + np.cos(4.0))
    np.testing.assert_allclose(x.grad.numpy(), (3.0 + np.cos(4.0)) * 4.0)


def test_every_node_runs_after_all_of_its_consumers():
    # a graph whose depth-first order and creation order differ: c is used early and late
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    c = a * 2
    d = (c + 1).exp()
    e = (d * c).sum() + (c ** 2).sum() + d.sum()
    e.backward(retain_graph=True)
    nodes = tg.autograd.topological_order([e.grad_fn])
    for node in nodes:
        for value in node.inputs:
            if isinstance(value, tg.Tensor) and value.grad_fn is not None:
                assert value.grad_fn.backward_index > node.backward_index
                assert value.grad_fn.sequence_number < node.sequence_number
    # de/da = 2 (exp(c + 1) c + exp(c + 1) + 2 c + exp(c + 1))
    c_values, d_values = c.numpy(), d.numpy()
    expected = 2 * (d_values * c_values + d_values + 2 * c_values + d_values)
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-6)


def test_deep_chain_of_100000_ops_has_no_recursion_limit():
    x = leaf(1.0, dtype=tg.float32)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    assert y.item() == pytest.approx(100_001.0)
    y.backward()
    assert x.grad.item() == 1.0


# ----- retain_graph and accumulation ------------------------------------------------------------


def test_second_backward_through_freed_graph_names_retain_graph():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()


def test_second_backward_through_freed_graph_of_ops_that_save_nothing_raises():
    x = leaf([1.0, 2.0])
    loss = (x + 1.0).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()


def test_retain_graph_lets_gradients_accumulate():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * np.array([1.0, 2.0]))


def test_leaf_grad_accumulates_across_separate_graphs():
    x = leaf([1.0, -1.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0 + 2.0, 3.0 - 2.0])


def test_non_leaf_grad_is_none_unless_retained():
    x = leaf([1.0, 2.0])
    hidden = x * 2.0
    kept = x * 3.0
    kept.retain_grad()
    (hidden * kept).sum().backward()
    assert hidden.grad is None
    assert not hidden.is_leaf and x.is_leaf
    np.testing.assert_allclose(kept.grad.numpy(), [2.0, 4.0])  # d(hidden*kept)/dkept = hidden


def test_grads_of_two_leaves_are_independent_arrays():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.data[0] = 100.0  # optimizers and clipping update .grad in place
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_grad_of_an_expanded_leaf_is_writable_and_private():
    a = leaf([2.0])
    loss = a.expand(3).sum()
    loss.backward()
    a.grad.data *= 2.0
    np.testing.assert_array_equal(a.grad.numpy(), [6.0])


def test_backward_of_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="scalar"):
        (x * 2.0).backward()
    (x * 2.0).backward(tg.tensor([1.0, -1.0], dtype=tg.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -2.0])


def test_backward_gradient_of_wrong_shape_is_rejected():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        (x * 2.0).backward(tg.ones(3, dtype=tg.float64))


# ----- hooks ------------------------------------------------------------------------------------


def test_hook_on_leaf_replaces_its_gradient_and_can_be_removed():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda grad: seen.append(grad.numpy().copy()) or grad * 10.0)
    (x * x).sum().backward()
    np.testing.assert_allclose(seen[0], [2.0, 4.0])
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 40.0])
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    assert len(seen) == 1


def test_hook_on_non_leaf_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    middle = x * 3.0
    handle = middle.register_hook(lambda grad: grad * 0.5)
    (middle * middle).sum().backward()
    # d/dmiddle = 2 middle, halved by the hook, then times dmiddle/dx = 3
    np.testing.assert_allclose(x.grad.numpy(), 0.5 * 2 * 3.0 * np.array([1.0, 2.0]) * 3.0)
    handle.remove()
    x.grad = None
    middle = x * 3.0
    (middle * middle).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 3.0 * np.array([1.0, 2.0]) * 3.0)


def test_hook_returning_none_keeps_the_gradient():
    x = leaf([1.0])
    x.register_hook(lambda grad: None)
    (x * 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0])


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="require grad"):
        tg.ones(2).register_hook(lambda grad: grad)


# ----- grad modes -------------------------------------------------------------------------------


def test_no_grad_context_builds_no_graph_and_restores_mode():
    x = leaf([1.0])
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        y = x * 2.0
    assert tg.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad


def test_enable_grad_inside_no_grad_and_nesting():
    x = leaf([1.0])
    with tg.no_grad():
        with tg.enable_grad():
            assert tg.is_grad_enabled()
            y = x * 2.0
            with tg.no_grad():
                z = x * 2.0
            assert tg.is_grad_enabled()
        assert not tg.is_grad_enabled()
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad


def test_grad_modes_as_decorators():
    x = leaf([1.0])

    @tg.no_grad()
    def frozen(t):
        return t * 2.0

    @tg.enable_grad()
    def recorded(t):
        return t * 2.0

    assert not frozen(x).requires_grad
    with tg.no_grad():
        assert recorded(x).requires_grad
        assert not tg.is_grad_enabled()
    assert frozen.__name__ == "frozen"


def test_grad_mode_restored_after_exception():
    with pytest.raises(ZeroDivisionError):
        with tg.no_grad():
            raise ZeroDivisionError
    assert tg.is_grad_enabled()


def test_detach_shares_data_but_leaves_the_graph():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.data, y.data)
    (d * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])  # no gradient through d


def test_requires_grad_only_for_floating_leaves():
    with pytest.raises(RuntimeError, match="int64"):
        tg.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating"):
        tg.tensor([1, 2], requires_grad=True)
    x = tg.tensor([1.0]).requires_grad_()
    assert x.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2.0).requires_grad_(False)
    assert x.requires_grad_(False).requires_grad is False


# ----- dtypes -----------------------------------------------------------------------------------


def test_dtype_inference_follows_pytorch():
    assert tg.tensor([1.0, 2.0]).dtype == tg.float32
    assert tg.tensor(2.5).dtype == tg.float32
    assert tg.tensor([1, 2]).dtype == tg.int64
    assert tg.tensor([True, False]).dtype == tg.bool
    for dtype in (np.float64, np.float32, np.int32, np.int64, np.bool_):
        assert tg.tensor(np.zeros(2, dtype=dtype)).dtype == np.dtype(dtype)
    assert tg.tensor([1, 2], dtype=tg.float64).dtype == tg.float64


def test_float32_with_python_scalars_stays_float32():
    x = leaf([1.0, 2.0], dtype=tg.float32)
    results = [x + 1.5, 2.5 * x, x / 3.0, 1.0 / x, x**2, x**0.5, 2.0**x, x - 1, x.maximum(0.5),
               x.clamp(min=0.1), tg.where(x > 1.0, x, 0.0), x * True, x * np.float64(2.0),
               np.float64(0.5) + x, x.maximum(np.float64(1.5))]
    for result in results:
        assert result.dtype == tg.float32
    loss = sum(result.sum() for result in results)
    assert loss.dtype == tg.float32
    loss.backward()
    assert x.grad.dtype == tg.float32


def test_gradients_of_float32_graphs_are_float32():
    x = leaf(np.ones((2, 3)), dtype=tg.float32)
    w = leaf(np.ones((3, 2)), dtype=tg.float32)
    ((x @ w).relu().log_softmax(dim=1).mean() + x.var() + x.logsumexp(dim=0).sum()).backward()
    assert x.grad.dtype == tg.float32 and w.grad.dtype == tg.float32


def test_comparisons_give_boolean_tensors_without_grad():
    x = leaf([1.0, 2.0, 3.0])
    for mask in (x < 2.0, x <= 2.0, x > 2.0, x >= 2.0, x == 2.0, x != 2.0):
        assert mask.dtype == tg.bool and not mask.requires_grad


# ----- tg.grad and second derivatives -----------------------------------------------------------


def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    x = leaf([1.0, 2.0])
    y = leaf([3.0])
    gx, gy = tg.grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(gy.numpy(), [3.0])
    assert x.grad is None and y.grad is None


def test_grad_unused_input_raises_unless_allowed():
    x = leaf([1.0])
    unused = leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.grad((x * 2.0).sum(), [x, unused], retain_graph=True)
    gx, gu = tg.grad((x * 2.0).sum(), [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.numpy(), [2.0])


def test_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    middle = x * 3.0
    (g,) = tg.grad((middle * middle).sum(), middle)
    np.testing.assert_allclose(g.numpy(), 2 * 3.0 * np.array([1.0, 2.0]))


def test_second_derivative_of_cube_is_six_x(device):
    x = leaf([-1.5, 0.5, 2.0], device)
    (first,) = tg.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.numpy(), 3 * np.array([-1.5, 0.5, 2.0]) ** 2)
    assert first.requires_grad
    (second,) = tg.grad(first.sum(), x)
    np.testing.assert_allclose(second.numpy(), 6 * np.array([-1.5, 0.5, 2.0]))


def test_second_derivative_through_0d_outputs():
    # NumPy returns 0-d results as scalars; the output saved for backward must stay in the graph
    x = leaf(0.5)
    (first,) = tg.grad(x.exp() + x.sqrt() + x.tanh(), x, create_graph=True)
    (second,) = tg.grad(first, x)
    expected = np.exp(0.5) - 0.25 * 0.5**-1.5 - 2 * np.tanh(0.5) * (1 - np.tanh(0.5) ** 2)
    assert second.item() == pytest.approx(expected, rel=1e-12)


def test_backward_with_create_graph_gives_differentiable_grad():
    x = leaf([2.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (second,) = tg.grad(x.grad.sum(), x)
    np.testing.assert_allclose(second.numpy(), [12.0])


def test_hvp_matches_explicit_hessian():
    rng = np.random.default_rng(0)
    x = leaf(rng.standard_normal(4))
    a = tg.tensor(rng.standard_normal((4, 4)), dtype=tg.float64)
    v = tg.tensor(rng.standard_normal(4), dtype=tg.float64)

    def func(t):
        return (t.sin() * (a @ t)).sum() + (t**4).sum()

    value, product = tg.autograd.functional.hvp(func, x, v)
    hessian = tg.autograd.functional.hessian(func, x)
    assert hessian.shape == (4, 4)
    np.testing.assert_allclose(value.item(), func(x).item())
    np.testing.assert_allclose(product.numpy(), hessian.numpy() @ v.numpy(), rtol=1e-12)
    # the Hessian of a smooth function is symmetric, and for this one known in closed form
    s = x.numpy()
    expected = (np.diag(-np.sin(s) * (a.numpy() @ s)) + np.cos(s)[:, None] * a.numpy()
                + (np.cos(s)[:, None] * a.numpy()).T + np.diag(12 * s**2))
    np.testing.assert_allclose(hessian.numpy(), expected, rtol=1e-12, atol=1e-12)


# ----- devices ----------------------------------------------------------------------------------

HAS_CUDA = tg.cuda.is_available()  # a GPU, or the strict CuPy stand-in (tests/conftest.py)


def test_unknown_device_is_rejected():
    with pytest.raises(ValueError, match="'tpu'"):
        tg.zeros(2, device="tpu")


@pytest.mark.skipif(not HAS_CUDA, reason="needs CuPy and a GPU")
def test_moving_between_devices_is_differentiable():
    x = leaf([1.0, 2.0])
    on_gpu = x.to("cuda")
    assert on_gpu.device == "cuda" and on_gpu.cuda().device == "cuda"
    back = (on_gpu * 3.0).cpu()
    assert back.device == "cpu"
    back.sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


@pytest.mark.skipif(not HAS_CUDA, reason="needs CuPy and a GPU")
def test_mixing_devices_names_both():
    with pytest.raises(RuntimeError, match="cpu.*cuda|cuda.*cpu"):
        tg.ones(2) + tg.ones(2, device="cuda")


# ----- user-defined Functions -------------------------------------------------------------------


class Cube(tg.autograd.Function):
    """y = x^3;  dy/dx = 3x^2, written with Tensor ops so it is itself differentiable."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3.0 * x * x


class ScaledBy(tg.autograd.Function):
    """y = x * factor for a constant factor;  dy/dx = factor (no gradient for the factor)."""

    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x * factor

    @staticmethod
    def backward(ctx, grad_output):
        assert ctx.needs_input_grad == (True, False)
        return grad_output * ctx.factor, None


class WrongSquare(tg.autograd.Function):
    """y = x^2 with a deliberately wrong backward: 3x instead of 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3.0 * x


def test_user_function_forward_backward_and_saved_tensors(device):
    x = leaf([1.0, -2.0], device)
    y = Cube.apply(x)
    assert isinstance(y.grad_fn, Cube)
    (saved,) = y.grad_fn.saved_tensors
    assert saved is x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])


def test_user_function_double_backprop(device):
    x = leaf([1.0, -2.0], device)
    (first,) = tg.grad(Cube.apply(x).sum(), x, create_graph=True)
    (second,) = tg.grad(first.sum(), x)
    np.testing.assert_allclose(second.numpy(), [6.0, -12.0])
    assert tg.gradgradcheck(Cube.apply, (x,))


def test_user_function_with_constant_argument():
    x = leaf([1.0, 2.0])
    ScaledBy.apply(x, 4.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])


def test_user_function_saved_tensors_freed_after_backward():
    x = leaf([1.0])
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        _ = y.grad_fn.saved_tensors


# ----- gradcheck reports what is wrong ----------------------------------------------------------


def test_gradcheck_passes_a_correct_user_function():
    assert tg.gradcheck(Cube.apply, (leaf([0.5, -1.0, 2.0]),))


def test_gradcheck_names_function_input_and_worst_element():
    scale = leaf([1.0])
    x = leaf([0.5, -1.0, 2.0])

    def uses_wrong_square(scale, x):
        return scale * x + WrongSquare.apply(x)

    with pytest.raises(tg.GradcheckError) as failure:
        tg.gradcheck(uses_wrong_square, (scale, x))
    message = str(failure.value)
    assert "uses_wrong_square" in message
    assert "input 1 (shape (3,))" in message  # `scale` gets its gradient right, x does not
    found = re.search(r"worst element \((\d+),\): analytic (\S+) vs numeric (\S+)", message)
    assert found, message
    element, analytic, numeric = int(found[1]), float(found[2]), float(found[3])
    # for upstream v: analytic = v (1 + 3x), numeric = v (1 + 2x) at the reported element
    upstream = numeric / (1.0 + 2.0 * x.numpy()[element])
    assert analytic == pytest.approx(upstream * (1.0 + 3.0 * x.numpy()[element]), rel=1e-6)


def test_gradcheck_returns_false_without_raising():
    x = leaf([0.5, -1.0])
    assert tg.gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_requires_float64_inputs():
    with pytest.raises(ValueError, match="float64"):
        tg.gradcheck(Cube.apply, (leaf([1.0], dtype=tg.float32),))
