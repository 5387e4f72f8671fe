"""Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019), as torch.optim.Adam/AdamW."""

import math

from ..backend import xp_of
from .optimizer import Optimizer, check_at_least, check_in_range, zeros_state


class Adam(Optimizer):
    """Adaptive moments. At step t, with g = grad + weight_decay * p (L2 penalty):

        m = beta1 * m + (1 - beta1) * g            v = beta2 * v + (1 - beta2) * g^2
        v_max = max(v_max, v)   (amsgrad, then used in place of v)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, maximize=False):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize})

    def _check_group(self, group):
        name = type(self).__name__
        check_at_least(name, "lr", group["lr"], 0.0)
        check_at_least(name, "eps", group["eps"], 0.0)
        check_at_least(name, "weight_decay", group["weight_decay"], 0.0)
        beta1, beta2 = group["betas"]
        check_in_range(name, "betas[0]", beta1, 0.0, 1.0)
        check_in_range(name, "betas[1]", beta2, 0.0, 1.0)

    def _update(self, param, grad, state, group):
        lr = float(group["lr"])
        weight_decay = float(group["weight_decay"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        if not state:
            state["step"] = 0
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_state(param)
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            if self.decoupled_weight_decay:
                param *= 1.0 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        exp_avg = state["exp_avg"]._data
        exp_avg_sq = state["exp_avg_sq"]._data
        exp_avg += (1.0 - beta1) * (grad - exp_avg)  # = beta1 * m + (1 - beta1) * g
        exp_avg_sq *= beta2
        exp_avg_sq += (1.0 - beta2) * grad * grad
        second_moment = exp_avg_sq
        if group["amsgrad"]:
            second_moment = state["max_exp_avg_sq"]._data
            xp_of(param).maximum(second_moment, exp_avg_sq, out=second_moment)
        step_size = lr / (1.0 - beta1 ** step)
        denominator = xp_of(param).sqrt(second_moment) / math.sqrt(1.0 - beta2 ** step)
        denominator += float(group["eps"])
        param -= step_size * (exp_avg / denominator)


class AdamW(Adam):
    """Adam with decoupled weight decay: first p = p * (1 - lr * weight_decay), then the Adam
    step on the plain gradient g (no L2 term in m and v)."""

    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)
