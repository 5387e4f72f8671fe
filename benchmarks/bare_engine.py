"""The least an array engine built like tinygrad_edu can cost: the benchmark's floor for Python.

Same design as tinygrad_edu's engine, and nothing else: a Tensor wraps a NumPy array; each op
is a Function whose forward runs on arrays and whose backward runs the same Tensor ops (with
recording off), so there is one definition of each gradient rule; a node keeps its inputs,
where each gradient goes and a creation number; backward takes nodes from a heap, highest
number first, and drops each node's saved values after use.

What it leaves out is everything a real framework needs around that: version counters and
in-place checks, per-thread grad mode, type promotion, device checks, broadcasting, hooks,
weak references for released graphs, error messages. Only the ops of the per-op chain exist
(mul and add by a number, tanh, exp, sum). The distance between this engine and tinygrad_edu
is the price of those features; the distance between this engine and PyTorch is the price of
running the same design in Python at all.
"""

import itertools
from heapq import heappop, heappush

import numpy as np

_sequence = itertools.count()
_recording = [True]  # one switch for the process (a real engine keeps one per thread)


class Tensor:
    __slots__ = ("data", "grad", "grad_fn", "requires_grad")

    def __init__(self, data, requires_grad=False):
        self.data = np.asarray(data)
        self.grad = None
        self.grad_fn = None
        self.requires_grad = requires_grad

    def __mul__(self, number):
        return Scale.apply(self, number)

    def __add__(self, other):
        return Add.apply(self, other) if type(other) is Tensor else Shift.apply(self, other)

    def tanh(self):
        return Tanh.apply(self)

    def exp(self):
        return Exp.apply(self)

    def sum(self):
        return Sum.apply(self)

    def backward(self):
        run_backward(self)

    def numpy(self):
        return self.data


class Function:
    saved = ()

    @classmethod
    def apply(cls, *args):
        """Forward on the arrays; the node is recorded when an input needs a gradient."""
        ctx = object.__new__(cls)
        arrays = []
        edges = []
        requires_grad = False
        for arg in args:
            if type(arg) is Tensor:
                arrays.append(arg.data)
                if _recording[0] and arg.requires_grad:
                    requires_grad = True
                    edges.append(arg.grad_fn or arg)
                    continue
            else:
                arrays.append(arg)
            edges.append(None)
        result = object.__new__(Tensor)
        result.data = cls.forward(ctx, *arrays)
        result.grad = None
        result.requires_grad = requires_grad
        result.grad_fn = ctx if requires_grad else None
        if requires_grad:
            ctx.inputs = args
            ctx.edges = edges
            ctx.number = next(_sequence)
        return result

    def saved_tensors(self):
        """Saved arrays back as the input Tensors they came from (or as new Tensors)."""
        tensors = []
        for value in self.saved:
            for arg in self.inputs:
                if type(arg) is Tensor and arg.data is value:
                    tensors.append(arg)
                    break
            else:
                tensors.append(Tensor(value) if isinstance(value, np.ndarray) else value)
        return tensors


class Scale(Function):
    """y = x c;  dy/dx = c"""

    @staticmethod
    def forward(ctx, x, c):
        ctx.saved = (c,)
        return x * c

    @staticmethod
    def backward(ctx, grad):
        (c,) = ctx.saved
        return grad * c, None


class Shift(Function):
    """y = x + c;  dy/dx = 1"""

    @staticmethod
    def forward(ctx, x, c):
        return x + c

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Add(Function):
    """z = a + b (Tensors of one shape);  dz/da = dz/db = 1"""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y^2 (one op, TanhBackward)"""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.saved = (y,)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors()
        return (TanhBackward.apply(grad, y),)


class TanhBackward(Function):
    """z = g (1 - y^2)"""

    @staticmethod
    def forward(ctx, grad, y):
        return grad * (1 - y * y)


class Exp(Function):
    """y = e^x;  dy/dx = y"""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.saved = (y,)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors()
        return (Multiply.apply(grad, y),)


class Multiply(Function):
    """z = a b (Tensors of one shape)"""

    @staticmethod
    def forward(ctx, a, b):
        return a * b


class Sum(Function):
    """y = sum of x;  dy/dx = 1 (the gradient broadcast back to x's shape)"""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return x.sum()

    @staticmethod
    def backward(ctx, grad):
        return (BroadcastTo.apply(grad, ctx.shape),)


class BroadcastTo(Function):
    """y = x repeated to `shape`"""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)


def run_backward(root):
    """Gradients from a scalar `root` into every leaf's `.grad`."""
    grads = {root.grad_fn: Tensor(np.ones_like(root.data))}
    ready = [(-root.grad_fn.number, root.grad_fn)]
    _recording[0] = False
    try:
        while ready:
            node = heappop(ready)[1]
            input_grads = node.backward(node, grads.pop(node))
            for edge, grad in zip(node.edges, input_grads, strict=True):
                if edge is None:
                    continue
                if type(edge) is Tensor:  # a leaf
                    edge.grad = grad if edge.grad is None else edge.grad + grad
                elif edge in grads:
                    grads[edge] = grads[edge] + grad
                else:
                    grads[edge] = grad
                    heappush(ready, (-edge.number, edge))
            node.saved = ()
            node.inputs = ()
    finally:
        _recording[0] = True
