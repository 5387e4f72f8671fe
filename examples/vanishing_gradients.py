"""Vanishing gradients: per-layer gradient norms of deep sigmoid networks, ReLU and BatchNorm.

Backprop multiplies the gradient, layer after layer, by W^T and by the activation's
derivative. The sigmoid's derivative is at most 1/4, so in a deep sigmoid network the
gradient reaching the first layers shrinks roughly geometrically with depth: those layers
barely learn. ReLU's derivative is 1 where the unit is active, and BatchNorm keeps each
layer's inputs centred and scaled where the sigmoid is steepest; both keep the gradient
flowing. We compare ||dL/dW|| of each Linear layer at initialization, on one batch of
digits; `first_to_last_ratio` is the first layer's norm over the last one's.
"""

from common import digits, example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, viz

HIDDEN_WIDTH = 64


def network(depth, activation, batch_norm=False):
    """`depth` hidden layers of HIDDEN_WIDTH units: Linear [-> BatchNorm1d] -> activation."""
    layers, width = [], 64
    for _ in range(depth):
        layers.append(nn.Linear(width, HIDDEN_WIDTH))
        if batch_norm:
            layers.append(nn.BatchNorm1d(HIDDEN_WIDTH))
        layers.append(activation())
        width = HIDDEN_WIDTH
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


NETWORKS = {
    "sigmoid_2": lambda: network(2, nn.Sigmoid),
    "sigmoid_3": lambda: network(3, nn.Sigmoid),
    "sigmoid_4": lambda: network(4, nn.Sigmoid),
    "relu_4": lambda: network(4, nn.ReLU),
    "sigmoid_batchnorm_4": lambda: network(4, nn.Sigmoid, batch_norm=True),
}


def linear_gradient_norms(model):
    """||dL/dW|| of each Linear layer's weight, input layer first."""
    return [layer.weight.grad.pow(2).sum().sqrt().item()
            for layer in model.modules() if isinstance(layer, nn.Linear)]


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    train_x, train_y, _, _ = digits()
    batch = 128 if args.quick else 512
    images, labels = train_x[:batch], train_y[:batch]
    for name, make in NETWORKS.items():
        tg.manual_seed(0)
        model = make()
        nn.functional.cross_entropy(model(images), labels).backward()
        norms = linear_gradient_norms(model)
        for index, norm in enumerate(norms, start=1):
            report(f"{name}_layer{index}_grad_norm", norm)
        report(f"{name}_first_to_last_ratio", norms[0] / norms[-1])
        figure = viz.plot_gradient_flow(model, ratio_warning=1e-2,
                                        title=f"gradient flow: {name.replace('_', ' ')}")
        save_figure(figure, args.out, f"vanishing_gradients_{name}.png")


if __name__ == "__main__":
    main()
