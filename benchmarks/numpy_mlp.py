"""The benchmark's floor: the same MLP written by hand in NumPy (or CuPy), explicit backprop.

784 -> 256 -> ReLU -> 128 -> ReLU -> 10, softmax cross-entropy (mean), SGD with momentum 0.9
(PyTorch's form: v = 0.9 v + g;  w -= lr v), float32.

Written to be as fast as plain NumPy gets, so that a framework is measured against the real
floor: every buffer is allocated once per batch size and every ufunc and matmul writes into
one (`out=`); ReLU and the softmax run in place; the softmax-cross-entropy gradient
(softmax - onehot) / batch is formed in the buffer that held the logits; bias gradients are
one BLAS call each (ones @ G). It still computes what a framework must: the true gradient of
every parameter (kept in `self.grads`), then the momentum update, so nothing is skipped that
PyTorch's semantics require.
"""


class Buffers:
    """Every array one step at a given batch size writes to, allocated once."""

    def __init__(self, xp, batch, sizes, dtype):
        hidden = sizes[1:-1]
        self.activations = [xp.empty((batch, width), dtype) for width in sizes[1:]]
        self.masks = [xp.empty((batch, width), bool) for width in hidden]
        self.grad_hidden = [xp.empty((batch, width), dtype) for width in hidden]
        self.ones = xp.ones(batch, dtype)
        self.row_max = xp.empty((batch, 1), dtype)
        self.row_sum = xp.empty((batch, 1), dtype)
        self.log_sum = xp.empty((batch, 1), dtype)
        self.picked = xp.empty(batch, dtype)  # shifted logit of each row's label
        self.row_starts = xp.arange(batch) * sizes[-1]  # flat index of each row's first logit
        self.label_index = xp.empty(batch, self.row_starts.dtype)


class HandWrittenMLP:
    def __init__(self, weights, xp, lr=0.01, momentum=0.9):
        self.xp = xp
        self.params = [xp.asarray(w).copy() for w in weights]  # W1, b1, W2, b2, W3, b3
        self.grads = [xp.empty_like(p) for p in self.params]
        self.velocity = [xp.zeros_like(p) for p in self.params]
        self.scratch = [xp.empty_like(p) for p in self.params]  # holds lr * v
        self.sizes = [self.params[0].shape[1]] + [w.shape[0] for w in self.params[::2]]
        self.lr, self.momentum = lr, momentum
        self._buffers = {}

    def buffers(self, batch):
        if batch not in self._buffers:
            self._buffers[batch] = Buffers(self.xp, batch, self.sizes, self.params[0].dtype)
        return self._buffers[batch]

    def loss_and_gradients(self, x, labels):
        """Forward and backward on a batch: fills self.grads, returns the mean loss (0-d)."""
        xp = self.xp
        batch = x.shape[0]
        buf = self.buffers(batch)
        weights, biases = self.params[::2], self.params[1::2]

        inputs = [x]  # the input of each layer
        for layer, (w, b, z) in enumerate(zip(weights, biases, buf.activations, strict=True)):
            xp.matmul(inputs[-1], w.T, out=z)
            xp.add(z, b, out=z)
            if layer < len(buf.masks):
                xp.maximum(z, 0, out=z)  # ReLU in place: z now holds the layer's output h
                inputs.append(z)

        # Softmax cross-entropy in the logits buffer: shift, pick each label's logit, exp.
        logits = buf.activations[-1]
        xp.max(logits, axis=1, keepdims=True, out=buf.row_max)
        xp.subtract(logits, buf.row_max, out=logits)
        xp.add(buf.row_starts, labels, out=buf.label_index)
        xp.take(logits.reshape(-1), buf.label_index, out=buf.picked)
        xp.exp(logits, out=logits)
        xp.sum(logits, axis=1, keepdims=True, out=buf.row_sum)
        xp.log(buf.row_sum, out=buf.log_sum)
        loss = (buf.log_sum.sum() - buf.picked.sum()) / batch  # mean of log(sum e) - shifted_y

        # dL/dlogits = (softmax - onehot) / batch, formed in place.
        xp.multiply(buf.row_sum, batch, out=buf.row_sum)
        xp.divide(logits, buf.row_sum, out=logits)
        flat = logits.reshape(-1)
        xp.take(flat, buf.label_index, out=buf.picked)
        xp.subtract(buf.picked, 1 / batch, out=buf.picked)
        xp.put(flat, buf.label_index, buf.picked)

        grad_out = logits  # gradient of the current layer's output, last layer first
        for layer in reversed(range(len(weights))):
            xp.matmul(grad_out.T, inputs[layer], out=self.grads[2 * layer])
            xp.matmul(buf.ones, grad_out, out=self.grads[2 * layer + 1])
            if layer == 0:
                break  # no gradient for the input batch
            grad_in = buf.grad_hidden[layer - 1]
            xp.matmul(grad_out, weights[layer], out=grad_in)
            xp.greater(inputs[layer], 0, out=buf.masks[layer - 1])  # ReLU's derivative
            xp.multiply(grad_in, buf.masks[layer - 1], out=grad_in)
            grad_out = grad_in
        return loss

    def step(self, x, labels):
        """One training step on a batch; returns the mean cross-entropy (as a 0-d array)."""
        loss = self.loss_and_gradients(x, labels)
        xp = self.xp
        for param, grad, velocity, scratch in zip(self.params, self.grads, self.velocity,
                                                  self.scratch, strict=True):
            xp.multiply(velocity, self.momentum, out=velocity)
            xp.add(velocity, grad, out=velocity)
            xp.multiply(velocity, self.lr, out=scratch)
            xp.subtract(param, scratch, out=param)
        return loss
