"""Bad input gets an error that names the op and the offending shapes or values."""

import re

import numpy as np
import pytest

import tinygrad_edu as tg

pytestmark = pytest.mark.usefixtures("default_device")  # every test on every device


@pytest.mark.parametrize("op_name, apply", [
    ("Add", lambda a, b: a + b),
    ("Sub", lambda a, b: a - b),
    ("Mul", lambda a, b: a * b),
    ("Div", lambda a, b: a / b),
    ("Pow", lambda a, b: a**b),
    ("Maximum", lambda a, b: a.maximum(b)),
    ("Minimum", lambda a, b: tg.minimum(a, b)),
])
def test_binary_shape_mismatch_names_op_and_both_shapes(op_name, apply, device):
    a = tg.ones(3, 4, device=device)
    b = tg.ones(5, device=device)
    with pytest.raises(RuntimeError) as failure:  # PyTorch's type
        apply(a, b)
    message = str(failure.value)
    assert message.startswith(op_name), message
    assert "(3, 4)" in message and "(5,)" in message


def test_binary_shape_mismatch_with_numpy_operand():
    with pytest.raises(RuntimeError, match=r"Add: shapes \(2, 3\) and \(2,\)"):
        tg.ones(2, 3, device="cpu") + np.ones(2, dtype=np.float32)


def test_where_shape_mismatch_names_every_shape():
    with pytest.raises(RuntimeError, match=r"Where: shapes \(3,\) and \(3,\) and \(4,\)"):
        tg.where(tg.ones(3) > 0, tg.ones(3), tg.ones(4))


def test_where_needs_a_boolean_condition():
    with pytest.raises(TypeError, match="where.*boolean.*float32"):
        tg.where(tg.ones(3), tg.ones(3), tg.ones(3))


def test_matmul_inner_dimension_mismatch():
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(2, 3\)"):
        tg.ones(2, 3) @ tg.ones(2, 3)


def test_matmul_vector_mismatch_and_batch_mismatch():
    with pytest.raises(RuntimeError, match="matmul.*3 columns.*4 rows"):
        tg.ones(3) @ tg.ones(4)
    with pytest.raises(RuntimeError, match=r"matmul.*batch.*\(2, 2, 3\).*\(3, 3, 2\)"):
        tg.ones(2, 2, 3) @ tg.ones(3, 3, 2)


def test_matmul_of_0d_tensor():
    with pytest.raises(RuntimeError, match=r"matmul.*\(\)"):
        tg.tensor(2.0) @ tg.ones(2)


@pytest.mark.parametrize("call, op_name", [
    (lambda t: t.sum(dim=5), "sum"),
    (lambda t: t.mean(dim=-3), "mean"),
    (lambda t: t.amax(dim=2), "amax"),
    (lambda t: t.var(dim=(0, 7)), "var"),
    (lambda t: t.logsumexp(dim=2), "logsumexp"),
    (lambda t: t.softmax(dim=2), "softmax"),
    (lambda t: t.log_softmax(dim=-3), "log_softmax"),
    (lambda t: t.transpose(0, 2), "transpose"),
    (lambda t: t.unsqueeze(3), "unsqueeze"),
    (lambda t: t.squeeze(4), "squeeze"),
    (lambda t: t.flatten(start_dim=2), "flatten"),
    (lambda t: t.split(1, dim=2), "split"),
    (lambda t: tg.cat([t, t], dim=2), "cat"),
    (lambda t: tg.stack([t, t], dim=4), "stack"),
])
def test_dim_out_of_range_names_op_dim_and_valid_range(call, op_name):
    with pytest.raises(IndexError) as failure:
        call(tg.ones(2, 3))
    message = str(failure.value)
    assert message.startswith(op_name) and "out of range" in message, message
    assert re.search(r"expected an int in \[-[23], [12]\]", message), message


def test_same_dim_twice():
    with pytest.raises(ValueError, match="sum.*same dimension twice"):
        tg.ones(2, 3).sum(dim=(1, -1))


def test_permute_needs_a_permutation():
    with pytest.raises(ValueError, match=r"permute.*\(0, 0\).*\(2, 3\)"):
        tg.ones(2, 3).permute(0, 0)


def test_index_out_of_range_names_index_and_shape():
    with pytest.raises(IndexError, match=r"getitem.*5.*\(2, 3\)"):
        tg.ones(2, 3)[5]
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        tg.ones(2, 3)[:, tg.tensor([0, 3])]


def test_float_index_tensor_is_rejected():
    with pytest.raises(IndexError, match="getitem.*integer or boolean.*float32"):
        tg.ones(2, 3)[tg.tensor([0.0, 1.0])]


def test_boolean_mask_of_wrong_shape():
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        tg.ones(2, 3)[tg.tensor([True, False, True])]


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="requires_grad_.*floating.*int64"):
        tg.arange(3).requires_grad_()
    with pytest.raises(RuntimeError, match="floating.*bool"):
        tg.tensor([True, False], requires_grad=True)


def test_gradient_checks_need_float64():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"gradcheck: input 0 is float32.*double"):
        tg.gradcheck(lambda t: t * 2.0, (x,))
    with pytest.raises(ValueError, match="gradgradcheck: no input requires grad"):
        tg.gradgradcheck(lambda t: t * 2.0, (tg.ones(2, dtype=tg.float64),))


def test_reshape_to_incompatible_shape():
    with pytest.raises(RuntimeError, match=r"reshape.*\(2, 3\).*6 elements.*\(4, 2\)"):
        tg.ones(2, 3).reshape(4, 2)
    with pytest.raises(RuntimeError, match=r"reshape.*\(2, 3\)"):
        tg.ones(2, 3).view(-1, 4)


def test_expand_to_incompatible_shape():
    with pytest.raises(RuntimeError, match=r"expand.*\(2, 3\).*\(2, 4\)"):
        tg.ones(2, 3).expand(2, 4)
    with pytest.raises(RuntimeError, match=r"expand.*\(2, 3\)"):
        tg.ones(2, 3).expand(3)


def test_cat_of_mismatched_shapes_names_tensor_and_shapes():
    with pytest.raises(RuntimeError, match=r"cat: tensor 1 has shape \(2, 4\).*\(2, 3\)"):
        tg.cat([tg.ones(2, 3), tg.ones(2, 4)])
    with pytest.raises(ValueError, match="cat: expected a non-empty"):
        tg.cat([])


def test_stack_of_mismatched_shapes():
    with pytest.raises(RuntimeError, match=r"stack: tensor 2 has shape \(3,\).*\(2,\)"):
        tg.stack([tg.ones(2), tg.ones(2), tg.ones(3)])


def test_split_sections_must_sum_to_the_dim():
    with pytest.raises(ValueError, match=r"split: sections \[2, 2\] sum to 4.*\(5,\).*5"):
        tg.ones(5).split([2, 2])
    with pytest.raises(ValueError, match="split: split_size must be positive"):
        tg.ones(5).split(0)
    with pytest.raises(ValueError, match="chunk: chunks must be positive"):
        tg.ones(5).chunk(0)


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="clamp"):
        tg.ones(2).clamp()


def test_item_of_many_elements_and_bool_of_tensor():
    with pytest.raises(RuntimeError, match=r"item.*\(2,\)"):
        tg.ones(2).item()
    with pytest.raises(RuntimeError, match=r"ambiguous"):
        bool(tg.ones(2))


def test_max_of_empty_tensor():
    with pytest.raises(RuntimeError, match=r"max.*empty.*\(0,\)"):
        tg.ones(0).amax()
