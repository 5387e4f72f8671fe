"""ModuleList/ModuleDict/ParameterList/ParameterDict, the module API (apply, named_modules,
buffers, get_submodule, ...) and hooks, against PyTorch: state-dict keys and hook call orders."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

torch = pytest.importorskip("torch")


def build(nn_module, framework):
    """The same architecture in either framework: every container kind, nested."""

    class Net(nn_module.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn_module.ModuleList([nn_module.Linear(4, 4) for _ in range(2)])
            self.heads = nn_module.ModuleDict({"a": nn_module.Linear(4, 2),
                                               "b": nn_module.Sequential(nn_module.Tanh(),
                                                                         nn_module.Linear(4, 3))})
            self.scales = nn_module.ParameterList([nn_module.Parameter(framework.ones(4)),
                                                   framework.zeros(4)])
            self.extras = nn_module.ParameterDict({"bias": nn_module.Parameter(framework.ones(2))})
            self.register_buffer("steps", framework.zeros(1))
            self.register_buffer("scratch", framework.zeros(2), persistent=False)

        def forward(self, x):
            for block, scale in zip(self.blocks, self.scales):
                x = block(x) * scale
            return self.heads["a"](x) + self.extras["bias"], self.heads["b"](x)

    return Net()


def test_containers_register_like_pytorch():
    ours, theirs = build(nn, tg), build(torch.nn, torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert len(list(ours.buffers())) == 2 and "scratch" not in ours.state_dict()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    for a, b in zip(ours(tg.tensor(x)), theirs(torch.tensor(x)), strict=True):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_container_operations():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
    layers.append(nn.Tanh()).extend([nn.Identity()])
    layers.insert(1, nn.Sigmoid())
    assert [type(m).__name__ for m in layers] == ["Linear", "Sigmoid", "ReLU", "Tanh", "Identity"]
    del layers[0]
    assert list(layers._modules) == ["0", "1", "2", "3"] and isinstance(layers[-1], nn.Identity)
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    layers[0] = nn.Linear(3, 3)
    assert len(list(layers.parameters())) == 2
    with pytest.raises(IndexError, match="ModuleList: index 9"):
        layers[9]
    heads = nn.ModuleDict({"x": nn.Linear(1, 1)})
    heads["y"] = nn.ReLU()
    assert list(heads.keys()) == ["x", "y"] and "y" in heads and len(heads) == 2
    assert isinstance(heads.pop("x"), nn.Linear) and list(heads) == ["y"]
    params = nn.ParameterList([tg.ones(2)])
    params.append(tg.zeros(3))
    assert all(isinstance(p, nn.Parameter) for p in params) and len(params) == 2
    named = nn.ParameterDict({"w": tg.ones(2)})
    named["v"] = tg.zeros(1)
    assert list(named.keys()) == ["w", "v"] and isinstance(named["v"], nn.Parameter)


def test_apply_get_submodule_requires_grad_and_to_dtype():
    model = nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 2)))
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4),
                                 torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(4, 2)))
    expected = []
    theirs.apply(lambda m: expected.append(type(m).__name__))
    assert visited == expected
    assert model.get_submodule("1.1") is model[1][1] and model.get_submodule("") is model
    with pytest.raises(AttributeError, match="no submodule `5`"):
        model.get_submodule("1.5")
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    model.to(tg.float64)
    assert all(p.dtype == tg.float64 for p in model.parameters())
    model.to("cpu", tg.float32)
    assert all(p.dtype == tg.float32 for p in model.parameters())
    assert [n for n, _ in model.named_modules(prefix="net")][:2] == ["net", "net.0"]


def test_register_parameter_and_add_module():
    module = nn.Module()
    module.register_parameter("w", nn.Parameter(tg.ones(2)))
    module.add_module("inner", nn.Linear(2, 1))
    assert list(module.state_dict()) == ["w", "inner.weight", "inner.bias"]
    with pytest.raises(TypeError, match="register_parameter"):
        module.register_parameter("v", tg.ones(2))


def record_forward_hooks(nn_module, model, log):
    for name, module in model.named_modules():
        module.register_forward_pre_hook(lambda m, args, name=name: log.append(("pre", name)))
        module.register_forward_hook(lambda m, args, out, name=name: log.append(("post", name)))
        module.register_full_backward_hook(
            lambda m, grad_in, grad_out, name=name: log.append(
                ("backward", name, tuple(None if g is None else tuple(g.shape) for g in grad_in),
                 tuple(tuple(g.shape) for g in grad_out))))


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("input_requires_grad", [False, True])
def test_hook_call_order_matches_torch(input_requires_grad):
    logs = []
    for framework, nn_module in ((tg, nn), (torch, torch.nn)):
        model = nn_module.Sequential(nn_module.Linear(3, 4), nn_module.Tanh(),
                                     nn_module.Sequential(nn_module.Linear(4, 2)))
        log = []
        record_forward_hooks(nn_module, model, log)
        x = framework.ones(5, 3, requires_grad=input_requires_grad)
        model(x).sum().backward()
        logs.append(log)
    assert logs[0] == logs[1]


def test_backward_hook_sees_and_replaces_grad_input_as_torch():
    seen = []
    results = []
    for framework, nn_module in ((tg, nn), (torch, torch.nn)):
        layer = nn_module.Tanh()

        def hook(module, grad_input, grad_output):
            seen.append((grad_input[0].numpy().copy(), grad_output[0].numpy().copy()))
            return (grad_input[0] * 2,)

        handle = layer.register_full_backward_hook(hook)
        x = framework.tensor([0.5, -1.0, 2.0], requires_grad=True)
        (layer(x) * framework.tensor([1.0, 2.0, 3.0])).sum().backward()
        results.append(x.grad.numpy().copy())
        handle.remove()
        x.grad = None
        layer(x).sum().backward()  # removed: no doubling any more
        results.append(x.grad.numpy().copy())
    np.testing.assert_allclose(results[0], results[2], rtol=1e-6)
    np.testing.assert_allclose(results[1], results[3], rtol=1e-6)
    for (ours_in, ours_out), (theirs_in, theirs_out) in [(seen[0], seen[1])]:
        np.testing.assert_allclose(ours_in, theirs_in, rtol=1e-6)
        np.testing.assert_allclose(ours_out, theirs_out, rtol=1e-6)


def test_forward_hooks_replace_arguments_and_output():
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, args: args[0] * 0)
    handle = layer.register_forward_hook(lambda m, args, output: output + 1)
    out = layer(tg.ones(1, 2))
    np.testing.assert_allclose(out.numpy(), layer.bias.numpy()[None] + 1, rtol=1e-6)
    handle.remove()
    np.testing.assert_allclose(layer(tg.ones(1, 2)).numpy(), layer.bias.numpy()[None],
                               rtol=1e-6)


def test_backward_hook_returning_the_wrong_count_raises():
    layer = nn.Tanh()
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned 2 grad_input values, but expected 1"):
        layer(x).sum().backward()
