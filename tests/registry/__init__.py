"""One registry of every op: how to make its sample inputs and which Functions it exercises.

Each `OpInfo` drives the parametrized tests: gradcheck and gradgradcheck on every device
(tests/test_op_gradients.py), PyTorch parity where torch is installed (tests/test_torch_parity.py),
and the meta-test that fails when a Function subclass in tinygrad_edu is covered by no entry.
Entries live beside the code they test: core ops in core_ops.py, nn in nn_ops.py,
convolution, pooling and padding in conv_ops.py.
"""

from dataclasses import dataclass, field

import numpy as np
import pytest


@dataclass
class OpInfo:
    """name: test id. function(*tensors) -> Tensor or tuple of Tensors.
    samples(rng) -> list of tuples of NumPy arrays (float arrays become float64 tensors that
    require grad; integer/bool arrays become constant tensors).
    covers: the Function subclasses this entry exercises (for the coverage meta-test).
    torch_function(*torch_tensors) -> the same computation in PyTorch, or None (no twin).
    gradgrad: False only for ops whose second derivative is not meaningful (say why in note).
    atol/rtol: gradcheck tolerances (the defaults are gradcheck's)."""

    name: str
    function: object
    samples: object
    covers: tuple
    torch_function: object = None
    gradgrad: bool = True
    note: str = ""
    atol: float = 1e-5
    rtol: float = 1e-3
    extra: dict = field(default_factory=dict)


def all_ops():
    """Every registered OpInfo, from every registry file that exists."""
    entries = []
    from . import core_ops

    entries += core_ops.OPS
    try:
        from . import nn_ops
    except ImportError:
        nn_ops = None
    if nn_ops is not None:
        entries += nn_ops.OPS
    from . import conv_ops

    entries += conv_ops.OPS
    return entries


def sample_cases(entries):
    """(entry, sample index) pairs as pytest params, one id per sample."""
    cases = []
    for entry in entries:
        count = len(entry.samples(np.random.default_rng(0)))
        cases += [pytest.param(entry, index, id=f"{entry.name}-{index}")
                  for index in range(count)]
    return cases
