"""Array backends: the one place that knows NumPy from CuPy.

A device name ("cpu" or "cuda") maps to a `Backend`: the array module `xp` (numpy or cupy) plus
the few calls where the two libraries differ (scatter-add, host copies, random generators,
special functions). Every op above this module asks a backend; none imports numpy for tensor
data or cupy at all.
"""

import math

import numpy as np

from .host_memory import keep_freed_memory

DEVICES = ("cpu", "cuda")
ALIGNMENT = 64  # bytes, for the arrays a training step keeps (see Backend.aligned_copy)

_CUPY_HINT = (
    "install CuPy with the CUDA libraries it loads at run time, e.g. "
    "`pip install \"cupy-cuda12x[ctk]\"` (or `pip install tinygrad_edu[gpu]`), on a machine "
    "with an NVIDIA GPU and driver"
)


class Backend:
    """One device's array module and the calls that differ between array libraries.

    `xp` is the array module (numpy, cupy); `extensions` the module with the calls NumPy
    keeps elsewhere (cupyx for CuPy: scatter_add, scipy.special.erf); None for NumPy.
    """

    def __init__(self, name, xp, extensions=None):
        self.name = name
        self.xp = xp
        self.extensions = extensions
        self.array_type = xp.ndarray
        self.rng = None
        self.initial_seed = None
        self.seed(_seed)

    def seed(self, seed):
        """Restart this device's random generator from `seed` (None: a fresh one, drawn from
        the system's entropy); `initial_seed` keeps it."""
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.initial_seed = seed
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
            self.extensions.scatter_add(target, index, values)

    def checked_index(self, index, shape, op_name="getitem"):
        """`index` (ints, slices, host or device arrays) ready to index an array of `shape` on
        this device, with every integer-array entry checked to lie in [-size, size) of its axis.
        NumPy raises IndexError by itself; CuPy would silently wrap an out-of-range entry
        around, so here host arrays are checked on the host before they are copied over, and
        device arrays on the device, all of them with one host sync (only the host can raise)."""
        if self.xp is np:
            return index
        parts = index if isinstance(index, tuple) else (index,)
        moved, device_parts, any_outside = [], [], None
        for axis, part in _index_axes(parts, len(shape)):
            integral = getattr(part, "dtype", np.dtype(bool)).kind in "iu"
            if isinstance(part, np.ndarray):
                if integral and axis < len(shape):
                    _check_host_bounds(part, axis, shape, op_name)
                part = self.xp.asarray(part)
            elif integral and isinstance(part, self.array_type) and axis < len(shape):
                outside = ((part < -shape[axis]) | (part >= shape[axis])).any()
                any_outside = outside if any_outside is None else any_outside | outside
                device_parts.append((axis, part))
            moved.append(part)
        if any_outside is not None and bool(any_outside):  # the one host sync
            for axis, part in device_parts:
                _check_host_bounds(to_numpy(part), axis, shape, op_name)
        return tuple(moved) if isinstance(index, tuple) else moved[0]

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
        return self.extensions.scipy.special.erf(x)


def _index_axes(parts, ndim):
    """(axis, part) for each part of an index: the first array axis that the part indexes."""
    def axes_used(part):
        if part is None or part is Ellipsis:
            return 0
        if getattr(part, "dtype", None) == np.bool_:
            return part.ndim  # a mask covers as many axes as it has
        return 1

    unused = ndim - sum(axes_used(part) for part in parts)
    axis = 0
    for part in parts:
        if part is Ellipsis:
            axis += unused
        yield axis, part
        axis += axes_used(part)


def _check_host_bounds(indices, axis, shape, op_name):
    """IndexError unless every entry of the host array `indices` lies in [-size, size)."""
    size = shape[axis]
    outside = indices[(indices < -size) | (indices >= size)]
    if outside.size:
        raise IndexError(f"{op_name}: index {outside.reshape(-1)[0]} is out of bounds for axis "
                         f"{axis} with size {size} (a tensor of shape {shape})")


def _erf_numpy(x):
    """erf for NumPy without SciPy: math.erf (correctly rounded) applied element by element."""
    return np.vectorize(math.erf, otypes=[x.dtype])(x) if x.ndim else x.dtype.type(math.erf(x))


_seed = None  # the last manual_seed, so a device first used later starts from it too
_backends = {"cpu": Backend("cpu", np)}
HOST_MEMORY_TUNED = keep_freed_memory()  # freed arrays' memory is reused (host_memory.py)


def register_backend(name, xp, extensions=None):
    """Make `name` ("cpu" or "cuda") run on the array module `xp`, replacing what was there.

    This is how the test suite runs every "cuda" code path on a machine without a GPU: it
    registers a strict, NumPy-backed stand-in for CuPy (tests/strict_cupy) as "cuda". Library
    code never calls it; on a GPU machine "cuda" is CuPy, loaded on first use.
    """
    if name not in DEVICES:
        raise ValueError(f"register_backend: unknown device {name!r}: expected one of {DEVICES}")
    _backends[name] = Backend(name, xp, extensions)
    return _backends[name]


_cuda_unavailable = None  # why "cuda" cannot be used, once a probe has found out (cached)


def _load_cupy():
    """CuPy and cupyx after a probe that compiles and runs kernels; a RuntimeError saying
    what is missing otherwise. A GPU can be visible while kernels still fail: CuPy compiles
    them at run time with NVRTC and draws random numbers with cuRAND, libraries of the CUDA
    toolkit that the plain `cupy-cuda12x` wheel does not bring."""
    try:
        import cupy
        import cupyx
        import cupyx.scipy.special  # noqa: F401  (the submodule of erf, loaded explicitly)
    except Exception as error:  # ImportError, or a CUDA library CuPy cannot load
        raise RuntimeError(
            f"device 'cuda' needs CuPy, which could not be imported ({error}): {_CUPY_HINT}"
        ) from error
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError when there is no driver
        raise RuntimeError(
            f"device 'cuda' is unavailable: CuPy found no CUDA driver ({error})"
        ) from error
    if count == 0:
        raise RuntimeError("device 'cuda' is unavailable: CuPy is installed but found no GPU")
    try:
        values = cupy.arange(8, dtype=cupy.float32)
        values = cupy.exp(values) * 2 + cupy.random.default_rng(0).standard_normal(8)
        float(values.sum())
    except Exception as error:
        raise RuntimeError(
            f"device 'cuda' is unavailable: CuPy sees {count} GPU(s) but could not compile and "
            f"run a kernel ({type(error).__name__}: {error}). CuPy needs NVRTC (to compile "
            f"kernels) and cuRAND from the CUDA toolkit: {_CUPY_HINT}"
        ) from error
    return cupy, cupyx


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
    global _cuda_unavailable
    backend = _backends.get(device)
    if backend is not None:
        return backend
    device = canonical_device(device)
    if device in _backends:
        return _backends[device]
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}: expected one of {DEVICES}")
    if _cuda_unavailable is None:
        try:
            return register_backend(device, *_load_cupy())
        except RuntimeError as error:
            _cuda_unavailable = str(error)
    raise RuntimeError(_cuda_unavailable)


def cuda_is_available():
    """True when "cuda" works: CuPy is installed, sees a GPU and ran a compiled kernel. The
    probe runs once; its answer is cached."""
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
    """The device name an array lives on: "cpu" for NumPy, "cuda" for CuPy; a TypeError for
    anything else (a torch tensor is no device array here: convert it with tg.tensor)."""
    if type(array) is np.ndarray or isinstance(array, np.ndarray | np.generic):
        return "cpu"
    for backend in _backends.values():
        if isinstance(array, backend.array_type):
            return backend.name
    if type(array).__module__.partition(".")[0] == "cupy":  # CuPy's arrays, before first use
        return "cuda"
    raise TypeError(f"expected a NumPy or CuPy array, got {type(array).__module__}."
                    f"{type(array).__qualname__}")


def xp_of(array):
    """The array module (numpy or cupy) that owns `array`: how ops stay device-agnostic."""
    if type(array) is np.ndarray or isinstance(array, np.ndarray | np.generic):
        return np
    return get_backend(device_of(array)).xp


def is_device_array(value):
    """Whether `value` is an array of one of the devices (NumPy, or CuPy when loaded)."""
    try:
        device_of(value)
    except TypeError:
        return False
    return True


def to_numpy(array):
    """A host (NumPy) copy of an array of any device; NumPy arrays pass through."""
    if isinstance(array, np.ndarray):
        return array
    if isinstance(array, np.generic) or not is_device_array(array):
        return np.asarray(array)  # host data: scalars, lists, objects with __array__
    return array.get()


def manual_seed(seed):
    """Seed the random generators of every device, including those first used later."""
    global _seed
    _seed = seed
    for backend in _backends.values():
        backend.seed(seed)
