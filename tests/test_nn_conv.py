"""The convolutional layers as modules: PyTorch's weight layout, initialization and state dict
(ours load into torch.nn and give the same outputs and gradients), the pooling, BatchNorm2d,
Dropout2d and Unflatten modules, and PyTorch's errors, naming the layer and the shapes."""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tests.helpers import copy_into_torch, run_both
from tinygrad_edu import nn

torch = pytest.importorskip("torch")


LAYERS = [
    ("conv1d", lambda m: m.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), (2, 4, 11)),
    ("conv1d_same_unbatched", lambda m: m.Conv1d(3, 2, 4, padding="same", bias=False), (3, 9)),
    ("conv2d_lenet", lambda m: m.Conv2d(1, 6, 5, padding=2), (2, 1, 12, 12)),
    ("conv2d_options", lambda m: m.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2),
                                          dilation=(1, 2), groups=2), (2, 4, 9, 8)),
    ("conv2d_same_unbatched", lambda m: m.Conv2d(2, 3, 4, padding="same", dilation=2), (2, 7, 7)),
    ("conv_transpose2d", lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                     output_padding=1, groups=2), (2, 4, 5, 4)),
    ("max_pool2d", lambda m: m.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 9, 8)),
    ("max_pool1d", lambda m: m.MaxPool1d(2), (2, 3, 9)),
    ("avg_pool2d", lambda m: m.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
     (2, 3, 9, 8)),
    ("avg_pool1d", lambda m: m.AvgPool1d(3, ceil_mode=True), (2, 3, 10)),
    ("adaptive_avg_pool2d", lambda m: m.AdaptiveAvgPool2d((3, None)), (2, 3, 7, 5)),
    ("unflatten", lambda m: m.Unflatten(1, (2, -1)), (3, 8)),
]


@pytest.mark.parametrize("make, shape", [layer[1:] for layer in LAYERS],
                         ids=[layer[0] for layer in LAYERS])
def test_layer_state_dict_loads_into_torch_with_the_same_outputs(make, shape):
    ours, theirs = make(nn).double(), make(torch.nn).double()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    copy_into_torch(ours, theirs)
    values = np.random.default_rng(0)
    x = values.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1  # no pooling ties
    run_both(ours, theirs, x)  # parameter gradients included


def test_lenet_state_dict_round_trip_through_torch():
    def lenet(m):
        return m.Sequential(m.Conv2d(1, 6, 5, padding=2), m.ReLU(), m.MaxPool2d(2),
                            m.Conv2d(6, 16, 5), m.BatchNorm2d(16), m.ReLU(), m.AvgPool2d(2),
                            m.Flatten(), m.Linear(16 * 5 * 5, 10))

    tg.manual_seed(0)
    ours, theirs = lenet(nn).double(), lenet(torch.nn).double()
    copy_into_torch(ours, theirs)
    x = np.random.default_rng(1).standard_normal((4, 1, 28, 28))
    run_both(ours, theirs, x)  # training mode: batch statistics, running stats updated
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(), rtol=1e-10)
    ours.eval()
    theirs.eval()
    run_both(ours, theirs, x)


@pytest.mark.parametrize("layer, fan_in", [(lambda: nn.Conv2d(6, 16, 5), 150),
                                           (lambda: nn.Conv2d(4, 8, (3, 2), groups=2), 12),
                                           (lambda: nn.Conv1d(3, 64, 7), 21),
                                           (lambda: nn.ConvTranspose2d(8, 4, 3), 36)])
def test_default_initialization_is_pytorchs(layer, fan_in):
    """kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in being
    weight.shape[1] times the kernel area; the bias has the same bound."""
    tg.manual_seed(0)
    module = layer()
    bound = 1 / math.sqrt(fan_in)
    weights = module.weight.numpy()
    assert weights.dtype == np.float32
    assert np.abs(weights).max() <= bound
    assert np.abs(weights).max() > 0.9 * bound  # filled, not zeros
    assert abs(weights.std() - bound / math.sqrt(3)) < 0.2 * bound
    assert np.abs(module.bias.numpy()).max() <= bound


def test_conv_transpose2d_output_size_picks_the_output_padding():
    tg.manual_seed(0)
    ours = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    copy_into_torch(ours, theirs)
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4))
    for size in ([7, 7], [8, 8], (1, 3, 8, 7)):
        output = ours(tg.tensor(x), output_size=size)
        expected = theirs(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(output.numpy(), expected.detach().numpy(), rtol=1e-12)
    _raises_like_torch(lambda: ours(tg.tensor(x), output_size=[10, 10]),
                       lambda: theirs(torch.tensor(x), output_size=[10, 10]),
                       r"ConvTranspose2d: requested an output size of \[10, 10\].*\[7, 7\]")


def test_weight_layouts_match_pytorch():
    assert nn.Conv2d(3, 8, (5, 3), groups=1).weight.shape == (8, 3, 5, 3)
    assert nn.Conv2d(4, 8, 3, groups=4).weight.shape == (8, 1, 3, 3)
    assert nn.Conv1d(4, 6, 5, groups=2).weight.shape == (6, 2, 5)
    assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
    assert nn.Conv2d(3, 8, 3, bias=False).bias is None
    assert repr(nn.Conv2d(1, 6, 5, padding=2)) == str(torch.nn.Conv2d(1, 6, 5, padding=2))


def test_batchnorm2d_matches_torch_over_steps_and_rejects_other_shapes():
    ours, theirs = nn.BatchNorm2d(3, momentum=None).double(), torch.nn.BatchNorm2d(
        3, momentum=None).double()
    rng = np.random.default_rng(0)
    for _ in range(3):
        run_both(ours, theirs, rng.standard_normal((4, 3, 5, 2)) * 2 + 1)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match=r"BatchNorm2d.*\(N, 3, H, W\).*\(4, 3, 5\)"):
        ours(tg.zeros(4, 3, 5))


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    tg.manual_seed(0)
    layer = nn.Dropout2d(p=0.25)
    output = layer(tg.ones(8, 16, 3, 3)).numpy()
    per_channel = output.reshape(8, 16, 9)
    assert np.all((per_channel == 0).all(axis=2) | (per_channel == 1 / 0.75).all(axis=2))
    dropped = (per_channel == 0).all(axis=2).mean()
    assert 0.1 < dropped < 0.4
    layer.eval()
    assert np.array_equal(layer(tg.ones(2, 3, 4, 4)).numpy(), np.ones((2, 3, 4, 4)))


def _raises_like_torch(ours, theirs, match):
    """Both raise the same exception type; ours with a message matching `match`."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(expected.type, match=match):
        ours()


def test_conv_errors_match_torch_and_name_the_layer_and_shapes():
    image = np.zeros((1, 3, 28, 28), np.float32)
    _raises_like_torch(lambda: nn.Conv2d(1, 6, 5)(tg.tensor(image)),
                       lambda: torch.nn.Conv2d(1, 6, 5)(torch.tensor(image)),
                       r"Conv2d.*\[6, 1, 5, 5\].*\[1, 3, 28, 28\].*1 channels.*3")
    small = np.zeros((1, 1, 4, 4), np.float32)
    _raises_like_torch(lambda: nn.Conv2d(1, 2, 5)(tg.tensor(small)),
                       lambda: torch.nn.Conv2d(1, 2, 5)(torch.tensor(small)),
                       r"Conv2d.*4 x 4.*5 x 5.*greater")
    _raises_like_torch(lambda: nn.Conv2d(1, 2, 3, padding=-1)(tg.tensor(small)),
                       lambda: torch.nn.Conv2d(1, 2, 3, padding=-1)(torch.tensor(small)),
                       "Conv2d: negative padding")
    _raises_like_torch(lambda: nn.Conv2d(4, 6, 3, groups=3),
                       lambda: torch.nn.Conv2d(4, 6, 3, groups=3),
                       "Conv2d: in_channels must be divisible by groups")
    _raises_like_torch(lambda: nn.Conv1d(3, 4, 3, groups=3),
                       lambda: torch.nn.Conv1d(3, 4, 3, groups=3),
                       "Conv1d: out_channels must be divisible by groups")
    _raises_like_torch(lambda: nn.Conv2d(3, 3, 3, stride=2, padding="same"),
                       lambda: torch.nn.Conv2d(3, 3, 3, stride=2, padding="same"),
                       "same.*strided")
    _raises_like_torch(lambda: nn.Conv2d(3, 3, 3, padding="full"),
                       lambda: torch.nn.Conv2d(3, 3, 3, padding="full"), "full")
    _raises_like_torch(lambda: nn.Conv2d(1, 2, 3)(tg.zeros(8, 8)),
                       lambda: torch.nn.Conv2d(1, 2, 3)(torch.zeros(8, 8)),
                       r"Conv2d.*3D.*4D.*\[8, 8\]")
    _raises_like_torch(
        lambda: tg.nn.functional.conv_transpose2d(tg.zeros(1, 2, 3, 3), tg.zeros(2, 1, 3, 3),
                                                  stride=2, output_padding=2),
        lambda: torch.nn.functional.conv_transpose2d(torch.zeros(1, 2, 3, 3),
                                                     torch.zeros(2, 1, 3, 3), stride=2,
                                                     output_padding=2),
        "output padding must be smaller")
    _raises_like_torch(lambda: tg.nn.functional.conv2d(tg.zeros(1, 1, 8, 8),
                                                       tg.zeros(2, 1, 3, 3), stride=0),
                       lambda: torch.nn.functional.conv2d(torch.zeros(1, 1, 8, 8),
                                                          torch.zeros(2, 1, 3, 3), stride=0),
                       "conv2d: non-positive stride")


def test_mixed_dtypes_are_refused_as_in_torch():
    _raises_like_torch(
        lambda: tg.nn.functional.conv2d(tg.zeros(1, 1, 4, 4), tg.zeros(1, 1, 3, 3).double()),
        lambda: torch.nn.functional.conv2d(torch.zeros(1, 1, 4, 4),
                                           torch.zeros(1, 1, 3, 3).double()),
        r"conv2d: input type \(float32\) and weight type \(float64\)")
    _raises_like_torch(
        lambda: nn.Conv1d(1, 2, 3)(tg.zeros(1, 1, 5).double()),
        lambda: torch.nn.Conv1d(1, 2, 3)(torch.zeros(1, 1, 5).double()), "Conv1d: input type")


def test_pooling_and_unflatten_errors_match_torch():
    x = np.zeros((1, 3, 8, 8), np.float32)
    _raises_like_torch(lambda: nn.MaxPool2d(2, padding=2)(tg.tensor(x)),
                       lambda: torch.nn.MaxPool2d(2, padding=2)(torch.tensor(x)),
                       "MaxPool2d: pad should be at most half")
    _raises_like_torch(lambda: nn.AvgPool2d(3)(tg.zeros(1, 1, 2, 2)),
                       lambda: torch.nn.AvgPool2d(3)(torch.zeros(1, 1, 2, 2)),
                       r"AvgPool2d.*\[1, 1, 2, 2\].*too small")
    _raises_like_torch(lambda: nn.MaxPool1d(2, stride=0)(tg.zeros(1, 4, 8)),
                       lambda: torch.nn.MaxPool1d(2, stride=0)(torch.zeros(1, 4, 8)),
                       "MaxPool1d.*stride")
    _raises_like_torch(lambda: nn.MaxPool2d(2)(tg.zeros(8, 8)),
                       lambda: torch.nn.MaxPool2d(2)(torch.zeros(8, 8)), "MaxPool2d.*3D.*4D")
    _raises_like_torch(lambda: nn.Unflatten(1, (2, 3))(tg.zeros(2, 7)),
                       lambda: torch.nn.Unflatten(1, (2, 3))(torch.zeros(2, 7)),
                       r"Unflatten.*\[2, 3\].*7")
    _raises_like_torch(lambda: tg.nn.functional.pad(tg.zeros(2, 3), (1, 2, 3)),
                       lambda: torch.nn.functional.pad(torch.zeros(2, 3), (1, 2, 3)),
                       "pad: padding length must be divisible by 2")


def test_make_cnn_reads_flat_square_images():
    from tinygrad_edu.train import make_cnn

    tg.manual_seed(0)
    model = make_cnn(28 * 28, 10)
    assert model(tg.zeros(3, 784)).shape == (3, 10)
    assert model[1].weight.shape == (16, 1, 5, 5) and model[10].in_features == 32 * 7 * 7
    with pytest.raises(ValueError, match="square image"):
        make_cnn(10, 3)


def test_hessian_vector_product_of_a_cnn_matches_torch():
    """Double backward through conv, pooling and the loss: H v for all weights at once."""
    rng = np.random.default_rng(0)
    images = rng.standard_normal((3, 2, 7, 7))
    labels = np.array([0, 2, 1])
    shapes = [(4, 2, 3, 3), (4,), (3, 4 * 3 * 3), (3,)]
    weights = [rng.standard_normal(shape) * 0.5 for shape in shapes]
    vectors = [rng.standard_normal(shape) for shape in shapes]

    def loss(functional, x, y, conv_w, conv_b, fc_w, fc_b):
        hidden = functional.avg_pool2d(functional.conv2d(x, conv_w, conv_b, padding=1).tanh(),
                                       2, ceil_mode=True)
        hidden = functional.max_pool2d(hidden, 2, stride=1)  # overlapping windows
        return functional.cross_entropy(functional.linear(hidden.flatten(1), fc_w, fc_b), y)

    x, y = tg.tensor(images), tg.tensor(labels)
    _, ours = tg.autograd.functional.hvp(
        lambda *w: loss(tg.nn.functional, x, y, *w), tuple(tg.tensor(w) for w in weights),
        tuple(tg.tensor(v) for v in vectors))
    x_torch, y_torch = torch.tensor(images), torch.tensor(labels)
    _, theirs = torch.autograd.functional.hvp(
        lambda *w: loss(torch.nn.functional, x_torch, y_torch, *w),
        tuple(torch.tensor(w) for w in weights), tuple(torch.tensor(v) for v in vectors))
    for mine, expected in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine.numpy(), expected.numpy(), rtol=1e-9, atol=1e-12)
