"""Digits: scikit-learn's 1,797 handwritten digits, 8x8 pixels, bundled with it (no download)."""

import numpy as np

from ..dataset import ImageDataset


class Digits(ImageDataset):
    """The training (`train=True`) or test part of scikit-learn's 8x8 digits.

    A fixed random split, set by `seed`, puts round(`test_fraction` * 1797) images in the
    test part and the rest in the training part. `.data` is uint8 (N, 8, 8) with pixel values
    0-16, `.targets` int64; a sample is a float32 image of 64 values in [0, 1] and its label.
    Needs scikit-learn (`pip install scikit-learn`).
    """

    def __init__(self, train=True, test_fraction=0.2, seed=0, transform=None):
        if not 0 < test_fraction < 1:
            raise ValueError(f"test_fraction must be between 0 and 1; got {test_fraction}")
        try:
            from sklearn.datasets import load_digits
        except ImportError as error:
            raise ImportError(
                "Digits needs scikit-learn: pip install scikit-learn "
                "(or pip install tinygrad_edu[data])"
            ) from error
        digits = load_digits()
        order = np.random.default_rng(seed).permutation(len(digits.target))
        n_test = round(test_fraction * len(order))
        chosen = np.sort(order[n_test:] if train else order[:n_test])
        self.train = train
        images = digits.images[chosen].astype(np.uint8)
        super().__init__(images, digits.target[chosen], max_value=16, transform=transform)
