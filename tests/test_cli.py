"""The `tinygrad-edu train` command: outputs written, runs reproducible, bad arguments refused."""

import gzip
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from test_data import fake_mnist, idx_bytes, serve, server  # noqa: F401 (a local HTTP server)

import tinygrad_edu as tg
from tinygrad_edu import cli
from tinygrad_edu.data.datasets import mnist
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


def test_train_runs_on_every_device(tmp_path, device):
    pytest.importorskip("sklearn")
    _, metrics = train(tmp_path, "--device", device, "--optimizer", "sgd", "--lr", "0.1")
    assert metrics["settings"]["device"] == device
    assert 0.25 < metrics["test_accuracy"] <= 1.0
    assert all(np.isfinite(metrics["history"]["train_loss"]))


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
    assert "(36 train, 4 validation, 10 test)" in capsys.readouterr().out


@pytest.mark.parametrize("arguments, message", [
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--batch-size", "-3"], "--batch-size must be at least 1"),
    (["--lr", "0"], "--lr must be a positive finite number"),
    (["--lr", "inf"], "--lr must be a positive finite number"),
    (["--lr", "nan"], "--lr must be a positive finite number"),
    (["--data-dir", "."], "--data-dir is for --dataset mnist; got --dataset digits"),
    (["--download"], "--download is for --dataset mnist"),
    (["--device", "cuda:1"], "runs on one GPU, cuda (or cuda:0)"),
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
    assert_one_line_train_error(capsys.readouterr().err, message)


def assert_one_line_train_error(err, message):
    """argparse's form: `train`'s usage, then exactly one `tinygrad-edu train: error:` line."""
    assert err.startswith("usage: tinygrad-edu train ")
    error_lines = [line for line in err.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and error_lines[0].startswith("tinygrad-edu train: error: ")
    assert err.splitlines()[-1] == error_lines[0] and message in error_lines[0]
    assert "Traceback" not in err


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


@pytest.mark.usefixtures("default_device")
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


# ----- user errors in the data and the outputs: one line, exit status 2, no run folder -------
def refused(tmp_path, capsys, *options):
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", *QUICK, "--out", str(out), *options])
    assert exit_info.value.code == 2
    assert not out.exists()
    return capsys.readouterr().err


def test_missing_mnist_files_are_one_line_and_suggest_download(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    err = refused(tmp_path, capsys, "--dataset", "mnist", "--data-dir", str(tmp_path / "empty"))
    assert_one_line_train_error(err, "t10k-images-idx3-ubyte")
    assert "add --download" in err


def test_corrupt_mnist_files_are_one_line(tmp_path, capsys):
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    err = refused(tmp_path, capsys, "--dataset", "mnist", "--data-dir", str(tmp_path))
    assert_one_line_train_error(err, "corrupt gzip file")


def test_out_naming_an_existing_file_is_refused(tmp_path, capsys):
    (tmp_path / "taken").write_text("keep me")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", *QUICK, "--out", str(tmp_path / "taken")])
    assert exit_info.value.code == 2
    assert_one_line_train_error(capsys.readouterr().err, "exists and is not a folder")
    assert (tmp_path / "taken").read_text() == "keep me"


def test_an_out_folder_that_cannot_be_made_is_one_line(tmp_path, capsys):
    pytest.importorskip("sklearn")
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", *QUICK, "--out", str(tmp_path / "file" / "run")])
    assert exit_info.value.code == 2
    assert_one_line_train_error(capsys.readouterr().err, f"--out {tmp_path / 'file' / 'run'}: ")
    assert os.listdir(tmp_path) == ["file"]


def test_missing_scikit_learn_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    err = refused(tmp_path, capsys)
    assert_one_line_train_error(err, "Digits needs scikit-learn: pip install scikit-learn")


def test_cuda_0_is_the_name_of_the_gpu(capsys):
    if "cuda" in tg.available_devices():
        assert cli.device_name(cli.build_parsers()[1], "cuda:0") == "cuda"
        return
    with pytest.raises(SystemExit):
        cli.main(["train", "--device", "cuda:0"])
    err = capsys.readouterr().err
    assert_one_line_train_error(err, "--device cuda:0: device 'cuda' ")
    assert "unknown device" not in err


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_a_diverging_run_stops_with_a_clear_message(tmp_path, capsys):
    pytest.importorskip("sklearn")
    out = tmp_path / "run"
    status = cli.main(["train", *QUICK, "--out", str(out), "--optimizer", "sgd", "--lr", "1e30"])
    assert status == 1 and not out.exists()
    captured = capsys.readouterr()
    assert "epoch 2/2" not in captured.out
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("tinygrad-edu train: error: fit: epoch 1: the training loss became")
    assert "smaller learning rate" in last


def test_mnist_download_from_the_command_line(server, tmp_path, capsys, monkeypatch):  # noqa: F811
    base, files = server
    checksums = {}
    for part, count in (("train", 30), ("t10k", 10)):
        images, labels = fake_mnist(count=count)
        for kind, payload in (("images-idx3", idx_bytes(images, 2051)),
                              ("labels-idx1", idx_bytes(labels, 2049))):
            name = f"{part}-{kind}-ubyte.gz"
            checksums[name] = serve(files, "mnist", name, gzip.compress(payload))
    monkeypatch.setattr(mnist, "MIRRORS", [f"{base}/mnist/"])
    monkeypatch.setattr(mnist, "MD5", {**mnist.MD5, **checksums})
    data = tmp_path / "data"
    _, metrics = train(tmp_path, "--dataset", "mnist", "--data-dir", str(data), "--download")
    assert sorted(os.listdir(data)) == sorted(checksums)
    assert metrics["dataset"] == "MNIST 30 train / 10 test"
    assert "(27 train, 3 validation, 10 test)" in capsys.readouterr().out
    # a file that fails its checksum: one line, nothing kept, no run folder
    monkeypatch.setattr(mnist, "MD5", {**mnist.MD5, "t10k-images-idx3-ubyte.gz": "0" * 32})
    (tmp_path / "second").mkdir()
    err = refused(tmp_path / "second", capsys, "--dataset", "mnist", "--data-dir",
                  str(tmp_path / "other"), "--download")
    assert_one_line_train_error(err, "could not download t10k-images-idx3-ubyte.gz")
    assert "MD5 mismatch" in err and os.listdir(tmp_path / "other") == []


# ----- help, version, progress bars ----------------------------------------------------------
def test_version_and_defaults_in_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tinygrad-edu {tg.__version__}"
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for option, default in (("--epochs EPOCHS", "20"), ("--batch-size BATCH_SIZE", "32"),
                            ("--optimizer", "adam"), ("--device DEVICE", "cpu"),
                            ("--seed SEED", "0")):
        after = text.split(option, 2)[-1]
        assert f"(default: {default})" in after.split(" --")[0], option


def test_progress_bars_stay_on_a_terminal_and_are_off_in_a_log(monkeypatch):
    pytest.importorskip("tqdm")
    from tinygrad_edu.train import _progress_bar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress_bar(True, 3, "epoch 1/1") as bar:
        assert not bar.disable
        bar.update(3)
    shown = terminal.getvalue()
    assert shown.endswith("\n") and "3/3" in shown.split("\r")[-1]  # left, not erased
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    with _progress_bar(True, 3, "epoch 1/1") as bar:
        bar.update(3)
    assert log.getvalue() == ""


def test_a_redirected_run_writes_whole_lines_only(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "train", "--epochs", "2", "--hidden", "8",
         "--out", str(tmp_path / "run")], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "\r" not in result.stdout
    assert "epoch 2/2  train loss" in result.stdout and "validation loss" in result.stdout
