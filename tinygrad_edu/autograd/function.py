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

Options that backward needs (a dim, a stride, a reduction) are saved in forward as named
attributes (`ctx.dim = dim`); arrays only through `save_for_backward`, so that freeing the
node after backward lets go of every activation.

A node's public attributes, read by the engine and by `viz`:
  inputs          the forward arguments as passed: Tensors and constants, in order. After a
                  backward that freed the graph, tensors other than leaves that require grad
                  are replaced by weak references (alive while the user still holds them)
  edges           per argument, where its gradient goes: the Function node that made it, the
                  leaf Tensor that accumulates it, or None (no gradient needed). Taken when
                  the node is made, so a later in-place op on an input changes nothing here
  sequence_number when the node was made: larger than the numbers of the nodes of its inputs
  backward_index  the step at which the last backward pass visited this node (None before)
  module_calls    (module, input Tensors) for each nn.Module call whose output this node made,
                  innermost first (set by Module.__call__; viz draws a module as one box)
  elementwise     class attribute: True for ops with y_i = f(x_i, ...) (viz shows dy/dx)

`Tensor` is defined above this layer (its methods call Functions); it registers itself here
once (`register_tensor_type`), so this module never imports it and any import order works.
"""

import itertools
import weakref

import numpy as np

from .grad_mode import _grad_mode

_OUTPUT = object()  # marks "the op's own output" among the saved values
_sequence = itertools.count()  # numbers the nodes in creation order (the engine's ordering)
_new_object = object.__new__
_tensor_type = None  # set once by tensor.py: the class every op's result is made of


def register_tensor_type(tensor_class):
    """Called once by tensor.py: the results of ops are `tensor_class` instances."""
    global _tensor_type
    _tensor_type = tensor_class


def tensor_type():
    """The Tensor class (registered by tensor.py)."""
    return _tensor_type


class Version:
    """A tensor's version counter: how many in-place changes its memory has seen. Views of a
    tensor share its counter (they share its memory); a node that saved a tensor for backward
    remembers the version it saw and refuses to run once it changed."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


def version_counter(tensor):
    """The tensor's Version, made on first use (most tensors are never changed in place)."""
    if tensor._version is None:
        tensor._version = Version()
    return tensor._version


_modifications = 0  # in-place changes so far, of any tensor: while it stays the same, no saved
# tensor can have changed, and backward skips the version checks


def mark_modified(tensor):
    """Record an in-place change of `tensor`'s memory: its version goes up by one."""
    global _modifications
    version_counter(tensor).value += 1
    _modifications += 1


def constant(array, device=None):
    """The one way to wrap a backend array as a Tensor without a graph: shares the array's
    memory, requires no gradient (masks, indices, piecewise-constant factors in backward)."""
    tensor = _new_object(_tensor_type)
    tensor._data = array
    tensor.device = device or _device_of(array)
    tensor.requires_grad = False
    tensor._grad = None
    tensor.grad_fn = None
    tensor.name = None
    tensor._hooks = None
    tensor._version = None
    return tensor


def _device_of(array):
    return "cpu" if type(array).__module__ == "numpy" else "cuda"


class Function:
    """Base class of every op; an instance is both the op's context and its graph node."""

    inputs = ()
    edges = ()
    backward_index = None
    module_calls = ()
    freed = False
    elementwise = False
    hooks = None  # hooks registered on the (non-leaf) output tensor
    retained = None  # weak reference to the output tensor when it called retain_grad()
    _saved = ()
    _saved_versions = None
    _output_ref = None  # weak reference to the output Tensor, when the op saved its output
    _output_data = None  # ... and the output's array and Version, kept strongly
    _output_counter = None
    _output_version = 0
    _epoch = -1  # _modifications when the saved values were recorded

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
        edges = []  # where each argument's gradient goes: its node, the leaf, or nowhere
        device = None
        requires_grad = False
        recording = _grad_mode.enabled
        tensor_type = _tensor_type
        for arg in args:
            if isinstance(arg, tensor_type):
                if recording:
                    if arg.requires_grad:
                        requires_grad = True
                        edges.append(arg.grad_fn or arg)
                    else:
                        edges.append(None)
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
                if recording:
                    edges.append(None)
        output = cls.forward(ctx, *arrays)
        if isinstance(output, np.generic):  # NumPy turns 0-d results into scalars
            scalar, output = output, np.asarray(output)
            ctx._saved = tuple([output if value is scalar else value for value in ctx._saved])
        result = _new_object(tensor_type)
        result._data = output
        result.device = device or _device_of(output)
        result._grad = None
        result.name = None
        result._hooks = None
        result._version = None
        if requires_grad:
            result.requires_grad = True
            result.grad_fn = ctx
            ctx.inputs = args
            ctx.edges = edges
            ctx.sequence_number = next(_sequence)
            if ctx._saved:
                _keep_saved(ctx, args, arrays, output, result, tensor_type)
        else:
            result.requires_grad = False
            result.grad_fn = None
        return result

    def save_for_backward(self, *values):
        """Keep values for backward. Inputs and the output come back as the graph's Tensors."""
        self._saved = values

    @property
    def saved_tensors(self):
        """The values given to save_for_backward: inputs and output as graph Tensors. Raises if
        the graph was freed, or if an in-place op changed a saved tensor since forward."""
        if self.freed:
            raise RuntimeError(_FREED_MESSAGE.format(op=type(self).__name__))
        if self._saved_versions is not None and self._epoch != _modifications:
            self._check_versions()  # something was modified in place since forward
        if self._output_ref is None:
            return self._saved
        output = self.output
        return tuple([output if value is _OUTPUT else value for value in self._saved])

    def _check_versions(self):
        for value, expected in zip(self._saved, self._saved_versions, strict=True):
            if value is _OUTPUT:
                current, shape = self._output_counter.value, self._output_data.shape
                expected = self._output_version
            elif expected is None:
                continue
            else:
                version = value._version
                current, shape = (0 if version is None else version.value), value.shape
            if current != expected:
                raise RuntimeError(
                    f"{type(self).__name__}: one of the tensors needed for gradient computation "
                    f"has been modified by an in-place operation: a tensor of shape "
                    f"{tuple(shape)} is at version {current}; expected version {expected} "
                    "instead. Compute it again, or clone() it before the in-place op."
                )

    @property
    def output(self):
        """The Tensor this node produced: the original while something holds it, else a new
        Tensor on the same memory with this node as its grad_fn (as PyTorch unpacks a saved
        output), so the node and its output never keep each other alive."""
        if self._output_ref is None:
            return None
        output = self._output_ref()
        if output is None and self._output_data is not None:
            output = constant(self._output_data)
            output.grad_fn, output.requires_grad = self, True
            output._version = self._output_counter
        return output

    def _save_output(self, tensor):
        """Remember `tensor` as this node's saved output (also after an in-place rebase)."""
        self._output_ref = weakref.ref(tensor)
        self._output_data = tensor._data
        self._output_counter = version_counter(tensor)
        self._output_version = self._output_counter.value

    @property
    def needs_input_grad(self):
        """For each forward argument: does it need a gradient?"""
        return tuple([edge is not None for edge in self.edges])

    def free(self):
        """Drop what backward needed and every activation the node holds; a later backward
        through this node raises. Leaves that require grad stay (they are the parameters)."""
        self._saved = ()
        self._output_data = None
        self.freed = True
        self.inputs = [_released(value) for value in self.inputs]
        if self.module_calls:
            self.module_calls = tuple([(module, tuple([_released(t) for t in tensors]))
                                       for module, tensors in self.module_calls])

    def __repr__(self):
        return f"<{type(self).__name__} node>"


def _released(value):
    """An input as a freed node keeps it: leaves that require grad as they are, other tensors
    as weak references, raw arrays not at all, other constants (dims, options) as they are."""
    if isinstance(value, _tensor_type):
        return value if value.grad_fn is None and value.requires_grad else weakref.ref(value)
    return None if hasattr(value, "shape") else value


def _keep_saved(ctx, args, arrays, output, result, tensor_type):
    """What backward gets for each saved value: the input Tensor an array came from, a marker
    for the op's own output (see `output`: the two never form a cycle), a constant
    Tensor for any other array, the value itself otherwise; and the version of each saved
    tensor now, which backward checks."""
    saved, versions = [], []
    for value in ctx._saved:
        version = None
        for position, array in enumerate(arrays):
            if value is array and isinstance(args[position], tensor_type):
                value = args[position]
                version = value._version.value if value._version is not None else 0
                break
        else:
            if value is output:
                ctx._save_output(result)
                value, version = _OUTPUT, 0
            elif hasattr(value, "shape") and hasattr(value, "dtype"):  # another array
                value = constant(value, result.device)
        saved.append(value)
        versions.append(version)
    ctx._saved = tuple(saved)
    ctx._saved_versions = tuple(versions)
    ctx._epoch = _modifications


_FREED_MESSAGE = (
    "{op}: trying to backward through the graph a second time (or to read saved tensors after "
    "they were freed). Pass retain_graph=True to the first backward() or grad() call if you "
    "need to backward through it again."
)
