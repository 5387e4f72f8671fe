"""`Dropout`: random zeroing in training, the identity in evaluation."""

from . import functional as F
from .module import Module


class Dropout(Module):
    """In training, zero each element with probability p and scale the survivors by
    1 / (1 - p) (inverted dropout: the expected output equals the input); in eval mode,
    return the input unchanged. p must be in [0, 1]."""

    def __init__(self, p=0.5):
        super().__init__()
        F._check_probability(p, "Dropout")
        self.p = p

    def forward(self, input):  # noqa: A002  (PyTorch's argument name)
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
