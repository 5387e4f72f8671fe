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


class Dropout2d(Dropout):
    """Channel dropout for (N, C, H, W) or (C, H, W) input: in training each whole feature map
    is zeroed with probability p and the others scaled by 1 / (1 - p) (neighbouring pixels
    are correlated, so dropping single pixels would hardly regularize a conv layer)."""

    def forward(self, input):  # noqa: A002
        return F.dropout2d(input, self.p, self.training)
