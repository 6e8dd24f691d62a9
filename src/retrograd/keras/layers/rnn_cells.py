"""Keras's ``RNN(cell)`` and its cells: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``,
``StackedRNNCells``, or a user's cell — a layer with ``state_size`` and
``call(inputs, states) → (output, new_states)`` that computes one time step.

``RNN`` runs the cell over the time axis: states₀ = zeros (or ``initial_state``),
(yₜ, statesₜ) = cell(xₜ, statesₜ₋₁); it returns the last y (every yₜ with
``return_sequences=True``; then the last states with ``return_state=True``).

The library's cells hold the weights of ``SimpleRNN``/``LSTM``/``GRU`` (``kernel``,
``recurrent_kernel``, ``bias``, Keras's shapes and gate order) and compute their step
with those layers' own step functions (``recurrent.py``): one formula for both.

>>> RNN(LSTMCell(32))                     # = LSTM(32)
>>> RNN([LSTMCell(32), LSTMCell(16)])     # two stacked cells
"""
import numpy as np

from ...backend import array_module
from ...missing import NotSupportedError
from ...nn import activations as _activations
from ...nn import regularizers as _regularizers
from ...ops.elementwise import where
from ...ops.reorder import flip
from ...ops.shape import stack
from ...tensor import Tensor
from .. import initializers as _initializers
from .core import _activation_name, _regularizer_config
from .layer import Layer, _plain, _positive_int, constraint_config, read_constraints
from .recurrent import _RNN, GRU, LSTM, SimpleRNN, _rate
from .wrappers import _from_spec, _spec


def _sizes(state_size):
    return list(state_size) if isinstance(state_size, (list, tuple)) else [state_size]


def _zeros(batch, state_size, xp=np):
    return [Tensor(xp.zeros((batch, d), dtype=np.float32)) for d in _sizes(state_size)]


class _Cell(Layer):
    """What the three cells share: Keras's arguments, the weights (built by the
    recurrent layers' ``build``), one step by their ``step``."""

    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        who = type(self).__name__
        units = _positive_int(units, who, "units")
        constraints = read_constraints(who, kernel_constraint=kernel_constraint,
                                       recurrent_constraint=recurrent_constraint,
                                       bias_constraint=bias_constraint)
        self.dropout = _rate(dropout, who, "dropout")
        self.recurrent_dropout = _rate(recurrent_dropout, who, "recurrent_dropout")
        super().__init__(**kwargs)
        self.units, self.use_bias, self.seed = units, bool(use_bias), seed
        self._rng = None if seed is None else np.random.default_rng(seed)
        self._dropout_mask = self._recurrent_dropout_mask = None
        self.activation = _activations.get(activation) if activation is not None else None
        self.activation_name = _activation_name(self.activation)
        self.recurrent_activation = _activations.get(recurrent_activation) \
            if recurrent_activation is not None else None
        self.recurrent_activation_name = _activation_name(self.recurrent_activation)
        for init in (kernel_initializer, recurrent_initializer, bias_initializer):
            _initializers.get(init)             # refuse a bad name now
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = _regularizers.get(recurrent_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        # projections the optimizers apply to the weights after each update
        self.kernel_constraint, self.recurrent_constraint, self.bias_constraint = \
            constraints.values()
        self.kernel = self.recurrent_kernel = self.bias = None

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        if len(input_shape) != 2 or not input_shape[-1]:
            raise ValueError(f"{type(self).__name__} {self.name!r}: a cell takes one time "
                             "step, (batch, features) with known features; got input shape "
                             f"{tuple(input_shape)}")
        _RNN.build(self, (input_shape[0], None, input_shape[1]))

    # The recurrent layers' pieces, for the same weights.
    bias_shape, bias_init = _RNN.bias_shape, _RNN.bias_init
    input_product, recurrent_weights = _RNN.input_product, _RNN.recurrent_weights
    act, rec_act = _RNN.act, _RNN.rec_act

    _mask = _RNN._dropout_mask

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def call(self, inputs, states, training=False):
        """One step. In training, ``dropout``/``recurrent_dropout`` zero inputs and
        states with masks drawn at the first step and kept until ``reset_*_mask``
        (``RNN`` resets them for each sequence: one mask per sequence, as Keras)."""
        listed = isinstance(states, (list, tuple))
        states = list(states) if listed else [states]
        x = inputs if inputs.dtype == np.float32 else inputs.to(dtype=np.float32)
        rec_mask = None
        if training:
            xp = array_module(x.array)
            if self.dropout:
                if self._dropout_mask is None:
                    self._dropout_mask = self._mask(xp, tuple(x.shape), self.dropout)
                x = x * self._dropout_mask
            if self.recurrent_dropout:
                if self._recurrent_dropout_mask is None:
                    self._recurrent_dropout_mask = self._mask(
                        xp, (x.shape[0], self.units), self.recurrent_dropout)
                rec_mask = self._recurrent_dropout_mask
        new = self.step(self.input_product(x), states, rec_mask, self.recurrent_weights())
        return new[0], (new if listed or len(new) > 1 else new[0])

    def get_initial_state(self, batch_size=None):
        return _zeros(batch_size, self.state_size)

    def get_config(self):
        config = {**super().get_config(), "units": self.units,
                  "activation": self.activation_name}
        if self.gates > 1:
            config["recurrent_activation"] = self.recurrent_activation_name
        return {**config, "use_bias": self.use_bias,
                "kernel_initializer": _plain(self.kernel_initializer),
                "recurrent_initializer": _plain(self.recurrent_initializer),
                "bias_initializer": _plain(self.bias_initializer),
                "kernel_regularizer": _regularizer_config(self.kernel_regularizer),
                "recurrent_regularizer": _regularizer_config(self.recurrent_regularizer),
                "bias_regularizer": _regularizer_config(self.bias_regularizer),
                "kernel_constraint": constraint_config(self.kernel_constraint),
                "recurrent_constraint": constraint_config(self.recurrent_constraint),
                "bias_constraint": constraint_config(self.bias_constraint),
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


class SimpleRNNCell(_Cell):
    """One step of ``SimpleRNN``: h = φ(xW + h₋₁U + b); ``state_size`` = units.

    >>> RNN(SimpleRNNCell(16))
    """

    step = SimpleRNN.step

    @property
    def state_size(self):
        return self.units


class LSTMCell(_Cell):
    """One step of ``LSTM`` (gates i, f, c, o); states [h, c], ``state_size`` =
    [units, units]."""

    gates = 4
    step, bias_init = LSTM.step, LSTM.bias_init

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias,
                         kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def get_config(self):
        config = super().get_config()
        keys = list(config)
        at = keys.index("bias_initializer") + 1
        config["unit_forget_bias"] = self.unit_forget_bias
        return {k: config[k] for k in keys[:at] + ["unit_forget_bias"] + keys[at:]}


class GRUCell(_Cell):
    """One step of ``GRU`` (gates z, r, h; ``reset_after``); ``state_size`` = units."""

    gates = 3
    step, bias_shape = GRU.step, GRU.bias_shape
    input_product, recurrent_weights = GRU.input_product, GRU.recurrent_weights

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias,
                         kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, **kwargs)
        self.reset_after = bool(reset_after)

    @property
    def state_size(self):
        return self.units

    def get_config(self):
        config = super().get_config()
        seed = config.pop("seed")
        return {**config, "reset_after": self.reset_after, "seed": seed}


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    return size if size is not None else _sizes(cell.state_size)[0]


class StackedRNNCells(Layer):
    """Cells run one after the other at each step (a deep RNN in one layer): cell k
    reads cell k−1's output; the states are the list of each cell's states.

    >>> RNN(StackedRNNCells([LSTMCell(32), LSTMCell(16)]))
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell) or "state_size" not in dir(cell):
                raise ValueError("All cells must have a `call` method and a `state_size` "
                                 f"attribute. Received cells={cells}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            shape = shape[:-1] + (_output_size(cell),)
        self.built = True

    def get_initial_state(self, batch_size=None):
        return [_initial_state(c, batch_size) for c in self.cells]

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, s in zip(self.cells, states):
            listed = isinstance(s, (list, tuple))
            inputs, s = cell(inputs, list(s) if listed else [s], training=training)
            new_states.append(s)
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [_spec(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [_from_spec(c, "StackedRNNCells", custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


def _reset_masks(cell):
    for c in getattr(cell, "cells", [cell]):
        if isinstance(c, _Cell):
            c.reset_dropout_mask()
            c.reset_recurrent_dropout_mask()


def _on(states, device):
    """The states (nested lists of tensors) on ``device``, the inputs' (a cell's
    ``get_initial_state`` makes them on the host)."""
    if isinstance(states, (list, tuple)):
        return [_on(s, device) for s in states]
    return states.to(device) if isinstance(states, Tensor) and states.device != device \
        else states


def _initial_state(cell, batch_size, xp=np):
    fn = getattr(cell, "get_initial_state", None)
    state = fn(batch_size=batch_size) if fn is not None else \
        _zeros(batch_size, cell.state_size, xp)
    return list(state) if isinstance(state, (list, tuple)) else [state]


class RNN(Layer):
    """Keras's ``RNN(cell)``: runs ``cell`` (a cell, or a list of cells: stacked)
    over the time axis of (batch, timesteps, features) inputs. ``return_sequences``:
    every step's output; ``return_state``: then the last states; ``go_backwards``: the
    steps in reverse order.

    >>> RNN(MinimalRNNCell(32))(x)    # the user's cell: state_size, call(x, states)
    """

    keras_weights_subgroup = "cell"     # Keras 3's .keras file: layers/rnn/cell/vars

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: "
                             f"cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single "
                             "integer or list of integers, one integer per RNN state). "
                             f"Received: cell={cell}")
        if stateful:
            raise NotSupportedError("RNN: stateful=True is not supported (the state is not "
                                    "kept between batches); leave stateful=False")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.unroll = bool(go_backwards), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of "  # noqa: TRY004
                             "integers (one for each state tensor).")       # (Keras's type)
        self.state_size = _sizes(state_size)

    def build(self, sequences_shape, initial_state_shape=None):
        if len(sequences_shape) < 3:
            raise ValueError(f"RNN {self.name!r}: expected inputs of shape (batch, "
                             f"timesteps, features), got input shape {tuple(sequences_shape)}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            self.cell.built = True
        self.built = True

    def get_initial_state(self, batch_size):
        return _initial_state(self.cell, batch_size)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        who = f"RNN {self.name!r}"
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        x = sequences if sequences.dtype == np.float32 else sequences.to(dtype=np.float32)
        if x.ndim < 3 or x.shape[1] == 0:
            raise ValueError(f"{who}: expected inputs of shape (batch, timesteps, "
                             f"features) with at least one step, got {tuple(x.shape)}")
        if initial_state is None:
            states = _initial_state(self.cell, x.shape[0], array_module(x.array))
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            states = [s if isinstance(s, (Tensor, list, tuple))
                      else Tensor(np.asarray(s, dtype=np.float32)) for s in states]
        states = _on(states, x.device)
        keep = None
        if mask is not None:
            keep = mask.array if isinstance(mask, Tensor) else \
                array_module(x.array).asarray(mask)
            if tuple(keep.shape) != tuple(x.shape[:2]):
                raise ValueError(f"{who}: the mask must have shape (batch, timesteps) = "
                                 f"{tuple(x.shape[:2])}, got {tuple(keep.shape)}")
            keep = keep.astype(bool)
            if self.go_backwards:
                keep = keep[:, ::-1]
        if self.go_backwards:
            x = flip(x, (1,))
        outputs = []
        prev = None
        _reset_masks(self.cell)             # one dropout mask per sequence
        for t in range(x.shape[1]):
            out, new = self.cell(x[:, t], states, training=training)
            if not isinstance(new, (list, tuple)):
                new = [new]
            if keep is None:
                states = new
                outputs.append(out)
                continue
            # Keras's backend rnn: a masked step keeps the states, and outputs the
            # previous output (zeros at first, or always with zero_output_for_mask).
            k = keep[:, t:t + 1]
            states = _masked_states(k, new, states)
            zero = Tensor(array_module(out.array).zeros_like(out.array))
            prev = where(k, out, zero if prev is None or self.zero_output_for_mask
                         else prev)
            outputs.append(prev)
        _reset_masks(self.cell)
        out = stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return [out, *states] if self.return_state else out

    def compute_mask(self, inputs, previous_mask):
        """The input's mask with ``return_sequences`` (None for the states)."""
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0] if previous_mask else None
        out = previous_mask if self.return_sequences else None
        if not self.return_state:
            return out
        size = self.cell.state_size
        return [out] + [None] * (len(size) if isinstance(size, (list, tuple)) else 1)

    def keras_weight_groups(self):
        """The groups of Keras 3's weights file below this layer's: cell/vars, or for
        stacked cells cell/cells/<cell class in snake case>[_k]/vars."""
        from ..saving.config import snake_names
        from ..saving.h5_weights import layer_variables
        if not isinstance(self.cell, StackedRNNCells):
            return [("cell/vars", layer_variables(self.cell)), ("vars", [])]
        cells = self.cell.cells
        return [(f"cell/cells/{n}/vars", layer_variables(c))
                for c, n in zip(cells, snake_names(cells))] + [("cell/vars", []),
                                                               ("vars", [])]

    def get_config(self):
        config = super().get_config()
        config.pop("input_shape", None)
        return {**config, "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": False, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask, "cell": _spec(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = _from_spec(config.pop("cell"), "RNN", custom_objects)
        return cls(cell, **config)


def _masked_states(keep, new, old):
    """where(keep, new, old) over the (nested) states."""
    if isinstance(new, (list, tuple)):
        return type(new)(_masked_states(keep, n, o) for n, o in zip(new, old))
    return where(keep, new, old)
