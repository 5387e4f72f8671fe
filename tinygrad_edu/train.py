"""A small, reusable training loop for classifiers: `fit` trains, `evaluate` measures.

One epoch is the loop every framework teaches:

    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)   # forward: builds the graph
        optimizer.zero_grad()                    # forget the last step's gradients
        loss.backward()                          # reverse pass: fills each Parameter's .grad
        optimizer.step()                         # update the Parameters' .data

`fit` repeats it for a number of epochs, prints one line per epoch (the training loss and
accuracy, and those of a validation set when given) and returns the `History` of these
numbers. A loss that stops being finite (a learning rate too large, usually) ends the run with
a FloatingPointError at the end of that epoch rather than training on NaNs. The losses and
accuracies are summed on the device and read once per epoch: no host sync per batch.
"""

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from . import optim
from .autograd import no_grad
from .combine import cat
from .nn import (
    BatchNorm2d,
    Conv2d,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
    Unflatten,
)
from .optim.lr_scheduler import ReduceLROnPlateau

# Learning rates that train a small MLP well with each optimizer (used when none is given).
DEFAULT_LEARNING_RATES = {
    "sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 1e-3, "adamw": 1e-3,
    "rmsprop": 1e-3, "adagrad": 0.05,
}


@dataclass
class Evaluation:
    """Mean loss per sample and fraction of samples classified correctly."""

    loss: float
    accuracy: float


@dataclass
class History:
    """Per-epoch numbers of a `fit` run (the validation lists stay empty without one)."""

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def make_mlp(in_features, hidden_sizes, out_features):
    """A multilayer perceptron: Linear -> ReLU for each hidden size, then a final Linear."""
    layers = []
    width = in_features
    for hidden in hidden_sizes:
        layers += [Linear(width, hidden), ReLU()]
        width = hidden
    layers.append(Linear(width, out_features))
    return Sequential(*layers)


def make_cnn(in_features, out_features, channels=(16, 32), hidden=128):
    """A LeNet-style convolutional network for square grey images given as flat rows of
    in_features = side * side pixels: Unflatten to (1, side, side), then per entry of
    `channels` a block Conv2d 5x5 ('same' padding) -> BatchNorm2d -> ReLU -> MaxPool2d 2
    (halving the image), then Flatten -> Linear(hidden) -> ReLU -> Linear(out_features)."""
    side = math.isqrt(in_features)
    if side * side != in_features or side < 2 ** len(channels):
        raise ValueError(f"make_cnn: {in_features} input features are not a square image of "
                         f"at least {2 ** len(channels)} x {2 ** len(channels)} pixels")
    layers, width = [Unflatten(1, (1, side, side))], 1
    for count in channels:
        layers += [Conv2d(width, count, 5, padding=2), BatchNorm2d(count), ReLU(),
                   MaxPool2d(2)]
        width, side = count, side // 2
    layers += [Flatten(), Linear(width * side * side, hidden), ReLU(),
               Linear(hidden, out_features)]
    return Sequential(*layers)


def make_optimizer(name, parameters, lr=None):
    """The optimizer called `name` (a key of DEFAULT_LEARNING_RATES) over `parameters`.

    "momentum" and "nesterov" are SGD with momentum 0.9 (classical or Nesterov's); the others
    are the optimizers of the same name with PyTorch's defaults. `lr=None` takes the default.
    """
    if name not in DEFAULT_LEARNING_RATES:
        raise ValueError(f"make_optimizer: unknown optimizer {name!r}; expected one of "
                         f"{sorted(DEFAULT_LEARNING_RATES)}")
    lr = DEFAULT_LEARNING_RATES[name] if lr is None else lr
    if name in ("sgd", "momentum", "nesterov"):
        momentum = 0.0 if name == "sgd" else 0.9
        return optim.SGD(parameters, lr=lr, momentum=momentum, nesterov=name == "nesterov")
    constructors = {"adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop,
                    "adagrad": optim.Adagrad}
    return constructors[name](parameters, lr=lr)


def count_correct(logits, targets):
    """How many rows of `logits` (N, classes) have their largest score at the target class."""
    return int((logits.argmax(dim=1) == targets).sum().item())


def train_epoch(model, loss_fn, optimizer, loader, progress=None):
    """One pass over `loader`, one optimizer step per batch; returns the epoch's Evaluation.

    The loss and accuracy are those of each batch at the moment it was used (the model keeps
    changing during the epoch), averaged over samples. They are kept on the device and read
    once, at the end of the epoch, so a batch costs no host sync. `progress`, if given, is a
    tqdm bar advanced once per batch and given the epoch's loss and accuracy at its end. A
    loss that is not finite raises FloatingPointError naming the first such batch.
    """
    model.train()
    totals = _Totals()
    for inputs, targets in loader:
        logits = model(inputs)
        loss = loss_fn(logits, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        totals.add(loss, logits, targets)
        if progress is not None:
            progress.update(1)
    evaluation = totals.evaluation(check_finite=True)
    if progress is not None:
        progress.set_postfix(loss=f"{evaluation.loss:.4f}", acc=f"{evaluation.accuracy:.3f}",
                             refresh=False)
    return evaluation


class _Totals:
    """Each batch's loss and the correct predictions, kept on the device and read once."""

    def __init__(self):
        self.losses, self.sizes, self.correct = [], [], None

    def add(self, loss, logits, targets):
        self.losses.append(loss.detach().reshape(1))
        self.sizes.append(len(targets))
        correct = (logits.detach().argmax(dim=1) == targets).sum()
        self.correct = correct if self.correct is None else self.correct + correct

    def evaluation(self, check_finite=False):
        """The sample-weighted mean loss and the accuracy; with check_finite, a
        FloatingPointError for the first batch whose loss was not finite."""
        seen = sum(self.sizes)
        if seen == 0:
            return Evaluation(loss=math.nan, accuracy=math.nan)
        losses = cat(self.losses).numpy()  # the one read of the epoch's losses
        if check_finite and not np.isfinite(losses).all():
            number = int(np.flatnonzero(~np.isfinite(losses))[0])
            raise FloatingPointError(
                f"the training loss became {losses[number]} at batch {number + 1}; training "
                "stopped (a smaller learning rate usually helps)")
        return Evaluation(loss=float(losses.astype(np.float64) @ self.sizes) / seen,
                          accuracy=self.correct.item() / seen)


def evaluate(model, loss_fn, loader):
    """Mean loss and accuracy of `model` over `loader`, in eval mode and without a graph.

    The model's training mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    totals = _Totals()
    with no_grad():
        for inputs, targets in loader:
            logits = model(inputs)
            totals.add(loss_fn(logits, targets), logits, targets)
    model.train(was_training)
    if not totals.sizes:
        raise ValueError("evaluate: the loader yielded no samples")
    return totals.evaluation()


def fit(model, loss_fn, optimizer, train_loader, epochs, val_loader=None, scheduler=None,
        progress=True, log=print):
    """Train for `epochs` epochs; return the `History` of per-epoch losses and accuracies.

    `val_loader`: a validation set evaluated after every epoch (carved out of the training
    data; keep the test set for one final `evaluate`). `scheduler`: a learning-rate
    scheduler stepped once per epoch (ReduceLROnPlateau gets the validation loss, or the
    training loss without one). `progress`: show a tqdm bar per epoch (when tqdm is
    installed). `log`: called with one summary line per epoch (None: silent).
    """
    if epochs < 1:
        raise ValueError(f"fit: epochs must be at least 1; got {epochs}")
    history = History()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        with _progress_bar(progress, len(train_loader), f"epoch {epoch}/{epochs}") as bar:
            try:
                train = train_epoch(model, loss_fn, optimizer, train_loader, bar)
            except FloatingPointError as error:
                raise FloatingPointError(f"fit: epoch {epoch}: {error}") from None
        history.train_loss.append(train.loss)
        history.train_accuracy.append(train.accuracy)
        line = f"epoch {epoch}/{epochs}  train loss {train.loss:.4f}  acc {train.accuracy:.4f}"
        monitored = train.loss
        if val_loader is not None:
            validation = evaluate(model, loss_fn, val_loader)
            history.val_loss.append(validation.loss)
            history.val_accuracy.append(validation.accuracy)
            line += (f"  |  validation loss {validation.loss:.4f}  "
                     f"acc {validation.accuracy:.4f}")
            monitored = validation.loss
        if scheduler is not None:
            _step_scheduler(scheduler, monitored)
        history.epoch_seconds.append(time.perf_counter() - start)
        if log is not None:
            log(f"{line}  ({history.epoch_seconds[-1] * 1000:.0f} ms)")
    return history


def _step_scheduler(scheduler, monitored_loss):
    """ReduceLROnPlateau watches a metric; every other scheduler just counts steps."""
    if isinstance(scheduler, ReduceLROnPlateau):
        scheduler.step(monitored_loss)
    else:
        scheduler.step()


class _NoBar:
    """Stands in for a tqdm bar when progress is off or tqdm is not installed."""

    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return False


def _progress_bar(enabled, total, description):
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    # leave=True: each epoch's finished bar stays on screen; disable=None: no bar at all when
    # stderr is not a terminal (a log file would collect every redraw, joined by \r).
    return tqdm(total=total, desc=description, unit="batch", leave=True, disable=None)
