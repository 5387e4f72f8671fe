"""DataLoader: walks a dataset in (optionally shuffled) batches of Tensors."""

import numpy as np

from ..backend import get_backend
from .dataset import Dataset


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` samples, each a tuple of Tensors.

    `shuffle=True` draws a new permutation every epoch from the loader's own NumPy generator,
    seeded with `seed`, so two loaders with the same seed yield the same batches (None: a seed
    drawn from tinygrad_edu's generator, so `tg.manual_seed` makes runs repeatable).
    `drop_last=True` skips a final batch smaller than `batch_size`. `device` moves every batch
    there; None leaves it where the dataset builds it (TensorDataset: on its tensors' device).

        loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, seed=0)
        for xb, yb in loader:
            ...
    """

    def __init__(
        self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None, device=None
    ):
        if not isinstance(dataset, Dataset):
            raise TypeError(
                f"DataLoader needs a tinygrad_edu.data.Dataset (wrap arrays in TensorDataset); "
                f"got {type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise TypeError(f"batch_size must be an int; got {batch_size!r}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive; got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.device = device
        if seed is None:  # follow tg.manual_seed, as PyTorch's loader follows torch.manual_seed
            seed = int(get_backend("cpu").rng.integers(2**63))
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        """Batches per epoch."""
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    def __iter__(self):
        size = len(self.dataset)
        order = self.rng.permutation(size) if self.shuffle else np.arange(size)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = self.dataset.get_batch(order[start : start + self.batch_size])
            yield batch if self.device is None else tuple(t.to(self.device) for t in batch)
