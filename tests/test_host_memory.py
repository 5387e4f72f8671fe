"""Host memory: glibc's malloc limits are raised at import (freed arrays' memory is reused),
and TINYGRAD_EDU_MALLOC=system keeps its defaults."""

import os
import subprocess
import sys

import pytest

import tinygrad_edu as tg
from tinygrad_edu import host_memory


def glibc():
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):
        return False


def tuned_in_a_fresh_process(**environment):
    code = "import tinygrad_edu as tg; print(tg.backend.HOST_MEMORY_TUNED)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **environment}, check=True).stdout
    return output.strip() == "True"


def test_import_raises_the_limits_on_glibc_unless_told_not_to():
    if not glibc():
        assert tg.backend.HOST_MEMORY_TUNED is False
        pytest.skip("glibc only")
    if os.environ.get("TINYGRAD_EDU_MALLOC", "").lower() != "system":
        assert tg.backend.HOST_MEMORY_TUNED is True
    assert tuned_in_a_fresh_process(TINYGRAD_EDU_MALLOC="") is True
    assert tuned_in_a_fresh_process(TINYGRAD_EDU_MALLOC="system") is False
    assert host_memory.MMAP_THRESHOLD == 32 * 2**20  # glibc refuses anything larger


def test_without_glibc_nothing_is_changed(monkeypatch):
    monkeypatch.setattr(host_memory, "_glibc", lambda: None)
    monkeypatch.delenv("TINYGRAD_EDU_MALLOC", raising=False)
    assert host_memory.keep_freed_memory() is False
