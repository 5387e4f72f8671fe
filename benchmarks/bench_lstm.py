"""An LSTM's forward and backward pass in tinygrad_edu against torch.nn.LSTM on the CPU.

    python benchmarks/bench_lstm.py            # 30 interleaved rounds
    python benchmarks/bench_lstm.py --quick    # a smoke run

Workload: one LSTM layer, input and hidden size 128, batch 32, 50 time steps, float32;
one round = the forward pass over the sequence, the loss sum(output), and backward (the
gradients of every weight). Both frameworks start from the same weights and input. Rounds
alternate the frameworks (a busy machine slows both alike); the result is each framework's
median time over rounds and the ratio of the medians, from one run. Both use one thread
(this project's CI machines have 2 cores shared with other jobs; `--threads` changes it).
"""

import argparse
import os
import sys
from pathlib import Path


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few rounds only")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads for both")
    return parser.parse_args(argv)


ARGS = parse(sys.argv[1:] if __name__ == "__main__" else [])
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)  # before NumPy and PyTorch load their BLAS
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn  # noqa: E402

STEPS, BATCH, INPUT_SIZE, HIDDEN_SIZE = 50, 32, 128, 128


def forward_backward(lstm, inputs):
    """One round's work, for either framework: the sequence forward, sum(output), backward."""
    def step():
        output, _ = lstm(inputs)
        loss = output.sum()
        lstm.zero_grad()
        loss.backward()
        return loss
    return step


def make_ours(seed=0):
    tg.manual_seed(seed)
    lstm = nn.LSTM(INPUT_SIZE, HIDDEN_SIZE)
    inputs = tg.tensor(np.random.default_rng(seed).standard_normal(
        (STEPS, BATCH, INPUT_SIZE)).astype(np.float32))
    return lstm, forward_backward(lstm, inputs)


def make_torch(ours):
    import torch

    torch.set_num_threads(ARGS.threads)
    lstm = torch.nn.LSTM(INPUT_SIZE, HIDDEN_SIZE)
    lstm.load_state_dict({name: torch.tensor(value.numpy())
                          for name, value in ours.state_dict().items()})
    inputs = torch.tensor(np.random.default_rng(0).standard_normal(
        (STEPS, BATCH, INPUT_SIZE)).astype(np.float32))
    return lstm, forward_backward(lstm, inputs)


def interleaved_medians(steps, rounds):
    """Median seconds per step of each framework, after one warm-up step each; rounds
    interleaved (harness.py): with two frameworks, who goes first swaps every round."""
    for step in steps.values():
        step()  # warm-up
    return harness.medians(harness.interleaved(steps, rounds))


def main():
    ours, our_step = make_ours()
    steps = {"tinygrad_edu": our_step}
    try:
        _, torch_step = make_torch(ours)
        steps["PyTorch"] = torch_step
        agreement = abs(our_step().item() - torch_step().item())
        print(f"loss difference between the frameworks: {agreement:.2e}")
    except ImportError:
        print("PyTorch is not installed: timing tinygrad_edu alone")
    medians = interleaved_medians(steps, 3 if ARGS.quick else ARGS.rounds)
    print(f"LSTM {INPUT_SIZE}->{HIDDEN_SIZE}, batch {BATCH}, {STEPS} steps, forward + backward, "
          f"{ARGS.threads} thread(s), median of {3 if ARGS.quick else ARGS.rounds} rounds:")
    for name, seconds in medians.items():
        print(f"  {name:13s} {seconds * 1e3:8.2f} ms")
    if "PyTorch" in medians:
        ratio = medians["tinygrad_edu"] / medians["PyTorch"]
        print(f"  ratio tinygrad_edu / PyTorch: {ratio:.2f}x")
    return medians


if __name__ == "__main__":
    main()
