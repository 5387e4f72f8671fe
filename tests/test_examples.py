"""Every example runs in --quick mode and the numbers it prints make its point."""

import importlib
import math
import os
import sys
import time

import pytest

pytestmark = pytest.mark.usefixtures("default_device")  # every test on every device

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def run_example(name, tmp_path, capsys):
    """Run examples/<name>.py with --quick, figures into tmp_path; its `key: value` lines as a
    dict of strings. Also checks that every figure it reported exists."""
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    module = importlib.import_module(name)
    module.main(["--quick", "--out", str(tmp_path)])
    results, figures = {}, []
    for line in capsys.readouterr().out.splitlines():
        key, separator, value = line.partition(": ")
        if separator:
            results[key] = value
            if key == "figure":
                figures.append(value)
    assert figures, f"{name} saved no figure"
    for path in figures:
        assert os.path.dirname(path) == str(tmp_path) and os.path.getsize(path) > 0
    return results


def number(results, key):
    return float(results[key])


def test_lr_regimes(tmp_path, capsys):
    r = run_example("lr_regimes", tmp_path, capsys)
    assert number(r, "curvature") == pytest.approx(4.0)
    assert number(r, "eta_opt") == pytest.approx(0.25)
    assert r["slow_loss_decreasing"] == "True" and number(r, "slow_overshoots") == 0
    assert number(r, "slow_final_loss") < 1e-3 * number(r, "slow_initial_loss")
    assert number(r, "optimal_final_loss") < 1e-12
    assert number(r, "oscillating_overshoots") >= 5
    assert number(r, "oscillating_final_loss") < number(r, "oscillating_initial_loss")
    assert r["diverging_loss_decreasing"] == "False"
    assert number(r, "diverging_final_loss") > 10 * number(r, "diverging_initial_loss")


def test_optimizer_paths(tmp_path, capsys):
    r = run_example("optimizer_paths", tmp_path, capsys)
    assert all(math.isfinite(float(value)) for key, value in r.items() if key.endswith("_gap"))
    assert number(r, "quadratic_newton_gap") < 1e-12  # exact on a quadratic
    assert number(r, "rosenbrock_newton_gap") < 1e-8
    assert number(r, "rosenbrock_sgd_gap") > 1.0  # still crawling along the valley
    assert number(r, "rosenbrock_momentum_gap") < number(r, "rosenbrock_sgd_gap")
    assert number(r, "saddle_newton_gap") < 1e-8  # the safeguard escapes the saddle
    assert number(r, "saddle_quickprop_gap") == pytest.approx(1.0, abs=1e-3)  # stuck on it
    assert number(r, "saddle_adam_gap") < 0.1


def test_batch_vs_minibatch(tmp_path, capsys):
    r = run_example("batch_vs_minibatch", tmp_path, capsys)
    assert number(r, "batch_steps") < number(r, "minibatch_steps") < number(r, "stochastic_steps")
    assert (number(r, "stochastic_final_loss") < number(r, "minibatch_final_loss")
            < number(r, "batch_final_loss"))
    sweep = {float(key[len("sweep_lr_"):-len("_final_loss")]): float(value)
             for key, value in r.items() if key.startswith("sweep_lr_")}
    best = number(r, "sweep_best_lr")
    assert min(sweep) < best < max(sweep)  # too small and too large both lose
    assert sweep[min(sweep)] > sweep[best] and sweep[max(sweep)] > sweep[best]


def test_perceptron_vs_backprop(tmp_path, capsys):
    r = run_example("perceptron_vs_backprop", tmp_path, capsys)
    assert number(r, "perceptron_train_accuracy") == 1.0
    assert r["perceptron_spoiler_correct"] == "True"
    assert r["backprop_spoiler_correct"] == "False"
    assert number(r, "backprop_train_accuracy") == pytest.approx(40 / 41)  # all but the spoiler
    assert number(r, "backprop_spoiler_output") > 0.99  # confidently wrong: saturated
    assert number(r, "backprop_spoiler_error_signal") < 1e-6


def test_vanishing_gradients(tmp_path, capsys):
    with pytest.warns(UserWarning, match="vanishing"):
        r = run_example("vanishing_gradients", tmp_path, capsys)
    ratios = {name: number(r, f"{name}_first_to_last_ratio")
              for name in ("sigmoid_2", "sigmoid_3", "sigmoid_4", "relu_4", "sigmoid_batchnorm_4")}
    assert ratios["sigmoid_4"] < ratios["sigmoid_3"] < ratios["sigmoid_2"] < 0.2
    assert ratios["relu_4"] > 10 * ratios["sigmoid_4"]
    assert ratios["sigmoid_batchnorm_4"] > 10 * ratios["sigmoid_4"]
    norms = [number(r, f"sigmoid_4_layer{i}_grad_norm") for i in range(1, 6)]
    assert norms == sorted(norms)  # shrinking on the way back to the input


def test_babysitting(tmp_path, capsys):
    r = run_example("babysitting", tmp_path, capsys)
    assert abs(number(r, "initial_loss") - math.log(10)) < 0.1
    assert number(r, "tiny_subset_train_accuracy") == 1.0
    assert number(r, "tiny_subset_final_loss") < 0.05
    assert number(r, "final_validation_accuracy") > 0.8


def test_hyperparameter_search(tmp_path, capsys):
    r = run_example("hyperparameter_search", tmp_path, capsys)
    for name, (low, high) in (("lr", (-4, 0)), ("weight_decay", (-6, -1))):
        fine_low, fine_high = (float(x) for x in r[f"fine_{name}_exponents"].split(" .. "))
        assert low <= fine_low < fine_high <= high and fine_high - fine_low <= 1.0 + 1e-3
        best = math.log10(number(r, f"fine_best_{name}"))
        assert fine_low - 1e-3 <= best <= fine_high + 1e-3
    assert number(r, "coarse_best_accuracy") > 0.5
    assert number(r, "fine_worst_accuracy") > number(r, "coarse_worst_accuracy")


def test_dropout_batchnorm(tmp_path, capsys):
    start = time.process_time()
    r = run_example("dropout_batchnorm", tmp_path, capsys)
    assert time.process_time() - start < 5.0  # CPU seconds: 2.4 here, 10 with 256-wide layers
    assert number(r, "no_dropout_train_accuracy") == 1.0  # the small set is memorized
    assert number(r, "dropout_loss_gap") < number(r, "no_dropout_loss_gap")
    assert (number(r, "batchnorm_final_train_loss")
            < 0.75 * number(r, "no_batchnorm_final_train_loss"))
    assert (number(r, "batchnorm_final_validation_accuracy")
            > number(r, "no_batchnorm_final_validation_accuracy") + 0.3)


def test_newton_vs_gd(tmp_path, capsys):
    r = run_example("newton_vs_gd", tmp_path, capsys)
    assert r["newton_converged"] == "True"
    assert number(r, "newton_iterations") <= 10
    assert r["gd_converged"] == "False"  # not within the quick run's 300 iterations
    assert number(r, "gd_final_gradient_norm") > 100 * number(r, "newton_final_gradient_norm")


def test_cpu_vs_gpu(tmp_path, capsys):
    import tinygrad_edu as tg

    r = run_example("cpu_vs_gpu", tmp_path, capsys)
    assert r["cuda_available"] == str(tg.cuda.is_available())
    assert number(r, "cpu_seconds_per_epoch") > 0
    assert number(r, "cpu_test_accuracy") > 0.5
    if tg.cuda.is_available():
        assert number(r, "cuda_test_accuracy") > 0.5
        assert number(r, "cuda_seconds_per_epoch") > 0


def test_batch_vs_minibatch_writes_its_page_from_the_same_run(tmp_path, capsys):
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    module = importlib.import_module("batch_vs_minibatch")
    page = tmp_path / "page.md"
    module.main(["--quick", "--out", str(tmp_path), "--page", str(page)])
    printed = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    text = page.read_text()
    for name in ("batch", "minibatch", "stochastic"):
        steps = int(printed[f"{name}_steps"])
        loss = float(printed[f"{name}_final_loss"])
        assert f"| {name} | " in text and f"| {steps:,} | {loss:.3f} |" in text
    for key, value in printed.items():
        if key.startswith("sweep_lr_"):
            lr = key[len("sweep_lr_"):-len("_final_loss")]
            assert f"| {lr} | {float(value):.3f} |" in text
    assert "lowest at lr " + f"{float(printed['sweep_best_lr']):.3g}" in text
    assert "../images/examples/batch_vs_minibatch.png" in text


def test_char_lm(tmp_path, capsys):
    pytest.importorskip("names")
    r = run_example("char_lm", tmp_path, capsys)
    uniform = number(r, "uniform_loss")
    assert uniform == pytest.approx(math.log(27))
    assert number(r, "train_names") + number(r, "heldout_names") == number(r, "names")
    for model in ("mlp", "lstm", "transformer"):
        assert number(r, f"{model}_heldout_loss") < uniform - 0.8  # far below guessing
        samples = r[f"{model}_samples"].split(" ")
        assert len(samples) == 8 and all(s.isalpha() and s.islower() for s in samples if s)


def test_vanishing_through_time(tmp_path, capsys):
    r = run_example("vanishing_through_time", tmp_path, capsys)
    rnn, lstm = number(r, "tanh_rnn_first_to_last_ratio"), number(r, "lstm_first_to_last_ratio")
    open_lstm = number(r, "lstm_forget_bias_1_first_to_last_ratio")
    assert rnn < 1e-8  # many orders of magnitude over 50 steps
    assert lstm > rnn and open_lstm > 1e4 * rnn
    steps = [number(r, f"tanh_rnn_step{t}_grad_norm") for t in (1, 10, 25, 40, 50)]
    assert steps == sorted(steps)  # shrinking on the way back in time


def test_cnn_digits(tmp_path, capsys):
    r = run_example("cnn_digits", tmp_path, capsys)
    assert number(r, "cnn_test_accuracy") > 0.7  # 600 training digits, 2 epochs
    assert number(r, "cnn_test_accuracy") > number(r, "mlp_test_accuracy")
    assert number(r, "cnn_parameters") > 0 and number(r, "mlp_parameters") > 0
    saved = set(os.listdir(tmp_path))
    assert {"cnn_filters.png", "cnn_feature_maps.png"} <= saved
    assert saved & {"cnn_conv_block_graph.png", "cnn_conv_block_graph.dot"}
    assert 0 <= number(r, "predicted") <= 9
