"""Recurrent layers `RNN`, `LSTM`, `GRU`: the steps of rnn_cells.py unrolled over time,
layer after layer, optionally in both directions.

Each step makes two matrix products, x_t W_ih^T and h W_hh^T, each for all gates at once
(the four LSTM gates stacked in one weight). The loop builds an ordinary graph, so backward()
is backpropagation through time with no extra code.

Why not project every time step's input in one product before the loop? The engine gives
each node one output, so step t would cut its rows out of the projected (L, N, gates * H)
tensor with an index, whose backward makes a zero tensor of that whole size and adds it up:
L full-size arrays per layer, O(L^2) memory traffic. Measured (L = 50, N = 32, H = 128), the
per-step products make the LSTM's forward and backward 1.4x faster than the projection
before the loop; the matrix products do the same arithmetic either way.
"""

import warnings

from .. import creation
from ..combine import cat, stack
from . import functional as F
from .module import Module
from .rnn_cells import GATES, gru_step, lstm_step, recurrent_parameter, reset_uniform, rnn_step


class RNNBase(Module):
    """Parameters per layer k and direction, in PyTorch's names and order: weight_ih_l{k}
    (gates * H, I for k = 0, else P * directions), weight_hh_l{k} (gates * H, P), bias_ih_l{k},
    bias_hh_l{k}, and for an LSTM with proj_size > 0 weight_hr_l{k} (P, H), with the suffix
    _reverse for the backward direction; all U(-1/sqrt(H), 1/sqrt(H)). P, the size of h, is
    proj_size when nonzero (LSTM only), else H.

    forward(input, hx=None): input (L, N, I), (N, L, I) with batch_first, or unbatched (L, I);
    hx (num_layers * directions, N, P) (zeros when None; for LSTM a pair (h_0, c_0), c_0 of
    size H). Returns (output, h_n): output (L, N, directions * P), the last layer's h at every
    step (forward and backward directions concatenated), and h_n the final state of every layer
    and direction. dropout: applied to the outputs of every layer except the last, in training.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):
        super().__init__()
        F._check_probability(dropout, type(self).__name__)
        if proj_size < 0:
            raise ValueError(f"{type(self).__name__}: proj_size should be a positive integer or "
                             f"zero to disable projections, got {proj_size}")
        if proj_size > 0 and proj_size >= hidden_size:
            raise ValueError(f"{type(self).__name__}: proj_size has to be smaller than "
                             f"hidden_size, got proj_size={proj_size} and "
                             f"hidden_size={hidden_size}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          f"non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        rows = GATES[mode] * hidden_size
        h_size = self._state_sizes()[0]
        for layer in range(num_layers):
            shapes = {"weight_ih": (rows, input_size if layer == 0 else h_size * directions),
                      "weight_hh": (rows, h_size)}
            if bias:
                shapes.update(bias_ih=(rows, None), bias_hh=(rows, None))
            if proj_size:
                shapes["weight_hr"] = (proj_size, hidden_size)
            for suffix in ("", "_reverse")[:directions]:
                for name, shape in shapes.items():
                    setattr(self, f"{name}_l{layer}{suffix}",
                            recurrent_parameter(*shape, dtype, device))
        reset_uniform(self)

    def _state_sizes(self):
        """The feature sizes of the states: [h] or, for LSTM, [h, c]; h has proj_size
        features when it is nonzero."""
        if self.mode != "LSTM":
            return [self.hidden_size]
        return [self.proj_size or self.hidden_size, self.hidden_size]

    def forward(self, input, hx=None):  # noqa: A002  (PyTorch's argument name)
        name = type(self).__name__
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        batched = input.ndim == 3
        sequence = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            sequence = sequence.transpose(0, 1)
        states = self._initial_states(hx, sequence, batched)
        output, finals = self._run_layers(sequence, states)
        if not batched:
            output = output.squeeze(1)
            finals = [final.squeeze(1) for final in finals]
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, (tuple(finals) if self.mode == "LSTM" else finals[0])

    def _initial_states(self, hx, sequence, batched):
        """[h_0] or [h_0, c_0], each (layers * directions, N, size), checked against the input."""
        sizes = self._state_sizes()
        count = len(sizes)
        directions = 2 if self.bidirectional else 1
        shapes = [(self.num_layers * directions, sequence.shape[1], size) for size in sizes]
        if hx is None:
            return [creation.zeros(*shape, dtype=sequence.dtype, device=sequence.device)
                    for shape in shapes]
        if isinstance(hx, tuple | list) != (count == 2) or (count == 2 and len(hx) != 2):
            expected_hx = "a pair (h_0, c_0)" if count == 2 else "one tensor h_0"
            raise RuntimeError(f"{type(self).__name__}: hx must be {expected_hx}, of shapes "
                               f"{', '.join(map(str, shapes))}")
        given = list(hx) if count == 2 else [hx]
        states = []
        for position, (state, expected) in enumerate(zip(given, shapes)):
            if not batched:
                if state.ndim != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{state.ndim}-D tensor")
                state = state.unsqueeze(1)
            if tuple(state.shape) != expected:
                which = f"hidden[{position}]" if count == 2 else "hidden"
                raise RuntimeError(f"{type(self).__name__}: Expected {which} size {expected}, "
                                   f"got {list(state.shape)}")
            states.append(state)
        return states

    def _run_layers(self, sequence, states):
        """(output (L, N, directions * H), [h_n] or [h_n, c_n]). Layers hand each other lists
        of per-step tensors, so no step has to be cut out of a stacked tensor."""
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in states]
        steps = list(sequence)
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                hidden, last = self._run_direction(steps, [s[index] for s in states], layer,
                                                   direction == 1)
                outputs.append(hidden)
                for collected, state in zip(finals, last):
                    collected.append(state)
            steps = outputs[0] if directions == 1 else [cat(pair, dim=-1)
                                                        for pair in zip(*outputs)]
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                steps = [F.dropout(step, self.dropout, training=True) for step in steps]
        return stack(steps), [stack(collected) for collected in finals]

    def _run_direction(self, steps, state, layer, reverse):
        """One layer in one direction: (hidden state at every step, in time order; last state).
        Each step makes one product x_t W_ih^T and one h W_hh^T, for all gates at once."""
        suffix = f"_l{layer}" + ("_reverse" if reverse else "")
        weight_ih, weight_hh, bias_ih, bias_hh, weight_hr = (
            getattr(self, name + suffix, None)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"))
        hidden = []
        for step in reversed(steps) if reverse else steps:
            input_gates = F.linear(step, weight_ih, bias_ih)
            state = self._step(input_gates, state, weight_hh, bias_hh, weight_hr)
            hidden.append(state[0])
        if reverse:
            hidden.reverse()
        return hidden, state

    def _step(self, input_gates, state, weight_hh, bias_hh, weight_hr):
        if self.mode == "LSTM":
            return list(lstm_step(input_gates, *state, weight_hh, bias_hh, weight_hr))
        if self.mode == "GRU":
            return [gru_step(input_gates, state[0], weight_hh, bias_hh)]
        nonlinearity = "tanh" if self.mode == "RNN_TANH" else "relu"
        return [rnn_step(input_gates, state[0], weight_hh, bias_hh, nonlinearity)]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True),
                              ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), per layer."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et
    al. 2000), gates i, f, g, o in PyTorch's order: c_t = f c_{t-1} + i g, h_t = o tanh(c_t).
    proj_size > 0 (Sak et al. 2014) projects h: h_t = W_hr (o tanh(c_t)), so h_0, h_n and the
    output have proj_size features while c keeps hidden_size. Returns (output, (h_n, c_n))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al. 2014), gates r, z, n in PyTorch's order:
    h_t = (1 - z) n + z h_{t-1}."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)
