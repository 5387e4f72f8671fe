"""Sequence modules against PyTorch: the same state dict gives the same outputs, input
gradients and parameter gradients (float64); PyTorch's names, shapes, initialization and
errors. The ops themselves are in the registry (tests/registry/sequence_ops.py)."""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch = pytest.importorskip("torch")


def flat(value):
    if isinstance(value, tuple | list):
        return [item for part in value for item in flat(part)]
    return [] if value is None else [value]


def twin(ours, torch_module):
    """PyTorch's module with our state dict, both in float64."""
    ours.double()
    torch_module.double().load_state_dict(
        {name: torch.tensor(value.numpy()) for name, value in ours.state_dict().items()})
    return torch_module


def inputs(*arrays):
    """Each array as a float64 tg tensor and torch tensor requiring grad (bool/int: constants)."""
    ours, theirs = [], []
    for array in arrays:
        floating = array.dtype.kind == "f"
        ours.append(tg.tensor(array, requires_grad=floating))
        theirs.append(torch.tensor(array, requires_grad=floating))
    return ours, theirs


def assert_same(ours, theirs, our_args, their_args, **kwargs):
    """Outputs, input gradients and parameter gradients agree to 1e-10."""
    our_out, their_out = flat(ours(*our_args, **kwargs)), flat(theirs(*their_args, **kwargs))
    assert len(our_out) == len(their_out)
    rng = np.random.default_rng(1)
    upstream = [rng.standard_normal(tuple(t.shape)) for t in their_out]
    for mine, expected in zip(our_out, their_out):
        np.testing.assert_allclose(mine.numpy(), expected.detach().numpy(), atol=1e-10)
    sum((o * tg.tensor(u)).sum() for o, u in zip(our_out, upstream)).backward()
    sum((t * torch.tensor(u)).sum() for t, u in zip(their_out, upstream)).backward()
    names = [name for name, _ in ours.named_parameters()]
    assert names == [name for name, _ in theirs.named_parameters()]
    for (name, mine), expected in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(mine.grad.numpy(), expected.grad.numpy(), atol=1e-10,
                                   err_msg=name)
    for mine, expected in zip(our_args, their_args):
        if getattr(mine, "requires_grad", False):
            np.testing.assert_allclose(mine.grad.numpy(), expected.grad.numpy(), atol=1e-10)


RNG = np.random.default_rng(0)

RECURRENT_CASES = [
    ("LSTM", {}), ("LSTM", {"num_layers": 3, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bias": False}), ("GRU", {"num_layers": 2}),
    ("GRU", {"bidirectional": True, "batch_first": True}), ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
    ("LSTM", {"num_layers": 2, "dropout": 0.5}),  # compared in eval mode: no dropout
]


@pytest.mark.parametrize("name, options", RECURRENT_CASES,
                         ids=[f"{n}-{'-'.join(map(str, o.values()))}" for n, o in RECURRENT_CASES])
def test_recurrent_layers_match_torch(name, options):
    ours = getattr(nn, name)(3, 4, **options)
    theirs = twin(ours, getattr(torch.nn, name)(3, 4, **options))
    ours.eval()
    theirs.eval()
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    shape = (2, 5, 3) if options.get("batch_first") else (5, 2, 3)
    x, x_torch = inputs(RNG.standard_normal(shape))
    assert_same(ours, theirs, x, x_torch)
    states = [RNG.standard_normal((layers, 2, 4)) for _ in range(2 if name == "LSTM" else 1)]
    (x, *h), (x_torch, *h_torch) = inputs(RNG.standard_normal(shape), *states)
    hx, hx_torch = (tuple(h), tuple(h_torch)) if name == "LSTM" else (h[0], h_torch[0])
    assert_same(ours, theirs, [x, hx], [x_torch, hx_torch])
    x, x_torch = inputs(RNG.standard_normal((4, 3)))  # unbatched
    assert_same(ours, theirs, x, x_torch)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(name):
    ours = getattr(nn, name)(3, 4)
    theirs = twin(ours, getattr(torch.nn, name)(3, 4))
    count = 2 if name == "LSTMCell" else 1
    (x, *h), (x_torch, *h_torch) = inputs(RNG.standard_normal((2, 3)),
                                          *[RNG.standard_normal((2, 4)) for _ in range(count)])
    hx, hx_torch = (tuple(h), tuple(h_torch)) if count == 2 else (h[0], h_torch[0])
    assert_same(ours, theirs, [x, hx], [x_torch, hx_torch])
    x, x_torch = inputs(RNG.standard_normal((3,)))
    assert_same(ours, theirs, x, x_torch)


def test_recurrent_parameters_names_shapes_and_init_as_torch():
    ours = nn.LSTM(3, 16, num_layers=2, bidirectional=True)
    theirs = torch.nn.LSTM(3, 16, num_layers=2, bidirectional=True)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    values = np.concatenate([p.numpy().ravel() for p in ours.parameters()])
    bound = 1 / math.sqrt(16)
    assert values.min() >= -bound and values.max() <= bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)  # uniform's std
    assert ours.weight_ih_l0.dtype == tg.float32
    assert repr(ours) == repr(theirs)


def test_dropout_between_layers_only_in_training():
    tg.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = tg.randn(6, 2, 3)
    trained = [lstm(x)[0].numpy() for _ in range(2)]
    assert not np.allclose(trained[0], trained[1])  # a fresh mask each call
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].numpy(), lstm(x)[0].numpy())
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


def test_backprop_through_time_reaches_every_step():
    """The engine walks the unrolled graph: the loss at the last step depends on every input."""
    rnn = nn.RNN(2, 3)
    x = tg.randn(7, 1, 2, requires_grad=True)
    output, _ = rnn(x)
    output[-1].sum().backward()
    assert np.all(np.abs(x.grad.numpy()).sum(axis=(1, 2)) > 0)


def test_recurrent_errors_name_the_expected_shape():
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = tg.randn(5, 2, 3)
    with pytest.raises(RuntimeError,
                       match=r"Expected hidden\[0\] size \(2, 2, 4\), got \[1, 2, 4\]"):
        lstm(x, (tg.zeros(1, 2, 4), tg.zeros(2, 2, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(2, 2, 4\)"):
        lstm(x, (tg.zeros(2, 2, 4), tg.zeros(2, 3, 4)))
    with pytest.raises(RuntimeError, match=r"hx must be a pair \(h_0, c_0\), of shapes"):
        lstm(x, tg.zeros(2, 2, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[2, 2, 4\]"):
        nn.GRU(3, 4)(x, tg.zeros(2, 2, 4))
    with pytest.raises(RuntimeError, match="input_size. Expected 3, got 2"):
        lstm(tg.randn(5, 2, 2))
    with pytest.raises(RuntimeError, match="hx should also be 2-D"):
        nn.RNN(3, 4)(tg.randn(5, 3), tg.zeros(1, 1, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden0 size \(2, 4\), got \[3, 4\]"):
        nn.GRUCell(3, 4)(tg.randn(2, 3), tg.zeros(3, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden1 size \(2, 4\)"):
        nn.LSTMCell(3, 4)(tg.randn(2, 3), (tg.zeros(2, 4), tg.zeros(2, 5)))
    with pytest.raises(RuntimeError, match="inconsistent input_size: got 2 expected 3"):
        nn.RNNCell(3, 4)(tg.randn(2, 2))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sig'"):
        nn.RNN(3, 4, nonlinearity="sig")



# ----- LSTM with projections (proj_size) ---------------------------------------------------------

PROJECTED_CASES = [
    {"num_layers": 2, "bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"bias": False},
]


@pytest.mark.parametrize("options", PROJECTED_CASES,
                         ids=["-".join(f"{k}={v}" for k, v in o.items()) for o in PROJECTED_CASES])
def test_projected_lstm_matches_torch(options):
    """Outputs, h_n, c_n and the gradients of the input, h_0, c_0 and every parameter
    (weight_hr_l{k} included), with default and given states, batched and unbatched."""
    ours = nn.LSTM(3, 5, proj_size=2, **options)
    theirs = twin(ours, torch.nn.LSTM(3, 5, proj_size=2, **options))
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    shape = (2, 4, 3) if options.get("batch_first") else (4, 2, 3)
    x, x_torch = inputs(RNG.standard_normal(shape))
    assert_same(ours, theirs, x, x_torch)
    (x, h, c), (x_torch, h_torch, c_torch) = inputs(
        RNG.standard_normal(shape), RNG.standard_normal((layers, 2, 2)),
        RNG.standard_normal((layers, 2, 5)))
    assert_same(ours, theirs, [x, (h, c)], [x_torch, (h_torch, c_torch)])
    x, x_torch = inputs(RNG.standard_normal((4, 3)))  # unbatched
    assert_same(ours, theirs, x, x_torch)
    (x, h, c), (x_torch, h_torch, c_torch) = inputs(
        RNG.standard_normal((4, 3)), RNG.standard_normal((layers, 2)),
        RNG.standard_normal((layers, 5)))
    assert_same(ours, theirs, [x, (h, c)], [x_torch, (h_torch, c_torch)])


def test_projected_lstm_shapes_state_dict_and_init_as_torch():
    ours = nn.LSTM(3, 6, num_layers=2, bidirectional=True, proj_size=2)
    theirs = torch.nn.LSTM(3, 6, num_layers=2, bidirectional=True, proj_size=2)
    assert [(n, tuple(v.shape)) for n, v in ours.state_dict().items()] == \
        [(n, tuple(v.shape)) for n, v in theirs.state_dict().items()]
    assert tuple(ours.weight_hr_l1_reverse.shape) == (2, 6)
    assert tuple(ours.weight_ih_l1.shape) == (24, 4)  # proj_size * directions columns
    values = np.concatenate([p.numpy().ravel() for p in ours.parameters()])
    bound = 1 / math.sqrt(6)
    assert values.min() >= -bound and values.max() <= bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert repr(ours) == repr(theirs) == \
        "LSTM(3, 6, proj_size=2, num_layers=2, bidirectional=True)"
    output, (h_n, c_n) = ours(tg.randn(4, 3, 3))
    assert (output.shape, h_n.shape, c_n.shape) == ((4, 3, 4), (4, 3, 2), (4, 3, 6))
    assert nn.LSTM(3, 6).proj_size == 0 and "proj_size" not in repr(nn.LSTM(3, 6))


def test_projected_lstm_state_dicts_load_both_ways():
    x = RNG.standard_normal((4, 2, 3))
    ours = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=3).double()
    theirs = twin(ours, torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=3))
    np.testing.assert_allclose(ours(tg.tensor(x))[1][0].numpy(),
                               theirs(torch.tensor(x))[1][0].detach().numpy(), atol=1e-12)
    theirs = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=3).double()
    ours = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=3).double()
    ours.load_state_dict({name: tg.tensor(value.detach().numpy())
                          for name, value in theirs.state_dict().items()})
    for mine, expected in zip(flat(ours(tg.tensor(x))), flat(theirs(torch.tensor(x)))):
        np.testing.assert_allclose(mine.numpy(), expected.detach().numpy(), atol=1e-12)
    with pytest.raises(RuntimeError):  # a projected state dict does not fit a plain LSTM
        torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True).load_state_dict(
            {name: torch.tensor(value.numpy()) for name, value in ours.state_dict().items()})


def test_projected_lstm_errors_as_torch():
    for proj_size, message in ((-1, "proj_size should be a positive integer or zero"),
                               (5, "proj_size has to be smaller than hidden_size"),
                               (7, "proj_size has to be smaller than hidden_size")):
        with pytest.raises(ValueError, match=message):
            torch.nn.LSTM(3, 5, proj_size=proj_size)
        with pytest.raises(ValueError, match=message):
            nn.LSTM(3, 5, proj_size=proj_size)
    lstm = nn.LSTM(3, 5, num_layers=2, proj_size=2)
    theirs = torch.nn.LSTM(3, 5, num_layers=2, proj_size=2)
    for h_shape, c_shape, message in (
            ((2, 2, 5), (2, 2, 5), r"Expected hidden\[0\] size \(2, 2, 2\), got \[2, 2, 5\]"),
            ((2, 2, 2), (2, 2, 2), r"Expected hidden\[1\] size \(2, 2, 5\), got \[2, 2, 2\]")):
        with pytest.raises(RuntimeError, match=message):
            theirs(torch.randn(4, 2, 3), (torch.zeros(h_shape), torch.zeros(c_shape)))
        with pytest.raises(RuntimeError, match=message):
            lstm(tg.randn(4, 2, 3), (tg.zeros(*h_shape), tg.zeros(*c_shape)))


def test_projected_lstm_gradcheck():
    """float64 finite differences through two projected layers in both directions, for the
    input, h_0, c_0 and every parameter."""
    tg.manual_seed(0)
    lstm = nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=2).double()
    x = tg.randn(3, 2, 2, dtype=tg.float64, requires_grad=True)
    h_0 = tg.randn(4, 2, 2, dtype=tg.float64, requires_grad=True)
    c_0 = tg.randn(4, 2, 3, dtype=tg.float64, requires_grad=True)

    def run(x, h_0, c_0, *parameters):  # the parameters are read from the module
        output, (h_n, c_n) = lstm(x, (h_0, c_0))
        return output, h_n, c_n

    assert tg.gradcheck(run, (x, h_0, c_0, *lstm.parameters()))

# ----- embedding, one_hot -----------------------------------------------------------------------


def test_embedding_padding_row_is_zero_and_gets_no_gradient_as_torch():
    ours = nn.Embedding(6, 3, padding_idx=-2)
    assert ours.padding_idx == 4 and not ours.weight.numpy()[4].any()
    theirs = twin(ours, torch.nn.Embedding(6, 3, padding_idx=-2))
    ids = np.array([[4, 1, 4], [0, 4, 5]])
    assert_same(ours, theirs, [tg.tensor(ids)], [torch.tensor(ids)])
    assert not ours.weight.grad.numpy()[4].any()
    assert np.abs(ours.weight.numpy()).std() > 0.3  # N(0, 1) elsewhere


def test_embedding_errors_as_torch():
    table = nn.Embedding(5, 2)
    with pytest.raises(IndexError, match=r"token id 7 .*num_embeddings.*\[0, 5\)"):
        table(tg.tensor([1, 7]))
    with pytest.raises(IndexError, match="token id -1"):
        table(tg.tensor([-1]))
    with pytest.raises(RuntimeError, match="integer token ids"):
        table(tg.tensor([1.0]))
    with pytest.raises(AssertionError, match="padding_idx"):
        nn.Embedding(5, 2, padding_idx=5)


def test_embedding_from_pretrained_is_frozen_by_default():
    weights = tg.randn(4, 3)
    frozen = nn.Embedding.from_pretrained(weights)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(tg.tensor([2])).numpy(), weights.numpy()[[2]])
    assert nn.Embedding.from_pretrained(weights, freeze=False).weight.requires_grad


def test_one_hot_matches_torch_values_dtype_and_errors():
    values = np.array([[0, 3], [2, 1]])
    expected = torch.nn.functional.one_hot(torch.tensor(values))
    result = F.one_hot(tg.tensor(values))
    assert result.dtype == tg.int64 and not result.requires_grad
    np.testing.assert_array_equal(result.numpy(), expected.numpy())
    np.testing.assert_array_equal(F.one_hot(tg.tensor(values), num_classes=6).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(values), 6).numpy())
    for bad, count, message in ((values - 1, -1, "non-negative"), (values, 3, "smaller than"),
                                (values.astype(np.int32), -1, "LongTensor"),
                                (np.zeros(0, np.int64), -1, "empty tensor")):
        with pytest.raises(RuntimeError, match=message):
            torch.nn.functional.one_hot(torch.tensor(bad), count)
        with pytest.raises(RuntimeError, match=message):
            F.one_hot(tg.tensor(bad), count)


# ----- normalization ------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False},
                                     {"eps": 0.1}])
def test_layer_norm_matches_torch(options):
    ours = nn.LayerNorm((3, 4), **options)
    theirs = twin(ours, torch.nn.LayerNorm((3, 4), **options))
    if ours.weight is not None:  # not the trivial ones/zeros
        ours.weight.data = RNG.standard_normal((3, 4))
        theirs.weight.data = torch.tensor(ours.weight.numpy())
    x, x_torch = inputs(RNG.standard_normal((2, 3, 4)))
    assert_same(ours, theirs, x, x_torch)


@pytest.mark.parametrize("groups, affine", [(1, True), (2, True), (4, False)])
def test_group_norm_matches_torch(groups, affine):
    ours = nn.GroupNorm(groups, 4, affine=affine)
    theirs = twin(ours, torch.nn.GroupNorm(groups, 4, affine=affine))
    x, x_torch = inputs(RNG.standard_normal((3, 4, 2, 2)))
    assert_same(ours, theirs, x, x_torch)


def test_normalization_errors_as_torch():
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 4\]"):
        nn.LayerNorm(4)(tg.randn(2, 3))
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="number of channels"):
        nn.GroupNorm(2, 4)(tg.randn(2, 6))


# ----- attention --------------------------------------------------------------------------------


MHA_CASES = [({}, {}), ({"batch_first": True}, {"average_attn_weights": False}),
             ({"bias": False, "num_heads": 1}, {"need_weights": False})]


@pytest.mark.parametrize("options, call", MHA_CASES)
def test_multihead_attention_matches_torch(options, call):
    options = {"embed_dim": 6, "num_heads": 3, **options}
    ours = nn.MultiheadAttention(**options)
    theirs = twin(ours, torch.nn.MultiheadAttention(**options))
    shapes = ((4, 2, 6), (5, 2, 6), (5, 2, 6))
    if options.get("batch_first"):
        shapes = [(2, length, 6) for length, _, _ in shapes]
    (q, k, v), (q_t, k_t, v_t) = inputs(*(RNG.standard_normal(s) for s in shapes))
    assert_same(ours, theirs, [q, k, v], [q_t, k_t, v_t], **call)
    (x,), (x_torch,) = inputs(RNG.standard_normal((4, 2, 6)))
    assert_same(ours, theirs, [x, x, x], [x_torch, x_torch, x_torch], **call)


def test_multihead_attention_masks_and_unbatched_match_torch():
    ours = nn.MultiheadAttention(4, 2)
    theirs = twin(ours, torch.nn.MultiheadAttention(4, 2))
    causal = np.triu(np.ones((3, 3), bool), 1)
    padding = np.array([[False, False, True], [False, False, False]])
    per_head = RNG.standard_normal((4, 3, 3))
    (x,), (x_t,) = inputs(RNG.standard_normal((3, 2, 4)))
    for masks in ({"attn_mask": causal, "key_padding_mask": padding},
                  {"attn_mask": per_head, "is_causal": False},
                  {"attn_mask": causal, "is_causal": True}):
        mine = {k: tg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in masks.items()}
        their = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in masks.items()}
        for mine_out, their_out in zip(flat(ours(x, x, x, **mine)),
                                       flat(theirs(x_t, x_t, x_t, **their))):
            np.testing.assert_allclose(mine_out.numpy(), their_out.detach().numpy(), atol=1e-10)
    (x,), (x_t,) = inputs(RNG.standard_normal((3, 4)))
    assert_same(ours, theirs, [x, x, x], [x_t, x_t, x_t])


def test_multihead_attention_init_and_errors():
    module = nn.MultiheadAttention(8, 2)
    assert [name for name, _ in module.named_parameters()] == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert not module.in_proj_bias.numpy().any() and not module.out_proj.bias.numpy().any()
    assert np.abs(module.in_proj_weight.numpy()).max() <= math.sqrt(6 / (8 + 24))
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(RuntimeError, match="need attn_mask"):
        module(tg.randn(2, 1, 8), tg.randn(2, 1, 8), tg.randn(2, 1, 8), is_causal=True)


def test_multihead_attention_dropout_only_in_training():
    tg.manual_seed(0)
    module = nn.MultiheadAttention(4, 2, dropout=0.5)
    x = tg.randn(3, 2, 4)
    first, second = (module(x, x, x)[1].numpy() for _ in range(2))
    assert not np.allclose(first, second)
    module.eval()
    weights = module(x, x, x)[1].numpy()
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-6)


MHA_NEW_OPTIONS = [{"kdim": 3, "vdim": 5}, {"add_bias_kv": True}, {"add_zero_attn": True},
                   {"kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True},
                   {"kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True,
                    "bias": False}]
MHA_NEW_IDS = ["-".join(f"{k}={v}" for k, v in options.items()) for options in MHA_NEW_OPTIONS]


def mha_pair(**options):
    """Our MultiheadAttention(6, 2, **options) and PyTorch's with the same state dict."""
    ours = nn.MultiheadAttention(6, 2, **options)
    return ours, twin(ours, torch.nn.MultiheadAttention(6, 2, **options))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "boolean", "float"])
@pytest.mark.parametrize("options", MHA_NEW_OPTIONS, ids=MHA_NEW_IDS)
def test_multihead_attention_new_options_match_torch(options, masks, batch_first):
    ours, theirs = mha_pair(batch_first=batch_first, **options)
    length, source, batch = 4, 5, 2
    shapes = [(length, batch, 6), (source, batch, ours.kdim), (source, batch, ours.vdim)]
    if batch_first:
        shapes = [(batch, size, features) for size, batch, features in shapes]
    arrays = [RNG.standard_normal(shape) for shape in shapes]
    if masks == "boolean":
        arrays += [np.array([[False, False, True, False, True], [False] * 5]),
                   np.triu(np.ones((length, source), bool), 1)]
    elif masks == "float":  # float masks require grad: their gradients are compared too
        arrays += [RNG.standard_normal((batch, source)),
                   RNG.standard_normal((batch * 2, length, source))]
    our_args, their_args = inputs(*arrays)
    if masks != "none":  # positionally: key_padding_mask, need_weights, attn_mask
        our_args.insert(4, True)
        their_args.insert(4, True)
    assert_same(ours, theirs, our_args, their_args, average_attn_weights=not batch_first)
    extra = int("add_bias_kv" in options) + int("add_zero_attn" in options)
    assert ours(*our_args)[1].shape == (batch, length, source + extra)


@pytest.mark.parametrize("options", MHA_NEW_OPTIONS, ids=MHA_NEW_IDS)
def test_multihead_attention_new_options_unbatched_match_torch(options):
    ours, theirs = mha_pair(**options)
    our_args, their_args = inputs(
        RNG.standard_normal((4, 6)), RNG.standard_normal((5, ours.kdim)),
        RNG.standard_normal((5, ours.vdim)), np.array([False, True, False, False, True]))
    assert_same(ours, theirs, our_args, their_args)
    (mask,), (mask_torch,) = inputs(RNG.standard_normal((2, 4, 5)))
    assert_same(ours, theirs, [*our_args[:3], None, True, mask],
                [*their_args[:3], None, True, mask_torch], average_attn_weights=False)


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_self_attention_with_extra_positions_matches_torch(batch_first):
    ours, theirs = mha_pair(add_bias_kv=True, add_zero_attn=True, batch_first=batch_first)
    (x,), (x_t,) = inputs(RNG.standard_normal((2, 3, 6) if batch_first else (3, 2, 6)))
    (causal,), (causal_t,) = inputs(np.triu(np.ones((3, 3), bool), 1))
    assert_same(ours, theirs, [x, x, x, None, True, causal],
                [x_t, x_t, x_t, None, True, causal_t], is_causal=True)


@pytest.mark.parametrize("options", [{}, {"kdim": 6, "vdim": 6}, *MHA_NEW_OPTIONS],
                         ids=["default", "kdim=vdim=embed_dim", *MHA_NEW_IDS])
def test_multihead_attention_state_dict_matches_torch_both_ways(options):
    ours = nn.MultiheadAttention(6, 2, **options).double()
    theirs = torch.nn.MultiheadAttention(6, 2, **options).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [(name, tuple(p.shape)) for name, p in ours.named_parameters()] == [
        (name, tuple(p.shape)) for name, p in theirs.named_parameters()]
    separate = options.get("kdim", 6) != 6
    assert (ours.in_proj_weight is None) == separate == (not ours._qkv_same_embed_dim)
    assert all((getattr(ours, f"{x}_proj_weight") is None) != separate for x in "qkv")
    assert (ours.bias_k is None) == (ours.bias_v is None) == (not options.get("add_bias_kv"))
    query, key, value = (RNG.standard_normal((4, 2, size)) for size in (6, ours.kdim, ours.vdim))

    def same_outputs():
        for mine, expected in zip(ours(*map(tg.tensor, (query, key, value))),
                                  theirs(*map(torch.tensor, (query, key, value)))):
            np.testing.assert_allclose(mine.numpy(), expected.detach().numpy(), atol=1e-12)

    ours.load_state_dict({name: tg.tensor(value.numpy())
                          for name, value in theirs.state_dict().items()})  # PyTorch -> ours
    same_outputs()
    ours = nn.MultiheadAttention(6, 2, **options).double()  # a fresh initialization
    theirs.load_state_dict({name: torch.tensor(value.numpy())
                            for name, value in ours.state_dict().items()})  # ours -> PyTorch
    same_outputs()


def test_multihead_attention_new_options_init_and_repr():
    tg.manual_seed(0)
    module = nn.MultiheadAttention(256, 4, kdim=64, vdim=32, add_bias_kv=True)
    assert [name for name, _ in module.named_parameters()] == [
        "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v",
        "out_proj.weight", "out_proj.bias"]
    for weight, fan_in in ((module.q_proj_weight, 256), (module.k_proj_weight, 64),
                           (module.v_proj_weight, 32)):
        bound = math.sqrt(6 / (256 + fan_in))
        assert weight.shape == (256, fan_in)
        assert np.abs(weight.numpy()).max() <= bound
        assert np.abs(weight.numpy()).max() > 0.9 * bound  # uniform over the whole range
    assert not module.in_proj_bias.numpy().any() and not module.out_proj.bias.numpy().any()
    for bias in (module.bias_k, module.bias_v):  # xavier-normal: std sqrt(2 / (256 + 256))
        assert bias.shape == (1, 1, 256)
        assert abs(bias.numpy().std() / math.sqrt(1 / 256) - 1) < 0.2
    assert not np.allclose(module.bias_k.numpy(), module.bias_v.numpy())
    assert "kdim=64, vdim=32, add_bias_kv=True" in repr(module)
    assert "add_zero_attn=True" in repr(nn.MultiheadAttention(4, 2, add_zero_attn=True))
    assert "kdim" not in repr(nn.MultiheadAttention(4, 2, kdim=4, vdim=4))


def test_multihead_attention_new_options_errors_as_torch():
    for embed_dim, heads in ((0, 1), (4, 0)):
        for module in (nn.MultiheadAttention, torch.nn.MultiheadAttention):
            with pytest.raises(ValueError, match="must be greater than 0"):
                module(embed_dim, heads)
    query, key, value = RNG.standard_normal((2, 1, 4)), RNG.standard_normal((2, 1, 3)), \
        RNG.standard_normal((2, 1, 5))
    for args in ((query, query, value), (query, key, key), (query, key, value[:1]),
                 (value, key, value)):
        for module, tensor in ((nn.MultiheadAttention(4, 2, kdim=3, vdim=5), tg.tensor),
                               (torch.nn.MultiheadAttention(4, 2, kdim=3, vdim=5).double(),
                                torch.tensor)):
            with pytest.raises(AssertionError):
                module(*map(tensor, args))
    with pytest.raises(AssertionError, match="do not match"):
        nn.MultiheadAttention(4, 2)(*map(tg.tensor, (query, query, query[:1])))


@pytest.mark.parametrize("options", [
    {"kdim": 3, "vdim": 2, "add_bias_kv": True, "add_zero_attn": True},
    {"add_bias_kv": True, "add_zero_attn": True, "bias": False}])
def test_multihead_attention_new_paths_gradcheck(options):
    """Finite differences through every input and parameter of the new paths (float64)."""
    tg.manual_seed(0)
    module = nn.MultiheadAttention(4, 2, **options).double()
    padding = tg.tensor(np.array([[False, True, False], [False, False, False]]))
    query = tg.tensor(RNG.standard_normal((2, 2, 4)), requires_grad=True)
    if "kdim" in options:
        key = tg.tensor(RNG.standard_normal((3, 2, 3)), requires_grad=True)
        value = tg.tensor(RNG.standard_normal((3, 2, 2)), requires_grad=True)

        def attend(q, k, v, *parameters):
            return module(q, k, v, key_padding_mask=padding, average_attn_weights=False)

        assert tg.gradcheck(attend, (query, key, value, *module.parameters()))
    else:  # self-attention: the one-matmul packed projection
        def attend_self(x, *parameters):
            return module(x, x, x, attn_mask=padding[:, :2].T)

        assert tg.gradcheck(attend_self, (query, *module.parameters()))


def test_sdpa_errors_as_torch():
    q = tg.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="attn_mask should not be set when is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=tg.ones(3, 3).bool(), is_causal=True)


def test_torch_state_dicts_load_into_ours():
    theirs = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    ours = nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    ours.load_state_dict({name: tg.tensor(value.detach().numpy())
                          for name, value in theirs.state_dict().items()})
    x = RNG.standard_normal((5, 2, 3))
    np.testing.assert_allclose(ours(tg.tensor(x))[0].numpy(),
                               theirs(torch.tensor(x))[0].detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("shape", [(3, 5, 8), (5, 8)], ids=["batched", "unbatched"])
def test_self_attention_projects_with_one_matmul_in_every_layout(batch_first, shape):
    from tinygrad_edu.autograd.engine import topological_order

    attention = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    x = tg.randn(*shape, requires_grad=True)
    output, _ = attention(x, x, x)
    nodes = [type(node).__name__ for node in topological_order([output.grad_fn])]
    assert nodes.count("Linear") == 2  # in_proj (q, k, v at once) and out_proj
    separate, _ = attention(x, x * 1.0, x)  # an equal but distinct key: three projections
    np.testing.assert_allclose(separate.numpy(), output.numpy(), rtol=1e-5, atol=1e-6)
