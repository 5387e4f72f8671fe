"""Loss functions (exported through nn.functional as F.*): a per-element or per-sample loss l,
then reduced by `reduction`: "mean" (the default), "sum", or "none" (l itself).

Regression losses take input and target of the same shape; gradients flow to both. The
classification losses take class scores of shape (N, C), (C,) or (N, C, d1, ...) and integer
class indices of shape (N,), () or (N, d1, ...).
"""

import math

from ..autograd.function import constant
from ..backend import xp_of
from ..ops.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CrossEntropy
from ..tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, name):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _as_tensor(value, like):
    return value if isinstance(value, Tensor) else Tensor(value, device=like.device)


def _regression_pair(input, target, reduction, name):  # noqa: A002  (PyTorch's argument name)
    """Check a (input, target) pair of a loss that compares them elementwise."""
    _check_reduction(reduction, name)
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ValueError(f"{name}: target shape {target.shape} must match input shape "
                         f"{input.shape}")
    if input.dtype.kind != "f" or target.dtype.kind != "f":
        raise TypeError(f"{name}: input and target must be floating point, got "
                        f"{input.dtype} and {target.dtype}")
    return target


def mse_loss(input, target, reduction="mean"):  # noqa: A002
    """l = (x - y)^2."""
    target = _regression_pair(input, target, reduction, "mse_loss")
    difference = input - target
    return _reduce(difference * difference, reduction)


def l1_loss(input, target, reduction="mean"):  # noqa: A002
    """l = |x - y|."""
    target = _regression_pair(input, target, reduction, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):  # noqa: A002
    """l = d^2 / 2 for d = |x - y| < delta, else delta (d - delta / 2): quadratic near 0,
    linear (robust to outliers) beyond delta. Computed as q (d - q / 2) with q = min(d, delta),
    one formula for both pieces."""
    target = _regression_pair(input, target, reduction, "huber_loss")
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    distance = (input - target).abs()
    inner = distance.clamp(max=delta)
    return _reduce(inner * (distance - inner * 0.5), reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):  # noqa: A002
    """l = -w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1], each log clamped
    at -100 as PyTorch does (so x = 0 or 1 gives a finite loss)."""
    target = _regression_pair(input, target, reduction, "binary_cross_entropy")
    for name, data, hint in (("input", input._data, " (use binary_cross_entropy_with_logits "
                                                     "for unbounded scores)"),
                             ("target", target._data, "")):
        if data.size and (float(data.min()) < 0 or float(data.max()) > 1):  # RuntimeError,
            raise RuntimeError(  # as PyTorch's "all elements of ... should be between 0 and 1"
                f"binary_cross_entropy: {name} values must be probabilities in [0, 1], got "
                f"values in [{float(data.min())}, {float(data.max())}]{hint}")
    losses = BinaryCrossEntropy.apply(input, target)
    return _reduce(losses if weight is None else losses * weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean"):  # noqa: A002
    """Binary cross-entropy of sigmoid(x), stably: l = w (max(x, 0) - x y + log(1 + exp(-|x|)))."""
    target = _regression_pair(input, target, reduction, "binary_cross_entropy_with_logits")
    losses = BinaryCrossEntropyWithLogits.apply(input, target)
    return _reduce(losses if weight is None else losses * weight, reduction)


# ----- classification: scores (N, C) against integer class indices (N,) ---------------------


def _class_rows(input, target, name):  # noqa: A002
    """Scores as rows (M, C) and targets as a vector (M,), after checking the target's dtype
    and shape; also the shape that reduction="none" gives back."""
    target = _as_tensor(target, input)
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer class indices (e.g. int64), got "
                        f"dtype {target.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    expected = () if input.ndim == 1 else input.shape[:1] + input.shape[2:]
    if target.shape != expected:
        raise ValueError(f"{name}: target of shape {target.shape} does not fit input of shape "
                         f"{input.shape} (classes on dim {min(input.ndim - 1, 1)}): expected "
                         f"target shape {expected}")
    if input.ndim == 2:
        return input, target, expected
    if input.ndim == 1:
        rows = input.reshape(1, input.shape[0])
    else:
        rows = input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])
    return rows, target.reshape(-1), expected


def _check_class_range(targets, classes, name, ignore_index=None):
    """IndexError unless every target is in [0, classes) (or equals ignore_index)."""
    outside = (targets < 0) | (targets >= classes)
    if ignore_index is not None:
        outside &= targets != ignore_index
    if outside.any():
        bad = targets[outside][:5].tolist()
        allowed = "" if ignore_index is None else f" or ignore_index={ignore_index}"
        raise IndexError(f"{name}: target values must be class indices in [0, {classes}){allowed}; "
                         f"got {bad}")


def _class_weight(weight, input, classes, name):  # noqa: A002
    """Per-class weights as a raw array in the input's dtype, or None."""
    if weight is None:
        return None
    data = weight._data if isinstance(weight, Tensor) else weight
    if tuple(data.shape) != (classes,):
        raise ValueError(f"{name}: weight must have one entry per class, shape ({classes},), "
                         f"got {tuple(data.shape)}")
    return xp_of(input._data).asarray(data, dtype=input.dtype)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",  # noqa: A002
                  label_smoothing=0.0):
    """l_n = -w[t_n] log softmax(x_n)[t_n] for logits x and class indices t, log-softmax and
    NLL fused into one stable op (see ops.losses.CrossEntropy); label_smoothing e mixes in
    the uniform target: (1 - e) l_n - (e / C) sum_c w[c] log softmax(x_n)[c]. The mean divides
    by the total weight of the non-ignored targets, as PyTorch."""
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    rows, flat_target, shape = _class_rows(input, target, "cross_entropy")  # range: in the op
    class_weight = _class_weight(weight, input, rows.shape[1], "cross_entropy")
    losses = CrossEntropy.apply(rows, flat_target, class_weight, ignore_index,
                                float(label_smoothing), reduction)
    return losses.reshape(shape) if reduction == "none" else losses


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):  # noqa: A002
    """l_n = -w[t_n] x[n, t_n] for log-probabilities x (e.g. log_softmax output); the mean
    divides by the total weight of the non-ignored targets."""
    _check_reduction(reduction, "nll_loss")
    rows, flat_target, shape = _class_rows(input, target, "nll_loss")
    _check_class_range(flat_target._data, rows.shape[1], "nll_loss", ignore_index)
    class_weight = _class_weight(weight, input, rows.shape[1], "nll_loss")
    xp = xp_of(rows._data)
    targets = flat_target._data
    valid = targets != ignore_index
    safe_target = xp.where(valid, targets, 0)
    sample_weight = valid.astype(input.dtype)
    if class_weight is not None:
        sample_weight *= class_weight[safe_target]
    picked = rows[xp.arange(len(targets)), safe_target]
    losses = picked * constant(-sample_weight, input.device)
    if reduction == "none":
        return losses.reshape(shape)
    if reduction == "sum":
        return losses.sum()
    total_weight = float(sample_weight.sum())
    if not total_weight:  # every target ignored: the mean 0/0 is NaN, its gradient 0 (PyTorch)
        return losses.sum() * 0.0 + math.nan
    return losses.sum() / total_weight


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):  # noqa: A002
    """Multiclass hinge loss, p = 1 or 2:
        l_n = sum_{i != t_n} w[t_n] max(0, margin - x[n, t_n] + x[n, i])^p / C,
    zero once the true class's score beats every other by at least `margin`."""
    _check_reduction(reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p}")
    if input.ndim > 2:
        raise ValueError(f"multi_margin_loss: expected input of shape (N, C) or (C,), got "
                         f"{input.shape}")
    rows, flat_target, shape = _class_rows(input, target, "multi_margin_loss")
    _check_class_range(flat_target._data, rows.shape[1], "multi_margin_loss")
    count, classes = rows.shape
    xp = xp_of(rows._data)
    targets = flat_target._data
    true_scores = rows[xp.arange(count), targets].reshape(count, 1)
    hinge = (rows - true_scores + margin).relu()
    if p == 2:
        hinge = hinge * hinge
    others = xp.ones(rows.shape, dtype=input.dtype)
    others[xp.arange(count), targets] = 0
    class_weight = _class_weight(weight, input, classes, "multi_margin_loss")
    if class_weight is not None:
        others *= class_weight[targets][:, None]
    losses = (hinge * constant(others * (1 / classes), input.device)).sum(1)
    return _reduce(losses.reshape(shape), reduction)
