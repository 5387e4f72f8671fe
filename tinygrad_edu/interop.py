"""Sharing memory with other libraries: NumPy arrays and anything that speaks DLPack.

`from_numpy(array)` and `from_dlpack(obj)` wrap the same memory (no copy): writing through one
side shows on the other, as in PyTorch. `as_tensor` shares when it can and copies otherwise.
A Tensor exports itself with `__dlpack__`, so `torch.from_dlpack(t)`, `np.from_dlpack(t)` and
`cupy.from_dlpack(t)` share its memory too.
"""

import numpy as np

from . import backend
from .autograd.function import constant
from .tensor import Tensor

_DLPACK_CPU, _DLPACK_CUDA = 1, 2  # DLPack's device-type codes


def from_numpy(ndarray):
    """A CPU Tensor sharing memory with a NumPy array (same dtype and shape), through a view
    of its own: two Tensors made from one array are told apart by their arrays (see
    Tensor.data)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray).__name__})")
    return constant(ndarray.view(), "cpu")


def as_tensor(data, dtype=None, device=None):
    """`data` as a Tensor, sharing memory when no conversion is needed: the Tensor itself, or a
    backend array of the right dtype and device; a copy (as tg.tensor) otherwise."""
    device = backend.canonical_device(device)
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    same_dtype = dtype is None or getattr(data, "dtype", None) == np.dtype(dtype)
    if isinstance(data, np.ndarray) and device in (None, "cpu") and same_dtype:
        return from_numpy(data)
    if hasattr(data, "__cuda_array_interface__") and device in (None, "cuda") and same_dtype:
        return constant(backend.get_backend("cuda").asarray(data).view(), "cuda")
    return Tensor(data, dtype=dtype, device=device)


def from_dlpack(ext_tensor):
    """A Tensor sharing memory with any object that implements `__dlpack__` (a PyTorch, CuPy,
    JAX or NumPy array; a PyTorch tensor that requires grad must be detached first)."""
    if not hasattr(ext_tensor, "__dlpack_device__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__ and "
                        f"__dlpack_device__, got {type(ext_tensor).__name__}")
    kind = ext_tensor.__dlpack_device__()[0]
    if kind not in (_DLPACK_CPU, _DLPACK_CUDA):
        raise RuntimeError(f"from_dlpack: DLPack device type {kind} is not supported (only "
                           "CPU and CUDA)")
    device = "cpu" if kind == _DLPACK_CPU else "cuda"
    return constant(backend.get_backend(device).xp.from_dlpack(ext_tensor), device)
