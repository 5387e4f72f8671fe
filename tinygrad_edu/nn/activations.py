"""Activation functions as modules (the formulas are in nn.functional)."""

from .. import creation
from . import functional as F
from .module import Module
from .parameter import Parameter


class ReLU(Module):
    """y = max(x, 0)."""

    def forward(self, input):  # noqa: A002  (PyTorch's argument name)
        return F.relu(input)


class LeakyReLU(Module):
    """y = x for x > 0, negative_slope * x otherwise."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input):  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """y = x for x > 0, a * x otherwise, with learned slopes a (a Parameter `weight`): one
    shared (num_parameters=1) or one per channel on dim 1, each starting at `init`."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(creation.full((num_parameters,), init, dtype=dtype,
                                              device=device))

    def forward(self, input):  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """y = x for x > 0, alpha (exp(x) - 1) otherwise."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, input):  # noqa: A002
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x))."""

    def forward(self, input):  # noqa: A002
        return F.sigmoid(input)


class Tanh(Module):
    """y = tanh x."""

    def forward(self, input):  # noqa: A002
        return F.tanh(input)


class Softplus(Module):
    """y = log(1 + exp(beta x)) / beta, linear where beta x > threshold."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """y = x Phi(x) (approximate='none', exact with erf) or its tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate='{self.approximate}'"


class SiLU(Module):
    """y = x sigmoid(x)."""

    def forward(self, input):  # noqa: A002
        return F.silu(input)


class Softmax(Module):
    """y_i = exp(x_i) / sum_j exp(x_j) along `dim`."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """y_i = x_i - log sum_j exp(x_j) along `dim`."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class ArcTan(Module):
    """y = arctan x (no PyTorch twin)."""

    def forward(self, input):  # noqa: A002
        return F.arctan(input)


class Step(Module):
    """y = 1 for x >= 0, else 0, with zero gradient (no PyTorch twin)."""

    def forward(self, input):  # noqa: A002
        return F.step(input)
