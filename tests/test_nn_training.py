"""A model that learns: an MLP with BatchNorm and Dropout on real MNIST digits.

Trains on the first 8,000 images of the MNIST test set and must reach 95% accuracy on the last
2,000, which it never sees. Skipped when ../shared/data/mnist (from the repo root) is absent.
"""

import os
import time

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.data.datasets import MNIST

MNIST_ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist")


def sgd_with_momentum(parameters, velocities, lr, momentum):
    """v = momentum * v + g;  p -= lr * v (PyTorch's SGD momentum), in place on the arrays."""
    for parameter, velocity in zip(parameters, velocities, strict=True):
        velocity *= momentum
        velocity += parameter.grad.data
        parameter.data -= lr * velocity


@pytest.mark.slow  # about 10 s on two cores: five epochs over 8,000 digits
@pytest.mark.skipif(not os.path.isdir(MNIST_ROOT), reason="MNIST files not found")
def test_mlp_with_batchnorm_and_dropout_learns_mnist():
    images, labels = MNIST(MNIST_ROOT, train=False).arrays()
    train_x, train_y = tg.tensor(images[:8000]), tg.tensor(labels[:8000])
    test_x, test_y = tg.tensor(images[8000:]), tg.tensor(labels[8000:])
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(256, 10))
    parameters = list(model.parameters())
    velocities = [np.zeros_like(p.data) for p in parameters]
    order_rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(5):
        model.train()
        order = order_rng.permutation(8000)
        for begin in range(0, 8000, 100):
            batch = order[begin:begin + 100]
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            model.zero_grad()
            loss.backward()
            sgd_with_momentum(parameters, velocities, lr=0.1, momentum=0.9)
    seconds = time.perf_counter() - start
    model.eval()
    with tg.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).numpy().mean()
    print(f"held-out accuracy {accuracy:.4f} after {seconds:.1f} s of training")
    assert accuracy >= 0.95
