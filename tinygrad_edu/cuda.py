"""`tg.cuda.is_available()` and `tg.cuda.device_count()`, as in PyTorch."""

from .backend import cuda_device_count, cuda_is_available


def is_available():
    """True when device="cuda" works: CuPy is installed, sees a GPU, and compiled and ran
    a probe kernel (checked once, then cached). `tg.zeros(1, device="cuda")` raises an error
    that says what is missing when it does not."""
    return cuda_is_available()


def device_count():
    """The number of GPUs CuPy sees (0 when there is none); tinygrad_edu uses the first."""
    return cuda_device_count()
