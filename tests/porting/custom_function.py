"""A custom autograd Function (the Legendre polynomial P3 of PyTorch's "Learning PyTorch
with Examples"), trained with torch.optim.SGD and checked against autograd of the same
formula written with ordinary tensor operations."""

import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = (5x^3 - 3x) / 2;  P3'(x) = (15x^2 - 3) / 2."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def main():
    x = torch.linspace(-1, 1, 7, dtype=torch.float64, requires_grad=True)
    custom = LegendrePolynomial3.apply(x)
    (custom_grad,) = torch.autograd.grad(custom.sum(), x)
    plain = 0.5 * (5 * x ** 3 - 3 * x)
    (plain_grad,) = torch.autograd.grad(plain.sum(), x)

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a = torch.full((), 0.0, requires_grad=True)
    b = torch.full((), -1.0, requires_grad=True)
    c = torch.full((), 0.0, requires_grad=True)
    d = torch.full((), 0.3, requires_grad=True)
    optimizer = torch.optim.SGD([a, b, c, d], lr=5e-6)
    P3 = LegendrePolynomial3.apply
    for t in range(500):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    results = {"values_match": torch.allclose(custom, plain),
               "grads_match": torch.allclose(custom_grad, plain_grad),
               "grad": custom_grad.tolist(), "loss": loss.item(),
               "coefficients": [a.item(), b.item(), c.item(), d.item()]}
    print(results)
    return results


if __name__ == "__main__":
    main()
