"""tg.save / tg.load: exact paths, dtypes and shapes kept, atomic writes, no pickle."""

import io
import os
import pickle
import signal
import stat
import subprocess
import sys
import zipfile

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


# ----- temporary files, modes, links ---------------------------------------------------------
def _interrupted(tmp_path, monkeypatch):
    from tinygrad_edu import serialization

    def interrupted_write(file, arrays):
        file.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "write_npz", interrupted_write)


def test_an_interrupted_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    tg.save({"old": tg.ones(2)}, tmp_path / "state")
    _interrupted(tmp_path, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        tg.save({"new": tg.zeros(2)}, tmp_path / "state")
    assert os.listdir(tmp_path) == ["state"]
    monkeypatch.undo()
    assert list(tg.load(tmp_path / "state")) == ["old"]


def test_a_save_killed_mid_write_leaves_a_temporary_the_next_save_removes(tmp_path):
    script = (
        "import os, signal, sys\n"
        "import tinygrad_edu as tg\n"
        "from tinygrad_edu import serialization\n"
        "def killed(file, arrays):\n"
        "    file.write(b'x' * 1000); file.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "serialization.write_npz = killed\n"
        "tg.save({'a': tg.zeros(2)}, sys.argv[1])\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "state")],
                            cwd=os.getcwd(), capture_output=True)
    assert result.returncode == -signal.SIGKILL
    leftovers = os.listdir(tmp_path)
    assert len(leftovers) == 1 and leftovers[0].startswith(".state.tmp-")
    (tmp_path / ".other.tmp-1-ab").write_bytes(b"not ours")  # another target's: left alone
    tg.save({"a": tg.ones(2)}, tmp_path / "state")
    assert sorted(os.listdir(tmp_path)) == [".other.tmp-1-ab", "state"]
    np.testing.assert_array_equal(tg.load(tmp_path / "state")["a"].numpy(), [1, 1])


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saving_keeps_the_mode_of_an_existing_file_and_uses_the_umask_for_a_new_one(tmp_path):
    private = tmp_path / "private"
    tg.save({"a": tg.zeros(1)}, private)
    os.chmod(private, 0o600)
    tg.save({"a": tg.ones(1)}, private)
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    mask = os.umask(0o027)
    try:
        tg.save({"a": tg.zeros(1)}, tmp_path / "new")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o640
    with open(tmp_path / "opened", "wb"):  # what open() (PyTorch's save) gives under one umask
        pass
    assert (stat.S_IMODE(os.stat(tmp_path / "opened").st_mode)
            == stat.S_IMODE(os.stat(tmp_path / "private").st_mode) | 0o044 & ~mask)


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_saving_through_a_symlink_writes_its_target(tmp_path):
    (tmp_path / "models").mkdir()
    real = tmp_path / "models" / "real.npz"
    tg.save({"a": tg.zeros(1)}, real)
    link = tmp_path / "latest.npz"
    link.symlink_to(real)
    tg.save({"b": tg.ones(2)}, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert list(tg.load(real)) == ["b"]
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "models" / "later.npz")
    tg.save({"c": tg.ones(1)}, dangling)
    assert dangling.is_symlink() and list(tg.load(tmp_path / "models" / "later.npz")) == ["c"]


# ----- keys ----------------------------------------------------------------------------------
AWKWARD_KEYS = ["a", "a.npy", "a.npy.npy", "", "nul\0byte", "k" * 70_000, "layer/0.weight",
                "ünïcode", "key-0", "tinygrad_edu_keys.json"]


@pytest.mark.parametrize("suffix", ["", ".npz", ".safetensors"])
def test_keys_round_trip_exactly(tmp_path, suffix):
    state = {key: tg.tensor([float(i)]) for i, key in enumerate(AWKWARD_KEYS)}
    tg.save(state, tmp_path / f"state{suffix}")
    loaded = tg.load(tmp_path / f"state{suffix}")
    assert list(loaded) == AWKWARD_KEYS
    for i, key in enumerate(AWKWARD_KEYS):
        assert loaded[key].item() == float(i)


def test_numpy_reads_our_archives_and_we_read_numpys(tmp_path):
    tg.save({"w": tg.tensor([1.0, 2.0]), "b": tg.tensor([3])}, tmp_path / "ours.npz")
    with np.load(tmp_path / "ours.npz") as archive:
        np.testing.assert_array_equal(archive["w"], [1.0, 2.0])
        assert archive.files == ["w", "b"]
    np.savez(tmp_path / "theirs.npz", np.arange(3), big=np.array([1.0], dtype=">f8"),
             order=np.asfortranarray(np.arange(6).reshape(2, 3)))
    loaded = tg.load(tmp_path / "theirs.npz")
    np.testing.assert_array_equal(loaded["arr_0"].numpy(), [0, 1, 2])
    assert loaded["big"].dtype == np.float64 and loaded["big"].item() == 1.0
    np.testing.assert_array_equal(loaded["order"].numpy(), np.arange(6).reshape(2, 3))


# ----- foreign and hostile files -------------------------------------------------------------
def test_a_zip_that_is_not_a_state_dict_is_refused(tmp_path):
    path = tmp_path / "project.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.md", "hello")
    with pytest.raises(ValueError, match="load: .*'README.md', which is not a .npy array"):
        tg.load(path)


@pytest.mark.parametrize("array", [np.array(["hello"]), np.array([b"bytes"]),
                                   np.array([1 + 2j]), np.array(["2024-01-01"], "M8[D]"),
                                   np.array([1], "m8[s]"), np.zeros(2, [("x", "f4")])],
                         ids=["str", "bytes", "complex", "datetime", "timedelta", "struct"])
def test_non_numeric_arrays_are_refused_both_ways(tmp_path, array):
    np.savez(tmp_path / "odd.npz", odd=array)
    with pytest.raises(ValueError, match=r"load: .*'odd' has dtype .* which a tensor cannot"):
        tg.load(tmp_path / "odd.npz")
    for name in ("odd.npz", "odd.safetensors"):
        with pytest.raises(ValueError, match=r"save: 'odd' has dtype .* which a tensor cannot"):
            tg.save({"odd": array}, tmp_path / "new" / name)
    assert sorted(os.listdir(tmp_path)) == ["odd.npz"]


def test_object_arrays_saved_with_pickle_are_refused(tmp_path):
    np.savez(tmp_path / "objects.npz", x=np.array([_Exploit()], dtype=object))
    with pytest.raises(ValueError, match="load: .*'x' has dtype object"):
        tg.load(tmp_path / "objects.npz")


def test_a_declared_size_larger_than_the_file_is_refused_before_allocating(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)})
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", header.getvalue() + b"\0" * 16)
    with pytest.raises(ValueError, match=r"'w' declares shape \(100000, 100000\) of float64 "
                                         r"\(80000000000 bytes\) but holds 16 bytes"):
        tg.load(path)


def test_a_zip_member_claiming_more_bytes_than_the_file_is_refused(tmp_path):
    path = tmp_path / "state.npz"
    tg.save({"w": tg.zeros(4)}, path)
    data = bytearray(path.read_bytes())
    directory = data.rfind(b"PK\x01\x02")  # the central directory entry of "w.npy"
    data[directory + 20: directory + 24] = (2**31).to_bytes(4, "little")  # compressed size
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="load: .*declare"):
        tg.load(path)


def test_an_unknown_device_is_named_as_such(tmp_path):
    tg.save({"a": tg.zeros(1)}, tmp_path / "state")
    with pytest.raises(ValueError, match="unknown device 'tpu'") as error:
        tg.load(tmp_path / "state", device="tpu")
    assert "damaged" not in str(error.value) and "not a state dict" not in str(error.value)


# ----- safetensors ---------------------------------------------------------------------------
def _every_dtype_state():
    return {
        "f32": tg.randn(3, 4), "f64": tg.randn(2, dtype=tg.float64),
        "f16": tg.tensor([1.5, -2.0], dtype=np.float16), "i64": tg.tensor([[1, -2]]),
        "i32": tg.tensor([3], dtype=np.int32), "i8": tg.tensor([-4], dtype=np.int8),
        "u8": tg.tensor([250], dtype=np.uint8), "bool": tg.tensor([True, False]),
        "scalar": tg.tensor(2.5), "empty": tg.zeros(0, 3),
    }


def test_safetensors_round_trip_keeps_order_dtypes_shapes_values(tmp_path):
    state = _every_dtype_state()
    tg.save(state, tmp_path / "m.safetensors")
    assert os.listdir(tmp_path) == ["m.safetensors"]
    assert (tmp_path / "m.safetensors").read_bytes()[8:9] == b"{"  # not a zip
    loaded = tg.load(tmp_path / "m.safetensors")
    assert list(loaded) == list(state)
    for name, value in state.items():
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape
        np.testing.assert_array_equal(loaded[name].numpy(), value.numpy())
    os.replace(tmp_path / "m.safetensors", tmp_path / "renamed.bin")  # the contents decide
    assert list(tg.load(tmp_path / "renamed.bin")) == list(state)


def test_the_safetensors_library_reads_our_file(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    state = _every_dtype_state()
    tg.save(state, tmp_path / "m.safetensors")
    theirs = safetensors_numpy.load_file(tmp_path / "m.safetensors")
    assert set(theirs) == set(state)
    for name, value in state.items():
        assert theirs[name].dtype == value.dtype and theirs[name].shape == value.shape
        np.testing.assert_array_equal(theirs[name], value.numpy())


def test_pytorch_reads_our_safetensors_file_and_we_read_its(tmp_path):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    state = _every_dtype_state()
    tg.save(state, tmp_path / "ours.safetensors")
    theirs = safetensors_torch.load_file(tmp_path / "ours.safetensors")
    for name, value in state.items():
        np.testing.assert_array_equal(theirs[name].numpy(), value.numpy())
        assert tuple(theirs[name].shape) == value.shape
    model = torch.nn.Linear(3, 2)
    safetensors_torch.save_file(model.state_dict(), tmp_path / "torch.safetensors")
    loaded = tg.load(tmp_path / "torch.safetensors")
    np.testing.assert_array_equal(loaded["weight"].numpy(), model.weight.detach().numpy())
    ours = nn.Linear(3, 2)
    ours.load_state_dict(loaded)
    np.testing.assert_array_equal(ours.bias.numpy(), model.bias.detach().numpy())


def test_a_damaged_safetensors_file_is_a_clear_error(tmp_path):
    tg.save({"w": tg.randn(10, 10)}, tmp_path / "m.safetensors")
    data = (tmp_path / "m.safetensors").read_bytes()
    (tmp_path / "m.safetensors").write_bytes(data[:-8])
    with pytest.raises(ValueError, match="load: .* is not a state dict"):
        tg.load(tmp_path / "m.safetensors")
