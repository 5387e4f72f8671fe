"""The benchmark's baseline: the same MLP written by hand in NumPy (or CuPy), explicit backprop.

784 -> 256 -> ReLU -> 128 -> ReLU -> 10, softmax cross-entropy, SGD with momentum 0.9
(PyTorch's form: v = 0.9 v + g;  w -= lr v). No framework, no graph: the fastest honest
Python version, which a framework can only approach.
"""


class HandWrittenMLP:
    def __init__(self, weights, xp, lr=0.01, momentum=0.9):
        self.xp = xp
        self.params = [xp.asarray(w).copy() for w in weights]  # W1, b1, W2, b2, W3, b3
        self.velocity = [xp.zeros_like(p) for p in self.params]
        self.lr, self.momentum = lr, momentum

    def step(self, x, labels):
        """One training step on a batch; returns the mean cross-entropy (as an array)."""
        xp = self.xp
        w1, b1, w2, b2, w3, b3 = self.params
        z1 = x @ w1.T + b1
        h1 = xp.maximum(z1, 0)
        z2 = h1 @ w2.T + b2
        h2 = xp.maximum(z2, 0)
        logits = h2 @ w3.T + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        exps = xp.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        rows = xp.arange(len(labels))
        loss = (xp.log(sums[:, 0]) - shifted[rows, labels]).mean()

        batch = len(labels)
        grad_logits = exps / sums
        grad_logits[rows, labels] -= 1
        grad_logits /= batch
        grad_h2 = grad_logits @ w3
        grad_z2 = grad_h2 * (z2 > 0)
        grad_h1 = grad_z2 @ w2
        grad_z1 = grad_h1 * (z1 > 0)
        grads = [grad_z1.T @ x, grad_z1.sum(axis=0), grad_z2.T @ h1, grad_z2.sum(axis=0),
                 grad_logits.T @ h2, grad_logits.sum(axis=0)]
        for param, velocity, grad in zip(self.params, self.velocity, grads, strict=True):
            velocity *= self.momentum
            velocity += grad
            param -= self.lr * velocity
        return loss
