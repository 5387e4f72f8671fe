"""Training-step speed on the GPU: tinygrad_edu on CuPy vs a hand-written CuPy MLP vs PyTorch.

    python3 benchmarks/gpu_bench.py                  # both MLPs, about a minute
    python3 benchmarks/gpu_bench.py --seconds 30 --json runs/gpu_bench.json

Two MLPs, float32, softmax cross-entropy, SGD with momentum 0.9, the same initial weights in
every framework: the project's benchmark MLP 784-256-128-10 (batch 64 and 512), where
per-step Python overhead shows, and a wide MLP 784-4096-4096-10 (batch 1024), where the
matrix products dominate and a framework's own overhead should vanish. Every timing is taken
between two device synchronisations (the GPU runs asynchronously: without them one would time
the queueing, not the work), frameworks interleaved round by round (harness.py), median over
rounds.
TF32 is off everywhere (CuPy's default, and PyTorch's for matmul), so all compute in float32.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import harness  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn, optim  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402

LR = 0.01
CONFIGS = {  # name: (layer sizes, batch sizes)
    "benchmark MLP 784-256-128-10": ((784, 256, 128, 10), (64, 512)),
    "wide MLP 784-4096-4096-10": ((784, 4096, 4096, 10), (1024,)),
}
QUICK_CONFIGS = {  # a smoke run (the stand-in in tests, or a first look)
    "benchmark MLP 784-256-128-10": ((784, 256, 128, 10), (16,)),
    "wide MLP 64-256-256-10 (quick)": ((64, 256, 256, 10), (16,)),
}


def initial_weights(sizes, seed=0):
    """PyTorch's default uniform init, as NumPy arrays shared by every framework."""
    return harness.default_init_weights(harness.mlp_shapes(sizes), seed)


class Ours:
    name = "tinygrad_edu"

    def __init__(self, sizes, weights):
        layers = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        self.model = nn.Sequential(*layers[:-1]).to("cuda")
        harness.load_into_ours(self.model, weights)
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR, momentum=0.9)

    def batch(self, x, y):
        return tg.tensor(x, device="cuda"), tg.tensor(y, device="cuda")

    def step(self, x, y):
        return harness.training_step(self.model, self.optimizer, F.cross_entropy, x, y)

    def check(self):
        dtypes = {str(p.grad.dtype) for p in self.model.parameters()}
        assert dtypes == {"float32"}, f"tinygrad_edu computed gradients in {dtypes}"


class HandWritten:
    """The explicit-backprop MLP of benchmarks/numpy_mlp.py, on CuPy (three Linear layers)."""

    name = "hand-written CuPy"

    def __init__(self, sizes, weights):
        from numpy_mlp import HandWrittenMLP

        self.backend = tg.backend.get_backend("cuda")
        self.mlp = HandWrittenMLP(weights, self.backend.xp, lr=LR)

    def batch(self, x, y):
        return self.backend.asarray(x), self.backend.asarray(y)

    def step(self, x, y):
        return self.mlp.step(x, y)

    def check(self):
        pass


class Torch:
    name = "PyTorch CUDA"

    def __init__(self, sizes, weights):
        import torch

        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        self.torch = torch
        layers = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1]).cuda()
        harness.load_into_torch(self.model, weights)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=0.9)

    def batch(self, x, y):
        return self.torch.from_numpy(x).cuda(), self.torch.from_numpy(y).cuda()

    def step(self, x, y):
        return harness.training_step(self.model, self.optimizer,
                                     self.torch.nn.functional.cross_entropy, x, y)

    def check(self):
        pass


def torch_cuda_available():
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def frameworks(with_torch):
    return [Ours, HandWritten] + ([Torch] if with_torch else [])


def synchronize():
    """Wait for both libraries' queued GPU work: a timing ends only when the work has."""
    tg.backend.get_backend("cuda").synchronize()
    if "torch" in sys.modules and torch_cuda_available():
        sys.modules["torch"].cuda.synchronize()


def measure(sizes, batch_size, seconds, with_torch, steps_per_round=10, max_rounds=30):
    """Median ms per training step of each framework (interleaved rounds within `seconds`),
    plus the first losses, which must agree (same weights, same data). A framework that
    fails is reported with its error instead of a time."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch_size, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch_size)
    weights = initial_weights(sizes)
    tasks, results = {}, {}
    for make in frameworks(with_torch):
        try:
            runner = make(sizes, weights)
            feed = runner.batch(x, y)
            first_loss = float(runner.step(*feed))
            # two more warm-up steps (kernel compilation, allocator pools), then the task
            task = harness.warmed_up_steps(runner, [feed, feed], steps_per_round)
            runner.check()
            synchronize()
        except Exception as error:  # recorded, and the others still run
            results[make.name] = {"error": f"{type(error).__name__}: {error}"}
            continue
        tasks[make.name] = task
        results[make.name] = {"first_loss": first_loss}
    times = harness.interleaved(tasks, max_rounds, synchronize, seconds=seconds)
    for name, ms in harness.medians(times, 1000 / steps_per_round).items():
        results[name].update(ms_per_step=ms, rounds=len(times[name]))
    return results


def run(seconds, quick=False):
    """Every configuration, the time split evenly; {config: {batch: {framework: result}}}."""
    configs = QUICK_CONFIGS if quick else CONFIGS
    with_torch = torch_cuda_available()
    share = seconds / sum(len(batches) for _, batches in configs.values())
    steps = 2 if quick else 10
    return {name: {str(batch): measure(sizes, batch, share, with_torch, steps)
                   for batch in batches}
            for name, (sizes, batches) in configs.items()}


def table(report):
    """A Markdown table of the report, with each framework's speed relative to PyTorch (or,
    without PyTorch, to the hand-written version): > 1 means faster."""
    lines = ["| MLP | batch | framework | ms/step | speed vs PyTorch | first loss |",
             "|---|---|---|---|---|---|"]
    for name, batches in report.items():
        for batch, results in batches.items():
            reference = results.get(Torch.name, {}).get("ms_per_step")
            for framework, result in results.items():
                if "error" in result:
                    lines.append(f"| {name} | {batch} | {framework} | failed: "
                                 f"{result['error'][:120]} | | |")
                    continue
                ms = result["ms_per_step"]
                relative = f"{reference / ms:.2f}x" if reference else "n/a"
                lines.append(f"| {name} | {batch} | {framework} | {ms:.3f} | {relative} | "
                             f"{result['first_loss']:.5f} |")
    return "\n".join(lines)


def use_stand_in():
    """Run on the strict CuPy stand-in of the tests (no GPU): checks the script, times nothing
    meaningful."""
    from tests import strict_cupy
    from tests.strict_cupy import cupyx

    tg.backend.register_backend("cuda", strict_cupy, cupyx)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="time for the measurements, split between the configurations")
    parser.add_argument("--quick", action="store_true", help="small MLPs, a smoke run")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--fake", action="store_true",
                        help="no GPU: run on the tests' CuPy stand-in (checks the script only)")
    args = parser.parse_args(argv)
    if args.fake:
        use_stand_in()
    if not tg.cuda.is_available():
        tg.zeros(1, device="cuda")  # raises the error that says what is missing
    report = run(args.seconds, quick=args.quick)
    print(table(report))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
