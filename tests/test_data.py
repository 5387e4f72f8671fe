"""tinygrad_edu.data: datasets, the DataLoader, MNIST's IDX reader and the verified download."""

import gzip
import hashlib
import http.server
import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.data import DataLoader, Dataset, TensorDataset, datasets
from tinygrad_edu.data.datasets import mnist
from tinygrad_edu.data.download import download

MNIST_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mnist"
NO_GPU = pytest.mark.skipif(not tg.cuda.is_available(), reason="needs CuPy and a GPU")
DEVICES = ["cpu", pytest.param("cuda", marks=NO_GPU)]


class ListDataset(Dataset):
    """A dataset with no fast path: samples come one by one from __getitem__."""

    def __init__(self, *arrays):
        self.arrays = arrays

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def __len__(self):
        return len(self.arrays[0])


def epoch(loader):
    return [tuple(t.numpy() for t in batch) for batch in loader]


# ---------------------------------------------------------------- Dataset, TensorDataset


def test_dataset_is_abstract():
    with pytest.raises(TypeError):
        Dataset()


def test_tensor_dataset_rows_and_length():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ds = TensorDataset(tg.Tensor(x), y)
    assert len(ds) == 6
    xi, yi = ds[4]
    np.testing.assert_array_equal(xi.numpy(), x[4])
    assert yi.item() == 4


@pytest.mark.parametrize(
    ("tensors", "message"),
    [
        ((np.zeros((3, 2)), np.zeros(4)), r"same first dimension.*\[3, 4\]"),
        ((), "at least one tensor"),
        ((np.zeros(3), np.float32(1.0)), "0-d"),
    ],
)
def test_tensor_dataset_rejects_bad_tensors(tensors, message):
    with pytest.raises(ValueError, match=message):
        TensorDataset(*tensors)


# ---------------------------------------------------------------- DataLoader


def test_batches_in_order_with_a_short_last_batch():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10, dtype=np.int64)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(t, tg.Tensor) and t.device == "cpu" for b in batches for t in b)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


@pytest.mark.parametrize(("size", "batch_size", "expected"), [(10, 4, 2), (12, 4, 3), (3, 4, 0)])
def test_drop_last(size, batch_size, expected):
    loader = DataLoader(TensorDataset(np.arange(size)), batch_size=batch_size, drop_last=True)
    batches = list(loader)
    assert len(loader) == len(batches) == expected
    assert all(b[0].shape == (batch_size,) for b in batches)


def test_shuffle_is_a_new_permutation_each_epoch_and_reproducible():
    ds = TensorDataset(np.arange(50))
    loader = DataLoader(ds, batch_size=7, shuffle=True, seed=3)
    first, second = (np.concatenate([b[0].numpy() for b in loader]) for _ in range(2))
    np.testing.assert_array_equal(np.sort(first), np.arange(50))
    np.testing.assert_array_equal(np.sort(second), np.arange(50))
    assert not np.array_equal(first, second)
    again = DataLoader(ds, batch_size=7, shuffle=True, seed=3)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in again]), first)
    other = DataLoader(ds, batch_size=7, shuffle=True, seed=4)
    assert not np.array_equal(np.concatenate([b[0].numpy() for b in other]), first)


def test_unseeded_shuffle_follows_manual_seed():
    ds = TensorDataset(np.arange(30))
    orders = []
    for _ in range(2):
        tg.manual_seed(7)
        orders.append(epoch(DataLoader(ds, batch_size=30, shuffle=True))[0][0])
    np.testing.assert_array_equal(orders[0], orders[1])


def test_fast_path_matches_sample_by_sample_stacking():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((23, 3, 2)).astype(np.float32)
    y = rng.integers(0, 5, 23)
    fast = DataLoader(TensorDataset(x, y), batch_size=5, shuffle=True, seed=1)
    slow = DataLoader(ListDataset(x, y), batch_size=5, shuffle=True, seed=1)
    for (fx, fy), (sx, sy) in zip(epoch(fast), epoch(slow), strict=True):
        np.testing.assert_array_equal(fx, sx)
        np.testing.assert_array_equal(fy, sy)
        assert fx.dtype == sx.dtype == np.float32 and fy.dtype == sy.dtype == np.int64


def test_tensor_dataset_batches_without_per_sample_indexing(monkeypatch):
    def no_per_sample_access(self, index):
        raise AssertionError("the fast path must not index sample by sample")

    monkeypatch.setattr(TensorDataset, "__getitem__", no_per_sample_access)
    (xb,) = next(iter(DataLoader(TensorDataset(np.arange(10)), batch_size=4)))
    np.testing.assert_array_equal(xb.numpy(), [0, 1, 2, 3])


def test_generic_path_collates_python_numbers_and_single_fields():
    class Squares(Dataset):
        def __getitem__(self, index):
            return float(index) ** 2

        def __len__(self):
            return 5

    (batch,) = next(iter(DataLoader(Squares(), batch_size=3)))
    np.testing.assert_array_equal(batch.numpy(), [0.0, 1.0, 4.0])
    ints = next(iter(DataLoader(ListDataset([1, 2, 3]), batch_size=3)))
    assert ints[0].dtype == np.int64


def test_generic_path_names_a_field_that_cannot_be_stacked():
    ragged = ListDataset([np.zeros(2), np.zeros(3)], [0, 1])
    with pytest.raises(ValueError, match="field 0"):
        next(iter(DataLoader(ragged, batch_size=2)))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"batch_size": 0}, ValueError, "positive"),
        ({"batch_size": -2}, ValueError, "positive"),
        ({"batch_size": 2.5}, TypeError, "int"),
        ({"batch_size": True}, TypeError, "int"),
    ],
)
def test_loader_validates_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(TensorDataset(np.arange(4)), **kwargs)


def test_loader_needs_a_map_style_dataset():
    with pytest.raises(TypeError, match="TensorDataset"):
        DataLoader(iter([1, 2, 3]), batch_size=2)


def test_loader_batches_any_sequence_as_pytorch_does():
    batches = list(DataLoader([1, 2, 3], batch_size=2))
    assert [batch.tolist() for batch in batches] == [[1, 2], [3]]
    assert batches[0].dtype == np.int64


@pytest.mark.parametrize("device", DEVICES)
def test_batches_land_on_the_chosen_device(device):
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    for ds in (TensorDataset(x), ListDataset(x)):
        (xb,) = next(iter(DataLoader(ds, batch_size=2, device=device)))
        assert xb.device == device
        np.testing.assert_array_equal(xb.numpy(), x[:2])


@pytest.mark.parametrize("device", DEVICES)
def test_tensor_dataset_batches_stay_on_the_data_device(device):
    ds = TensorDataset(tg.Tensor(np.arange(8, dtype=np.float32), device=device))
    (xb,) = next(iter(DataLoader(ds, batch_size=3, shuffle=True, seed=0)))
    assert xb.device == device and xb.shape == (3,)


# ---------------------------------------------------------------- IDX files and MNIST


def idx_bytes(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def fake_mnist(count=6, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, count, dtype=np.uint8)
    return images, labels


def write_split(folder, images, labels, prefix="t10k", gz=True):
    folder.mkdir(parents=True, exist_ok=True)
    opener, suffix = (gzip.open, ".gz") if gz else (open, "")
    for name, payload in ((f"{prefix}-images-idx3-ubyte", idx_bytes(images, 2051)),
                          (f"{prefix}-labels-idx1-ubyte", idx_bytes(labels, 2049))):
        with opener(folder / (name + suffix), "wb") as file:
            file.write(payload)


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("layout", [".", "MNIST/raw"])
def test_mnist_reads_idx_files(tmp_path, gz, layout):
    images, labels = fake_mnist()
    write_split(tmp_path / layout, images, labels, prefix="train", gz=gz)
    ds = datasets.MNIST(tmp_path, train=True)
    assert len(ds) == 6
    assert ds.data.dtype == np.uint8 and ds.data.shape == (6, 28, 28)
    assert ds.targets.dtype == np.int64
    np.testing.assert_array_equal(ds.data, images)
    np.testing.assert_array_equal(ds.targets, labels)
    image, label = ds[2]
    assert image.dtype == np.float32 and image.shape == (784,)
    np.testing.assert_allclose(image, images[2].reshape(-1) / 255, rtol=1e-6)
    assert label == labels[2] and isinstance(label, int)


def test_mnist_arrays_and_loader_agree_with_items(tmp_path):
    images, labels = fake_mnist(count=10)
    write_split(tmp_path, images, labels)
    ds = datasets.MNIST(tmp_path, train=False)
    flat, targets = ds.arrays()
    assert flat.shape == (10, 784) and flat.dtype == np.float32 and targets.dtype == np.int64
    assert ds.arrays(flatten=False)[0].shape == (10, 1, 28, 28)
    np.testing.assert_array_equal(flat[7], ds[7][0])
    xb, yb = next(iter(DataLoader(ds, batch_size=10)))
    np.testing.assert_array_equal(xb.numpy(), flat)
    np.testing.assert_array_equal(yb.numpy(), targets)


def test_mnist_transform_applies_to_items_and_batches(tmp_path):
    images, labels = fake_mnist(count=4)
    write_split(tmp_path, images, labels)
    ds = datasets.MNIST(tmp_path, train=False, transform=lambda image: image.reshape(28, 28))
    assert ds[0][0].shape == (28, 28)
    xb, _ = next(iter(DataLoader(ds, batch_size=4)))
    assert xb.shape == (4, 28, 28)


def test_mnist_missing_file_says_which_and_how_to_download(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.*download=True"):
        datasets.MNIST(tmp_path, train=True)


def corrupt(kind, images, labels):
    """(file to break, its new bytes, expected message) for one kind of damage."""
    image_bytes = idx_bytes(images, 2051)
    return {
        "magic": ("images", idx_bytes(images, 2049), "magic number 2049, expected 2051"),
        "truncated": ("images", image_bytes[:-100], "truncated or corrupt"),
        "padded": ("images", image_bytes + b"\0", "truncated or corrupt"),
        "short header": ("labels", b"\0\0\x08", "too short"),
        "header cut": ("images", image_bytes[:10], "header truncated"),
        "size": ("images", idx_bytes(images[:, :27], 2051), r"expected \(28, 28\)"),
        "count": ("labels", idx_bytes(labels[:-1], 2049), "5 labels but .* 6 images"),
        "label": ("labels", idx_bytes(np.full(6, 10), 2049), "not a digit"),
    }[kind]


@pytest.mark.parametrize(
    "kind", ["magic", "truncated", "padded", "short header", "header cut", "size", "count", "label"]
)
def test_mnist_corrupt_files_are_clear_errors(tmp_path, kind):
    images, labels = fake_mnist()
    which, payload, message = corrupt(kind, images, labels)
    write_split(tmp_path, images, labels, gz=False)
    broken = tmp_path / f"t10k-{which}-idx{3 if which == 'images' else 1}-ubyte"
    broken.write_bytes(payload)
    with pytest.raises(ValueError, match=message) as error:
        datasets.MNIST(tmp_path, train=False)
    assert broken.name in str(error.value)


def test_mnist_broken_gzip_is_a_clear_error(tmp_path):
    images, labels = fake_mnist()
    write_split(tmp_path, images, labels)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.gz: corrupt gzip"):
        datasets.MNIST(tmp_path, train=False)


needs_mnist = pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"no MNIST files at {MNIST_DIR}")


@needs_mnist
def test_real_mnist_test_set():
    ds = datasets.MNIST(MNIST_DIR, train=False)
    assert len(ds) == 10_000 and ds.data.shape == (10_000, 28, 28)
    np.testing.assert_array_equal(ds.targets[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    counts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    np.testing.assert_array_equal(np.bincount(ds.targets), counts)
    image, _ = ds[0]
    assert image.min() == 0.0 and image.max() == 1.0


@needs_mnist
def test_real_mnist_checksums_match_the_table():
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert hashlib.md5((MNIST_DIR / name).read_bytes()).hexdigest() == mnist.MD5[name]


@needs_mnist
def test_real_mnist_has_no_training_files_here():
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        datasets.MNIST(MNIST_DIR, train=True)


# ---------------------------------------------------------------- download (local server only)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves `server.files`: URL path -> (body, announced Content-Length); 404 otherwise."""

    def do_GET(self):
        entry = self.server.files.get(self.path)
        if entry is None:
            self.send_error(404)
            return
        body, length = entry
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    """A local HTTP server; yields (base URL, its files dict). No request leaves 127.0.0.1."""
    monkeypatch.setenv("no_proxy", "*")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files = {}
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.files
    httpd.shutdown()
    httpd.server_close()


def serve(files, prefix, name, body, length=None):
    files[f"/{prefix}/{name}"] = (body, len(body) if length is None else length)
    return hashlib.md5(body).hexdigest()


def test_download_falls_back_to_the_next_mirror(server, tmp_path):
    base, files = server
    md5 = serve(files, "good", "file.bin", b"payload" * 1000)
    mirrors = [f"{base}/missing/", f"{base}/good/"]
    path = download("file.bin", tmp_path / "out", mirrors, md5)
    assert Path(path).read_bytes() == b"payload" * 1000
    assert os.listdir(tmp_path / "out") == ["file.bin"]


@pytest.mark.parametrize(
    ("length", "wrong_md5", "message"),
    [(None, True, "MD5 mismatch"), (10_000, False, "closed after 7000 of 10000 bytes")],
)
def test_download_failures_leave_no_file(server, tmp_path, length, wrong_md5, message):
    base, files = server
    md5 = serve(files, "m", "file.bin", b"payload" * 1000, length=length)
    with pytest.raises(RuntimeError, match=message):
        download("file.bin", tmp_path, [f"{base}/m/"], "0" * 32 if wrong_md5 else md5)
    assert os.listdir(tmp_path) == []


def test_download_reports_every_mirror(server, tmp_path):
    base, _ = server
    with pytest.raises(RuntimeError) as error:
        download("file.bin", tmp_path, [f"{base}/a/", "http://127.0.0.1:1/"], "0" * 32)
    assert f"{base}/a/file.bin: HTTP Error 404" in str(error.value)
    assert "http://127.0.0.1:1/file.bin" in str(error.value)
    with pytest.raises(RuntimeError, match="mirror list is empty"):
        download("file.bin", tmp_path, [], "0" * 32)
    assert os.listdir(tmp_path) == []


def test_download_works_without_tqdm(server, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    base, files = server
    md5 = serve(files, "m", "file.bin", b"abc")
    assert Path(download("file.bin", tmp_path, [f"{base}/m/"], md5)).read_bytes() == b"abc"


def test_mnist_download_end_to_end(server, tmp_path, monkeypatch):
    base, files = server
    images, labels = fake_mnist(count=3)
    checksums = {}
    for name, payload in (("t10k-images-idx3-ubyte.gz", idx_bytes(images, 2051)),
                          ("t10k-labels-idx1-ubyte.gz", idx_bytes(labels, 2049))):
        checksums[name] = serve(files, "mnist", name, gzip.compress(payload))
    monkeypatch.setattr(mnist, "MIRRORS", [f"{base}/nowhere/", f"{base}/mnist/"])
    monkeypatch.setattr(mnist, "MD5", checksums)
    root = tmp_path / "data"
    ds = datasets.MNIST(root, train=False, download=True)
    np.testing.assert_array_equal(ds.data, images)
    assert sorted(os.listdir(root)) == sorted(checksums)
    monkeypatch.setattr(mnist, "MIRRORS", [])  # present files are not fetched again
    assert len(datasets.MNIST(root, train=False, download=True)) == 3


def test_mnist_download_with_a_bad_checksum_keeps_nothing(server, tmp_path, monkeypatch):
    base, files = server
    images, labels = fake_mnist(count=3)
    serve(files, "mnist", "t10k-images-idx3-ubyte.gz", gzip.compress(idx_bytes(images, 2051)))
    monkeypatch.setattr(mnist, "MIRRORS", [f"{base}/mnist/"])
    with pytest.raises(RuntimeError, match="t10k-images-idx3-ubyte.gz.*MD5 mismatch"):
        datasets.MNIST(tmp_path, train=False, download=True)  # the real table's checksums
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- Digits (scikit-learn)


def test_digits_split_is_deterministic_and_complete():
    pytest.importorskip("sklearn")
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert (len(train), len(test)) == (1438, 359)
    assert train.data.shape == (1438, 8, 8) and train.targets.dtype == np.int64
    from sklearn.datasets import load_digits

    full = load_digits()
    rows = np.column_stack([full.images.reshape(1797, -1), full.target])
    split = np.concatenate([np.column_stack([d.data.reshape(len(d), -1), d.targets])
                            for d in (train, test)])
    np.testing.assert_array_equal(split[np.lexsort(split.T)], rows[np.lexsort(rows.T)])
    np.testing.assert_array_equal(datasets.Digits(train=False).targets, test.targets)
    assert not np.array_equal(datasets.Digits(train=False, seed=1).targets, test.targets)
    image, label = train[0]
    assert image.dtype == np.float32 and image.shape == (64,)
    assert 0 <= image.min() <= image.max() <= 1
    assert isinstance(label, int)


def test_digits_rejects_a_bad_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        datasets.Digits(test_fraction=1.0)


def test_digits_without_scikit_learn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        datasets.Digits()
