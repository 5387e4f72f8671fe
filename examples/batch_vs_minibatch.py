"""Batch vs mini-batch vs stochastic gradient descent, and a learning-rate sweep.

Softmax regression on digits (one Linear layer, cross-entropy), plain SGD, the same learning
rate and the same number of epochs (passes over the data) for three batch sizes:
  batch       all N samples per step: the exact gradient, one step per epoch;
  mini-batch  32 samples per step: N/32 noisy steps per epoch;
  stochastic  1 sample per step: N very noisy steps per epoch.
Per epoch of computation the smaller batches take many more steps and get much further,
at the price of a noisy path. The sweep trains mini-batch SGD with learning rates spread
over 4 decades: too small crawls, too large bounces; the best sits in between.
"""

import numpy as np
from common import digits, example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.train import evaluate

LEARNING_RATE = 0.5


def train(data, batch_size, lr, epochs):
    """SGD on softmax regression; returns the full training loss after each epoch (the first
    entry before training) and the loss of each step's batch."""
    train_x, train_y = data
    tg.manual_seed(0)
    model = nn.Linear(64, 10)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=0)
    whole = DataLoader(TensorDataset(train_x, train_y), batch_size=len(train_y))
    epoch_losses = [evaluate(model, loss_fn, whole).loss]
    step_losses = []
    for _ in range(epochs):
        for inputs, targets in loader:
            loss = loss_fn(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
        epoch_losses.append(evaluate(model, loss_fn, whole).loss)
    return epoch_losses, step_losses


def plot(runs, sweep):
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4))
    colors = dict(zip(runs, ("C0", "C1", "C2")))
    for name, (epoch_losses, _) in runs.items():
        left.plot(epoch_losses, "o-", markersize=3, color=colors[name], label=name)
    for name, (epoch_losses, step_losses) in reversed(runs.items()):  # noisiest at the back
        steps_per_epoch = len(step_losses) / (len(epoch_losses) - 1)
        middle.plot(np.arange(1, len(step_losses) + 1) / steps_per_epoch, step_losses,
                    linewidth=0.6, alpha=0.6, color=colors[name], label=name)
    left.set(xlabel="epoch", ylabel="training loss (all samples)", yscale="log",
             title=f"same lr = {LEARNING_RATE}, same epochs")
    middle.set(xlabel="epoch", ylabel="loss of the step's batch", ylim=(0, 3),
               title="the noise of each step")
    rates, losses = zip(*sweep.items())
    right.semilogx(rates, losses, "o-")
    right.set(xlabel="learning rate", ylabel="final training loss", yscale="log",
              title="mini-batch learning-rate sweep")
    left.legend()
    middle.legend()
    return figure


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    train_x, train_y, _, _ = digits(train_size=300 if args.quick else None)
    data = (train_x, train_y)
    epochs = 3 if args.quick else 10
    runs = {}
    for name, batch_size in (("batch", len(train_y)), ("minibatch", 32), ("stochastic", 1)):
        epoch_losses, step_losses = train(data, batch_size, LEARNING_RATE, epochs)
        report(f"{name}_steps", len(step_losses))
        report(f"{name}_final_loss", epoch_losses[-1])
        runs[name] = (epoch_losses, step_losses)

    sweep = {}
    for lr in np.logspace(-2, 2, 5 if args.quick else 9):
        sweep[float(lr)] = train(data, 32, float(lr), epochs)[0][-1]
        report(f"sweep_lr_{lr:.3g}_final_loss", sweep[float(lr)])
    best = min(sweep, key=sweep.get)
    report("sweep_best_lr", best)
    save_figure(plot(runs, sweep), args.out, "batch_vs_minibatch.png")


if __name__ == "__main__":
    main()
