"""Host memory: let freed NumPy arrays' memory be reused instead of handed back to the OS.

A training step makes its activations and gradients anew each time, and frees the last
step's. glibc's malloc (Linux) serves every request of 128 KiB or more with a fresh `mmap`
and gives it back on free, and trims the top of its heap once more than 128 KiB there is
free; either way the next array of that size is made of pages the process has never
touched, and touching each costs a page fault. A LeNet-5 step at batch 64 took about 2,900
of them and ran 30% slower for it; an LSTM over 50 steps, 4,700. Caching allocators avoid
this (PyTorch keeps freed GPU blocks for reuse); NumPy has no hook for one, so this module
raises glibc's two limits instead: arrays up to 32 MiB come from the heap, and up to
128 MiB of free heap stays mapped for the next step (peak memory is unchanged).

backend.py calls it once, when tinygrad_edu is imported (`backend.HOST_MEMORY_TUNED` says
whether it applied: Linux with glibc only). Set the environment variable
TINYGRAD_EDU_MALLOC=system to keep glibc's defaults.
"""

import ctypes
import os

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 128 * 2**20


def _glibc():
    """The C library when it is glibc, else None."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
    except (ValueError, OSError, AttributeError):  # no such name: not glibc (or not POSIX)
        return None
    return ctypes.CDLL(None)


def keep_freed_memory():
    """Raise glibc's mmap and trim thresholds (see the module docstring); True if done."""
    if os.environ.get("TINYGRAD_EDU_MALLOC", "").lower() == "system":
        return False
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
