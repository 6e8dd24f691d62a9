"""The less common activations of ``torch.nn``: gating, shrinkage, thresholds, CELU,
softmin, Gumbel-softmax, and the in-place ``F.relu_``-style functions.

* GLU(a ‖ b) = a ⊙ σ(b), the input split in two halves along ``dim``
* softmin(x) = softmax(−x);  Softmax2d: softmax over the channels of (N, C, H, W)
* threshold(x) = x if x > θ else v
* hardshrink(x) = x if |x| > λ else 0;  softshrink(x) = x − λ·sign(x) if |x| > λ else 0
* tanhshrink(x) = x − tanh x
* CELU(x) = max(0, x) + min(0, α(e^{x/α} − 1))
* gumbel_softmax(s) = softmax((s + g)/τ), g = −log E, E ~ Exp(1); ``hard``: the one-hot
  of its argmax forward, the soft gradient backward (straight-through)

They are built from differentiable ops (where, sigmoid, softmax, exp), so their
gradients and forward tangents come from those ops.
"""
import warnings

import numpy as np

from ..backend import array_module, to_device
from ..function import mark_modified, no_grad
from ..ops.elementwise import where
from ..random import generator_for
from ..tensor import Tensor
from ..ops import activations as _act
from ..ops.softmax import Softmax as _Softmax
from .module import Module


def glu(input, dim=-1):
    """a ⊙ σ(b), with (a, b) the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.ndim
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.split(n // 2, d)
    return a * _act.sigmoid(b)


def _implicit_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(−x) along ``dim``: the smallest entries get the largest weights."""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim)
    if dtype is not None:
        input = input.to(dtype=dtype)
    return _Softmax(dim).apply(-input)


def threshold(input, threshold, value, inplace=False):
    """x if x > ``threshold`` else ``value``."""
    if inplace:
        return threshold_(input, threshold, value)
    return where(input.array > threshold, input, value)


def hardshrink(input, lambd=0.5):
    """x if |x| > λ else 0."""
    return where(abs(input.array) > lambd, input, 0.0)


def softshrink(input, lambd=0.5):
    """x − λ if x > λ, x + λ if x < −λ, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    a = input.array
    return where(a > lambd, input - lambd, where(a < -lambd, input + lambd, 0.0))


def tanhshrink(input):
    """x − tanh x."""
    return input - _act.tanh(input)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, α(e^{x/α} − 1)) (ELU with a continuous derivative at 0)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return celu_(input, alpha)
    neg = (where(input.array > 0, 0.0, input) / alpha).exp() * alpha - alpha
    return where(input.array > 0, input, neg)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1, generator=None):
    """A differentiable sample of a categorical law of logits s: softmax((s + g)/τ),
    g ~ Gumbel(0, 1); with ``hard``, the one-hot of the sample forward and the soft
    sample's gradient backward."""
    xp = array_module(logits.array)
    u = generator_for(xp, generator).random(tuple(logits.shape), dtype=np.float64)
    hp = array_module(u)                       # the host's with a host generator
    e = hp.maximum(-hp.log1p(-u), np.finfo(np.float64).tiny)   # E ~ Exp(1), never 0
    g = to_device(-hp.log(e), logits.device).astype(logits.dtype, copy=False)
    y = _Softmax(dim).apply((logits + g) / tau)
    if not hard:
        return y
    d = dim % logits.ndim
    index = xp.expand_dims(y.array.argmax(axis=d), d)
    onehot = xp.zeros_like(y.array)
    xp.put_along_axis(onehot, index, 1.0, axis=d)
    return y + Tensor._wrap(onehot - y.array)   # value one-hot, gradient y's


# -- in place: PyTorch's F.relu_ and co. -------------------------------------------------

def _in_place(t, name, fn):
    """t ← fn(t), in place, under PyTorch's rules (methods.py's in-place helpers): a
    leaf that requires grad is refused; a tensor with a history continues from the
    recorded op."""
    from ..methods import _rebase, _records
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(t).__name__}")
    if _records(t, None, name):
        return _rebase(t, fn)
    with no_grad():
        t.array[...] = fn(Tensor._wrap(t.array)).array
    mark_modified(t)
    return t


def relu_(input):
    """ReLU in place."""
    return _in_place(input, "relu_", _act.relu)


def elu_(input, alpha=1.0):
    """ELU in place."""
    return _in_place(input, "elu_", lambda x: _act.elu(x, alpha))


def leaky_relu_(input, negative_slope=0.01):
    """Leaky ReLU in place."""
    return _in_place(input, "leaky_relu_", lambda x: _act.leaky_relu(x, negative_slope))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """Hardtanh in place."""
    return _in_place(input, "hardtanh_", lambda x: _act.hardtanh(x, min_val, max_val))


def threshold_(input, threshold, value):
    """threshold in place."""
    return _in_place(input, "threshold_", lambda x: where(x.array > threshold, x, value))


def celu_(input, alpha=1.0):
    """CELU in place."""
    return _in_place(input, "celu_", lambda x: celu(x, alpha))


# -- modules -----------------------------------------------------------------------------

class _Elementwise(Module):
    """An activation module: ``fn(x, **config)``."""
    fn = None

    def __init__(self, **config):
        super().__init__()
        self.config = config

    def forward(self, x):
        return type(self).fn(x, **self.config)

    def extra_repr(self):
        return ", ".join(f"{k}={v}" for k, v in self.config.items())


class GLU(_Elementwise):
    """a ⊙ σ(b) over the two halves of ``dim``. ``GLU(dim=-1)``."""
    fn = glu

    def __init__(self, dim=-1):
        super().__init__(dim=dim)


class Softmin(_Elementwise):
    """softmax(−x) along ``dim``. ``Softmin(dim=None)``."""
    fn = softmin

    def __init__(self, dim=None):
        super().__init__(dim=dim)


class Softmax2d(Module):
    """softmax over the channels (axis −3) of (N, C, H, W) or (C, H, W)."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             "instead")
        return _Softmax(-3).apply(input)


class Threshold(Module):
    """x if x > threshold else value. ``Threshold(threshold, value, inplace=False)``."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else "")


class Hardshrink(_Elementwise):
    """x if |x| > λ else 0. ``Hardshrink(lambd=0.5)``."""
    fn = hardshrink

    def __init__(self, lambd=0.5):
        super().__init__(lambd=lambd)

    def extra_repr(self):
        return f"{self.config['lambd']}"


class Softshrink(_Elementwise):
    """x − λ·sign(x) if |x| > λ else 0. ``Softshrink(lambd=0.5)``."""
    fn = softshrink

    def __init__(self, lambd=0.5):
        super().__init__(lambd=lambd)

    def extra_repr(self):
        return f"{self.config['lambd']}"


class Tanhshrink(_Elementwise):
    """x − tanh x."""
    fn = tanhshrink


class CELU(Module):
    """max(0, x) + min(0, α(e^{x/α} − 1)). ``CELU(alpha=1.0, inplace=False)``."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")
