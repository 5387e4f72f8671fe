"""Module hooks: code that runs around a module's forward and during its backward.

Forward pre-hooks see (and may replace) the arguments, forward hooks the output. A full
backward hook sees the gradients of the module's positional Tensor inputs and outputs, as
PyTorch's `register_full_backward_hook`: every Tensor input and output passes through an
identity op (BackwardHookIdentity) that reports the gradient flowing through it; once
grad_output and then grad_input are complete, the hooks run.
"""

from ..autograd.grad_mode import is_grad_enabled
from ..ops.hooks import BackwardHookIdentity
from ..tensor import Tensor


class ModuleHooks:
    """The hooks registered on one module, in registration order."""

    def __init__(self):
        self.forward_pre = []
        self.forward = []
        self.backward = []


def call_with_hooks(module, inputs, kwargs):
    """Module.__call__ when hooks are registered: pre-hooks, forward, forward hooks, and the
    identity ops that let backward hooks see the gradients."""
    hooks = module._hooks
    for hook in list(hooks.forward_pre):
        result = hook(module, inputs)
        if result is not None:
            inputs = result if isinstance(result, tuple) else (result,)
    call = None
    if hooks.backward and is_grad_enabled():
        call = BackwardHookCall(module, list(hooks.backward))
        inputs = call.wrap_inputs(inputs)
    output = module.forward(*inputs, **kwargs)
    for hook in list(hooks.forward):
        result = hook(module, inputs, output)
        if result is not None:
            output = result
    if call is not None:
        output = call.wrap_outputs(output)
    return module._record_call(inputs, output)


class BackwardHookCall:
    """The gradients of one module call: grad_output fills first (the outputs are nearer the
    loss), then grad_input; the hooks run when the last expected gradient arrives."""

    def __init__(self, module, hooks):
        self.module = module
        self.hooks = hooks
        self.grad_inputs = self.grad_outputs = ()
        self.input_positions = self.output_positions = ()
        self.pending_inputs = self.pending_outputs = 0

    def wrap_inputs(self, inputs):
        self.input_positions = _needing_grad(inputs)
        self.grad_inputs = [None] * len(inputs)
        self.pending_inputs = len(self.input_positions)
        return _wrap(inputs, self.input_positions, self._on_input_gradient)

    def wrap_outputs(self, output):
        outputs = output if isinstance(output, tuple) else (output,)
        self.output_positions = _needing_grad(outputs)
        self.grad_outputs = [None] * len(outputs)
        self.pending_outputs = len(self.output_positions)
        wrapped = _wrap(outputs, self.output_positions, self._on_output_gradient)
        return wrapped if isinstance(output, tuple) else wrapped[0]

    def _on_output_gradient(self, position, grad):
        self.grad_outputs[position] = grad
        self.pending_outputs -= 1
        if self.pending_outputs == 0 and not self.input_positions:
            self.pending_outputs = len(self.output_positions)  # ready for another backward
            self._run_hooks()  # no input needs a gradient: grad_input is all None
        return None

    def _on_input_gradient(self, position, grad):
        self.grad_inputs[position] = grad
        self.pending_inputs -= 1
        if self.pending_inputs:
            return None
        self.pending_inputs = len(self.input_positions)
        self.pending_outputs = len(self.output_positions)
        replaced = self._run_hooks()
        if replaced is None:
            return None
        if len(self.input_positions) > 1:
            raise RuntimeError(
                f"register_full_backward_hook: a hook of {type(self.module).__name__} replaced "
                "grad_input, which tinygrad_edu supports for modules with one input that "
                "requires grad; this call has several")
        return replaced[position]

    def _run_hooks(self):
        """Each hook in turn, with the grad_input the previous one returned; the last
        replacement (a tuple), or None when no hook replaced anything."""
        grad_input, replaced = tuple(self.grad_inputs), None
        for hook in self.hooks:
            result = hook(self.module, grad_input, tuple(self.grad_outputs))
            if result is None:
                continue
            result = tuple(result) if isinstance(result, tuple | list) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(
                    f"register_full_backward_hook: a hook of {type(self.module).__name__} "
                    f"returned {len(result)} grad_input values, but expected "
                    f"{len(grad_input)}")
            grad_input = replaced = result
        return replaced


def _needing_grad(values):
    return tuple(position for position, value in enumerate(values)
                 if isinstance(value, Tensor) and value.requires_grad)


def _wrap(values, positions, on_gradient):
    return tuple(BackwardHookIdentity.apply(value, on_gradient, position)
                 if position in positions else value for position, value in enumerate(values))
