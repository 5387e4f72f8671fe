"""Sampling functions beyond rand/randn/randint (those live in creation.py): permutations,
normal with given means and deviations, Bernoulli draws and multinomial (categorical) draws.

Every function takes `generator=` (a `tg.Generator`); without one it draws from the device's
global generator, which `tg.manual_seed` seeds. The results are constants (no gradient).
"""

import numpy as np

from . import backend
from .autograd.function import constant
from .creation import _device, _new, randint
from .generator import random_source
from .tensor import Tensor


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0, 1, ..., n - 1 (int64 by default)."""
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    rng = random_source(_device(device), generator, "randperm")
    order = rng.random(int(n)).argsort()  # the order of n uniform draws: a uniform permutation
    return _new(order, dtype or np.int64, device, requires_grad)


def normal(mean, std=1.0, size=None, generator=None, dtype=None, device=None,
           requires_grad=False):
    """mean + std * N(0, 1), elementwise: `mean` and `std` are Tensors or numbers (broadcast
    together); with two numbers, `size` gives the shape."""
    tensors = [value for value in (mean, std) if isinstance(value, Tensor)]
    if tensors:
        device = tensors[0].device
        shape = np.broadcast_shapes(*(getattr(value, "shape", ()) for value in (mean, std)))
        dtype = dtype or tensors[0].dtype
    elif size is None:
        raise TypeError("normal: with a number for both mean and std, give size=")
    else:
        shape = tuple(size)
    if isinstance(std, Tensor) and bool((std._data < 0).any()) or \
            not isinstance(std, Tensor) and std < 0:
        raise RuntimeError("normal: expects all elements of std >= 0.0")
    device = _device(device)
    rng = random_source(device, generator, "normal")
    xp = backend.get_backend(device).xp
    dtype = np.dtype(dtype or np.float32)
    noise = xp.asarray(rng.standard_normal(shape))
    values = _raw(mean) + _raw(std) * noise
    return _new(values.astype(dtype), None, device, requires_grad)


def bernoulli(input, generator=None):  # noqa: A002  (PyTorch's argument name)
    """1 with probability input[i], else 0, elementwise, in input's dtype."""
    _check_tensor(input, "bernoulli")
    data = input._data
    if bool(((data < 0) | (data > 1)).any()):
        raise RuntimeError("bernoulli: expects 0 <= p <= 1 for every element of input")
    rng = random_source(input.device, generator, "bernoulli")
    draws = backend.get_backend(input.device).asarray(rng.random(input.shape))
    return _new(draws < data, data.dtype, input.device, False)


def multinomial(input, num_samples, replacement=False, generator=None):  # noqa: A002
    """`num_samples` category indices per row of `input` (1-D or 2-D non-negative weights,
    not necessarily summing to 1), drawn with probability weight / row sum; int64.

    With replacement: inverse-CDF sampling (a uniform draw located in the row's cumulative
    sums, all rows in one searchsorted). Without: the Efraimidis-Spirakis keys
    log(u) / weight, whose k largest give k draws without replacement, in draw order."""
    _check_tensor(input, "multinomial")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {input.shape}")
    categories = input.shape[-1]
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample num_samples={num_samples!r} samples "
                           "(expected a positive int)")
    if not replacement and num_samples > categories:
        raise RuntimeError(f"multinomial: cannot sample n_sample ({num_samples}) > "
                           f"prob_dist.size(-1) ({categories}) samples without replacement")
    xp = backend.get_backend(input.device).xp
    weights = input._data.reshape(-1, categories).astype(np.float64)
    if not bool(xp.isfinite(weights).all()) or bool((weights < 0).any()):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    totals = weights.sum(axis=1, keepdims=True)
    if bool((totals <= 0).any()):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    if not replacement and bool(((weights > 0).sum(axis=1) < num_samples).any()):
        raise RuntimeError("multinomial: invalid multinomial distribution (with "
                           "replacement=False, not enough non-negative category to sample)")
    rng = random_source(input.device, generator, "multinomial")
    rows = weights.shape[0]
    if replacement:
        uniform = xp.asarray(rng.random((rows, num_samples)))
        offsets = xp.arange(rows, dtype=np.float64)[:, None]
        cumulative = xp.cumsum(weights / totals, axis=1) + offsets
        found = xp.searchsorted(cumulative.reshape(-1), (uniform + offsets).reshape(-1),
                                side="right").reshape(rows, num_samples)
        samples = xp.minimum(found - offsets.astype(np.int64) * categories, categories - 1)
    else:
        uniform = xp.asarray(rng.random((rows, categories)))
        with np.errstate(divide="ignore"):
            keys = xp.log(uniform) / weights  # -inf where the weight is 0: never drawn
        samples = xp.argsort(-keys, axis=1)[:, :num_samples]
    samples = samples.reshape(num_samples) if input.ndim == 1 else samples
    return constant(samples.astype(np.int64), input.device)


def randint_like(input, low=0, high=None, generator=None, dtype=None, device=None,  # noqa: A002
                 requires_grad=False):
    """randint with input's shape (and its dtype and device unless given); one bound: high."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)


def _raw(value):
    return value._data if isinstance(value, Tensor) else value


def _check_tensor(value, op_name):
    if not isinstance(value, Tensor):
        raise TypeError(f"{op_name}: input must be a Tensor, got {type(value).__name__}")
