"""tg.save / tg.load: exact paths, dtypes and shapes kept, atomic writes, no pickle."""

import os
import pickle

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


def test_round_trip_keeps_names_dtypes_shapes_and_values(tmp_path):
    state = {
        "weight": tg.randn(3, 4),
        "double": tg.randn(2, dtype=tg.float64),
        "count": tg.tensor(7),
        "mask": tg.tensor([True, False]),
        "scalar": tg.tensor(1.5),
        "file": tg.zeros(1),  # a name np.savez's keywords could not take
    }
    path = tmp_path / "checkpoint"
    tg.save(state, path)
    assert os.listdir(tmp_path) == ["checkpoint"]  # exactly `path`, no extension, no temp file
    loaded = tg.load(path)
    assert list(loaded) == list(state)
    for name, value in state.items():
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape
        np.testing.assert_array_equal(loaded[name].numpy(), value.numpy())
        assert not loaded[name].requires_grad


def test_module_state_round_trip_restores_outputs(tmp_path, device):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 2))
    model(tg.randn(8, 4))
    model.eval()
    tg.save(model.state_dict(), tmp_path / "model.bin")
    copy = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 2))
    copy.load_state_dict(tg.load(tmp_path / "model.bin", device=device))
    copy.to(device).eval()
    x = tg.randn(3, 4)
    np.testing.assert_allclose(copy(x.to(device)).numpy(), model(x).numpy(), rtol=1e-6)
    assert tg.load(tmp_path / "model.bin", device=device)["0.weight"].device == device


def test_saving_over_an_existing_file_replaces_it(tmp_path):
    path = tmp_path / "state.npz"
    tg.save({"a": tg.zeros(2)}, path)
    tg.save({"b": tg.ones(3)}, path)
    assert list(tg.load(path)) == ["b"]
    assert os.listdir(tmp_path) == ["state.npz"]


def test_a_failed_save_leaves_no_file(tmp_path):
    with pytest.raises(TypeError, match="save: 'bad' must be a Tensor or a numeric array"):
        tg.save({"good": tg.zeros(1), "bad": "text"}, tmp_path / "state")
    with pytest.raises(TypeError, match="keys must be strings"):
        tg.save({1: tg.zeros(1)}, tmp_path / "state")
    assert os.listdir(tmp_path) == []


def test_truncated_file_is_a_clear_error(tmp_path):
    path = tmp_path / "state"
    tg.save({"weight": tg.randn(100, 100)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="load: .* (is not|is damaged)"):
        tg.load(path)


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_pickles_are_refused_never_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": _Exploit()}))
    with pytest.raises(ValueError, match="load: .* is not a state dict"):
        tg.load(path)
    np.save(tmp_path / "objects.npy", np.array([_Exploit()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="load"):
        tg.load(tmp_path / "objects.npy")
    assert not (tmp_path / "pwned").exists()


def test_foreign_files_are_clear_errors(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="load: .* is not a state dict"):
        tg.load(text)
    single = tmp_path / "array.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match="single .npy array"):
        tg.load(single)
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "missing")
