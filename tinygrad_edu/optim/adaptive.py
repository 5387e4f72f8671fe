"""Per-coordinate adaptive learning rates: Adagrad, RMSprop, Adadelta (as torch.optim)."""

from ..backend import xp_of
from .optimizer import Optimizer, check_at_least, state_tensor, zeros_state


def _with_weight_decay(grad, param, group):
    """g + weight_decay * p: the gradient of loss + weight_decay/2 * |p|^2 (an L2 penalty)."""
    weight_decay = float(group["weight_decay"])
    return grad + weight_decay * param if weight_decay != 0 else grad


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011). At step t, with g = grad + weight_decay * p:

        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g^2                      (s starts at initial_accumulator_value)
        p = p - lr_t * g / (sqrt(s) + eps)
    """

    def __init__(self, params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, maximize=False):
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps, "maximize": maximize})

    def _check_group(self, group):
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_at_least("Adagrad", name, group[name], 0.0)

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = state_tensor(
                xp_of(param).full_like(param, float(group["initial_accumulator_value"])))
        state["step"] += 1
        grad = _with_weight_decay(grad, param, group)
        step_lr = float(group["lr"]) / (1.0 + (state["step"] - 1) * float(group["lr_decay"]))
        squares = state["sum"]._data
        squares += grad * grad
        param -= step_lr * (grad / (xp_of(param).sqrt(squares) + float(group["eps"])))


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), PyTorch's form. With g = grad + weight_decay * p:

        v = alpha * v + (1 - alpha) * g^2
        centered:  a = alpha * a + (1 - alpha) * g,   den = sqrt(v - a^2) + eps
        otherwise: den = sqrt(v) + eps
        momentum > 0:  b = momentum * b + g / den,  p = p - lr * b
        otherwise:     p = p - lr * g / den
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, maximize=False):
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered, "maximize": maximize})

    def _check_group(self, group):
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            check_at_least("RMSprop", name, group[name], 0.0)

    def _update(self, param, grad, state, group):
        xp = xp_of(param)
        alpha = float(group["alpha"])
        momentum = float(group["momentum"])
        if not state:
            state["step"] = 0
            state["square_avg"] = zeros_state(param)
            if momentum > 0:
                state["momentum_buffer"] = zeros_state(param)
            if group["centered"]:
                state["grad_avg"] = zeros_state(param)
        state["step"] += 1
        grad = _with_weight_decay(grad, param, group)
        square_avg = state["square_avg"]._data
        square_avg *= alpha
        square_avg += (1.0 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            grad_avg += (1.0 - alpha) * (grad - grad_avg)  # = alpha * a + (1 - alpha) * g
            denominator = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            denominator = xp.sqrt(square_avg)
        denominator += float(group["eps"])
        lr = float(group["lr"])
        if momentum > 0:
            buffer = state["momentum_buffer"]._data
            buffer *= momentum
            buffer += grad / denominator
            param -= lr * buffer
        else:
            param -= lr * (grad / denominator)


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012). With g = grad + weight_decay * p:

        v = rho * v + (1 - rho) * g^2
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta^2
        p = p - lr * delta
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize})

    def _check_group(self, group):
        for name in ("lr", "eps", "weight_decay"):
            check_at_least("Adadelta", name, group[name], 0.0)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Adadelta: invalid rho={group['rho']!r}: expected 0 <= rho <= 1")

    def _update(self, param, grad, state, group):
        xp = xp_of(param)
        rho = float(group["rho"])
        eps = float(group["eps"])
        if not state:
            state["step"] = 0
            state["square_avg"] = zeros_state(param)
            state["acc_delta"] = zeros_state(param)
        state["step"] += 1
        grad = _with_weight_decay(grad, param, group)
        square_avg = state["square_avg"]._data
        acc_delta = state["acc_delta"]._data
        square_avg *= rho
        square_avg += (1.0 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1.0 - rho) * delta * delta
        param -= float(group["lr"]) * delta
