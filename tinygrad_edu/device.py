"""`tg.device`: a device as an object, as `torch.device`.

    tg.device("cuda:0"), tg.device("cuda", 0), tg.device("cpu")

A device is also a string equal to its type ("cpu" or "cuda"), so it can go wherever a device
name goes (`x.to(dev)`, `tg.zeros(3, device=dev)`, `x.device == dev`); `str(dev)` keeps the
index ("cuda:0") as PyTorch prints it.
"""

from .backend import canonical_device


class device(str):  # noqa: N801  (PyTorch's name)
    """A device type ("cpu" or "cuda") and an optional index (only 0: one GPU per process)."""

    def __new__(cls, type, index=None):  # noqa: A002  (PyTorch's argument name)
        if isinstance(type, device):
            return type
        name = type if index is None else f"{type}:{index}"
        kind = canonical_device(name)
        result = super().__new__(cls, kind)
        result.type = kind
        result.index = int(name.partition(":")[2]) if ":" in name else None
        return result

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"
