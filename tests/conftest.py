"""Shared fixtures: every device-dependent test runs once per available device."""

import pytest

import tinygrad_edu as tg

DEVICES = tg.available_devices()


@pytest.fixture(params=DEVICES)
def device(request):
    """Each available device in turn: "cpu" always, "cuda" when CuPy sees a GPU."""
    return request.param
