"""Weight normalisation and spectral normalisation as parametrizations, as
``torch.nn.utils.parametrizations``: the layer's ``weight`` becomes a function of
parameters that train better (``weight_norm``: a direction v and a length g) or
bounds the layer's Lipschitz constant (``spectral_norm``: W / σ_max(W))."""
import numpy as np

from ... import random
from ...function import no_grad
from ...missing import module_getattr
from ...tensor import Tensor
from ..module import Module
from .parametrize import register_parametrization


def norm_except_dim(v, pow=2, dim=0):
    """‖v‖ over every dimension but ``dim`` (kept with size 1); the whole norm for
    dim = −1, as ``torch.norm_except_dim``."""
    if dim == -1:
        return (v.abs() ** pow).sum() ** (1.0 / pow)
    axes = tuple(i for i in range(v.ndim) if i != dim)
    if not axes:
        return v.abs()
    return (v.abs() ** pow).sum(dim=axes, keepdim=True) ** (1.0 / pow)


class _WeightNorm(Module):
    """w = g · v / ‖v‖ (the norm over every dimension but ``dim``)."""

    def __init__(self, dim=0):
        super().__init__()
        object.__setattr__(self, "dim", -1 if dim is None else dim)

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrise ``module.<name>`` as g · v / ‖v‖ (Salimans & Kingma): the
    parameters become ``parametrizations.<name>.original0`` (g, of the norm's shape)
    and ``original1`` (v). ``dim=None``: one g for the whole tensor.

    >>> m = weight_norm(nn.Linear(20, 40)); m.parametrizations.weight.original0.shape
    (40, 1)
    """
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def _normalize(x, eps):
    return x / max(float(np.sqrt((x * x).sum())), eps)


class _SpectralNorm(Module):
    """W / σ with σ ≈ σ_max(W) estimated by power iteration on the matrix of W with
    ``dim`` first (u ← W v/‖W v‖, v ← Wᵀu/‖Wᵀu‖, ``n_power_iterations`` per
    training-mode call, 15 at creation; σ = uᵀ W v). A 1-D tensor is normalised."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, "
                             f"{ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        object.__setattr__(self, "dim", dim if dim >= 0 else dim + ndim)
        object.__setattr__(self, "eps", eps)
        if ndim > 1:
            object.__setattr__(self, "n_power_iterations", n_power_iterations)
            w = self._matrix(weight.detach()).array
            h, k = w.shape
            g = random.generator_for(np)
            u, v = g.standard_normal(h).astype(w.dtype), g.standard_normal(k).astype(w.dtype)
            self.register_buffer("_u", Tensor(_normalize(u, eps)))
            self.register_buffer("_v", Tensor(_normalize(v, eps)))
            self._power_method(w, 15)

    def _matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim)
                                                if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def _power_method(self, w, n):
        u, v = self._u.array, self._v.array
        for _ in range(n):
            u[...] = _normalize(w @ v, self.eps)
            v[...] = _normalize(w.conj().T @ u, self.eps)

    def forward(self, weight):
        if weight.ndim == 1:
            return weight / (weight * weight).sum().sqrt().clamp(min=self.eps)
        mat = self._matrix(weight)
        if self.training:
            with no_grad():
                self._power_method(mat.detach().array, self.n_power_iterations)
        u = Tensor(self._u.array.copy())
        v = Tensor(self._v.array.copy())
        sigma = (u * (mat @ v)).sum()
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Reparametrise ``module.<name>`` as W / σ_max(W) (Miyato et al., GAN
    discriminators). ``dim``: 1 for transposed convolutions, else 0."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    register_parametrization(module, name,
                             _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


__all__ = ["weight_norm", "spectral_norm"]

__getattr__ = module_getattr(__name__, {
    "orthogonal": "it would need the matrix exponential or Cayley map of a skew-symmetric "
                  "parameter; weight_norm and spectral_norm are there"})
