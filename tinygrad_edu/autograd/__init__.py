"""The autograd engine: Functions (graph nodes), the backward walk, grad modes, grad().

`tinygrad_edu.autograd.functional` (Hessian-vector products, Hessians) is built on Tensor
operations and is imported by the package itself, after the Tensor exists.
"""

from .engine import run_backward, topological_order
from .function import Function, constant
from .grad import grad
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = ["Function", "constant", "enable_grad", "grad", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "no_grad", "run_backward", "set_grad_enabled",
           "topological_order"]
