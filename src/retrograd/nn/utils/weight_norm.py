"""The original (pre-parametrization) weight and spectral normalisation of
``torch.nn.utils``: ``weight_norm`` replaces ``weight`` by ``weight_g`` and
``weight_v``; ``spectral_norm`` keeps ``weight_orig`` and the power-iteration
vectors ``weight_u``, ``weight_v`` as buffers. The module's ``weight`` is computed
from them when read (PyTorch computes it in a forward pre-hook)."""
import warnings

import numpy as np

from ... import random
from ...function import no_grad
from ...tensor import Tensor
from ..parameter import Parameter
from .parametrizations import _normalize, norm_except_dim


def _computed(module, name, compute):
    """Give ``module`` a class of its own whose property ``name`` is ``compute(module)``."""
    cls = module.__class__
    if not getattr(cls, "_computed_weights", None) or cls._computed_base is not cls.__base__:
        new = type(cls.__name__, (cls,), {"__module__": cls.__module__,
                                          "__qualname__": cls.__qualname__})
        new._computed_base = cls
        new._computed_weights = {}
        module.__class__ = cls = new
    cls._computed_weights[name] = compute
    setattr(cls, name, property(compute))


def _uncomputed(module, name):
    cls = module.__class__
    delattr(cls, name)
    del cls._computed_weights[name]
    if not cls._computed_weights:
        module.__class__ = cls._computed_base


def _computed_of(module, name):
    """The function computing ``module.<name>``, None if it is a plain attribute."""
    return getattr(module.__class__, "_computed_weights", {}).get(name)


def _own_parameter(module, name):
    weight = module._parameters.get(name)
    if weight is None:
        raise AttributeError(f"'{type(module).__name__}' object has no parameter '{name}'")
    return weight


def _fold(module, name, kind, suffixes):
    """Undo ``kind`` (weight_norm, spectral_norm) on ``module.<name>``: its current value
    (in eval mode: spectral norm's power iteration does not run for it) becomes the
    plain parameter ``<name>`` again and the ``<name><suffix>`` are dropped."""
    compute = _computed_of(module, name)
    if compute is None or compute.kind != kind:
        raise ValueError(f"{kind} of '{name}' not found in {module}")
    training = module.training
    module.training = False
    with no_grad():
        weight = compute(module)
    module.training = training
    _uncomputed(module, name)
    for suffix in suffixes:
        delattr(module, name + suffix)
    module.register_parameter(name, Parameter(weight.array.copy()))
    return module


def weight_norm(module, name="weight", dim=0):
    """w = g · v / ‖v‖ with parameters ``<name>_g`` and ``<name>_v`` (deprecated in
    PyTorch for ``parametrizations.weight_norm``: FutureWarning)."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                  stacklevel=2)
    if dim is None:
        dim = -1
    if _computed_of(module, name) is not None:
        raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter "
                           f"{name}")
    weight = _own_parameter(module, name)
    g = norm_except_dim(weight.detach(), 2, dim)
    delattr(module, name)
    module.register_parameter(name + "_g", Parameter(g.array.copy()))
    module.register_parameter(name + "_v", Parameter(weight.array))

    def compute(self):
        v, g = getattr(self, name + "_v"), getattr(self, name + "_g")
        return v * (g / norm_except_dim(v, 2, dim))

    compute.kind = "weight_norm"
    _computed(module, name, compute)
    return module


def remove_weight_norm(module, name="weight"):
    """Fold g and v back into one parameter ``<name>``."""
    return _fold(module, name, "weight_norm", ("_g", "_v"))


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """W / σ with σ from power iteration (v ← Wᵀu/‖Wᵀu‖, u ← W v/‖W v‖, once per
    read in training mode; σ = uᵀ W v): parameter ``<name>_orig``, buffers
    ``<name>_u`` and ``<name>_v``."""
    if _computed_of(module, name) is not None:
        raise RuntimeError(f"Cannot register two spectral_norm hooks on the same "
                           f"parameter {name}")
    if n_power_iterations <= 0:
        raise ValueError(f"Expected n_power_iterations to be positive, but got "
                         f"n_power_iterations={n_power_iterations}")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    weight = _own_parameter(module, name)

    def matrix(w):
        if dim != 0:
            w = w.permute(dim, *(d for d in range(w.ndim) if d != dim))
        return w.reshape(w.shape[0], -1)

    h, k = matrix(weight.detach()).shape
    g = random.generator_for(np)
    u = _normalize(g.standard_normal(h).astype(weight.dtype), eps)
    v = _normalize(g.standard_normal(k).astype(weight.dtype), eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    module.register_buffer(name + "_u", Tensor(u))
    module.register_buffer(name + "_v", Tensor(v))

    def compute(self):
        w = getattr(self, name + "_orig")
        mat = matrix(w)
        u, v = getattr(self, name + "_u").array, getattr(self, name + "_v").array
        if self.training:
            m = mat.detach().array
            for _ in range(n_power_iterations):
                v[...] = _normalize(m.T @ u, eps)
                u[...] = _normalize(m @ v, eps)
        sigma = (Tensor(u.copy()) * (mat @ Tensor(v.copy()))).sum()
        return w / sigma

    compute.kind = "spectral_norm"
    _computed(module, name, compute)
    return module


def remove_spectral_norm(module, name="weight"):
    """Keep W / σ (with the current u, v) as the parameter ``<name>``."""
    return _fold(module, name, "spectral_norm", ("_orig", "_u", "_v"))


__all__ = ["weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm"]
