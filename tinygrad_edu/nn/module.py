"""`Module`: the base class of layers and models.

A Module owns three ordered registries, filled by plain attribute assignment:
  _parameters  Parameters (learned by the optimizer)        self.weight = Parameter(...)
  _buffers     state that is saved but not learned          self.register_buffer("running_mean", t)
  _modules     sub-modules, whose entries nest in the names  self.fc1 = Linear(784, 128)
Dicts keep definition order, so `parameters()` and `state_dict()` are deterministic and their
names ("0.weight", "1.running_mean") are the ones PyTorch gives the same architecture. Each
registered value is also kept as a plain instance attribute, so reading `self.weight` in
`forward` is an ordinary (fast) attribute lookup; every write goes through this file and
updates both.
"""

from collections import namedtuple

from .. import backend
from ..autograd.function import constant, mark_modified
from ..autograd.grad_mode import no_grad
from ..tensor import RemovableHandle, Tensor, float32, float64
from .hooks import ModuleHooks, call_with_hooks
from .parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Subclass it, call `super().__init__()` first, assign layers and Parameters as
    attributes, and define `forward`. Call the module (`model(x)`), not `forward`."""

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    _hooks = None  # a ModuleHooks once a hook is registered (see register_forward_hook)
    _non_persistent_buffers = frozenset()  # buffers that state_dict() leaves out

    def __call__(self, *inputs, **kwargs):
        """forward(*inputs), recording this call on the output's graph node for viz."""
        if self._hooks is not None:
            return call_with_hooks(self, inputs, kwargs)
        return self._record_call(inputs, self.forward(*inputs, **kwargs))

    def _record_call(self, inputs, output):
        """Note this call on the node that made `output`, so viz can draw the module."""
        node = output.grad_fn if isinstance(output, Tensor) else None
        if node is None:
            return output
        tensors = inputs
        for value in inputs:
            if value is output:  # passed through (Identity): the node belongs to another call
                return output
            if not isinstance(value, Tensor):
                tensors = None
        if tensors is None:
            tensors = tuple([value for value in inputs if isinstance(value, Tensor)])
        node.module_calls = (*node.module_calls, (self, tensors))
        return output

    # ----- registration by attribute --------------------------------------------------------
    def _registries(self):
        try:
            state = self.__dict__
            return state["_parameters"], state["_buffers"], state["_modules"]
        except KeyError:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 "assigning attributes") from None

    def __setattr__(self, name, value):
        parameters, buffers, modules = self._registries()
        for registry in (parameters, buffers, modules):
            if name in registry and not (registry is buffers and _is_buffer_value(value)):
                del registry[name]
        if isinstance(value, Parameter):
            parameters[name] = value
        elif isinstance(value, Module):
            modules[name] = value
        elif name in buffers:
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for registry in self._registries():
            if name in registry:
                del registry[name]
                self.__dict__.pop(name, None)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register `param` (a Parameter, or None for an absent one like bias=False)."""
        _check_name(name, self, "register_parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: '{name}' must be a Parameter or None, got "
                            f"{type(param).__name__}")
        self._registries()[0][name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """Register `tensor` as state that parameters() does not list; state_dict() saves it
        unless persistent=False."""
        _check_name(name, self, "register_buffer")
        if not _is_buffer_value(tensor):
            raise TypeError(f"register_buffer: '{name}' must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._registries()[1][name] = tensor
        object.__setattr__(self, name, tensor)
        skipped = set(self._non_persistent_buffers) - {name}
        object.__setattr__(self, "_non_persistent_buffers",
                           frozenset(skipped if persistent else skipped | {name}))

    def add_module(self, name, module):
        """Register a sub-module under `name` (what attribute assignment does)."""
        _check_name(name, self, "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: '{name}' must be a Module or None, got "
                            f"{type(module).__name__}")
        self._registries()[2][name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target):
        """The module at a dotted path ("encoder.layers.0"); "" is this module."""
        module = self
        walked = []
        for name in target.split(".") if target else []:
            child = module._modules.get(name)
            if child is None:
                where = ".".join(walked) or type(self).__name__
                raise AttributeError(f"get_submodule: {where} ({type(module).__name__}) has no "
                                     f"submodule `{name}` (path '{target}')")
            module = child
            walked.append(name)
        return module

    def apply(self, fn):
        """Call fn(module) on every sub-module, children first, then on this one; returns
        self (e.g. `model.apply(init_weights)`)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- hooks ----------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook):
        """hook(module, args) before forward; a non-None result replaces args (a value that
        is not a tuple becomes a 1-tuple). Returns a handle whose remove() unregisters it."""
        return self._add_hook("forward_pre", hook)

    def register_forward_hook(self, hook):
        """hook(module, args, output) after forward; a non-None result replaces the output."""
        return self._add_hook("forward", hook)

    def register_full_backward_hook(self, hook):
        """hook(module, grad_input, grad_output) once the gradients with respect to the
        module's positional Tensor inputs are known (tuples, None where no gradient flows); a
        non-None result (a tuple) replaces grad_input."""
        return self._add_hook("backward", hook)

    def _add_hook(self, kind, hook):
        if self._hooks is None:
            object.__setattr__(self, "_hooks", ModuleHooks())
        hooks = getattr(self._hooks, kind)
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    # ----- walking the tree -----------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(name, module) for this module and every descendant, depth first, each once (or
        as often as it is reachable with remove_duplicate=False)."""
        seen = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """(name, module) for the direct sub-modules, in definition order."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, recurse):
        """(dotted name, tensor) from one registry of every module, shared tensors once."""
        seen = set()
        walk = self.named_modules() if recurse else [("", self)]
        for module_name, module in walk:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(self, recurse=True):
        return self._named_members("_parameters", recurse)

    def parameters(self, recurse=True):
        for _, parameter in self.named_parameters(recurse):
            yield parameter

    def named_buffers(self, recurse=True):
        return self._named_members("_buffers", recurse)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse):
            yield buffer

    # ----- modes and gradients --------------------------------------------------------------
    def train(self, mode=True):
        """Training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Evaluation mode: train(False)."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: `.grad = None`, or zeros when set_to_none=False."""
        for parameter in self.parameters():
            if parameter.grad is None:
                continue
            if set_to_none:
                parameter.grad = None
            else:
                zeros = backend.xp_of(parameter.grad._data).zeros_like(parameter.grad._data)
                parameter.grad = constant(zeros, parameter.device)

    def requires_grad_(self, requires_grad=True):
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    # ----- devices and dtypes ---------------------------------------------------------------
    def to(self, device=None, dtype=None):
        """Move every parameter and buffer to `device` and/or convert its floating values to
        `dtype`, in place: the same Parameter objects (and the optimizers holding them) follow.
        `model.to("cuda")`, `model.to(tg.float64)`."""
        if device is not None and not isinstance(device, str):
            device, dtype = None, device
        device = backend.canonical_device(device)
        if device is not None:
            backend.get_backend(device)
        for tensor in [*self.parameters(), *self.buffers()]:
            _convert_in_place(tensor, device, dtype)
            if tensor.grad is not None:
                _convert_in_place(tensor.grad, device, dtype)
        return self

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def float(self):
        """Floating parameters and buffers to float32."""
        return self.to(dtype=float32)

    def double(self):
        """Floating parameters and buffers to float64."""
        return self.to(dtype=float64)

    # ----- state dict -----------------------------------------------------------------------
    def state_dict(self):
        """name -> Tensor for every parameter and buffer, module by module in definition order
        (own parameters, own buffers, then each child's). The tensors share memory with the
        module's and are detached from any graph."""
        state = {}
        for module_name, module in self.named_modules():
            prefix = f"{module_name}." if module_name else ""
            for name, value in [*module._parameters.items(), *module._buffers.items()]:
                if value is not None and name not in module._non_persistent_buffers:
                    state[prefix + name] = value.detach()
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from `state_dict` (name -> Tensor or array) into this module's
        parameters and buffers, converting to each one's dtype and device.

        A shape mismatch is always an error; with strict=True so are missing and unexpected
        keys. Returns (missing_keys, unexpected_keys)."""
        own = self.state_dict()
        targets = {name: tensor for name, tensor in [*self.named_parameters(),
                                                     *self.named_buffers()]}
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        mismatched = [f"{name}: saved {tuple(state_dict[name].shape)}, module "
                      f"{tuple(own[name].shape)}"
                      for name in own if name in state_dict
                      and tuple(state_dict[name].shape) != tuple(own[name].shape)]
        problems = []
        if mismatched:
            problems.append("size mismatch for " + "; ".join(mismatched))
        if strict and missing:
            problems.append(f"missing keys: {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {unexpected}")
        if problems:
            raise RuntimeError(f"load_state_dict: error(s) loading the state dict into "
                               f"{type(self).__name__}: " + ". ".join(problems))
        with no_grad():
            for name, value in state_dict.items():
                if name in targets:
                    target = targets[name]
                    source = value._data if isinstance(value, Tensor) else value
                    array = backend.get_backend(target.device).asarray(source,
                                                                       dtype=target.dtype)
                    target._data[...] = array
                    mark_modified(target)  # an in-place update of the target
        return IncompatibleKeys(missing, unexpected)

    # ----- printing -------------------------------------------------------------------------
    def extra_repr(self):
        """The text inside this module's parentheses in repr(); layers override it."""
        return ""

    def __repr__(self):
        lines = [line for line in self.extra_repr().split("\n") if line]
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not self._modules:
            return f"{type(self).__name__}({', '.join(lines)})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return sorted({*super().__dir__(), *self._parameters, *self._buffers, *self._modules})


def _is_buffer_value(value):
    return value is None or (isinstance(value, Tensor) and not isinstance(value, Parameter))


def _check_name(name, module, method):
    if not isinstance(name, str) or not name or "." in name:
        raise KeyError(f"{method}: name must be a non-empty string without '.', got {name!r}")
    if name in module.__dict__:
        raise KeyError(f"{method}: attribute '{name}' already exists on "
                       f"{type(module).__name__}")


def _convert_in_place(tensor, device, dtype):
    """Give `tensor` its values on `device` and/or in floating `dtype`, keeping the object."""
    array = tensor._data
    if dtype is not None and array.dtype.kind == "f" and array.dtype != dtype:
        array = backend.get_backend(tensor.device).aligned_copy(array.astype(dtype))
    if device is not None and device != tensor.device:
        array = backend.get_backend(device).aligned_copy(backend.get_backend(device).asarray(array))
        tensor.device = device  # Tensor.data refuses another device's array: set both fields
        tensor._data = array
    else:
        tensor._data = array
