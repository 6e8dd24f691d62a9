"""Distances and similarities between vectors, with PyTorch's names and defaults.

* normalize:          x / max(‖x‖_p, ε) along ``dim``
* cosine_similarity:  Σ (x₁/max(‖x₁‖, ε)) · (x₂/max(‖x₂‖, ε)) along ``dim``
  (PyTorch clamps the norms outside the graph: the gradient is that of the
  unclamped norm)
* pairwise_distance:  ‖x₁ − x₂ + ε‖_p along the last axis
* pdist:              ‖xᵢ − xⱼ‖_p for every pair i < j of rows, row-major

The norms are ``ops.linalg.VectorNorm`` (gradient 0 where a norm is 0, as PyTorch).
"""
import numpy as np

from ..backend import array_module
from ..ops.linalg import VectorNorm
from ..tensor import Tensor
from .module import Module
from ..missing import NotSupportedError


def vector_norm(x, p, dim, keepdim=False):
    """‖x‖_p along the single axis ``dim``."""
    return VectorNorm(p, dim % max(x.ndim, 1), keepdim).apply(x)


def _dim(name, dim, ndim):
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(f"{name}: Dimension out of range (expected to be in range of "
                         f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {dim})")
    return dim % max(ndim, 1)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(‖x‖_p, ε) along ``dim`` (unit vectors; a zero vector stays 0)."""
    if out is not None:
        raise NotSupportedError("normalize: out= is not supported; use the returned tensor")
    d = _dim("normalize", dim, input.ndim)
    if input.ndim == 0:
        return input / vector_norm(input.reshape(1), p, 0).clamp(min=eps)
    return input / vector_norm(input, p, d, keepdim=True).clamp(min=eps)


def _clamped_in_value_only(n, eps):
    # PyTorch clamps the norms under no_grad: the value is max(n, ε), the gradient n's.
    xp = array_module(n.array)
    return n + Tensor._wrap(xp.maximum(n.array, eps) - n.array)


def _broadcast(name, x1, x2):
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(f"{name}: The size of tensor a {tuple(x1.shape)} must match the "
                           f"size of tensor b {tuple(x2.shape)} (broadcastable shapes "
                           "expected)") from None
    return x1.expand(*shape), x2.expand(*shape)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """cos θ = x₁·x₂ / (‖x₁‖ ‖x₂‖) along ``dim`` (norms below ε count as ε);
    x₁ and x₂ broadcast."""
    x1, x2 = _broadcast("cosine_similarity", x1, x2)
    d = _dim("cosine_similarity", dim, x1.ndim)
    n1 = _clamped_in_value_only(vector_norm(x1, 2, d, keepdim=True), eps)
    n2 = _clamped_in_value_only(vector_norm(x2, 2, d, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(d)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x₁ − x₂ + ε‖_p along the last axis (x₁, x₂ broadcast)."""
    x1, x2 = _broadcast("pairwise_distance", x1, x2)
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        diff = diff.reshape(1)
    return vector_norm(diff, p, diff.ndim - 1, keepdim)


def pdist(input, p=2):
    """‖xᵢ − xⱼ‖_p for the N(N−1)/2 pairs i < j of the rows of ``input`` (N, M)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    xp = array_module(input.array)
    if len(i) == 0:
        return Tensor._wrap(xp.zeros(0, dtype=input.dtype)) + input.sum() * 0
    i, j = xp.asarray(i), xp.asarray(j)
    return vector_norm(input[i] - input[j], p, 1)


class CosineSimilarity(Module):
    """cos θ between x₁ and x₂ along ``dim``. ``CosineSimilarity(dim=1, eps=1e-8)``."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x₁ − x₂ + ε‖_p along the last axis.
    ``PairwiseDistance(p=2.0, eps=1e-6, keepdim=False)``."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
