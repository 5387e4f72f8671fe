"""Backpropagation by hand through a two-layer tanh network with cross-entropy, checked
against autograd, tensor by tensor (the way lecture notebooks check it)."""

import torch
import torch.nn.functional as F


def compare(name, manual, tensor):
    exact = torch.all(manual == tensor.grad).item()
    close = torch.allclose(manual, tensor.grad, atol=1e-6)
    max_diff = (manual - tensor.grad).abs().max().item()
    print(f"{name:6s} | exact: {str(exact):5s} | approximate: {str(close):5s} | "
          f"maxdiff: {max_diff:.2e}")
    return close, max_diff


def main():
    n, d_in, d_hidden, classes = 16, 6, 10, 4
    X = torch.sin(torch.arange(n * d_in, dtype=torch.float64).reshape(n, d_in))
    Y = torch.arange(n) % classes
    W1 = (torch.cos(torch.arange(d_in * d_hidden, dtype=torch.float64)) * 0.5)
    W1 = W1.reshape(d_in, d_hidden).requires_grad_()
    b1 = torch.linspace(-0.1, 0.1, d_hidden, dtype=torch.float64).requires_grad_()
    W2 = torch.sin(torch.arange(d_hidden * classes, dtype=torch.float64) * 0.7)
    W2 = W2.reshape(d_hidden, classes).requires_grad_()
    b2 = torch.zeros(classes, dtype=torch.float64, requires_grad=True)

    h_pre = X @ W1 + b1
    h = torch.tanh(h_pre)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Y)
    for t in [h_pre, h, logits]:
        t.retain_grad()
    loss.backward()

    with torch.no_grad():
        probs = F.softmax(logits, dim=1)
        one_hot = (torch.arange(classes) == Y[:, None]).double()
        dlogits = (probs - one_hot) / n
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(0)
        dh = dlogits @ W2.T
        dh_pre = (1 - h ** 2) * dh
        dW1 = X.T @ dh_pre
        db1 = dh_pre.sum(0)

    results = {"loss": loss.item()}
    checks = [("logits", dlogits, logits), ("h", dh, h), ("h_pre", dh_pre, h_pre),
              ("W2", dW2, W2), ("b2", db2, b2), ("W1", dW1, W1), ("b1", db1, b1)]
    for name, manual, tensor in checks:
        close, max_diff = compare(name, manual, tensor)
        results[f"{name}_close"] = close
        results[f"{name}_maxdiff"] = max_diff
        results[f"{name}_grad_abs_sum"] = tensor.grad.abs().sum().item()
    print(results)
    return results


if __name__ == "__main__":
    main()
