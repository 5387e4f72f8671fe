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


def step_loss_bands(step_losses, steps_per_epoch, bins_per_epoch=4):
    """The spread of the step losses over time: (bin centres in epochs, 10th percentile,
    median, 90th percentile) in bins of 1/bins_per_epoch epoch (at least one step each)."""
    per_bin = max(1, round(steps_per_epoch / bins_per_epoch))
    count = len(step_losses) // per_bin
    binned = np.asarray(step_losses[: count * per_bin]).reshape(count, per_bin)
    centres = (np.arange(count) + 0.5) * per_bin / steps_per_epoch
    low, median, high = np.percentile(binned, [10, 50, 90], axis=1)
    return centres, low, median, high


def plot(runs, sweep):
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
    colors = dict(zip(runs, ("C0", "C1", "C2")))
    for name, (epoch_losses, _) in runs.items():
        left.plot(epoch_losses, "o-", markersize=3, color=colors[name], label=name)
    for name, (epoch_losses, step_losses) in runs.items():
        steps_per_epoch = len(step_losses) / (len(epoch_losses) - 1)
        centres, low, median, high = step_loss_bands(step_losses, steps_per_epoch)
        middle.fill_between(centres, low, high, color=colors[name], alpha=0.25, linewidth=0)
        middle.plot(centres, median, "o-" if steps_per_epoch == 1 else "-", markersize=3,
                    color=colors[name], label=f"{name}: median, 10-90% band")
    left.set(xlabel="epoch", ylabel="training loss (all samples)", yscale="log",
             title=f"same lr = {LEARNING_RATE}, same epochs")
    middle.set(xlabel="epoch", ylabel="loss of the step's batch", yscale="log", ylim=(1e-6, 10),
               title="the noise of each step (spread per quarter epoch)")
    rates, losses = zip(*sweep.items())
    right.semilogx(rates, losses, "o-")
    right.set(xlabel="learning rate", ylabel="final training loss", yscale="log",
              title="mini-batch learning-rate sweep")
    left.legend()
    middle.legend(loc="lower left", fontsize="small")
    return figure


def write_page(path, runs, sweep, epochs, train_size):
    """The documentation page of this example, its numbers those of this run."""
    rows = "\n".join(
        f"| {name} | {size} | {len(step_losses):,} | {epoch_losses[-1]:.3f} |"
        for (name, (epoch_losses, step_losses)), size in zip(
            runs.items(), (f"{train_size:,} (all)", "32", "1")))
    sweep_rows = "\n".join(f"| {lr:.3g} | {loss:.3f} |" for lr, loss in sweep.items())
    best = min(sweep, key=sweep.get)
    minibatch_steps = len(runs["minibatch"][1]) // epochs
    text = f"""# Batch vs mini-batch vs stochastic gradient descent

`python examples/batch_vs_minibatch.py`

<!-- Written by `python examples/batch_vs_minibatch.py --out docs/images/examples --page
docs/examples/batch_vs_minibatch.md`, the run that draws the figure below (`python
docs/make_images.py` then shrinks every PNG under docs/images): regenerate it rather than
editing the numbers. -->

Softmax regression (one `Linear(64, 10)`, cross-entropy) on {train_size:,} training digits,
plain SGD with lr {LEARNING_RATE}, {epochs} epochs for each batch size. The loss is measured
on the whole training set after each epoch.

| method | batch size | steps | final training loss |
| --- | --- | --- | --- |
{rows}

Each epoch costs the same arithmetic, but the full batch takes one exact step per epoch while
the mini-batches take {minibatch_steps} noisy ones: per unit of computation the smaller
batches get much further. The middle panel shows the price: for each quarter of an epoch,
the median loss of the steps' batches and the band holding the middle 80% of them. A single
sample's loss spreads over orders of magnitude; a batch of 32 averages most of that away. In
practice mini-batches win, since they use vectorized hardware well and their noise is
moderate.

The learning-rate sweep (mini-batches of 32, {epochs} epochs) spans {len(sweep)} rates over
four decades; the final training loss is lowest at lr {best:.3g}. Below it the steps crawl,
above it they overshoot: sweeping on a log scale finds the sweet spot.

| learning rate | final training loss |
| --- | --- |
{sweep_rows}

![Batch vs mini-batch](../images/examples/batch_vs_minibatch.png)
"""
    with open(path, "w") as file:
        file.write(text)
    report("page", path)


def main(argv=None):
    parser = example_parser(__doc__.splitlines()[0])
    parser.add_argument("--page", help="also write the documentation page (markdown) with "
                        "this run's numbers to this path")
    args = parser.parse_args(argv)
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
    if args.page:
        write_page(args.page, runs, sweep, epochs, len(train_y))


if __name__ == "__main__":
    main()
