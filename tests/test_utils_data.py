"""tinygrad_edu.utils.data, the torch.utils.data path: Subset, random_split, and the
DataLoader's generator=, collate_fn= and num_workers=."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split


def test_the_torch_path_holds_the_same_classes():
    import tinygrad_edu.data as data

    assert DataLoader is data.DataLoader and TensorDataset is data.TensorDataset
    assert tg.utils.data.Subset is Subset


def test_random_split_with_counts_and_fractions():
    dataset = TensorDataset(tg.arange(10))
    first, second = random_split(dataset, [7, 3], generator=tg.Generator().manual_seed(0))
    assert (len(first), len(second)) == (7, 3)
    values = [int(first[i][0]) for i in range(7)] + [int(second[i][0]) for i in range(3)]
    assert sorted(values) == list(range(10))
    again = random_split(dataset, [7, 3], generator=tg.Generator().manual_seed(0))
    assert [int(again[0][i][0]) for i in range(7)] == values[:7]
    parts = random_split(dataset, [0.5, 0.3, 0.2], generator=tg.Generator().manual_seed(1))
    assert [len(part) for part in parts] == [5, 3, 2]
    uneven = random_split(TensorDataset(tg.arange(11)), [0.5, 0.5])
    assert [len(part) for part in uneven] == [6, 5]  # the remainder goes to the first
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(dataset, [5, 4])


def test_subset_batches_through_its_parent():
    dataset = TensorDataset(tg.arange(10) * 10, tg.arange(10))
    subset = Subset(dataset, [9, 0, 4])
    assert [int(subset[i][1]) for i in range(3)] == [9, 0, 4]
    xb, yb = next(iter(DataLoader(subset, batch_size=3)))
    assert xb.tolist() == [90, 0, 40] and yb.tolist() == [9, 0, 4]


def test_loader_generator_repeats_the_shuffle_and_follows_its_state():
    dataset = TensorDataset(tg.arange(20))

    def epoch(loader):
        return [batch[0].tolist() for batch in loader]

    first = epoch(DataLoader(dataset, batch_size=6, shuffle=True,
                             generator=tg.Generator().manual_seed(3)))
    second = epoch(DataLoader(dataset, batch_size=6, shuffle=True,
                              generator=tg.Generator().manual_seed(3)))
    assert first == second and sorted(sum(first, [])) == list(range(20))
    generator = tg.Generator().manual_seed(3)
    loader = DataLoader(dataset, batch_size=6, shuffle=True, generator=generator)
    assert epoch(loader) == first and epoch(loader) != first  # a new order each epoch


def test_collate_fn_and_num_workers():
    class Pairs(Dataset):
        def __getitem__(self, index):
            return {"x": np.full(2, index, dtype=np.float32), "y": index}

        def __len__(self):
            return 5

    batch = next(iter(DataLoader(Pairs(), batch_size=2, collate_fn=lambda samples: samples)))
    assert [sample["y"] for sample in batch] == [0, 1]
    plain = next(iter(DataLoader([{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}], batch_size=2,
                                 num_workers=2)))
    assert plain["x"].dtype == tg.float64 and plain["y"].tolist() == [2, 4]
    with pytest.raises(TypeError, match="generator must be a tinygrad_edu.Generator"):
        DataLoader(TensorDataset(tg.arange(3)), generator=np.random.default_rng(0))
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(TensorDataset(tg.arange(3)), num_workers=-1)
