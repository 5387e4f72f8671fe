"""`save` and `load`: state dicts as .npz or .safetensors files, never pickle.

Two formats, neither of which can run code when loaded:
- `.safetensors` (when the path ends so): a JSON header (names, dtypes, shapes, offsets) and
  the raw bytes, written and read by the `safetensors` library; PyTorch and Hugging Face tools
  read it too.
- `.npz` (every other path): NumPy's zip of .npy arrays, see `npz_archive`.
`load` tells them apart by the file's first bytes, not by its name.

Saving is atomic: the bytes go to a temporary file beside the target, which then replaces the
target in one step, so a crash never leaves a half-written file. As with PyTorch's `save`
(which opens the path for writing), a symlink is followed (its target gets the new contents)
and an existing file keeps its permission bits.
"""

import json
import os
import secrets
import stat
import zipfile

import numpy as np
import safetensors
import safetensors.numpy

from . import backend
from .npz_archive import check_numeric, read_npz, write_npz
from .tensor import Tensor, get_default_device

_KEY_ORDER = "tinygrad_edu.key_order"  # safetensors metadata: the state dict's key order


def save(state_dict, path):
    """Write `state_dict` (name -> Tensor or array) to exactly `path`: safetensors when the
    path ends in ".safetensors", an .npz archive otherwise."""
    arrays = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: state dict keys must be strings, got {name!r}")
        data = value._data if isinstance(value, Tensor) else value
        if not hasattr(data, "dtype"):
            raise TypeError(f"save: '{name}' must be a Tensor or a numeric array, got "
                            f"{type(value).__name__}")
        check_numeric(data.dtype, name, "save")
        arrays[name] = np.asarray(backend.to_numpy(data), order="C")
    path = os.fspath(path)
    if path.endswith(".safetensors"):
        metadata = {_KEY_ORDER: json.dumps(list(arrays))}
        payload = safetensors.numpy.save(arrays, metadata=metadata)
        _write_atomically(path, lambda file: file.write(payload))
    else:
        _write_atomically(path, lambda file: write_npz(file, arrays))


def _write_atomically(path, write):
    """Call `write(file)` on a temporary file beside `path`'s real target, then move it there.

    The temporary file is removed on every failure; one left by a killed process (its name
    carries the process id) is removed by the next save to the same target."""
    target = os.path.realpath(path)  # through a symlink, as open(path, "wb") would write
    folder, name = os.path.split(target)
    prefix = f".{name[:100]}.tmp-"
    _remove_stale_temporaries(folder, prefix)
    temporary, handle = _create_temporary(folder, prefix)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _create_temporary(folder, prefix):
    """A new file `<prefix><pid>-<random>` created with mode 0o666 less the umask, as
    open() creates files (tempfile.mkstemp would make it private)."""
    while True:
        temporary = os.path.join(folder, f"{prefix}{os.getpid()}-{secrets.token_hex(4)}")
        try:
            return temporary, os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def _remove_stale_temporaries(folder, prefix):
    """Remove temporary files of this target whose writing process no longer runs."""
    if os.name != "posix":  # the liveness check below is POSIX's
        return
    for entry in os.listdir(folder):
        if not entry.startswith(prefix):
            continue
        pid = entry[len(prefix):].split("-")[0]
        if pid.isdigit() and not _process_is_running(int(pid)):
            try:
                os.unlink(os.path.join(folder, entry))
            except FileNotFoundError:  # another process cleaned it first
                pass


def _process_is_running(pid):
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def load(path, device=None):
    """Read a file written by `save` (or by NumPy's savez, or a .safetensors file): a dict
    name -> Tensor with the saved dtypes and shapes, on `device` (default: the default device).
    A file that is not such a state dict raises a ValueError; pickles are refused, never run."""
    device = device or get_default_device()
    backend.get_backend(device)  # an unknown device is the caller's error, not the file's
    path = os.fspath(path)
    with open(path, "rb") as file:
        start = file.read(9)
    try:
        arrays = _read_arrays(path, start)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, safetensors.SafetensorError,
            json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"load: {path} is not a state dict saved by tinygrad_edu.save (an .npz "
                         f"archive or .safetensors file of numeric arrays): {error}") from None
    return {name: Tensor(array, device=device) for name, array in arrays.items()}


def _read_arrays(path, start):
    if start.startswith(b"PK"):
        return read_npz(path)
    if start.startswith(b"\x93NUMPY"):
        raise ValueError("it holds a single .npy array, not named arrays")
    if len(start) == 9 and start[8:] == b"{":  # 8-byte header length, then the JSON header
        return _read_safetensors(path)
    raise ValueError("it starts like neither a zip archive nor a safetensors header")


def _read_safetensors(path):
    with safetensors.safe_open(path, framework="numpy") as file:
        keys = list(file.keys())
        order = json.loads((file.metadata() or {}).get(_KEY_ORDER, "null"))
        if isinstance(order, list) and sorted(order) == sorted(keys):
            keys = order
        arrays = {key: file.get_tensor(key) for key in keys}
    for key, array in arrays.items():
        check_numeric(array.dtype, key, "load")
    return arrays
