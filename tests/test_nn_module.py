"""The Module system: registration, traversal, modes, gradients, devices, state dicts, repr."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(3, 4)
        self.norm = nn.BatchNorm1d(4)
        self.scale = nn.Parameter([2.0])
        self.second = nn.Sequential(nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2))

    def forward(self, x):
        return self.second(self.norm(self.first(x)) * self.scale)


def test_parameter_is_a_float32_leaf_that_requires_grad():
    parameter = nn.Parameter([1.0, 2.0])
    assert isinstance(parameter, tg.Tensor)
    assert parameter.requires_grad and parameter.is_leaf and parameter.dtype == tg.float32
    assert (parameter * 2).grad_fn is not None and not isinstance(parameter * 2, nn.Parameter)
    assert repr(parameter).startswith("Parameter containing:")


def test_parameters_come_in_definition_order_with_dotted_names():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "first.weight", "first.bias", "norm.weight", "norm.bias",
                     "second.2.weight", "second.2.bias"]
    assert [id(p) for p in model.parameters()] == [id(p) for _, p in model.named_parameters()]
    assert [name for name, _ in model.named_buffers()] == [
        "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"]


def test_children_and_modules_walk_the_tree():
    model = TwoLayer()
    assert [name for name, _ in model.named_children()] == ["first", "norm", "second"]
    assert list(model.children()) == [model.first, model.norm, model.second]
    assert [type(m).__name__ for m in model.modules()] == [
        "TwoLayer", "Linear", "BatchNorm1d", "Sequential", "ReLU", "Dropout", "Linear"]
    assert [name for name, _ in model.named_modules()][-1] == "second.2"


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_train_and_eval_reach_every_child():
    model = TwoLayer()
    assert model.eval() is model
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())


def test_zero_grad_sets_none_or_zeros():
    model = nn.Linear(3, 2)
    model(tg.randn(4, 3)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
        _ = nn.Linear(2, 2).wieght


def test_forgetting_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_reassigning_and_deleting_registered_names():
    model = TwoLayer()
    model.first = nn.Identity()
    assert isinstance(model.first, nn.Identity)
    del model.scale
    assert "scale" not in dict(model.named_parameters())
    model.norm.running_mean = tg.ones(4)
    assert model.norm.state_dict()["running_mean"].tolist() == [1.0] * 4


def test_register_buffer_rejects_parameters_and_duplicate_names():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="register_buffer"):
        model.register_buffer("extra", nn.Parameter([1.0]))
    with pytest.raises(KeyError, match="already exists"):
        model.register_buffer("in_features", tg.zeros(1))


def test_float_and_double_convert_parameters_and_buffers_in_place():
    model = TwoLayer()
    weight = model.first.weight
    model.double()
    assert model.first.weight is weight and weight.dtype == tg.float64
    assert model.norm.running_var.dtype == tg.float64
    assert model.norm.num_batches_tracked.dtype == tg.int64
    model.float()
    assert weight.dtype == tg.float32
    assert model.to(tg.float64).first.bias.dtype == tg.float64


def test_to_device_keeps_the_same_parameter_objects(device):
    model = TwoLayer()
    weight = model.first.weight
    model(tg.randn(5, 3)).sum().backward()
    model.to(device)
    assert model.first.weight is weight and weight.device == device
    assert weight.grad.device == device and model.norm.running_mean.device == device
    output = model(tg.randn(5, 3, device=device))
    assert output.device == device
    with pytest.raises(ValueError, match="unknown device"):
        model.to("tpu")


def test_state_dict_keys_match_pytorch_naming_and_share_memory():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                           "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"]
    assert all(not value.requires_grad for value in state.values())
    assert np.shares_memory(state["0.weight"]._data, model[0].weight._data)
    with tg.no_grad():
        state["0.bias"].fill_(0.5)  # the same memory, as PyTorch's state_dict
    assert model[0].bias.tolist() == [0.5] * 4


def test_load_state_dict_round_trip_and_dtype_conversion():
    source = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    source(tg.randn(6, 3))
    target = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    state = {name: value.double() for name, value in source.state_dict().items()}
    result = target.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for name, value in target.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), source.state_dict()[name].numpy())
    assert target[0].weight.dtype == tg.float32
    assert int(target[1].num_batches_tracked.item()) == 1


def test_load_state_dict_names_missing_unexpected_and_mismatched_keys():
    model = nn.Sequential(nn.Linear(3, 4))
    state = model.state_dict()
    with pytest.raises(RuntimeError, match=r"missing keys: \['0.bias'\]"):
        model.load_state_dict({"0.weight": state["0.weight"]})
    with pytest.raises(RuntimeError, match=r"unexpected keys: \['0.extra'\]"):
        model.load_state_dict({**state, "0.extra": tg.zeros(1)})
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: saved \(4, 4\)"):
        model.load_state_dict({**state, "0.weight": tg.zeros(4, 4)})
    result = model.load_state_dict({"0.weight": state["0.weight"], "x": tg.zeros(1)},
                                   strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["x"]


def test_repr_reads_like_pytorch():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Dropout(0.1)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1)\n"
        "  )\n"
        ")")
    assert repr(nn.BatchNorm1d(3)) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)")


def test_sequential_indexing_iteration_and_length():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    assert isinstance(model[1:], nn.Sequential) and list(model[1:]) == layers[1:]
    with pytest.raises(IndexError, match="out of range"):
        model[3]
    x = tg.randn(4, 2)
    np.testing.assert_allclose(model(x).numpy(), layers[2](layers[1](layers[0](x))).numpy())
    named = nn.Sequential({"encoder": nn.Linear(2, 2)})
    assert list(named.state_dict()) == ["encoder.weight", "encoder.bias"]


def test_identity_and_flatten():
    x = tg.randn(2, 3, 4)
    assert nn.Identity()(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)


def test_call_records_module_calls_innermost_first():
    inner = nn.Linear(3, 2)
    outer = nn.Sequential(inner)
    x = tg.randn(4, 3)
    output = outer(x)
    calls = output.grad_fn.module_calls
    assert [module for module, _ in calls] == [inner, outer]
    assert calls[0][1][0] is x
    with tg.no_grad():
        assert outer(x).grad_fn is None


def test_parameters_and_optimizer_state_start_on_64_byte_boundaries():
    model = nn.Sequential(nn.Linear(7, 5), nn.Linear(5, 3))
    optimizer = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(tg.randn(4, 7)).sum().backward()
    optimizer.step()
    arrays = [p._data for p in model.parameters()]
    arrays += [optimizer.state[p]["momentum_buffer"]._data for p in model.parameters()]
    model.double()  # a dtype change reallocates, still aligned
    arrays += [p._data for p in model.parameters()]
    assert all(array.ctypes.data % 64 == 0 and array.flags.c_contiguous for array in arrays)
    assert model[0].weight.dtype == tg.float64
