"""Registry entries of the sequence ops: embedding, layer and group norm, attention, and the
recurrent steps and layers (through nn.functional, nn.rnn_cells and the modules).

Module entries build the module from a fixed seed for every dtype and device they are called
with, and PyTorch's twin loads the same state dict in float64, so the registry's parity test
compares outputs and input gradients; tests/test_nn_sequence.py compares parameter gradients.
Masks and token ids are integer/boolean sample arrays (constants); every float array is an
input that gradcheck perturbs.
"""

import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.nn.rnn_cells import gru_step, lstm_step, rnn_step

from . import OpInfo


def _torch():
    import torch

    return torch


def normal(rng, shape, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale)


def ids(rng, shape, count):
    return np.asarray(rng.integers(0, count, shape), dtype=np.int64)


def _entry(name, function, samples, torch_function=None, **options):
    return OpInfo(name, function, samples, torch_function=torch_function, **options)


def _twins(name, functions, samples):
    """An entry from a pair (ours, PyTorch's)."""
    return _entry(name, functions[0], samples, functions[1])


# ----- embedding ------------------------------------------------------------------------------

def _with_padding_row(weight, row):
    """weight with a constant zero row inserted at `row`: the padding vector, not perturbed."""
    zeros = weight[:1] * 0.0
    return (tg.cat if isinstance(weight, tg.Tensor) else _torch().cat)(
        [weight[:row], zeros, weight[row:]])


EMBEDDING = [
    _entry("seq_embedding", lambda w, i: F.embedding(i, w),
           lambda rng: [(normal(rng, (5, 3)), ids(rng, (2, 4), 5)),
                        (normal(rng, (4, 2)), ids(rng, (6,), 4)),
                        (normal(rng, (3, 2)), np.array(2, dtype=np.int64))],
           lambda w, i: _torch().nn.functional.embedding(i, w)),
    _entry("seq_embedding_padding",
           lambda w, i: F.embedding(i, _with_padding_row(w, 1), padding_idx=1),
           lambda rng: [(normal(rng, (4, 3)), np.array([[1, 0, 4], [1, 2, 2]], np.int64))],
           lambda w, i: _torch().nn.functional.embedding(i, _with_padding_row(w, 1),
                                                         padding_idx=1)),
]

# ----- normalization --------------------------------------------------------------------------


def _layer_norm(shape, **options):
    return (lambda x, w=None, b=None: F.layer_norm(x, shape, w, b, **options),
            lambda x, w=None, b=None: _torch().nn.functional.layer_norm(x, shape, w, b,
                                                                        **options))


def _group_norm(groups):
    return (lambda x, w=None, b=None: F.group_norm(x, groups, w, b),
            lambda x, w=None, b=None: _torch().nn.functional.group_norm(x, groups, w, b))


NORMALIZATION = [
    _twins("seq_layer_norm", _layer_norm((4,)),
           lambda rng: [(normal(rng, (2, 3, 4)), normal(rng, (4,)), normal(rng, (4,))),
                        (normal(rng, (4,)), normal(rng, (4,)), normal(rng, (4,))),
                        (normal(rng, (3, 4)), normal(rng, (4,)))]),
    _twins("seq_layer_norm_2d_no_affine", _layer_norm((3, 2), eps=1e-3),
           lambda rng: [(normal(rng, (2, 3, 2)),)]),
    _twins("seq_group_norm", _group_norm(2),
           lambda rng: [(normal(rng, (2, 4, 3)), normal(rng, (4,)), normal(rng, (4,))),
                        (normal(rng, (3, 4)),),
                        (normal(rng, (1, 2, 2, 2)), normal(rng, (2,)), normal(rng, (2,)))]),
    _twins("seq_group_norm_instance", _group_norm(3),
           lambda rng: [(normal(rng, (2, 3, 4)), normal(rng, (3,)), normal(rng, (3,)))]),
]

# ----- attention ------------------------------------------------------------------------------


def _sdpa(**options):
    def ours(q, k, v, mask=None):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **options)

    def theirs(q, k, v, mask=None):
        return _torch().nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                                   **options)
    return ours, theirs


def qkv(rng, batch=(2,), length=3, source=4, dim=4, value_dim=3):
    return (normal(rng, (*batch, length, dim)), normal(rng, (*batch, source, dim)),
            normal(rng, (*batch, source, value_dim)))


def some_masked(rng, shape):
    """A boolean mask with at least one True in every row (no fully masked query)."""
    mask = rng.random(shape) < 0.6
    mask[..., 0] = True
    return mask


def one_row_masked(rng, shape):
    """some_masked with query 1 allowed no key at all (its weights and output are 0)."""
    mask = some_masked(rng, shape)
    mask[..., 1, :] = False
    return mask


def _sdpa_dropout(q, k, v):
    tg.manual_seed(0)  # the same mask at every evaluation gradcheck makes
    return F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)


ATTENTION = [
    _twins("seq_sdpa", _sdpa(),
           lambda rng: [qkv(rng), qkv(rng, batch=(2, 2), length=2, source=3),
                        qkv(rng, batch=())]),
    _twins("seq_sdpa_bool_mask", _sdpa(),
           lambda rng: [(*qkv(rng), some_masked(rng, (3, 4))),
                        (*qkv(rng, batch=(2, 2)), some_masked(rng, (2, 1, 3, 4))),
                        (*qkv(rng), one_row_masked(rng, (2, 3, 4)))]),
    _twins("seq_sdpa_float_mask", _sdpa(), lambda rng: [(*qkv(rng), normal(rng, (3, 4)))]),
    _twins("seq_sdpa_causal_scale", _sdpa(is_causal=True, scale=0.7),
           lambda rng: [qkv(rng, source=3), qkv(rng, length=4, source=4)]),
    _entry("seq_sdpa_dropout", _sdpa_dropout, lambda rng: [qkv(rng)],
           note="random dropout mask drawn from tg's generator: no PyTorch twin"),
]

# ----- recurrent steps: weights as inputs, against torch's fused cells -------------------------


def _lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    return lstm_step(F.linear(x, w_ih, b_ih), h, c, w_hh, b_hh)


def _gru_step(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    return gru_step(F.linear(x, w_ih, b_ih), h, w_hh, b_hh)


def _rnn_step(nonlinearity):
    return lambda x, h, w_ih, w_hh, b_ih, b_hh: rnn_step(F.linear(x, w_ih, b_ih), h, w_hh,
                                                         b_hh, nonlinearity)


def cell_samples(gates, state_count, bias=True):
    def make(rng):
        states = tuple(normal(rng, (2, 3)) for _ in range(state_count))
        weights = (normal(rng, (gates * 3, 4), 0.5), normal(rng, (gates * 3, 3), 0.5))
        biases = (normal(rng, (gates * 3,)), normal(rng, (gates * 3,))) if bias else ()
        return [(normal(rng, (2, 4)), *states, *weights, *biases)]
    return make


STEPS = [
    _entry("seq_lstm_step", _lstm_step, cell_samples(4, 2),
           lambda x, h, c, *weights: _torch().lstm_cell(x, (h, c), *weights)),
    _entry("seq_gru_step", _gru_step, cell_samples(3, 1),
           lambda x, h, *weights: _torch().gru_cell(x, h, *weights)),
    _entry("seq_gru_step_no_bias", _gru_step, cell_samples(3, 1, bias=False),
           lambda x, h, *weights: _torch().gru_cell(x, h, *weights)),
    _entry("seq_rnn_tanh_step", _rnn_step("tanh"), cell_samples(1, 1),
           lambda x, h, *weights: _torch().rnn_tanh_cell(x, h, *weights)),
    _entry("seq_rnn_relu_step", _rnn_step("relu"), cell_samples(1, 1),
           lambda x, h, *weights: _torch().rnn_relu_cell(x, h, *weights)),
]

# ----- modules: the same state dict in both frameworks ------------------------------------------


class SameModule:
    """Our module (built from seed 0, then moved to the inputs' dtype and device) and PyTorch's
    twin (loaded with our float64 state dict); `call(module, *tensors)` runs either."""

    def __init__(self, build, torch_name, call, **options):
        self.build, self.torch_name, self.call, self.options = build, torch_name, call, options
        self.ours_cache = {}

    def _made(self):
        tg.manual_seed(0)
        return self.build(**self.options)

    def ours(self, *tensors):
        key = (tensors[0].dtype, tensors[0].device)
        if key not in self.ours_cache:
            self.ours_cache[key] = self._made().to(device=key[1], dtype=key[0])
        return self.call(self.ours_cache[key], *tensors)

    def theirs(self, *tensors):
        torch = _torch()
        module = getattr(torch.nn, self.torch_name)(**self.options).double()
        state = self._made().double().state_dict()
        module.load_state_dict({name: torch.tensor(value.numpy()) for name, value in
                                state.items()})
        return self.call(module, *tensors)


def _flat(result):
    """(output, h_n) or (output, (h_n, c_n)) as a flat tuple of tensors (None dropped)."""
    flat = []
    for value in result if isinstance(result, tuple) else (result,):
        if isinstance(value, tuple):
            flat += _flat(value)
        elif value is not None:
            flat.append(value)
    return tuple(flat)


def module_entry(name, build, torch_name, call, samples, **options):
    pair = SameModule(build, torch_name, call, **options)
    return _twins(name, (lambda *t: _flat(pair.ours(*t)), lambda *t: _flat(pair.theirs(*t))),
                  samples)


MODULES = [
    module_entry("seq_lstm_bidirectional_2_layers", nn.LSTM, "LSTM", lambda m, x: m(x),
                 lambda rng: [(normal(rng, (3, 2, 2)),)],
                 input_size=2, hidden_size=2, num_layers=2, bidirectional=True),
    module_entry("seq_lstm_batch_first_states", nn.LSTM, "LSTM",
                 lambda m, x, h, c: m(x, (h, c)),
                 lambda rng: [(normal(rng, (2, 3, 2)), normal(rng, (1, 2, 3)),
                               normal(rng, (1, 2, 3)))],
                 input_size=2, hidden_size=3, batch_first=True),
    module_entry("seq_gru_unbatched_2_layers", nn.GRU, "GRU", lambda m, x, h: m(x, h),
                 lambda rng: [(normal(rng, (3, 2)), normal(rng, (2, 2)))],
                 input_size=2, hidden_size=2, num_layers=2, bias=False),
    module_entry("seq_rnn_relu_bidirectional", nn.RNN, "RNN", lambda m, x: m(x),
                 lambda rng: [(normal(rng, (3, 2, 2)),)],
                 input_size=2, hidden_size=3, nonlinearity="relu", bidirectional=True),
    module_entry("seq_lstm_cell_unbatched", nn.LSTMCell, "LSTMCell",
                 lambda m, x, h, c: m(x, (h, c)),
                 lambda rng: [(normal(rng, (3,)), normal(rng, (2,)), normal(rng, (2,)))],
                 input_size=3, hidden_size=2),
    module_entry("seq_mha_self", nn.MultiheadAttention, "MultiheadAttention",
                 lambda m, x: m(x, x, x),
                 lambda rng: [(normal(rng, (3, 2, 4)),), (normal(rng, (3, 4)),)],
                 embed_dim=4, num_heads=2),
    module_entry("seq_mha_masks", nn.MultiheadAttention, "MultiheadAttention",
                 lambda m, q, k, v, mask, padding: m(q, k, v, attn_mask=mask,
                                                     key_padding_mask=padding,
                                                     average_attn_weights=False),
                 lambda rng: [(*qkv(rng, length=3, source=4, dim=4, value_dim=4),
                               ~some_masked(rng, (3, 4)), np.array([[False] * 4,
                                                                    [False] * 3 + [True]]))],
                 embed_dim=4, num_heads=2, batch_first=True),
    module_entry("seq_mha_float_mask_no_weights", nn.MultiheadAttention, "MultiheadAttention",
                 lambda m, q, k, v, mask: m(q, k, v, attn_mask=mask, need_weights=False),
                 lambda rng: [(normal(rng, (3, 2, 4)), normal(rng, (4, 2, 4)),
                               normal(rng, (4, 2, 4)), normal(rng, (3, 4)))],
                 embed_dim=4, num_heads=1, bias=False),
    module_entry("seq_mha_kdim_vdim_bias_kv_zero_attn", nn.MultiheadAttention,
                 "MultiheadAttention",
                 lambda m, q, k, v, padding: m(q, k, v, key_padding_mask=padding),
                 lambda rng: [(*qkv(rng, length=3, source=4, dim=4, value_dim=2),
                               np.array([[False] * 3 + [True], [False] * 4]))],
                 embed_dim=4, num_heads=2, kdim=4, vdim=2, add_bias_kv=True,
                 add_zero_attn=True, batch_first=True),
    module_entry("seq_mha_zero_attn_unbatched_mask", nn.MultiheadAttention,
                 "MultiheadAttention",
                 lambda m, q, k, v, mask: m(q, k, v, attn_mask=mask,
                                            average_attn_weights=False),
                 lambda rng: [(normal(rng, (3, 4)), normal(rng, (2, 3)), normal(rng, (2, 3)),
                               normal(rng, (2, 3, 2)))],
                 embed_dim=4, num_heads=2, kdim=3, vdim=3, add_zero_attn=True),
]

OPS = [*EMBEDDING, *NORMALIZATION, *ATTENTION, *STEPS, *MODULES]
