"""MNIST: 70,000 handwritten digits, 28x28 grey pixels, in LeCun's IDX file format.

An IDX file is a big-endian header, then raw bytes: a magic number whose last two bytes give
the element type (0x08 = unsigned byte) and the number of dimensions, one 4-byte size per
dimension, then the values in C order. Images have magic 2051 (0x00000803: ubyte, 3 dims
N x 28 x 28) and labels 2049 (0x00000801: ubyte, 1 dim N).
"""

import gzip
import math
import os

import numpy as np

from ..dataset import ImageDataset
from ..download import download

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049

FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# Base URLs tried in order by download=True; each serves the four files gzipped.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]

# The published MD5 checksums of the gzipped files.
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}


class MNIST(ImageDataset):
    """The MNIST training set (60,000 digits) or, with `train=False`, its test set (10,000).

    `root` is the folder holding the IDX files, gzipped (`.gz`) or not; `root/MNIST/raw`, the
    layout torchvision uses, is searched too. `download=True` fetches missing files into
    `root`. `.data` is uint8 (N, 28, 28), `.targets` int64 (N,); a sample is a float32 image
    of 784 values in [0, 1] and its label (see `ImageDataset`).
    """

    def __init__(self, root, train=True, download=False, transform=None):
        self.root = os.fspath(root)
        self.train = train
        image_file, label_file = FILES[bool(train)]
        image_path = self._locate(image_file, download)
        label_path = self._locate(label_file, download)
        images = read_idx(image_path, IMAGE_MAGIC)
        if images.shape[1:] != (28, 28):
            raise ValueError(f"{image_path}: images are {images.shape[1:]}, expected (28, 28)")
        labels = read_idx(label_path, LABEL_MAGIC)
        if len(labels) != len(images):
            raise ValueError(
                f"{label_path} holds {len(labels)} labels "
                f"but {image_path} holds {len(images)} images"
            )
        if len(labels) and labels.max() > 9:
            raise ValueError(f"{label_path}: label {labels.max()} is not a digit 0-9")
        super().__init__(images, labels, max_value=255, transform=transform)

    def _locate(self, name, allow_download):
        """The path of `name` or `name.gz` under root (or root/MNIST/raw), downloading if asked."""
        folders = (self.root, os.path.join(self.root, "MNIST", "raw"))
        for folder in folders:
            for candidate in (name, name + ".gz"):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
        if allow_download:
            return download(name + ".gz", self.root, MIRRORS, MD5[name + ".gz"])
        raise FileNotFoundError(
            f"MNIST file {name} (or {name}.gz) not found in {folders[0]} or {folders[1]}; "
            f"pass download=True to fetch it"
        )


def read_idx(path, magic):
    """The uint8 array stored in the IDX file at `path` (gzipped if it ends in .gz).

    Checks the magic number against `magic` and that the data size matches the header, so a
    wrong, truncated or padded file is a ValueError naming the file and the problem.
    """
    try:
        with (gzip.open if path.endswith(".gz") else open)(path, "rb") as file:
            raw = file.read()
    except (EOFError, gzip.BadGzipFile) as error:
        raise ValueError(f"{path}: corrupt gzip file ({error})") from error
    if len(raw) < 4:
        raise ValueError(f"{path}: {len(raw)} bytes, too short for an IDX header")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise ValueError(f"{path}: magic number {found}, expected {magic}; not the right IDX file")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: header truncated ({len(raw)} of {header} bytes)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    size = len(raw) - header
    if size != math.prod(shape):
        raise ValueError(
            f"{path}: header announces shape {shape} ({math.prod(shape)} bytes of data) "
            f"but the file holds {size} bytes (truncated or corrupt)"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)
