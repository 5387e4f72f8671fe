"""`BatchNorm1d`, `BatchNorm2d`: per-channel normalization with batch statistics (training)
or running estimates of them (evaluation)."""

from .. import creation
from ..tensor import Tensor, int64
from . import functional as F
from .module import Module
from .normalization import add_affine_parameters


class BatchNorm1d(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per feature C, for inputs (N, C) or
    (N, C, L) (statistics over N, or over N and L).

    Training: mean and biased var of the batch normalize; the running estimates move towards
    the batch's mean and unbiased var: running = (1 - momentum) * running + momentum * batch
    (momentum=None: the cumulative average over all batches so far, momentum = 1 / batches).
    Evaluation: running_mean and running_var are used. affine=False: no weight and bias.
    track_running_stats=False: no running estimates; batch statistics in both modes.
    Buffers running_mean, running_var and num_batches_tracked are in state_dict().
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        add_affine_parameters(self, (num_features,), affine, affine, dtype, device)
        if track_running_stats:
            self.register_buffer("running_mean",
                                 creation.zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var",
                                 creation.ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", Tensor(0, dtype=int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    input_dims = (2, 3)  # the input shapes this layer takes: (N, C) or (N, C, L)
    input_shapes = "(N, {C}) or (N, {C}, L)"

    def forward(self, input):  # noqa: A002  (PyTorch's argument name)
        if input.ndim not in self.input_dims or input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected input of shape "
                             f"{self.input_shapes.format(C=self.num_features)}, got "
                             f"{input.shape}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:  # the cumulative average, on the device (no host sync)
                momentum = (1.0 / self.num_batches_tracked._data).astype(input.dtype)
        use_batch_statistics = self.training or self.running_mean is None
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if keep_running else None,
            self.running_var if keep_running else None,
            self.weight, self.bias, use_batch_statistics, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm2d(BatchNorm1d):
    """BatchNorm1d for images: y = (x - mean) / sqrt(var + eps) * weight + bias per channel C
    of (N, C, H, W) input, the statistics taken over N, H and W (one mean and variance per
    feature map). Same arguments, buffers and state dict as PyTorch's BatchNorm2d."""

    input_dims = (4,)
    input_shapes = "(N, {C}, H, W)"
