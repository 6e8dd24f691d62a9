"""The bilinear layer: y_k = x₁ᵀ A_k x₂ + b_k, one bilinear form per output feature.

Weight A (out, in1, in2), bias b (out,), both U(−1/√in1, 1/√in1) as PyTorch. Computed
as one matrix product, u = x₁ · A (viewed (in1, out·in2)), then yₖ = Σⱼ u_{kj} x₂ⱼ, so
the gradients and forward tangents are those of matmul, multiply and sum.
"""
import math

import numpy as np

from . import init
from .linear import _positive_int
from .module import Module
from .parameter import Parameter


def bilinear(input1, input2, weight, bias=None):
    """y = x₁ᵀ A x₂ + b for inputs (*, in1) and (*, in2), weight (out, in1, in2)."""
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, got shape "
                           f"{tuple(weight.shape)}")
    out, in1, in2 = weight.shape
    if input1.ndim == 0 or input1.shape[-1] != in1 or input2.ndim == 0 or \
            input2.shape[-1] != in2 or input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input1 {tuple(input1.shape)} and input2 "
                           f"{tuple(input2.shape)} must have the same leading dimensions "
                           f"and last dimensions {in1} and {in2} (weight "
                           f"{tuple(weight.shape)})")
    if bias is not None and tuple(bias.shape) != (out,):
        raise RuntimeError(f"bilinear(): bias must have shape ({out},), got "
                           f"{tuple(bias.shape)}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, 1, in2)
    u = (x1 @ weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (u * x2).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out)


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
