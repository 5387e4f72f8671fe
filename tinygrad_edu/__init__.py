"""tinygrad_edu: a small deep-learning framework to read, learn from and train with.

    import tinygrad_edu as tg
    x = tg.randn(3, requires_grad=True)
    (x * x).sum().backward()      # x.grad == 2 * x
"""

from . import autograd, cuda, data, nn, optim, utils
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
from .backend import available_devices
from .combine import cat, chunk, matmul, maximum, minimum, split, stack, where
from .creation import (
    arange,
    empty,
    empty_like,
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
from .device import device
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
from .functions import *  # noqa: F403  (tg.exp(x), tg.sum(x, dim), ...: see functions.__all__)
from .functions import __all__ as _function_names
from .generator import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    set_rng_state,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .interop import as_tensor, from_dlpack, from_numpy
from .return_types import ValuesIndices
from .sampling import bernoulli, multinomial, normal, randint_like, randperm
from .serialization import load, save
from .tensor import Tensor, get_default_device, set_default_device

# dtype names as PyTorch spells them (they shadow the builtins only inside this module)
bool = bool_  # noqa: A001
float = float32  # noqa: A001
double = float64
half = float16
int = int32  # noqa: A001
long = int64
short = int16

__version__ = "0.1.0"

__all__ = [
    "Function", "Generator", "GradcheckError", "Tensor", "ValuesIndices", "arange", "as_tensor",
    "autograd", "available_devices", "bernoulli", "bool", "cat", "chunk", "cuda", "data",
    "default_generator", "device", "double", "empty", "empty_like", "enable_grad", "eye",
    "float", "float16", "float32", "float64", "from_dlpack", "from_numpy", "full", "full_like",
    "get_default_device", "get_default_dtype", "get_rng_state", "grad", "gradcheck",
    "gradgradcheck", "half", "inference_mode", "initial_seed", "int",
    "int8", "int16", "int32", "int64", "is_grad_enabled", "is_inference_mode_enabled",
    "linspace", "load", "long", "manual_seed", "matmul", "maximum", "minimum", "multinomial",
    "nn", "no_grad", "normal", "ones", "ones_like", "optim", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "randperm", "save", "set_default_device",
    "set_default_dtype", "set_grad_enabled", "set_rng_state", "short", "split", "stack",
    "tensor", "uint8", "utils", "where", "zeros", "zeros_like", *_function_names,
]
