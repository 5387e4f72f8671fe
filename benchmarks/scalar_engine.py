"""A micrograd-style scalar autograd engine: the benchmark's reference point for Python cost.

Each `Value` holds one Python float, its gradient, the Values it was computed from and a
closure that adds its gradient into theirs. `backward()` orders the graph depth-first and
runs the closures in reverse. There are no arrays at all, so its cost per op is the least
Python a graph-recording engine can spend: one object and one closure per op.
"""

import math


class Value:
    __slots__ = ("data", "grad", "parents", "backward_step")

    def __init__(self, data, parents=()):
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.backward_step = None

    def __add__(self, other):
        """y = a + b;  dy/da = dy/db = 1"""
        if not isinstance(other, Value):
            other = Value(other)
        out = Value(self.data + other.data, (self, other))

        def backward_step():
            self.grad += out.grad
            other.grad += out.grad
        out.backward_step = backward_step
        return out

    def __mul__(self, other):
        """y = a * b;  dy/da = b, dy/db = a"""
        if not isinstance(other, Value):
            other = Value(other)
        out = Value(self.data * other.data, (self, other))

        def backward_step():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out.backward_step = backward_step
        return out

    def tanh(self):
        """y = tanh(x);  dy/dx = 1 - y^2"""
        out = Value(math.tanh(self.data), (self,))

        def backward_step():
            self.grad += (1.0 - out.data * out.data) * out.grad
        out.backward_step = backward_step
        return out

    def exp(self):
        """y = e^x;  dy/dx = y"""
        out = Value(math.exp(self.data), (self,))

        def backward_step():
            self.grad += out.data * out.grad
        out.backward_step = backward_step
        return out

    def backward(self):
        """Set d(self)/d(v) in v.grad for every Value v this one was computed from."""
        order, visited = [], set()

        def visit(node):  # depth-first post-order (recursive, as micrograd; fine for 200 ops)
            if node not in visited:
                visited.add(node)
                for parent in node.parents:
                    visit(parent)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            if node.backward_step is not None:
                node.backward_step()
