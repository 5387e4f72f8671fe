"""`tg.cuda.is_available()`, as in PyTorch."""

from .backend import cuda_is_available


def is_available():
    """True when device="cuda" works: CuPy is installed, sees a GPU, and compiled and ran
    a probe kernel (checked once, then cached). `tg.zeros(1, device="cuda")` raises an error
    that says what is missing when it does not."""
    return cuda_is_available()
