"""The autograd engine: Functions (graph nodes), the backward walk, grad modes, grad()."""

from . import functional
from .engine import run_backward, topological_order
from .function import Function
from .grad import grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad

__all__ = ["Function", "enable_grad", "functional", "grad", "is_grad_enabled", "no_grad",
           "run_backward", "topological_order"]
