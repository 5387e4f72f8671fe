"""LeNet-5 written by hand in NumPy: forward, backward and SGD with momentum, no framework.

The floor the CNN benchmark compares against. Activations stay channels-last (N, H, W, C), the
layout in which im2col needs no transposes: the windows of the padded input are a strided
view (N, Ho, Wo, kh, kw, C), copied once into a matrix (N Ho Wo, kh kw C) and multiplied by
the weight; the input gradient is that matrix product's gradient added back window position
by window position (kh kw vectorized adds). Weights are given and kept in PyTorch's layouts.

    conv 1->6 5x5 pad 2, ReLU, max 2x2 | conv 6->16 5x5, ReLU, max 2x2 | 400-120-84-10
"""

import numpy as np


def _windows(padded, kernel, out_h, out_w):
    """(N, Ho, Wo, kh, kw, C) view of the windows of a padded (N, H, W, C) array, stride 1."""
    n, _, _, c = padded.shape
    s_n, s_h, s_w, s_c = padded.strides
    return np.lib.stride_tricks.as_strided(
        padded, (n, out_h, out_w, kernel, kernel, c), (s_n, s_h, s_w, s_h, s_w, s_c))


class Conv:
    """y = im2col(x) @ W^T + b in channels-last layout, stride 1, square kernel."""

    def __init__(self, weight, bias, padding):
        self.out_channels, _, self.kernel, _ = weight.shape
        self.weight = np.ascontiguousarray(weight.transpose(0, 2, 3, 1))  # (O, kh, kw, C)
        self.bias, self.padding = bias, padding

    def forward(self, x):
        n, h, w, c = x.shape
        p, k = self.padding, self.kernel
        self.padded_shape = (n, h + 2 * p, w + 2 * p, c)
        padded = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))) if p else x
        self.out_h, self.out_w = h + 2 * p - k + 1, w + 2 * p - k + 1
        self.cols = _windows(padded, k, self.out_h, self.out_w).reshape(
            n * self.out_h * self.out_w, -1)
        y = self.cols @ self.weight.reshape(self.out_channels, -1).T + self.bias
        return y.reshape(n, self.out_h, self.out_w, self.out_channels)

    def backward(self, grad, need_input_grad=True):
        rows = grad.reshape(-1, self.out_channels)
        self.grad_weight = (rows.T @ self.cols).reshape(self.weight.shape)
        self.grad_bias = rows.sum(axis=0)
        if not need_input_grad:
            return None
        dcols = (rows @ self.weight.reshape(self.out_channels, -1)).reshape(
            grad.shape[0], self.out_h, self.out_w, self.kernel, self.kernel, -1)
        padded = np.zeros(self.padded_shape, dtype=grad.dtype)
        for i in range(self.kernel):
            for j in range(self.kernel):
                padded[:, i:i + self.out_h, j:j + self.out_w] += dcols[:, :, :, i, j]
        p = self.padding
        return padded[:, p:padded.shape[1] - p, p:padded.shape[2] - p] if p else padded

    def parameters(self):
        return [(self.weight, self.grad_weight), (self.bias, self.grad_bias)]


class ReluMaxPool:
    """relu then 2x2 max pooling (the same as max pooling then relu), channels-last."""

    def forward(self, x):
        n, h, w, c = x.shape
        blocks = x.reshape(n, h // 2, 2, w // 2, 2, c)
        pooled = blocks.max(axis=(2, 4))
        self.mask = blocks == pooled[:, :, None, :, None]  # ties are measure-zero here
        self.mask &= pooled[:, :, None, :, None] > 0
        self.shape = x.shape
        return np.maximum(pooled, 0)

    def backward(self, grad):
        return (self.mask * grad[:, :, None, :, None]).reshape(self.shape)


class HandWrittenLeNet:
    """LeNet-5 trained with SGD momentum (PyTorch's form: v = mu v + g; w -= lr v)."""

    def __init__(self, weights, lr=0.01, momentum=0.9):
        (c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b) = [w.copy() for w in weights]
        self.conv1, self.conv2 = Conv(c1w, c1b, 2), Conv(c2w, c2b, 0)
        self.pool1, self.pool2 = ReluMaxPool(), ReluMaxPool()
        # fc1 sees the flattened (N, 5, 5, 16) maps: reorder its columns from PyTorch's C, H, W
        self.fc = [f1w.reshape(120, 16, 5, 5).transpose(0, 2, 3, 1).reshape(120, 400), f1b,
                   f2w, f2b, f3w, f3b]
        self.lr, self.momentum = lr, momentum
        self.velocity = None

    def step(self, x, y):
        """One SGD step on images x (N, 1, 28, 28) and labels y; returns the mean loss."""
        n = x.shape[0]
        f1w, f1b, f2w, f2b, f3w, f3b = self.fc
        h1 = self.pool1.forward(self.conv1.forward(x.transpose(0, 2, 3, 1)))
        h2 = self.pool2.forward(self.conv2.forward(h1))
        flat = h2.reshape(n, -1)
        a1 = np.maximum(flat @ f1w.T + f1b, 0)
        a2 = np.maximum(a1 @ f2w.T + f2b, 0)
        logits = a2 @ f3w.T + f3b
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(total[:, 0]) - shifted[np.arange(n), y])
        grad = exp / total
        grad[np.arange(n), y] -= 1
        grad /= n
        grads_fc = [None] * 6
        grads_fc[4], grads_fc[5] = grad.T @ a2, grad.sum(axis=0)
        grad = (grad @ f3w) * (a2 > 0)
        grads_fc[2], grads_fc[3] = grad.T @ a1, grad.sum(axis=0)
        grad = (grad @ f2w) * (a1 > 0)
        grads_fc[0], grads_fc[1] = grad.T @ flat, grad.sum(axis=0)
        grad = (grad @ f1w).reshape(h2.shape)
        grad = self.conv2.backward(self.pool2.backward(grad))
        self.conv1.backward(self.pool1.backward(grad), need_input_grad=False)
        pairs = (self.conv1.parameters() + self.conv2.parameters()
                 + list(zip(self.fc, grads_fc, strict=True)))
        if self.velocity is None:
            self.velocity = [g.copy() for _, g in pairs]
        else:
            for v, (_, g) in zip(self.velocity, pairs, strict=True):
                v *= self.momentum
                v += g
        for v, (w, _) in zip(self.velocity, pairs, strict=True):
            w -= self.lr * v
        return loss
