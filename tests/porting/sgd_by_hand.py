"""Fit y = sin(x) with a cubic a + b x + c x^2 + d x^3 by hand-written gradient descent, as
in PyTorch's "Learning PyTorch with Examples": autograd for the gradients, and the update
`a -= learning_rate * a.grad` inside torch.no_grad()."""

import math

import torch


def main():
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float64)
    y = torch.sin(x)
    a = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    c = torch.zeros((), dtype=torch.float64, requires_grad=True)
    d = torch.zeros((), dtype=torch.float64, requires_grad=True)
    learning_rate = 1e-6
    losses = []
    for t in range(1000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 200 == 99:
            losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    results = {"losses": losses, "a": a.item(), "b": b.item(), "c": c.item(), "d": d.item()}
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
    return results


if __name__ == "__main__":
    main()
