"""The bilinear layer: y_k = x₁ᵀ A_k x₂ + b_k, one bilinear form per output feature.

Weight A (out, in1, in2), bias b (out,), both U(−1/√in1, 1/√in1) as PyTorch. Computed
as one matrix product, u = x₁ · A (viewed (in1, out·in2)), then yₖ = Σⱼ u_{kj} x₂ⱼ, so
the gradients and forward tangents are those of matmul, multiply and sum.
"""
import math

import numpy as np

from ..ops.bilinear_form import bilinear
from . import init
from .linear import _positive_int
from .module import Module
from .parameter import Parameter


class Bilinear(Module):
    """y = x₁ᵀ A x₂ + b. ``Bilinear(in1_features, in2_features, out_features, bias=True,
    device=None, dtype=None)``."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None, generator=None):
        super().__init__()
        self.in1_features = _positive_int("Bilinear", "in1_features", in1_features)
        self.in2_features = _positive_int("Bilinear", "in2_features", in2_features)
        self.out_features = _positive_int("Bilinear", "out_features", out_features)
        dtype = np.dtype(dtype or np.float32)
        bound = 1.0 / math.sqrt(self.in1_features)
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = init.uniform_(Parameter(np.empty(shape, dtype=dtype)), -bound, bound,
                                    generator)
        if bias:
            self.bias = init.uniform_(Parameter(np.empty(self.out_features, dtype=dtype)),
                                      -bound, bound, generator)
        else:
            self.bias = None
        if device is not None:
            self.to(device)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
