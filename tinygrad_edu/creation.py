"""Creation functions: new leaf tensors filled with constants, ranges or random numbers."""

import numpy as np

from . import backend
from .autograd.function import constant
from .generator import random_source
from .tensor import Tensor, get_default_device


def _new(host_or_device_array, dtype, device, requires_grad):
    """A leaf on `device` from an array built on the host or by the device's own module."""
    device = backend.canonical_device(device) or get_default_device()
    array = backend.get_backend(device).asarray(host_or_device_array, dtype=dtype)
    return constant(array, device).requires_grad_(requires_grad)


def _shape(size, op_name):
    """The sizes as a tuple of ints: zeros(2, 3) and zeros((2, 3)) alike; a negative size or a
    non-integer one is refused as in PyTorch."""
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = size[0]
    for extent in size:
        if isinstance(extent, bool) or not isinstance(extent, int | np.integer):
            raise TypeError(f"{op_name}: sizes must be ints, got {extent!r} in {tuple(size)}")
        if extent < 0:
            raise RuntimeError(f"{op_name}: sizes must be non-negative, got {tuple(size)}")
    return tuple(int(extent) for extent in size)


def _float_dtype(dtype):
    return np.dtype(np.float32 if dtype is None else dtype)


def _device(device):
    return backend.canonical_device(device) or get_default_device()


def _xp(device):
    return backend.get_backend(_device(device)).xp


def tensor(data, dtype=None, device=None, requires_grad=False):
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _new(_xp(device).zeros(_shape(size, "zeros"), dtype=_float_dtype(dtype)), None, device,
                requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _new(_xp(device).ones(_shape(size, "ones"), dtype=_float_dtype(dtype)), None, device,
                requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """Filled with fill_value; dtype inferred from it as PyTorch does (float -> float32)."""
    if dtype is None:
        dtype = (np.bool_ if isinstance(fill_value, bool)
                 else np.int64 if isinstance(fill_value, int) else np.float32)
    return _new(_xp(device).full(_shape((size,), "full"), fill_value, dtype=dtype), None, device,
                requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return _new(_xp(device).empty(_shape(size, "empty"), dtype=_float_dtype(dtype)), None, device,
                requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """[start, end) in steps; int64 when every argument is an int, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: the range from {start} to {end} and step {step} have "
                           "inconsistent signs (the range would never reach its end)")
    if dtype is None:
        integral = all(isinstance(v, int) for v in (start, end, step))
        dtype = np.int64 if integral else np.float32
    return _new(_xp(device).arange(start, end, step, dtype=np.float64 if np.dtype(dtype).kind
                                   == "f" else dtype).astype(dtype), None, device, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    return _new(_xp(device).linspace(start, end, steps).astype(_float_dtype(dtype)), None, device,
                requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    return _new(_xp(device).eye(n, m, dtype=_float_dtype(dtype)), None, device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform on [0, 1)."""
    rng = random_source(_device(device), generator, "rand")
    return _new(rng.random(_shape(size, "rand"), dtype=_float_dtype(dtype)), None, device,
                requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal N(0, 1)."""
    rng = random_source(_device(device), generator, "randn")
    return _new(rng.standard_normal(_shape(size, "randn"), dtype=_float_dtype(dtype)), None,
                device, requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers uniform on [low, high) (one bound: [0, low)), int64 by default."""
    if high is None:
        low, high = 0, low
    if isinstance(high, tuple | list):  # randint(high, size), as PyTorch allows
        low, high, size = 0, low, high
    if low >= high:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    rng = random_source(_device(device), generator, "randint")
    return _new(rng.integers(low, high, size=_shape((size,), "randint")), dtype or np.int64,
                device, requires_grad)


def zeros_like(other, dtype=None, device=None, requires_grad=False):
    return zeros(other.shape, dtype=dtype or other.dtype, device=device or other.device,
                 requires_grad=requires_grad)


def ones_like(other, dtype=None, device=None, requires_grad=False):
    return ones(other.shape, dtype=dtype or other.dtype, device=device or other.device,
                requires_grad=requires_grad)


def full_like(other, fill_value, dtype=None, device=None, requires_grad=False):
    return full(other.shape, fill_value, dtype=dtype or other.dtype,
                device=device or other.device, requires_grad=requires_grad)


def rand_like(other, dtype=None, device=None, requires_grad=False, generator=None):
    return rand(other.shape, generator=generator, dtype=dtype or other.dtype,
                device=device or other.device, requires_grad=requires_grad)


def randn_like(other, dtype=None, device=None, requires_grad=False, generator=None):
    return randn(other.shape, generator=generator, dtype=dtype or other.dtype,
                 device=device or other.device, requires_grad=requires_grad)


def empty_like(other, dtype=None, device=None, requires_grad=False):
    return empty(other.shape, dtype=dtype or other.dtype, device=device or other.device,
                 requires_grad=requires_grad)
