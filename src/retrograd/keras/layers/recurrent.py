"""Keras 3's recurrent layers: ``SimpleRNN``, ``LSTM``, ``GRU``.

Inputs are (batch, timesteps, features), as Keras. Each layer holds Keras's three
weights, with Keras's names, shapes and gate order, so ``set_weights`` of a Keras
model's ``get_weights()`` gives the same predictions:

* ``kernel`` (features, k·units), ``recurrent_kernel`` (units, k·units), ``bias``
  (k·units,) — k = 1 (SimpleRNN), 4 (LSTM: gates i, f, c, o), 3 (GRU: z, r, h); a
  GRU with ``reset_after=True`` (Keras 3's default) has a bias (2, 3·units): row 0
  added to the input product, row 1 to the recurrent one.

The input product x·W of every time step is one matmul (batch, T, k·units); only
the recurrent part h·U runs in a loop over time. Everything is built from
differentiable tensor ops (matmul, slicing, sigmoid/tanh, stack), so autograd gives
the backward pass through time.

The step formulas (φ = ``activation``, σ = ``recurrent_activation``):

* SimpleRNN: hₜ = φ(xₜW + hₜ₋₁U + b)
* LSTM: [i, f, c̃, o] = xₜW + hₜ₋₁U + b; cₜ = σ(f)·cₜ₋₁ + σ(i)·φ(c̃);
  hₜ = σ(o)·φ(cₜ)
* GRU: z = σ(x_z + h_z), r = σ(x_r + h_r), h̃ = φ(x_h + r·(hₜ₋₁U_h + b_h))
  (reset_after) or φ(x_h + (r·hₜ₋₁)U_h) (reset_after=False); hₜ = z·hₜ₋₁ + (1 − z)·h̃

>>> LSTM(32)                 # (None, 100, 8) → (None, 32): 4·32·(8 + 32 + 1) weights
"""
import numpy as np

from ...backend import array_module, to_device
from ...missing import NotSupportedError
from ...nn import activations as _activations
from ...nn import regularizers as _regularizers
from ...ops.elementwise import where
from ...ops.matmul import matmul
from ...ops.reorder import flip
from ...ops.shape import stack
from ...random import generator_for
from ...tensor import Tensor
from .. import initializers as _initializers
from .core import _activation_name, _regularizer_config
from .layer import Layer, _plain, _positive_int, constraint_config, read_constraints


def _rate(value, who, arg):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or \
            not 0 <= value < 1:
        raise ValueError(f"{who}: {arg} must be a number in [0, 1), got {arg}={value!r}")
    return float(value)


class _ForgetBias:
    """LSTM's ``unit_forget_bias``: the bias initializer for i, c, o, ones for f
    (Keras's ``[init(units), ones(units), init(2·units)]``)."""

    def __init__(self, init, units):
        self.init, self.units = init, units

    def __call__(self, shape, dtype=None):
        u = self.units
        def part(n):
            return np.asarray(_as_numpy(self.init((n,), dtype)), dtype=np.float32)
        return np.concatenate([part(u), np.ones(u, np.float32), part(2 * u)])


def _as_numpy(a):
    return a.numpy() if isinstance(a, Tensor) else a


class _RNN(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, the loop over time."""

    gates = 1           # k: the weights hold k blocks of ``units`` columns
    n_states = 1        # LSTM: 2 (h, c)
    keras_weights_subgroup = "cell"     # Keras 3's .keras file: layers/lstm/cell/vars

    def _setup(self, args):
        """Take the arguments all three layers share from their constructor's
        ``locals()`` (the constructors keep Keras's explicit signatures)."""
        who = type(self).__name__
        units = _positive_int(args["units"], who, "units")
        constraints = read_constraints(who, **{k: args[k] for k in (
            "kernel_constraint", "recurrent_constraint", "bias_constraint")})
        if args["stateful"]:
            raise NotSupportedError(f"{who}: stateful=True is not supported (the state is "
                                    "not kept between batches); leave stateful=False")
        super().__init__(**args["kwargs"])
        self.units, self.use_bias = units, bool(args["use_bias"])
        activation = args["activation"]
        recurrent_activation = args.get("recurrent_activation")     # SimpleRNN has none
        self.activation = _activations.get(activation) if activation is not None else None
        self.activation_name = _activation_name(self.activation)
        self.recurrent_activation = _activations.get(recurrent_activation) \
            if recurrent_activation is not None else None
        self.recurrent_activation_name = _activation_name(self.recurrent_activation)
        for init in (args["kernel_initializer"], args["recurrent_initializer"],
                     args["bias_initializer"]):
            _initializers.get(init)             # refuse a bad name now
        self.kernel_initializer = args["kernel_initializer"]
        self.recurrent_initializer = args["recurrent_initializer"]
        self.bias_initializer = args["bias_initializer"]
        self.kernel_regularizer = _regularizers.get(args["kernel_regularizer"])
        self.recurrent_regularizer = _regularizers.get(args["recurrent_regularizer"])
        self.bias_regularizer = _regularizers.get(args["bias_regularizer"])
        # projections the optimizers apply to the weights after each update
        self.kernel_constraint, self.recurrent_constraint, self.bias_constraint = \
            constraints.values()
        self.dropout = _rate(args["dropout"], who, "dropout")
        self.recurrent_dropout = _rate(args["recurrent_dropout"], who, "recurrent_dropout")
        self.seed = seed = args["seed"]
        self._rng = None if seed is None else np.random.default_rng(seed)
        self.return_sequences = bool(args["return_sequences"])
        self.return_state = bool(args["return_state"])
        self.go_backwards = bool(args["go_backwards"])
        self.unroll = bool(args["unroll"])              # no effect: the loop is the same
        self.zero_output_for_mask = bool(args["zero_output_for_mask"])
        self.kernel = self.recurrent_kernel = self.bias = None

    # -- weights -------------------------------------------------------------------
    def bias_shape(self):
        return (self.gates * self.units,)

    def bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        who = f"{type(self).__name__} {self.name!r}"
        if len(input_shape) != 3 or not input_shape[-1]:
            raise ValueError(f"{who}: expected inputs of shape (batch, timesteps, features) "
                             f"with known features, got input shape {tuple(input_shape)}")
        k = self.gates * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], k),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, k),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint,
                                                name="recurrent_kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=self.bias_shape(), initializer=self.bias_init(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        self.built = True

    # -- computing -----------------------------------------------------------------
    def _dropout_mask(self, xp, shape, rate):
        """Inverted dropout's mask, the same at every time step (as Keras's cells)."""
        keep = generator_for(xp, self._rng).random(shape, dtype=np.float32) >= rate
        # A seeded layer draws on the host (its NumPy generator): the mask moves over.
        keep = to_device(keep, "cpu" if xp is np else "cuda")
        return Tensor(keep.astype(np.float32) / np.float32(1 - rate))

    def _initial_states(self, initial_state, batch, xp):
        who = f"{type(self).__name__} {self.name!r}"
        if initial_state is None:
            return [Tensor(xp.zeros((batch, self.units), dtype=np.float32))
                    for _ in range(self.n_states)]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        if len(states) != self.n_states:
            raise ValueError(f"{who}: initial_state must hold {self.n_states} tensor(s) "
                             f"of shape (batch, {self.units}), got {len(states)}")
        out = []
        for i, s in enumerate(states):
            if not isinstance(s, Tensor):
                s = Tensor(to_device(np.asarray(s, dtype=np.float32),
                                     "cpu" if xp is np else "cuda"))
            elif s.dtype != np.float32:
                s = s.to(dtype=np.float32)
            if tuple(s.shape) != (batch, self.units):
                raise ValueError(f"{who}: initial_state[{i}] must have shape ({batch}, "
                                 f"{self.units}) (batch, units), got {tuple(s.shape)}")
            out.append(s)
        return out

    def call(self, sequences, initial_state=None, mask=None, training=None):
        who = f"{type(self).__name__} {self.name!r}"
        x = sequences
        if x.dtype != np.float32:
            x = x.to(dtype=np.float32)
        if x.ndim != 3:
            raise ValueError(f"{who}: expected inputs of shape (batch, timesteps, "
                             f"features), got shape {tuple(x.shape)}")
        batch, steps, features = x.shape
        if steps == 0:
            raise ValueError(f"{who}: the input has no time step (shape {tuple(x.shape)})")
        if features != self.kernel.shape[0]:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: expected {self.kernel.shape[0]} features, got input "
                             f"shape {tuple(x.shape)}")
        xp = array_module(x.array)
        states = self._initial_states(initial_state, batch, xp)
        if self.go_backwards:
            x = flip(x, (1,))
        rec_mask = None
        if training:
            if self.dropout:
                x = x * self._dropout_mask(xp, (batch, 1, features), self.dropout)
            if self.recurrent_dropout:
                rec_mask = self._dropout_mask(xp, (batch, self.units),
                                              self.recurrent_dropout)
        xw = self.input_product(x)          # (batch, T, k·units): one matmul
        rec = self.recurrent_weights()      # sliced once, not at every step
        keep = self._step_mask(mask, batch, steps, xp, who)
        outputs = []
        prev = None
        for t in range(steps):
            new = self.step(xw[:, t], states, rec_mask, rec)
            if keep is None:
                states = new
                outputs.append(states[0])
                continue
            # A masked step keeps the previous states; its output is the previous
            # output (zeros before the first real step), or zeros with
            # zero_output_for_mask — Keras's backend rnn.
            k = keep[t]
            states = [where(k, n, s) for n, s in zip(new, states)]
            zero = Tensor(xp.zeros_like(new[0].array))
            prev = where(k, new[0], zero if prev is None or self.zero_output_for_mask
                         else prev)
            outputs.append(prev)
        out = stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return (out, *states) if self.return_state else out

    def _step_mask(self, mask, batch, steps, xp, who):
        """The mask (batch, T) as one (batch, 1) boolean array per step, in the order
        the steps are run (reversed with go_backwards); None without a mask."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if mask is None:
            return None
        m = mask.array if isinstance(mask, Tensor) else xp.asarray(mask)
        if tuple(m.shape) != (batch, steps):
            raise ValueError(f"{who}: the mask must have shape (batch, timesteps) = "
                             f"({batch}, {steps}), got {tuple(m.shape)}")
        m = xp.asarray(m).astype(bool)
        if self.go_backwards:
            m = m[:, ::-1]
        return [m[:, t:t + 1] for t in range(steps)]

    def compute_mask(self, inputs, previous_mask):
        """The input's mask with ``return_sequences`` (None for the states), else
        None."""
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0] if previous_mask else None
        out = previous_mask if self.return_sequences else None
        return [out] + [None] * self.n_states if self.return_state else out

    def input_product(self, x):
        xw = matmul(x, self.kernel)
        return xw + self.bias if self.use_bias else xw

    def recurrent_weights(self):
        """What ``step`` multiplies h by, taken once per call."""
        return self.recurrent_kernel

    def act(self, z):
        return z if self.activation is None else self.activation(z)

    def rec_act(self, z):
        return z if self.recurrent_activation is None else self.recurrent_activation(z)

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self.n_states
        return out

    # -- configuration ---------------------------------------------------------------
    def get_config(self):
        config = {**super().get_config(), "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "stateful": False, "unroll": self.unroll,
                  "zero_output_for_mask": self.zero_output_for_mask, "units": self.units,
                  "activation": self.activation_name}
        if self.gates > 1:
            config["recurrent_activation"] = self.recurrent_activation_name
        config.update({
            "use_bias": self.use_bias,
            "kernel_initializer": _plain(self.kernel_initializer),
            "recurrent_initializer": _plain(self.recurrent_initializer),
            "bias_initializer": _plain(self.bias_initializer),
            "kernel_regularizer": _regularizer_config(self.kernel_regularizer),
            "recurrent_regularizer": _regularizer_config(self.recurrent_regularizer),
            "bias_regularizer": _regularizer_config(self.bias_regularizer),
            "activity_regularizer": _regularizer_config(self.activity_regularizer),
            "kernel_constraint": constraint_config(self.kernel_constraint),
            "recurrent_constraint": constraint_config(self.recurrent_constraint),
            "bias_constraint": constraint_config(self.bias_constraint), "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout})
        config.update(self.extra_config())
        if self.gates > 1:          # Keras's SimpleRNN takes a seed but does not save it
            config["seed"] = self.seed
        return config

    def extra_config(self):
        return {}


class SimpleRNN(_RNN):
    """Fully connected recurrence hₜ = φ(xₜW + hₜ₋₁U + b), φ = ``activation`` (tanh).
    Returns the last h (or every hₜ with ``return_sequences=True``; ``[output, h]``
    with ``return_state=True``)."""

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 seed=None, zero_output_for_mask=False, **kwargs):
        self._setup(locals())

    def step(self, xw, states, rec_mask, U):
        h = states[0] if rec_mask is None else states[0] * rec_mask
        return [self.act(xw + matmul(h, U))]


class LSTM(_RNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), Keras's gate order
    i, f, c, o: z = xₜW + hₜ₋₁U + b split in four; cₜ = σ(z_f)·cₜ₋₁ + σ(z_i)·φ(z_c),
    hₜ = σ(z_o)·φ(cₜ). ``unit_forget_bias=True`` starts the forget gate's bias at 1.
    ``return_state=True`` returns ``[output, h, c]``."""

    gates, n_states = 4, 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", zero_output_for_mask=False, **kwargs):
        self._setup(locals())
        self.unit_forget_bias = bool(unit_forget_bias)

    def bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return _ForgetBias(_initializers.get(self.bias_initializer), self.units)

    def step(self, xw, states, rec_mask, U):
        h, c = states
        if rec_mask is not None:
            h = h * rec_mask
        z = xw + matmul(h, U)
        u = self.units
        i = self.rec_act(z[:, :u])
        f = self.rec_act(z[:, u:2 * u])
        c = f * c + i * self.act(z[:, 2 * u:3 * u])
        o = self.rec_act(z[:, 3 * u:])
        return [o * self.act(c), c]

    def get_config(self):
        config = super().get_config()
        keys = list(config)
        config["unit_forget_bias"] = self.unit_forget_bias
        # Keras's order: unit_forget_bias after bias_initializer.
        at = keys.index("bias_initializer") + 1
        return {k: config[k] for k in keys[:at] + ["unit_forget_bias"] + keys[at:]}


class GRU(_RNN):
    """Gated recurrent unit (Cho et al., 2014), Keras's gate order z, r, h:
    z = σ(x_z + h_z), r = σ(x_r + h_r), h̃ = φ(x_h + r·(hₜ₋₁U_h + b_h)) with
    ``reset_after=True`` (Keras 3's default, bias of shape (2, 3·units)) or
    φ(x_h + (r·hₜ₋₁)U_h) with ``reset_after=False``; hₜ = z·hₜ₋₁ + (1 − z)·h̃."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 reset_after=True, use_cudnn="auto", zero_output_for_mask=False, **kwargs):
        self._setup(locals())
        self.reset_after = bool(reset_after)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def input_product(self, x):
        xw = matmul(x, self.kernel)
        if not self.use_bias:
            return xw
        return xw + (self.bias[0] if self.reset_after else self.bias)

    def recurrent_weights(self):
        """reset_after: (U, the recurrent bias row or None); otherwise U's z, r
        columns and its h columns apart."""
        U, u = self.recurrent_kernel, self.units
        if self.reset_after:
            return U, (self.bias[1] if self.use_bias else None)
        return U[:, :2 * u], U[:, 2 * u:]

    def step(self, xw, states, rec_mask, rec):
        h_prev = states[0]
        h = h_prev if rec_mask is None else h_prev * rec_mask
        u = self.units
        if self.reset_after:
            U, b = rec
            inner = matmul(h, U) if b is None else matmul(h, U) + b
            z = self.rec_act(xw[:, :u] + inner[:, :u])
            r = self.rec_act(xw[:, u:2 * u] + inner[:, u:2 * u])
            hh = self.act(xw[:, 2 * u:] + r * inner[:, 2 * u:])
        else:
            U_zr, U_h = rec
            inner = matmul(h, U_zr)
            z = self.rec_act(xw[:, :u] + inner[:, :u])
            r = self.rec_act(xw[:, u:2 * u] + inner[:, u:])
            hh = self.act(xw[:, 2 * u:] + matmul(r * h, U_h))
        return [z * h_prev + (1 - z) * hh]

    def extra_config(self):
        return {"reset_after": self.reset_after}
