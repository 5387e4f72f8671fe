"""Speed of a CNN training step: tinygrad_edu against PyTorch (CPU) and a hand-written NumPy
im2col LeNet.

    python benchmarks/bench_cnn.py            # the full run (about a minute on 2 cores)
    python benchmarks/bench_cnn.py --quick    # a smoke run

Workload: LeNet-5 (conv 1->6 5x5 pad 2, ReLU, max pool 2 | conv 6->16 5x5, ReLU, max pool 2 |
Linear 400-120-84-10), float32, batch 64 of 1x28x28 images, cross-entropy, SGD with momentum
0.9. The three start from the same weights and see the same batches. They run interleaved,
round by round, each round in the next of all their orders, so a busy spell of the machine
slows all of them alike; the ratios are medians over rounds of the per-round ratio of step
times against PyTorch's (harness.py).
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from numpy_cnn import HandWrittenLeNet  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn, optim  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see bench.py: PyTorch's spinning threads
try:
    import torch
except ImportError:
    torch = None

LR = 0.01
BATCH = 64
SHAPES = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,),
          (10, 84), (10,)]


def initial_weights(seed):
    """PyTorch's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), for every tensor."""
    return harness.default_init_weights(SHAPES, seed)


def lenet(module):
    """LeNet-5 from a module namespace: tinygrad_edu.nn or torch.nn."""
    return module.Sequential(
        module.Conv2d(1, 6, 5, padding=2), module.ReLU(), module.MaxPool2d(2),
        module.Conv2d(6, 16, 5), module.ReLU(), module.MaxPool2d(2), module.Flatten(),
        module.Linear(400, 120), module.ReLU(), module.Linear(120, 84), module.ReLU(),
        module.Linear(84, 10))


class Ours:
    name = "tinygrad_edu"

    def __init__(self, weights):
        self.model = lenet(nn)
        harness.load_into_ours(self.model, weights)
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR, momentum=0.9)

    def batches(self, x, y):
        return tg.tensor(x), tg.tensor(y)

    def step(self, x, y):
        return harness.training_step(self.model, self.optimizer, F.cross_entropy, x, y)


class Torch(harness.TorchOnCPU):
    def __init__(self, weights):
        super().__init__(lenet(torch.nn), weights, LR)


class NumPyByHand:
    name = "hand-written"

    def __init__(self, weights):
        self.model = HandWrittenLeNet(weights, lr=LR)

    def batches(self, x, y):
        return x, y

    def step(self, x, y):
        return self.model.step(x, y)


def frameworks():
    return [Ours, NumPyByHand] + ([Torch] if torch is not None else [])


def synthetic_data(batches, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batches, BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, (batches, BATCH))
    return list(zip(x, y, strict=True))


def step_times(rounds, steps_per_round):
    """Median seconds per step of each framework, and the median over rounds of its step
    time divided by the reference's (PyTorch's, else the hand-written one's) in that round."""
    data = synthetic_data(4)
    runners = [make(initial_weights(0)) for make in frameworks()]
    tasks = {runner.name: harness.warmed_up_steps(
        runner, [runner.batches(x, y) for x, y in data], steps_per_round) for runner in runners}
    times = harness.interleaved(tasks, rounds)
    reference = Torch.name if torch is not None else NumPyByHand.name
    return harness.medians(times, 1 / steps_per_round), harness.ratios_to(times, reference)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke test")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    rounds = args.rounds or (6 if args.quick else 36)  # a multiple of 3! orders
    steps = 2 if args.quick else 10
    seconds, ratios = step_times(rounds, steps)
    reference = "PyTorch" if torch is not None else "hand-written"
    print(f"LeNet-5, batch {BATCH}, SGD momentum; interleaved, median of {rounds} rounds")
    print(f"\n| framework | ms/step | vs {reference} |")
    print("|---|---|---|")
    for name, value in seconds.items():
        print(f"| {name} | {value * 1e3:.2f} | {ratios[name]:.2f}x |")


if __name__ == "__main__":
    main()
