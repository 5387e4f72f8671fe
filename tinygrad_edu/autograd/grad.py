"""`grad()`: gradients of outputs with respect to chosen inputs, as torch.autograd.grad."""

from .engine import run_backward
from .function import tensor_type


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """d(outputs)/d(inputs), weighted by `grad_outputs` (default: ones for scalar outputs).

    Returns a tuple with one gradient per input and leaves every `.grad` untouched. With
    `create_graph=True` the gradients are themselves differentiable (double backprop).
    An input the outputs do not depend on is an error unless `allow_unused=True` (then None).
    """
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    for position, tensor in enumerate(inputs):
        if not isinstance(tensor, tensor_type()) or not tensor.requires_grad:
            raise RuntimeError(f"grad: input {position} does not require grad")
    if grad_outputs is not None:
        grad_outputs = _as_list(grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for "
                             f"{len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    results = run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs)
    for position, result in enumerate(results):
        if result is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {position} (shape {inputs[position].shape}) was not used to "
                "compute the outputs; pass allow_unused=True to get None for it"
            )
    return tuple(results)


def _as_list(value):
    return list(value) if isinstance(value, list | tuple) else [value]
