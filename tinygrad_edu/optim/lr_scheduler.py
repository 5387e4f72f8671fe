"""Learning-rate schedules, as torch.optim.lr_scheduler (plus InverseTimeLR).

A scheduler rewrites `group["lr"]` of each parameter group of its optimizer. Call
`scheduler.step()` once per epoch (or per iteration), after `optimizer.step()`. The constructor
stores `group["initial_lr"]` (the base rates) and performs the first step, so right after
construction `last_epoch == 0` and the groups hold the epoch-0 rates.

Like PyTorch, the multiplicative schedules update the current rate recursively (chainable:
two schedulers on one optimizer compose), so their sequences match PyTorch's exactly.
"""

import math
import types
from collections import Counter

from .optimizer import Optimizer


def _check_optimizer(optimizer, name):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{name}: expected an optimizer, got {type(optimizer).__name__}")


def _one_per_group(value, optimizer, name, what):
    """A list with one entry per parameter group: `value` repeated, or a list checked for length."""
    groups = len(optimizer.param_groups)
    if not isinstance(value, list | tuple):
        return [value] * groups
    if len(value) != groups:
        raise ValueError(f"{name}: expected {groups} {what} (one per parameter group), "
                         f"got {len(value)}")
    return list(value)


class _SchedulerState:
    """What every schedule shares: the last rates it set, and saving/resuming its state."""

    def get_last_lr(self):
        """The rates the last step() set, one per parameter group."""
        return self._last_lr

    def state_dict(self):
        """Everything but the optimizer (save the optimizer's own state dict beside it)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)


class LRScheduler(_SchedulerState):
    """Base class: `step()` advances `last_epoch` and writes `get_lr()` into the groups."""

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer, type(self).__name__)
        self.optimizer = optimizer
        for index, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: param_groups[{index}] has no "
                               "'initial_lr'; resuming with last_epoch >= 0 needs the state of "
                               "an optimizer that a scheduler already ran on")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The rates for the current `last_epoch` (each schedule defines its rule)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr")

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self):
        """Advance one epoch and set every group's lr."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


class StepLR(LRScheduler):
    """lr = base_lr * gamma^(epoch // step_size): multiply by gamma every step_size epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not (isinstance(step_size, int) and step_size >= 1):
            raise ValueError(f"StepLR: invalid step_size={step_size!r}: expected an int >= 1")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma^(number of milestones <= epoch): decay at each milestone epoch."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma^epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class LinearLR(LRScheduler):
    """lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) /
    total_iters): a linear ramp (warm-up when start_factor < end_factor), then constant."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: invalid start_factor={start_factor!r}: expected "
                             "0 < start_factor <= 1")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: invalid end_factor={end_factor!r}: expected "
                             "0 <= end_factor <= 1")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        # the ratio of consecutive factors: f(e) / f(e - 1)
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor
                                + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in self._current_lrs()]


class PolynomialLR(LRScheduler):
    """lr = base_lr * (1 - min(epoch, total_iters) / total_iters)^power (power=2: the
    quadratic decay), reaching 0 at total_iters."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        if not total_iters >= 1:
            raise ValueError(f"PolynomialLR: invalid total_iters={total_iters!r}: expected >= 1")
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        ratio = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [lr * ratio for lr in self._current_lrs()]


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch); one function for all groups, or a list of one per group."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer(optimizer, "LambdaLR")
        self.lr_lambdas = _one_per_group(lr_lambda, optimizer, "LambdaLR", "lr_lambdas")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * rule(self.last_epoch)
                for rule, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self):
        """As the base, but plain functions are not state: only callable objects' attributes
        are saved (None in place of a function or lambda), as PyTorch."""
        state = {key: value for key, value in self.__dict__.items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(rule, types.FunctionType) else dict(vars(rule))
                               for rule in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved_rules = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for rule, saved in zip(self.lr_lambdas, saved_rules, strict=True):
            if saved is not None:
                vars(rule).update(saved)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, computed
    recursively as PyTorch (past T_max it rises again: a cosine of period 2 T_max)."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):  # noqa: N803
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: invalid T_max={T_max!r}: expected T_max > 0")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        epoch, period, low = self.last_epoch, self.T_max, self.eta_min
        if (epoch - 1 - period) % (2 * period) == 0:  # leaving the minimum: the ratio is 0/0
            return [lr + (base_lr - low) * (1 - math.cos(math.pi / period)) / 2
                    for lr, base_lr in zip(self._current_lrs(), self.base_lrs, strict=True)]
        ratio = ((1 + math.cos(math.pi * epoch / period))
                 / (1 + math.cos(math.pi * (epoch - 1) / period)))
        return [ratio * (lr - low) + low for lr in self._current_lrs()]


class InverseTimeLR(LRScheduler):
    """lr = base_lr / (1 + k * t), t = the number of step() calls so far (t = 0 at first)."""

    def __init__(self, optimizer, k, last_epoch=-1):
        if not k >= 0:
            raise ValueError(f"InverseTimeLR: invalid k={k!r}: expected k >= 0")
        self.k = k
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr / (1.0 + self.k * self.last_epoch) for base_lr in self.base_lrs]


class ReduceLROnPlateau(_SchedulerState):
    """Multiply lr by `factor` once the metric passed to step(metric) has not improved for more
    than `patience` epochs; then wait `cooldown` epochs before counting again. Improvement
    (mode 'min'): metric < best * (1 - threshold) ('rel') or metric < best - threshold ('abs');
    mode 'max' mirrors it. lr never goes below min_lr, and changes smaller than eps are skipped.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        _check_optimizer(optimizer, "ReduceLROnPlateau")
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: invalid factor={factor!r}: expected factor < 1")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: unknown mode={mode!r}: expected 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: unknown threshold_mode={threshold_mode!r}: "
                             "expected 'rel' or 'abs'")
        self.min_lrs = _one_per_group(min_lr, optimizer, "ReduceLROnPlateau", "min_lrs")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def _is_better(self, value):
        if self.mode == "min":
            bound = (self.best * (1.0 - self.threshold) if self.threshold_mode == "rel"
                     else self.best - self.threshold)
            return value < bound
        bound = (self.best * (1.0 + self.threshold) if self.threshold_mode == "rel"
                 else self.best + self.threshold)
        return value > bound

    def step(self, metrics):
        """Record this epoch's metric (a number or a one-element Tensor) and maybe reduce lr."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                old_lr = float(group["lr"])
                new_lr = max(old_lr * self.factor, min_lr)
                if old_lr - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
