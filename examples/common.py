"""What every example shares: its command line, its printed results and where its figure goes.

Each example is `python examples/<name>.py [--quick] [--out DIR]`: `--quick` shrinks the run
(fewer steps, less data) so the tests can run it in a few seconds; `--out` is the folder for
its figure (default examples/output/). Results are printed as `key: value` lines, one number
or word per line, so that a reader and a test can both read them.
"""

import argparse
import os

import matplotlib
import numpy as np

matplotlib.use("Agg")  # draw to files, never open a window

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu.data import datasets  # noqa: E402

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")


def example_parser(description):
    """An argument parser with the options every example takes: --quick and --out."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="a short run (used by the tests): fewer steps, less data")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"folder for the figure (default: {DEFAULT_OUT})")
    return parser


def report(key, value):
    """Print one result as `key: value` (floats with 6 significant digits)."""
    if isinstance(value, float):
        value = f"{value:.6g}"
    print(f"{key}: {value}")


def save_figure(figure, out, name):
    """Save `figure` (pyplot's or viz's) as out/name (PNG), release it, print where it went;
    returns the path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, name)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)  # frees pyplot's reference; a no-op for viz's pyplot-free figures
    report("figure", path)
    return path


def digits(train_size=None, device=None, seed=0):
    """scikit-learn's 8x8 digits as Tensors on `device`: (train images, train labels, test
    images, test labels); images float32 (N, 64) in [0, 1], labels int64. `train_size` keeps
    only that many training samples, drawn at random (seeded)."""
    train_x, train_y = datasets.Digits(train=True, seed=seed).arrays()
    test_x, test_y = datasets.Digits(train=False, seed=seed).arrays()
    if train_size is not None:
        keep = np.random.default_rng(seed).permutation(len(train_y))[:train_size]
        train_x, train_y = train_x[keep], train_y[keep]
    return tuple(tg.tensor(array, device=device) for array in (train_x, train_y, test_x, test_y))
