"""The per-op overhead workload: a chain of cheap elementwise ops on a (4,) float32 tensor.

    y = x;  repeat length/4 times:  y = exp(tanh(y * 0.9 + 0.1));  then sum(y).backward()

On four elements the arithmetic is nothing; what is timed is everything around it. These
runners do the same chain, forward and backward, and return dsum/dx:
- `EngineChain`: tinygrad_edu, PyTorch, or the bare array engine of bare_engine.py (the same
  Tensor method names);
- `ScalarChain`: the micrograd-style engine of scalar_engine.py, one chain per element;
- `ArrayCallsChain`: only the backend calls (NumPy or CuPy), forward and the matching
  backward ones, with no graph: the part of an engine's time that is not Python around them.
"""

import numpy as np
from scalar_engine import Value

START = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
SCALE, SHIFT = 0.9, 0.1


def check_length(length):
    if length <= 0 or length % 4:
        raise ValueError(f"op chain: length must be a positive multiple of 4, got {length}")


class EngineChain:
    """The chain on a tinygrad_edu or PyTorch tensor (`make_leaf` builds the input)."""

    def __init__(self, name, make_leaf):
        self.name = name
        self.x = make_leaf(START)

    def run(self, length):
        check_length(length)
        x = self.x
        x.grad = None
        y = x
        for _ in range(length // 4):
            y = (y * SCALE + SHIFT).tanh().exp()
        y.sum().backward()
        return x.grad


class ScalarChain:
    name = "scalar engine"

    def run(self, length):
        check_length(length)
        leaves = [Value(float(v)) for v in START]
        ends = []
        for y in leaves:
            for _ in range(length // 4):
                y = (y * SCALE + SHIFT).tanh().exp()
            ends.append(y)
        total = ends[0]
        for y in ends[1:]:
            total = total + y
        total.backward()
        return np.array([leaf.grad for leaf in leaves], np.float32)


class ArrayCallsChain:
    """The backend calls alone: 4 per step forward; backward (chain rule by hand) does
    g*0.9 (mul), nothing (add), g*(1 - t*t) (tanh: 3 calls), g*e (exp)."""

    name = "NumPy calls only"

    def __init__(self, xp):
        self.xp = xp
        self.x = xp.asarray(START)

    def run(self, length):
        check_length(length)
        xp = self.xp
        y = self.x
        saved = []  # (tanh output, exp output) of each step
        for _ in range(length // 4):
            t = xp.tanh(y * SCALE + SHIFT)
            y = xp.exp(t)
            saved.append((t, y))
        grad = xp.ones_like(y)
        for t, e in reversed(saved):
            grad = grad * e
            grad = grad * (1 - t * t)
            grad = grad * SCALE
        return grad
