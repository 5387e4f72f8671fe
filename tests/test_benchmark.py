"""The benchmark computes what it claims and its script still runs: checks, not timings."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bare_engine  # noqa: E402
import bench  # noqa: E402
from op_chain import ArrayCallsChain, EngineChain, ScalarChain  # noqa: E402

import tinygrad_edu as tg  # noqa: E402


def test_numpy_floor_computes_the_models_loss_and_gradients():
    weights = bench.initial_weights(0)
    (x, y), = bench.synthetic_data(16, 1)
    ours = bench.Ours(weights, "cpu")
    floor = bench.NumPyFloor(weights, "cpu")
    loss = ours.loss_and_gradients(*ours.batches(x, y)).item()
    assert np.isclose(float(floor.mlp.loss_and_gradients(x, y)), loss, rtol=1e-5)
    for param, grad in zip(ours.model.parameters(), floor.mlp.grads, strict=True):
        np.testing.assert_allclose(grad, param.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_numpy_floor_trains_as_the_model_does():
    weights = bench.initial_weights(0)
    ours = bench.Ours(weights, "cpu")
    floor = bench.NumPyFloor(weights, "cpu")
    for x, y in bench.synthetic_data(16, 3) + bench.synthetic_data(8, 2, seed=2):
        loss = ours.step(*ours.batches(x, y)).item()  # batch sizes change: buffers per size
        assert np.isclose(float(floor.step(x, y)), loss, rtol=1e-4)
    for param, value in zip(ours.model.parameters(), floor.mlp.params, strict=True):
        np.testing.assert_allclose(value, param.numpy(), rtol=1e-4, atol=1e-6)
    assert ours.gradient_dtypes() == {"float32"}


def test_every_op_chain_computes_the_same_gradient():
    ours = EngineChain("tinygrad_edu", lambda a: tg.tensor(a, requires_grad=True))
    expected = ours.run(20).numpy()
    bare = EngineChain("bare array engine", lambda a: bare_engine.Tensor(a, requires_grad=True))
    np.testing.assert_allclose(bare.run(20).numpy(), expected, rtol=1e-5)
    for runner in (ScalarChain(), ArrayCallsChain(np)):
        np.testing.assert_allclose(runner.run(20), expected, rtol=1e-5)
    torch = pytest.importorskip("torch")
    in_torch = EngineChain("pytorch", lambda a: torch.tensor(a, requires_grad=True))
    np.testing.assert_allclose(in_torch.run(20).numpy(), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="multiple of 4"):
        ScalarChain().run(10)


def test_quick_run_reports_every_measurement(tmp_path):
    path = tmp_path / "results.json"
    results = bench.main(["--quick", "--json", str(path)])
    assert json.loads(path.read_text()) == json.loads(json.dumps(results))
    micros = results["per_op"]["us_per_op"]
    assert {"tinygrad_edu", "bare array engine", "scalar engine", "NumPy calls only"} <= set(micros)
    assert all(value > 0 for value in micros.values())
    for batch_size in (64, 512):
        step = results["mlp_step"][batch_size]
        assert {"tinygrad_edu", "NumPy floor"} <= set(step["ms_per_step"])
        assert step["time_vs_floor"]["NumPy floor"] == 1.0
    assert results["peak_memory_bytes"]["tinygrad_edu"] > 0


def test_lstm_benchmark_runs_the_same_model_in_both_frameworks():
    import bench_lstm

    ours, step = bench_lstm.make_ours()
    loss = step().item()
    assert np.isfinite(loss) and ours.weight_ih_l0.grad is not None
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    _, torch_step = bench_lstm.make_torch(ours)
    assert np.isclose(loss, torch_step().item(), rtol=1e-5)
    assert set(bench_lstm.interleaved_medians({"ours": step}, rounds=1)) == {"ours"}


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


def test_interleaved_rounds_go_through_every_order_and_stop_at_the_deadline():
    import harness

    calls = []
    tasks = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = harness.interleaved(tasks, rounds=6)
    orders = {"".join(calls[i:i + 3]) for i in range(0, 18, 3)}
    assert orders == {"abc", "acb", "bac", "bca", "cab", "cba"}
    assert {name: len(values) for name, values in times.items()} == {"a": 6, "b": 6, "c": 6}
    times = harness.interleaved(tasks, rounds=30, seconds=0.0, min_rounds=3)
    assert all(len(values) == 3 for values in times.values())
    ratios = harness.ratios_to({"a": [1.0, 4.0, 2.0], "b": [2.0, 2.0, 2.0]}, "b")
    assert ratios == {"a": 1.0, "b": 1.0}
    assert harness.medians({"a": [1.0, 4.0, 2.0]}, scale=10) == {"a": 20.0}


def test_compare_engines_runs_another_revision_beside_the_working_tree(tmp_path):
    if not (Path(bench.__file__).resolve().parent.parent / ".git").exists():
        pytest.skip("needs the git repository")
    import compare_engines

    name, package = compare_engines.import_revision("HEAD", str(tmp_path))
    assert name == "tinygrad_edu_HEAD" and package is not tg
    theirs = EngineChain(name, lambda a: package.tensor(a, requires_grad=True))
    ours = EngineChain("tinygrad_edu", lambda a: tg.tensor(a, requires_grad=True))
    np.testing.assert_allclose(theirs.run(8).numpy(), ours.run(8).numpy(), rtol=1e-6)
    results = compare_engines.compare({name: package, "tinygrad_edu": tg}, rounds=1)
    assert len(results) == 3
    for ratios in results.values():
        assert set(ratios) >= {name, "tinygrad_edu"} and all(r > 0 for r in ratios.values())
