"""The benchmark script still runs, and its models agree: a smoke test, not a timing."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench  # noqa: E402


def test_both_mlps_compute_the_same_first_loss():
    weights = bench.initial_weights(0)
    (x, y), = bench.synthetic_data(16, 1)
    ours = bench.Ours(weights, "cpu")
    by_hand = bench.NumPyByHand(weights, "cpu")
    first_ours = ours.step(*ours.batches(x, y)).item()
    first_by_hand = float(by_hand.step(*by_hand.batches(x, y)))
    assert np.isclose(first_ours, first_by_hand, rtol=1e-5)
    second_ours = ours.step(*ours.batches(x, y)).item()
    second_by_hand = float(by_hand.step(*by_hand.batches(x, y)))
    assert np.isclose(second_ours, second_by_hand, rtol=1e-4)  # the updates agree too
    assert ours.gradient_dtypes() == {"float32"}


def test_each_measurement_reports_every_framework():
    rates, ratios = bench.throughput(16, rounds=2, steps_per_round=2, device="cpu")
    assert {"tinygrad_edu", "hand-written"} <= set(rates) == set(ratios)
    assert all(rate > 0 for rate in rates.values()) and ratios["hand-written"] == 1.0
    assert bench.per_op_overhead(1, "cpu", length=20)["tinygrad_edu"] > 0
    peaks = bench.peak_memory(16, 3)
    assert peaks["tinygrad_edu"] > 0 and peaks["hand-written"] > 0


def test_the_three_lenets_take_the_same_steps():
    import bench_cnn

    weights = bench_cnn.initial_weights(0)
    batches = bench_cnn.synthetic_data(2)
    runners = [make(weights) for make in bench_cnn.frameworks()]
    losses = {runner.name: [runner.step(*runner.batches(x, y)).item() for x, y in batches]
              for runner in runners}
    expected = losses["hand-written"]
    assert expected[1] != expected[0]
    for name, values in losses.items():
        np.testing.assert_allclose(values, expected, rtol=1e-4, err_msg=name)


def test_the_cnn_benchmark_reports_every_framework():
    import bench_cnn

    seconds, ratios = bench_cnn.step_times(rounds=1, steps_per_round=1)
    assert set(seconds) == set(ratios) >= {"tinygrad_edu", "hand-written"}
    assert all(value > 0 for value in seconds.values())
