"""Random hyperparameter search in log space, coarse then fine (Bergstra and Bengio 2012).

Learning rate and L2 strength (weight decay) matter by orders of magnitude, so each is drawn
log-uniformly: 10^u with u uniform in a range of exponents. Random search beats a grid when
only some hyperparameters matter: every trial tries a new value of each. A coarse stage
spans several decades with short training runs; a fine stage zooms in, one decade wide,
around the best coarse trial. Trials are scored on a validation split carved out of the
training set; the test set stays untouched.
"""

import numpy as np
from common import digits, example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.train import evaluate, fit, make_mlp

COARSE_RANGES = {"lr": (-4.0, 0.0), "weight_decay": (-6.0, -1.0)}  # exponents of 10
FINE_HALF_WIDTH = 0.5  # decades on each side of the best coarse value


def sample(ranges, count, rng):
    """`count` trials, each {name: 10^u} with u uniform in that name's (low, high)."""
    return [{name: float(10 ** rng.uniform(low, high)) for name, (low, high) in ranges.items()}
            for _ in range(count)]


def score(trial, data, epochs):
    """Validation accuracy of a small MLP trained with SGD (momentum 0.9) under `trial`."""
    train_x, train_y, val_x, val_y = data
    tg.manual_seed(0)
    model = make_mlp(64, [32], 10)
    optimizer = optim.SGD(model.parameters(), lr=trial["lr"], momentum=0.9,
                          weight_decay=trial["weight_decay"])
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=32, shuffle=True, seed=0)
    fit(model, loss_fn, optimizer, loader, epochs, progress=False, log=None)
    held_out = DataLoader(TensorDataset(val_x, val_y), batch_size=500)
    return evaluate(model, loss_fn, held_out).accuracy


def search(ranges, count, rng, data, epochs):
    """Score `count` random trials; returns a list of (trial, validation accuracy)."""
    return [(trial, score(trial, data, epochs)) for trial in sample(ranges, count, rng)]


def zoom(best_trial):
    """Exponent ranges FINE_HALF_WIDTH decades around the best trial, inside the coarse ones."""
    ranges = {}
    for name, (low, high) in COARSE_RANGES.items():
        center = np.log10(best_trial[name])
        ranges[name] = (max(low, center - FINE_HALF_WIDTH), min(high, center + FINE_HALF_WIDTH))
    return ranges


def plot(stages):
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.5, 5))
    for (name, results), marker in zip(stages.items(), ("o", "^")):
        lrs = [trial["lr"] for trial, _ in results]
        decays = [trial["weight_decay"] for trial, _ in results]
        points = axes.scatter(lrs, decays, c=[accuracy for _, accuracy in results], vmin=0,
                              vmax=1, cmap="viridis", marker=marker, s=50, edgecolors="k",
                              label=name)
    figure.colorbar(points, label="validation accuracy")
    axes.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="weight decay (L2)",
             title="random search: coarse, then fine")
    axes.legend()
    return figure


def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    train_x, train_y, _, _ = digits(train_size=600 if args.quick else None)
    split = len(train_y) * 3 // 4
    data = (train_x[:split], train_y[:split], train_x[split:], train_y[split:])
    count, epochs = (6, 2) if args.quick else (16, 5)
    rng = np.random.default_rng(0)

    coarse = search(COARSE_RANGES, count, rng, data, epochs)
    coarse_best, coarse_accuracy = max(coarse, key=lambda result: result[1])
    fine_ranges = zoom(coarse_best)
    fine = search(fine_ranges, count, rng, data, epochs)
    fine_best, fine_accuracy = max(fine, key=lambda result: result[1])

    for name, (low, high) in COARSE_RANGES.items():
        report(f"coarse_{name}_range", f"1e{low:g} .. 1e{high:g}")
    report("coarse_best_lr", coarse_best["lr"])
    report("coarse_best_weight_decay", coarse_best["weight_decay"])
    report("coarse_best_accuracy", coarse_accuracy)
    report("coarse_worst_accuracy", min(accuracy for _, accuracy in coarse))
    for name, (low, high) in fine_ranges.items():
        report(f"fine_{name}_exponents", f"{low:.4f} .. {high:.4f}")
    report("fine_best_lr", fine_best["lr"])
    report("fine_best_weight_decay", fine_best["weight_decay"])
    report("fine_best_accuracy", fine_accuracy)
    report("fine_worst_accuracy", min(accuracy for _, accuracy in fine))
    save_figure(plot({"coarse": coarse, "fine": fine}), args.out, "hyperparameter_search.png")


if __name__ == "__main__":
    main()
