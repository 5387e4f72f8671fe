"""tinygrad_edu: a small deep-learning framework to read, learn from and train with.

    import tinygrad_edu as tg
    x = tg.randn(3, requires_grad=True)
    (x * x).sum().backward()      # x.grad == 2 * x
"""

from .tensor import (  # noqa: I001  (the Tensor must exist before the ops that use it)
    Tensor, get_default_device, set_default_device,
)
from . import autograd, cuda
from .autograd import Function, enable_grad, grad, is_grad_enabled, no_grad
from .backend import available_devices, manual_seed
from .combine import cat, chunk, matmul, maximum, minimum, split, stack, where
from .creation import (
    arange, empty, empty_like, eye, full, full_like, linspace, ones, ones_like, rand, rand_like,
    randint, randn, randn_like, tensor, zeros, zeros_like,
)
from .device import device
from .dtypes import (  # PyTorch's dtype names: tg.float, tg.int, tg.bool shadow builtins here
    bool,  # noqa: A004
    double,
    float,  # noqa: A004
    float16, float32, float64, half,
    int,  # noqa: A004
    int8, int16, int32, int64, long, short, uint8,
)
from .functions import *  # noqa: F403  (tg.exp(x), tg.sum(x, dim), ...: see functions.__all__)
from .functions import __all__ as _function_names
from .generator import Generator
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .interop import as_tensor, from_dlpack, from_numpy
from .sampling import bernoulli, multinomial, normal, randint_like, randperm
from .serialization import load, save
from . import data, nn, optim, utils  # noqa: E402  (built on everything above)

bool_ = bool  # the name used before the PyTorch spellings

__version__ = "0.1.0"

__all__ = [
    "Function", "Generator", "GradcheckError", "Tensor", "arange", "as_tensor", "autograd",
    "available_devices", "bernoulli", "bool", "cat", "chunk", "cuda", "data", "device",
    "double", "empty", "empty_like", "enable_grad", "eye", "float", "float16", "float32",
    "float64", "from_dlpack", "from_numpy", "full", "full_like", "get_default_device", "grad",
    "gradcheck", "gradgradcheck", "half", "int", "int8", "int16", "int32", "int64",
    "is_grad_enabled", "linspace", "load", "long", "manual_seed", "matmul", "maximum",
    "minimum", "multinomial", "nn", "no_grad", "normal", "ones", "ones_like", "optim", "rand",
    "rand_like", "randint", "randint_like", "randn", "randn_like", "randperm", "save",
    "set_default_device", "short", "split", "stack", "tensor", "uint8", "utils", "where",
    "zeros", "zeros_like", *_function_names,
]
