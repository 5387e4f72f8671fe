"""Datasets: indexable collections of samples, each sample a tuple of fields (e.g. image, label).

A dataset also knows how to build a whole batch at once (`get_batch`). The base class stacks
samples one by one, which works for anything; datasets kept in memory as arrays override it
with a single fancy index per array, which is what makes training loops fast.
"""

from abc import ABC, abstractmethod

import numpy as np

from ..tensor import Tensor


class Dataset(ABC):
    """A map-style dataset: `len(dataset)` samples, `dataset[i]` the i-th one (0 <= i < len)."""

    @abstractmethod
    def __getitem__(self, index):
        """The sample at `index`: a tuple of fields (arrays, Tensors or Python numbers)."""

    @abstractmethod
    def __len__(self):
        """The number of samples."""

    def get_batch(self, indices):
        """The samples at `indices` stacked field by field into a tuple of Tensors.

        A sample that is not a tuple counts as a single field. Python ints become int64 and
        Python floats float64, as with PyTorch's default collate.
        """
        samples = [self[int(i)] for i in indices]
        samples = [s if isinstance(s, tuple | list) else (s,) for s in samples]
        for index, sample in zip(indices, samples):
            if len(sample) != len(samples[0]):
                raise RuntimeError(
                    f"get_batch: sample {int(index)} has {len(sample)} fields but sample "
                    f"{int(indices[0])} has {len(samples[0])}; every sample of a dataset must "
                    "have the same number of fields")
        columns = zip(*samples)
        return tuple(_stack(field, column) for field, column in enumerate(columns))


def _stack(field, column):
    """One field of a batch: the samples' values stacked along a new first axis."""
    arrays = [x.numpy() if isinstance(x, Tensor) else np.asarray(x) for x in column]
    try:
        return Tensor(np.stack(arrays))
    except ValueError as error:
        raise ValueError(f"cannot batch field {field} of the samples: {error}") from error


class TensorDataset(Dataset):
    """Samples made of rows of tensors: `dataset[i] = (t[i] for t in tensors)`.

    All tensors must have the same first dimension, the number of samples. Arrays are wrapped
    in Tensors (keeping their dtype). Batches are cut with one fancy index per tensor, on the
    tensor's own device, so a dataset already on the GPU never leaves it.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        if any(t.ndim == 0 for t in tensors):
            raise ValueError("TensorDataset needs tensors with a first dimension; got a 0-d tensor")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) > 1:
            raise ValueError(
                f"TensorDataset needs tensors with the same first dimension (number of samples); "
                f"got sizes {sizes}"
            )
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def get_batch(self, indices):
        """Rows `indices` of every tensor: one fancy index each, no per-sample work."""
        rows = np.asarray(indices, dtype=np.int64)
        return tuple(t[rows] for t in self.tensors)


class ImageDataset(Dataset):
    """Labelled images in memory: integer pixels `data` (N, H, W), labels `targets` (N,) int64.

    A sample is `(image, label)`: the image as float32 in [0, 1] (pixels / `max_value`),
    flattened to H*W values, ready for a `Linear` layer; the label a Python int. `transform`,
    if given, is applied to each image. `arrays()` gives the whole set at once.
    """

    def __init__(self, data, targets, max_value, transform=None):
        if len(data) != len(targets):
            raise ValueError(f"{len(data)} images but {len(targets)} labels")
        self.data = data
        self.targets = np.asarray(targets, dtype=np.int64)
        self.max_value = max_value
        self.transform = transform

    def __getitem__(self, index):
        image = self._scale(self.data[index]).reshape(-1)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __len__(self):
        return len(self.data)

    def arrays(self, flatten=True):
        """All images as float32 in [0, 1], (N, H*W), or (N, 1, H, W) with `flatten=False`
        (one channel, for convolutions); and the int64 labels (N,). No transform is applied.

        `TensorDataset(*dataset.arrays())` gives the fastest loader, on any device.
        """
        images = self._scale(self.data)
        images = images.reshape(len(images), -1) if flatten else images[:, None]
        return images, self.targets.copy()

    def get_batch(self, indices):
        """One fancy index into the pixels (sample by sample when there is a transform)."""
        if self.transform is not None:
            return super().get_batch(indices)
        indices = np.asarray(indices, dtype=np.int64)
        images = self._scale(self.data[indices]).reshape(len(indices), -1)
        return Tensor(images), Tensor(self.targets[indices])

    def _scale(self, pixels):
        return pixels.astype(np.float32) / np.float32(self.max_value)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order: `subset[i] = dataset[indices[i]]`."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = [int(index) for index in indices]

    def __getitem__(self, index):
        if isinstance(index, list):
            return [self.dataset[self.indices[i]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)

    def get_batch(self, indices):
        """The parent's batch at the mapped indices (one fancy index for a TensorDataset)."""
        mapped = np.asarray(self.indices, dtype=np.int64)[np.asarray(indices, dtype=np.int64)]
        if isinstance(self.dataset, Dataset):
            return self.dataset.get_batch(mapped)
        return super().get_batch(indices)


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random Subsets of the given lengths (counts summing
    to len(dataset), or fractions summing to 1, the remainder dealt one by one from the first
    subset on, as PyTorch does). `generator` (a tg.Generator) makes the split repeatable."""
    from ..sampling import randperm  # sampling builds on creation, which imports Tensor

    total = len(dataset)
    lengths = list(lengths)
    if all(0 <= length <= 1 for length in lengths) and abs(sum(lengths) - 1) < 1e-9 \
            and sum(lengths) != total:
        counts = [int(np.floor(total * fraction)) for fraction in lengths]
        for position in range(total - sum(counts)):
            counts[position % len(counts)] += 1
        lengths = counts
    if sum(lengths) != total:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal "
                         f"the length of the input dataset ({total})")
    order = randperm(total, generator=generator).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + length]))
        start += length
    return subsets
