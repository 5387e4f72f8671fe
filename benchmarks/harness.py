"""What the benchmarks share: the same starting weights for every framework, one training
step written once for any framework with PyTorch's API, and timing by interleaved rounds.

Interleaving: every round runs each task once, the rounds going through all the orders of the
tasks in turn (so each goes first, and follows each other one, equally often), and a busy
machine slows them alike. A ratio is the median over rounds of the ratio measured within one
round (timings milliseconds apart, so a slow spell cancels out of it).
"""

import itertools
import time

import numpy as np


def mlp_shapes(sizes):
    """The (weight, bias) shapes, layer by layer, of an MLP with these layer sizes."""
    shapes = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        shapes += [(fan_out, fan_in), (fan_out,)]
    return shapes


def default_init_weights(shapes, seed):
    """PyTorch's default init as float32 NumPy arrays, for (weight, bias) shape pairs: both
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = prod(weight shape[1:])."""
    rng = np.random.default_rng(seed)
    weights = []
    for weight_shape, bias_shape in zip(shapes[::2], shapes[1::2], strict=True):
        bound = 1 / np.sqrt(np.prod(weight_shape[1:]))
        weights.append(rng.uniform(-bound, bound, weight_shape).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, bias_shape).astype(np.float32))
    return weights


def load_into_ours(model, weights):
    """Copy the arrays `weights`, in parameter order, into a tinygrad_edu model in place."""
    names = [name for name, _ in model.named_parameters()]
    model.load_state_dict(dict(zip(names, weights, strict=True)))


def load_into_torch(model, weights):
    """Copy the arrays `weights`, in parameter order, into a PyTorch model in place."""
    import torch

    with torch.no_grad():
        for param, value in zip(model.parameters(), weights, strict=True):
            param.copy_(torch.from_numpy(value))


def loss_and_gradients(model, optimizer, cross_entropy, x, y):
    """Zero the gradients, compute the loss, backpropagate (tinygrad_edu or PyTorch)."""
    optimizer.zero_grad()
    loss = cross_entropy(model(x), y)
    loss.backward()
    return loss


def training_step(model, optimizer, cross_entropy, x, y):
    """One training step (tinygrad_edu or PyTorch): the loss, its gradients, the update."""
    loss = loss_and_gradients(model, optimizer, cross_entropy, x, y)
    optimizer.step()
    return loss


class TorchOnCPU:
    """A PyTorch model on the CPU, started from `weights`, trained with SGD (momentum 0.9)
    on cross-entropy: the PyTorch runner of the CPU benchmarks."""

    name = "pytorch"

    def __init__(self, model, weights, lr):
        import torch

        self.torch = torch
        self.model = model
        load_into_torch(model, weights)
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    def batches(self, x, y):
        return self.torch.from_numpy(x), self.torch.from_numpy(y)

    def step(self, x, y):
        return training_step(self.model, self.optimizer, self.torch.nn.functional.cross_entropy,
                             x, y)


def warmed_up_steps(runner, feed, steps):
    """Run runner.step once on each batch of `feed` (a warm-up), then return a task that
    takes `steps` steps, cycling through the batches."""
    for x, y in feed:
        runner.step(x, y)

    def task():
        for step in range(steps):
            runner.step(*feed[step % len(feed)])
    return task


def interleaved(tasks, rounds, sync=lambda: None, seconds=None, min_rounds=3):
    """Seconds each task (name -> callable) took in each round, run in every order in turn;
    sync() before and after each timing (a GPU runs asynchronously). With `seconds`, fewer
    rounds when that time has passed (but at least min_rounds)."""
    orders = list(itertools.permutations(tasks.items()))
    times = {name: [] for name in tasks}
    deadline = None if seconds is None else time.perf_counter() + seconds
    for round_index in range(rounds):
        if round_index >= min_rounds and deadline is not None and time.perf_counter() >= deadline:
            break
        for name, task in orders[round_index % len(orders)]:
            sync()
            start = time.perf_counter()
            task()
            sync()
            times[name].append(time.perf_counter() - start)
    return times


def medians(times, scale=1.0):
    """Each task's median time over rounds, times `scale` (per step, in ms, ...)."""
    return {name: float(np.median(values)) * scale for name, values in times.items()}


def ratios_to(times, reference):
    """Median over rounds of each task's time divided by `reference`'s in the same round."""
    base = np.array(times[reference])
    return {name: float(np.median(np.array(values) / base)) for name, values in times.items()}
