"""Other revisions' engines against the working tree's, in one process, interleaved.

    python benchmarks/compare_engines.py 63d58e9 78352d6     # engine v1, engine v2 as landed
    python benchmarks/compare_engines.py HEAD --rounds 12    # before and after an edit

How much did a change speed the engine up? Timing two checkouts one after the other mixes
the change with the machine's load. Here each revision's `tinygrad_edu/` is exported with
`git archive` into a temporary folder as a package of its own (`tinygrad_edu_<rev>`: the
package only imports itself relatively), so every engine runs in this one process on the
same data, interleaved round by round as bench.py does (harness.py). Reported: the per-op
chain of bench.py as a multiple of PyTorch's time (of the working tree's without PyTorch),
and the MLP step at batch 64 and 512 as a multiple of the NumPy floor's. CPU only.
"""

import argparse
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
import harness  # noqa: E402
from op_chain import EngineChain  # noqa: E402

import tinygrad_edu  # noqa: E402


def import_revision(revision, folder):
    """`tinygrad_edu/` as of `revision`, imported as the package `tinygrad_edu_<revision>`."""
    archive = subprocess.run(["git", "archive", revision, "tinygrad_edu"], cwd=REPOSITORY,
                             capture_output=True, check=True).stdout
    name = "tinygrad_edu_" + "".join(c if c.isalnum() else "_" for c in revision)
    target = Path(folder) / name
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.10.12
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, **safe)
    (Path(folder) / "tinygrad_edu").rename(target)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return name, importlib.import_module(name)


def compare(engines, rounds):
    """{measurement: {engine name: ratio}} for the per-op chain and the two MLP steps."""
    reference = "pytorch" if bench.with_torch("cpu") else "tinygrad_edu"
    chains = [EngineChain(name, lambda a, p=package: p.tensor(a, requires_grad=True))
              for name, package in engines.items()]
    if reference == "pytorch":
        chains.append(EngineChain("pytorch", lambda a: bench.torch.tensor(a, requires_grad=True)))
    tasks = {}
    for chain in chains:
        chain.run(bench.CHAIN_LENGTH)  # warm-up
        tasks[chain.name] = lambda chain=chain: [chain.run(bench.CHAIN_LENGTH) for _ in range(5)]
    results = {"per-op chain, vs " + reference:
               harness.ratios_to(harness.interleaved(tasks, rounds * 4), reference)}
    weights = bench.initial_weights(0)
    for batch_size in (64, 512):
        feed = bench.synthetic_data(batch_size, 8)
        runners = {name: bench.Ours(weights, "cpu", package) for name, package in engines.items()}
        runners[bench.NumPyFloor.name] = bench.NumPyFloor(weights, "cpu")
        tasks = {name: harness.warmed_up_steps(runner, [runner.batches(x, y) for x, y in feed], 20)
                 for name, runner in runners.items()}
        times = harness.interleaved(tasks, rounds)
        results[f"MLP step at batch {batch_size}, vs the floor"] = harness.ratios_to(
            times, bench.NumPyFloor.name)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs="+", help="git revisions to compare with the tree")
    parser.add_argument("--rounds", type=int, default=24, help="MLP rounds (chain: 4x)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        engines = dict(import_revision(revision, folder) for revision in args.revisions)
        engines["tinygrad_edu"] = tinygrad_edu  # the working tree
        results = compare(engines, args.rounds)
    names = list(engines)
    print("| measurement | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for measurement, ratios in results.items():
        print(f"| {measurement} | " + " | ".join(f"{ratios[n]:.3f}x" for n in names) + " |")
    return results


if __name__ == "__main__":
    main()
