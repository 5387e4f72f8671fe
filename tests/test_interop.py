"""Sharing memory: from_numpy, as_tensor, and DLPack both ways with NumPy and PyTorch."""

import numpy as np
import pytest

import tinygrad_edu as tg


def test_from_numpy_shares_memory():
    array = np.arange(6, dtype=np.float64).reshape(2, 3)
    tensor = tg.from_numpy(array)
    assert tensor.dtype == tg.float64 and tensor.shape == (2, 3)
    array[0, 0] = 42.0
    assert tensor[0, 0].item() == 42.0
    with pytest.raises(TypeError, match="from_numpy: expected np.ndarray"):
        tg.from_numpy([1.0, 2.0])


def test_as_tensor_shares_when_it_can():
    array = np.ones(3, dtype=np.float32)
    shared = tg.as_tensor(array)
    array[1] = 5.0
    assert shared.tolist() == [1.0, 5.0, 1.0]
    copied = tg.as_tensor(array, dtype=tg.float64)
    array[1] = 7.0
    assert copied.tolist() == [1.0, 5.0, 1.0] and copied.dtype == tg.float64
    tensor = tg.ones(2)
    assert tg.as_tensor(tensor) is tensor
    assert tg.as_tensor([1.5, 2.5]).dtype == tg.float32


def test_dlpack_with_numpy_both_ways():
    tensor = tg.arange(4).float()
    array = np.from_dlpack(tensor)
    array[0] = -1.0
    assert tensor[0].item() == -1.0
    back = tg.from_dlpack(np.arange(3.0))
    assert back.tolist() == [0.0, 1.0, 2.0] and back.device == "cpu"
    assert tensor.__dlpack_device__()[0] == 1  # DLPack's CPU code
    with pytest.raises(BufferError, match="require gradient"):  # as PyTorch
        np.from_dlpack(tg.ones(2, requires_grad=True))
    with pytest.raises(TypeError, match="from_dlpack"):
        tg.from_dlpack([1, 2])


def test_dlpack_with_torch_both_ways():
    torch = pytest.importorskip("torch")
    tensor = tg.arange(6).reshape(2, 3).double()
    theirs = torch.from_dlpack(tensor)
    assert theirs.dtype == torch.float64 and tuple(theirs.shape) == (2, 3)
    theirs[1, 2] = 100.0
    assert tensor[1, 2].item() == 100.0
    source = torch.linspace(0, 1, 5)
    ours = tg.from_dlpack(source)
    source[0] = -3.0
    assert ours[0].item() == -3.0 and ours.dtype == tg.float32
    weights = torch.nn.Linear(3, 2).weight
    with pytest.raises(BufferError):
        tg.from_dlpack(weights)  # torch refuses to export a tensor that requires grad
    assert np.array_equal(tg.from_dlpack(weights.detach()).numpy(), weights.detach().numpy())


def test_moving_weights_both_ways_as_the_docs_show():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    ours = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU(), tg.nn.Linear(3, 2))
    ours.load_state_dict({name: tg.from_dlpack(value)
                          for name, value in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(tg.tensor(x)).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    for parameter in ours.parameters():
        parameter.data[...] = 0.5  # new weights on our side ...
    theirs.load_state_dict({name: torch.from_dlpack(value)
                            for name, value in ours.state_dict().items()})
    assert all(bool((p == 0.5).all()) for p in theirs.parameters())  # ... arrive in PyTorch
