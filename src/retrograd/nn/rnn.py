"""Recurrent layers with PyTorch's API: ``RNN``, ``LSTM``, ``GRU`` and their cells.

A recurrent layer applies one cell at every time step t, carrying a hidden state:

* Elman RNN:  h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),  φ = tanh or relu;
* LSTM (gates i, f, g, o, in PyTorch's order):
  i = σ(·), f = σ(·), g = tanh(·), o = σ(·) of W_ih x_t + b_ih + W_hh h_{t−1} + b_hh,
  c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t);
* GRU (gates r, z, n):  r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(… z …),
  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.

Everything is built from differentiable ops (``linear``, ``sigmoid``, ``tanh``,
slicing, ``stack``/``concatenate``), so the engine gives backpropagation through
time — and forward mode — with no hand-written backward. The input-to-hidden
product of all time steps is one GEMM over (T·N, input); only the hidden-to-hidden
product runs in the loop over time.

Parameter names, shapes, gate orders and initialisation U(−1/√hidden, 1/√hidden)
are PyTorch's, so a PyTorch ``state_dict`` loads as it is. (The course's history
names the LSTM, Hochreiter & Schmidhuber 1997, as the answer to the vanishing
gradient of RNNs: its additive cell update c_t = f ⊙ c_{t−1} + … lets ∂ℓ/∂c flow
back through time multiplied only by the forget gates.)

>>> lstm = LSTM(10, 20, num_layers=2, batch_first=True)
>>> out, (h_n, c_n) = lstm(x)          # x: (N, T, 10) → out (N, T, 20), h_n (2, N, 20)
"""
import math
import warnings

import numpy as np

from ..creation import zeros
from ..missing import NotSupportedError
from ..ops.activations import relu, sigmoid, tanh
from ..ops.matmul import linear
from ..ops.shape import concatenate, stack
from . import init
from .dropout import dropout
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _size_arg(who, name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{who}: {name} should be of type int, got: {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{who}: {name} must be greater than zero. Received: {name}={value}")
    return int(value)


def _nonlinearity_mode(who, nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{who}: unknown nonlinearity {nonlinearity!r}. "
                         "Select from 'tanh' or 'relu'.")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _step(mode, gx, h, c, w_hh, b_hh):
    """One time step from the precomputed input part gx = W_ih x_t + b_ih (N, G·H):
    the new (h, c) (c is None except for the LSTM)."""
    gh = linear(h, w_hh, b_hh)
    if mode == "RNN_TANH":
        return tanh(gx + gh), None
    if mode == "RNN_RELU":
        return relu(gx + gh), None
    H = h.shape[-1]
    if mode == "LSTM":
        s = gx + gh
        i, f = sigmoid(s[:, :H]), sigmoid(s[:, H:2 * H])
        g, o = tanh(s[:, 2 * H:3 * H]), sigmoid(s[:, 3 * H:])
        c = f * c + i * g
        return o * tanh(c), c
    # GRU: the reset gate multiplies the hidden part of n only (PyTorch's form)
    r = sigmoid(gx[:, :H] + gh[:, :H])
    z = sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
    n = tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h, None


def _sweep(mode, x, h, c, w_ih, w_hh, b_ih, b_hh, reverse):
    """One layer in one direction over x (T, N, in): the outputs (T, N, H) and the
    final (h, c). The input product of all steps is a single GEMM."""
    gx = linear(x, w_ih, b_ih)                      # (T, N, G·H) at once
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    outs = []
    for t in steps:
        h, c = _step(mode, gx[t], h, c, w_hh, b_hh)
        outs.append(h)
    if reverse:
        outs.reverse()
    return stack(outs, 0), h, c


def _new_parameter(shape, bound, dtype):
    return init.uniform_(Parameter(np.empty(shape, dtype=dtype)), -bound, bound)


def _hidden_error(name, expected, got):
    return RuntimeError(f"Expected {name} size {tuple(expected)}, got {list(got)}")


class _CellBase(Module):
    """What the three cells share: PyTorch's parameters weight_ih (G·H, in),
    weight_hh (G·H, H), bias_ih, bias_hh (G·H,), all U(−1/√H, 1/√H)."""

    _kind = ""

    def __init__(self, input_size, hidden_size, bias, mode, device=None, dtype=None):
        super().__init__()
        who = type(self).__name__
        self.input_size = _size_arg(who, "input_size", input_size)
        self.hidden_size = _size_arg(who, "hidden_size", hidden_size)
        self.bias = bool(bias)
        self._mode = mode
        gh = _GATES[mode] * self.hidden_size
        bound, dt = 1.0 / math.sqrt(self.hidden_size), dtype or np.float32
        self.weight_ih = _new_parameter((gh, self.input_size), bound, dt)
        self.weight_hh = _new_parameter((gh, self.hidden_size), bound, dt)
        if self.bias:
            self.bias_ih = _new_parameter((gh,), bound, dt)
            self.bias_hh = _new_parameter((gh,), bound, dt)
        else:
            self.bias_ih = self.bias_hh = None
        if device is not None:
            self.to(device)

    def _check_input(self, x):
        who = type(self).__name__
        if x.ndim not in (1, 2):
            raise ValueError(f"{who}: Expected input to be 1D or 2D, got {x.ndim}D instead")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{who}: input has inconsistent input_size: got "
                               f"{x.shape[-1]} expected {self.input_size} (input of shape "
                               f"{tuple(x.shape)})")
        if x.dtype != self.weight_ih.dtype:
            raise RuntimeError(f"{who}: the input's dtype {x.dtype} differs from the weights' "
                               f"{self.weight_ih.dtype}; convert one to the other")
        return x.ndim == 1

    def _state(self, s, x, batched, name):
        """The state ``s`` as (N, H) (zeros when None), checked as PyTorch does."""
        n = x.shape[0]
        if s is None:
            return zeros((n, self.hidden_size), dtype=x.dtype, device=x.device)
        who = type(self).__name__
        if s.dtype != x.dtype:
            raise RuntimeError(f"{who}: {name} has dtype {s.dtype}, the input {x.dtype}; "
                               "they must be the same")
        if s.ndim != (2 if batched else 1):
            raise RuntimeError(f"{who}: {name} should be {2 if batched else 1}-D for a "
                               f"{2 if batched else 1}-D input, got shape {tuple(s.shape)}")
        s = s if batched else s.unsqueeze(0)
        if s.shape[0] != n:
            raise RuntimeError(f"{who}: Input batch size {n} doesn't match {name} batch "
                               f"size {s.shape[0]}")
        if s.shape[1] != self.hidden_size:
            raise RuntimeError(f"{who}: {name} has inconsistent hidden_size: got "
                               f"{s.shape[1]}, expected {self.hidden_size}")
        return s

    def _cell(self, x, h, c=None):
        unbatched = self._check_input(x)
        x = x.unsqueeze(0) if unbatched else x
        h = self._state(h, x, not unbatched, "hx")
        if self._mode == "LSTM":
            c = self._state(c, x, not unbatched, "cx")
        gx = linear(x, self.weight_ih, self.bias_ih)
        h, c = _step(self._mode, gx, h, c, self.weight_hh, self.bias_hh)
        if unbatched:
            h, c = h.squeeze(0), (None if c is None else c.squeeze(0))
        return h, c

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self._mode == "RNN_RELU":
            s += ", nonlinearity=relu"
        return s


class RNNCell(_CellBase):
    """One Elman step: h' = φ(W_ih x + b_ih + W_hh h + b_hh), φ = tanh or relu.

    x: (N, input_size) or (input_size,); h: the same with hidden_size (zeros if
    None). Returns h'.

    >>> cell = RNNCell(10, 20); h = cell(x, h)      # x: (N, 10), h: (N, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh",
                 device=None, dtype=None):
        mode = _nonlinearity_mode("RNNCell", nonlinearity)
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, mode, device, dtype)

    def forward(self, input, hx=None):
        return self._cell(input, hx)[0]


class LSTMCell(_CellBase):
    """One LSTM step (gates i, f, g, o): c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').

    ``cell(x, (h, c))`` → ``(h', c')``; (h, c) are zeros if omitted.

    >>> cell = LSTMCell(10, 20); h, c = cell(x, (h, c))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, "LSTM", device, dtype)

    def forward(self, input, hx=None):
        if hx is None:
            h = c = None
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTMCell: hx must be a tuple (h, c), got "
                                f"{type(hx).__name__}")
            h, c = hx
        return self._cell(input, h, c)


class GRUCell(_CellBase):
    """One GRU step (gates r, z, n): n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h' = (1 − z) ⊙ n + z ⊙ h.

    >>> cell = GRUCell(10, 20); h = cell(x, h)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, "GRU", device, dtype)

    def forward(self, input, hx=None):
        return self._cell(input, hx)[0]


class RNNBase(Module):
    """A stack of ``num_layers`` recurrent layers, each one- or bidirectional.

    Input (T, N, input_size) — (N, T, input_size) with ``batch_first`` — or
    unbatched (T, input_size). Output (T, N, D·H) with D = 2 if bidirectional (the
    forward and backward outputs concatenated), final state (D·num_layers, N, H)
    ordered layer by layer, direction inside. ``dropout`` is applied to the
    outputs of every layer but the last, in training only.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        who = type(self).__name__
        self.mode = mode
        self.input_size = _size_arg(who, "input_size", input_size)
        self.hidden_size = _size_arg(who, "hidden_size", hidden_size)
        self.num_layers = _size_arg(who, "num_layers", num_layers)
        if proj_size:
            raise NotSupportedError(f"{who}(proj_size={proj_size}): LSTM projections are "
                                    "not in retrograd (PyTorch compatibility: "
                                    "docs/pytorch.md); use proj_size=0")
        self.proj_size = 0
        if (isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.floating))
                or not 0 <= dropout <= 1):
            raise ValueError(f"{who}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and self.num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={self.num_layers}")
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.dropout, self.bidirectional = float(dropout), bool(bidirectional)
        gh = _GATES[mode] * self.hidden_size
        bound, dt = 1.0 / math.sqrt(self.hidden_size), dtype or np.float32
        directions = 2 if self.bidirectional else 1
        self._flat_weights_names = []
        for layer in range(self.num_layers):
            n_in = self.input_size if layer == 0 else self.hidden_size * directions
            for d in range(directions):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                names = [("weight_ih" + sfx, (gh, n_in)), ("weight_hh" + sfx, (gh, hidden_size))]
                if self.bias:
                    names += [("bias_ih" + sfx, (gh,)), ("bias_hh" + sfx, (gh,))]
                for name, shape in names:
                    setattr(self, name, _new_parameter(shape, bound, dt))
                    self._flat_weights_names.append(name)
        if device is not None:
            self.to(device)

    def flatten_parameters(self):
        """PyTorch compacts the weights for cuDNN here; retrograd has nothing to do."""

    @property
    def all_weights(self):
        """The parameters per layer and direction, as PyTorch's list of lists
        [[weight_ih, weight_hh, bias_ih, bias_hh], …]."""
        directions = 2 if self.bidirectional else 1
        return [[w for w in self._weights(layer, d) if w is not None]
                for layer in range(self.num_layers) for d in range(directions)]

    def _weights(self, layer, d):
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        return tuple(getattr(self, n + sfx, None)
                     for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def _initial(self, s, x, unbatched, name):
        """The initial state as (D·L, N, H), zeros when None, checked as PyTorch."""
        directions = 2 if self.bidirectional else 1
        n = x.shape[1]
        want = (directions * self.num_layers, n, self.hidden_size)
        if s is None:
            return zeros(want, dtype=x.dtype, device=x.device)
        if s.dtype != x.dtype:
            raise RuntimeError(f"{type(self).__name__}: {name} has dtype {s.dtype}, the input "
                               f"{x.dtype}; they must be the same")
        if unbatched:
            if s.ndim != 2:
                raise RuntimeError(f"{type(self).__name__}: for unbatched 2-D input, {name} "
                                   f"should also be 2-D but got {s.ndim}-D tensor")
            s = s.unsqueeze(1)
        if tuple(s.shape) != want:
            shown = want[:1] + want[2:] if unbatched else want
            got = tuple(s.shape)[:1] + tuple(s.shape)[2:] if unbatched else tuple(s.shape)
            raise _hidden_error(name, shown, got)
        return s

    def _run(self, x, h0, c0):
        who = type(self).__name__
        if x.ndim not in (2, 3):
            raise ValueError(f"{who}: Expected input to be 2D or 3D, got {x.ndim}D instead")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{who}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        w = self.weight_ih_l0
        if x.dtype != w.dtype:
            raise ValueError(f"{who}: input dtype ({x.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert the input: input.to({w.dtype}), or the "
                             f"model: model.to({x.dtype})")
        if x.shape[0 if x.ndim == 2 or not self.batch_first else 1] == 0:
            raise RuntimeError(f"{who}: Expected sequence length to be larger than 0 in RNN "
                               f"(input of shape {tuple(x.shape)})")
        unbatched = x.ndim == 2
        if unbatched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)                   # (N, T, ·) → (T, N, ·)
        lstm = self.mode == "LSTM"
        names = ("hidden[0]", "hidden[1]") if lstm else ("hidden", None)
        h0 = self._initial(h0, x, unbatched, names[0])
        c0 = self._initial(c0, x, unbatched, names[1]) if lstm else None
        directions = 2 if self.bidirectional else 1
        hs, cs = [], []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0:
                x = dropout(x, self.dropout, self.training)
            outs = []
            for d in range(directions):
                k = layer * directions + d
                out, h, c = _sweep(self.mode, x, h0[k], c0[k] if lstm else None,
                                   *self._weights(layer, d), reverse=bool(d))
                outs.append(out)
                hs.append(h)
                cs.append(c)
            x = outs[0] if directions == 1 else concatenate(outs, 2)
        h_n = stack(hs, 0)
        c_n = stack(cs, 0) if lstm else None
        if unbatched:
            x, h_n = x.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, h_n, c_n

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


def _rnn_args(who, args, kwargs, names):
    """PyTorch's positional order (input_size, hidden_size, num_layers, [nonlinearity],
    bias, batch_first, dropout, bidirectional) as keywords."""
    if len(args) > len(names):
        raise TypeError(f"{who}() takes at most {len(names)} positional arguments "
                        f"({len(args)} given)")
    for name, value in zip(names, args):
        if name in kwargs:
            raise TypeError(f"{who}() got multiple values for argument {name!r}")
        kwargs[name] = value
    return kwargs


class RNN(RNNBase):
    """Elman RNN: h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), φ = tanh or relu,
    over ``num_layers`` stacked layers. ``rnn(x, h0=None)`` → ``(out, h_n)``.

    >>> rnn = RNN(10, 20, 2); out, h_n = rnn(x)      # x: (T, N, 10)
    """

    def __init__(self, *args, **kwargs):
        kw = _rnn_args("RNN", args, kwargs, ("input_size", "hidden_size", "num_layers",
                                             "nonlinearity", "bias", "batch_first",
                                             "dropout", "bidirectional"))
        nonlinearity = kw.pop("nonlinearity", "tanh")
        mode = _nonlinearity_mode("RNN", nonlinearity)
        super().__init__(mode, **kw)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        out, h_n, _ = self._run(input, hx, None)
        return out, h_n


class LSTM(RNNBase):
    """Long short-term memory over ``num_layers`` stacked layers (gates i, f, g, o):
    c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t).
    ``lstm(x, (h0, c0)=None)`` → ``(out, (h_n, c_n))``.

    >>> lstm = LSTM(10, 20, batch_first=True); out, (h, c) = lstm(x)   # x: (N, T, 10)
    """

    def __init__(self, *args, **kwargs):
        kw = _rnn_args("LSTM", args, kwargs, ("input_size", "hidden_size", "num_layers",
                                              "bias", "batch_first", "dropout",
                                              "bidirectional", "proj_size"))
        super().__init__("LSTM", **kw)

    def forward(self, input, hx=None):
        if hx is None:
            h0 = c0 = None
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
            h0, c0 = hx
        out, h_n, c_n = self._run(input, h0, c0)
        return out, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit over ``num_layers`` stacked layers (gates r, z, n):
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
    ``gru(x, h0=None)`` → ``(out, h_n)``.

    >>> gru = GRU(10, 20); out, h_n = gru(x)
    """

    def __init__(self, *args, **kwargs):
        kw = _rnn_args("GRU", args, kwargs, ("input_size", "hidden_size", "num_layers",
                                             "bias", "batch_first", "dropout",
                                             "bidirectional"))
        super().__init__("GRU", **kw)

    def forward(self, input, hx=None):
        out, h_n, _ = self._run(input, hx, None)
        return out, h_n


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Pad tensors of shapes (L_i, *) to the longest L and stack them: (L, B, *), or
    (B, L, *) with ``batch_first``. Differentiable (concatenate and stack)."""
    if padding_side not in ("right", "left"):
        raise ValueError("pad_sequence: padding_side must be 'left' or 'right', got "
                         f"{padding_side!r}")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if any(s.ndim == 0 for s in sequences) or len({tuple(s.shape[1:]) for s in sequences}) > 1:
        raise RuntimeError("pad_sequence: the sequences must have the same shape after their "
                           f"first axis, got shapes {[tuple(s.shape) for s in sequences]}")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            fill = zeros((missing, *s.shape[1:]), dtype=s.dtype, device=s.device)
            fill = fill + padding_value if padding_value else fill
            s = concatenate([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


_PACKING = ("variable-length batches (PackedSequence) are not in retrograd: pad the "
            "sequences to one length and run the padded batch")


def _packing(name):
    def unsupported(*args, **kwargs):
        raise NotSupportedError(f"PyTorch's torch.nn.utils.rnn.{name} is not in retrograd: "
                                f"{_PACKING} (PyTorch compatibility: docs/pytorch.md)")
    unsupported.__name__ = name
    return unsupported


pack_padded_sequence = _packing("pack_padded_sequence")
pad_packed_sequence = _packing("pad_packed_sequence")
pack_sequence = _packing("pack_sequence")
PackedSequence = _packing("PackedSequence")
