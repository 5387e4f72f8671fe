"""`tg.cuda.is_available()` and `tg.cuda.device_count()`, as in PyTorch."""

from .backend import cuda_device_count, cuda_is_available


def is_available():
    """True when CuPy is installed and sees a GPU, so device="cuda" works."""
    return cuda_is_available()


def device_count():
    """The number of GPUs CuPy sees (0 when there is none); tinygrad_edu uses the first."""
    return cuda_device_count()
