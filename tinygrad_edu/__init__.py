"""tinygrad_edu: a small deep-learning framework to read, learn from and train with.

    import tinygrad_edu as tg
    x = tg.randn(3, requires_grad=True)
    (x * x).sum().backward()      # x.grad == 2 * x
"""

from . import autograd, cuda, data, nn, optim
from .autograd import (
    Function,
    enable_grad,
    grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd import functional as _functional  # noqa: F401  (tg.autograd.functional)
from .backend import available_devices, manual_seed
from .combine import cat, chunk, matmul, maximum, minimum, split, stack, where
from .creation import (
    arange,
    empty,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .return_types import ValuesIndices
from .serialization import load, save
from .tensor import Tensor, get_default_device, set_default_device

bool = bool_  # noqa: A001  (tg.bool as in PyTorch)

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Tensor", "ValuesIndices", "float16", "get_default_dtype",
    "inference_mode", "int8", "int16", "is_inference_mode_enabled", "set_default_dtype",
    "set_grad_enabled", "uint8", "arange", "autograd", "available_devices", "bool",
    "cat", "chunk", "cuda", "data", "empty", "enable_grad", "eye", "float32", "float64", "full",
    "full_like", "get_default_device", "grad", "gradcheck", "gradgradcheck", "int32", "int64",
    "is_grad_enabled", "linspace", "load", "manual_seed", "matmul", "maximum", "minimum", "nn",
    "no_grad",
    "ones", "ones_like", "optim", "rand", "rand_like", "randint", "randn", "randn_like", "save",
    "set_default_device", "split", "stack", "tensor", "where", "zeros", "zeros_like",
]
