"""L-BFGS (Nocedal 1980; Liu & Nocedal 1989) with PyTorch's iteration and stopping rules."""

from ..autograd import enable_grad
from ..autograd.function import mark_modified
from ..backend import xp_of
from .line_search import strong_wolfe
from .optimizer import Optimizer, check_at_least, state_tensor


class LBFGS(Optimizer):
    """Limited-memory BFGS over all parameters as one flat vector x, as torch.optim.LBFGS.

    Each `step(closure)` runs up to max_iter iterations of
        d = -H g     H g by the two-loop recursion over the last history_size pairs
                     (s = x_new - x, y = g_new - g), kept only when y.s > 1e-10,
                     with the initial inverse Hessian (y.s / y.y) I
        x = x + t d  t = lr, except min(1, 1/|g|_1) * lr on the very first iteration;
                     with line_search_fn='strong_wolfe', t is refined by a strong-Wolfe
                     line search (c1=1e-4, c2=0.9, cubic interpolation)
    and stops when max|g| <= tolerance_grad, the directional derivative g.d > -tolerance_change,
    max|t d| <= tolerance_change, |f_new - f| < tolerance_change, or after max_eval closure
    calls (default max_iter * 5 // 4). The closure zeroes the gradients, recomputes the loss,
    calls backward() and returns the loss; step returns the first loss.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad,
                                  "tolerance_change": tolerance_change,
                                  "history_size": history_size, "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS: works on all parameters as one vector, so it takes a single "
                             "parameter group (no per-parameter options)")
        self._params = self.param_groups[0]["params"]

    def _check_group(self, group):
        check_at_least("LBFGS", "lr", group["lr"], 0.0)
        check_at_least("LBFGS", "max_iter", group["max_iter"], 1)
        check_at_least("LBFGS", "max_eval", group["max_eval"], 1)
        check_at_least("LBFGS", "history_size", group["history_size"], 1)
        check_at_least("LBFGS", "tolerance_grad", group["tolerance_grad"], 0.0)
        check_at_least("LBFGS", "tolerance_change", group["tolerance_change"], 0.0)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: unknown line_search_fn={group['line_search_fn']!r}: "
                             "expected None or 'strong_wolfe'")

    # ----- the parameters as one flat vector --------------------------------------------------
    def _flat_grad(self):
        xp = xp_of(self._params[0]._data)
        return xp.concatenate([
            param.grad._data.reshape(-1) if param.grad is not None
            else xp.zeros(param.numel(), dtype=param.dtype) for param in self._params])

    def _add_to_params(self, step_length, direction):
        """x = x + step_length * direction, parameter by parameter."""
        offset = 0
        for param in self._params:
            size = param.numel()
            param._data += step_length * direction[offset:offset + size].reshape(param.shape)
            mark_modified(param)
            offset += size

    def _evaluate(self, closure):
        with enable_grad():
            return float(closure())

    def _evaluate_along(self, closure, start, step_length, direction):
        """(f, g) at x = start + step_length * direction; the parameters are left at start."""
        self._add_to_params(step_length, direction)
        loss = self._evaluate(closure)
        flat_grad = self._flat_grad()
        for param, saved in zip(self._params, start, strict=True):
            param._data[...] = saved
            mark_modified(param)
        return loss, flat_grad

    # ----- the iteration -------------------------------------------------------------------------
    def step(self, closure):
        """Up to max_iter L-BFGS iterations; returns the loss the first closure call gave."""
        if closure is None:
            raise ValueError("LBFGS.step needs a closure that recomputes the loss and gradients")
        group = self.param_groups[0]
        lr = float(group["lr"])
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        state = self.state[self._params[0]]  # L-BFGS state is global; PyTorch keeps it here too
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            first_loss = closure()
        loss = float(first_loss)
        evaluations = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        xp = xp_of(flat_grad)
        if float(xp.abs(flat_grad).max()) <= tolerance_grad:
            return first_loss

        memory = _Memory.from_state(state, group["history_size"])
        direction = state["d"]._data if "d" in state else None
        step_length = state.get("t")
        prev_flat_grad = state["prev_flat_grad"]._data if "prev_flat_grad" in state else None
        prev_loss = state.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                direction = -flat_grad
                memory.clear()
            else:
                memory.remember(step_length * direction, flat_grad - prev_flat_grad)
                direction = memory.direction(flat_grad)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            if state["n_iter"] == 1:
                step_length = min(1.0, 1.0 / float(xp.abs(flat_grad).sum())) * lr
            else:
                step_length = lr
            slope = float(flat_grad @ direction)
            if slope > -tolerance_change:
                break

            if group["line_search_fn"] == "strong_wolfe":
                start = [param._data.copy() for param in self._params]
                search = strong_wolfe(
                    lambda t, start=start, d=direction: self._evaluate_along(closure, start, t, d),
                    step_length, direction, loss, flat_grad, slope,
                    max_iterations=max_eval - evaluations)
                loss, flat_grad, step_length, used = search
                self._add_to_params(step_length, direction)
                optimal = float(xp.abs(flat_grad).max()) <= tolerance_grad
            else:
                self._add_to_params(step_length, direction)
                used = 0
                optimal = False
                if iteration != max_iter:  # no use evaluating after the last iteration
                    loss = self._evaluate(closure)
                    flat_grad = self._flat_grad()
                    optimal = float(xp.abs(flat_grad).max()) <= tolerance_grad
                    used = 1
            evaluations += used
            state["func_evals"] += used

            if iteration == max_iter or evaluations >= max_eval or optimal:
                break
            if float(xp.abs(step_length * direction).max()) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = state_tensor(direction)
        state["t"] = step_length
        state["prev_flat_grad"] = state_tensor(prev_flat_grad)
        state["prev_loss"] = prev_loss
        memory.save_to(state)
        return first_loss


class _Memory:
    """The last pairs (s, y, rho = 1 / y.s) and the initial inverse-Hessian scale y.s / y.y."""

    def __init__(self, steps, changes, rhos, scale, size):
        self.steps, self.changes, self.rhos, self.scale, self.size = (
            steps, changes, rhos, scale, size)

    @classmethod
    def from_state(cls, state, size):
        return cls([s._data for s in state.get("old_stps", [])],
                   [y._data for y in state.get("old_dirs", [])],
                   list(state.get("ro", [])), state.get("H_diag", 1.0), size)

    def save_to(self, state):
        state["old_stps"] = [state_tensor(s) for s in self.steps]
        state["old_dirs"] = [state_tensor(y) for y in self.changes]
        state["ro"] = list(self.rhos)
        state["H_diag"] = self.scale

    def clear(self):
        self.steps, self.changes, self.rhos, self.scale = [], [], [], 1.0

    def remember(self, step, change):
        """Keep the pair when the curvature y.s is safely positive, dropping the oldest."""
        curvature = float(change @ step)
        if curvature > 1e-10:
            if len(self.steps) == self.size:
                del self.steps[0], self.changes[0], self.rhos[0]
            self.steps.append(step)
            self.changes.append(change)
            self.rhos.append(1.0 / curvature)
            self.scale = curvature / float(change @ change)

    def direction(self, flat_grad):
        """-H g by the two-loop recursion."""
        q = -flat_grad
        alphas = [0.0] * len(self.steps)
        for i in reversed(range(len(self.steps))):
            alphas[i] = float(self.steps[i] @ q) * self.rhos[i]
            q -= alphas[i] * self.changes[i]
        r = q * self.scale
        for i in range(len(self.steps)):
            beta = float(self.changes[i] @ r) * self.rhos[i]
            r += (alphas[i] - beta) * self.steps[i]
        return r

