"""Keras layers, as thin wrappers over ``retrograd.nn`` modules.

Each layer takes Keras's argument names (``units``, ``activation``,
``input_dim``/``input_shape``, ``name``, ``kernel_initializer``, …), creates its
weights in ``build(input_shape)`` (so ``Dense(10)`` needs no input size until the
model knows it), and computes with the ``nn`` module it wraps.

>>> model = Sequential()
>>> model.add(Dense(10, input_dim=784, name="fc1"))
>>> model.add(Activation("softmax"))
"""
import functools
import math
import operator
import re

import numpy as np

from .. import nn
from ..nn import activations as _activations
from ..nn.module import Module, as_input
from ..ops import elementwise as _elementwise
from ..ops import shape as _shape
from ..tensor import Tensor
from .keras_tensor import KerasTensor, Node, is_symbolic, symbolic_call


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


def _activation_name(fn):
    return _activations.serialize(fn) if fn is not None else "linear"


class Dense(Layer):
    """Fully connected layer: y = φ(x W + b), W of shape (input size, units)
    (Keras's layout), φ = ``activation`` (a Keras name or a function; None:
    identity). Wraps ``nn.Dense``.

    >>> Dense(10, input_dim=784, name="fc1")      # 784·10 + 10 = 7,850 parameters
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        units = _positive_int(units, "Dense", "units")
        super().__init__(**kwargs)
        self.units, self.use_bias = units, bool(use_bias)
        self.activation = _activations.get(activation)
        self.activation_name = _activation_name(self.activation) if activation is not None \
            else "linear"
        self.output_activation = self.activation if activation is not None else None
        self.dense = nn.Dense(units, activation=None, use_bias=use_bias,
                              kernel_initializer=kernel_initializer,
                              bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer,
                              bias_regularizer=bias_regularizer)
        self._init_config = (kernel_initializer, bias_initializer, kernel_regularizer,
                             bias_regularizer)

    @property
    def kernel(self):
        return self.dense.kernel

    @property
    def bias(self):
        return self.dense.bias

    def build(self, input_shape):
        if len(input_shape) < 2 or not input_shape[-1]:
            raise ValueError(f"Dense {self.name!r}: the last axis of the input must be "
                             f"known and non-empty, got input shape {tuple(input_shape)}")
        self.dense.build(tuple(input_shape))

    def weight_shapes(self, input_shape):
        shapes = {"kernel": (input_shape[-1], self.units)}
        if self.use_bias:
            shapes["bias"] = (self.units,)
        return shapes

    def logits(self, x):
        """x W + b, before the activation."""
        return self.dense(x)

    def call(self, x):
        s = self.dense(x)
        return s if self.activation_name == "linear" else self.activation(s)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def named_weights(self):
        return [(n, p) for n, p in (("kernel", self.dense.kernel), ("bias", self.dense.bias))
                if p is not None]

    @property
    def has_penalties(self):
        return self.dense.kernel_regularizer is not None or \
            self.dense.bias_regularizer is not None

    def get_config(self):
        k_init, b_init, k_reg, b_reg = self._init_config
        return {**super().get_config(), "units": self.units,
                "activation": self.activation_name, "use_bias": self.use_bias,
                "kernel_initializer": _plain(k_init), "bias_initializer": _plain(b_init),
                "kernel_regularizer": _regularizer_config(k_reg),
                "bias_regularizer": _regularizer_config(b_reg)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for k in ("kernel_regularizer", "bias_regularizer"):
            if isinstance(config.get(k), dict):
                config[k] = nn.regularizers.get(config[k])
        return cls(**config)


def _plain(init):
    if isinstance(init, str) or init is None:
        return init
    name = getattr(init, "name", None) or to_snake_case(type(init).__name__)
    return name


def _regularizer_config(reg):
    if reg is None or isinstance(reg, str):
        return reg
    return {"class_name": type(reg).__name__, "config": reg.get_config()}


class Activation(Layer):
    """y = φ(x) for φ given by Keras name (``"softmax"``, ``"relu"``, …) or function.
    Wraps ``nn.Activation``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.act = nn.Activation(activation)
        self.activation = self.output_activation = self.act.activation
        self.activation_name = _activation_name(self.activation)

    def logits(self, x):
        return x

    def call(self, x):
        return self.act(x)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation_name}


class Dropout(Layer):
    """Inverted dropout: in training each input is zeroed with probability ``rate``
    and the others scaled by 1/(1 − rate); identity at inference. Wraps ``nn.Dropout``."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate!r}")
        if noise_shape is not None:
            raise ValueError("Dropout: noise_shape is not supported (each element is "
                             "dropped independently); leave noise_shape=None")
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), seed
        # A seed makes one generator for the layer's life (not the same mask each step).
        self.drop = nn.Dropout(self.rate, generator=None if seed is None
                               else np.random.default_rng(seed))

    def call(self, x):
        return self.drop(x)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Flatten(Layer):
    """(N, d₁, d₂, …) → (N, d₁·d₂·…)."""

    def call(self, x):
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))   # -1 fails on an empty batch

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], size)


class Reshape(Layer):
    """(N, …) → (N, *target_shape); one entry may be -1 (inferred)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target) > 1 or any(d == 0 or d < -1 for d in target):
            raise ValueError(f"Reshape: target_shape must hold positive sizes and at most "
                             f"one -1, got target_shape={target_shape!r}")
        self.target_shape = target

    def compute_output_shape(self, input_shape):
        known = [d for d in self.target_shape if d != -1]
        size = math.prod(input_shape[1:]) if None not in input_shape[1:] else None
        if -1 not in self.target_shape:
            if size is not None and size != math.prod(known):
                raise ValueError(f"Reshape {self.name!r}: cannot reshape inputs of shape "
                                 f"{input_shape} ({size} values) to {self.target_shape}")
            return (input_shape[0],) + self.target_shape
        if size is None:
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        if size % math.prod(known):
            raise ValueError(f"Reshape {self.name!r}: cannot reshape inputs of shape "
                             f"{input_shape} ({size} values) to {self.target_shape}")
        return (input_shape[0],) + tuple(size // math.prod(known) if d == -1 else d
                                         for d in self.target_shape)

    def call(self, x):
        return x.reshape((x.shape[0],) + self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class ReLU(Layer):
    """max_value-capped ReLU with Keras's options: y = x for x ≥ threshold,
    negative_slope·(x − threshold) below, then min(y, max_value)."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU: max_value must be >= 0, got max_value={max_value!r}")
        if negative_slope < 0:
            raise ValueError(f"ReLU: negative_slope must be >= 0, got "
                             f"negative_slope={negative_slope!r}")
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x):
        return _activations.relu(x, negative_slope=self.negative_slope,
                                 max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """y = x if x > 0 else negative_slope·x (Keras 3 default 0.3; ``alpha`` is
    Keras 2's name). Wraps ``nn.LeakyReLU``."""

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = float(alpha if alpha is not None else negative_slope)
        self.act = nn.LeakyReLU(self.negative_slope)

    def call(self, x):
        return self.act(x)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """y = x if x > 0 else α·x with α learned, one per input element (Keras's
    layout: α has the input's shape without the batch axis; ``shared_axes``
    shares it along the listed axes), initialised to 0 (``alpha_initializer``)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        if alpha_regularizer is not None or alpha_constraint is not None:
            raise ValueError("PReLU: alpha_regularizer and alpha_constraint are not "
                             "supported; leave them None")
        super().__init__(**kwargs)
        self.alpha_initializer = alpha_initializer
        self.shared_axes = None if shared_axes is None else \
            [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)

    def weight_shapes(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or ():
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU {self.name!r}: needs a known input shape, got "
                             f"{tuple(input_shape)}")
        return {"alpha": tuple(shape)}

    def build(self, input_shape):
        init = nn.init.get(self.alpha_initializer)
        self.alpha = nn.Parameter(init(self.weight_shapes(input_shape)["alpha"]))

    def call(self, x):
        return x.relu() - self.alpha * (-x).relu()

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": _plain(self.alpha_initializer),
                "shared_axes": self.shared_axes}


class ELU(Layer):
    """y = x if x > 0 else α(eˣ − 1). Wraps ``nn.ELU``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.act = nn.ELU(self.alpha)

    def call(self, x):
        return self.act(x)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """y = softmax(x) along ``axis`` (stable). Wraps ``nn.Softmax``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.act = nn.Softmax(axis)
        if axis == -1:
            self.output_activation = _activations.softmax

    def logits(self, x):
        return x

    def call(self, x):
        return self.act(x)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class InputLayer(Layer):
    """Declares the input shape (without the batch axis): ``InputLayer(shape=(784,))``.
    Its ``output`` is the symbolic input that ``keras.Input`` returns. It has no
    weights; a ``Sequential`` does not list it in ``model.layers``, a functional
    model does (as in Keras 3)."""

    def __init__(self, shape=None, batch_size=None, input_shape=None, name=None, **kwargs):
        shape = shape if shape is not None else input_shape
        if shape is None:
            raise ValueError("InputLayer: give shape=, e.g. InputLayer(shape=(784,))")
        super().__init__(name=name or "input_layer", **kwargs)
        self.auto_name = name is None       # input_layer_1, … in a model with several
        self.input_shape_hint = _shape_tuple(shape, "InputLayer", "shape")
        if batch_size is not None:
            batch_size = _positive_int(batch_size, "InputLayer", "batch_size")
        self.batch_size = batch_size
        self.input_shape = self.output_shape = (batch_size,) + self.input_shape_hint
        self.built = True
        node = Node(self, [])
        node.output = KerasTensor(self.output_shape, node, name=self.name)

    def call(self, x):
        return x

    def get_config(self):
        return {"name": self.name, "shape": list(self.input_shape_hint),
                "batch_size": self.batch_size}


def Input(shape=None, batch_size=None, name=None, dtype=None, batch_shape=None):
    """``keras.Input(shape=(784,))``: a symbolic input, a ``KerasTensor`` of shape
    (None, 784). Call layers on it and give it to ``keras.Model(inputs, outputs)``, or
    put it first in a ``Sequential`` to declare the input size."""
    if shape is None and batch_shape is not None:
        shape, batch_size = tuple(batch_shape)[1:], tuple(batch_shape)[0]
    if dtype not in (None, "float32", np.float32):
        raise ValueError(f"Input: only dtype='float32' is supported, got dtype={dtype!r}")
    return InputLayer(shape=shape, batch_size=batch_size, name=name).output


# -- merging: layers that combine a list of inputs ------------------------------------


class Merge(Layer):
    """Base of the layers that combine a list of inputs into one: ``Add()([a, b])``.

    Elementwise merges broadcast as Keras does: an input of lower rank gets size-1
    axes inserted after the batch axis, then sizes 1 stretch (``(N, 4)`` with
    ``(N, 3, 4)`` gives ``(N, 3, 4)``). Every input needs the same batch size."""

    multi_input = True
    min_inputs, max_inputs = 2, None

    def __call__(self, *args, **kwargs):
        x = args[0] if args else None
        if not isinstance(x, (list, tuple)) and not is_symbolic(x):
            name = type(self).__name__
            shape = f" of shape {tuple(np.shape(x))}" if hasattr(x, "shape") else ""
            raise TypeError(f"{name} {self.name!r}: expects a list of inputs, e.g. "
                            f"{name}()([a, b]); got a {type(x).__name__}{shape}")
        return super().__call__(*args, **kwargs)

    def forward(self, inputs):
        inputs = [t if t.dtype.kind == "f" else t.to(dtype=np.float32) for t in inputs]
        shapes = [tuple(t.shape) for t in inputs]
        self.compute_output_shape(shapes)   # every call: the batch sizes and shapes
        if not self.built:
            self.build_for([(None,) + s[1:] for s in shapes])
        return self.call(self._aligned(inputs))

    def _aligned(self, inputs):
        """The inputs brought to one rank (Keras: axes inserted after the batch)."""
        rank = max(t.ndim for t in inputs)
        return [t if t.ndim == rank else t.reshape(_expanded(t.shape, rank)) for t in inputs]

    def _check(self, input_shapes):
        who = f"{type(self).__name__} {self.name!r}"
        if not isinstance(input_shapes, (list, tuple)) or not all(
                isinstance(s, (list, tuple)) for s in input_shapes):
            raise ValueError(f"{who}: expects a list of inputs, got shape {input_shapes!r}")
        n = len(input_shapes)
        if n < self.min_inputs or (self.max_inputs is not None and n > self.max_inputs):
            wanted = (f"exactly {self.max_inputs}" if self.min_inputs == self.max_inputs
                      else f"at least {self.min_inputs}")
            raise ValueError(f"{who}: takes {wanted} inputs, got {n}")
        shapes = [tuple(s) for s in input_shapes]
        if any(len(s) == 0 for s in shapes):
            raise ValueError(f"{who}: every input needs a batch axis, got shapes {shapes}")
        if len({s[0] for s in shapes} - {None}) > 1:
            raise ValueError(f"{who}: the inputs must have the same batch size, got "
                             f"shapes {shapes}")
        return shapes

    def compute_output_shape(self, input_shapes):
        shapes = self._check(input_shapes)
        rank = max(len(s) for s in shapes)
        out = [next((s[0] for s in shapes if s[0] is not None), None)]
        for dims in zip(*(_expanded(s, rank)[1:] for s in shapes)):
            known = {d for d in dims if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(f"{type(self).__name__} {self.name!r}: the inputs' shapes "
                                 f"do not broadcast, got shapes {shapes}")
            out.append(known.pop() if known else None if None in dims else 1)
        return tuple(out)


def _expanded(shape, rank):
    """``shape`` with size-1 axes inserted after the batch axis up to ``rank`` (Keras)."""
    shape = tuple(shape)
    return shape[:1] + (1,) * (rank - len(shape)) + shape[1:]


class Add(Merge):
    """y = x₁ + x₂ + … (a skip connection: ``Add()([x, f(x)])``)."""

    def call(self, inputs):
        return functools.reduce(operator.add, inputs)


class Subtract(Merge):
    """y = x₁ − x₂ (exactly two inputs)."""

    max_inputs = 2

    def call(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(Merge):
    """y = x₁ ⊙ x₂ ⊙ … (elementwise)."""

    def call(self, inputs):
        return functools.reduce(operator.mul, inputs)


class Average(Merge):
    """y = (x₁ + … + xₙ) / n."""

    def call(self, inputs):
        return Add.call(self, inputs) * (1.0 / len(inputs))


class Maximum(Merge):
    """y = max(x₁, x₂, …), elementwise."""

    def call(self, inputs):
        return functools.reduce(_elementwise.maximum, inputs)


class Minimum(Merge):
    """y = min(x₁, x₂, …), elementwise."""

    def call(self, inputs):
        return functools.reduce(_elementwise.minimum, inputs)


class Concatenate(Merge):
    """y = [x₁, x₂, …] joined along ``axis`` (default the last); the other axes must
    agree."""

    def __init__(self, axis=-1, **kwargs):
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"Concatenate: axis must be an integer, got axis={axis!r}")
        super().__init__(**kwargs)
        self.axis = int(axis)

    def compute_output_shape(self, input_shapes):
        shapes = self._check(input_shapes)
        if len({len(s) for s in shapes}) > 1:
            raise ValueError(f"Concatenate {self.name!r}: the inputs must have the same "
                             f"rank, got shapes {shapes}")
        rank = len(shapes[0])
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 1 <= axis < rank:
            raise ValueError(f"Concatenate {self.name!r}: axis={self.axis} is not a feature "
                             f"axis of inputs of shape {shapes[0]} (axis 0 is the batch)")
        out = list(shapes[0])
        for i in range(rank):
            dims = [s[i] for s in shapes]
            if i == axis:
                out[i] = None if None in dims else sum(dims)
            elif i > 0 and len({d for d in dims if d is not None}) > 1:
                raise ValueError(f"Concatenate {self.name!r}: the inputs must agree on every "
                                 f"axis but axis={self.axis}, got shapes {shapes}")
        return tuple(out)

    def call(self, inputs):
        return _shape.concatenate(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """yᵢ = Σ_k x₁ᵢ[…, k, …] x₂ᵢ[…, k, …]: the dot product of each sample's two
    inputs along ``axes`` (one axis for both, or one per input; never the batch).
    ``normalize=True`` divides each input by its L2 norm along its axis first, giving
    the cosine similarity. Output: x₁'s shape without its axis, then x₂'s without its
    batch and its axis; a result of one value per sample has shape (N, 1)."""

    min_inputs = max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        pair = (axes, axes) if isinstance(axes, (int, np.integer)) else axes
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in pair)):
            raise ValueError(f"Dot: axes must be an integer or a pair of integers, "
                             f"got axes={axes!r}")
        super().__init__(**kwargs)
        self.axes, self.normalize = axes, bool(normalize)
        self._pair = tuple(int(a) for a in pair)

    def _axes(self, shapes):
        who = f"Dot {self.name!r}"
        out = []
        for a, s in zip(self._pair, shapes):
            if len(s) < 2:
                raise ValueError(f"{who}: inputs need rank ≥ 2 (batch and features), got "
                                 f"shapes {shapes}")
            if not -len(s) <= a < len(s) or a % len(s) == 0:
                raise ValueError(f"{who}: axes={self.axes!r} is not a feature axis of "
                                 f"inputs of shapes {shapes} (axis 0 is the batch)")
            out.append(a % len(s))
        return out

    def compute_output_shape(self, input_shapes):
        shapes = self._check(input_shapes)
        (s1, s2), (a1, a2) = shapes, self._axes(shapes)
        if None not in (s1[a1], s2[a2]) and s1[a1] != s2[a2]:
            raise ValueError(f"Dot {self.name!r}: axes {a1} and {a2} have sizes {s1[a1]} "
                             f"and {s2[a2]}, they must be equal; got shapes {shapes}")
        out = s1[:a1] + s1[a1 + 1:] + tuple(d for i, d in enumerate(s2) if i not in (0, a2))
        return out if len(out) > 1 else out + (1,)

    def _aligned(self, inputs):   # no broadcasting: the two inputs keep their ranks
        return inputs

    def call(self, inputs):
        shapes = [tuple(t.shape) for t in inputs]
        (x, y), (a1, a2) = inputs, self._axes(shapes)
        if self.normalize:
            x, y = _l2_normalize(x, a1), _l2_normalize(y, a2)
        n, k = x.shape[0], x.shape[a1]
        p = math.prod(d for i, d in enumerate(x.shape) if i not in (0, a1))
        q = math.prod(d for i, d in enumerate(y.shape) if i not in (0, a2))
        # x → (N, P, k) with its axis last, y → (N, k, Q) with its axis first: one
        # batched matrix product (N, P, Q).
        x = x.permute(*[i for i in range(x.ndim) if i != a1], a1).reshape(n, p, k)
        y = y.permute(0, a2, *[i for i in range(1, y.ndim) if i != a2]).reshape(n, k, q)
        return (x @ y).reshape(self.compute_output_shape(shapes))

    def get_config(self):
        axes = list(self.axes) if isinstance(self.axes, (list, tuple)) else self.axes
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def _l2_normalize(x, axis, eps=1e-12):
    """x / max(‖x‖₂, √eps) along ``axis`` (Keras's l2_normalize)."""
    norm2 = (x * x).sum(axis=axis, keepdims=True)
    return x / _elementwise.maximum(norm2, eps).sqrt()


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``: x₁ + x₂ + …"""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``: x₁ − x₂."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``: x₁ ⊙ x₂ ⊙ …"""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``: the mean of the inputs."""
    return Average(**kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """``Dot(axes, normalize, **kwargs)(inputs)``: the per-sample dot product."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``: the inputs joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


CLASSES = {c.__name__: c for c in (Dense, Activation, Dropout, Flatten, Reshape, ReLU,
                                   LeakyReLU, PReLU, ELU, Softmax, InputLayer, Add,
                                   Subtract, Multiply, Average, Maximum, Minimum,
                                   Concatenate, Dot)}

__all__ = ["Layer", "Input", *CLASSES, "add", "subtract", "multiply", "average", "maximum",
           "minimum", "concatenate", "dot"]
