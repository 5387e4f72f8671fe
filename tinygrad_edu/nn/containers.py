"""Modules that arrange other modules or reshape: `Sequential`, `Identity`, `Flatten`."""

from .module import Module


class Sequential(Module):
    """Modules applied one after another: Sequential(a, b, c)(x) = c(b(a(x))).

    Children are named "0", "1", ... (or by the keys of a dict given as the only argument),
    so state-dict keys read "0.weight" as in PyTorch. Indexable (ints, negative ints, slices
    giving a Sequential), iterable, and len() counts the modules.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, input):  # noqa: A002  (PyTorch's argument name)
        output = input
        for module in self._modules.values():
            output = module(output)
        return output

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def __getitem__(self, index):
        modules = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(dict(modules[index]))
        if not -len(modules) <= index < len(modules):
            raise IndexError(f"Sequential: index {index} is out of range for {len(modules)} "
                             "modules")
        return modules[index][1]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class Identity(Module):
    """y = x: a placeholder where an architecture needs a module but no computation."""

    def forward(self, input):  # noqa: A002
        return input


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: (N, 1, 28, 28) -> (N, 784) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
