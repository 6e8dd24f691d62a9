"""The activations φ as modules (PyTorch's names and defaults), and ``Activation``,
which wraps a Keras name or any function. Formulas: ``nn.functional``."""
import inspect

import numpy as np

from ..ops import activations as ops
from . import activations
from . import functional as F
from .module import Module
from .parameter import Parameter


class Activation(Module):
    """φ applied elementwise, given by Keras name or as a function.

    >>> Activation("softmax")(scores)        # the course's output layer
    """

    def __init__(self, activation):
        super().__init__()
        self.activation = activations.get(activation)

    def forward(self, x):
        return self.activation(x)

    def extra_repr(self):
        a = self.activation
        return repr(a) if isinstance(a, Module) else repr(activations.serialize(a))


class _Elementwise(Module):
    """An activation without parameters: ``fn(x, **config)``."""

    fn = None

    def __init__(self, **config):
        super().__init__()
        try:   # an option the function does not take is refused now, not at the first call
            inspect.signature(type(self).fn).bind(None, **config)
        except TypeError as e:
            raise TypeError(f"{type(self).__name__}: {e}") from None
        self.config = config

    def forward(self, x):
        return type(self).fn(x, **self.config)

    def extra_repr(self):
        return ", ".join(f"{k}={v}" for k, v in self.config.items())


class _InplaceFlag(_Elementwise):
    """An activation without options whose PyTorch class takes ``inplace``:
    accepted for compatibility and ignored (results are never written in place,
    the graph keeps the inputs)."""

    def __init__(self, inplace=False):
        super().__init__()


class Heaviside(_Elementwise):
    """H(z) = 1 if z ≥ 0 else 0 (zero gradient)."""
    fn = F.heaviside


class Sigmoid(_Elementwise):
    """σ_a(z) = 1 / (1 + e^{−az})."""
    fn = F.sigmoid

    def __init__(self, a=1.0):
        super().__init__(**({"a": a} if a != 1 else {}))

    def _fused_op(self):   # for Sequential's chains (ops/chain.py)
        return ops.Sigmoid(**self.config), ()


class Tanh(_Elementwise):
    """tanh z."""
    fn = F.tanh

    def _fused_op(self):
        return ops.Tanh(), ()


class ReLU(_InplaceFlag):
    """max(0, z)."""
    fn = F.relu

    def _fused_op(self):
        return ops.ReLU(), ()


class ReLU6(_InplaceFlag):
    """min(max(0, z), 6)."""
    fn = F.relu6


class LeakyReLU(_Elementwise):
    """z if z > 0 else λz (λ = negative_slope)."""
    fn = F.leaky_relu

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(negative_slope=negative_slope)


class ELU(_Elementwise):
    """z if z > 0 else α(eᶻ − 1)."""
    fn = F.elu

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(alpha=alpha)


class SELU(_InplaceFlag):
    """s·ELU_α(z), s ≈ 1.0507, α ≈ 1.6733."""
    fn = F.selu


class GELU(_Elementwise):
    """z Φ(z)."""
    fn = F.gelu

    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        super().__init__(approximate=approximate)


class SiLU(_InplaceFlag):
    """z σ(z) (swish)."""
    fn = F.silu


class Softplus(_Elementwise):
    """(1/β) log(1 + e^{βz})."""
    fn = F.softplus

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__(beta=beta, threshold=threshold)


class Hardtanh(_Elementwise):
    """clip(z, min_val, max_val)."""
    fn = F.hardtanh

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(min_val=min_val, max_val=max_val)


class Hardsigmoid(_InplaceFlag):
    """clip(z/6 + ½, 0, 1)."""
    fn = F.hardsigmoid


class Hardswish(_InplaceFlag):
    """z · clip(z/6 + ½, 0, 1)."""
    fn = F.hardswish


class Softsign(_Elementwise):
    """z / (1 + |z|)."""
    fn = F.softsign


class Mish(_InplaceFlag):
    """z tanh(softplus(z))."""
    fn = F.mish


class LogSigmoid(_Elementwise):
    """log σ(z)."""
    fn = F.logsigmoid


class Softmax(_Elementwise):
    """softmax along ``dim`` (stable)."""
    fn = F.softmax

    def __init__(self, dim=-1):
        super().__init__(dim=dim)


class LogSoftmax(_Elementwise):
    """log softmax along ``dim`` (stable)."""
    fn = F.log_softmax

    def __init__(self, dim=-1):
        super().__init__(dim=dim)


class PReLU(Module):
    """z if z > 0 else λ_k z with the slope λ learned: one shared
    (``num_parameters=1``) or one per channel (axis 1 of the input), initialised
    to ``init``."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        if not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive integer, got "
                             f"{num_parameters!r}")
        from ..creation import full
        self.num_parameters = int(num_parameters)
        self.weight = Parameter(full((self.num_parameters,), init, dtype=dtype or np.float32,
                                     device=device))

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomised leaky ReLU: in training λ ~ U(lower, upper) for every element,
    in evaluation λ = (lower + upper)/2, so inference is deterministic."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False, generator=None):
        super().__init__()
        if not 0 <= lower <= upper:
            raise ValueError(f"RReLU: need 0 ≤ lower ≤ upper, got lower={lower}, upper={upper}")
        self.lower, self.upper, self.generator = lower, upper, generator

    def forward(self, x):
        return F.rrelu(x, self.lower, self.upper, self.training, generator=self.generator)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}"
