"""One time step of the recurrent layers, and the cells `RNNCell`, `LSTMCell`, `GRUCell`.

A step takes the input already projected, x W_ih^T + b_ih, for all gates at once (the
layers project every time step in one matrix product before their loop), adds h W_hh^T +
b_hh (one product per step for all gates) and applies the gates. Everything is Tensor
operations, so backpropagation through time is just the engine walking the unrolled graph.
Gate order is PyTorch's: LSTM (i, f, g, o), GRU (r, z, n).
"""

import math

from .. import creation
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def rnn_step(input_gates, h, weight_hh, bias_hh, nonlinearity):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""
    pre_activation = input_gates + F.linear(h, weight_hh, bias_hh)
    return pre_activation.tanh() if nonlinearity == "tanh" else pre_activation.relu()


def lstm_step(input_gates, h, c, weight_hh, bias_hh, weight_hr=None):
    """gates = x W_ih^T + b_ih + h W_hh^T + b_hh, split into i, f, g, o;
    c' = sigmoid(f) c + sigmoid(i) tanh(g),  h' = sigmoid(o) tanh(c').
    With a projection weight_hr (proj_size, H) (Sak et al. 2014), h' = (sigmoid(o) tanh(c'))
    W_hr^T: h has proj_size features, c keeps H."""
    gates = input_gates + F.linear(h, weight_hh, bias_hh)
    size = c.shape[-1]
    opened = gates.sigmoid()  # i, f and o in one op (the g quarter is not used)
    candidate = gates[..., 2 * size:3 * size].tanh()
    c = opened[..., size:2 * size] * c + opened[..., :size] * candidate
    h = opened[..., 3 * size:] * c.tanh()
    return (h if weight_hr is None else F.linear(h, weight_hr)), c


def gru_step(input_gates, h, weight_hh, bias_hh):
    """r, z = sigmoid(x W_i{r,z}^T + b_i{r,z} + h W_h{r,z}^T + b_h{r,z}),
    n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),  h' = (1 - z) n + z h."""
    hidden_gates = F.linear(h, weight_hh, bias_hh)
    size = h.shape[-1]
    reset_update = (input_gates[..., :2 * size] + hidden_gates[..., :2 * size]).sigmoid()
    reset, update = reset_update[..., :size], reset_update[..., size:]
    new = (input_gates[..., 2 * size:] + reset * hidden_gates[..., 2 * size:]).tanh()
    return new + update * (h - new)


def recurrent_parameter(rows, columns, dtype, device):
    """An uninitialized Parameter of shape (rows, columns), or (rows,) when columns is None."""
    shape = (rows,) if columns is None else (rows, columns)
    return Parameter(creation.empty(*shape, dtype=dtype, device=device))


def reset_uniform(module):
    """Every parameter U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
    bound = 1 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0.0
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)


class RNNCellBase(Module):
    """Parameters weight_ih (gates * H, I), weight_hh (gates * H, H), bias_ih, bias_hh
    (gates * H,), gates = 1 (RNN), 4 (LSTM), 3 (GRU)."""

    def __init__(self, mode, input_size, hidden_size, bias, device, dtype):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = GATES[self.mode] * hidden_size
        self.weight_ih = recurrent_parameter(rows, input_size, dtype, device)
        self.weight_hh = recurrent_parameter(rows, hidden_size, dtype, device)
        if bias:
            self.bias_ih = recurrent_parameter(rows, None, dtype, device)
            self.bias_hh = recurrent_parameter(rows, None, dtype, device)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        reset_uniform(self)

    def _prepare(self, input, states):  # noqa: A002  (PyTorch's argument name)
        """(input as a batch, the states as batches (zeros when None), batched?), checked."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got "
                               f"{input.shape[-1]} expected {self.input_size}")
        batched = input.ndim == 2
        batch = input.shape[0] if batched else 1
        rows = input if batched else input.unsqueeze(0)
        expected = (batch, self.hidden_size)
        prepared = []
        for position, state in enumerate(states):
            if state is None:
                prepared.append(creation.zeros(*expected, dtype=rows.dtype, device=rows.device))
                continue
            if state.ndim != input.ndim:
                raise RuntimeError(f"{name}: hidden{position} should be {input.ndim}-D like the "
                                   f"input, got shape {tuple(state.shape)}")
            state = state if batched else state.unsqueeze(0)
            if tuple(state.shape) != expected:
                raise RuntimeError(f"{name}: Expected hidden{position} size {expected}, got "
                                   f"{list(state.shape)} (input batch size {batch}, "
                                   f"hidden_size {self.hidden_size})")
            prepared.append(state)
        return rows, prepared, batched

    def _input_gates(self, input):  # noqa: A002
        return F.linear(input, self.weight_ih, self.bias_ih)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        return text


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (nonlinearity 'tanh' or 'relu').
    forward(input (N, I) or (I,), hx=None (zeros)) -> h' (N, H) or (H,)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):  # noqa: A002
        x, (h,), batched = self._prepare(input, (hx,))
        h = rnn_step(self._input_gates(x), h, self.weight_hh, self.bias_hh, self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """i, f, g, o gates; c' = f c + i g, h' = o tanh(c') (see lstm_step).
    forward(input, hx=None or (h, c)) -> (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):  # noqa: A002
        x, (h, c), batched = self._prepare(input, (None, None) if hx is None else hx)
        h, c = lstm_step(self._input_gates(x), h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """r, z, n gates; h' = (1 - z) n + z h (see gru_step). forward(input, hx=None) -> h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):  # noqa: A002
        x, (h,), batched = self._prepare(input, (hx,))
        h = gru_step(self._input_gates(x), h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
