"""What several test files share: running one of our modules beside its PyTorch twin."""

import numpy as np

import tinygrad_edu as tg


def copy_into_torch(ours, theirs):
    """Load our module's state dict into the PyTorch module `theirs`."""
    import torch

    theirs.load_state_dict({name: torch.tensor(value.numpy())
                            for name, value in ours.state_dict().items()})


def run_both(ours, theirs, x_array):
    """Run both modules on the same float64 input and backpropagate the same random upstream
    gradient; the outputs, the input gradients and every parameter's gradient (accumulated
    over calls, in both) must agree. Returns our output."""
    import torch

    x = tg.tensor(x_array, requires_grad=True)
    x_torch = torch.tensor(x_array, requires_grad=True)
    output, expected = ours(x), theirs(x_torch)
    upstream = np.random.default_rng(2).standard_normal(tuple(expected.shape))
    output.backward(tg.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(output.numpy(), expected.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)
    theirs_parameters = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad.numpy(), theirs_parameters[name].grad.numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=name)
    return output
