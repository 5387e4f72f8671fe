"""The GPU check for a short loan of a GPU machine: tests, benchmark and an example on "cuda".

    python3 benchmarks/gpu_check.py [SUMMARY]    # default SUMMARY: runs/gpu_check.txt
    bash benchmarks/gpu_check.sh [SUMMARY]       # the same

Run from the repository root on a machine with a GPU, CuPy (any CUDA version) and pytest
already installed: it installs nothing. Four parts, each time-boxed, each one's failure written
to the summary before the next part starts:
  environment  versions, the GPU, and why tg.cuda.is_available() is False if it is
  tests        the CUDA subset of the test suite (device-parametrized tests on "cuda" only,
               never on the CPU stand-in for CuPy)
  benchmark    benchmarks/gpu_bench.py: tinygrad_edu on CuPy vs hand-written CuPy vs PyTorch
  example      examples/cpu_vs_gpu.py --quick (needs matplotlib and scikit-learn), else a
               short synthetic training run on "cuda"
The default time budget (--budget, seconds) keeps the whole check under 8 minutes.
`--fake` runs everything on the tests' strict CuPy stand-in, with small sizes: a test of this
script on a machine without a GPU (tests/test_gpu_check.py).
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUMMARY = "runs/gpu_check.txt"
SHARES = {"tests": 0.6, "benchmark": 0.25, "example": 0.15}  # of the budget


def run_command(command, timeout, env_extra=None):
    """(ok, output) of a subprocess run from the repository root within `timeout` seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout or b""
        output = output.decode(errors="replace") if isinstance(output, bytes) else output
        return False, f"{output}\n(stopped after {timeout:.0f} s: the time box ran out)"
    return done.returncode == 0, done.stdout + done.stderr


def last_lines(text, count):
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-count:])


# ----- the parts: each returns (ok, details) or raises --------------------------------------
def environment(args, seconds):
    import numpy as np

    import tinygrad_edu as tg

    lines = [f"python {platform.python_version()}, numpy {np.__version__}"]
    if tg.cuda.is_available():
        xp = tg.backend.get_backend("cuda").xp
        runtime = xp.cuda.runtime
        properties = runtime.getDeviceProperties(0)
        name = properties["name"]
        name = name.decode() if isinstance(name, bytes) else name
        version = getattr(xp, "__version__", "stand-in")
        lines.append(f"cupy {version}, {runtime.getDeviceCount()} GPU(s): {name}")
        if hasattr(runtime, "runtimeGetVersion"):
            lines.append(f"CUDA runtime {runtime.runtimeGetVersion()}, "
                         f"driver {runtime.driverGetVersion()}")
    else:
        try:
            tg.zeros(1, device="cuda")
        except RuntimeError as error:
            return False, "\n".join([*lines, f"tg.cuda.is_available() is False: {error}"])
    try:
        import torch
    except ImportError:
        lines.append("torch: not installed (the benchmark compares with hand-written CuPy only)")
    else:
        lines.append(f"torch {torch.__version__}, cuda available: {torch.cuda.is_available()}")
    return True, "\n".join(lines)


def tests(args, seconds):
    command = [sys.executable, "-m", "pytest", "-vv", "-rfE", "-p", "no:cacheprovider",
               "--continue-on-collection-errors", "-k", "cuda"]
    env = {"TG_TEST_DEVICES": "cuda"}
    if args.fake:  # a few files on the stand-in: checks this script, not the GPU
        command += ["tests/test_cuda_backend.py", "tests/test_errors.py"]
    else:
        command += ["tests"]
        env["TG_TEST_REAL_CUDA_ONLY"] = "1"  # a GPU check must never pass on the stand-in
    ok, output = run_command(command, seconds, env)
    lines = output.splitlines()
    # one line per test (-vv: the project's addopts has -q), so a run cut short still counts
    outcomes = {outcome: sum(f" {outcome}" in line for line in lines if "::" in line)
                for outcome in ("PASSED", "FAILED", "SKIPPED", "ERROR")}
    counted = ", ".join(f"{count} {outcome.lower()}" for outcome, count in outcomes.items())
    failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    if not failures:  # cut short before pytest's own summary: the failing lines as they ran
        failures = [line for line in lines if "::" in line and " FAILED" in line]
    return ok, "\n".join([f"tests seen: {counted}", last_lines(output, 1), *failures[:40]])


def benchmark(args, seconds):
    measuring = 1.0 if args.fake else seconds / 2  # the rest: start-up, kernel compilation
    command = [sys.executable, "benchmarks/gpu_bench.py", "--seconds", str(measuring),
               "--json", str(Path(args.summary).with_suffix(".bench.json"))]
    if args.fake:
        command += ["--fake", "--quick"]
    ok, output = run_command(command, seconds)
    table = [line for line in output.splitlines() if line.startswith("|")]
    return ok and "failed" not in "".join(table), "\n".join(table) or last_lines(output, 15)


def example(args, seconds):
    figures = Path(args.summary).parent / "gpu_check_figures"
    command = [sys.executable, "examples/cpu_vs_gpu.py", "--quick", "--out", str(figures)]
    if args.fake:
        command = [sys.executable, "-c", _FAKE_EXAMPLE, *command[1:]]
    ok, output = run_command(command, seconds)
    results = [line for line in output.splitlines() if ": " in line and " " not in
               line.partition(": ")[0]]
    if ok:
        return True, "cpu_vs_gpu --quick:\n" + "\n".join(results)
    if "ModuleNotFoundError" not in output:
        return False, "cpu_vs_gpu --quick failed:\n" + last_lines(output, 15)
    missing = last_lines(output, 1)
    ok, details = synthetic_training(args)
    return ok, f"cpu_vs_gpu --quick could not run ({missing}); instead:\n{details}"


# The example under --fake: the stand-in installed first, then the example's own main().
_FAKE_EXAMPLE = """
import runpy, sys
sys.path[:0] = ["examples", "benchmarks"]
import gpu_bench
gpu_bench.use_stand_in()
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def synthetic_training(args):
    """Three epochs of an MLP on separable synthetic data on "cuda", with train.fit."""
    import numpy as np

    import tinygrad_edu as tg
    from tinygrad_edu import nn, optim
    from tinygrad_edu.data import DataLoader, TensorDataset
    from tinygrad_edu.train import evaluate, fit, make_mlp

    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((10, 32)) * 3
    labels = rng.integers(0, 10, 4000)
    features = (centers[labels] + rng.standard_normal((4000, 32))).astype(np.float32)
    data = TensorDataset(tg.tensor(features, device="cuda"), tg.tensor(labels, device="cuda"))
    model = make_mlp(32, [256, 256], 10).to("cuda")
    start = time.perf_counter()
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
        DataLoader(data, batch_size=128, shuffle=True, seed=0), epochs=3, progress=False,
        log=None)
    seconds = time.perf_counter() - start
    accuracy = evaluate(model, nn.CrossEntropyLoss(), DataLoader(data, batch_size=1000)).accuracy
    return accuracy > 0.9, (f"synthetic 10-class MLP on cuda: accuracy {accuracy:.3f} after 3 "
                            f"epochs, {seconds / 3:.2f} s per epoch")


PARTS = {"environment": environment, "tests": tests, "benchmark": benchmark,
         "example": example}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("summary", nargs="?", default=DEFAULT_SUMMARY,
                        help=f"summary file to write (default: {DEFAULT_SUMMARY})")
    parser.add_argument("--budget", type=float, default=420.0,
                        help="seconds for the whole check (default 420: under 8 minutes)")
    parser.add_argument("--fake", action="store_true",
                        help="no GPU: everything on the tests' CuPy stand-in, small sizes")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    if args.fake:
        import gpu_bench

        gpu_bench.use_stand_in()
    summary = Path(args.summary)
    summary.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    header = (f"tinygrad_edu GPU check, {time.strftime('%Y-%m-%d %H:%M:%S')}"
              f"{' (FAKE: CuPy stand-in, no GPU)' if args.fake else ''}")
    sections, all_ok = [header], True
    for name, part in PARTS.items():
        seconds = args.budget * SHARES.get(name, 0.0)
        part_start = time.perf_counter()
        try:
            ok, details = part(args, max(seconds, 20.0))  # a time box of at least 20 s
        except Exception as error:  # a broken part is reported; the next one still runs
            ok, details = False, f"{type(error).__name__}: {error}"
        all_ok &= ok
        took = time.perf_counter() - part_start
        sections.append(f"[{'ok' if ok else 'FAIL'}] {name} ({took:.0f} s)\n"
                        + "\n".join(f"    {line}" for line in details.splitlines()))
        summary.write_text("\n\n".join(sections) + "\n")  # written as it goes
    sections.append(f"total {time.perf_counter() - started:.0f} s: "
                    f"{'all parts ok' if all_ok else 'some parts FAILED'}")
    summary.write_text("\n\n".join(sections) + "\n")
    print(summary.read_text())
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
