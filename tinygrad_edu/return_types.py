"""The named tuple that max(dim), min(dim), sort and topk return, as PyTorch's
`torch.return_types`: `values, indices = x.max(dim)`, or `x.max(dim).values`."""

from typing import NamedTuple


class ValuesIndices(NamedTuple):
    """The selected values (differentiable) and where they were taken from (int64)."""

    values: object
    indices: object
