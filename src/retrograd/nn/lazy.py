"""Lazy layers: ``LazyLinear`` learns its ``in_features`` from its first input.

Until then its weight and bias are ``UninitializedParameter``s: registered (so
``state_dict()`` has the keys ``weight`` and ``bias``) but without a shape. The first
call (or ``load_state_dict``) gives them their shape *in place* — the same Parameter
objects, so an optimiser built afterwards or before sees the real weights — draws
them as ``Linear`` does, U(−1/√in, 1/√in), and turns the layer into a ``Linear``,
as PyTorch does.

>>> fc = LazyLinear(10); fc(rg.randn(4, 7)).shape, type(fc).__name__
((4, 10), 'Linear')
"""
import math

import numpy as np

from ..backend import array_module
from . import init
from .linear import Linear, _positive_int
from .module import Module
from .parameter import Parameter


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy layer before its first call)."""

    @property
    def shape(self):
        raise ValueError("Can't access the shape of an uninitialized parameter or buffer. "
                         "This error usually happens in `load_state_dict` when trying to "
                         "load an uninitialized parameter into an initialized one. Call "
                         "`forward` to initialize the parameters before accessing their "
                         "attributes.")

    def materialize(self, shape):
        """Give the parameter its shape (uninitialised values), in place."""
        a = self.array
        self.array = array_module(a).empty(tuple(shape), dtype=a.dtype)
        self.__class__ = Parameter

    def __repr__(self):
        return "<UninitializedParameter>"


class LazyLinear(Linear):
    """``Linear`` whose ``in_features`` is inferred from the last axis of its first
    input. ``LazyLinear(out_features, bias=True, device=None, dtype=None)``."""

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = _positive_int("LazyLinear", "out_features", out_features)
        dtype = np.dtype(dtype or np.float32)
        self.weight = UninitializedParameter(np.empty(0, dtype=dtype))
        self.bias = UninitializedParameter(np.empty(0, dtype=dtype)) if bias else None
        if device is not None:
            self.to(device)

    def has_uninitialized_params(self):
        return isinstance(self.weight, UninitializedParameter)

    def initialize_parameters(self, x):
        """Shape the weights for inputs with ``x.shape[-1]`` features and draw them."""
        if not self.has_uninitialized_params():
            return
        if x.ndim == 0:
            raise ValueError("LazyLinear: cannot infer in_features from a scalar input")
        self.in_features = int(x.shape[-1])
        self._shape_params()
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def _shape_params(self):
        self.weight.materialize((self.out_features, self.in_features))
        if self.bias is not None:
            self.bias.materialize((self.out_features,))
        self.__class__ = Linear

    def _materialize(self, state, prefix):
        # load_state_dict: take in_features from the checkpoint's weight.
        w = state.get(prefix + "weight")
        if w is not None and self.has_uninitialized_params():
            shape = tuple(np.shape(w.array if hasattr(w, "array") else w))
            if len(shape) != 2 or shape[0] != self.out_features:
                raise RuntimeError(f"load_state_dict: LazyLinear({self.out_features}) cannot "
                                   f"take a weight of shape {shape}")
            self.in_features = shape[1]
            self._shape_params()

    def forward(self, x):
        self.initialize_parameters(x)
        return Linear.forward(self, x)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
