"""The stand-in's `cupyx`: the two CuPy extensions the backend uses."""

import math
import types

import numpy as np

from . import _unwrap, _wrap, _wrapping_index, ndarray


def scatter_add(a, slices, value):
    """a[slices] += value, adding where indices repeat (CuPy's extension; indices wrap)."""
    if not isinstance(a, ndarray):
        raise TypeError(f"scatter_add: expected a device array, got {type(a)}")
    np.add.at(a._host, _wrapping_index(slices, a.shape), _unwrap(value, "scatter_add"))


def _erf(x):
    """The error function, elementwise, on device arrays only."""
    host = _unwrap(x, "erf")
    try:
        from scipy.special import erf
    except ImportError:
        return _wrap(np.vectorize(math.erf, otypes=[host.dtype])(host))
    return _wrap(erf(host))


scipy = types.SimpleNamespace(special=types.SimpleNamespace(erf=_erf))
