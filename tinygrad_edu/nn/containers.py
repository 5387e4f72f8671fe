"""Modules that arrange other modules or reshape: `Sequential`, `Identity`, `Flatten`,
`Unflatten`."""

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


class Unflatten(Module):
    """Split dim `dim` into `unflattened_size`: (N, 784) -> (N, 1, 28, 28) with dim=1 and
    unflattened_size=(1, 28, 28). The inverse of Flatten; one size may be -1."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):  # noqa: A002
        dim = self.dim % input.ndim if input.ndim else 0
        sizes = self.unflattened_size
        known = 1
        for size in sizes:
            known *= size if size != -1 else 1
        if sizes.count(-1) > 1 or (-1 not in sizes and known != input.shape[dim]) or (
                -1 in sizes and input.shape[dim] % known):
            raise RuntimeError(f"Unflatten: sizes {list(sizes)} don't multiply up to the size "
                               f"of dim {self.dim} ({input.shape[dim]}) of the input of shape "
                               f"{input.shape}")
        return input.reshape(*input.shape[:dim], *sizes, *input.shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
