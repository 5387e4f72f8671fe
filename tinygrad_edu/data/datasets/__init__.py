"""Ready-made datasets: MNIST (IDX files, downloadable) and Digits (bundled with scikit-learn)."""

from .digits import Digits
from .mnist import MNIST

__all__ = ["MNIST", "Digits"]
