"""Registry entries of tinygrad_edu.nn: layers, activations and losses through nn.functional.

Samples keep clear of kinks (relu-like activations at 0, the softplus threshold, the hinge of
multi_margin_loss, the corner of huber_loss), as in core_ops.py. Constants that are not
differentiated (class weights, running statistics) live inside the functions, so every float
sample array is an input that gradcheck perturbs. Class targets are int64 sample arrays.
"""

import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

from . import OpInfo


def _torch_f():
    import torch.nn.functional

    return torch.nn.functional


def _torch_tensor(values):
    import torch

    return torch.tensor(values, dtype=torch.float64)


def normal(rng, shape, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale)


def away_from_zero(rng, shape, gap=0.2, high=1.5):
    """|x| in [gap, high] with random signs: clear of the kinks at 0."""
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return np.asarray(rng.uniform(gap, high, shape) * sign)


def probabilities(rng, shape):
    return np.asarray(rng.uniform(0.1, 0.9, shape))


def classes(rng, shape, count):
    return np.asarray(rng.integers(0, count, shape), dtype=np.int64)


def spaced_scores(rng, shape):
    """Multiples of 0.37: no two scores differ by exactly 0.5 or 1 (the hinge margins)."""
    return np.asarray(rng.integers(-4, 5, shape) * 0.37)


def unary(make, shapes=((2, 3), (5,))):
    return lambda rng: [(make(rng, shape),) for shape in shapes]


# ----- constants used inside the functions (not differentiated) -------------------------------

CLASS_WEIGHT = [0.5, 2.0, 1.0, 1.5]
RUNNING_MEAN = [0.3, -0.2, 0.1]
RUNNING_VAR = [0.5, 1.5, 2.0]


def _ours(values, like):
    return tg.tensor(np.asarray(values), dtype=like.dtype, device=like.device)


def ignore_some(targets):
    """Targets with every third one replaced by ignore_index -100."""
    targets = targets.copy()
    targets.reshape(-1)[::3] = -100
    return targets


def class_samples(rng, make=normal, shape=(5, 4), target_shape=(5,)):
    return [(make(rng, shape), classes(rng, target_shape, shape[1] if len(shape) > 1
                                       else shape[0]))]


def _entry(name, function, samples, torch_function=None, **options):
    return OpInfo(name, function, samples, torch_function=torch_function, **options)


def loss_entries(name, ours, theirs, samples):
    """One entry per reduction of a loss (ours/theirs take reduction= as a keyword)."""
    return [
        _entry(f"{name}_{reduction}",
               lambda *args, reduction=reduction: ours(*args, reduction=reduction), samples,
               lambda *args, reduction=reduction: theirs(*args, reduction=reduction))
        for reduction in ("mean", "sum", "none")
    ]


def _dropout(x):
    tg.manual_seed(0)  # the same mask at every evaluation gradcheck makes
    return F.dropout(x, p=0.4, training=True)


OPS = [
    # ----- layers -----------------------------------------------------------------------
    _entry("nn_linear", lambda x, w, b=None: F.linear(x, w, b),
           lambda rng: [(normal(rng, (3, 4)), normal(rng, (2, 4)), normal(rng, (2,))),
                        (normal(rng, (2, 3, 4)), normal(rng, (2, 4))),
                        (normal(rng, (4,)), normal(rng, (3, 4)), normal(rng, (3,)))],
           lambda x, w, b=None: _torch_f().linear(x, w, b)),
    _entry("nn_batch_norm_train",
           lambda x, w=None, b=None: F.batch_norm(x, None, None, w, b, training=True),
           lambda rng: [(normal(rng, (6, 3)), normal(rng, (3,)), normal(rng, (3,))),
                        (normal(rng, (3, 2, 4)), normal(rng, (2,)), normal(rng, (2,))),
                        (normal(rng, (5, 2)),)],
           lambda x, w=None, b=None: _torch_f().batch_norm(x, None, None, w, b, training=True)),
    _entry("nn_batch_norm_eval",
           lambda x, w, b: F.batch_norm(x, _ours(RUNNING_MEAN, x), _ours(RUNNING_VAR, x), w, b,
                                        training=False),
           lambda rng: [(normal(rng, (4, 3)), normal(rng, (3,)), normal(rng, (3,))),
                        (normal(rng, (2, 3, 2)), normal(rng, (3,)), normal(rng, (3,)))],
           lambda x, w, b: _torch_f().batch_norm(x, _torch_tensor(RUNNING_MEAN),
                                                 _torch_tensor(RUNNING_VAR), w, b,
                                                 training=False)),
    _entry("nn_dropout", _dropout, unary(normal),
           note="random mask drawn from tg's generator: no PyTorch twin"),
    # ----- activations ------------------------------------------------------------------
    _entry("nn_relu", F.relu, unary(away_from_zero),
           lambda x: _torch_f().relu(x)),
    _entry("nn_leaky_relu", lambda x: F.leaky_relu(x, negative_slope=0.2),
           unary(away_from_zero),
           lambda x: _torch_f().leaky_relu(x, negative_slope=0.2)),
    _entry("nn_prelu", F.prelu,
           lambda rng: [(away_from_zero(rng, (2, 3, 2)), normal(rng, (3,))),
                        (away_from_zero(rng, (4, 2)), normal(rng, (1,)))],
           lambda x, w: _torch_f().prelu(x, w)),
    _entry("nn_elu", lambda x: F.elu(x, alpha=1.5), unary(away_from_zero),
           lambda x: _torch_f().elu(x, alpha=1.5)),
    _entry("nn_sigmoid", F.sigmoid, unary(normal), lambda x: x.sigmoid()),
    _entry("nn_tanh", F.tanh, unary(normal), lambda x: x.tanh()),
    _entry("nn_softplus", F.softplus, unary(lambda rng, s: normal(rng, s, 3.0)),
           lambda x: _torch_f().softplus(x)),
    _entry("nn_softplus_threshold", lambda x: F.softplus(x, beta=2.0, threshold=1.0),
           lambda rng: [(np.array([-2.0, -0.3, 0.2, 0.35, 0.65, 1.5, 3.0]),)],
           lambda x: _torch_f().softplus(x, beta=2.0, threshold=1.0)),
    _entry("nn_gelu", F.gelu, unary(lambda rng, s: normal(rng, s, 2.0)),
           lambda x: _torch_f().gelu(x)),
    _entry("nn_gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
           unary(lambda rng, s: normal(rng, s, 2.0)),
           lambda x: _torch_f().gelu(x, approximate="tanh")),
    _entry("nn_silu", F.silu, unary(normal), lambda x: _torch_f().silu(x)),
    _entry("nn_softmax", lambda x: F.softmax(x, dim=-1), unary(normal),
           lambda x: _torch_f().softmax(x, dim=-1)),
    _entry("nn_log_softmax", lambda x: F.log_softmax(x, dim=0), unary(normal),
           lambda x: _torch_f().log_softmax(x, dim=0)),
    _entry("nn_arctan", F.arctan, unary(lambda rng, s: normal(rng, s, 2.0)),
           lambda x: x.arctan()),
    _entry("nn_step", F.step, unary(away_from_zero),
           lambda x: (x >= 0).to(x.dtype) + 0 * x),
    # ----- losses -----------------------------------------------------------------------
    *loss_entries("nn_mse_loss", F.mse_loss, lambda *a, **k: _torch_f().mse_loss(*a, **k),
                  lambda rng: [(normal(rng, (3, 2)), normal(rng, (3, 2)))]),
    *loss_entries("nn_l1_loss", F.l1_loss, lambda *a, **k: _torch_f().l1_loss(*a, **k),
                  lambda rng: [(x := normal(rng, (3, 2)), x + away_from_zero(rng, (3, 2)))]),
    *loss_entries("nn_huber_loss", lambda x, y, reduction: F.huber_loss(x, y, reduction, 0.8),
                  lambda x, y, reduction: _torch_f().huber_loss(x, y, reduction, delta=0.8),
                  lambda rng: [(x := normal(rng, (6,)),
                                x + np.array([0.1, -0.5, 0.3, 1.2, -2.0, 0.95]))]),
    *loss_entries("nn_cross_entropy", F.cross_entropy,
                  lambda *a, **k: _torch_f().cross_entropy(*a, **k),
                  lambda rng: class_samples(rng) + class_samples(rng, shape=(2, 4, 3),
                                                                 target_shape=(2, 3))
                  + class_samples(rng, shape=(4,), target_shape=())),
    _entry("nn_cross_entropy_options",
           lambda x, t: F.cross_entropy(x, t, weight=_ours(CLASS_WEIGHT, x),
                                        label_smoothing=0.2),
           lambda rng: [(normal(rng, (5, 4)), ignore_some(classes(rng, (5,), 4)))],
           lambda x, t: _torch_f().cross_entropy(x, t, weight=_torch_tensor(CLASS_WEIGHT),
                                                 label_smoothing=0.2)),
    *loss_entries("nn_cross_entropy_ignore_smooth",
                  lambda x, t, reduction: F.cross_entropy(x, t, ignore_index=-100,
                                                          reduction=reduction,
                                                          label_smoothing=0.1),
                  lambda x, t, reduction: _torch_f().cross_entropy(
                      x, t, ignore_index=-100, reduction=reduction, label_smoothing=0.1),
                  lambda rng: [(normal(rng, (6, 3)), ignore_some(classes(rng, (6,), 3)))]),
    *loss_entries("nn_cross_entropy_weight",
                  lambda x, t, reduction: F.cross_entropy(x, t, weight=_ours(CLASS_WEIGHT, x),
                                                          reduction=reduction),
                  lambda x, t, reduction: _torch_f().cross_entropy(
                      x, t, weight=_torch_tensor(CLASS_WEIGHT), reduction=reduction),
                  lambda rng: [(normal(rng, (5, 4)), ignore_some(classes(rng, (5,), 4)))]),
    *loss_entries("nn_nll_loss", F.nll_loss, lambda *a, **k: _torch_f().nll_loss(*a, **k),
                  lambda rng: class_samples(rng) + class_samples(rng, shape=(2, 4, 3),
                                                                 target_shape=(2, 3))),
    _entry("nn_nll_loss_options",
           lambda x, t: F.nll_loss(x, t, weight=_ours(CLASS_WEIGHT, x)),
           lambda rng: [(normal(rng, (5, 4)), ignore_some(classes(rng, (5,), 4)))],
           lambda x, t: _torch_f().nll_loss(x, t, weight=_torch_tensor(CLASS_WEIGHT))),
    *loss_entries("nn_bce", F.binary_cross_entropy,
                  lambda *a, **k: _torch_f().binary_cross_entropy(*a, **k),
                  lambda rng: [(probabilities(rng, (3, 2)), probabilities(rng, (3, 2)))]),
    _entry("nn_bce_weight",
           lambda x, y: F.binary_cross_entropy(x, y, weight=_ours([0.5, 2.0], x)),
           lambda rng: [(probabilities(rng, (3, 2)), probabilities(rng, (3, 2)))],
           lambda x, y: _torch_f().binary_cross_entropy(x, y, weight=_torch_tensor([0.5, 2.0]))),
    *loss_entries("nn_bce_with_logits", F.binary_cross_entropy_with_logits,
                  lambda *a, **k: _torch_f().binary_cross_entropy_with_logits(*a, **k),
                  lambda rng: [(normal(rng, (3, 2), 3.0), probabilities(rng, (3, 2)))]),
    *loss_entries("nn_multi_margin_loss", F.multi_margin_loss,
                  lambda *a, **k: _torch_f().multi_margin_loss(*a, **k),
                  lambda rng: class_samples(rng, make=spaced_scores)),
    _entry("nn_multi_margin_loss_options",
           lambda x, t: F.multi_margin_loss(x, t, p=2, margin=0.5,
                                            weight=_ours(CLASS_WEIGHT, x)),
           lambda rng: class_samples(rng, make=spaced_scores),
           lambda x, t: _torch_f().multi_margin_loss(x, t, p=2, margin=0.5,
                                                     weight=_torch_tensor(CLASS_WEIGHT))),
]
