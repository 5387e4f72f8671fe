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
    (gates * H, I for k = 0, else H * directions), weight_hh_l{k} (gates * H, H), bias_ih_l{k},
    bias_hh_l{k}, with the suffix _reverse for the backward direction; all
    U(-1/sqrt(H), 1/sqrt(H)).

    forward(input, hx=None): input (L, N, I), (N, L, I) with batch_first, or unbatched (L, I);
    hx (num_layers * directions, N, H) (zeros when None; for LSTM a pair (h_0, c_0)).
    Returns (output, h_n): output (L, N, directions * H), the last layer's h at every step
    (forward and backward directions concatenated), and h_n the final state of every layer and
    direction. dropout: applied to the outputs of every layer except the last, in training.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__()
        F._check_probability(dropout, type(self).__name__)
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
        directions = 2 if bidirectional else 1
        rows = GATES[mode] * hidden_size
        for layer in range(num_layers):
            columns = input_size if layer == 0 else hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                for name, shape in (("weight_ih", columns), ("weight_hh", hidden_size),
                                    ("bias_ih", None), ("bias_hh", None)):
                    if bias or name.startswith("weight"):
                        setattr(self, f"{name}_l{layer}{suffix}",
                                recurrent_parameter(rows, shape, dtype, device))
        reset_uniform(self)

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
        """[h_0] or [h_0, c_0], each (layers * directions, N, H), checked against the input."""
        count = 2 if self.mode == "LSTM" else 1
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, sequence.shape[1], self.hidden_size)
        if hx is None:
            return [creation.zeros(*expected, dtype=sequence.dtype, device=sequence.device)
                    for _ in range(count)]
        if isinstance(hx, tuple | list) != (count == 2) or (count == 2 and len(hx) != 2):
            expected_hx = "a pair (h_0, c_0)" if count == 2 else "one tensor h_0"
            raise RuntimeError(f"{type(self).__name__}: hx must be {expected_hx}, each of shape "
                               f"{expected}")
        given = list(hx) if count == 2 else [hx]
        states = []
        for position, state in enumerate(given):
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
        weight_ih, weight_hh, bias_ih, bias_hh = (
            getattr(self, name + suffix, None)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        hidden = []
        for step in reversed(steps) if reverse else steps:
            input_gates = F.linear(step, weight_ih, bias_ih)
            state = self._step(input_gates, state, weight_hh, bias_hh)
            hidden.append(state[0])
        if reverse:
            hidden.reverse()
        return hidden, state

    def _step(self, input_gates, state, weight_hh, bias_hh):
        if self.mode == "LSTM":
            return list(lstm_step(input_gates, *state, weight_hh, bias_hh))
        if self.mode == "GRU":
            return [gru_step(input_gates, state[0], weight_hh, bias_hh)]
        nonlinearity = "tanh" if self.mode == "RNN_TANH" else "relu"
        return [rnn_step(input_gates, state[0], weight_hh, bias_hh, nonlinearity)]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
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
                         bidirectional, device, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et
    al. 2000), gates i, f, g, o in PyTorch's order: c_t = f c_{t-1} + i g, h_t = o tanh(c_t).
    Returns (output, (h_n, c_n))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al. 2014), gates r, z, n in PyTorch's order:
    h_t = (1 - z) n + z h_{t-1}."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device, dtype)
