"""Babysitting a network: the sanity checks to run before a long training (CS231n's recipe).

1. The initial loss: with small random weights the logits are ~0, softmax is ~uniform over
   the C classes, and cross-entropy is -ln(1/C) = ln C: ln 10 = 2.3026 for digits. A very
   different value means a bug in the loss or the initialization.
2. Overfit a tiny subset: a network that cannot reach 100% training accuracy on 20 samples
   (no regularization) has a bug, or is far too small.
3. Train for real and watch training and validation curves side by side: the gap between
   them measures overfitting.
"""

import math

from common import digits, example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, optim, viz
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.train import count_correct, fit, make_mlp

TINY_SUBSET = 20


def initial_loss(train_x, train_y):
    """Cross-entropy of a freshly initialized MLP over the whole training set."""
    model = make_mlp(64, [64], 10)
    with tg.no_grad():
        return nn.functional.cross_entropy(model(train_x), train_y).item()


def overfit_tiny_subset(images, labels, steps):
    """`steps` full-batch Adam steps on a few samples, without any regularization.

    Returns the loss per step, the first step at which every sample was classified correctly
    (None if never) and the final training accuracy."""
    model = make_mlp(64, [64], 10)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses, first_perfect = [], None
    for step in range(1, steps + 1):
        logits = model(images)
        loss = nn.functional.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if first_perfect is None and count_correct(logits.detach(), labels) == len(labels):
            first_perfect = step
    with tg.no_grad():
        accuracy = count_correct(model(images), labels) / len(labels)
    return losses, first_perfect, accuracy


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    tg.manual_seed(0)
    train_x, train_y, test_x, test_y = digits()

    measured = initial_loss(train_x, train_y)
    report("initial_loss", measured)
    report("expected_initial_loss", math.log(10))

    losses, first_perfect, accuracy = overfit_tiny_subset(train_x[:TINY_SUBSET],
                                                          train_y[:TINY_SUBSET], steps=100)
    report("tiny_subset_size", TINY_SUBSET)
    report("tiny_subset_first_step_at_100_percent",
           first_perfect if first_perfect is not None else "never")
    report("tiny_subset_train_accuracy", accuracy)
    report("tiny_subset_final_loss", losses[-1])
    save_figure(viz.plot_training_curves(train_loss=losses, x_label="step",
                                         title=f"overfitting {TINY_SUBSET} samples"),
                args.out, "babysitting_overfit.png")

    model = make_mlp(64, [64], 10)
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                  DataLoader(TensorDataset(train_x, train_y), batch_size=32, shuffle=True,
                             seed=0),
                  epochs=4 if args.quick else 25,
                  val_loader=DataLoader(TensorDataset(test_x, test_y), batch_size=500),
                  progress=False, log=None)
    report("final_train_accuracy", history.train_accuracy[-1])
    report("final_validation_accuracy", history.val_accuracy[-1])
    report("final_train_loss", history.train_loss[-1])
    report("final_validation_loss", history.val_loss[-1])
    save_figure(viz.plot_training_curves(
        train_loss=history.train_loss, val_loss=history.val_loss,
        train_accuracy=history.train_accuracy, val_accuracy=history.val_accuracy,
        title="digits MLP: training vs validation"), args.out, "babysitting_curves.png")


if __name__ == "__main__":
    main()
