"""benchmarks/gpu_check.py, run on the CuPy stand-in: every part reported, a failure recorded
and the check carried on. (On a GPU machine the same script runs for real.)"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import gpu_bench  # noqa: E402
import gpu_check  # noqa: E402

import tinygrad_edu as tg  # noqa: E402

pytestmark = pytest.mark.skipif("cuda" not in tg.available_devices(),
                                reason="needs a cuda device or the stand-in")


def broken_tests(args, seconds):
    raise RuntimeError("pytest could not start")


@pytest.mark.slow  # about 10 s: the benchmark and the example run in subprocesses
def test_fake_check_reports_every_part_and_survives_a_broken_one(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    monkeypatch.setitem(gpu_check.PARTS, "tests", broken_tests)  # the slowest part, broken
    summary = tmp_path / "check" / "summary.txt"
    status = gpu_check.main([str(summary), "--fake", "--budget", "20"])
    text = summary.read_text()
    assert status == 1 and "some parts FAILED" in text
    assert "[FAIL] tests" in text and "RuntimeError: pytest could not start" in text
    assert "[ok] environment" in text and "stand-in" in text
    assert "[ok] benchmark" in text and "| tinygrad_edu |" in text
    assert "hand-written CuPy" in text
    assert "[ok] example" in text and "cuda_test_accuracy" in text
    assert (tmp_path / "check" / "summary.bench.json").exists()


def test_benchmark_frameworks_agree_on_the_first_loss():
    report = gpu_bench.run(seconds=0.5, quick=True)
    for batches in report.values():
        for results in batches.values():
            losses = {name: result["first_loss"] for name, result in results.items()}
            assert set(losses) >= {"tinygrad_edu", "hand-written CuPy"}, results
            assert max(losses.values()) - min(losses.values()) < 1e-4, losses
            assert all(result["ms_per_step"] > 0 for result in results.values())
