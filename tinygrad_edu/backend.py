"""Array backends: the one place that knows NumPy from CuPy.

A device name ("cpu" or "cuda") maps to a `Backend`: the array module `xp` (numpy or cupy) plus
the few calls where the two libraries differ (scatter-add, host copies, random generators,
special functions). Every op above this module asks a backend; none imports numpy for tensor
data or cupy at all.
"""

import math

import numpy as np

DEVICES = ("cpu", "cuda")
ALIGNMENT = 64  # bytes, for the arrays a training step keeps (see Backend.aligned_copy)

_CUPY_HINT = (
    "install CuPy for your CUDA version, e.g. `pip install cupy-cuda12x` "
    "(or `pip install tinygrad_edu[gpu]`), on a machine with an NVIDIA GPU"
)


class Backend:
    """One device's array module and the calls that differ between array libraries."""

    def __init__(self, name, xp):
        self.name = name
        self.xp = xp
        self.rng = None
        self.seed(_seed)

    def seed(self, seed):
        """Restart this device's random generator from `seed` (None: fresh entropy)."""
        self.rng = self.xp.random.default_rng(seed)

    def asarray(self, data, dtype=None):
        """`data` (a host array, a scalar or an array of any device) as an array on this device."""
        if self.xp is not np and isinstance(data, np.ndarray | np.generic):
            return self.xp.asarray(data, dtype=dtype)
        if self.xp is np and not isinstance(data, np.ndarray | np.generic | int | float | bool):
            data = to_numpy(data)
        return self.xp.asarray(data, dtype=dtype)

    def scatter_add(self, target, index, values):
        """target[index] += values, adding (not overwriting) where `index` repeats."""
        if self.xp is np:
            np.add.at(target, index, values)
        else:
            import cupyx

            cupyx.scatter_add(target, index, values)

    def aligned_copy(self, array):
        """A contiguous copy of `array` whose data starts on a 64-byte boundary (a cache line, and
        an AVX-512 register). NumPy only guarantees 16 bytes, so a vectorized loop over such an
        array may straddle cache lines on every load; parameters and optimizer state, which
        every training step reads and updates, are kept aligned (PyTorch's CPU allocator does
        the same). CuPy's allocations are already aligned to 256 bytes."""
        if self.xp is not np:
            return array.copy()
        buffer = np.empty(array.nbytes + ALIGNMENT, np.uint8)
        start = -buffer.ctypes.data % ALIGNMENT
        copy = buffer[start:start + array.nbytes].view(array.dtype).reshape(array.shape)
        copy[...] = array
        return copy

    def synchronize(self):
        """Wait until queued device work is done (GPU timings need it; a no-op on the CPU)."""
        if self.xp is not np:
            self.xp.cuda.get_current_stream().synchronize()

    def erf(self, x):
        """The error function erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, elementwise."""
        if self.xp is np:
            try:
                from scipy.special import erf
            except ImportError:
                return _erf_numpy(x)
            return erf(x)
        from cupyx.scipy.special import erf

        return erf(x)


def _erf_numpy(x):
    """erf for NumPy without SciPy: math.erf (correctly rounded) applied element by element."""
    return np.vectorize(math.erf, otypes=[x.dtype])(x) if x.ndim else x.dtype.type(math.erf(x))


_seed = None  # the last manual_seed, so a device first used later starts from it too
_backends = {"cpu": Backend("cpu", np)}


def _cupy_or_error():
    try:
        import cupy
    except ImportError as error:
        raise RuntimeError(
            f"device 'cuda' needs CuPy, which is not installed: {_CUPY_HINT}"
        ) from error
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError when there is no driver
        raise RuntimeError(
            f"device 'cuda' is unavailable: CuPy found no CUDA driver ({error})"
        ) from error
    if count == 0:
        raise RuntimeError("device 'cuda' is unavailable: CuPy is installed but found no GPU")
    return cupy


def canonical_device(device):
    """"cpu" or "cuda" for a device name, a name with an index ("cuda:0") or a `tg.device`;
    None stays None. Only index 0 exists: one GPU per process."""
    if device is None or type(device) is str and device in DEVICES:
        return device
    name = str(device)
    kind, colon, index = name.partition(":")
    if kind not in DEVICES or colon and not index.isdigit():
        raise ValueError(f"unknown device {name!r}: expected one of {DEVICES}, optionally with "
                         "an index as in 'cuda:0'")
    if colon and int(index) != 0:
        raise ValueError(f"device {name!r}: tinygrad_edu uses one GPU per process, index 0 "
                         "(select another GPU with CUDA_VISIBLE_DEVICES)")
    return kind


def get_backend(device):
    """The Backend for a device name; a clear error for an unknown or unavailable device."""
    backend = _backends.get(device)
    if backend is not None:
        return backend
    device = canonical_device(device)
    if device in _backends:
        return _backends[device]
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}: expected one of {DEVICES}")
    backend = _backends[device] = Backend(device, _cupy_or_error())
    return backend


def cuda_is_available():
    """True when CuPy is installed and sees at least one GPU."""
    try:
        get_backend("cuda")
    except RuntimeError:
        return False
    return True


def cuda_device_count():
    """How many GPUs CuPy sees (0 without CuPy or a driver)."""
    if not cuda_is_available():
        return 0
    return get_backend("cuda").xp.cuda.runtime.getDeviceCount()


def available_devices():
    """The devices this machine can run: always "cpu", plus "cuda" when available."""
    return ("cpu", "cuda") if cuda_is_available() else ("cpu",)


def device_of(array):
    """The device name an array lives on."""
    return "cpu" if isinstance(array, np.ndarray | np.generic) else "cuda"


def xp_of(array):
    """The array module (numpy or cupy) that owns `array`: how ops stay device-agnostic."""
    if isinstance(array, np.ndarray | np.generic):
        return np
    return get_backend("cuda").xp


def to_numpy(array):
    """A host (NumPy) copy of an array of any device; NumPy arrays pass through."""
    if isinstance(array, np.ndarray):
        return array
    get = getattr(array, "get", None)
    return get() if get is not None else np.asarray(array)


def manual_seed(seed):
    """Seed the random generators of every device, including those first used later."""
    global _seed
    _seed = seed
    for backend in _backends.values():
        backend.seed(seed)
