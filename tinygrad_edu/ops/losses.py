"""Loss functions that get their own op: the fused, stable cross-entropy and the two binary
cross-entropies, whose composed forms would overflow or divide by zero at the extremes."""

import math

from ..autograd.function import Function, constant
from ..backend import device_of, xp_of
from .softmax import row_reduce


class CrossEntropy(Function):
    """Cross-entropy of logits x (M, C) against class indices t (M,), log-softmax fused in:
        log p = x - logsumexp(x)  (shifted by max(x): exp never overflows),
        l_n = -w[t_n] log p[n, t_n]                           (w: class weights, else 1),
    with label smoothing e:  l_n = (1 - e) l_n - (e / C) sum_c w[c] log p[n, c].
    Targets equal to `ignore_index` contribute 0; any other target outside [0, C) is an
    error: an IndexError on the CPU, a NaN loss (and gradient) for that sample on a GPU, where
    raising would cost a host sync in every step (PyTorch stops with a device-side assert).
    `reduction`: "none" gives l (M,), "sum" sum(l), "mean" sum(l) / sum over
    non-ignored n of w[t_n] (PyTorch's weighted mean). `class_weight` must have x's dtype.
    The gradient is its own op, CrossEntropyBackward.
    """

    @staticmethod
    def forward(ctx, logits, target, class_weight, ignore_index, label_smoothing, reduction):
        xp = xp_of(logits)
        count, classes = logits.shape
        valid = _valid_targets(target, classes, ignore_index)
        safe_target = target if valid is None else xp.where(valid == 1, target, 0)
        # the weight of each sample's own class, w[t_n], and 0 where ignored; a plain 1.0
        # when every sample counts alike (no class weights, nothing ignored)
        sample_weight = 1.0 if class_weight is None else class_weight[safe_target]
        if valid is not None:
            sample_weight = valid.astype(logits.dtype) * sample_weight
        shifted = logits - row_reduce(logits, 1, "max")
        exps = xp.exp(shifted)
        sums = row_reduce(exps, 1, "sum")
        log_sums = xp.log(sums[:, 0])
        exps /= sums  # softmax(x), which the gradient starts from
        rows = xp.arange(count)
        losses = log_sums - shifted[rows, safe_target]  # -log p[n, t_n]
        if valid is not None or class_weight is not None:
            losses *= sample_weight
        hit = (1.0 - label_smoothing) * sample_weight
        share = spread = None
        if label_smoothing:
            spread = xp.ones(classes, logits.dtype) if class_weight is None else class_weight
            # -sum_c w_c log p[n, c] = W log_sum_n - sum_c w_c shifted[n, c]
            smoothed = log_sums * spread.sum() - shifted @ spread
            share = label_smoothing / classes
            if valid is not None:
                share = valid.astype(logits.dtype) * share
            losses = (1.0 - label_smoothing) * losses + share * smoothed
            share = share if valid is None else share[:, None]
        ctx.reduction = reduction
        # every target ignored (or an empty batch): the mean 0/0 is NaN, its gradient 0 (as
        # PyTorch); scale is a number, or a 0-d array when the total weight is summed on the
        # device (reading it would be a host sync)
        scale = 1.0
        if reduction == "mean" and valid is None and class_weight is None:
            scale = 1.0 / count if count else 0.0
        elif reduction == "mean":
            total_weight = xp.sum(sample_weight)
            counted = total_weight != 0
            scale = xp.where(counted, 1 / xp.where(counted, total_weight, 1), 0).astype(
                logits.dtype)
        if not isinstance(scale, float) or scale != 1.0:
            hit = hit * scale
            share = None if share is None else share * scale
        ctx.save_for_backward(logits, exps, rows, safe_target, hit, share, spread)
        if reduction == "none":
            return losses
        if reduction == "mean" and not isinstance(scale, float):
            return xp.where(scale != 0, losses.sum() * scale, math.nan).astype(logits.dtype)
        if reduction == "mean" and not scale:
            return xp.asarray(math.nan, dtype=logits.dtype)
        return xp.asarray(losses.sum() * scale, dtype=logits.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        logits, *parts = ctx.saved_tensors
        if ctx.reduction == "none":
            grad_output = grad_output.reshape(-1, 1)
        grad = CrossEntropyBackward.apply(logits, grad_output, *parts)
        return grad, None, None, None, None, None


def _valid_targets(target, classes, ignore_index):
    """Which targets count: 1 for a class index in [0, classes), 0 for ignore_index, or None
    when all of them count (the common, fast case, known on the CPU only). A target outside
    both is an IndexError on the CPU, where checking is free; on a GPU the check would be a
    host sync, so its entry is NaN instead, which makes that sample's loss NaN."""
    xp = xp_of(target)
    as_unsigned = target.astype(xp.uint64)  # a negative index wraps to a huge number
    on_cpu = device_of(target) == "cpu"
    if on_cpu and not 0 <= ignore_index < classes and (
            target.size == 0 or as_unsigned.max() < classes):
        return None
    counted = target != ignore_index
    outside = counted & (as_unsigned >= classes)
    if not on_cpu:
        return xp.where(outside, math.nan, counted.astype(xp.float32))
    if outside.any():
        bad = target[outside][:5].tolist()
        raise IndexError(f"cross_entropy: target values must be class indices in [0, {classes}) "
                         f"or ignore_index={ignore_index}; got {bad}")
    return counted


class CrossEntropyBackward(Function):
    """dL/dx of CrossEntropy, as its own op so that it is fused and still differentiable:
        G = g (p a - onehot(t) a + b (W p - w)),   p = softmax(x) row by row,
    with g = dL/dl, a (M,) the weights of the picked classes (`hit`), and, under label
    smoothing, b (`share`, M or a number) and the class weights w (`spread`, W = sum w; else
    b = 0). `probs`
    is p, already computed by CrossEntropy's forward and passed in as a value; the backward
    recomputes it from x as a graph op, so higher derivatives stay exact. Per row G is
    g J^T u for the softmax Jacobian J, so the backward of this op is
        dL/dx = g p * (v - sum_c p_c v_c),  v = dL/dG * (a + b W),
        dL/dg = sum of dL/dG * G / g   (the same op at g = 1).
    """

    @staticmethod
    def forward(ctx, logits, grad_output, probs, rows, target, hit, share, spread):
        grad = probs * _coefficient(hit, share, spread)
        grad[rows, target] -= hit
        if spread is not None:
            grad -= share * spread
        grad *= grad_output
        ctx.save_for_backward(logits, grad_output, probs, rows, target, hit, share, spread)
        return grad

    @staticmethod
    def backward(ctx, grad_grad):
        logits, grad_output, *parts = ctx.saved_tensors
        _, _, _, hit, share, spread = parts
        needs_logits, needs_grad_output = ctx.needs_input_grad[:2]
        grad_logits = grad_grad_output = None
        if needs_logits:
            softmax = logits.softmax(1)  # p again, now as a graph op of x
            coefficient = _coefficient(_raw(hit), _raw(share), _raw(spread))
            if not isinstance(coefficient, float):
                coefficient = constant(coefficient, logits.device)
            weighted = grad_grad * grad_output * coefficient
            grad_logits = softmax * (weighted - (softmax * weighted).sum(1, keepdim=True))
        if needs_grad_output:
            ones = constant(xp_of(logits._data).ones(grad_output.shape, logits.dtype),
                            logits.device)
            grad_grad_output = grad_grad * CrossEntropyBackward.apply(logits, ones, *parts)
        return grad_logits, grad_grad_output, None, None, None, None, None, None


def _raw(value):
    """The array inside a saved constant Tensor; numbers and None as they are."""
    return getattr(value, "_data", value)


def _coefficient(hit, share, spread):
    """a + b W: the factor of p in each row of the gradient (a number, or a column (M, 1))."""
    coefficient = hit if isinstance(hit, float) or hit.ndim == 0 else hit[:, None]
    if spread is not None:
        coefficient = coefficient + share * spread.sum()
    return coefficient


def _clamped_log(values):
    """max(log(values), -100), as PyTorch's BCE: log 0 = -inf is replaced by -100 (the inner
    max keeps log from seeing 0, so there is no divide-by-zero warning either)."""
    xp = xp_of(values)
    return xp.maximum(xp.log(xp.maximum(values, 1e-44)), -100.0)


class BinaryCrossEntropy(Function):
    """l = -(y log x + (1 - y) log(1 - x)) for probabilities x, each log clamped at -100;
    dl/dx = (x - y) / max(x (1 - x), 1e-12),  dl/dy = log(1 - x) - log(x).
    An x or y outside [0, 1] gives l = NaN (on a GPU, where no host check runs first)."""

    @staticmethod
    def forward(ctx, x, y):
        xp = xp_of(x)
        ctx.save_for_backward(x, y)
        losses = -(y * _clamped_log(x) + (1 - y) * _clamped_log(1 - x))
        return xp.where((x >= 0) & (x <= 1) & (y >= 0) & (y <= 1), losses, math.nan)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        needs_x, needs_y = ctx.needs_input_grad
        grad_x = grad_y = None
        if needs_x:
            grad_x = grad_output * (x - y) / (x * (1 - x)).clamp(min=1e-12)
        if needs_y:
            log_x = x.clamp(min=1e-44).log().clamp(min=-100.0)
            log_not_x = (1 - x).clamp(min=1e-44).log().clamp(min=-100.0)
            grad_y = grad_output * (log_not_x - log_x)
        return grad_x, grad_y


class BinaryCrossEntropyWithLogits(Function):
    """l = -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) for logits x, computed stably
    as max(x, 0) - x y + log(1 + exp(-|x|));  dl/dx = sigmoid(x) - y,  dl/dy = -x."""

    @staticmethod
    def forward(ctx, x, y):
        xp = xp_of(x)
        ctx.save_for_backward(x, y)
        return xp.maximum(x, 0) - x * y + xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        needs_x, needs_y = ctx.needs_input_grad
        grad_x = grad_output * (x.sigmoid() - y) if needs_x else None
        grad_y = -(grad_output * x) if needs_y else None
        return grad_x, grad_y
