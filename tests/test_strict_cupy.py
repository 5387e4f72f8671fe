"""The CuPy stand-in is as strict as CuPy where it matters, and counts host syncs.

If the stand-in were lenient (a numpy.ndarray subclass, silent conversions), the "cuda" runs of
the suite would prove nothing; these tests keep it honest.
"""

import numpy as np
import pytest

from tests import strict_cupy as cp
from tests.strict_cupy import cupyx


def test_arrays_are_not_numpy_arrays_and_refuse_implicit_conversion():
    x = cp.arange(4, dtype=cp.float32)
    assert not isinstance(x, np.ndarray) and isinstance(x, cp.ndarray)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(x)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.array(x, dtype=np.float64)


@pytest.mark.parametrize("combine", [
    lambda x, h: x + h,
    lambda x, h: h * x,
    lambda x, h: x < h,
    lambda x, h: cp.maximum(x, h),
    lambda x, h: cp.where(x > 0, h, x),
    lambda x, h: np.add(x, h),
])
def test_numpy_operands_raise_type_error(combine):
    x = cp.arange(3, dtype=cp.float32)
    with pytest.raises(TypeError):
        combine(x, np.ones(3, dtype=np.float32))


def test_scalars_and_numpy_ufuncs_on_device_arrays_work_and_stay_on_the_device():
    x = cp.arange(3, dtype=cp.float32)
    for result in (x * 2.0, np.float32(2) * x, np.exp(x), 1 - x):
        assert isinstance(result, cp.ndarray) and result.dtype == np.float32


def test_reductions_and_indexing_give_0d_arrays_not_scalars():
    x = cp.asarray(np.arange(6.0).reshape(2, 3))
    for result in (x.sum(), x.max(), x[1, 2], x.argmax(), cp.sum(x), (x > 2).any()):
        assert isinstance(result, cp.ndarray) and result.shape == ()
    assert cp.host_syncs() == cp.host_syncs()  # none of the above read the device


def test_out_of_range_integer_array_indices_wrap_like_cupy():
    x = cp.asarray(np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(x[:, [0, 3]].get(), [[0, 0], [3, 3]])
    np.testing.assert_array_equal(x[cp.asarray(np.array([-3, 2]))].get(), [[3, 4, 5], [0, 1, 2]])
    np.testing.assert_array_equal(x.take(cp.asarray(np.array([7])), axis=1).get(), [[1], [4]])
    with pytest.raises(IndexError):  # a plain integer index is checked, as in CuPy
        x[5]
    target = cp.zeros(3)
    cupyx.scatter_add(target, cp.asarray(np.array([0, 3, 4])), 1.0)
    np.testing.assert_array_equal(target.get(), [2.0, 1.0, 0.0])


def test_only_cupys_names_exist():
    rng = cp.random.default_rng(0)
    for missing in ("permutation", "shuffle", "choice", "normal", "uniform"):
        assert not hasattr(rng, missing), missing  # numpy's Generator has them, CuPy's not
    for present in ("random", "standard_normal", "integers"):
        assert callable(getattr(rng, present))
    for missing in ("errstate", "vectorize", "frompyfunc", "asmatrix"):
        assert not hasattr(cp, missing), missing
    assert callable(cp.asnumpy) and callable(cupyx.scatter_add)
    assert cp.cuda.runtime.getDeviceCount() == 1
    assert rng.integers(0, 5, size=()).shape == () and isinstance(rng.integers(3), cp.ndarray)
    assert rng.standard_normal((2, 2), dtype=np.float32).dtype == np.float32


def _assign_by_mask(x):
    x[x > 1] = 0


@pytest.mark.parametrize("read", [
    lambda x: x.get(), lambda x: cp.asnumpy(x), lambda x: x.sum().item(),
    lambda x: float(x[0]), lambda x: int(x[0]), lambda x: bool(x[0]), lambda x: x.tolist(),
    lambda x: repr(x), lambda x: x[x > 1], _assign_by_mask, lambda x: x.nonzero(),
    lambda x: cp.unique(x),
])
def test_every_host_read_is_counted_once(read):
    x = cp.arange(3, dtype=cp.float32)
    before = cp.host_syncs()
    read(x)
    assert cp.host_syncs() - before == 1
    assert "test_strict_cupy.py" in cp.sync_sites(before)[0]


def test_device_work_without_reads_costs_no_sync():
    before = cp.host_syncs()
    x = cp.random.default_rng(1).standard_normal((4, 5), dtype=np.float32)
    y = cp.maximum(x @ x.T, 0).sum(axis=1)
    y /= y.max()
    cupyx.scipy.special.erf(y)
    assert cp.host_syncs() == before
