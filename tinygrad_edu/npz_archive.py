"""Reading and writing .npz archives (NumPy's format) with exact keys and checked sizes.

An .npz file is a zip archive holding one `KEY.npy` member per array: a small header (dtype,
shape, memory order) followed by the raw bytes. `np.load` reads our files; we read NumPy's.

Three things `np.savez`/`np.load` get wrong for a state dict, handled here:
- `np.load` strips ".npy" from member names, so keys "a" and "a.npy" (members "a.npy" and
  "a.npy.npy") come back swapped. We strip exactly one ".npy" from each member name.
- A zip member name cannot hold a NUL byte nor exceed 65,535 bytes. Such keys are stored under
  a numbered member name, and `KEYS_MEMBER` (JSON) maps that member name back to the key.
- A header may declare any shape; NumPy allocates it before reading. We compare the declared
  size with the bytes the member holds and the member sizes with the file size first.
"""

import json
import math
import os
import zipfile

import numpy as np

KEYS_MEMBER = "tinygrad_edu_keys.json"
NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats
_LONGEST_MEMBER_NAME = 0xFFFF  # bytes: the zip format stores the length in 16 bits
_DEFLATE_MAX_RATIO = 1100  # deflate cannot expand data more than ~1032 times


def check_numeric(dtype, key, op_name):
    """A ValueError unless `dtype` is one a Tensor holds (bool, integer, float)."""
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
        raise ValueError(f"{op_name}: '{key}' has dtype {dtype}, which a tensor cannot hold "
                         "(expected bool, integer or floating point)")


def write_npz(file, arrays):
    """Write name -> NumPy array to the open binary `file` as an .npz archive."""
    member_of_key = _member_names(list(arrays))
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for key, array in arrays.items():
            with archive.open(member_of_key[key], mode="w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, array, allow_pickle=False)
        unusual = {member: key for key, member in member_of_key.items()
                   if member != key + ".npy"}
        if unusual:
            archive.writestr(KEYS_MEMBER, json.dumps(unusual))


def _member_names(keys):
    """key -> zip member name: KEY.npy where the zip format can hold it, else a numbered name."""
    names = {key: key + ".npy" for key in keys if _fits_a_member_name(key + ".npy")}
    taken = set(names.values())
    number = 0
    for key in keys:
        if key in names:
            continue
        while f"key-{number}.npy" in taken:
            number += 1
        names[key] = f"key-{number}.npy"
        taken.add(names[key])
    return {key: names[key] for key in keys}  # in the state dict's order


def _fits_a_member_name(name):
    if "\0" in name or (os.sep != "/" and os.sep in name):  # zipfile rewrites both
        return False
    try:
        return len(name.encode("utf-8")) <= _LONGEST_MEMBER_NAME
    except UnicodeEncodeError:  # a lone surrogate
        return False


def read_npz(path):
    """name -> NumPy array from the .npz archive at `path`; ValueError for anything else."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        _check_sizes(members, os.path.getsize(path))
        key_of_member = _read_keys(archive)
        arrays = {}
        for member in members:
            if member.filename == KEYS_MEMBER:
                continue
            if not member.filename.endswith(".npy"):
                raise ValueError(f"it holds '{member.filename}', which is not a .npy array")
            key = key_of_member.get(member.filename, member.filename[: -len(".npy")])
            if key in arrays:
                raise ValueError(f"it holds the key '{key}' twice")
            with archive.open(member) as entry:
                arrays[key] = _read_npy(entry, member.file_size, key)
    return arrays


def _check_sizes(members, file_size):
    """Declared member sizes must fit the file before anything is read or allocated."""
    stored = sum(member.compress_size for member in members)
    if stored > file_size:
        raise ValueError(f"its members declare {stored} bytes but the file has {file_size}")
    for member in members:
        ratio = 1 if member.compress_type == zipfile.ZIP_STORED else _DEFLATE_MAX_RATIO
        if member.file_size > max(member.compress_size, 1) * ratio:
            raise ValueError(f"'{member.filename}' declares {member.file_size} bytes, more "
                             f"than its {member.compress_size} stored bytes can hold")


def _read_keys(archive):
    if KEYS_MEMBER not in archive.namelist():
        return {}
    keys = json.loads(archive.read(KEYS_MEMBER))
    if not isinstance(keys, dict) or not all(isinstance(k, str) for k in keys.values()):
        raise ValueError(f"its '{KEYS_MEMBER}' is not a map of member names to keys")
    return keys


def _read_npy(entry, member_size, key):
    """One .npy member: header checked (numeric dtype, size = bytes present), then the data."""
    version = np.lib.format.read_magic(entry)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(entry)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(entry)
    else:
        raise ValueError(f"'{key}' uses .npy format version {version}, expected 1.0 or 2.0")
    check_numeric(dtype, key, "load")
    declared = math.prod(shape) * dtype.itemsize
    present = member_size - entry.tell()
    if declared != present:
        raise ValueError(f"'{key}' declares shape {shape} of {dtype} ({declared} bytes) but "
                         f"holds {present} bytes")
    data = entry.read(declared)
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
    return array.astype(dtype.newbyteorder("="), copy=False)
