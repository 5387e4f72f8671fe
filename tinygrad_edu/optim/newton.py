"""Newton's method with a dense Hessian, safeguarded for non-convex losses."""

from ..autograd import enable_grad, grad
from ..autograd.function import mark_modified
from ..autograd.functional import MAX_HESSIAN_SIZE
from ..backend import xp_of
from ..combine import cat
from ..creation import zeros_like
from .optimizer import Optimizer, check_at_least


class Newton(Optimizer):
    """Newton's method over all parameters jointly: with g the gradient and H the Hessian of
    the loss at the current parameters (flattened and concatenated in order),

        p = p - lr * (H + damping * I)^-1 g

    Safeguard: with M = H + damping * I = V diag(l) V^T (eigendecomposition), the step uses
    |M| = V diag(max(|l|, floor)) V^T, floor = 1e-8 * max(1, max|l|). Where M is positive
    definite this is exactly the Newton step; elsewhere |M| is positive definite, so
    -|M|^-1 g is still a descent direction: negative curvature repels instead of attracting
    the step toward a maximum or saddle ("saddle-free Newton", Dauphin et al. 2014).

    `step(closure)`: the closure recomputes and returns the loss; it need not call backward()
    (Newton differentiates the loss twice itself: one backward pass per gradient entry, so
    the parameter count is limited to MAX_HESSIAN_SIZE; use LBFGS beyond).
    """

    def __init__(self, params, lr=1.0, damping=0.0):
        super().__init__(params, {"lr": lr, "damping": damping})
        if len(self.param_groups) != 1:
            raise ValueError("Newton: the Hessian couples all parameters, so it takes a single "
                             "parameter group")
        self._params = self.param_groups[0]["params"]
        count = sum(param.numel() for param in self._params)
        if count > MAX_HESSIAN_SIZE:
            raise ValueError(_too_large(count))

    def _check_group(self, group):
        check_at_least("Newton", "lr", group["lr"], 0.0)
        check_at_least("Newton", "damping", group["damping"], 0.0)

    def step(self, closure):
        """One Newton step; returns the loss at the parameters before the step."""
        if closure is None:
            raise ValueError("Newton.step needs a closure that recomputes and returns the loss")
        group = self.param_groups[0]
        params = self._params
        count = sum(param.numel() for param in params)
        if count > MAX_HESSIAN_SIZE:  # parameters added after construction
            raise ValueError(_too_large(count))
        with enable_grad():
            loss = closure()
            if loss.grad_fn is not None and loss.grad_fn.freed:
                raise RuntimeError("Newton.step: the closure called backward(), which freed the "
                                   "graph Newton differentiates; return the loss without "
                                   "calling backward() (or call backward(create_graph=True))")
            gradient = _flat(grad(loss, params, create_graph=True, allow_unused=True), params)
            rows = [_flat(grad(entry, params, retain_graph=True, allow_unused=True)
                          if entry.requires_grad else (None,) * len(params), params)._data
                    for entry in gradient]
        xp = xp_of(params[0]._data)
        hessian = xp.stack(rows)
        hessian = 0.5 * (hessian + hessian.T)  # exact symmetry for the eigendecomposition
        hessian += float(group["damping"]) * xp.eye(count, dtype=hessian.dtype)
        eigenvalues, eigenvectors = xp.linalg.eigh(hessian)
        magnitudes = xp.abs(eigenvalues)
        floor = 1e-8 * max(1.0, float(magnitudes.max()))
        magnitudes = xp.maximum(magnitudes, floor)
        coordinates = (eigenvectors.T @ gradient._data) / magnitudes
        step = -float(group["lr"]) * (eigenvectors @ coordinates)
        offset = 0
        for param in params:
            size = param.numel()
            param._data += step[offset:offset + size].reshape(param.shape)
            mark_modified(param)
            offset += size
        return loss


def _flat(grads, params):
    """All gradients as one vector, zeros for parameters the loss does not depend on."""
    return cat([(g if g is not None else zeros_like(param)).reshape(-1)
                for g, param in zip(grads, params, strict=True)])


def _too_large(count):
    return (f"Newton: {count} parameters would need a dense {count} x {count} Hessian and "
            f"{count} backward passes per step (limit {MAX_HESSIAN_SIZE}); use "
            "optim.LBFGS for models of this size")

