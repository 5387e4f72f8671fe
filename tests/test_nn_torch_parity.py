"""PyTorch as the oracle (float64) for nn's modules: Linear and BatchNorm1d with their weights
copied across, values and gradients alike, and state dicts that load into PyTorch. (The
functional forms, every activation and loss, are compared over the registry in
tests/test_torch_parity.py.)"""

import numpy as np
import pytest

import tinygrad_edu as tg
from tests.helpers import copy_into_torch, run_both
from tinygrad_edu import nn

pytestmark = pytest.mark.usefixtures("default_device")  # every test on every device

torch = pytest.importorskip("torch")


def test_linear_module_matches_pytorch():
    ours = nn.Linear(5, 3).double()
    theirs = torch.nn.Linear(5, 3).double()
    copy_into_torch(ours, theirs)
    run_both(ours, theirs, np.random.default_rng(0).standard_normal((4, 5)))


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_module_matches_pytorch_in_train_and_eval(shape, momentum):
    rng = np.random.default_rng(0)
    ours = nn.BatchNorm1d(3, momentum=momentum).double()
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum).double()
    ours.weight.data = tg.tensor(rng.standard_normal(3))
    ours.bias.data = tg.tensor(rng.standard_normal(3))
    copy_into_torch(ours, theirs)
    for _ in range(3):  # three training steps move the running statistics
        run_both(ours, theirs, rng.standard_normal(shape) * 2 + 1)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(), rtol=1e-12,
                                   err_msg=name)
    ours.eval()
    theirs.eval()
    run_both(ours, theirs, rng.standard_normal(shape))


def test_state_dict_moves_to_the_same_pytorch_architecture(tmp_path):
    tg.manual_seed(0)
    ours = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(8, 4), nn.PReLU(4))
    ours(tg.randn(10, 6))  # training steps give the running statistics values
    ours(tg.randn(10, 6))
    ours.eval()
    path = tmp_path / "model.npz"
    tg.save(ours.state_dict(), path)
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.BatchNorm1d(8),
                                 torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(8, 4),
                                 torch.nn.PReLU(4))
    theirs.load_state_dict({name: torch.from_numpy(value.numpy())
                            for name, value in tg.load(path).items()})
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    with tg.no_grad():
        np.testing.assert_allclose(ours(tg.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)
