"""The base class of every Keras layer: weights made in ``build(input_shape)``, a
symbolic call on ``KerasTensor``s recorded as a graph node, eager calls on arrays."""
import re

import numpy as np

from ...nn.module import Module, as_input
from ...tensor import Tensor
from ..keras_tensor import is_symbolic, symbolic_call


def to_snake_case(name):
    """Keras's default layer names: ``Dense`` → ``dense``, ``ReLU`` → ``re_lu``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _shape_tuple(shape, who, arg):
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        shape = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{who}: {arg} must be a tuple of positive integers, got "
                         f"{arg}={shape!r}") from None
    if any(d is not None and d <= 0 for d in shape):
        raise ValueError(f"{who}: {arg} must hold positive sizes, got {arg}={shape!r}")
    return shape


def _positive_int(value, who, arg):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{who}: {arg} must be a positive integer. Received: {arg}={value!r}")
    return int(value)


class Layer(Module):
    """Base of the Keras layers: a ``Module`` with a name, an optional input shape,
    ``build(input_shape)``, ``call(x)`` and Keras's weight accessors.

    Called on a tensor or an array it computes; called on a ``KerasTensor``
    (``keras.Input(...)`` or another layer's symbolic output) it records the call in
    a graph for ``keras.Model(inputs, outputs)`` and returns a KerasTensor.

    Shapes exclude the batch axis except where Keras writes ``None`` first
    (``build``, ``compute_output_shape`` and ``output_shape`` take/return
    ``(None, …)``)."""

    multi_input = False     # merge layers (Add, Concatenate, …) take a list of inputs

    def __init__(self, name=None, input_shape=None, input_dim=None, batch_input_shape=None,
                 trainable=True, dtype=None, **kwargs):
        super().__init__()
        who = type(self).__name__
        if kwargs:
            raise TypeError(f"{who}: unexpected argument(s) {sorted(kwargs)}")
        if dtype not in (None, "float32", np.float32):
            raise ValueError(f"{who}: only dtype='float32' is supported, got dtype={dtype!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{who}: name must be a string, got name={name!r}")
        self.name = name if name is not None else to_snake_case(who)
        self.auto_name = name is None
        hint = None
        if input_dim is not None:
            hint = (_positive_int(input_dim, who, "input_dim"),)
        elif input_shape is not None:
            hint = _shape_tuple(input_shape, who, "input_shape")
        elif batch_input_shape is not None:
            hint = _shape_tuple(batch_input_shape, who, "batch_input_shape")[1:]
        self.input_shape_hint = hint
        self.trainable = trainable
        self.built = False
        self.input_shape = self.output_shape = None
        self._inbound_nodes = []     # this layer's calls on symbolic inputs

    # -- computing ---------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        x = args[0] if args else None
        if isinstance(x, Tensor):       # the training path: one check, as Module's
            return self.forward(*args, **kwargs)
        if is_symbolic(x):
            if len(args) > 1 or kwargs:
                raise TypeError(f"{type(self).__name__} {self.name!r}: called on a symbolic "
                                "input, it takes no other argument")
            return symbolic_call(self, x)
        if self.multi_input and isinstance(x, (list, tuple)):
            who = type(self).__name__
            return self.forward([t if isinstance(t, Tensor) else
                                 as_input(t, who, f"input {i}", floating=True)
                                 for i, t in enumerate(x)])
        return Module.__call__(self, *args, **kwargs)

    @property
    def output(self):
        """The KerasTensor this layer produced, when it was called once on a symbolic
        input (``keras.Input(...)``, another layer's output)."""
        if len(self._inbound_nodes) != 1:
            raise AttributeError(
                f"Layer {self.name!r} has {len(self._inbound_nodes)} symbolic calls, so it "
                "has no single output" + ("" if self._inbound_nodes else
                                          ": call it on keras.Input(...) first"))
        return self._inbound_nodes[0].output

    def check_weights_fit(self, input_shape):
        """Refuse an input shape that the weights already built do not fit (a layer
        shared between calls must see the same feature sizes each time)."""
        own = {n: tuple(p.shape) for n, p in self.named_weights()}
        if not own:
            return
        needed = {n: tuple(s) for n, s in self.weight_shapes(tuple(input_shape)).items()}
        if needed != own:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: it was built for inputs of shape {self.input_shape}, "
                             f"got shape {tuple(input_shape)}")

    def build(self, input_shape):
        """Create the weights for inputs of shape ``(None, …)``."""
        self.built = True

    def call(self, x):
        raise NotImplementedError(f"{type(self).__name__} does not define call()")

    def forward(self, x):
        if x.dtype.kind != "f":             # Keras casts inputs to the layer's float32
            x = x.to(dtype=np.float32)
        if x.ndim == 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the input must have a "
                             "batch axis, got a 0-d input")
        if not self.built:
            hint = self.input_shape_hint    # input_dim=/input_shape= given: held to it
            if hint is not None and (len(hint) >= x.ndim or any(
                    h not in (None, d) for h, d in zip(hint, x.shape[x.ndim - len(hint):]))):
                raise ValueError(f"{type(self).__name__} {self.name!r}: declared for inputs "
                                 f"of shape {(None,) + hint}, got an input of shape "
                                 f"{tuple(x.shape)}")
            self.build_for((None,) + tuple(x.shape[1:]))
        return self.call(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def weight_shapes(self, input_shape):
        """{weight name: shape} that ``build(input_shape)`` creates (none here)."""
        return {}

    def build_for(self, input_shape):
        """Build (if needed) and record the input and output shapes."""
        input_shape = tuple(input_shape)
        if not self.built:
            self.build(input_shape)
            self.built = True
        self.input_shape = input_shape
        self.output_shape = tuple(self.compute_output_shape(input_shape))
        return self.output_shape

    # -- weights -----------------------------------------------------------------
    @property
    def weights(self):
        return list(self.parameters())

    @property
    def trainable_weights(self):
        return self.weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [] if self.trainable else self.weights

    def named_weights(self):
        """(Keras weight name, parameter): ``kernel``, ``bias``, ``alpha``."""
        return [(n.rsplit(".", 1)[-1], p) for n, p in self.named_parameters()]

    def count_params(self):
        return int(sum(p.size for p in self.weights))

    def get_weights(self):
        return [p.numpy().copy() for p in self.weights]

    def set_weights(self, weights):
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"Layer {self.name!r} expects {len(own)} weights, but the "
                             f"given list has {len(weights)}")
        for (n, p), w in zip(self.named_weights(), weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"Layer {self.name!r} weight {n!r} has shape {p.shape}, "
                                 f"got an array of shape {w.shape}")
            p.array[...] = w

    # A layer ending in an activation φ: ``call(x) = φ(logits(x))``. The model uses
    # this to hand a softmax/sigmoid's logits to the fused cross-entropy.
    output_activation = None

    def logits(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no output activation")

    # -- configuration -------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if self.input_shape_hint is not None:
            config["input_shape"] = list(self.input_shape_hint)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

def _plain(init):
    """An initializer as a config value: its Keras name (a string is kept)."""
    if isinstance(init, str) or init is None:
        return init
    name = getattr(init, "name", None) or to_snake_case(type(init).__name__)
    return name
