"""The course's artificial neuron and perceptron as layers.

One neuron computes ŷ = φ(wᵀx + b); k neurons side by side — the perceptron —
compute ŷ = φ(xW + b) for a row x (1×m), with W (m×k) whose columns are the
neurons' weight vectors. ``Dense`` stores exactly that W (Keras's kernel, shape
(in, units)); ``Linear`` stores its transpose (PyTorch's weight, shape (out, in))
and computes s = xWᵀ + b. Both run one fused op for the affine map.
"""
import math

import numpy as np

from ..ops.matmul import Linear as LinearOp, affine, linear
from ..ops.shape import flatten
from . import activations, init, regularizers
from .module import Module
from .parameter import Parameter


def _positive_int(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer. Received: "
                         f"{name}={value!r}")
    return int(value)


class Identity(Module):
    """y = x (arguments are accepted and ignored, as PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge axes start_dim … end_dim (by default all but the batch axis):
    (N, 28, 28) → (N, 784)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        need = max(d + 1 if d >= 0 else -d for d in (self.start_dim, self.end_dim))
        if x.ndim < need:
            raise ValueError(f"{self!r}: input of shape {tuple(x.shape)} has {x.ndim} "
                             f"axes, expected at least {need} (axes {self.start_dim} … "
                             f"{self.end_dim} are merged)")
        return flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Linear(Module):
    """Affine map s = xWᵀ + b with weight W of shape (out_features, in_features)
    (PyTorch's layout) and bias b (out_features,). Both start as U(−1/√in, 1/√in),
    as PyTorch.

    >>> fc = Linear(784, 10); fc(x).shape       # x: (N, 784)
    (N, 10)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None,
                 generator=None):
        super().__init__()
        self.in_features = _positive_int("Linear", "in_features", in_features)
        self.out_features = _positive_int("Linear", "out_features", out_features)
        dtype = dtype or np.float32
        bound = 1.0 / math.sqrt(self.in_features)
        w = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        self.weight = init.uniform_(w, -bound, bound, generator)
        if bias:
            b = Parameter(np.empty(self.out_features, dtype=dtype))
            self.bias = init.uniform_(b, -bound, bound, generator)
        else:
            self.bias = None
        if device is not None:
            self.to(device)

    def forward(self, x):
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r}: input of shape {tuple(x.shape)} has "
                             f"{x.shape[-1] if x.ndim else 'no'} features, expected "
                             f"{self.in_features}")
        return linear(x, self.weight, self.bias)

    def _fused_op(self):
        # This layer as an op and its parameters, for Sequential's chains (ops/chain.py).
        return LinearOp(), (self.weight,) if self.bias is None else (self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Dense(Module):
    """Keras's fully connected layer, the course's perceptron: ŷ = φ(xW + b) with
    kernel W of shape (in, units) and bias b (units,).

    The input size is found at the first call (or ``build(input_shape)``, or
    ``input_dim=``), when the kernel is drawn from ``kernel_initializer`` (Keras
    name or callable; default Glorot uniform) and the bias from
    ``bias_initializer`` (zeros). ``kernel_regularizer``/``bias_regularizer``
    (e.g. ``L2(1e-4)``) add penalties collected by ``regularization_loss()``.

    >>> layer = Dense(10, activation="softmax"); y = layer(x)   # x: (N, 784)
    >>> layer.kernel.shape
    (784, 10)
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, input_dim=None,
                 dtype=None, generator=None):
        super().__init__()
        self.units = _positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = init.get(kernel_initializer)
        self.bias_initializer = init.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dtype = np.dtype(dtype or np.float32)
        self.generator = generator
        self.built, self.input_dim = False, None
        self.kernel = self.bias = None
        if input_dim is not None:
            self.build((None, input_dim))

    def build(self, input_shape, device=None):
        """Create the kernel (in, units) and the bias for inputs of ``input_shape``
        (its last entry is the number of features)."""
        in_dim = _positive_int(f"Dense(units={self.units})", "input features",
                               tuple(input_shape)[-1])
        self.kernel = Parameter(self.kernel_initializer((in_dim, self.units), dtype=self.dtype,
                                                        generator=self.generator))
        if self.use_bias:
            self.bias = Parameter(self.bias_initializer((self.units,), dtype=self.dtype,
                                                        generator=self.generator))
        self.input_dim, self.built = in_dim, True
        if device is not None and device != "cpu":
            self.to(device)

    def _materialize(self, state, prefix):
        """Build from a checkpoint's kernel when loading into an unbuilt layer."""
        k = state.get(prefix + "kernel")
        if not self.built and k is not None and len(getattr(k, "shape", ())) == 2:
            self.build((None, k.shape[0]))
            # build drew random weights only to be overwritten: shapes are what matter

    def forward(self, x):
        if x.ndim == 0 or x.shape[-1] == 0:
            raise ValueError(f"Dense(units={self.units}): input of shape {tuple(x.shape)} "
                             "has no features; expected a last (feature) axis of size ≥ 1")
        if not self.built:
            self.build(x.shape, x.device)
        elif x.shape[-1] != self.input_dim:
            raise ValueError(f"Dense(units={self.units}) was built for inputs with "
                             f"{self.input_dim} features (kernel {self.input_dim}×{self.units}), "
                             f"got an input of shape {tuple(x.shape)}")
        s = affine(x, self.kernel, self.bias)
        return s if self.activation is activations.linear else self.activation(s)

    def penalties(self):
        terms = []
        if self.kernel_regularizer is not None and self.kernel is not None:
            terms.append(self.kernel_regularizer(self.kernel))
        if self.bias_regularizer is not None and self.bias is not None:
            terms.append(self.bias_regularizer(self.bias))
        return terms

    def extra_repr(self):
        a = self.activation
        act = "" if a is activations.linear or isinstance(a, Module) else \
            f", activation={activations.serialize(a)}"
        dim = f"input_dim={self.input_dim}, " if self.built else ""
        return f"{dim}units={self.units}{act}, use_bias={self.use_bias}"
