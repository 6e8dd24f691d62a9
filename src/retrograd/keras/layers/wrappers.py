"""Keras 3's layer wrappers: ``Bidirectional`` (a recurrent layer run both ways over
time) and ``TimeDistributed`` (a layer applied to every time step).

* ``Bidirectional(layer)``: a forward copy of ``layer`` (named ``forward_<name>``)
  and a backward copy (``backward_<name>``, ``go_backwards=True``), both built from
  ``layer``'s configuration, so the wrapper holds two independent sets of weights,
  forward's then backward's (Keras's order). With ``return_sequences`` the backward
  copy's outputs come in reversed time, so they are flipped back before the merge:
  y = merge(y→ₜ, y←ₜ), merge ∈ concat (default), sum, mul, ave, or None (both
  outputs, as a list).
* ``TimeDistributed(layer)``: x of shape (N, T, …) is reshaped to (N·T, …), run
  through ``layer`` once, and reshaped back to (N, T, …): the same weights at every
  step.

>>> Bidirectional(LSTM(64, return_sequences=True))   # (None, T, d) → (None, T, 128)
>>> TimeDistributed(Dense(10))                      # (None, T, d) → (None, T, 10)
"""
import copy

from ...missing import NotSupportedError
from ...ops.reorder import flip
from ...ops.shape import concatenate
from ...tensor import Tensor
from .layer import Layer

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _spec(layer):
    """``layer``'s Keras 3 description (imported here: saving imports the layers)."""
    from ..saving.config import layer_to_config
    spec = layer_to_config(layer)
    # A model file leaves trainable=True out of its layers; Keras's wrappers nest the
    # layer's whole get_config(), which starts with name, trainable, dtype.
    config = spec["config"]
    spec["config"] = {"name": config.pop("name", layer.name), "trainable": layer.trainable,
                      **config}
    return spec


def _from_spec(spec, who, custom_objects=None):
    """A layer given as a layer or as its Keras description (a configuration read
    back, where it is a dict); ``custom_objects`` names the user's layer classes."""
    if isinstance(spec, Layer):
        return spec
    if not isinstance(spec, dict) or "class_name" not in spec:
        raise ValueError(f"{who}: the wrapped layer must be a layer or its "
                         f"{{'class_name', 'config'}} description, got {str(spec)[:80]}")
    from ..saving.config import layer_from_spec
    return layer_from_spec({**spec, "config": copy.deepcopy(spec.get("config", {}))},
                           custom_objects=custom_objects)


def _copy(layer, name, **changes):
    """A new layer of ``layer``'s class from its configuration, renamed (Keras's
    Bidirectional deserializes the wrapped layer's config twice)."""
    config = {**layer.get_config(), "name": name, **changes}
    new = type(layer).from_config(config)
    # get_config names an initializer object by its class ("constant"), losing its
    # arguments (Constant(0.5)): the copy takes the original's objects.
    for key, init in vars(layer).items():
        if key.endswith("_initializer") and not isinstance(init, str) and init is not None:
            setattr(new, key, init)
    return new


def _weight_groups(layer, group):
    """[(group path, variables)] of a wrapped ``layer`` saved under ``group`` in a
    Keras 3 weights file: its ``vars`` (a recurrent layer's in its ``cell`` group)."""
    from ..saving.h5_weights import layer_variables
    sub = getattr(layer, "keras_weights_subgroup", None)
    if sub:
        return [(f"{group}/{sub}/vars", layer_variables(layer)), (f"{group}/vars", [])]
    return [(f"{group}/vars", layer_variables(layer))]


class Bidirectional(Layer):
    """Run a recurrent ``layer`` forward and backward over time and merge the two
    outputs: ``merge_mode`` "concat" (the default: features of both, 2·units),
    "sum", "mul", "ave", or None (the list [forward, backward]). ``return_state``
    returns the merged output, then the forward layer's states, then the backward
    one's. ``backward_layer``: a layer to use as the backward one (its
    ``go_backwards`` must differ from ``layer``'s); ``weights``: the initial weights
    (forward's then backward's), set when the layer is built. ``initial_state``, when
    given, is a list whose first half goes to the forward layer.

    >>> layers.Bidirectional(layers.LSTM(64, return_sequences=True))
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):     # Keras raises ValueError here
            raise ValueError("Please initialize `Bidirectional` layer with a "  # noqa: TRY004
                             f"`keras.layers.Layer` instance. Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("Bidirectional: `backward_layer` need to be a "
                             f"`keras.layers.Layer` instance. Received: {backward_layer!r}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode "
                             'should be one of {"sum", "mul", "ave", "concat", None}')
        for arg in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, arg):
                raise NotSupportedError(f"Bidirectional: the wrapped layer must be a "
                                        f"recurrent layer (SimpleRNN, LSTM, GRU); "
                                        f"{type(layer).__name__} has no {arg}")
        super().__init__(**kwargs)
        self.forward_layer = _copy(layer, "forward_" + layer.name.removeprefix("forward_"))
        if backward_layer is None:
            backward_layer = _copy(layer, "backward_" +
                                   layer.name.removeprefix("backward_"), go_backwards=True)
        self.backward_layer = backward_layer
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{fwd.go_backwards}, backward_layer.go_backwards="
                             f"{bwd.go_backwards}")
        for a in ("return_sequences", "return_state"):
            if getattr(fwd, a) != getattr(bwd, a):
                raise ValueError("Forward layer and backward layer are expected to have the "
                                 f'same value for attribute "{a}", got "{getattr(fwd, a)}" '
                                 f'for forward layer and "{getattr(bwd, a)}" for backward '
                                 "layer")
        # Keras's Bidirectional sets both layers' zero_output_for_mask (it only
        # matters with a mask) to return_sequences: masked steps output zeros.
        for sub in (fwd, bwd):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = fwd.return_sequences
        self.return_state = fwd.return_state
        self.stateful = False
        self._initial_weights = None if weights is None else list(weights)

    def build(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(shape)
            sub.input_shape = shape
        self.built = True
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        who = f"Bidirectional {self.name!r}"
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(states) % 2:
                raise NotSupportedError(
                    f"{who}: initial_state must be a list of an even number of states "
                    f"(the forward layer's, then the backward one's), got {len(states)}")
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        extra = {} if mask is None else {"mask": mask}      # each reverses it as needed
        y = self.forward_layer(sequences, initial_state=forward_state, **extra)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **extra)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = flip(y_rev, (1,))
        if self.merge_mode == "concat":
            out = concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def compute_mask(self, inputs, previous_mask):
        """Keras's: the input's mask with ``return_sequences`` (one per output when
        ``merge_mode`` is None), None for the states."""
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0] if previous_mask else None
        mask = previous_mask if self.return_sequences else None
        out = [mask, mask] if self.merge_mode is None else [mask]
        if self.return_state:
            return out + [None] * (2 * self.forward_layer.n_states
                                   if hasattr(self.forward_layer, "n_states") else 2)
        return out if self.merge_mode is None else mask

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        out = self.forward_layer.compute_output_shape(tuple(sequences_shape))
        states = []
        if self.return_state:
            out, states = tuple(out[0]), [tuple(s) for s in out[1:]]
        out = tuple(out)
        if self.merge_mode == "concat":
            out = out[:-1] + (out[-1] * 2,)
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state or self.merge_mode is None:
            return outs + states + states
        return out

    def get_config(self):
        config = super().get_config()
        config.pop("input_shape", None)
        return {**config, "merge_mode": self.merge_mode,
                "layer": _spec(self.forward_layer),
                "backward_layer": _spec(self.backward_layer)}

    def keras_weight_groups(self):
        """The groups of Keras 3's weights file below this layer's:
        forward_layer/cell/vars, backward_layer/cell/vars (a recurrent layer), then
        its own empty vars."""
        return (_weight_groups(self.forward_layer, "forward_layer") +
                _weight_groups(self.backward_layer, "backward_layer") + [("vars", [])])

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _from_spec(config["layer"], "Bidirectional", custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _from_spec(config["backward_layer"],
                                                  "Bidirectional", custom_objects)
        return cls(**config)


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step: an input (N, T, …) is reshaped to
    (N·T, …), given to ``layer`` once, and the result reshaped to (N, T, …), so every
    step uses the same weights (``layer``'s).

    >>> layers.TimeDistributed(layers.Dense(10))     # (None, 7, 4) → (None, 7, 10)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):     # Keras raises ValueError here
            raise ValueError("Please initialize `TimeDistributed` layer with a "  # noqa: TRY004
                             f"`keras.layers.Layer` instance. Received: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def _child_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r}: `TimeDistributed` Layer "
                             "should be passed an `input_shape` with at least 3 "
                             f"dimensions, received: {input_shape}")
        return (None, *input_shape[2:])

    def build(self, input_shape):
        self.layer.build_for(self._child_shape(tuple(input_shape)))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        who = f"TimeDistributed {self.name!r}"
        x = inputs
        if not isinstance(x, Tensor) or x.ndim < 3:
            raise ValueError(f"{who}: expected an input of at least 3 dimensions (batch, "
                             f"time, …), got shape {tuple(x.shape)}")
        n, t = x.shape[0], x.shape[1]
        extra = {}
        if mask is not None:
            m = mask if isinstance(mask, Tensor) else Tensor(mask)
            if m.ndim < 2 or tuple(m.shape[:2]) != (n, t):
                raise ValueError(f"{who}: the `mask` must have the input's first two "
                                 f"dimensions (batch, timesteps) = ({n}, {t}), got shape "
                                 f"{tuple(m.shape)}")
            if self.layer._call_mask:       # each step's mask, as Keras passes it
                extra["mask"] = m.reshape(n * t, *m.shape[2:])
        y = self.layer(x.reshape(n * t, *x.shape[2:]), **extra)
        if not isinstance(y, Tensor):
            raise NotSupportedError(f"{who}: the wrapped layer {self.layer.name!r} returns "
                                    f"{type(y).__name__}; only a layer with one output "
                                    "tensor can be time-distributed")
        return y.reshape(n, t, *y.shape[1:])

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._child_shape(tuple(input_shape)))
        return (inner[0], input_shape[1], *inner[1:])

    def get_config(self):
        config = super().get_config()
        config.pop("input_shape", None)
        return {**config, "layer": _spec(self.layer)}

    def keras_weight_groups(self):
        """The groups of Keras 3's weights file below this layer's: layer/vars (a
        recurrent layer: layer/cell/vars), then its own empty vars."""
        return _weight_groups(self.layer, "layer") + [("vars", [])]

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _from_spec(config["layer"], "TimeDistributed", custom_objects)
        return cls(**config)
