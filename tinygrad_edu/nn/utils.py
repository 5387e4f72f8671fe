"""Gradient clipping and weight penalties."""

from .. import backend
from ..tensor import Tensor


def _parameter_list(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    """Scale all gradients together so that their joint norm is at most max_norm.

    total = (sum over parameters of ||g||_p^p)^(1/p) (p = inf: the largest |g|); when
    total > max_norm every g is multiplied in place by max_norm / (total + 1e-6), as PyTorch.
    Returns total (the norm before clipping) as a 0-d Tensor."""
    grads = [p.grad for p in _parameter_list(parameters) if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    xp = backend.xp_of(grads[0]._data)
    norm_type = float(norm_type)
    if norm_type == float("inf"):
        total = max((float(xp.abs(g._data).max()) for g in grads if g.numel()), default=0.0)
    else:
        total = sum(float((xp.abs(g._data) ** norm_type).sum()) for g in grads) ** (1 / norm_type)
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for grad in grads:
            grad._data *= coefficient
    return Tensor(total, dtype=grads[0].dtype, device=grads[0].device)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    for parameter in _parameter_list(parameters):
        if parameter.grad is not None:
            data = parameter.grad._data
            backend.xp_of(data).clip(data, -clip_value, clip_value, out=data)


def l1_penalty(parameters):
    """sum |w| over all parameters (a differentiable Tensor): add lambda * l1_penalty(...) to
    the loss for L1 (lasso) regularization, which drives weights to exactly zero."""
    return sum(p.abs().sum() for p in _parameter_list(parameters))


def l2_penalty(parameters):
    """sum w^2 / 2 over all parameters (a differentiable Tensor). The 1/2 makes its gradient
    w itself, so loss + lambda * l2_penalty(...) matches SGD(weight_decay=lambda). The
    elastic net is alpha * (r * l1_penalty + (1 - r) * l2_penalty)."""
    return sum((p * p).sum() for p in _parameter_list(parameters)) * 0.5
