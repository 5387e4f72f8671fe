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

from ..backend import device_of
from .grad_mode import _grad_mode

_sequence = itertools.count()  # numbers the nodes in creation order (the engine's ordering)
_new_object = object.__new__
_ndarray = np.ndarray
_NO_EDGES = itertools.repeat(None)  # for values that have no edges (a module call's inputs)
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
    """The tensor's Version, made on first use (most tensors are never changed in place). A
    node that saved its output shares the counter with every Tensor on that output's memory."""
    if tensor._version is None:
        node = tensor.grad_fn
        saved = node is not None and node._output_data is tensor._data
        _set_counter(tensor, (saved and node._output_counter) or Version())
    return tensor._version


def share_version(view, base):
    """`view` shares `base`'s memory, so it shares its version counter too."""
    _set_counter(view, version_counter(base))
    return view


def _set_counter(tensor, counter):
    """Give `tensor` this counter; if its node saved it as output, the node's counter too."""
    tensor._version = counter
    node = tensor.grad_fn
    if node is not None and node._output_data is tensor._data:
        node._output_counter = counter


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
    tensor.device = device or device_of(array)
    tensor.requires_grad = False
    tensor._grad = None
    tensor.grad_fn = None
    tensor.name = None
    tensor._hooks = None
    tensor._version = None
    return tensor


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
    _saved = ()  # the values given to save_for_backward, as forward gave them
    _input_versions = None  # the inputs' versions at forward, when any had been changed before
    _output_data = None  # the output array, when the op saved it
    _output_counter = None  # ... the Version of that memory, once a Tensor on it needed one
    _output_version = 0  # ... and the version forward saw
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
        over the arguments, the output Tensor built in place, and the saved values kept as
        forward gave them (backward maps them back to Tensors, see `saved_tensors`).
        """
        ctx = _new_object(cls)
        tensor_type = _tensor_type
        arrays = []
        device = None
        requires_grad = versioned = False
        recording = _grad_mode.enabled
        edges = []  # where each argument's gradient goes: its node, the leaf, or nowhere
        for arg in args:
            if isinstance(arg, tensor_type):
                if recording:
                    if arg.requires_grad:
                        requires_grad = True
                        edges.append(arg.grad_fn or arg)
                    else:
                        edges.append(None)
                    if arg._version is not None:
                        versioned = True
                if device is None:
                    device = arg.device
                elif arg.device != device:
                    raise _device_error(cls, device, arg.device)
                arrays.append(arg._data)
            else:
                arrays.append(arg)
                if recording:
                    edges.append(None)
        output = cls.forward(ctx, *arrays)
        result = _new_object(tensor_type)
        if type(output) is _ndarray:
            result.device = "cpu"
        else:  # from the output itself, not the inputs: ToDevice's output is on another device
            output = _as_array(ctx, output)
            result.device = device_of(output)
        result._data = output
        result._grad = None
        result.name = None
        result._hooks = None
        result._version = None
        if not requires_grad:
            result.requires_grad = False
            result.grad_fn = None
            return result
        result.requires_grad = True
        result.grad_fn = ctx
        ctx.inputs = args
        ctx.edges = edges
        ctx.sequence_number = next(_sequence)
        saved = ctx._saved
        if saved:
            ctx._epoch = _modifications
            for value in saved:
                if value is output:
                    ctx._output_data = output
                    break
            if versioned:
                ctx._input_versions = _versions(args, tensor_type)
        return result

    def save_for_backward(self, *values):
        """Keep values for backward. Inputs and the output come back as the graph's Tensors."""
        self._saved = values

    @property
    def saved_tensors(self):
        """The values given to save_for_backward, with the arrays of inputs and of the output
        as the graph's Tensors and any other array as a constant Tensor. Raises if the graph
        was freed, or if an in-place op changed a saved tensor since forward."""
        if self.freed:
            raise RuntimeError(_FREED_MESSAGE.format(op=type(self).__name__))
        if self._epoch != _modifications:
            self._check_versions()  # something was modified in place since forward
        tensor_type = _tensor_type
        inputs = self.inputs
        unpacked = []
        for value in self._saved:
            for arg in inputs:
                if isinstance(arg, tensor_type) and arg._data is value:
                    unpacked.append(arg)  # the array of an input: that input
                    break
            else:
                unpacked.append(value if value is None or type(value) is float
                                else self._unpack_other(value))
        return tuple(unpacked)

    def _unpack_other(self, value):
        """A saved value that is no input's array: the output, another array, or a constant."""
        if value is self._output_data:
            return self.output  # (None stays None: then the op saved no output)
        if type(value) is np.ndarray or (hasattr(value, "shape") and hasattr(value, "dtype")):
            return constant(value)
        return value

    def _saved_state(self, value):
        """(current version, version at forward, shape) of a saved input or output array; None
        for other values."""
        for position, arg in enumerate(self.inputs):
            if isinstance(arg, _tensor_type) and arg._data is value:
                version = arg._version
                versions = self._input_versions
                expected = 0 if versions is None else versions[position]
                return (0 if version is None else version.value), expected, arg.shape
        if value is not None and value is self._output_data:
            counter = self._output_counter
            return (0 if counter is None else counter.value), self._output_version, value.shape
        return None

    def _check_versions(self):
        for value in self._saved:
            state = self._saved_state(value)
            if state is not None and state[0] != state[1]:
                current, expected, shape = state
                raise RuntimeError(
                    f"{type(self).__name__}: one of the tensors needed for gradient computation "
                    f"has been modified by an in-place operation: a tensor of shape "
                    f"{tuple(shape)} is at version {current}; expected version {expected} "
                    "instead. Compute it again, or clone() it before the in-place op."
                )

    @property
    def output(self):
        """The output this node saved, as a Tensor on the same memory with this node as its
        grad_fn (as PyTorch unpacks a saved output): made when asked for, so the node never
        holds its output Tensor and the two never keep each other alive. None if the op did
        not save its output."""
        data = self._output_data
        if data is None:
            return None
        output = _new_object(_tensor_type)
        output._data = data
        output.device = "cpu" if type(data) is np.ndarray else device_of(data)
        output._grad = output.name = output._hooks = None
        output.grad_fn, output.requires_grad = self, True
        output._version = self._output_counter
        return output

    def _save_output(self, tensor):
        """Make `tensor` this node's saved output (after an in-place op rebased it: the op ran
        on a snapshot, and its result was written into `tensor`'s memory)."""
        previous = self._output_data
        self._saved = tuple([tensor._data if value is previous else value for value in self._saved])
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
        self.inputs = _released(self.inputs, self.edges)
        if self.module_calls:
            self.module_calls = tuple([(module, _released(tensors))
                                       for module, tensors in self.module_calls])

    def __repr__(self):
        return f"<{type(self).__name__} node>"


def _as_array(ctx, output):
    """A forward result that is not a NumPy array: NumPy's 0-d results come as scalars (made
    0-d arrays again, in the saved values too); CuPy's arrays pass."""
    if isinstance(output, np.generic):
        scalar, output = output, np.asarray(output)
        ctx._saved = tuple([output if value is scalar else value for value in ctx._saved])
    return output


def _versions(args, tensor_type):
    """The version of each Tensor argument (None for other arguments)."""
    return tuple([(0 if arg._version is None else arg._version.value)
                  if isinstance(arg, tensor_type) else None for arg in args])


def _device_error(op, device, other):
    return RuntimeError(f"{op.__name__}: expected all tensors on the same device, but found "
                        f"tensors on '{device}' and '{other}'")


def _released(values, edges=_NO_EDGES):
    """Inputs as a freed node keeps them: leaves that require grad as they are (a node's edge
    to such a leaf is the leaf itself), other tensors as weak references, raw arrays not at
    all, other constants (dims, options) as they are."""
    tensor_type = _tensor_type
    kept = []
    for value, edge in zip(values, edges):
        if edge is value:
            kept.append(value)
        elif isinstance(value, tensor_type):
            kept.append(value if value.grad_fn is None and value.requires_grad
                        else weakref.ref(value))
        else:
            kept.append(None if hasattr(value, "shape") else value)
    return kept


_FREED_MESSAGE = (
    "{op}: trying to backward through the graph a second time (or to read saved tensors after "
    "they were freed). Pass retain_graph=True to the first backward() or grad() call if you "
    "need to backward through it again."
)
