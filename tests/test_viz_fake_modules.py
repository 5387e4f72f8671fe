"""Tiny stand-ins for nn.Module in the viz tests: they record `module_calls` on the output's
graph node exactly as Module.__call__ does (innermost call first), so module boxes can be
tested without depending on tinygrad_edu.nn. The test below pins that contract."""

import tinygrad_edu as tg


class FakeModule:
    def __init__(self, **children):
        self.parameters_by_name = {}
        self.children_by_name = children

    def children(self):
        return iter(self.children_by_name.values())

    def named_parameters(self, prefix=""):
        for name, tensor in self.parameters_by_name.items():
            yield prefix + name, tensor
        for child_name, child in self.children_by_name.items():
            yield from child.named_parameters(f"{prefix}{child_name}.")

    def named_modules(self, prefix=""):
        yield prefix.rstrip("."), self
        for child_name, child in self.children_by_name.items():
            yield from child.named_modules(f"{prefix}{child_name}.")

    def __call__(self, *inputs):
        output = self.forward(*inputs)
        node = output.grad_fn
        node.module_calls = node.module_calls + ((self, inputs),)
        return output


class FakeLinear(FakeModule):
    def __init__(self, weight, bias):
        super().__init__()
        self.parameters_by_name = {"weight": weight, "bias": bias}

    def forward(self, x):
        return x @ self.parameters_by_name["weight"].T + self.parameters_by_name["bias"]


class FakeReLU(FakeModule):
    def forward(self, x):
        return x.relu()


class FakeSequential(FakeModule):
    def __init__(self, *layers):
        super().__init__(**{str(index): layer for index, layer in enumerate(layers)})

    def forward(self, x):
        for layer in self.children():
            x = layer(x)
        return x


def make_mlp(device="cpu"):
    """A 3 -> 4 -> 2 MLP with fixed weights: FakeSequential(FakeLinear, FakeReLU, FakeLinear)."""
    tg.manual_seed(0)
    shapes = [(4, 3), (4,), (2, 4), (2,)]
    tensors = [tg.randn(*shape, device=device, requires_grad=True) for shape in shapes]
    return FakeSequential(FakeLinear(*tensors[:2]), FakeReLU(), FakeLinear(*tensors[2:]))


def test_fake_modules_record_calls_innermost_first():
    model = make_mlp()
    x = tg.randn(5, 3)
    output = model(x)
    calls = output.grad_fn.module_calls
    assert [type(module).__name__ for module, _ in calls] == ["FakeLinear", "FakeSequential"]
    assert calls[1][1][0] is x
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                              "2.bias"]
