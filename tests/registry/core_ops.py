"""Registry entries of the core ops: elementwise, reductions, softmax, shapes, indexing, matmul.

Sample inputs keep away from the points where an op is not differentiable (log and sqrt of
non-positive numbers, the kinks of abs/relu/clamp, ties of max/maximum): finite differences
straddling a kink measure neither side's derivative. The conventions at kinks are tested
against PyTorch in tests/test_torch_parity.py. Every sample stays small (at most ~24 elements
per input), so gradcheck's two evaluations per element stay cheap.
"""

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.ops.elementwise import ToDevice

from . import OpInfo

# ----- sample makers ------------------------------------------------------------------------
# Each returns a NumPy array (0-d included: rng draws of shape () are plain floats otherwise).


def normal(rng, shape):
    return np.asarray(rng.standard_normal(shape))


def positive(rng, shape, low=0.5, high=2.0):
    """Values in [low, high]: inside the domain of log, sqrt, 1/x and real powers."""
    return np.asarray(rng.uniform(low, high, shape))


def away_from_zero(rng, shape, gap=0.2):
    """Values with |x| >= gap: clear of the kink of abs/relu at 0 (finite differences use
    eps = 1e-6, so any gap far larger than that works)."""
    magnitude = rng.uniform(gap, 1.5, shape)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return np.asarray(magnitude * sign)


def distinct(rng, shape):
    """Values at least 0.09 apart from one another: reductions like max have no ties."""
    count = int(np.prod(shape, dtype=np.int64))
    return np.asarray(rng.permutation(count).reshape(shape) * 0.1 - 0.05 * count
                      + rng.uniform(0.0, 0.01, shape))


def on_grid(rng, shape):
    """Multiples of 0.2 in [-1.6, 1.4]."""
    return np.asarray(rng.integers(-8, 8, shape) * 0.2)


def off_grid(rng, shape):
    """Odd multiples of 0.1 in [-1.5, 1.5]: at least 0.1 from any on_grid value (no ties
    of maximum/minimum, or with the on-grid scalars +-0.4 below), and at least 0.05 from the
    clamp bounds +-0.25 and +-0.6 below."""
    return np.asarray((rng.integers(-8, 8, shape) + 0.5) * 0.2)


def apart(rng, shape_a, shape_b):
    """Two operands of a maximum/minimum that never tie."""
    return on_grid(rng, shape_a), off_grid(rng, shape_b)


BROADCAST_PAIRS = [((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((3,), ()), ((), (2, 3)), ((2, 3), (2, 3))]


def pairs(make):
    """Samples of a binary op over BROADCAST_PAIRS, each operand drawn by `make(rng, shape)`."""
    return lambda rng: [(make(rng, a), make(rng, b)) for a, b in BROADCAST_PAIRS]


def singles(make, shapes=((2, 3), (4,), ())):
    """Samples of a unary op: one array per shape (a matrix, a vector, a 0-d tensor)."""
    return lambda rng: [(make(rng, shape),) for shape in shapes]


# ----- torch twins need their indices as torch tensors ----------------------------------------


def _torch():
    import torch

    return torch


def torch_index(index):
    """An index with NumPy arrays turned into torch tensors (PyTorch's own indexing rules)."""
    parts = index if isinstance(index, tuple) else (index,)
    converted = tuple(_torch().as_tensor(p) if isinstance(p, np.ndarray) else p for p in parts)
    return converted if isinstance(index, tuple) else converted[0]


def getitem_entry(name, shape, index, note=""):
    """x[index] for one index form; a NumPy array inside it is passed as a tg Tensor."""

    def ours(x):
        parts = index if isinstance(index, tuple) else (index,)
        moved = tuple(tg.tensor(p, device=x.device) if isinstance(p, np.ndarray) else p
                      for p in parts)
        return x[moved if isinstance(index, tuple) else moved[0]]

    ours.__name__ = f"getitem_{name}"
    return OpInfo(
        name=f"getitem_{name}",
        function=ours,
        samples=lambda rng: [(normal(rng, shape),)],
        torch_function=lambda x: x[torch_index(index)],
        note=note,
    )


def _mask(shape, seed):
    return np.random.default_rng(seed).random(shape) < 0.5


def _setitem(a, b):
    """Rows 0 and 2 overwritten by b (broadcast), then a column by b's first two elements."""
    y = a * 1.0
    y[::2] = b
    y[1:, 0] = b[:2] * 2
    return y


def _setitem_scalar_mask(a):
    y = a * 1.0
    y[y > 0.5] = 0.25
    return y.exp()


# ----- the entries --------------------------------------------------------------------------

OPS = [
    # binary arithmetic, with broadcasting and Python-scalar operands
    OpInfo("add", lambda a, b: a + b, pairs(normal),
           torch_function=lambda a, b: a + b),
    OpInfo("add_scalar", lambda a: 2.5 + a + 1.5, singles(normal),
           torch_function=lambda a: 2.5 + a + 1.5),
    OpInfo("sub", lambda a, b: a - b, pairs(normal),
           torch_function=lambda a, b: a - b),
    OpInfo("sub_scalar", lambda a: (3.0 - a) - 0.5, singles(normal),
           torch_function=lambda a: (3.0 - a) - 0.5),
    OpInfo("mul", lambda a, b: a * b, pairs(normal),
           torch_function=lambda a, b: a * b),
    OpInfo("mul_scalar", lambda a: -1.5 * a * 2.0, singles(normal),
           torch_function=lambda a: -1.5 * a * 2.0),
    OpInfo("div", lambda a, b: a / b,
           lambda rng: [(normal(rng, a), away_from_zero(rng, b, gap=0.5))
                        for a, b in BROADCAST_PAIRS], torch_function=lambda a, b: a / b),
    OpInfo("div_scalar", lambda a: 2.0 / a + a / 4.0, singles(away_from_zero),
           torch_function=lambda a: 2.0 / a + a / 4.0),
    OpInfo("pow_tensor_scalar", lambda a: a**3 + a**2 + a**-1 + a**0.5 + a**0,
           singles(positive),
           torch_function=lambda a: a**3 + a**2 + a**-1 + a**0.5 + a**0),
    OpInfo("pow_negative_base_integer_exponent", lambda a: a**3, singles(normal),
           torch_function=lambda a: a**3),
    OpInfo("pow_tensor_tensor", lambda a, b: a**b,
           lambda rng: [(positive(rng, a), normal(rng, b)) for a, b in BROADCAST_PAIRS],
           torch_function=lambda a, b: a**b),
    OpInfo("pow_scalar_tensor", lambda b: 2.0**b + 0.5**b, singles(normal),
           torch_function=lambda b: 2.0**b + 0.5**b),
    OpInfo("neg", lambda a: -a, singles(normal), torch_function=lambda a: -a),
    # unary elementwise
    OpInfo("exp", lambda a: a.exp(), singles(normal), torch_function=lambda a: a.exp()),
    OpInfo("log", lambda a: a.log(), singles(positive), torch_function=lambda a: a.log()),
    OpInfo("sqrt", lambda a: a.sqrt(), singles(positive),
           torch_function=lambda a: a.sqrt()),
    OpInfo("abs", lambda a: a.abs(), singles(away_from_zero),
           torch_function=lambda a: a.abs()),
    OpInfo("sin", lambda a: a.sin(), singles(normal),
           torch_function=lambda a: a.sin()),
    OpInfo("cos", lambda a: a.cos(), singles(normal),
           torch_function=lambda a: a.cos()),
    OpInfo("tanh", lambda a: a.tanh(), singles(normal),
           torch_function=lambda a: a.tanh()),
    OpInfo("sigmoid", lambda a: a.sigmoid(),
           lambda rng: [(normal(rng, (2, 3)) * 3,), (normal(rng, ()),),
                        (np.array([-30.0, -5.0, 5.0, 30.0]),)],
           torch_function=lambda a: a.sigmoid(),
           note="includes saturated inputs +-30, where a naive 1/(1+e^-x) is inexact"),
    OpInfo("relu", lambda a: a.relu(), singles(away_from_zero),
           torch_function=lambda a: a.relu()),
    OpInfo("clamp_min_max", lambda a: a.clamp(min=-0.6, max=0.6),
           singles(off_grid), torch_function=lambda a: a.clamp(min=-0.6, max=0.6)),
    OpInfo("clamp_min_only", lambda a: a.clamp(min=0.25), singles(off_grid),
           torch_function=lambda a: a.clamp(min=0.25)),
    OpInfo("clamp_max_only", lambda a: a.clamp(max=-0.25), singles(off_grid),
           torch_function=lambda a: a.clamp(max=-0.25)),
    OpInfo("maximum", lambda a, b: a.maximum(b),
           lambda rng: [apart(rng, a, b) for a, b in BROADCAST_PAIRS],
           torch_function=lambda a, b: a.maximum(b)),
    OpInfo("minimum", lambda a, b: tg.minimum(a, b),
           lambda rng: [apart(rng, b, a)[::-1] for a, b in BROADCAST_PAIRS],
           torch_function=lambda a, b: _torch().minimum(a, b)),
    OpInfo("maximum_scalar", lambda a: tg.maximum(a, 0.4) + a.minimum(-0.4),
           singles(off_grid),
           torch_function=lambda a: a.clamp(min=0.4) + a.clamp(max=-0.4),
           note="torch.maximum takes no Python scalar; clamp is the same function"),
    OpInfo("where", lambda cond, a, b: tg.where(cond, a, b),
           lambda rng: [(_mask((3, 4), 1), normal(rng, (3, 4)), normal(rng, (4,))),
                        (_mask((2, 1, 3), 2), normal(rng, (4, 1)), normal(rng, ())),
                        (_mask((2, 3), 3), normal(rng, (2, 3)), normal(rng, (2, 3)))],
           torch_function=lambda cond, a, b: _torch().where(cond, a, b)),
    OpInfo("where_scalar", lambda cond, a: tg.where(cond, a, 0.5) + tg.where(cond, -1.0, a),
           lambda rng: [(_mask((2, 3), 4), normal(rng, (2, 3)))],
           torch_function=lambda cond, a: (_torch().where(cond, a, 0.5)
                                           + _torch().where(cond, -1.0, a))),
    # reductions
    OpInfo("sum", lambda a: (a.sum(), a.sum(dim=1), a.sum(dim=-1, keepdim=True),
                             a.sum(dim=(0, -1)), a.sum(dim=(0, 2), keepdim=True)),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.sum(), a.sum(dim=1), a.sum(dim=-1, keepdim=True),
                                     a.sum(dim=(0, -1)), a.sum(dim=(0, 2), keepdim=True))),
    OpInfo("sum_0d", lambda a: (a.sum(), a.sum(dim=0), a.sum(dim=-1, keepdim=True)),
           singles(normal, ((),)),
           torch_function=lambda a: (a.sum(), a.sum(dim=0), a.sum(dim=-1, keepdim=True))),
    OpInfo("mean", lambda a: (a.mean(), a.mean(dim=0), a.mean(dim=-1, keepdim=True),
                              a.mean(dim=(1, 2))),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.mean(), a.mean(dim=0), a.mean(dim=-1, keepdim=True),
                                     a.mean(dim=(1, 2)))),
    OpInfo("var", lambda a: (a.var(), a.var(dim=1), a.var(dim=-1, unbiased=False, keepdim=True),
                             a.var(dim=(0, 1))),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.var(), a.var(dim=1),
                                     a.var(dim=-1, unbiased=False, keepdim=True),
                                     a.var(dim=(0, 1)))),
    OpInfo("std", lambda a: (a.std(), a.std(dim=0, keepdim=True), a.std(dim=-1, unbiased=False)),
           singles(normal, ((3, 4),)),
           torch_function=lambda a: (a.std(), a.std(dim=0, keepdim=True),
                                     a.std(dim=-1, unbiased=False))),
    OpInfo("amax", lambda a: (a.amax(), a.amax(dim=1), a.amax(dim=(0, -1), keepdim=True)),
           singles(distinct, ((2, 3, 4),)),
           torch_function=lambda a: (a.amax(), a.amax(dim=1),
                                     a.amax(dim=(0, -1), keepdim=True))),
    OpInfo("amin", lambda a: (a.amin(), a.amin(dim=-2), a.amin(dim=0, keepdim=True)),
           singles(distinct, ((2, 3, 4),)),
           torch_function=lambda a: (a.amin(), a.amin(dim=-2), a.amin(dim=0, keepdim=True))),
    OpInfo("max", lambda a: (a.max(), a.max(dim=0).values, a.max(dim=-1, keepdim=True)[0]),
           singles(distinct, ((3, 4),)),
           torch_function=lambda a: (a.max(), a.max(dim=0).values,
                                     a.max(dim=-1, keepdim=True)[0])),
    OpInfo("max_0d", lambda a: (a.max(), a.max(dim=0).values), singles(distinct, ((),)),
           torch_function=lambda a: (a.max(), a.max(dim=0).values)),
    OpInfo("min", lambda a: (a.min(), a.min(dim=1).values, a.min(dim=-2, keepdim=True).values),
           singles(distinct, ((3, 4),)),
           torch_function=lambda a: (a.min(), a.min(dim=1).values,
                                     a.min(dim=-2, keepdim=True).values)),
    OpInfo("sort", lambda a: (a.sort().values, a.sort(dim=0, descending=True).values),
           singles(distinct, ((3, 4), (5,))),
           torch_function=lambda a: (a.sort().values, a.sort(dim=0, descending=True).values)),
    OpInfo("topk", lambda a: (a.topk(2).values, a.topk(1, dim=0, largest=False).values),
           singles(distinct, ((3, 4),)),
           torch_function=lambda a: (a.topk(2).values, a.topk(1, dim=0, largest=False).values)),
    OpInfo("logsumexp", lambda a: (a.logsumexp(), a.logsumexp(dim=1),
                                   a.logsumexp(dim=(0, -1), keepdim=True)),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.logsumexp(dim=(0, 1, 2)), a.logsumexp(dim=1),
                                     a.logsumexp(dim=(0, -1), keepdim=True))),
    OpInfo("logsumexp_large", lambda a: a.logsumexp(dim=-1),
           lambda rng: [(normal(rng, (2, 3)) + np.array([[1000.0], [-1000.0]]),)],
           torch_function=lambda a: a.logsumexp(dim=-1),
           note="rows near +-1000, where exp alone overflows or underflows"),
    # softmax family
    OpInfo("softmax", lambda a: (a.softmax(dim=-1), a.softmax(dim=0)),
           singles(normal, ((3, 4), (2, 3, 2))),
           torch_function=lambda a: (a.softmax(dim=-1), a.softmax(dim=0))),
    OpInfo("log_softmax", lambda a: (a.log_softmax(dim=1), a.log_softmax(dim=-1)),
           singles(normal, ((3, 4), (2, 3, 2))),
           torch_function=lambda a: (a.log_softmax(dim=1), a.log_softmax(dim=-1))),
    # shapes
    OpInfo("reshape", lambda a: (a.reshape(4, 6), a.reshape((2, -1)), a.view(-1), a.view(3, 2, 4)),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.reshape(4, 6), a.reshape((2, -1)), a.view(-1),
                                     a.view(3, 2, 4))),
    OpInfo("reshape_0d", lambda a: (a.reshape(1, 1), a.view(-1)), singles(normal, ((),)),
           torch_function=lambda a: (a.reshape(1, 1), a.view(-1))),
    OpInfo("permute", lambda a: (a.permute(2, 0, 1), a.permute((-1, -2, 0))),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.permute(2, 0, 1), a.permute((-1, -2, 0)))),
    OpInfo("transpose", lambda a: (a.transpose(0, 1), a.transpose(-1, 0), a.transpose(1, 1)),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.transpose(0, 1), a.transpose(-1, 0),
                                     a.transpose(1, 1))),
    OpInfo("T", lambda a: a.T, singles(normal, ((3, 4), (5,), (2, 3, 4))),
           torch_function=lambda a: a.permute(*reversed(range(a.ndim))),
           note="torch deprecates .T beyond 2 dims; the twin reverses the dims explicitly"),
    OpInfo("flatten", lambda a: (a.flatten(), a.flatten(start_dim=1), a.flatten(0, -2),
                                 a.flatten(start_dim=-2, end_dim=-1)),
           singles(normal, ((2, 3, 4),)),
           torch_function=lambda a: (a.flatten(), a.flatten(start_dim=1), a.flatten(0, -2),
                                     a.flatten(start_dim=-2, end_dim=-1))),
    OpInfo("squeeze", lambda a: (a.squeeze(), a.squeeze(dim=0), a.squeeze(-2), a.squeeze(1)),
           singles(normal, ((1, 3, 1, 2),)),
           torch_function=lambda a: (a.squeeze(), a.squeeze(dim=0), a.squeeze(-2),
                                     a.squeeze(1))),
    OpInfo("unsqueeze", lambda a: (a.unsqueeze(0), a.unsqueeze(-1), a.unsqueeze(dim=1)),
           singles(normal, ((2, 3),)),
           torch_function=lambda a: (a.unsqueeze(0), a.unsqueeze(-1), a.unsqueeze(dim=1))),
    OpInfo("unsqueeze_0d", lambda a: (a.unsqueeze(0), a.unsqueeze(-1)), singles(normal, ((),)),
           torch_function=lambda a: (a.unsqueeze(0), a.unsqueeze(-1))),
    OpInfo("expand", lambda a: (a.expand(2, 3, 4), a.expand(-1, 4), a.expand(3, -1, -1)),
           singles(normal, ((3, 1),)),
           torch_function=lambda a: (a.expand(2, 3, 4), a.expand(-1, 4), a.expand(3, -1, -1))),
    OpInfo("expand_0d", lambda a: a.expand(2, 3), singles(normal, ((),)),
           torch_function=lambda a: a.expand(2, 3)),
    # indexing: every index form; integer arrays repeat an element, so gradients must add up
    getitem_entry("int", (3, 4), 1),
    getitem_entry("negative_int", (3, 4), (-1, 2)),
    getitem_entry("slices", (4, 5), (slice(1, None), slice(None, None, 2))),
    getitem_entry("none", (3, 4), (None, 1)),
    getitem_entry("ellipsis", (2, 3, 4), (Ellipsis, 1)),
    getitem_entry("ellipsis_none", (2, 3, 4), (0, Ellipsis, None)),
    getitem_entry("int_array_repeated", (4, 3), np.array([0, 2, 0, 3, 0]),
                  note="row 0 is taken three times: its gradient is the sum of three rows"),
    getitem_entry("int_array_columns", (3, 4), (slice(None), np.array([[1, 1], [3, 0]]))),
    getitem_entry("int_arrays_paired", (3, 4), (np.array([0, 2, 2, 0]), np.array([1, 3, 3, 1]))),
    getitem_entry("int_array_0d_tensor", (4,), np.array(2)),
    getitem_entry("bool_mask", (3, 4), _mask((3, 4), 5)),
    getitem_entry("bool_mask_rows", (4, 3), _mask((4,), 6)),
    # joining and splitting
    OpInfo("cat", lambda a, b, c: (tg.cat([a, b, c]), tg.cat((a, a), dim=-1)),
           lambda rng: [(normal(rng, (2, 3)), normal(rng, (1, 3)), normal(rng, (3, 3)))],
           torch_function=lambda a, b, c: (_torch().cat([a, b, c]),
                                                   _torch().cat((a, a), dim=-1))),
    OpInfo("cat_dim1", lambda a, b: tg.cat([a, b], dim=1),
           lambda rng: [(normal(rng, (2, 1, 3)), normal(rng, (2, 2, 3)))],
           torch_function=lambda a, b: _torch().cat([a, b], dim=1)),
    OpInfo("stack", lambda a, b: (tg.stack([a, b]), tg.stack((a, b, a), dim=-1),
                                  tg.stack([a, b], dim=1)),
           lambda rng: [(normal(rng, (2, 3)), normal(rng, (2, 3)))],
           torch_function=lambda a, b: (_torch().stack([a, b]),
                                                  _torch().stack((a, b, a), dim=-1),
                                                  _torch().stack([a, b], dim=1))),
    OpInfo("stack_0d", lambda a, b: (tg.stack([a, b]), tg.stack([b, a, b], dim=-1)),
           lambda rng: [(normal(rng, ()), normal(rng, ()))],
           torch_function=lambda a, b: (_torch().stack([a, b]),
                                                  _torch().stack([b, a, b], dim=-1))),
    OpInfo("split", lambda a: (*a.split(2), *tg.split(a, [1, 3], dim=-1)),
           singles(normal, ((5, 4),)),
           torch_function=lambda a: (*a.split(2), *_torch().split(a, [1, 3], dim=-1))),
    OpInfo("chunk", lambda a: (*a.chunk(3), *tg.chunk(a, 2, dim=1)),
           singles(normal, ((5, 4),)),
           torch_function=lambda a: (*a.chunk(3), *_torch().chunk(a, 2, dim=1))),
    # matrix products: vectors as PyTorch treats them, batches that broadcast
    OpInfo("matmul", lambda a, b: a @ b,
           lambda rng: [(normal(rng, (4,)), normal(rng, (4,))),
                        (normal(rng, (3,)), normal(rng, (3, 4))),
                        (normal(rng, (3, 4)), normal(rng, (4,))),
                        (normal(rng, (2, 3)), normal(rng, (3, 4))),
                        (normal(rng, (2, 1, 2, 3)), normal(rng, (3, 3, 2))),
                        (normal(rng, (2, 3, 4)), normal(rng, (4,))),
                        (normal(rng, (3,)), normal(rng, (2, 3, 2)))],
           torch_function=lambda a, b: a @ b),
    OpInfo("matmul_function", lambda a, b: tg.matmul(a, b),
           lambda rng: [(normal(rng, (2, 3)), normal(rng, (3, 2)))],
           torch_function=lambda a, b: _torch().matmul(a, b)),
    # in-place writes: x[index] = value, differentiable in x's history and in value
    OpInfo("setitem", _setitem, lambda rng: [(normal(rng, (3, 4)), normal(rng, (4,)))],
           torch_function=_setitem),
    OpInfo("setitem_scalar_mask", _setitem_scalar_mask, singles(normal, ((3, 4),)),
           torch_function=_setitem_scalar_mask),
    # dtype and device moves
    OpInfo("to_dtype", lambda a: (a * 1.5).to(tg.float32).to(dtype=a.dtype), singles(normal),
           torch_function=lambda a: (a * 1.5).to(_torch().float32).to(dtype=a.dtype),
           note="float64 values pass through float32, so finite differences need eps = 1e-3",
           extra={"eps": 1e-3}),
    OpInfo("to_host", lambda a: ToDevice.apply(a, "cpu").to(a.device) * 2.0, singles(normal),
           torch_function=lambda a: a.to("cpu") * 2.0,
           note="copies to the host and back: on cuda both moves are differentiated"),
]
