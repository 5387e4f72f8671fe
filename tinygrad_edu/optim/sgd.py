"""Stochastic gradient descent with (Nesterov) momentum, as torch.optim.SGD."""

from .optimizer import Optimizer, aligned_copy, check_at_least, state_tensor


class SGD(Optimizer):
    """Gradient descent, PyTorch's update rule. With g = grad + weight_decay * p:

        b = g                                  on the first step (momentum != 0)
        b = momentum * b + (1 - dampening) * g afterwards
        d = g + momentum * b   (nesterov)   or   d = b   (momentum)   or   d = g   (plain)
        p = p - lr * d

    Note PyTorch's convention: the learning rate multiplies the whole velocity b (Sutskever et
    al. 2013 fold lr into the velocity instead; both agree for a constant lr).
    `maximize=True` ascends: g is replaced by -g.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, maximize=False):
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize})

    def _check_group(self, group):
        check_at_least("SGD", "lr", group["lr"], 0.0)
        check_at_least("SGD", "momentum", group["momentum"], 0.0)
        check_at_least("SGD", "weight_decay", group["weight_decay"], 0.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening == 0, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _update(self, param, grad, state, group):
        weight_decay = float(group["weight_decay"])
        momentum = float(group["momentum"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                velocity = aligned_copy(grad)
                state["momentum_buffer"] = state_tensor(velocity)
            else:
                velocity = buffer._data
                velocity *= momentum
                dampening = float(group["dampening"])
                velocity += grad if dampening == 0 else (1.0 - dampening) * grad
            grad = grad + momentum * velocity if group["nesterov"] else velocity
        param -= float(group["lr"]) * grad
