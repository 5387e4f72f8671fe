"""QuickProp (Fahlman 1988): a per-weight secant (one-dimensional Newton) step."""

from ..backend import xp_of
from .optimizer import Optimizer, check_at_least, state_tensor


class QuickProp(Optimizer):
    """Fahlman's QuickProp. Each weight fits a parabola through its last two gradients and
    jumps to its minimum. With g = grad + weight_decay * p, g_prev and dw_prev from the last step:

        dw = g / (g_prev - g) * dw_prev,   clipped to |dw| <= max_growth * |dw_prev|
        dw = -lr * g    where there is no previous step, or the secant is undefined
                        (g_prev == g or dw_prev == 0)
        p = p + dw
    """

    def __init__(self, params, lr=0.01, max_growth=1.75, weight_decay=0):
        super().__init__(params, {"lr": lr, "max_growth": max_growth,
                                  "weight_decay": weight_decay})

    def _check_group(self, group):
        check_at_least("QuickProp", "lr", group["lr"], 0.0)
        check_at_least("QuickProp", "weight_decay", group["weight_decay"], 0.0)
        if not group["max_growth"] > 0:
            raise ValueError(f"QuickProp: invalid max_growth={group['max_growth']!r}: "
                             "expected max_growth > 0")

    def _update(self, param, grad, state, group):
        xp = xp_of(param)
        weight_decay = float(group["weight_decay"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        gradient_step = -float(group["lr"]) * grad
        if not state:
            step = gradient_step
            state["prev_grad"] = state_tensor(grad.copy())
            state["prev_step"] = state_tensor(step.copy())
        else:
            prev_grad = state["prev_grad"]._data
            prev_step = state["prev_step"]._data
            difference = prev_grad - grad
            defined = (difference != 0) & (prev_step != 0)
            safe_difference = xp.where(defined, difference, xp.ones_like(difference))
            limit = float(group["max_growth"]) * xp.abs(prev_step)
            secant_step = xp.clip(grad / safe_difference * prev_step, -limit, limit)
            step = xp.where(defined, secant_step, gradient_step)
            prev_grad[...] = grad
            prev_step[...] = step
        param += step
