"""Speed and memory of tinygrad_edu against a hand-written NumPy MLP (and PyTorch if installed).

    python benchmarks/bench.py                 # the full run (a few minutes on 2 cores)
    python benchmarks/bench.py --quick         # a smoke run
    python benchmarks/bench.py --device cuda   # GPU: tinygrad_edu on CuPy vs hand-written CuPy

Three measurements, each taken with the frameworks interleaved round by round (so a busy
machine slows them alike) and summarized by the median over rounds:
1. training throughput (steps/s) of an MLP 784-256-128-10, float32, SGD momentum 0.9, at
   batch 64 and 512, and the ratio to the hand-written version (median over rounds of the
   ratio within each round; every order of the frameworks is used equally often);
2. per-op overhead: a chain of 200 tiny elementwise ops, forward and backward, in us per op;
3. peak memory (tracemalloc) of 200 training steps.
"""

import argparse
import itertools
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from numpy_mlp import HandWrittenMLP  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn, optim  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402

# PyTorch's OpenMP workers spin after each call by default, stealing one of the 2 cores from
# whichever framework runs next (NumPy's BLAS included); sleeping workers keep rounds fair.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
try:
    import torch
except ImportError:
    torch = None

SIZES = (784, 256, 128, 10)
LR = 0.01


def initial_weights(seed):
    """PyTorch-style uniform init, shared by every framework so they train the same model."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights


class Ours:
    name = "tinygrad_edu"

    def __init__(self, weights, device):
        self.model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                   nn.Linear(128, 10)).to(device)
        names = [name for name, _ in self.model.named_parameters()]
        self.model.load_state_dict(dict(zip(names, weights, strict=True)))  # copies in place
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR, momentum=0.9)
        self.device = device

    def batches(self, x, y):
        return tg.Tensor(x, device=self.device), tg.Tensor(y, device=self.device)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss

    def gradient_dtypes(self):
        return {str(p.grad.dtype) for p in self.model.parameters()}


class NumPyByHand:
    name = "hand-written"

    def __init__(self, weights, device):
        self.backend = tg.backend.get_backend(device)
        self.mlp = HandWrittenMLP(weights, self.backend.xp, lr=LR)

    def batches(self, x, y):
        return self.backend.asarray(x), self.backend.asarray(y)

    def step(self, x, y):
        return self.mlp.step(x, y)


class Torch:
    name = "pytorch"

    def __init__(self, weights, device):
        layers = [torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                  torch.nn.ReLU(), torch.nn.Linear(128, 10)]
        self.model = torch.nn.Sequential(*layers)
        with torch.no_grad():
            for param, value in zip(self.model.parameters(), weights, strict=True):
                param.copy_(torch.from_numpy(value))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=0.9)

    def batches(self, x, y):
        return torch.from_numpy(x), torch.from_numpy(y)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss


def frameworks(device):
    chosen = [Ours, NumPyByHand]
    if torch is not None and device == "cpu":
        chosen.append(Torch)
    return chosen


def synthetic_data(batch_size, batches, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size * batches, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch_size * batches)
    return [(x[i * batch_size:(i + 1) * batch_size], y[i * batch_size:(i + 1) * batch_size])
            for i in range(batches)]


def throughput(batch_size, rounds, steps_per_round, device):
    """Median steps/s of each framework, measured interleaved, and the median over rounds of
    its steps/s divided by the hand-written version's in the same round (pairs measured
    milliseconds apart, so a slow spell of the machine cancels out of each ratio)."""
    data = synthetic_data(batch_size, 8)
    weights = initial_weights(0)
    runners = [make(weights, device) for make in frameworks(device)]
    feeds = [[runner.batches(x, y) for x, y in data] for runner in runners]
    sync = tg.backend.get_backend(device).synchronize
    for runner, feed in zip(runners, feeds, strict=True):  # warm-up
        for x, y in feed:
            runner.step(x, y)
    timings = {runner.name: [] for runner in runners}
    # Each round runs the frameworks in the next of all their orders, so that each one goes
    # first, and follows each other one, equally often: what a framework leaves behind (warm
    # or cold caches, PyTorch's OpenMP threads) then falls on every framework alike. A plain
    # rotation of three would put the same framework after PyTorch in two rounds of three.
    orders = list(itertools.permutations(zip(runners, feeds, strict=True)))
    for round_index in range(rounds):
        for runner, feed in orders[round_index % len(orders)]:
            sync()
            start = time.perf_counter()
            for step in range(steps_per_round):
                runner.step(*feed[step % len(feed)])
            sync()
            timings[runner.name].append(steps_per_round / (time.perf_counter() - start))
    if isinstance(runners[0], Ours):
        dtypes = runners[0].gradient_dtypes()
        assert dtypes == {"float32"}, f"float32 model computed gradients in {dtypes}"
    reference = np.array(timings[NumPyByHand.name])
    rates = {name: float(np.median(values)) for name, values in timings.items()}
    ratios = {name: float(np.median(np.array(values) / reference))
              for name, values in timings.items()}
    return rates, ratios


def op_chain_ours(length, device):
    x = tg.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x
    for _ in range(length // 4):
        y = ((y * 1.001 + 0.5).tanh()) - 0.1
    y.sum().backward()


def op_chain_torch(length, device):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(length // 4):
        y = ((y * 1.001 + 0.5).tanh()) - 0.1
    y.sum().backward()


def per_op_overhead(rounds, device, length=200):
    """Median microseconds per op of a 200-op chain on a 2-element tensor, forward + backward."""
    chains = {"tinygrad_edu": op_chain_ours}
    if torch is not None and device == "cpu":
        chains["pytorch"] = op_chain_torch
    timings = {name: [] for name in chains}
    for _ in range(rounds):
        for name, chain in chains.items():
            start = time.perf_counter()
            chain(length, device)
            timings[name].append((time.perf_counter() - start) / (length + 1) * 1e6)
    return {name: float(np.median(values)) for name, values in timings.items()}


def peak_memory(batch_size, steps):
    """Peak bytes allocated (tracemalloc) while training `steps` steps, for ours and NumPy."""
    data = synthetic_data(batch_size, 8)
    peaks = {}
    for make in (Ours, NumPyByHand):
        runner = make(initial_weights(0), "cpu")
        feed = [runner.batches(x, y) for x, y in data]
        runner.step(*feed[0])
        tracemalloc.start()
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        for step in range(steps):
            runner.step(*feed[step % len(feed)])
        peaks[runner.name] = tracemalloc.get_traced_memory()[1] - baseline
        tracemalloc.stop()
    return peaks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke test")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    rounds = args.rounds or (6 if args.quick else 60)  # a multiple of 3! orders
    steps = 5 if args.quick else 20

    print(f"device: {args.device}; frameworks interleaved, median of {rounds} rounds")
    print("\n| batch | framework | steps/s | vs hand-written |")
    print("|---|---|---|---|")
    for batch_size in (64, 512):
        rates, ratios = throughput(batch_size, rounds, steps, args.device)
        for name, rate in rates.items():
            print(f"| {batch_size} | {name} | {rate:.1f} | {ratios[name]:.2f}x |")

    overhead = per_op_overhead(rounds * 2, args.device)
    print("\n| per-op overhead (200-op chain, fwd+bwd) | us/op |")
    print("|---|---|")
    for name, micros in overhead.items():
        print(f"| {name} | {micros:.2f} |")

    if args.device == "cpu":
        peaks = peak_memory(512, 20 if args.quick else 200)
        print("\n| peak memory, 200 steps at batch 512 | MiB | vs hand-written |")
        print("|---|---|---|")
        for name, peak in peaks.items():
            print(f"| {name} | {peak / 2**20:.2f} | {peak / peaks['hand-written']:.2f}x |")


if __name__ == "__main__":
    main()
