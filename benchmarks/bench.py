"""Speed and memory of tinygrad_edu against a hand-written NumPy floor, PyTorch and micrograd.

    python benchmarks/bench.py                 # the full run (a few minutes on 2 cores)
    python benchmarks/bench.py --quick         # a smoke run
    python benchmarks/bench.py --json out.json # also write the results as JSON
    python benchmarks/bench.py --device cuda   # GPU: tinygrad_edu on CuPy vs the same on CuPy

Every timing runs the frameworks interleaved round by round, each round in the next of all
their orders, and every ratio is the median over rounds of the ratio measured within one
round (harness.py says why):
1. per-op overhead: a 200-op chain of elementwise ops on a (4,) float32 tensor, forward and
   backward (op_chain.py), in us per op, as a multiple of PyTorch's time;
2. one training step of an MLP 784-256-128-10 (float32, SGD momentum 0.9) at batch 64 and
   512, as a multiple of the step time of the NumPy floor (numpy_mlp.py);
3. peak memory (tracemalloc) of 200 training steps at batch 512.
The goals of issue 10 are printed beside the measured values. On a busy machine run it with
`OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`: multi-threaded BLAS slows down many times over when
another process takes a core.
"""

import argparse
import json
import os
import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare_engine  # noqa: E402
import harness  # noqa: E402
from numpy_mlp import HandWrittenMLP  # noqa: E402
from op_chain import ArrayCallsChain, EngineChain, ScalarChain  # noqa: E402

import tinygrad_edu as tg  # noqa: E402

# PyTorch's OpenMP workers spin after each call by default, stealing one of the 2 cores from
# whichever framework runs next (NumPy's BLAS included); sleeping workers keep rounds fair.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
try:
    import torch
except ImportError:
    torch = None

SIZES = (784, 256, 128, 10)
LR = 0.01
CHAIN_LENGTH = 200
PER_OP_GOAL = 0.6  # tinygrad_edu's time per op, at most this multiple of PyTorch's
STEP_GOALS = {64: 1.15, 512: 1.05}  # tinygrad_edu's step time, at most this multiple of the floor's


def initial_weights(seed):
    """PyTorch-style uniform init, shared by every framework so they train the same model."""
    return harness.default_init_weights(harness.mlp_shapes(SIZES), seed)


class Ours:
    """The MLP in tinygrad_edu (or in `package`, another revision's copy of it)."""

    name = "tinygrad_edu"

    def __init__(self, weights, device, package=tg):
        nn, optim = package.nn, package.optim
        self.package = package
        self.model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                   nn.Linear(128, 10)).to(device)
        harness.load_into_ours(self.model, weights)
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR, momentum=0.9)
        self.device = device

    def batches(self, x, y):
        tensor = self.package.Tensor
        return tensor(x, device=self.device), tensor(y, device=self.device)

    def loss_and_gradients(self, x, y):
        return harness.loss_and_gradients(self.model, self.optimizer,
                                          self.package.nn.functional.cross_entropy, x, y)

    def step(self, x, y):
        loss = self.loss_and_gradients(x, y)
        self.optimizer.step()
        return loss

    def gradient_dtypes(self):
        return {str(p.grad.dtype) for p in self.model.parameters()}


class NumPyFloor:
    name = "NumPy floor"

    def __init__(self, weights, device):
        self.backend = tg.backend.get_backend(device)
        self.mlp = HandWrittenMLP(weights, self.backend.xp, lr=LR)

    def batches(self, x, y):
        return self.backend.asarray(x), self.backend.asarray(y)

    def step(self, x, y):
        return self.mlp.step(x, y)


class Torch(harness.TorchOnCPU):
    def __init__(self, weights, device):
        layers = [torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                  torch.nn.ReLU(), torch.nn.Linear(128, 10)]
        super().__init__(torch.nn.Sequential(*layers), weights, LR)


def with_torch(device):
    return torch is not None and device == "cpu"


def synthetic_data(batch_size, batches, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size * batches, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch_size * batches)
    return [(x[i * batch_size:(i + 1) * batch_size], y[i * batch_size:(i + 1) * batch_size])
            for i in range(batches)]


def mlp_step(batch_size, rounds, steps_per_round, device):
    """Median ms per training step of each framework, and its step time as a multiple of
    the NumPy floor's (median over rounds of the ratio within each round)."""
    data = synthetic_data(batch_size, 8)
    weights = initial_weights(0)
    runners = [Ours, NumPyFloor] + ([Torch] if with_torch(device) else [])
    runners = [make(weights, device) for make in runners]
    tasks = {runner.name: harness.warmed_up_steps(
        runner, [runner.batches(x, y) for x, y in data], steps_per_round) for runner in runners}
    seconds = harness.interleaved(tasks, rounds, tg.backend.get_backend(device).synchronize)
    dtypes = runners[0].gradient_dtypes()
    assert dtypes == {"float32"}, f"float32 model computed gradients in {dtypes}"
    ms = harness.medians(seconds, 1e3 / steps_per_round)
    return ms, harness.ratios_to(seconds, NumPyFloor.name)


def chain_runners(device):
    runners = [EngineChain("tinygrad_edu", lambda a: tg.tensor(a, device=device,
                                                               requires_grad=True))]
    if with_torch(device):
        runners.append(EngineChain("pytorch", lambda a: torch.tensor(a, requires_grad=True)))
    if device == "cpu":
        runners.append(EngineChain("bare array engine",
                                   lambda a: bare_engine.Tensor(a, requires_grad=True)))
    runners += [ScalarChain(), ArrayCallsChain(tg.backend.get_backend(device).xp)]
    return runners


def per_op_overhead(rounds, device, length=CHAIN_LENGTH, repeats=5):
    """Median us per op of each chain runner, and its time as a multiple of PyTorch's (None
    without PyTorch); a round runs each chain `repeats` times."""
    tasks = {}
    for runner in chain_runners(device):
        runner.run(length)  # warm-up

        def task(runner=runner):
            for _ in range(repeats):
                runner.run(length)
        tasks[runner.name] = task
    seconds = harness.interleaved(tasks, rounds, tg.backend.get_backend(device).synchronize)
    micros = harness.medians(seconds, 1e6 / (repeats * length))
    ratios = harness.ratios_to(seconds, "pytorch") if "pytorch" in seconds else None
    return micros, ratios


def peak_memory(batch_size, steps):
    """Peak bytes allocated (tracemalloc) while training `steps` steps, for ours and NumPy."""
    data = synthetic_data(batch_size, 8)
    peaks = {}
    for make in (Ours, NumPyFloor):
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


def verdict(value, goal):
    return f"<= {goal:.2f}x: {'pass' if value <= goal else 'FAIL'}"


def print_per_op(micros, ratios):
    print(f"\n| per-op overhead ({CHAIN_LENGTH}-op chain on (4,) float32, fwd+bwd) | us/op "
          "| vs PyTorch's time | goal |")
    print("|---|---|---|---|")
    for name, value in micros.items():
        ratio = f"{ratios[name]:.2f}x" if ratios else "-"
        goal = verdict(ratios[name], PER_OP_GOAL) if ratios and name == "tinygrad_edu" else ""
        print(f"| {name} | {value:.2f} | {ratio} | {goal} |")
    around = micros["tinygrad_edu"] - micros[ArrayCallsChain.name]
    print(f"\ntinygrad_edu spends {around:.2f} of its {micros['tinygrad_edu']:.2f} us per op in "
          "Python around the array calls.")


def print_mlp(batch_size, ms, ratios):
    for name, value in ms.items():
        goal = verdict(ratios[name], STEP_GOALS[batch_size]) if name == "tinygrad_edu" else ""
        print(f"| {batch_size} | {name} | {value:.3f} | {ratios[name]:.2f}x | {goal} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke test")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--rounds", type=int, default=None,
                        help="MLP rounds (a multiple of 6 uses all orders equally often)")
    parser.add_argument("--json", metavar="PATH", help="also write the results to PATH")
    args = parser.parse_args(argv)
    rounds = args.rounds or (6 if args.quick else 60)
    chain_rounds = 24 if args.quick else 120  # a multiple of 4! orders
    steps = 5 if args.quick else 20
    results = {"device": args.device, "load_average_before": os.getloadavg()[0],
               "mlp_rounds": rounds, "chain_rounds": chain_rounds,
               "goals": {"per_op_vs_pytorch": PER_OP_GOAL, "step_vs_floor": STEP_GOALS}}

    print(f"device: {args.device}; frameworks interleaved round by round; medians over rounds; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    micros, ratios = per_op_overhead(chain_rounds, args.device, repeats=1 if args.quick else 5)
    results["per_op"] = {"us_per_op": micros, "time_vs_pytorch": ratios}
    print_per_op(micros, ratios)

    print(f"\n| batch | MLP training step ({rounds} rounds of {steps} steps) | ms/step "
          "| vs the floor's time | goal |")
    print("|---|---|---|---|---|")
    results["mlp_step"] = {}
    for batch_size in (64, 512):
        ms, step_ratios = mlp_step(batch_size, rounds, steps, args.device)
        results["mlp_step"][batch_size] = {"ms_per_step": ms, "time_vs_floor": step_ratios}
        print_mlp(batch_size, ms, step_ratios)

    if args.device == "cpu":
        peaks = peak_memory(512, 20 if args.quick else 200)
        results["peak_memory_bytes"] = peaks
        print("\n| peak memory, 200 steps at batch 512 (the floor allocates beforehand) | MiB |")
        print("|---|---|")
        for name, peak in peaks.items():
            print(f"| {name} | {peak / 2**20:.2f} |")

    results["load_average_after"] = os.getloadavg()[0]
    print(f"\nload average at the end: {results['load_average_after']:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
