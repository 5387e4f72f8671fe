"""Shared fixtures: every device-dependent test runs once per device.

The devices are "cpu" and "cuda". Without a GPU, "cuda" is a strict, NumPy-backed stand-in for
CuPy (tests/strict_cupy), registered with `tinygrad_edu.backend.register_backend`, so CI runs
every "cuda" code path; with CuPy and a GPU it is the real one. Environment variables:
  TG_TEST_DEVICES=cuda       run device-parametrized tests on these devices only
                             (comma-separated; benchmarks/gpu_check.sh uses "cuda")
  TG_TEST_REAL_CUDA_ONLY=1   never install the stand-in (a GPU check must not pass on it)
  TG_TEST_DEFAULT_DEVICE=cuda  run the whole suite with this default device
                             (tg.set_default_device): tests that name no device run there
"""

import os

import pytest

import tinygrad_edu as tg
from tinygrad_edu import backend

REAL_CUDA = tg.cuda.is_available()
if not REAL_CUDA and os.environ.get("TG_TEST_REAL_CUDA_ONLY") != "1":
    from tests import strict_cupy
    from tests.strict_cupy import cupyx as strict_cupyx

    backend.register_backend("cuda", strict_cupy, strict_cupyx)
if os.environ.get("TG_TEST_DEFAULT_DEVICE"):
    tg.set_default_device(os.environ["TG_TEST_DEFAULT_DEVICE"])
STAND_IN_CUDA = not REAL_CUDA and "cuda" in tg.available_devices()

DEVICES = tuple(device for device in tg.available_devices()
                if device in os.environ.get("TG_TEST_DEVICES", "cpu,cuda").split(","))


@pytest.fixture(params=DEVICES)
def device(request):
    """Each device in turn: "cpu", and "cuda" (a GPU, or the strict CuPy stand-in)."""
    return request.param


@pytest.fixture(params=DEVICES)
def default_device(request):
    """Each device in turn as the default device (tg.set_default_device): a test module that
    uses it (`pytestmark = pytest.mark.usefixtures("default_device")`) runs whole on every
    device, its tensors, models and data created there without naming a device."""
    previous = tg.get_default_device()
    tg.set_default_device(request.param)
    yield request.param
    tg.set_default_device(previous)
