"""tinygrad_edu: a small deep-learning framework to read, learn from and train with.

    import tinygrad_edu as tg
    x = tg.randn(3, requires_grad=True)
    (x * x).sum().backward()      # x.grad == 2 * x
"""

from .tensor import (  # noqa: I001  (the Tensor must exist before the ops that use it)
    Tensor, bool_, float32, float64, get_default_device, int32, int64, set_default_device,
)
from . import autograd, cuda
from .autograd import Function, enable_grad, grad, is_grad_enabled, no_grad
from .backend import available_devices, manual_seed
from .combine import cat, chunk, matmul, maximum, minimum, split, stack, where
from .creation import (
    arange, empty, eye, full, full_like, linspace, ones, ones_like, rand, rand_like, randint,
    randn, randn_like, tensor, zeros, zeros_like,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .serialization import load, save
from . import data, nn, optim  # noqa: E402  (built on everything above)

bool = bool_  # noqa: A001  (tg.bool as in PyTorch)

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Tensor", "arange", "autograd", "available_devices", "bool",
    "cat", "chunk", "cuda", "data", "empty", "enable_grad", "eye", "float32", "float64", "full",
    "full_like", "get_default_device", "grad", "gradcheck", "gradgradcheck", "int32", "int64",
    "is_grad_enabled", "linspace", "load", "manual_seed", "matmul", "maximum", "minimum", "nn",
    "no_grad",
    "ones", "ones_like", "optim", "rand", "rand_like", "randint", "randn", "randn_like", "save",
    "set_default_device", "split", "stack", "tensor", "where", "zeros", "zeros_like",
]
