"""One registry of every op: how to make its sample inputs and which Functions it exercises.

Each `OpInfo` drives the parametrized tests: gradcheck and gradgradcheck on every device
(tests/test_op_gradients.py), PyTorch parity where torch is installed (tests/test_torch_parity.py),
and the meta-test that fails when a Function subclass in tinygrad_edu is run by no entry.
Coverage is observed, not declared: `observed_functions` runs an entry's samples and reads
which Functions made the nodes of the forward graph and of the graph of its gradients.
Entries live in the `*_ops.py` files of this folder (core ops, nn, ...): every such module's
`OPS` list is collected.
"""

import importlib
import pkgutil
from dataclasses import dataclass, field

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import topological_order


@dataclass
class OpInfo:
    """name: test id. function(*tensors) -> Tensor or tuple of Tensors.
    samples(rng) -> list of tuples of NumPy arrays (float arrays become float64 tensors that
    require grad; integer/bool arrays become constant tensors).
    torch_function(*torch_tensors) -> the same computation in PyTorch, or None (no twin).
    gradgrad: False only for ops whose second derivative is not meaningful (say why in note).
    atol/rtol: gradcheck tolerances (the defaults are gradcheck's)."""

    name: str
    function: object
    samples: object
    torch_function: object = None
    gradgrad: bool = True
    note: str = ""
    atol: float = 1e-5
    rtol: float = 1e-3
    extra: dict = field(default_factory=dict)


def all_ops():
    """Every registered OpInfo, from every `*_ops.py` module of this package."""
    entries = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name.endswith("_ops"):
            entries += importlib.import_module(f"{__name__}.{info.name}").OPS
    return entries


def make_inputs(entry, index, device):
    """Sample `index` of an entry as tensors: float arrays become float64 tensors that require
    grad, integer and boolean arrays constant tensors (samples are drawn with a fixed seed)."""
    arrays = entry.samples(np.random.default_rng(0))[index]
    return tuple(
        tg.tensor(array, dtype=tg.float64, device=device, requires_grad=True)
        if array.dtype.kind == "f" else tg.tensor(array, device=device)
        for array in arrays
    )


def observed_functions(entry, device="cpu"):
    """The Function classes an entry runs: the nodes of its outputs' graph, and of the graph
    that differentiating them once more builds (the fused backward ops live there)."""
    seen = set()
    for index in range(len(entry.samples(np.random.default_rng(0)))):
        inputs = make_inputs(entry, index, device)
        outputs = entry.function(*inputs)
        outputs = [o for o in (outputs if isinstance(outputs, tuple) else (outputs,))
                   if o.requires_grad]
        seen |= {type(node) for node in topological_order(
            [o.grad_fn for o in outputs if o.grad_fn is not None])}
        leaves = [t for t in inputs if t.requires_grad]
        if not outputs or not leaves:
            continue
        seeds = [tg.ones_like(o).requires_grad_() for o in outputs]  # records every node
        grads = tg.grad(outputs, leaves, seeds, create_graph=True, allow_unused=True)
        roots = [g.grad_fn for g in grads if g is not None and g.grad_fn is not None]
        seen |= {type(node) for node in topological_order(roots)}
    return seen


def sample_cases(entries):
    """(entry, sample index) pairs as pytest params, one id per sample."""
    cases = []
    for entry in entries:
        count = len(entry.samples(np.random.default_rng(0)))
        cases += [pytest.param(entry, index, id=f"{entry.name}-{index}")
                  for index in range(count)]
    return cases
