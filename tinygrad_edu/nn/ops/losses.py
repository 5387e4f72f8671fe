"""Loss functions that get their own op: the fused, stable cross-entropy and the two binary
cross-entropies, whose composed forms would overflow or divide by zero at the extremes."""

from ...autograd.function import Function
from ...backend import xp_of
from ...tensor import Tensor


class CrossEntropy(Function):
    """Cross-entropy of logits x (M, C) against class indices t (M,), log-softmax fused in:
        log p = x - logsumexp(x)  (shifted by max(x): exp never overflows),
        l_n = -w[t_n] log p[n, t_n]                           (w: class weights, else 1),
    with label smoothing e:  l_n = (1 - e) l_n - (e / C) sum_c w[c] log p[n, c].
    Targets equal to `ignore_index` contribute 0. `reduction`: "none" gives l (M,), "sum"
    sum(l), "mean" sum(l) / sum over non-ignored n of w[t_n] (PyTorch's weighted mean).
    Backward, p = softmax(x):
        dl_n/dx[n] = p * ((1 - e) w[t_n] + e W / C) - ((1 - e) w[t_n] onehot(t_n) + e w / C),
    W = sum_c w[c]; without weights or smoothing simply p - onehot(t_n), divided by M for
    the mean. `class_weight` must have x's dtype (or be None).
    """

    @staticmethod
    def forward(ctx, logits, target, class_weight, ignore_index, label_smoothing, reduction):
        xp = xp_of(logits)
        count, classes = logits.shape
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        valid = target != ignore_index
        safe_target = xp.where(valid, target, 0)
        rows = xp.arange(count)
        weight = valid.astype(logits.dtype)
        if class_weight is not None:
            weight *= class_weight[safe_target]
        losses = -log_probs[rows, safe_target] * weight
        if label_smoothing:
            summed = log_probs.sum(axis=1) if class_weight is None else log_probs @ class_weight
            losses = (1 - label_smoothing) * losses - (label_smoothing / classes) * summed * valid
        ctx.save_for_backward(logits)
        ctx.rows, ctx.safe_target, ctx.valid, ctx.weight = rows, safe_target, valid, weight
        ctx.scale = 1.0
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        total = weight.sum()
        ctx.scale = 1 / total
        return losses.sum() / total

    @staticmethod
    def backward(ctx, grad_output):
        (logits,) = ctx.saved_tensors
        class_weight, label_smoothing, reduction = ctx.inputs[2], ctx.inputs[4], ctx.inputs[5]
        xp = xp_of(logits.data)
        count, classes = logits.shape
        hit = (1 - label_smoothing) * ctx.weight
        coefficient = hit
        target = xp.zeros(logits.shape, dtype=logits.dtype)
        target[ctx.rows, ctx.safe_target] = hit
        if label_smoothing:
            spread = xp.ones(classes, dtype=logits.dtype) if class_weight is None else class_weight
            coefficient = hit + (label_smoothing / classes) * spread.sum() * ctx.valid
            target += (label_smoothing / classes) * ctx.valid[:, None] * spread
        coefficient = Tensor._make((coefficient * ctx.scale)[:, None], logits.device, False)
        target = Tensor._make(target * ctx.scale, logits.device, False)
        if reduction == "none":
            grad_output = grad_output.reshape(count, 1)
        grad = (logits.softmax(1) * coefficient - target) * grad_output
        return grad, None, None, None, None, None


def _clamped_log(values):
    """max(log(values), -100), as PyTorch's BCE: log 0 = -inf is replaced by -100 (the inner
    max keeps log from seeing 0, so there is no divide-by-zero warning either)."""
    xp = xp_of(values)
    return xp.maximum(xp.log(xp.maximum(values, 1e-44)), -100.0)


class BinaryCrossEntropy(Function):
    """l = -(y log x + (1 - y) log(1 - x)) for probabilities x, each log clamped at -100;
    dl/dx = (x - y) / max(x (1 - x), 1e-12),  dl/dy = log(1 - x) - log(x)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return -(y * _clamped_log(x) + (1 - y) * _clamped_log(1 - x))

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
