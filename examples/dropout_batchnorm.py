"""Dropout and BatchNorm at work on digits.

Dropout (Srivastava et al. 2014) zeroes each hidden unit with probability p during training
(and scales the rest by 1/(1-p)), so no unit can rely on specific others: a large network
trained on few samples overfits less. We train the same wide MLP on a small training set with
and without Dropout(0.5) and compare the gap between validation and training loss (both
measured in eval mode, dropout off): the overconfidence that overfitting brings.

BatchNorm (Ioffe and Szegedy 2015) normalizes each unit over the batch, y = gamma (x - mean) /
sqrt(var + eps) + beta, which keeps deep networks in a well-conditioned regime: with plain SGD
a deep sigmoid network with BatchNorm reaches a low loss in far fewer epochs than without.
"""

from common import digits, example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.train import evaluate, fit


def wide_mlp(dropout, width=256):
    """64 -> width -> width -> 10 with ReLU, optionally Dropout(0.5) after each hidden layer."""
    layers = []
    for width_in, width_out in ((64, width), (width, width)):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(0.5))
    return nn.Sequential(*layers, nn.Linear(width, 10))


def deep_sigmoid_mlp(batch_norm, depth=4, width=64):
    """`depth` hidden sigmoid layers, optionally with BatchNorm1d before each sigmoid."""
    layers, width_in = [], 64
    for _ in range(depth):
        layers.append(nn.Linear(width_in, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.Sigmoid())
        width_in = width
    return nn.Sequential(*layers, nn.Linear(width, 10))


def train(model, optimizer, data, epochs, batch_size):
    train_x, train_y, test_x, test_y = data
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=0)
    held_out = DataLoader(TensorDataset(test_x, test_y), batch_size=500)
    return fit(model, nn.CrossEntropyLoss(), optimizer, loader, epochs, val_loader=held_out,
               progress=False, log=None)


def plot(dropout_runs, batchnorm_runs):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for (name, history), color in zip(dropout_runs.items(), ("C0", "C1")):
        left.plot(history.train_accuracy, "--", color=color, label=f"{name}: train")
        left.plot(history.val_accuracy, "-", color=color, label=f"{name}: validation")
    for name, history in batchnorm_runs.items():
        right.plot(history.train_loss, label=name)
    left.set(xlabel="epoch", ylabel="accuracy",
             title="small training set: dropout (train measured with dropout on)")
    right.set(xlabel="epoch", ylabel="training loss", yscale="log",
              title="deep sigmoid MLP, SGD: BatchNorm")
    right.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    right.yaxis.set_minor_formatter(FuncFormatter(  # label 0.2, 0.3, 0.5 (not 3 x 10^-1)
        lambda value, _: f"{value:g}" if f"{value:.0e}"[0] in "235" else ""))
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    return figure


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    # --quick (a few seconds, for the tests): 128-wide layers, whose small matrix products
    # NumPy's BLAS runs on one thread (256-wide ones get spread over threads, which costs
    # milliseconds per product on a busy machine), and half the epochs.
    width, samples, epochs, lr = (128, 150, 30, 2e-3) if args.quick else (256, 200, 60, 1e-3)
    small = digits(train_size=samples)
    small_train = DataLoader(TensorDataset(small[0], small[1]), batch_size=500)
    dropout_runs = {}
    for name, dropout in (("no_dropout", False), ("dropout", True)):
        tg.manual_seed(0)
        model = wide_mlp(dropout, width)
        history = train(model, optim.Adam(model.parameters(), lr=lr), small, epochs=epochs,
                        batch_size=16)
        fitted = evaluate(model, nn.CrossEntropyLoss(), small_train)  # eval mode: no dropout
        report(f"{name}_train_accuracy", fitted.accuracy)
        report(f"{name}_validation_accuracy", history.val_accuracy[-1])
        report(f"{name}_train_loss", fitted.loss)
        report(f"{name}_validation_loss", history.val_loss[-1])
        report(f"{name}_loss_gap", history.val_loss[-1] - fitted.loss)
        dropout_runs[name] = history

    full = digits(train_size=500 if args.quick else None)
    batchnorm_runs = {}
    for name, batch_norm in (("no_batchnorm", False), ("batchnorm", True)):
        tg.manual_seed(0)
        model = deep_sigmoid_mlp(batch_norm)
        history = train(model, optim.SGD(model.parameters(), lr=0.1), full,
                        epochs=5 if args.quick else 15, batch_size=32)
        report(f"{name}_final_train_loss", history.train_loss[-1])
        report(f"{name}_final_validation_accuracy", history.val_accuracy[-1])
        batchnorm_runs[name] = history
    save_figure(plot(dropout_runs, batchnorm_runs), args.out, "dropout_batchnorm.png")


if __name__ == "__main__":
    main()
