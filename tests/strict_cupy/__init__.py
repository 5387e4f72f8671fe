"""A strict, NumPy-backed stand-in for CuPy, so that CI runs the "cuda" code paths without a GPU.

It is strict where CuPy is strict, so that code which passes here has a good chance of passing
on a real GPU:
  - its arrays (`ndarray`) are not `numpy.ndarray`; `numpy.asarray(x)` raises TypeError
    (CuPy refuses implicit device-to-host copies), and so does any NumPy array operand
  - reductions and indexing give 0-d arrays, never NumPy scalars
  - integer-array indices that are out of range wrap around instead of raising
  - only names that CuPy has exist (module functions, `random.Generator` methods, `cuda`,
    `linalg`, and in `cupyx`: `scatter_add`, `scipy.special.erf`)
It counts host synchronisations (reads of device data by the host: `.get()`, `asnumpy`,
`.item()`, `float()`, `int()`, `bool()`, `tolist()`, printing; and, as in CuPy, whatever
needs the number of True entries of a mask before it can allocate its result: boolean-mask
indexing and assignment, `nonzero`, `argwhere`, `unique`), so tests can hold a training step
to a sync budget: `host_syncs()` and `sync_sites()`.

Only tests import this package; `tests/conftest.py` installs it as the "cuda" backend with
`tinygrad_edu.backend.register_backend` when no real GPU is available.
"""

import builtins
import math
import operator
import os
import sys
import traceback
import types

import numpy as np

_sync_sites = []  # "file:line" of each host sync, in order


def host_syncs():
    """How many times the host has read device data so far."""
    return len(_sync_sites)


def sync_sites(since=0):
    """Where the host syncs numbered `since` onwards happened ("file:line in function")."""
    return _sync_sites[since:]


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _record_sync():
    for frame in reversed(traceback.extract_stack(limit=12)):
        if not frame.filename.startswith(_PACKAGE_DIR):
            _sync_sites.append(f"{frame.filename}:{frame.lineno} in {frame.name}")
            return
    _sync_sites.append("<strict_cupy>")


# ----- conversion between the stand-in and NumPy ------------------------------------------------
_SCALARS = (bool, int, float, complex, np.generic)


def _wrap(value):
    """NumPy results as device results: arrays and scalars become `ndarray` (0-d for scalars)."""
    if isinstance(value, np.ndarray):
        array = object.__new__(ndarray)
        array._host = value
        return array
    if isinstance(value, np.generic):
        return _wrap(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(item) for item in value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


def _unwrap(value, where):
    """An argument of a device function as NumPy sees it; NumPy arrays are refused."""
    if isinstance(value, ndarray):
        return value._host
    if isinstance(value, np.ndarray):
        raise TypeError(f"Unsupported type {type(value)} in {where}: CuPy does not take NumPy "
                        "arrays as operands; move them with cupy.asarray first")
    if isinstance(value, tuple | list):
        return type(value)(_unwrap(item, where) for item in value)
    return value


def _unwrap_all(args, kwargs, where):
    return ([_unwrap(arg, where) for arg in args],
            {key: _unwrap(value, where) for key, value in kwargs.items()})


# ----- indexing: integer arrays wrap around, as in CuPy -----------------------------------------
def _host_index_part(part):
    if isinstance(part, ndarray):
        return part._host
    if isinstance(part, list):
        return np.asarray(part)
    return part


def _wrapping_index(index, shape):
    """`index` for the host array, with out-of-range integer-array entries taken modulo the
    size of their axis (CuPy's behaviour: it never checks bounds on the device). A boolean
    mask is a host sync, as in CuPy (it counts the True entries to size the result)."""
    parts = index if isinstance(index, tuple) else (index,)
    parts = [_host_index_part(part) for part in parts]
    if builtins.any(isinstance(part, np.ndarray) and part.dtype == np.bool_ and part.ndim
           for part in parts):
        _record_sync()

    def consumed(part):
        if part is None or part is Ellipsis:
            return 0
        if isinstance(part, np.ndarray) and part.dtype == np.bool_:
            return part.ndim
        return 1

    used = builtins.sum(consumed(part) for part in parts)
    axis, result = 0, []
    for part in parts:
        if part is Ellipsis:
            axis += len(shape) - used
        elif (isinstance(part, np.ndarray) and part.dtype.kind in "iu" and axis < len(shape)
              and shape[axis] > 0):
            part = np.mod(part, shape[axis])
        axis += consumed(part)
        result.append(part)
    return tuple(result) if isinstance(index, tuple) else result[0]


# ----- the array ----------------------------------------------------------------------------------
def _refuse_numpy(other):
    """CuPy raises where an operator would combine its array with a NumPy array."""
    if isinstance(other, np.ndarray):
        raise TypeError(f"Unsupported type {type(other)}: CuPy does not combine its arrays "
                        "with NumPy arrays")


def _binary(name):
    host_operator = getattr(operator, name)

    def method(self, other):
        if isinstance(other, ndarray):
            return _wrap(host_operator(self._host, other._host))
        if isinstance(other, _SCALARS):
            return _wrap(host_operator(self._host, other))
        _refuse_numpy(other)
        return NotImplemented

    return method


def _reflected(name):
    host_operator = getattr(operator, name)

    def method(self, other):
        if isinstance(other, _SCALARS):
            return _wrap(host_operator(other, self._host))
        _refuse_numpy(other)
        return NotImplemented

    return method


def _in_place(name):
    host_operator = getattr(operator, name)

    def method(self, other):
        _refuse_numpy(other)
        if not isinstance(other, (ndarray, *_SCALARS)):
            return NotImplemented
        self._host = host_operator(self._host, _unwrap(other, name))
        return self

    return method


def _method(name):
    def method(self, *args, **kwargs):
        if name in _SYNCING:
            _record_sync()
        args, kwargs = _unwrap_all(args, kwargs, f"ndarray.{name}")
        return _wrap(getattr(self._host, name)(*args, **kwargs))

    method.__name__ = name
    return method


_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
           "xor", "lshift", "rshift")
_COMPARISONS = ("lt", "le", "gt", "ge", "eq", "ne")
_METHODS = ("all", "any", "argmax", "argmin", "argsort", "astype", "clip", "conj", "copy",
            "cumprod", "cumsum", "diagonal", "dot", "fill", "flatten", "max", "mean", "min",
            "nonzero", "prod", "ptp", "ravel", "repeat", "reshape", "round", "sort", "squeeze",
            "std", "sum", "swapaxes", "trace", "transpose", "var", "view")


class ndarray:  # noqa: N801  (CuPy's name)
    """A device array: NumPy memory behind CuPy's interface and CuPy's strictness."""

    __slots__ = ("_host",)
    __hash__ = None

    def __init__(self, shape, dtype=float):
        self._host = np.empty(shape, dtype)

    # host reads: each one is a synchronisation with the device
    def get(self, stream=None):
        """A NumPy copy (the explicit device-to-host transfer)."""
        _record_sync()
        return self._host.copy()

    def item(self):
        _record_sync()
        return self._host.item()

    def tolist(self):
        _record_sync()
        return self._host.tolist()

    def __float__(self):
        _record_sync()
        return float(self._host)

    def __int__(self):
        _record_sync()
        return int(self._host)

    def __index__(self):
        _record_sync()
        return operator.index(self._host)

    def __bool__(self):
        _record_sync()
        return bool(self._host)

    def __repr__(self):
        _record_sync()
        return repr(self._host).replace("array", "array", 1)

    __str__ = __repr__

    def __format__(self, spec):
        _record_sync()
        return format(self._host, spec)

    def __reduce__(self):  # pickling copies to the host, as CuPy does
        _record_sync()
        return (_wrap, (self._host.copy(),))

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def set(self, host_array):
        """Copy a NumPy array into this one (host to device)."""
        self._host[...] = host_array

    # attributes
    shape = property(lambda self: self._host.shape)
    ndim = property(lambda self: self._host.ndim)
    size = property(lambda self: self._host.size)
    dtype = property(lambda self: self._host.dtype)
    nbytes = property(lambda self: self._host.nbytes)
    itemsize = property(lambda self: self._host.itemsize)
    strides = property(lambda self: self._host.strides)
    flags = property(lambda self: self._host.flags)
    T = property(lambda self: _wrap(self._host.T))
    real = property(lambda self: _wrap(self._host.real))
    imag = property(lambda self: _wrap(self._host.imag))
    device = property(lambda self: cuda.Device(0))
    data = property(lambda self: types.SimpleNamespace(ptr=self._host.ctypes.data))

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.shape, "typestr": self.dtype.str, "strides": None,
                "data": (self._host.ctypes.data, False), "version": 3}

    def __len__(self):
        return len(self._host)

    def __iter__(self):
        return (_wrap(row) for row in self._host)

    def __copy__(self):
        return _wrap(self._host.copy())

    def __deepcopy__(self, memo):
        return _wrap(self._host.copy())

    def __getitem__(self, index):
        return _wrap(self._host[_wrapping_index(index, self.shape)])

    def __setitem__(self, index, value):
        if isinstance(value, ndarray):
            value = value._host
        self._host[_wrapping_index(index, self.shape)] = value

    def take(self, indices, axis=None):
        """Gather along `axis` (flattened when None); out-of-range indices wrap, as in CuPy."""
        return _wrap(np.take(self._host, _unwrap(indices, "take"), axis=axis, mode="wrap"))

    def __neg__(self):
        return _wrap(-self._host)

    def __pos__(self):
        return _wrap(+self._host)

    def __abs__(self):
        return _wrap(np.abs(self._host))

    def __invert__(self):
        return _wrap(~self._host)

    for _name in _BINARY:
        locals()[f"__{_name}__"] = _binary(f"{_name}_" if _name in ("and", "or") else _name)
        locals()[f"__r{_name}__"] = _reflected(f"{_name}_" if _name in ("and", "or") else _name)
        locals()[f"__i{_name}__"] = _in_place(f"i{_name}")
    for _name in _COMPARISONS:
        locals()[f"__{_name}__"] = _binary(_name)
    for _name in _METHODS:
        locals()[_name] = _method(_name)
    del _name

    # NumPy's functions and ufuncs called on device arrays run on the device, as in CuPy
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or ufunc.__name__ not in _FUNCTIONS:
            return NotImplemented
        return globals()[ufunc.__name__](*inputs, **kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        if func.__name__ not in _FUNCTIONS:
            return NotImplemented
        return globals()[func.__name__](*args, **kwargs)


# ----- module functions (only names that CuPy has) ----------------------------------------------
_FUNCTIONS = """
abs absolute add all allclose amax amin any arange arccos arccosh arcsin arcsinh arctan arctan2
arctanh argmax argmin argsort argwhere around array_equal atleast_1d atleast_2d bincount
broadcast_arrays broadcast_to cbrt ceil clip concatenate copy copysign cos cosh copyto
count_nonzero cumprod cumsum diag diagonal diff divide dot einsum empty empty_like equal exp
exp2 expand_dims expm1 eye flip fliplr floor floor_divide fmax fmin fmod full full_like greater
greater_equal histogram hstack hypot identity isclose isfinite isinf isnan kron less less_equal
linspace log log10 log1p log2 logaddexp logical_and logical_not logical_or logical_xor matmul
max maximum mean median min minimum mod moveaxis multiply negative nonzero not_equal ones
ones_like outer pad power prod put ravel reciprocal remainder repeat reshape rint round
searchsorted sign signbit sin sinh sort split sqrt square squeeze stack std subtract sum
swapaxes take_along_axis tan tanh tensordot tile trace transpose tri tril triu true_divide
trunc unique var vstack where zeros zeros_like
""".split()


_SYNCING = {"nonzero", "argwhere", "unique"}  # their result's size depends on the data


def _function(name):
    host_function = getattr(np, name)

    def function(*args, **kwargs):
        if name in _SYNCING:
            _record_sync()
        host_args, host_kwargs = _unwrap_all(args, kwargs, name)
        out = kwargs.get("out")
        result = host_function(*host_args, **host_kwargs)
        return out if isinstance(out, ndarray) else _wrap(result)

    function.__name__ = name
    return function


for _name in _FUNCTIONS:
    globals()[_name] = _function(_name)
del _name


def take(a, indices, axis=None, out=None):
    """Gather along `axis`; out-of-range indices wrap, as in CuPy."""
    if out is None:
        return a.take(indices, axis)
    np.take(a._host, _unwrap(indices, "take"), axis=axis, out=out._host, mode="wrap")
    return out


def asarray(a, dtype=None, order=None):
    """A device array from host data (NumPy arrays included: the host-to-device copy)."""
    if isinstance(a, ndarray):
        return a if dtype is None or a.dtype == np.dtype(dtype) else a.astype(dtype)
    return _wrap(np.array(_unwrap_host_data(a), dtype=dtype, order=order or "K"))


def array(obj, dtype=None, copy=True, order="K", ndmin=0):
    if isinstance(obj, ndarray):
        return _wrap(np.array(obj._host, dtype=dtype, copy=copy, order=order, ndmin=ndmin))
    return _wrap(np.array(_unwrap_host_data(obj), dtype=dtype, order=order, ndmin=ndmin))


def ascontiguousarray(a, dtype=None):
    if isinstance(a, ndarray):
        return _wrap(np.ascontiguousarray(a._host, dtype=dtype))
    return asarray(a, dtype=dtype, order="C")


def _as_strided(x, shape=None, strides=None):
    """A view of x's memory with the given shape and strides (bytes), as CuPy's."""
    return _wrap(np.lib.stride_tricks.as_strided(x._host, shape, strides))


lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))


def _unwrap_host_data(data):
    if isinstance(data, list | tuple):
        return [_unwrap_host_data(item) for item in data]
    if isinstance(data, ndarray):
        return data._host
    return data


def from_dlpack(array):
    """A device array sharing the memory of another library's device array (DLPack)."""
    if isinstance(array, ndarray):
        return array
    raise TypeError(f"from_dlpack: the stand-in only shares its own arrays, got {type(array)}")


def asnumpy(a, stream=None):
    """A NumPy copy of a device array (a host sync); NumPy data passes through."""
    if isinstance(a, ndarray):
        return a.get()
    return np.asarray(a)


def get_array_module(*args):
    return sys.modules[__name__] if builtins.any(isinstance(a, ndarray) for a in args) else np


dtype, iinfo, finfo, result_type, can_cast = np.dtype, np.iinfo, np.finfo, np.result_type, \
    np.can_cast
float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64 = np.int8, np.int16, np.int32, np.int64
uint8, uint16, uint32, uint64 = np.uint8, np.uint16, np.uint32, np.uint64
bool_, complex64, complex128 = np.bool_, np.complex64, np.complex128
pi, e, inf, nan, newaxis = math.pi, math.e, math.inf, math.nan, None


# ----- cupy.random: the Generator API, with CuPy's (smaller) set of methods ---------------------
class Generator:
    """cupy.random.Generator: only the methods CuPy implements (no permutation, shuffle,
    choice, normal or uniform: those exist on NumPy's Generator only)."""

    def __init__(self, seed=None):
        self._host = np.random.default_rng(seed)

    def random(self, size=None, dtype=np.float64, out=None):
        return self._fill(self._host.random(size).astype(dtype), out)

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        if np.dtype(dtype).char not in "fd":
            raise TypeError(f"Unsupported dtype {np.dtype(dtype).name} for standard_normal")
        return self._fill(self._host.standard_normal(size, dtype=dtype), out)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        return _wrap(np.asarray(self._host.integers(low, high, size, dtype, endpoint)))

    def standard_exponential(self, size=None, dtype=np.float64, method="inv", out=None):
        return self._fill(self._host.standard_exponential(size).astype(dtype), out)

    def exponential(self, scale=1.0, size=None):
        return _wrap(np.asarray(self._host.exponential(scale, size)))

    def poisson(self, lam=1.0, size=None):
        return _wrap(np.asarray(self._host.poisson(lam, size)))

    def beta(self, a, b, size=None, dtype=np.float64):
        return _wrap(np.asarray(self._host.beta(a, b, size)).astype(dtype))

    def gamma(self, shape, scale=1.0, size=None):
        return _wrap(np.asarray(self._host.gamma(shape, scale, size)))

    def standard_gamma(self, shape, size=None, dtype=np.float64, out=None):
        return self._fill(np.asarray(self._host.standard_gamma(shape, size)).astype(dtype), out)

    def binomial(self, n, p, size=None):
        return _wrap(np.asarray(self._host.binomial(n, p, size)))

    @staticmethod
    def _fill(host, out):
        if out is None:
            return _wrap(np.asarray(host))
        out._host[...] = host
        return out


random = types.SimpleNamespace(Generator=Generator, default_rng=Generator)


# ----- cupy.cuda and cupy.linalg ----------------------------------------------------------------
class _Stream:
    def synchronize(self):
        """Wait for queued work (nothing is ever queued here)."""


class _Device:
    def __init__(self, device_id=0):
        self.id = device_id

    def synchronize(self):
        """Wait for this device (nothing is ever queued here)."""


_CURRENT_STREAM = _Stream()
cuda = types.SimpleNamespace(
    Device=_Device,
    get_current_stream=lambda: _CURRENT_STREAM,
    runtime=types.SimpleNamespace(
        getDeviceCount=lambda: 1,
        getDeviceProperties=lambda device_id: {"name": b"strict CuPy stand-in (NumPy)",
                                               "totalGlobalMem": 0},
    ),
)



def _linalg_function(name):
    host_function = getattr(np.linalg, name)

    def function(*args, **kwargs):
        host_args, host_kwargs = _unwrap_all(args, kwargs, f"linalg.{name}")
        return _wrap(host_function(*host_args, **host_kwargs))

    function.__name__ = name
    return function


linalg = types.SimpleNamespace(**{
    name: _linalg_function(name) for name in (
        "eigh", "eigvalsh", "norm", "inv", "solve", "det", "qr", "svd", "cholesky", "pinv",
        "lstsq", "slogdet", "matrix_power")
})
