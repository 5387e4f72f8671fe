"""Registry entries of clamp with Tensor bounds (ClampTensor): gradients reach the bounds too.

Samples keep every element at least 0.05 away from its bounds and keep the bounds apart
(|low - high| >= 0.1), so finite differences never straddle a switch between x, low and high.
One sample has high < low in places, where PyTorch sends every gradient to high.
"""

import numpy as np

from . import OpInfo


def _x_low_high(rng, shape, crossed=False):
    x = np.asarray((rng.integers(-8, 8, shape) + 0.5) * 0.2)  # odd multiples of 0.1
    low = np.asarray(rng.integers(-4, 0, shape) * 0.2)  # even multiples, below 0
    high = low + 0.4 + np.asarray(rng.integers(0, 4, shape) * 0.2)
    if crossed:
        high = np.where(rng.random(shape) < 0.5, low - 0.4, high)
    return x, low, high


def both_bounds(rng):
    return [_x_low_high(rng, (2, 3)), _x_low_high(rng, (4,), crossed=True),
            _x_low_high(rng, ())]


def low_only(rng):
    x, low, _ = _x_low_high(rng, (3, 4))
    return [(x, low), (x, np.asarray(-0.2))]  # the second bound broadcasts


def high_only(rng):
    x, _, high = _x_low_high(rng, (3, 4))
    return [(x, high), (x, np.asarray(0.4))]


OPS = [
    OpInfo("clamp_tensor_bounds", lambda x, low, high: x.clamp(min=low, max=high), both_bounds,
           torch_function=lambda x, low, high: x.clamp(min=low, max=high)),
    OpInfo("clamp_tensor_min", lambda x, low: x.clamp(min=low), low_only,
           torch_function=lambda x, low: x.clamp(min=low)),
    OpInfo("clamp_tensor_max", lambda x, high: x.clamp(max=high), high_only,
           torch_function=lambda x, high: x.clamp(max=high)),
]
