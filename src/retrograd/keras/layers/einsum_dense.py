"""Keras's ``EinsumDense``: a dense layer whose product is any einsum equation,
y = φ(einsum(equation, x, W) + b). ``Dense`` is ``"...i,ij->...j"``; the projections
of multi-head attention are ``"abc,cde->abde"`` (each of T steps of d features to
heads × key_dim). The equation also fixes the kernel's shape: each letter of the
kernel takes its size from the input (a contracted letter) or from ``output_shape``
(an output letter)."""
import math
import re

import numpy as np

from ...nn import activations as _activations
from ...nn import init as _init
from ...nn import regularizers as _regularizers
from ...ops.einsum import einsum
from ...tensor import Tensor
from .core import _activation_name, _regularizer_config
from .layer import Layer, _plain, constraint_config, read_constraints
from ...missing import NotSupportedError


def analyze(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape, kernel input axes,
    kernel output axes) for ``equation`` on inputs of ``input_shape`` (batch axis
    first), as Keras's ``_analyze_einsum_string``: the forms ``ab,bc->ac``,
    ``...b,bc->...c`` (leading axes elided) and ``ab...,bc->ac...``."""
    eq = re.sub(r"\.\.\.", "0", equation)
    for pattern, left in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
                          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
                          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False)):
        m = re.match(pattern, eq)
        if m:
            return _analyze(m.group(1), m.group(2), m.group(3), bias_axes,
                            tuple(input_shape), output_shape, left)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze(input_spec, weight_spec, output_spec, bias_axes, input_shape, output_shape,
             left_elided):
    elided = len(input_shape) - len(input_spec)
    out = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            out.insert(1, input_shape[i])
    elif elided > 0:
        out += [input_shape[i] for i in range(len(input_shape) - elided, len(input_shape))]
    if left_elided:
        in_pos = {d: i + elided - len(input_shape) for i, d in enumerate(input_spec)}
        out_pos = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        in_pos = {d: i for i, d in enumerate(input_spec)}
        out_pos = {d: i for i, d in enumerate(output_spec)}
    if len(input_spec) > len(input_shape):
        raise ValueError(f"EinsumDense: the equation's input '{input_spec}' has "
                         f"{len(input_spec)} axes, the input shape {input_shape} only "
                         f"{len(input_shape)}")
    for d in input_spec:
        if d in out_pos and out[out_pos[d]] is not None and \
                out[out_pos[d]] != input_shape[in_pos[d]]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension "
                             f"'{d}'. Input shape is {input_shape[in_pos[d]]}, and output "
                             f"shape is {out[out_pos[d]]}.")
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{output_spec}' "
                             f"but has no corresponding dim in the input spec "
                             f"'{input_spec}' or weight spec '{output_spec}'")
    kernel, in_axes, out_axes = [], [], []
    for i, d in enumerate(weight_spec):
        if d in out_pos:
            kernel.append(out[out_pos[d]])
            out_axes.append(i)
        elif d in in_pos:
            kernel.append(input_shape[in_pos[d]])
            in_axes.append(i)
        else:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the "
                             f"input spec '{input_spec}' or the output spec "
                             f"'{output_spec}'. For this layer, the weight must be fully "
                             "specified.")
    bias = None
    if bias_axes is not None:
        shift = elided if left_elided else 0
        size = {c: out[i + shift] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of "
                                 f"the output spec '{output_spec}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias = [size[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias += [1] * elided
    return kernel, bias, out, in_axes, out_axes


def fan_initializer(initializer, in_axes, out_axes):
    """The kernel's initializer with Keras's fans for an einsum kernel: a
    variance-scaling one (Glorot, He, LeCun) sees fan_in = Π sizes of the contracted
    axes, fan_out = Π sizes of the output axes (Keras's ``input_axes``/
    ``output_axes``), not the last two axes of a matrix; others are drawn as given."""
    fn = _init.get(initializer)
    if not isinstance(fn, _init.VarianceScaling):
        return initializer

    def draw(shape, dtype=None):
        order = list(in_axes) + list(out_axes)
        fans = (math.prod(shape[a] for a in in_axes), math.prod(shape[a] for a in out_axes))
        v = fn(fans, dtype=dtype or "float32")
        a = np.asarray(v.array if isinstance(v, Tensor) else v)
        return a.reshape([shape[a_] for a_ in order]).transpose(np.argsort(order))
    return draw


class EinsumDense(Layer):
    """y = φ(einsum(equation, x, W) + b): Keras's ``EinsumDense``. ``output_shape``:
    the output's shape without the batch axis (``None`` for a size taken from the
    input); ``bias_axes``: the output letters the bias spans (None: no bias).

    >>> EinsumDense("abc,cde->abde", output_shape=(None, 2, 16), bias_axes="de")
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        who = "EinsumDense"
        # projections the optimizers apply to the weights after each update
        self.kernel_constraint, self.bias_constraint = read_constraints(
            who, kernel_constraint=kernel_constraint, bias_constraint=bias_constraint).values()
        for arg, v in (("lora_rank", lora_rank), ("gptq_unpacked_column_size",
                                                  gptq_unpacked_column_size),
                       ("quantization_config", quantization_config)):
            if v is not None:
                raise NotSupportedError(f"{who}: {arg}={v!r} (LoRA, quantization) is not "
                                        f"supported; leave {arg}=None")
        if not isinstance(equation, str):
            raise TypeError(f"{who}: equation must be a string, got equation={equation!r}")
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) \
            else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = _activations.get(activation)
        self.activation_name = _activation_name(self.activation) if activation is not None \
            else "linear"
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        _init.get(kernel_initializer), _init.get(bias_initializer)     # bad names now
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.kernel = self.bias = None

    def build(self, input_shape):
        kernel, bias, _, in_axes, out_axes = analyze(self.equation, self.bias_axes,
                                                     input_shape, self.partial_output_shape)
        if any(d is None for d in kernel):
            raise ValueError(f"EinsumDense {self.name!r}: the kernel's shape {kernel} is not "
                             f"fully known from the input shape {tuple(input_shape)} and "
                             f"output_shape={self.partial_output_shape}")
        self._ndim = len(input_shape)
        self.kernel = self.add_weight(
            shape=tuple(kernel), name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            initializer=fan_initializer(self.kernel_initializer, in_axes, out_axes))
        if bias is not None:
            self.bias = self.add_weight(shape=tuple(bias), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(analyze(self.equation, self.bias_axes, input_shape,
                             self.partial_output_shape)[2])

    def call(self, inputs):
        if inputs.ndim != self._ndim:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: expected ndim={self._ndim}, found ndim={inputs.ndim}. "
                             f"Full shape received: {tuple(inputs.shape)}")
        y = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        return y if self.activation_name == "linear" else self.activation(y)

    def get_config(self):
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation, "activation": self.activation_name,
                "bias_axes": self.bias_axes,
                "kernel_initializer": _plain(self.kernel_initializer),
                "bias_initializer": _plain(self.bias_initializer),
                "kernel_regularizer": _regularizer_config(self.kernel_regularizer),
                "bias_regularizer": _regularizer_config(self.bias_regularizer),
                "kernel_constraint": constraint_config(self.kernel_constraint),
                "bias_constraint": constraint_config(self.bias_constraint),
                "quantization_config": None}
