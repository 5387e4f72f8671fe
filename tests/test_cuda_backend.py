"""The "cuda" device: what a tensor is, where data goes, the errors, and the host-sync budget.

Without a GPU these run on the strict CuPy stand-in (tests/strict_cupy), which also counts the
times the host reads device data; the sync-budget tests need that count and run only there.
"""

import sys
import types

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import backend, nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.utils import clip_grad_norm_
from tinygrad_edu.train import fit

HAS_CUDA = "cuda" in tg.available_devices()
needs_cuda = pytest.mark.skipif(not HAS_CUDA, reason="no cuda device (nor its stand-in)")

try:
    from tests import strict_cupy
except ImportError:  # pragma: no cover  (the stand-in ships with the tests)
    strict_cupy = None
STAND_IN = HAS_CUDA and backend.get_backend("cuda").xp is strict_cupy
needs_stand_in = pytest.mark.skipif(not STAND_IN, reason="counting host syncs needs the stand-in")


@pytest.fixture
def cuda_default():
    tg.set_default_device("cuda")
    yield
    tg.set_default_device("cpu")


# ----- which arrays are whose ---------------------------------------------------------------
def test_device_of_knows_numpy_and_cupy_and_refuses_anything_else():
    assert backend.device_of(np.ones(2)) == "cpu" and backend.xp_of(np.float32(1)) is np
    if HAS_CUDA:
        array = tg.ones(2, device="cuda")._data
        assert backend.device_of(array) == "cuda"
        assert backend.xp_of(array) is backend.get_backend("cuda").xp
    with pytest.raises(TypeError, match="NumPy or CuPy array.*list"):
        backend.device_of([1.0, 2.0])


def test_a_torch_tensor_is_host_data_not_a_gpu_array():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="torch.*Tensor"):
        backend.device_of(torch.ones(2))
    x = tg.tensor(torch.arange(3, dtype=torch.float64))
    assert x.device == tg.get_default_device() and x.dtype == tg.float64
    np.testing.assert_array_equal(x.numpy(), [0.0, 1.0, 2.0])
    if HAS_CUDA:
        assert tg.tensor(torch.ones(2), device="cuda").device == "cuda"


# ----- host data follows the default device ----------------------------------------------------
@needs_cuda
def test_numpy_data_goes_to_the_default_device(cuda_default):
    for data in (np.arange(3.0), np.float32(2.0), [1.0, 2.0], 3):
        assert tg.tensor(data).device == "cuda", data
    assert tg.tensor(np.arange(3.0)).dtype == tg.float64  # NumPy's dtype is kept
    assert tg.tensor(np.arange(3.0), device="cpu").device == "cpu"
    assert tg.tensor(tg.ones(2, device="cpu")).device == "cpu"  # a tensor keeps its device
    features, labels = np.ones((5, 2), np.float32), np.arange(5)
    (x, y), = DataLoader(TensorDataset(features, labels), batch_size=5)
    assert x.device == y.device == "cuda"


# ----- errors: the framework's, on every device ------------------------------------------------
@needs_cuda
@pytest.mark.parametrize("compare", [
    lambda a, b: a == b, lambda a, b: a < b, lambda a, b: a >= b, lambda a, b: a & b,
])
def test_comparing_a_cuda_tensor_with_cpu_data_names_both_devices(compare):
    on_gpu = tg.ones(3, device="cuda") > 0
    for other in (np.ones(3, dtype=bool), tg.ones(3, device="cpu") > 0):
        with pytest.raises(RuntimeError, match="same device.*'cuda' and 'cpu'"):
            compare(on_gpu, other)
    assert compare(on_gpu, on_gpu).device == "cuda"
    assert compare(on_gpu, True).device == "cuda"  # numbers are fine


@needs_cuda
def test_arithmetic_with_a_numpy_array_on_cuda_names_the_op_and_both_devices():
    with pytest.raises(RuntimeError, match="Add.*same device.*'cuda' and 'cpu'"):
        tg.ones(3, device="cuda") + np.ones(3, dtype=np.float32)


@pytest.mark.parametrize("index", [
    (slice(None), [0, 3]),
    (slice(None), np.array([-4])),
    ([2],),
])
def test_out_of_range_indices_raise_index_error_on_every_device(device, index):
    x = tg.arange(6, device=device).reshape(2, 3).float()
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        x[index]
    as_tensors = tuple(tg.tensor(np.asarray(part), device=device)
                       if isinstance(part, list | np.ndarray) else part for part in index)
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        x[as_tensors]
    np.testing.assert_array_equal(x[:, [0, -1]].numpy(), [[0, 2], [3, 5]])


@needs_stand_in
def test_index_bounds_cost_no_sync_for_host_indices_and_one_for_device_indices():
    x = tg.randn(4, 5, device="cuda")
    before = strict_cupy.host_syncs()
    x[[0, 3], 1:]
    x[:, np.array([1, 2, 4])]
    assert strict_cupy.host_syncs() == before
    x[tg.tensor([0, 1], device="cuda"), tg.tensor([4, 4], device="cuda")]
    assert strict_cupy.host_syncs() == before + 1


@pytest.mark.parametrize("loss, bad_target", [
    (lambda x, t: F.cross_entropy(x, t), [0, 3]),
    (lambda x, t: F.cross_entropy(x, t, ignore_index=1, label_smoothing=0.1), [1, -1]),
    (lambda x, t: F.nll_loss(x.log_softmax(1), t), [5, 0]),
])
def test_a_target_out_of_range_raises_on_cpu_and_gives_nan_on_a_gpu(device, loss, bad_target):
    logits = tg.randn(2, 3, device=device, requires_grad=True)
    target = tg.tensor(bad_target, device=device)
    if device == "cpu":
        with pytest.raises(IndexError, match=r"class indices in \[0, 3\)"):
            loss(logits, target)
        return
    value = loss(logits, target)
    assert np.isnan(value.item())  # PyTorch stops with a device-side assert; we poison
    good = loss(logits, tg.tensor([0, 2], device=device))
    assert np.isfinite(good.item())


def test_bce_of_a_value_outside_0_1_raises_on_cpu_and_gives_nan_on_a_gpu(device):
    probabilities = tg.tensor([0.5, 1.5], device=device)
    if device == "cpu":
        with pytest.raises(RuntimeError, match=r"probabilities in \[0, 1\]"):
            F.binary_cross_entropy(probabilities, tg.ones(2))
        return
    losses = F.binary_cross_entropy(probabilities, tg.ones(2, device=device), reduction="none")
    assert np.isfinite(losses.numpy()[0]) and np.isnan(losses.numpy()[1])


# ----- cuda.is_available(): a real probe, cached, and an error that says what is missing -------
def _fake_cupy(kernel_error=None, devices=1):
    """A module that looks like CuPy to the probe: devices are counted, kernels may fail."""
    def fail(*args, **kwargs):
        raise kernel_error

    cupy = types.ModuleType("cupy")
    cupy.float32 = np.float32
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(
        getDeviceCount=lambda: devices))
    cupy.arange = fail if kernel_error else strict_cupy.arange
    cupy.exp = strict_cupy.exp
    cupy.random = strict_cupy.random
    cupy.ndarray = strict_cupy.ndarray
    return cupy


@pytest.fixture
def no_cuda_loaded(monkeypatch):
    """The backend as on a fresh machine: "cuda" not loaded yet and not probed; `cupyx` and
    the submodule the backend imports are empty modules."""
    monkeypatch.setattr(backend, "_backends", {"cpu": backend.get_backend("cpu")})
    monkeypatch.setattr(backend, "_cuda_unavailable", None)
    for name in ("cupyx", "cupyx.scipy", "cupyx.scipy.special"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    return monkeypatch


@needs_stand_in
def test_is_available_is_false_when_kernels_cannot_compile_and_says_why(no_cuda_loaded):
    error = RuntimeError("nvrtc: libnvrtc.so.12: cannot open shared object file")
    no_cuda_loaded.setitem(sys.modules, "cupy", _fake_cupy(error))
    assert tg.cuda.is_available() is False
    with pytest.raises(RuntimeError, match=r"1 GPU.*compile and run a kernel.*libnvrtc"
                                           r".*NVRTC.*cupy-cuda12x\[ctk\]"):
        tg.zeros(1, device="cuda")


@needs_stand_in
def test_is_available_probes_once_and_caches_the_answer(no_cuda_loaded):
    calls = []
    cupy = _fake_cupy()
    cupy.cuda.runtime.getDeviceCount = lambda: calls.append(1) or 1
    no_cuda_loaded.setitem(sys.modules, "cupy", cupy)
    assert tg.cuda.is_available() and tg.cuda.is_available()
    assert tg.available_devices() == ("cpu", "cuda") and len(calls) == 1


def test_without_cupy_the_error_says_how_to_install_it(no_cuda_loaded):
    no_cuda_loaded.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    assert not tg.cuda.is_available() and tg.available_devices() == ("cpu",)
    with pytest.raises(RuntimeError, match="needs CuPy.*pip install"):
        tg.zeros(2, device="cuda")


# ----- the host-sync budget of a training step ------------------------------------------------
def _benchmark_mlp(device):
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10)).to(device)


def _syncs_of(step, repeats=3):
    """Host syncs of each of `repeats` calls of step() (the first one warms up state)."""
    counts = []
    for _ in range(repeats):
        before = strict_cupy.host_syncs()
        step()
        counts.append(strict_cupy.host_syncs() - before)
    return counts, strict_cupy.sync_sites(before)


def _step_reading_the_loss(model, optimizer, x, y):
    """One cross-entropy training step that reads its loss on the host (loss.item())."""
    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()
    return step


@needs_stand_in
@pytest.mark.parametrize("make_optimizer", [
    lambda p: optim.SGD(p, lr=0.01, momentum=0.9),
    lambda p: optim.Adam(p, lr=1e-3),
    lambda p: optim.AdamW(p, lr=1e-3),
    lambda p: optim.RMSprop(p, lr=1e-3),
])
def test_a_training_step_syncs_only_for_the_loss_the_user_reads(make_optimizer):
    model = _benchmark_mlp("cuda")
    optimizer = make_optimizer(model.parameters())
    x = tg.tensor(np.random.default_rng(0).standard_normal((64, 784)).astype(np.float32),
                  device="cuda")
    y = tg.tensor(np.random.default_rng(1).integers(0, 10, 64), device="cuda")
    counts, sites = _syncs_of(_step_reading_the_loss(model, optimizer, x, y))
    assert counts == [1, 1, 1], sites


@needs_stand_in
@pytest.mark.parametrize("loss", [
    lambda x, y: F.cross_entropy(x, y, ignore_index=3, label_smoothing=0.1),
    lambda x, y: F.cross_entropy(x, y, weight=tg.ones(10, device="cuda")),
    lambda x, y: F.nll_loss(x.log_softmax(1), y, ignore_index=0),
    lambda x, y: F.binary_cross_entropy(x.sigmoid(), (y > 4).float().unsqueeze(1).expand(-1, 10)),
])
def test_losses_with_options_add_no_sync(loss):
    model = _benchmark_mlp("cuda")
    x, y = tg.randn(32, 784, device="cuda"), tg.randint(0, 10, (32,), device="cuda")
    counts, sites = _syncs_of(lambda: loss(model(x), y).backward())
    assert counts == [0, 0, 0], sites


@needs_stand_in
@pytest.mark.parametrize("make_optimizer", [
    lambda p: optim.Rprop(p, lr=0.01),
    lambda p: optim.SGD(p, lr=0.01),
])
def test_rprop_and_clip_grad_norm_make_no_sync_of_their_own(make_optimizer):
    model = _benchmark_mlp("cuda")
    optimizer = make_optimizer(model.parameters())
    x, y = tg.randn(16, 784, device="cuda"), tg.randint(0, 10, (16,), device="cuda")

    def step():
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        for norm_type in (2.0, float("inf")):
            clip_grad_norm_(model.parameters(), max_norm=0.5, norm_type=norm_type)
        optimizer.step()

    counts, sites = _syncs_of(step)
    assert counts == [0, 0, 0], sites


@needs_stand_in
def test_batchnorm_with_cumulative_momentum_makes_no_sync():
    layer = nn.BatchNorm1d(4, momentum=None).to("cuda")
    x = tg.randn(8, 4, device="cuda")
    counts, sites = _syncs_of(lambda: layer(x))
    assert counts == [0, 0, 0], sites
    np.testing.assert_allclose(layer.running_mean.numpy(), (x.mean(0) * 1.0).numpy(), rtol=1e-5)


@needs_stand_in
def test_lbfgs_reads_the_host_only_for_its_tests():
    tg.manual_seed(0)
    model = nn.Linear(5, 1).to("cuda")
    x, y = tg.randn(20, 5, device="cuda"), tg.randn(20, 1, device="cuda")
    max_iter = 6
    optimizer = optim.LBFGS(model.parameters(), max_iter=max_iter, history_size=4,
                            tolerance_grad=0.0, tolerance_change=0.0)

    def closure():
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        return loss

    counts, sites = _syncs_of(lambda: optimizer.step(closure), repeats=2)
    # per iteration at most: the curvature test, the slope test, and after the step the
    # loss, max|g| and max|t d|; plus the first loss and max|g| of the step
    assert all(count <= 2 + 5 * max_iter for count in counts), (counts, sites)
    assert not any("two-loop" in site or "direction" in site for site in sites), sites


@needs_stand_in
def test_fit_reads_the_device_once_per_epoch_not_per_batch():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)).to("cuda")
    data = TensorDataset(tg.randn(64, 5, device="cuda"), tg.randint(0, 3, (64,), device="cuda"))
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    before = strict_cupy.host_syncs()
    history = fit(model, nn.CrossEntropyLoss(), optimizer, DataLoader(data, batch_size=8),
                  epochs=2, progress=False, log=None)
    syncs = strict_cupy.host_syncs() - before
    assert syncs <= 2 * 2, strict_cupy.sync_sites(before)  # loss and accuracy, per epoch
    assert len(history.train_loss) == 2 and 0.0 <= history.train_accuracy[-1] <= 1.0


def test_index_select_and_gather_check_bounds_on_every_device(device):
    x = tg.arange(6, device=device).reshape(2, 3).float()
    with pytest.raises(IndexError, match="out of bounds for axis 1 with size 3"):
        x.index_select(1, tg.tensor([0, 3], device=device))
    with pytest.raises(IndexError, match="out of bounds for axis 1 with size 3"):
        x.gather(1, tg.tensor([[0], [-4]], device=device))
    np.testing.assert_array_equal(x.gather(1, tg.tensor([[2], [0]], device=device)).numpy(),
                                  [[2.0], [3.0]])


def test_an_embedding_id_out_of_range_raises_on_cpu_and_gives_nan_on_a_gpu(device):
    tg.manual_seed(0)
    layer = nn.Embedding(4, 3).to(device)
    ids = tg.tensor([1, 4], device=device)
    if device == "cpu":
        with pytest.raises(IndexError, match="token id 4"):
            layer(ids)
        return
    rows = layer(ids).numpy()
    assert np.isfinite(rows[0]).all() and np.isnan(rows[1]).all()


def test_random_fills_use_only_what_cupys_generator_has(device):
    tg.manual_seed(0)
    uniform = tg.empty(2000, device=device).uniform_(2.0, 3.0).numpy()
    normal = tg.empty(2000, device=device).normal_(5.0, 0.5).numpy()
    assert uniform.min() >= 2.0 and uniform.max() < 3.0 and abs(uniform.mean() - 2.5) < 0.03
    assert abs(normal.mean() - 5.0) < 0.05 and abs(normal.std() - 0.5) < 0.05


@needs_stand_in
def test_a_cnn_training_step_syncs_only_for_the_loss_the_user_reads():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 10)).to("cuda")
    optimizer = optim.Adam(model.parameters())
    x, y = tg.randn(8, 1, 8, 8, device="cuda"), tg.randint(0, 10, (8,), device="cuda")
    counts, sites = _syncs_of(_step_reading_the_loss(model, optimizer, x, y))
    assert counts == [1, 1, 1], sites
