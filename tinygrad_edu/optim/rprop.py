"""Resilient backpropagation (Riedmiller & Braun 1993), as torch.optim.Rprop."""

from ..backend import xp_of
from .optimizer import Optimizer, check_at_least, state_tensor, zeros_state


class Rprop(Optimizer):
    """Rprop: each weight has its own step size, driven by the gradient's sign only.

        s = g * g_prev
        step = clamp(step * eta_plus,  min_step, max_step)   where s > 0
        step = clamp(step * eta_minus, min_step, max_step)   where s < 0, and there g := 0
        p = p - sign(g) * step,   g_prev = g
    Steps start at lr. As PyTorch, a sign change shrinks the step and skips that weight's
    update for this step (g := 0, so the next step counts as "no previous sign").
    """

    def __init__(self, params, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
        super().__init__(params, {"lr": lr, "etas": etas, "step_sizes": step_sizes,
                                  "maximize": maximize})

    def _check_group(self, group):
        check_at_least("Rprop", "lr", group["lr"], 0.0)
        eta_minus, eta_plus = group["etas"]
        if not 0.0 < eta_minus < 1.0 < eta_plus:
            raise ValueError(f"Rprop: invalid etas={group['etas']!r}: expected "
                             "0 < etas[0] < 1 < etas[1]")
        min_step, max_step = group["step_sizes"]
        if not 0.0 <= min_step <= max_step:
            raise ValueError(f"Rprop: invalid step_sizes={group['step_sizes']!r}: expected "
                             "0 <= step_sizes[0] <= step_sizes[1]")

    def _update(self, param, grad, state, group):
        xp = xp_of(param)
        eta_minus, eta_plus = (float(eta) for eta in group["etas"])
        min_step, max_step = (float(size) for size in group["step_sizes"])
        if not state:
            state["step"] = 0
            state["prev"] = zeros_state(param)
            state["step_size"] = state_tensor(xp.full_like(param, float(group["lr"])))
        state["step"] += 1
        previous = state["prev"]._data
        step_size = state["step_size"]._data
        agreement = grad * previous
        factor = xp.ones_like(param)
        factor[agreement > 0] = eta_plus
        factor[agreement < 0] = eta_minus
        step_size *= factor
        xp.clip(step_size, min_step, max_step, out=step_size)
        grad = grad.copy()
        grad[agreement < 0] = 0
        param -= xp.sign(grad) * step_size
        previous[...] = grad
