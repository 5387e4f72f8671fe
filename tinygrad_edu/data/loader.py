"""DataLoader: walks a dataset in (optionally shuffled) batches of Tensors."""

import numpy as np

from ..backend import get_backend
from ..generator import Generator
from ..tensor import Tensor
from .dataset import Dataset, _stack


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` samples, each a tuple of Tensors.

    `shuffle=True` draws a new permutation every epoch: from `generator` (a tg.Generator) when
    given, as PyTorch; else from the loader's own NumPy generator, seeded with `seed`, so two
    loaders with the same seed yield the same batches (None: a seed drawn from tinygrad_edu's
    generator, so `tg.manual_seed` makes runs repeatable). `drop_last=True` skips a final
    batch smaller than `batch_size`. `device` moves every batch there; None leaves it where the
    dataset builds it (TensorDataset: on its tensors' device).

    The dataset is anything with `__getitem__` and `__len__` (a tinygrad_edu Dataset builds a
    whole batch at once with `get_batch`). `collate_fn(list of samples)` builds batches
    instead when given. Loading runs in this process: `num_workers` and `pin_memory` are
    accepted for PyTorch code and change nothing (the batches are the same).

        loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, seed=0)
        for xb, yb in loader:
            ...
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None,
                 device=None, generator=None, collate_fn=None, num_workers=0,
                 pin_memory=False):
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader: expected a map-style dataset (with __getitem__ and __len__, e.g. "
                f"a TensorDataset); got {type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise TypeError(f"DataLoader: batch_size must be an int; got {batch_size!r}")
        if batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be positive; got {batch_size}")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"DataLoader: generator must be a tinygrad_edu.Generator; got "
                            f"{type(generator).__name__}")
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be a non-negative int; got "
                             f"{num_workers!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.device = device
        self.generator = generator
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        if seed is None:  # follow tg.manual_seed, as PyTorch's loader follows torch.manual_seed
            seed = int(get_backend("cpu").rng.integers(2**63))
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        """Batches per epoch."""
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    def __iter__(self):
        size = len(self.dataset)
        if not self.shuffle:
            order = np.arange(size)
        elif self.generator is not None:
            order = self.generator.rng.permutation(size)
        else:
            order = self.rng.permutation(size)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = self._batch(order[start : start + self.batch_size])
            yield batch if self.device is None else _to_device(batch, self.device)

    def _batch(self, indices):
        if self.collate_fn is not None:
            return self.collate_fn([self.dataset[int(i)] for i in indices])
        if isinstance(self.dataset, Dataset):
            return self.dataset.get_batch(indices)
        return default_collate([self.dataset[int(i)] for i in indices])


def default_collate(samples):
    """PyTorch's default batching: tuples and lists field by field, dicts key by key, and
    Tensors, arrays and numbers stacked along a new first dim (ints as int64, floats as
    float64)."""
    first = samples[0]
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    if isinstance(first, tuple | list):
        return tuple(default_collate(list(column)) for column in zip(*samples, strict=True))
    return _stack(0, samples)


def _to_device(batch, device):
    if isinstance(batch, Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {key: _to_device(value, device) for key, value in batch.items()}
    return tuple(_to_device(value, device) for value in batch)
