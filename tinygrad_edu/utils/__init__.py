"""`tinygrad_edu.utils`: the `torch.utils` path; `utils.data` holds the data-loading classes."""

from . import data

__all__ = ["data"]
