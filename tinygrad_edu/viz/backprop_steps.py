"""Backprop, one op at a time: record what each step of the backward pass computes.

For a node y = f(x1, ..., xk) the engine receives dL/dy (the gradient flowing in), calls the
op's backward, and hands each input its share dL/dxi = dL/dy * dy/dxi (the gradient written
out). A tensor used twice receives two shares, and its gradient is their sum:
dL/dx = share1 + share2. `record_backward` runs a backward pass with the engine's `on_node`
callback and keeps, for every step, exactly those quantities.

The recording leaves every `.grad` untouched (it asks the engine for the leaves' gradients, as
`grad()` does) and keeps the graph (retain_graph=True), so `loss.backward()` still works after.
Only a non-leaf tensor that called `retain_grad()` gets its `.grad` filled, as in any pass.
"""

from dataclasses import dataclass

import numpy as np

from ..autograd.engine import run_backward, topological_order
from ..tensor import Tensor
from .graph_model import output_tensors
from .summary import host_values


@dataclass
class GradientShare:
    """What one step writes into one input tensor."""

    position: int  # which forward argument of the op
    tensor: Tensor
    share: Tensor  # dL/dy * dy/dx from this op, in the input's shape
    previous: Tensor | None  # the input's gradient summed over earlier steps (None: first use)
    total: Tensor  # previous + share: the input's gradient so far
    local_derivative: np.ndarray | None  # dy/dx elementwise, for elementwise ops (else None)


@dataclass
class BackwardStep:
    """One op visited by the backward pass."""

    index: int  # 0 for the op nearest the output
    node: object  # the Function node
    output: Tensor  # y, the tensor this op produced
    grad_output: Tensor  # dL/dy, the gradient flowing in
    shares: list  # GradientShare, one per input that receives a gradient
    formula: str  # the first line of the op's docstring, e.g. "y = a * b;  dy/da = b, ..."


def op_formula(node):
    """The first line of the op class's docstring (by convention, its math)."""
    doc = type(node).__doc__
    return doc.strip().splitlines()[0] if doc else "(no formula documented)"


def _local_derivative(node, unreduced_share, grad_output):
    """dy/dx = share / (dL/dy) per element, meaningful only for elementwise ops, and only where
    the gradient flowing in has no zero (elsewhere the ratio is undefined)."""
    if not node.elementwise:
        return None
    if unreduced_share.shape != grad_output.shape:
        return None
    flowing_in = host_values(grad_output)
    if np.any(flowing_in == 0):
        return None
    return host_values(unreduced_share) / flowing_in


def record_backward(tensor, gradient=None):
    """Run a backward pass from `tensor` and return its steps, a list of BackwardStep.

    gradient: dL/d(tensor), needed when `tensor` is not a scalar (as for Tensor.backward).
    The graph must not have been freed by an earlier backward() without retain_graph=True.
    """
    if not isinstance(tensor, Tensor) or tensor.grad_fn is None:
        raise ValueError("record_backward: expected a Tensor computed from tensors that require "
                         "grad (it needs a grad_fn to have a backward pass)")
    order = topological_order([tensor.grad_fn])
    if any(node.freed for node in order):
        raise RuntimeError("record_backward: this graph was freed by an earlier backward(); run "
                           "the forward pass again, or pass retain_graph=True to that backward()")
    outputs = output_tensors(tensor, order)
    leaves = {id(value): value for node in order for value in node.inputs
              if isinstance(value, Tensor) and value.grad_fn is None and value.requires_grad}
    totals = {}  # id(tensor) -> its gradient summed over the steps so far
    steps = []

    def on_node(node, grad_output, input_grads):
        shares = []
        for position, (value, grad) in enumerate(zip(node.inputs, input_grads, strict=True)):
            if grad is None or not isinstance(value, Tensor) or not value.requires_grad:
                continue
            share = grad.sum_to_size(value.shape, op_name=type(node).__name__)
            previous = totals.get(id(value))
            total = share if previous is None else previous + share
            totals[id(value)] = total
            shares.append(GradientShare(position, value, share, previous, total,
                                        _local_derivative(node, grad, grad_output)))
        steps.append(BackwardStep(len(steps), node, outputs[node], grad_output, shares,
                                  op_formula(node)))

    seeds = None if gradient is None else [gradient]
    run_backward([tensor], seeds, retain_graph=True, create_graph=False,
                 inputs=list(leaves.values()), on_node=on_node)
    return steps
