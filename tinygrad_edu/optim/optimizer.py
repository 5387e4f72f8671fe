"""`Optimizer`: parameter groups, per-parameter state, and the step/zero_grad/state_dict loop.

A subclass supplies `_check_group(group)` (validates its hyperparameters) and
`_update(param, grad, state, group)`, which changes the backend array `param` in place from
the gradient array `grad`. Updates run on raw arrays with the backend's vector calls, outside
the autograd graph, on whatever device the parameter lives, keeping its dtype. Hyperparameters
are read with float(...) so a NumPy float64 scalar never promotes float32 parameters.
"""

from collections import defaultdict

from ..autograd import enable_grad
from ..autograd.function import constant, mark_modified
from ..backend import device_of, get_backend, xp_of
from ..tensor import Tensor


class Optimizer:
    """Base class: holds `param_groups` (list of dicts) and `state` (dict keyed by parameter).

    params: an iterable of Tensors, or of dicts {"params": [...], <hyperparameter overrides>}.
    Each group takes the optimizer's `defaults` for the hyperparameters it does not set.
    """

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of Tensors or dicts, got a "
                            "single Tensor; wrap it in a list")
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {value}" for key, value in group.items() if key != "params")
        return "\n".join(lines + [")"])

    def add_param_group(self, param_group):
        """Append a group {"params": ..., hyperparameters...}; missing ones come from defaults."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: expected a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(f"{name}: params must be an ordered collection (a list), not a set: "
                            "a set's order changes between runs")
        elif params is None:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        params = list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, got {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor (shape {param.shape}); "
                                 "optimize the leaf it was computed from")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for param in params:
            if id(param) in seen:
                raise ValueError(f"{name}: some parameters appear more than once (a tensor of "
                                 f"shape {param.shape}); each may belong to one group only")
            seen.add(id(param))
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group):
        """Raise a clear ValueError for invalid hyperparameters (each optimizer checks its own)."""

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: `.grad = None`, or zeros of the parameter's shape."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    param.grad = None if set_to_none else state_tensor(
                        xp_of(param._data).zeros_like(param._data))

    def step(self, closure=None):
        """One update of every parameter that has a gradient. Returns closure() if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            maximize = group.get("maximize", False)
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad._data
                self._update(param._data, -grad if maximize else grad, self.state[param], group)
                mark_modified(param)  # an in-place update, as PyTorch counts it
        return loss

    def _update(self, param, grad, state, group):
        """Change the array `param` in place, given its gradient array (each optimizer)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    # ----- saving and resuming ---------------------------------------------------------------
    def state_dict(self):
        """{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]} as PyTorch.

        Parameters are named by their position across all groups; tensors in the state are
        copies, so the snapshot does not change as training goes on.
        """
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index_of.setdefault(id(p), len(index_of)) for p in group["params"]]
            groups.append(packed)
        state = {index_of[id(param)]: {key: _copy(value) for key, value in values.items()}
                 for param, values in self.state.items() if id(param) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Resume from `state_dict()`: hyperparameters and state, cast to each parameter's
        dtype and device; the next steps are bit-identical to the saved optimizer's."""
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state dict has {len(saved_groups)} "
                             f"parameter groups, this optimizer {len(self.param_groups)}")
        param_of = {}
        new_groups = []
        for index, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: group {index} has "
                                 f"{len(saved['params'])} parameters in the state dict but "
                                 f"{len(group['params'])} here")
            param_of.update(zip(saved["params"], group["params"], strict=True))
            new_groups.append({**saved, "params": group["params"]})
        state = defaultdict(dict)
        for index, values in state_dict["state"].items():
            param = param_of[index]
            state[param] = {key: _cast_like(value, param) for key, value in values.items()}
        self.param_groups = new_groups
        self.state = state


def _copy(value):
    """A deep copy of a state value: Tensors copied, lists rebuilt, numbers as they are."""
    if isinstance(value, Tensor):
        return Tensor(value._data, dtype=value.dtype, device=value.device)
    if isinstance(value, list | tuple):
        return type(value)(_copy(item) for item in value)
    return value


def _cast_like(value, param):
    """A copy of a saved state value on `param`'s device, floating tensors in its dtype."""
    if isinstance(value, Tensor):
        dtype = param.dtype if value.dtype.kind == "f" else value.dtype
        return Tensor(value._data, dtype=dtype, device=param.device)
    if isinstance(value, list | tuple):
        return type(value)(_cast_like(item, param) for item in value)
    return value


def aligned_copy(array):
    """A copy of `array` on its device, 64-byte aligned: for state updated at every step."""
    return get_backend(device_of(array)).aligned_copy(array)


def zeros_state(param):
    """A state Tensor of zeros shaped like the array `param` (64-byte aligned)."""
    return state_tensor(aligned_copy(xp_of(param).zeros_like(param)))


def state_tensor(array):
    """Wrap a backend array (no copy) as a state Tensor that the optimizer updates in place."""
    return constant(array, device_of(array))


def check_at_least(optimizer, name, value, low):
    """ValueError unless value >= low, naming the optimizer and the hyperparameter."""
    if not value >= low:
        raise ValueError(f"{optimizer}: invalid {name}={value!r}: expected {name} >= {low}")


def check_in_range(optimizer, name, value, low, high):
    """ValueError unless low <= value < high."""
    if not low <= value < high:
        raise ValueError(f"{optimizer}: invalid {name}={value!r}: "
                         f"expected {low} <= {name} < {high}")
