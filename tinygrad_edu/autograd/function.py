"""`Function`: one differentiable operation, and the node it leaves in the graph.

Each op is a subclass with two static methods side by side:

    class Square(Function):
        '''y = x^2,  dy/dx = 2x'''

        @staticmethod
        def forward(ctx, x):             # raw backend arrays in, an array out
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):  # Tensors in, Tensors out: itself differentiable
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

`Square.apply(t)` runs `forward` on `t`'s array and, when gradients are needed, keeps the
instance `ctx` as the graph node of the result: `result.grad_fn is ctx`. Because `backward`
is written with Tensor operations, running it with grad mode on (`create_graph=True`) records
a graph of the backward pass too, which is what double backprop differentiates.

A node's public attributes, read by the engine and by `viz`:
  inputs          the forward arguments as passed: Tensors and constants, in order
  sequence_number when the node was made: larger than the numbers of the nodes of its inputs
  backward_index  the step at which the last backward pass visited this node (None before)
  module_calls    (module, input Tensors) for each nn.Module call whose output this node made,
                  innermost first (set by Module.__call__; viz draws a module as one box)
"""

import itertools
import weakref

import numpy as np

from ..backend import device_of
from .grad_mode import _GradMode

_OUTPUT = object()  # marks "the op's own output" among the saved values
_sequence = itertools.count()  # numbers the nodes in creation order (the engine's ordering)
_new_object = object.__new__


class Function:
    """Base class of every op; an instance is both the op's context and its graph node."""

    inputs = ()
    backward_index = None
    module_calls = ()
    freed = False
    hooks = None  # hooks registered on the (non-leaf) output tensor
    retained = None  # weak reference to the output tensor when it called retain_grad()
    _saved = ()
    _output_ref = None

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        """Run the op on Tensors (and constants); record the node if any input needs grad.

        This runs for every op, forward and backward, so it is written for speed: one pass
        over the arguments, the output Tensor built in place, saved arrays mapped back to
        the Tensors they came from by identity.
        """
        ctx = _new_object(cls)
        arrays = []
        device = None
        requires_grad = False
        for arg in args:
            if isinstance(arg, Tensor):
                if arg.requires_grad:
                    requires_grad = True
                if device is None:
                    device = arg.device
                elif arg.device != device:
                    raise RuntimeError(
                        f"{cls.__name__}: expected all tensors on the same device, "
                        f"but found tensors on '{device}' and '{arg.device}'"
                    )
                arrays.append(arg._data)
            else:
                arrays.append(arg)
        output = cls.forward(ctx, *arrays)
        if type(output) is np.ndarray:
            device = "cpu"
        elif isinstance(output, np.generic):  # NumPy turns 0-d results into scalars
            scalar, output, device = output, np.asarray(output), "cpu"
            ctx._saved = tuple(output if value is scalar else value for value in ctx._saved)
        else:
            device = device_of(output)
        result = _new_object(Tensor)
        result._data = output
        result.device = device
        result.grad = None
        result.name = None
        result._hooks = None
        if requires_grad and _GradMode.enabled:
            result.requires_grad = True
            result.grad_fn = ctx
            ctx.inputs = args
            ctx.sequence_number = next(_sequence)
            if ctx._saved:
                ctx._saved = tuple([_graph_value(value, args, arrays, output, result, ctx)
                                    for value in ctx._saved])
        else:
            result.requires_grad = False
            result.grad_fn = None
        return result

    def save_for_backward(self, *values):
        """Keep values for backward. Inputs and the output come back as the graph's Tensors."""
        self._saved = values

    @property
    def saved_tensors(self):
        """The values given to save_for_backward: inputs and output as graph Tensors."""
        if self.freed:
            raise RuntimeError(
                f"{type(self).__name__}: trying to backward through the graph a second time "
                "(or to read saved tensors after they were freed). Pass retain_graph=True to "
                "the first backward() or grad() call if you need to backward twice."
            )
        if self._output_ref is None:
            return self._saved
        return tuple([self._output_ref() if value is _OUTPUT else value for value in self._saved])

    @property
    def output(self):
        """The Tensor this node produced (alive while anything downstream holds it)."""
        return self._output_ref() if self._output_ref is not None else None

    @property
    def needs_input_grad(self):
        """For each forward argument: does it need a gradient?"""
        return tuple([isinstance(arg, Tensor) and arg.requires_grad for arg in self.inputs])

    def free(self):
        """Drop what backward needed; a later backward through this node raises."""
        self._saved = ()
        self.freed = True

    def __repr__(self):
        return f"<{type(self).__name__} node>"



def _graph_value(value, args, arrays, output, result, ctx):
    """What backward gets for a saved value: the input Tensor an array came from, a marker
    for the op's own output (held weakly, so output and node form no cycle), a constant
    Tensor for any other array, the value itself otherwise."""
    for position, array in enumerate(arrays):
        if value is array:
            return args[position]
    if value is output:
        ctx._output_ref = weakref.ref(result)
        return _OUTPUT
    if isinstance(value, np.ndarray) or hasattr(value, "__cuda_array_interface__"):
        return Tensor._make(value, result.device, False)
    return value


from ..tensor import Tensor  # noqa: E402  (tensor.py imports the ops, which import this module)
