"""`tinygrad_edu.utils.data`: the `torch.utils.data` path to the data-loading classes, which
live in `tinygrad_edu.data`.

    from tinygrad_edu.utils.data import DataLoader, TensorDataset, random_split
"""

from ..data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate",
           "random_split"]
