"""`save` and `load`: state dicts as NumPy .npz archives, never pickle.

An .npz file is a zip archive holding one .npy file (a small header with dtype and shape,
then the raw bytes) per array. Loading one cannot run code, unlike pickle-based formats, as
long as object arrays stay refused (allow_pickle=False, on both sides).
"""

import os
import tempfile
import zipfile

import numpy as np

from . import backend
from .tensor import Tensor, get_default_device


def save(state_dict, path):
    """Write `state_dict` (name -> Tensor or array) to exactly `path` as an .npz archive.

    The file appears atomically: it is written to a temporary file in the same folder and
    moved into place, so a crash never leaves a half-written `path`."""
    arrays = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: state dict keys must be strings, got {name!r}")
        data = value._data if isinstance(value, Tensor) else value
        if not hasattr(data, "dtype") or data.dtype.kind not in "biuf":
            raise TypeError(f"save: '{name}' must be a Tensor or a numeric array, got "
                            f"{type(value).__name__}")
        arrays[name] = backend.to_numpy(data)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_current_umask())  # mkstemp made it private (0600)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_npz(file, arrays):
    """np.savez's format (one name.npy per array), written entry by entry so that any string
    works as a name (np.savez's keywords would clash with its own `file` argument)."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asarray(array), allow_pickle=False)


def load(path, device=None):
    """Read a file written by `save`: a dict name -> Tensor with the saved dtypes and shapes,
    on `device` (default: the default device). A file that is not such an archive (truncated,
    or another format) raises a ValueError; pickled contents are refused, never run."""
    path = os.fspath(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"load: {path} is not a state dict saved by tinygrad_edu.save (an .npz "
                         f"archive of numeric arrays): {error}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {path} holds a single .npy array, not an .npz archive of named "
                         "arrays as written by tinygrad_edu.save")
    device = device or get_default_device()
    try:
        with archive:
            return {name: Tensor(archive[name], device=device) for name in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(f"load: {path} is damaged or not a tinygrad_edu state dict (an .npz "
                         f"archive of numeric arrays): {error}") from None
