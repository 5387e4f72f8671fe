"""Containers that hold modules or parameters by position or by name, as PyTorch's:
`ModuleList`, `ModuleDict`, `ParameterList`, `ParameterDict`.

They register what they hold (under "0", "1", ... or the keys), so parameters(), state_dict()
and to() see it; they have no forward of their own: the owning module decides the order.

    self.layers = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
    for layer in self.layers:
        x = layer(x).relu()
"""

from .module import Module
from .parameter import Parameter


class ModuleList(Module):
    """Modules by position: indexable (ints, slices), iterable, append/extend/insert."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _checked_index(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for "
                             f"{len(self)} entries")
        return index % len(self)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self._modules.values())[index])
        return self._modules[str(self._checked_index(index))]

    def __setitem__(self, index, module):
        setattr(self, str(self._checked_index(index)), module)

    def __delitem__(self, index):
        kept = list(self._modules.values())
        del kept[index if isinstance(index, slice) else self._checked_index(index)]
        self._renumber(kept)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        kept = list(self._modules.values())
        kept.insert(index, module)
        self._renumber(kept)

    def _renumber(self, modules):
        for name in list(self._modules):
            delattr(self, name)
        self.extend(modules)


class ModuleDict(Module):
    """Modules by name, in insertion order: `d["encoder"]`, keys(), values(), items()."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        if key in self._modules:
            delattr(self, key)
        self.add_module(key, module)

    def __delitem__(self, key):
        delattr(self, key)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules):
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def clear(self):
        for key in list(self._modules):
            del self[key]


def _as_parameter(value):
    """A Tensor becomes a Parameter (as PyTorch's parameter containers do); a Parameter stays."""
    return value if isinstance(value, Parameter) else Parameter(value)


class ParameterList(Module):
    """Parameters by position; Tensors put in become Parameters."""

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self._parameters.values())[index])
        if not -len(self) <= index < len(self):
            raise IndexError(f"ParameterList: index {index} is out of range for {len(self)} "
                             "entries")
        return self._parameters[str(index % len(self))]

    def __setitem__(self, index, value):
        self[index]  # noqa: B018  (the range check)
        setattr(self, str(index % len(self)), _as_parameter(value))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __iadd__(self, values):
        return self.extend(values)

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return "\n".join(f"({name}): Parameter containing: [{parameter.dtype} of size "
                         f"{tuple(parameter.shape)}]"
                         for name, parameter in self._parameters.items())


class ParameterDict(Module):
    """Parameters by name, in insertion order; Tensors put in become Parameters."""

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        if key in self._parameters:
            delattr(self, key)
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key):
        delattr(self, key)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()

    def update(self, parameters):
        pairs = parameters.items() if hasattr(parameters, "items") else parameters
        for key, value in pairs:
            self[key] = value

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def extra_repr(self):
        return "\n".join(f"({name}): Parameter containing: [{parameter.dtype} of size "
                         f"{tuple(parameter.shape)}]"
                         for name, parameter in self._parameters.items())
