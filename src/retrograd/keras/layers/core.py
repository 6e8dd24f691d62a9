"""The core layers: ``Dense``, ``Activation``, ``Dropout``, ``Flatten``, ``Reshape``,
``InputLayer`` and ``keras.Input``."""
import inspect
import math

import numpy as np

from ... import nn
from ...nn import activations as _activations
from ..keras_tensor import KerasTensor, Node
from .layer import (Layer, _plain, _positive_int, _shape_tuple, as_variables, constrain,
                    constraint_config, read_constraints)


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
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        units = _positive_int(units, "Dense", "units")
        self._constraints = read_constraints("Dense", kernel_constraint=kernel_constraint,
                                             bias_constraint=bias_constraint)
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
        # Keras's variables (.trainable, .path, .assign); the regularizers stay
        # nn.Dense's (its penalties()).
        as_variables(self, {"kernel": self.dense.kernel, "bias": self.dense.bias})
        constrain(self.dense, kernel=self._constraints["kernel_constraint"],
                  bias=self._constraints["bias_constraint"])

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
                "bias_regularizer": _regularizer_config(b_reg),
                **{k: constraint_config(c) for k, c in self._constraints.items()}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for k in ("kernel_regularizer", "bias_regularizer"):
            if isinstance(config.get(k), dict):
                config[k] = nn.regularizers.get(config[k])
        return cls(**config)




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
    try:
        kind = "float32" if dtype is None else np.dtype(getattr(dtype, "name", dtype)).name
    except TypeError:
        kind = None
    if kind not in ("float32", "int32", "int64"):     # integers: token ids for Embedding
        raise ValueError(f"Input: dtype must be 'float32', 'int32' or 'int64', got "
                         f"dtype={dtype!r}")
    out = InputLayer(shape=shape, batch_size=batch_size, name=name).output
    out.dtype = kind
    return out


# -- merging: layers that combine a list of inputs ------------------------------------


class Lambda(Layer):
    """y = function(x): any function of tensors (``keras.ops``, operators) as a layer,
    ``Lambda(lambda x: ops.square(x))``. ``output_shape`` (a shape without the batch
    axis, or a function of the input shape) gives the output shape; else it is found
    by running the function on stand-in values. ``arguments``: keyword arguments
    passed to it. Its configuration cannot be saved (a function is code; Keras 3
    stores it as bytecode, which retrograd never loads)."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {type(function).__name__}")
        super().__init__(**kwargs)
        self.function, self.arguments = function, dict(arguments or {})
        self._output_shape = output_shape
        # Keras: with mask= (a function of (inputs, mask), or a fixed mask) the output
        # gets that mask; without, a Lambda drops its input's mask.
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            names = inspect.signature(function).parameters
        except (TypeError, ValueError):
            names = {}
        self._fn_mask, self._fn_training = "mask" in names, "training" in names

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_mask:
            kwargs["mask"] = mask
        if self._fn_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape):
        shape = self._output_shape
        if shape is None:
            return Layer.compute_output_shape(self, input_shape)
        if callable(shape):
            return tuple(shape(input_shape))
        return (input_shape[0],) + tuple(shape)

    def get_config(self):
        from ...missing import NotSupportedError
        raise NotSupportedError(f"Lambda {self.name!r}: a Python function cannot be saved "
                                "in a configuration (Keras 3 stores its bytecode, which "
                                "retrograd never loads); write a custom layer with "
                                "get_config() to save the model")
