"""PyTorch's Tensor semantics (Contract v2): `.data`, `__array__`, in-place ops and operators,
differentiable `__setitem__`, version counters, type promotion, named-tuple reductions, and
PyTorch's zero gradients at the points where a naive formula gives NaN. Each test runs the same
code on tinygrad_edu and, where it is installed, on PyTorch, and compares."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


def _torch():
    return pytest.importorskip("torch")


# ----- .data and __array__ --------------------------------------------------------------------


def test_data_is_a_tensor_sharing_memory_outside_the_graph(device):
    p = tg.tensor([1.0, 2.0, 4.0], requires_grad=True, device=device)
    data = p.data
    assert isinstance(data, tg.Tensor) and not data.requires_grad and data.grad_fn is None
    data += 1.0  # in place on the shared memory: p changes
    assert p.tolist() == [2.0, 3.0, 5.0]
    p.data.mul_(2.0)
    assert p.tolist() == [4.0, 6.0, 10.0]
    assert p.requires_grad and p.is_leaf


def test_data_std_is_unbiased_as_pytorch():
    torch = _torch()
    values = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    ours = nn.Parameter(tg.tensor(values))
    theirs = torch.nn.Parameter(torch.tensor(values))
    np.testing.assert_allclose(ours.data.std().item(), theirs.data.std().item(), rtol=1e-6)
    np.testing.assert_allclose(ours.data.std().item(), values.std(ddof=1), rtol=1e-6)


def test_data_assignment_replaces_values():
    p = tg.zeros(3, requires_grad=True)
    p.data = tg.ones(3)
    assert p.tolist() == [1.0, 1.0, 1.0] and p.requires_grad
    p.data = np.full(3, 2.0, dtype=np.float32)
    assert p.tolist() == [2.0, 2.0, 2.0]


def test_data_normal_fills_the_parameter_in_place():
    p = nn.Parameter(tg.zeros(2000))
    p.data.normal_(0.0, 0.02)
    assert abs(p.data.std().item() - 0.02) < 0.002 and abs(p.data.mean().item()) < 0.002


def test_numpy_accepts_cpu_tensors_through_array():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.asarray(x).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert np.asarray(x).dtype == np.float32
    assert np.add(x, 1.0).tolist() == [[2.0, 3.0], [4.0, 5.0]]


def test_cuda_tensors_refuse_implicit_numpy_conversion():
    if "cuda" not in tg.available_devices():
        pytest.skip("no CUDA device")
    with pytest.raises(TypeError, match="cpu"):
        np.asarray(tg.ones(2, device="cuda"))


# ----- in-place ops ---------------------------------------------------------------------------


def test_augmented_assignment_updates_the_same_object(device):
    x = tg.tensor([1.0, 2.0], device=device)
    alias = x
    x += 1
    x *= 3
    x -= tg.tensor([1.0, 1.0], device=device)
    x /= 2
    assert x is alias and x.tolist() == [2.5, 4.0]


def test_in_place_methods_match_pytorch():
    torch = _torch()
    values = [[0.5, -1.0, 2.0], [3.0, -0.25, 1.5]]

    def run(module, tensor):
        x = tensor(values)
        x.add_(tensor([1.0, 2.0, 3.0]), alpha=0.5).mul_(2.0).sub_(1.0, alpha=3)
        x.clamp_(min=-1.0, max=6.0).div_(tensor(2.0)).pow_(2)
        x.masked_fill_(x > 4.0, -7.0)
        y = tensor(values).abs_().sqrt_().exp_().log_().neg_().tanh_().sigmoid_().relu_()
        z = tensor(values).zero_()
        w = tensor(values).fill_(3.5)
        c = tensor(values).copy_(tensor([9.0, 8.0, 7.0]))
        return [x.tolist(), y.tolist(), z.tolist(), w.tolist(), c.tolist()]

    ours = run(tg, tg.tensor)
    theirs = run(torch, torch.tensor)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_in_place_refuses_a_dtype_that_does_not_fit():
    torch = _torch()
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).add_(0.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.tensor([1, 2]).add_(0.5)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        tg.ones(3).add_(tg.ones(2, 3))


def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad():
    torch = _torch()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        torch.ones(2, requires_grad=True).add_(1)
    w = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 5.0
    with tg.no_grad():
        w -= 0.5 * tg.ones(2)
    assert w.tolist() == [0.5, 0.5] and w.is_leaf and w.requires_grad


def test_in_place_op_on_a_graph_tensor_is_differentiated_like_pytorch():
    torch = _torch()
    values = np.array([0.3, -1.2, 0.8])

    def run(tensor_fn):
        a = tensor_fn(values, requires_grad=True)
        b = tensor_fn(values[::-1].copy(), requires_grad=True)
        h = a * 2
        h.mul_(b)
        h += a
        h.exp_()
        (h * h).sum().backward()
        return a.grad.tolist(), b.grad.tolist(), h.tolist()

    ours = run(lambda v, requires_grad: tg.tensor(v, dtype=tg.float64,
                                                  requires_grad=requires_grad))
    theirs = run(lambda v, requires_grad: torch.tensor(v, dtype=torch.float64,
                                                       requires_grad=requires_grad))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_setitem_is_differentiable_like_pytorch():
    torch = _torch()
    rng = np.random.default_rng(1)
    base, row = rng.standard_normal((3, 4)), rng.standard_normal(4)

    def run(tensor_fn):
        x = tensor_fn(base)
        v = tensor_fn(row)
        y = x * 1.0
        y[1] = v * 3
        y[:, 0] = 0.0
        y[y > 1.0] = v.sum()
        (y * y).sum().backward()
        return x.grad.tolist(), v.grad.tolist(), y.tolist()

    ours = run(lambda a: tg.tensor(a, dtype=tg.float64, requires_grad=True))
    theirs = run(lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_setitem_without_graph_writes_in_place():
    x = tg.zeros(2, 3)
    view = x[0]
    x[0, 1] = 4.0
    x[1] = tg.tensor([1.0, 2.0, 3.0])
    assert x.tolist() == [[0.0, 4.0, 0.0], [1.0, 2.0, 3.0]] and view.tolist() == [0.0, 4.0, 0.0]


# ----- version counters -----------------------------------------------------------------------


def test_modifying_a_saved_output_in_place_raises_as_pytorch():
    torch = _torch()
    for module in (torch, tg):
        x = module.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.add_(1)  # exp's backward needs its output, now changed
        with pytest.raises(RuntimeError, match="modified by an inplace operation|in-place"):
            y.sum().backward()


def test_modifying_a_saved_input_in_place_names_the_op_and_shape():
    x = tg.tensor([[1.0, 2.0]], requires_grad=True)
    h = x * 2
    y = h * h
    with tg.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match=r"Mul.*\(1, 2\).*version 1; expected version 0"):
        y.sum().backward()


def test_optimizer_step_between_forward_and_backward_raises_as_pytorch():
    torch = _torch()
    for module, optim in ((torch.nn, torch.optim), (nn, tg.optim)):
        layer = module.Linear(3, 2)
        optimizer = optim.SGD(layer.parameters(), lr=0.1)
        loss = (layer(module.Linear(3, 3)(torch.ones(4, 3) if module is torch.nn
                                           else tg.ones(4, 3))) ** 2).sum()
        loss.backward(retain_graph=True)
        optimizer.step()
        with pytest.raises(RuntimeError):
            loss.backward()


def test_load_state_dict_counts_as_an_in_place_update():
    layer = nn.Linear(3, 2)
    loss = (layer(tg.ones(4, 3)) ** 2).sum()
    layer.load_state_dict(nn.Linear(3, 2).state_dict())
    with pytest.raises(RuntimeError, match="in-place"):
        loss.backward()


def test_views_share_the_version_counter():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 1.0
    y = (h * h).sum()
    with tg.no_grad():
        h[1:].mul_(2)  # a view of h: h's memory and version change
    assert h.tolist() == [1.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


@pytest.mark.parametrize("stop", ["detach", "data"])
def test_a_stopped_copy_of_x_is_a_constant_in_double_backward_as_in_pytorch(stop):
    torch = _torch()
    for module in (torch, tg):
        x = module.tensor([3.0, -1.0], dtype=module.float64, requires_grad=True)
        stopped = x.detach() if stop == "detach" else x.data
        (first,) = module.autograd.grad((x * stopped).sum(), [x], create_graph=True)
        assert first.tolist() == [3.0, -1.0]
        assert not first.requires_grad  # d/dx of x.detach() is 0: no graph to differentiate
        (first,) = module.autograd.grad((x * stopped * x).sum(), [x], create_graph=True)
        (second,) = module.autograd.grad(first.sum(), [x])
        assert second.tolist() == [6.0, -2.0]  # d2/dx2 of c x^2 is 2c, c the stopped copy


def test_two_tensors_from_one_numpy_array_stay_apart_in_double_backward():
    torch = _torch()
    values = np.array([3.0, -1.0])
    for module in (torch, tg):
        x = module.from_numpy(values.copy()).requires_grad_()
        shared = values.copy()
        a, b = module.from_numpy(shared).requires_grad_(), module.from_numpy(shared)
        (first,) = module.autograd.grad((a * b * x).sum(), [a], create_graph=True)
        (second,) = module.autograd.grad(first.sum(), [x])
        assert second.tolist() == [3.0, -1.0]  # d/dx of (b x), b a constant
        assert not module.autograd.grad((a * b).sum(), [a], create_graph=True)[0].requires_grad


SAVED_OUTPUT_CHANGES = {  # how a saved output's memory changes after forward; raises?
    "through a view": (lambda m, y: y[0:1].mul_(2), True),
    "through detach()": (lambda m, y: y.detach().add_(1), True),
    "through a view of a detached view": (lambda m, y: y.detach()[1:].zero_(), True),
    "through .data (its own counter)": (lambda m, y: y.data.add_(1), False),
    "a clone changed instead": (lambda m, y: y.clone().add_(1), False),
}


@pytest.mark.parametrize("change", list(SAVED_OUTPUT_CHANGES), ids=str)
@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid"])
def test_changes_to_a_saved_output_are_caught_as_pytorch_catches_them(op, change):
    torch = _torch()
    write, raises = SAVED_OUTPUT_CHANGES[change]
    for module in (torch, tg):
        x = module.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = getattr(x, op)()  # each of these ops saves its output for backward
        with module.no_grad():
            write(module, y)
        if raises:
            with pytest.raises(RuntimeError, match="modified by an inplace operation|in-place"):
                y.sum().backward()
        else:
            y.sum().backward()
            assert x.grad is not None


def test_a_saved_output_seen_before_its_first_change_shares_the_node_counter():
    from tinygrad_edu.autograd.function import version_counter

    x = tg.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()
    unpacked = y.grad_fn.output  # a Tensor on y's memory, made by the node
    assert unpacked.grad_fn is y.grad_fn and unpacked._data is y._data
    with tg.no_grad():
        unpacked.add_(1)  # changes y's memory through the node's own view of it
    assert version_counter(y).value == 1  # y's counter, made now, is the node's
    with pytest.raises(RuntimeError, match=r"Exp.*\(2,\).*version 1; expected version 0"):
        y.sum().backward()


def test_an_output_rebased_by_an_in_place_op_is_checked_at_its_new_version():
    torch = _torch()
    for module in (torch, tg):
        x = module.tensor([0.5, 1.0], requires_grad=True)
        y = x * 1.0
        y.exp_()  # exp_ saves its output: y itself, now at version 1
        y.sum().backward(retain_graph=True)
        expected = np.exp(np.array([0.5, 1.0]))
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
        with module.no_grad():
            y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation|in-place"):
            y.sum().backward()


# ----- type promotion -------------------------------------------------------------------------

PROMOTION_CASES = [
    ("int * 0.5", lambda m, t: t([1, 2]) * 0.5),
    ("int + 1", lambda m, t: t([1, 2]) + 1),
    ("int / int", lambda m, t: t([1, 2]) / t([2, 4])),
    ("int / 2", lambda m, t: t([1, 2]) / 2),
    ("2 / int", lambda m, t: 2 / t([1, 2])),
    ("float32 ** int64", lambda m, t: t([1.5, 2.0]) ** t([2, 3])),
    ("int64 * float32", lambda m, t: t([1, 2]) * t([0.5, 1.5])),
    ("float32 * float64 0-d", lambda m, t: t([1.0, 2.0]) * t(0.5, dtype=m.float64)),
    ("float32 * int 0-d", lambda m, t: t([1.0, 2.0]) * t(3)),
    ("int * float 0-d", lambda m, t: t([1, 2]) * t(0.5, dtype=m.float64)),
    ("int32 + int64", lambda m, t: t([1], dtype=m.int32) + t([2])),
    ("bool + bool", lambda m, t: t([True]) + t([False])),
    ("bool * 2.5", lambda m, t: t([True, False]) * 2.5),
    ("uint8 + int8", lambda m, t: t([1], dtype=m.uint8) + t([2], dtype=m.int8)),
    ("float16 * 2.0", lambda m, t: t([1.0], dtype=m.float16) * 2.0),
    ("float64 - float32", lambda m, t: t([1.0], dtype=m.float64) - t([2.0])),
    ("int.sigmoid()", lambda m, t: t([0, 1]).sigmoid()),
    ("int.exp()", lambda m, t: t([0, 1]).exp()),
    ("int.sqrt()", lambda m, t: t([1, 4]).sqrt()),
    ("int.sum()", lambda m, t: t([1, 2], dtype=m.int32).sum()),
    ("bool.sum()", lambda m, t: t([True, True]).sum()),
    ("maximum int float", lambda m, t: m.maximum(t([1, 5]), t([2.5, 0.5]))),
    ("where float32 float64", lambda m, t: m.where(t([True, False]), t([1.0]),
                                                   t([2.0], dtype=m.float64))),
]


@pytest.mark.parametrize("name, compute", PROMOTION_CASES, ids=[c[0] for c in PROMOTION_CASES])
def test_type_promotion_matches_pytorch(name, compute):
    torch = _torch()
    ours = compute(tg, tg.tensor)
    theirs = compute(torch, torch.tensor)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), name
    np.testing.assert_allclose(np.asarray(ours.tolist(), dtype=float),
                               np.asarray(theirs.tolist(), dtype=float), rtol=1e-3)


def test_default_dtype_can_be_changed():
    try:
        tg.set_default_dtype(tg.float64)
        assert tg.tensor([1.0]).dtype == tg.float64
        assert (tg.tensor([1, 2]) * 0.5).dtype == tg.float64
    finally:
        tg.set_default_dtype(tg.float32)
    assert tg.get_default_dtype() == tg.float32
    with pytest.raises(TypeError):
        tg.set_default_dtype(tg.int64)


def test_mean_of_integers_raises_as_pytorch():
    torch = _torch()
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="mean"):
        tg.tensor([1, 2]).mean()


def test_integer_to_negative_power_raises_as_pytorch():
    torch = _torch()
    with pytest.raises(RuntimeError, match="negative integer powers"):
        torch.tensor([1, 2]) ** -1
    with pytest.raises(RuntimeError, match="negative integer powers"):
        tg.tensor([1, 2]) ** -1
    exponents = [-1, 2, -3, 0]
    ours = tg.tensor([2, 3, -1, 5]) ** tg.tensor(exponents)
    theirs = torch.tensor([2, 3, -1, 5]) ** torch.tensor(exponents)
    assert ours.tolist() == theirs.tolist() and ours.dtype == tg.int64


def test_leaf_grad_keeps_the_leaf_dtype_and_shape():
    w = tg.ones(3, requires_grad=True)  # float32
    (w * tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64)).sum().backward()
    assert w.grad.dtype == tg.float32 and w.grad.shape == (3,)
    b = tg.ones(1, requires_grad=True)
    (b + tg.ones(4, 3)).sum().backward()
    assert b.grad.shape == (1,) and b.grad.tolist() == [12.0]


def test_a_hook_changing_the_shape_raises():
    w = tg.ones(3, requires_grad=True)
    w.register_hook(lambda grad: grad.sum())
    with pytest.raises(RuntimeError, match="shape"):
        (w * 2).sum().backward()
    h = tg.ones(3, requires_grad=True) * 2
    h.register_hook(lambda grad: 1.0)
    with pytest.raises(TypeError, match="hook"):
        h.sum().backward()


# ----- named-tuple reductions, keepdims, correction ------------------------------------------


def test_max_min_sort_topk_return_values_and_indices_like_pytorch():
    torch = _torch()
    values = np.array([[3.0, -1.0, 7.0, 0.5], [2.0, 9.0, -4.0, 1.0], [0.0, 0.25, 6.0, 8.0]])

    def run(tensor_fn):
        x = tensor_fn(values)
        m = x.max(dim=1)
        n = x.min(0, keepdim=True)
        s = x.sort(dim=-1, descending=True)
        k = x.topk(2, dim=0, largest=False)
        total = m.values.sum() + n[0].sum() + (s.values * tensor_fn(values)).sum() + k[0].sum()
        total.backward()
        return [m.indices.tolist(), n.indices.tolist(), s.indices.tolist(), k.indices.tolist(),
                m.values.tolist(), s.values.tolist(), x.grad.tolist(), x.max().tolist()]

    ours = run(lambda v: tg.tensor(v, dtype=tg.float64, requires_grad=True))
    theirs = run(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b)
    assert tg.tensor([[1.0, 2.0]]).max(1).indices.dtype == tg.int64


def test_keepdims_alias_and_var_correction_match_pytorch():
    torch = _torch()
    values = np.random.default_rng(2).standard_normal((3, 5))
    ours, theirs = tg.tensor(values), torch.tensor(values)
    pairs = [
        (ours.sum(1, keepdims=True), theirs.sum(1, keepdims=True)),
        (ours.mean(0, keepdims=True), theirs.mean(0, keepdims=True)),
        (ours.var(1, correction=0), theirs.var(1, correction=0)),
        (ours.var(1, correction=2), theirs.var(1, correction=2)),
        (ours.std(0, unbiased=False), theirs.std(0, unbiased=False)),
        (ours.std(), theirs.std()),
        (ours.amax(1, keepdims=True), theirs.amax(1, keepdims=True)),
    ]
    for a, b in pairs:
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.tolist(), b.tolist(), rtol=1e-10)


# ----- zero gradients where a naive formula gives NaN ----------------------------------------


def test_std_of_a_constant_has_zero_gradient_as_pytorch():
    torch = _torch()
    for module in (tg, torch):
        x = module.tensor([2.0, 2.0, 2.0], requires_grad=True)
        x.std().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_zero_to_the_power_y_has_zero_gradient_in_y_as_pytorch():
    torch = _torch()
    for module in (tg, torch):
        base = module.tensor([0.0, 2.0, 0.0])
        y = module.tensor([1.5, 0.5, 0.0], requires_grad=True)
        (base**y).sum().backward()
        scalar = module.tensor([1.0, 2.0], requires_grad=True)
        (0.0**scalar).sum().backward()
        assert np.isfinite(y.grad.tolist()).all() and y.grad.tolist()[0] == 0.0
        assert scalar.grad.tolist() == [0.0, 0.0]


def test_nll_and_cross_entropy_with_every_target_ignored_have_zero_gradient():
    torch = _torch()
    for module in (tg, torch):
        functional = module.nn.functional
        logits = module.tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
        target = module.tensor([-100, -100])
        loss = functional.nll_loss(logits.log_softmax(1), target) + \
            functional.cross_entropy(logits, target)
        loss.backward()
        assert np.isnan(loss.item())
        assert logits.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
