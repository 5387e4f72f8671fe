"""Data loading: datasets hold samples, a DataLoader turns them into batches of Tensors.

    from tinygrad_edu.data import DataLoader, TensorDataset, datasets

    train = datasets.MNIST("data/mnist", train=True, download=True)
    for images, labels in DataLoader(train, batch_size=128, shuffle=True, seed=0):
        ...  # images: float32 (128, 784) in [0, 1]; labels: int64 (128,)
"""

from . import datasets
from .dataset import Dataset, ImageDataset, Subset, TensorDataset, random_split
from .loader import DataLoader, default_collate

__all__ = ["DataLoader", "Dataset", "ImageDataset", "Subset", "TensorDataset", "datasets",
           "default_collate", "random_split"]
