"""The `tinygrad-edu` command line (also `python -m tinygrad_edu`).

    tinygrad-edu train                       # an MLP on scikit-learn's 8x8 digits, ~10 s
    tinygrad-edu train --model cnn           # a LeNet-style convolutional network instead
    tinygrad-edu train --dataset mnist --data-dir data/mnist --download --optimizer sgd

`train` loads a dataset, sets a validation set aside from its training part, trains a
multilayer perceptron (or, with `--model cnn`, the CNN of `tinygrad_edu.train.make_cnn`) with
`tinygrad_edu.train.fit` (validation loss and accuracy after every epoch), measures the test
set once at the end, and writes into its run folder: metrics.json
(settings, per-epoch history, test accuracy), curves.png (loss and accuracy per epoch),
graph.svg (the graph of one batch's loss; graph.dot when Graphviz's `dot` is missing) and
model.npz (the weights, readable with `tg.load`).

A mistake in the arguments or the data (a missing file, a failed download, a missing
package) is one line on stderr under `train`'s usage, exit status 2, and no run folder. A
training run whose loss stops being finite ends with exit status 1.
"""

import argparse
import json
import os
import shutil
import sys
import time
from datetime import datetime

import numpy as np

from . import __version__, nn, viz
from .backend import get_backend, manual_seed
from .data import DataLoader, TensorDataset, datasets
from .serialization import save
from .tensor import Tensor
from .train import DEFAULT_LEARNING_RATES, evaluate, fit, make_cnn, make_mlp, make_optimizer

# With only MNIST's test files (t10k, 10,000 images), this fraction trains (8,000) and the rest
# (2,000) is the test set.
MNIST_T10K_TRAIN_FRACTION = 0.8
# The share of the training part set aside as the validation set, watched after every epoch
# (the test set is measured once, at the end, as the hyperparameter-search example teaches).
VALIDATION_FRACTION = 0.1
EVAL_BATCH_SIZE = 1000


def build_parsers():
    """(the top-level parser, the `train` subcommand's parser)."""
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu", description="tinygrad_edu: a small deep-learning framework."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = commands.add_parser(
        "train", help="train an MLP (or CNN) classifier end to end and save its outputs",
        description="Train a multilayer perceptron or a convolutional network on digits or "
        "MNIST, print per-epoch loss and accuracy (training and validation), measure the test "
        "set once at the end, and save curves, the graph, metrics and weights to a run folder.",
    )
    train.add_argument("--model", choices=("mlp", "cnn"), default="mlp",
                       help="mlp: Linear+ReLU layers of --hidden sizes (default); cnn: "
                       "LeNet-style, two Conv2d-BatchNorm2d-ReLU-MaxPool2d blocks")
    train.add_argument("--dataset", choices=("digits", "mnist"), default="digits",
                       help="digits: scikit-learn's 8x8 digits, no download (default: "
                       "%(default)s); mnist: IDX files from --data-dir")
    train.add_argument("--data-dir", metavar="DIR",
                       help="folder holding MNIST's IDX files (gzipped or not); with only the "
                       "t10k files, a seeded random 8000/2000 split of them is the training "
                       "part and the test set")
    train.add_argument("--download", action="store_true",
                       help="fetch MNIST's missing files into --data-dir (checked against "
                       "their published MD5 sums)")
    train.add_argument("--optimizer", choices=sorted(DEFAULT_LEARNING_RATES), default="adam",
                       help="(default: %(default)s)")
    train.add_argument("--lr", type=float, metavar="LR",
                       help="learning rate (default per optimizer: " + ", ".join(
                           f"{name} {lr:g}" for name, lr in DEFAULT_LEARNING_RATES.items()) + ")")
    train.add_argument("--epochs", type=int, default=20, help="(default: %(default)s)")
    train.add_argument("--batch-size", type=int, default=32, help="(default: %(default)s)")
    train.add_argument("--hidden", type=int, nargs="+", default=[128, 64], metavar="N",
                       help="hidden layer sizes of the mlp (default: 128 64)")
    train.add_argument("--device", default="cpu",
                       help="cpu, or cuda (also spelled cuda:0) (default: %(default)s)")
    train.add_argument("--seed", type=int, default=0, help="seeds the weights, the data "
                       "splits and the batch order (default: %(default)s)")
    train.add_argument("--out", metavar="DIR",
                       help="run folder (default: runs/<dataset>-<model>-<timestamp>)")
    train.add_argument("--no-progress", action="store_true",
                       help="no progress bars (they are off anyway when stderr is not a "
                       "terminal)")
    return parser, train


def check_train_arguments(parser, args):
    """Reject values argparse's types cannot catch, with parser.error (exit status 2)."""
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1; got "
                         f"{getattr(args, name)}")
    if args.lr is not None and not 0 < args.lr < float("inf"):
        parser.error(f"--lr must be a positive finite number; got {args.lr}")
    if any(size < 1 for size in args.hidden):
        parser.error(f"--hidden sizes must be at least 1; got {args.hidden}")
    if args.dataset != "mnist":
        for option, given in (("--data-dir", args.data_dir), ("--download", args.download)):
            if given:
                parser.error(f"{option} is for --dataset mnist; got --dataset {args.dataset}")
    if args.dataset == "mnist" and args.data_dir is None:
        parser.error("--dataset mnist needs --data-dir DIR, the folder holding its IDX files")
    if args.dataset == "mnist" and not args.download and not os.path.isdir(args.data_dir):
        parser.error(f"--data-dir {args.data_dir}: no such folder (add --download to fetch "
                     "MNIST into it)")
    if args.out is not None and os.path.exists(args.out) and not os.path.isdir(args.out):
        parser.error(f"--out {args.out}: exists and is not a folder")
    args.device = device_name(parser, args.device)


def device_name(parser, device):
    """The library's name for `--device` ("cuda:0" is "cuda"), checked to be usable here."""
    name = "cuda" if device == "cuda:0" else device
    if name.startswith("cuda:"):
        parser.error(f"--device {device}: tinygrad_edu runs on one GPU, cuda (or cuda:0)")
    try:
        get_backend(name)
    except (ValueError, RuntimeError) as error:
        parser.error(f"--device {device}: {error}")
    return name


def load_split(dataset, data_dir, seed, download=False):
    """(train images, train labels, test images, test labels, a description) as NumPy arrays.

    Images are float32 rows in [0, 1], labels int64. MNIST uses its 60,000/10,000 split when
    the training files are there (or `download` fetches them), else splits the t10k files at
    random (seeded).
    """
    if dataset == "digits":
        train = datasets.Digits(train=True, seed=seed)
        test = datasets.Digits(train=False, seed=seed)
        return (*train.arrays(), *test.arrays(), "scikit-learn digits (8x8), 80/20 split")
    test = datasets.MNIST(data_dir, train=False, download=download)
    try:
        train = datasets.MNIST(data_dir, train=True, download=download)
    except FileNotFoundError:
        images, labels = test.arrays()
        order = np.random.default_rng(seed).permutation(len(labels))
        cut = round(MNIST_T10K_TRAIN_FRACTION * len(order))
        fit_rows, held_rows = order[:cut], order[cut:]
        description = (f"MNIST t10k files only: {len(fit_rows)} train / {len(held_rows)} test")
        return images[fit_rows], labels[fit_rows], images[held_rows], labels[held_rows], description
    return (*train.arrays(), *test.arrays(), f"MNIST {len(train):,} train / {len(test):,} test")


def split_validation(images, labels, seed):
    """(train images, train labels, validation images, validation labels): a seeded random
    VALIDATION_FRACTION of the training part, at least one sample, set aside."""
    order = np.random.default_rng(seed).permutation(len(labels))
    count = max(1, round(VALIDATION_FRACTION * len(order)))
    kept, validation = np.sort(order[count:]), np.sort(order[:count])
    return images[kept], labels[kept], images[validation], labels[validation]


def default_run_folder(dataset, model="mlp"):
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = os.path.join("runs", f"{dataset}-{model}-{stamp}")
    suffix = 1
    while os.path.exists(folder):
        suffix += 1
        folder = os.path.join("runs", f"{dataset}-{model}-{stamp}-{suffix}")
    return folder


def one_line(error):
    """An exception's message on one line (a download failure lists every mirror)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:1] + ["; ".join(lines[1:])] if len(lines) > 1 else lines)


def run_train(args, parser):
    """The `train` command: data, model, fit, evaluate, then write the run folder."""
    manual_seed(args.seed)
    try:
        train_x, train_y, test_x, test_y, description = load_split(
            args.dataset, args.data_dir, args.seed, download=args.download)
    except (OSError, ValueError, RuntimeError, ImportError) as error:
        parser.error(one_line(error).replace("pass download=True", "add --download"))
    train_x, train_y, val_x, val_y = split_validation(train_x, train_y, args.seed)
    train_set, val_set, test_set = (
        TensorDataset(*(Tensor(a, device=args.device) for a in arrays))
        for arrays in ((train_x, train_y), (val_x, val_y), (test_x, test_y)))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, seed=args.seed)
    val_loader = DataLoader(val_set, batch_size=EVAL_BATCH_SIZE)
    test_loader = DataLoader(test_set, batch_size=EVAL_BATCH_SIZE)

    classes = int(max(train_y.max(), test_y.max())) + 1
    if args.model == "cnn":
        model = make_cnn(train_x.shape[1], classes).to(args.device)
    else:
        model = make_mlp(train_x.shape[1], args.hidden, classes).to(args.device)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    loss_fn = nn.CrossEntropyLoss()
    print(f"data: {description} ({len(train_set)} train, {len(val_set)} validation, "
          f"{len(test_set)} test)")
    print(f"model: {model}")
    print(f"optimizer: {args.optimizer}, lr {optimizer.param_groups[0]['lr']:g}, "
          f"batch size {args.batch_size}, {args.epochs} epochs on {args.device}")

    start = time.perf_counter()
    try:
        history = fit(model, loss_fn, optimizer, train_loader, args.epochs,
                      val_loader=val_loader, progress=not args.no_progress)
    except FloatingPointError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    final = evaluate(model, loss_fn, test_loader)
    print(f"test accuracy: {final.accuracy:.4f}")
    print(f"test loss: {final.loss:.4f}")
    print(f"training seconds: {seconds:.1f}")

    out = args.out or default_run_folder(args.dataset, args.model)
    metrics = {
        "dataset": description,
        "settings": {**vars(args), "lr": optimizer.param_groups[0]["lr"], "out": out},
        "parameters": sum(p.numel() for p in model.parameters()),
        "history": history.as_dict(),
        "validation_accuracy": history.val_accuracy[-1],
        "test_accuracy": final.accuracy,
        "test_loss": final.loss,
        "training_seconds": seconds,
    }
    created = not os.path.exists(out)
    try:
        os.makedirs(out, exist_ok=True)
        write_outputs(out, model, loss_fn, train_set, args.batch_size, history, metrics)
    except BaseException as error:
        if created:  # no half-filled run folder
            shutil.rmtree(out, ignore_errors=True)
        if isinstance(error, OSError):  # a folder that cannot be made or written
            parser.error(f"--out {out}: {one_line(error)}")
        raise
    print(f"outputs: {out}")
    return 0


def write_outputs(out, model, loss_fn, train_set, batch_size, history, metrics):
    """metrics.json, model.npz, curves.png and graph.svg (graph.dot without `dot`) in `out`."""
    with open(os.path.join(out, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    save(model.state_dict(), os.path.join(out, "model.npz"))
    try:
        viz.plot_training_curves(
            train_loss=history.train_loss, val_loss=history.val_loss,
            train_accuracy=history.train_accuracy, val_accuracy=history.val_accuracy,
            title=f"{metrics['dataset']}: test accuracy {metrics['test_accuracy']:.4f}",
            path=os.path.join(out, "curves.png"))
    except ImportError as error:
        print(f"curves: not drawn: {error}")
    inputs, targets = train_set.get_batch(np.arange(min(batch_size, len(train_set))))
    inputs.name, targets.name = "images", "labels"
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    dot_text = viz.graph_to_dot(loss, params=model, collapse_modules=[nn.Linear, nn.Conv2d],
                                title="one training batch's loss")
    model.zero_grad()
    try:
        path = viz.render(dot_text, os.path.join(out, "graph.svg"), format="svg")
    except viz.DotNotFoundError as error:
        print(f"graph: {error}")
    else:
        print(f"graph: {path}")


def main(argv=None):
    """Entry point of `tinygrad-edu` and `python -m tinygrad_edu`; returns the exit status."""
    parser, train_parser = build_parsers()
    args = parser.parse_args(argv)
    if args.command == "train":
        check_train_arguments(train_parser, args)
        return run_train(args, train_parser)
    parser.error(f"unknown command {args.command!r}")
