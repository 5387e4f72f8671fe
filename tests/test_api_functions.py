"""The torch-namespace surface: package functions agree with the methods and with PyTorch,
dtype names, devices, and PyTorch's errors for wrong types and shapes."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import functions

torch = pytest.importorskip("torch")


def pair(values, dtype=np.float32):
    array = np.asarray(values, dtype=dtype)
    return tg.tensor(array), torch.tensor(array)


UNARY = ["abs", "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
         "reciprocal", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round",
         "trunc", "neg", "negative", "clone", "t", "numel", "isnan", "isinf", "isfinite"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_functions_match_torch(name):
    ours, theirs = pair([[0.5, 1.5, 2.25], [3.0, 0.75, 1.25]])
    expected = getattr(torch, name)(theirs)
    result = getattr(tg, name)(ours)
    if isinstance(expected, int):
        assert result == expected
        return
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-6)
    assert result.dtype == np.dtype(str(expected.dtype).replace("torch.", ""))


REDUCTIONS = [("sum", (), {}), ("sum", (1,), {"keepdim": True}), ("mean", (0,), {}),
              ("var", (), {}), ("std", (1,), {}), ("amax", (0,), {}), ("amin", (), {}),
              ("max", (), {}), ("min", (), {}), ("logsumexp", (1,), {}), ("argmax", (), {}),
              ("argmin", (1,), {}), ("softmax", (1,), {}), ("log_softmax", (0,), {}),
              ("cumsum", (1,), {}), ("all", (), {}), ("any", (0,), {}),
              ("all", (1,), {"keepdim": True})]


@pytest.mark.parametrize("name, args, kwargs", REDUCTIONS,
                         ids=[f"{n}{a}{k}" for n, a, k in REDUCTIONS])
def test_reductions_match_torch(name, args, kwargs):
    ours, theirs = pair([[0.5, -1.5, 2.0], [3.0, 0.0, -1.25]])
    np.testing.assert_allclose(getattr(tg, name)(ours, *args, **kwargs).numpy(),
                               getattr(torch, name)(theirs, *args, **kwargs).numpy(), rtol=1e-6)


def test_named_tuple_functions_match_torch():
    ours, theirs = pair([[0.5, -1.5, 2.0], [3.0, 0.0, -1.25]])
    for name, args in (("max", (1,)), ("min", (0,)), ("sort", (1,)), ("topk", (2,))):
        result, expected = getattr(tg, name)(ours, *args), getattr(torch, name)(theirs, *args)
        np.testing.assert_allclose(result.values.numpy(), expected.values.numpy())
        np.testing.assert_array_equal(result.indices.numpy(), expected.indices.numpy())


def test_binary_max_min_and_arithmetic_functions():
    a, ta = pair([1.0, 5.0, -2.0])
    b, tb = pair([2.0, 3.0, -4.0])
    for name in ("max", "min", "add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt",
                 "ge", "maximum", "minimum"):
        np.testing.assert_allclose(getattr(tg, name)(a, b).numpy(),
                                   getattr(torch, name)(ta, tb).numpy(), err_msg=name)
    np.testing.assert_allclose(tg.add(a, b, alpha=2).numpy(), torch.add(ta, tb, alpha=2))
    np.testing.assert_allclose(tg.sub(a, b, alpha=0.5).numpy(), torch.sub(ta, tb, alpha=0.5))


def test_every_listed_function_is_exported_and_takes_a_tensor_first():
    for name in functions.__all__:
        assert getattr(tg, name) is getattr(functions, name), name
    with pytest.raises(TypeError, match=r"exp\(\): argument 'input' .* must be Tensor, not float"):
        tg.exp(1.0)
    with pytest.raises(TypeError, match="sum"):
        tg.sum([1, 2])


def test_comparisons_and_tests():
    a, ta = pair([1.0, float("nan"), float("inf"), 2.0])
    b, tb = pair([1.0 + 1e-9, float("nan"), float("inf"), 2.1])
    for equal_nan in (False, True):
        np.testing.assert_array_equal(tg.isclose(a, b, equal_nan=equal_nan).numpy(),
                                      torch.isclose(ta, tb, equal_nan=equal_nan).numpy())
    assert tg.allclose(a[:1], b[:1]) is True and tg.allclose(a, b) is False
    assert tg.allclose(a, b, atol=0.2, equal_nan=True) == torch.allclose(ta, tb, atol=0.2,
                                                                         equal_nan=True)
    assert tg.equal(a[:1], a[:1]) and not tg.equal(a[:1], a[:2])
    assert tg.equal(tg.tensor([1, 2]), tg.tensor([1, 2]))


def test_histc_matches_torch():
    values = np.random.default_rng(0).standard_normal(200).astype(np.float32)
    ours, theirs = pair(values)
    for kwargs in ({}, {"bins": 7}, {"bins": 5, "min": -1, "max": 1}):
        np.testing.assert_array_equal(tg.histc(ours, **kwargs).numpy(),
                                      torch.histc(theirs, **kwargs).numpy())
    constant, constant_torch = pair([2.0, 2.0, 2.0])
    np.testing.assert_array_equal(tg.histc(constant, bins=4).numpy(),
                                  torch.histc(constant_torch, bins=4).numpy())


def test_shape_errors_name_the_function():
    with pytest.raises(RuntimeError, match="mm: expected two 2-D tensors"):
        tg.mm(tg.ones(2, 3, 4), tg.ones(4, 2))
    with pytest.raises(RuntimeError, match="bmm"):
        tg.bmm(tg.ones(2, 3, 4), tg.ones(3, 4, 2))
    with pytest.raises(RuntimeError, match="t: expects a tensor with <= 2 dimensions"):
        tg.ones(2, 3, 4).t()
    with pytest.raises(RuntimeError, match="gather: index tensor must have the same number"):
        tg.ones(2, 3).gather(1, tg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="gather: expected an integer"):
        tg.ones(2, 3).gather(1, tg.ones(2, 1))
    with pytest.raises(RuntimeError, match="masked_fill: only supports boolean masks"):
        tg.ones(2).masked_fill(tg.ones(2), 0.0)
    with pytest.raises(RuntimeError, match="repeat"):
        tg.ones(2, 3).repeat(2)
    with pytest.raises(ValueError, match="einsum: letter 'j' has size 3 in one operand and 4"):
        tg.einsum("ij,jk->ik", tg.ones(2, 3), tg.ones(4, 2))
    with pytest.raises(ValueError, match="einsum"):
        tg.einsum("ij->ik", tg.ones(2, 3))
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2"):
        tg.ones(3).tril()


def test_methods_on_integer_tensors_keep_integers_as_pytorch():
    ours, theirs = pair([[1, 2], [3, 4]], dtype=np.int64)
    for name in ("floor", "ceil", "round", "clone", "t", "tril", "flip"):
        args = (0,) if name == "flip" else ()
        result, expected = getattr(ours, name)(*args), getattr(theirs, name)(*args)
        assert result.dtype == np.int64, name
        np.testing.assert_array_equal(result.numpy(), expected.numpy())
    assert ours.cumsum(0).dtype == np.int64
    assert ours.masked_fill(ours > 2, 0).tolist() == theirs.masked_fill(theirs > 2, 0).tolist()


def test_everyday_methods():
    x = tg.arange(6).reshape(2, 3).float()
    assert x.nelement() == 6 and x.contiguous() is x
    assert x.half().dtype == tg.float16 and x.long().dtype == tg.int64
    assert x.int().dtype == tg.int32 and x.bool().dtype == tg.bool
    assert x.type() == "torch.FloatTensor" and x.double().type() == "torch.DoubleTensor"
    assert x.type(tg.float64).dtype == tg.float64
    assert x.type("torch.LongTensor").dtype == tg.int64
    assert x.to("cpu", tg.float64).dtype == tg.float64
    assert x.to(tg.device("cpu"), dtype=tg.int64).dtype == tg.int64
    clone = x.clone()
    clone.data[0, 0] = 100.0  # a clone has memory of its own
    assert x[0, 0].item() == 0.0


def test_dtype_names_are_the_numpy_dtypes():
    assert tg.float is tg.float32 and tg.double is tg.float64 and tg.half is tg.float16
    assert tg.long is tg.int64 and tg.int is tg.int32 and tg.bool == np.bool_
    assert tg.uint8 == np.uint8 and tg.int8 == np.int8 and tg.float16 == np.float16
    assert tg.zeros(2, dtype=tg.long).dtype == np.int64
    assert tg.tensor([1, 2], dtype=tg.uint8).dtype == np.uint8


def test_devices_with_an_index_and_device_objects():
    cpu = tg.device("cpu")
    assert cpu == "cpu" and cpu.type == "cpu" and cpu.index is None
    cuda = tg.device("cuda:0")
    assert cuda.type == "cuda" and cuda.index == 0 and str(cuda) == "cuda:0"
    assert repr(tg.device("cuda", 0)) == "device(type='cuda', index=0)"
    assert tg.zeros(2, device=cpu).device == "cpu"
    assert tg.tensor([1.0], device="cpu:0").device == "cpu"
    assert tg.ones(2).to(tg.device("cpu")).device == cpu
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        tg.device("tpu")
    with pytest.raises(ValueError, match="one GPU per process"):
        tg.device("cuda:1")
    count = tg.cuda.device_count()
    assert count == torch.cuda.device_count() or (count > 0) == tg.cuda.is_available()


def test_full_like_and_empty_like():
    x = tg.ones(2, 3, dtype=tg.float64)
    assert tg.full_like(x, 7).dtype == tg.float64 and tg.full_like(x, 7).tolist()[0] == [7] * 3
    empty = tg.empty_like(x, dtype=tg.float32)
    assert empty.shape == (2, 3) and empty.dtype == tg.float32
