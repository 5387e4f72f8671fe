"""`tg.cuda.is_available()`, as in PyTorch."""

from .backend import cuda_is_available


def is_available():
    """True when CuPy is installed and sees a GPU, so device="cuda" works."""
    return cuda_is_available()
