"""The `tinygrad-edu train` command: outputs written, runs reproducible, bad arguments refused."""

import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import cli
from tinygrad_edu.data.datasets.mnist import IMAGE_MAGIC, LABEL_MAGIC

pytest.importorskip("matplotlib")

QUICK = ["--epochs", "2", "--hidden", "16", "--no-progress"]


def train(tmp_path, *options, folder="run"):
    out = tmp_path / folder
    assert cli.main(["train", *QUICK, "--out", str(out), *options]) == 0
    with open(out / "metrics.json") as file:
        return out, json.load(file)


def test_train_writes_its_outputs(tmp_path, capsys):
    pytest.importorskip("sklearn")
    out, metrics = train(tmp_path)
    printed = capsys.readouterr().out
    assert "epoch 2/2" in printed and "test accuracy:" in printed
    assert 0.25 < metrics["test_accuracy"] <= 1.0  # well above chance (0.1) after 2 epochs
    assert len(metrics["history"]["train_loss"]) == 2
    assert metrics["settings"]["optimizer"] == "adam" and metrics["settings"]["lr"] == 1e-3
    assert (out / "curves.png").stat().st_size > 0
    assert (out / "graph.svg").exists() or (out / "graph.dot").exists()
    weights = tg.load(out / "model.npz")
    assert weights["0.weight"].shape == (16, 64) and weights["2.weight"].shape == (10, 16)
    assert weights["0.weight"].dtype == tg.float32


def test_same_seed_same_run(tmp_path):
    pytest.importorskip("sklearn")
    _, first = train(tmp_path, "--optimizer", "momentum", folder="a")
    _, second = train(tmp_path, "--optimizer", "momentum", folder="b")
    _, other = train(tmp_path, "--optimizer", "momentum", "--seed", "1", folder="c")
    for run in (first, second, other):
        del run["history"]["epoch_seconds"]  # the only thing allowed to differ
    assert first["history"] == second["history"]
    assert first["test_accuracy"] == second["test_accuracy"]
    assert first["history"] != other["history"]


def test_train_a_cnn(tmp_path, capsys):
    pytest.importorskip("sklearn")
    out, metrics = train(tmp_path, "--model", "cnn", "--epochs", "1")
    assert metrics["settings"]["model"] == "cnn"
    assert metrics["test_accuracy"] > 0.5  # one epoch on 1,437 digits
    weights = tg.load(str(out / "model.npz"))
    assert weights["1.weight"].shape == (16, 1, 5, 5)  # after the Unflatten: the first conv
    assert "running_mean" in " ".join(weights)
    assert "Conv2d(1, 16, kernel_size=(5, 5)" in capsys.readouterr().out


def write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as file:
        file.write(header + array.astype(np.uint8).tobytes())


def test_mnist_with_only_the_t10k_files(tmp_path, capsys):
    rng = np.random.default_rng(0)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (50, 28, 28)),
              IMAGE_MAGIC)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(50) % 10, LABEL_MAGIC)
    _, metrics = train(tmp_path, "--dataset", "mnist", "--data-dir", str(tmp_path),
                       "--optimizer", "sgd")
    assert "t10k files only: 40 train / 10 test" in metrics["dataset"]
    assert "(40 train, 10 test)" in capsys.readouterr().out


@pytest.mark.parametrize("arguments, message", [
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--batch-size", "-3"], "--batch-size must be at least 1"),
    (["--lr", "0"], "--lr must be positive"),
    (["--hidden", "16", "0"], "--hidden sizes must be at least 1"),
    (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["--dataset", "mnist"], "--dataset mnist needs --data-dir"),
    (["--dataset", "mnist", "--data-dir", "/no/such/folder"], "no such folder"),
    (["--device", "tpu"], "unknown device 'tpu'"),
    (["--epochs", "two"], "invalid int value: 'two'"),
])
def test_bad_arguments_are_refused(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", *arguments])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_python_dash_m_entry_point():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu", "train", "--help"], cwd=root,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "--optimizer" in result.stdout and "--data-dir" in result.stdout


def test_without_graphviz_the_dot_file_is_written(tmp_path, capsys, monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` to be found
    out, _ = train(tmp_path)
    assert (out / "graph.dot").read_text().startswith("digraph")
    assert not (out / "graph.svg").exists()
    assert "install Graphviz" in capsys.readouterr().out


def test_fit_steps_the_scheduler_once_per_epoch_and_evaluate_keeps_the_mode():
    from tinygrad_edu import nn, optim
    from tinygrad_edu.data import DataLoader, TensorDataset
    from tinygrad_edu.train import evaluate, fit, make_mlp

    tg.manual_seed(0)
    data = TensorDataset(tg.randn(40, 5), tg.randint(0, 3, (40,)))
    model = make_mlp(5, [8], 3)
    optimizer = optim.SGD(model.parameters(), lr=0.4)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, DataLoader(data, batch_size=8),
                  epochs=3, scheduler=scheduler, progress=False, log=None)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05)
    assert len(history.train_loss) == 3 and history.val_loss == []
    plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    fit(model, nn.CrossEntropyLoss(), optimizer, DataLoader(data, batch_size=8), epochs=1,
        val_loader=DataLoader(data, batch_size=40), scheduler=plateau, progress=False, log=None)
    model.train()
    result = evaluate(model, nn.CrossEntropyLoss(), DataLoader(data, batch_size=16))
    assert model.training and 0.0 <= result.accuracy <= 1.0
