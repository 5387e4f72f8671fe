"""Graphs that let go: after a backward() without retain_graph, a node keeps nothing that holds
activations alive, so `total = total + loss` over many steps stays small (PyTorch's pattern
for logging a running loss without .item())."""

import gc
import tracemalloc

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def _training_steps(steps, batch=256):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    x, y = tg.randn(batch, 64), tg.randint(0, 10, (batch,))
    total = 0.0
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total = total + loss  # keeps every step's loss node, as in PyTorch
    return total


def _grown_bytes(steps):
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    total = _training_steps(steps)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert np.isfinite(total.item())
    return grown


def test_a_running_total_of_losses_keeps_no_activations():
    short, long = _grown_bytes(20), _grown_bytes(220)
    per_step = (long - short) / 200
    # one step's activations are over 1 MB (256 x 256 float32 twice, plus gradients); the
    # nodes a step leaves behind are a few hundred bytes each
    assert per_step < 20_000, f"{per_step:.0f} bytes kept per step"


def test_a_freed_node_drops_saved_values_and_input_tensors():
    x = tg.randn(3, 4, requires_grad=True)
    h = (x * 2).tanh()
    y = (h * h).sum()
    node = h.grad_fn
    del h
    y.backward()
    assert node.freed and node._saved == ()
    assert all(not isinstance(value, tg.Tensor) or value is x or value.requires_grad
               for value in node.inputs)


def test_retain_graph_keeps_the_graph_for_a_second_pass():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.tolist()
    y.backward()
    np.testing.assert_allclose(x.grad.tolist(), np.multiply(first, 2))
