"""Activations by their Keras names: ``get("relu")`` → a function of a tensor.

These are Keras's functions with Keras's defaults (``leaky_relu`` has slope 0.2
here, 0.01 in ``nn.functional``; ``gelu`` takes ``approximate=False``; softmax
takes ``axis``). ``Dense(…, activation="tanh")`` and ``Activation("softmax")``
resolve their argument with ``get``.

The course's φ: linear (identity), heaviside, sigmoid, tanh, relu; then
leaky_relu, elu, selu, softplus, gelu, silu/swish, hard_sigmoid, softmax, … (the
formulas are in each function's docstring and in ``docs/nn.md``).
"""
from ..ops.elementwise import exp as _exp
from ..ops.elementwise import where as _where
from . import functional as F

__all__ = [
    "linear", "heaviside", "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "elu", "selu",
    "softplus", "softsign", "gelu", "silu", "swish", "hard_sigmoid", "hard_silu", "hard_swish",
    "mish", "log_sigmoid", "exponential", "softmax", "log_softmax", "get", "serialize", "names",
]


def linear(x):
    """φ(z) = z (identity)."""
    return x


def heaviside(x):
    """H(z) = 1 if z ≥ 0 else 0 (gradient 0 almost everywhere)."""
    return F.heaviside(x)


def sigmoid(x):
    """σ(z) = 1 / (1 + e⁻ᶻ)."""
    return F.sigmoid(x)


def tanh(x):
    """tanh z = (eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ)."""
    return F.tanh(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(0, z); Keras's options: slope below ``threshold``, cap at ``max_value``."""
    if threshold:
        y = _where(x.array >= threshold, x, (x - threshold) * negative_slope)
    elif negative_slope:
        y = F.leaky_relu(x, negative_slope)
    else:
        y = F.relu(x)
    return y if max_value is None else y.clip(max=max_value)


def relu6(x):
    """min(max(0, z), 6)."""
    return F.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    """z if z > 0 else λz (Keras default λ = 0.2)."""
    return F.leaky_relu(x, negative_slope)


def elu(x, alpha=1.0):
    """z if z > 0 else α(eᶻ − 1)."""
    return F.elu(x, alpha)


def selu(x):
    """s·ELU_α(z), s ≈ 1.0507, α ≈ 1.6733."""
    return F.selu(x)


def softplus(x):
    """log(1 + eᶻ)."""
    return F.softplus(x)


def softsign(x):
    """z / (1 + |z|)."""
    return F.softsign(x)


def gelu(x, approximate=False):
    """z Φ(z) (Φ the normal CDF), or its tanh approximation."""
    return F.gelu(x, "tanh" if approximate else "none")


def silu(x):
    """z σ(z)."""
    return F.silu(x)


swish = silu


def hard_sigmoid(x):
    """clip(z/6 + ½, 0, 1) (Keras 3)."""
    return F.hardsigmoid(x)


def hard_silu(x):
    """z · hard_sigmoid(z)."""
    return F.hardswish(x)


hard_swish = hard_silu


def mish(x):
    """z tanh(softplus(z))."""
    return F.mish(x)


def log_sigmoid(x):
    """log σ(z)."""
    return F.logsigmoid(x)


def exponential(x):
    """eᶻ."""
    return _exp(x)


def softmax(x, axis=-1):
    """e^{zₖ} / Σⱼ e^{zⱼ} along ``axis`` (stable)."""
    return F.softmax(x, axis)


def log_softmax(x, axis=-1):
    """log softmax(z) along ``axis`` (stable)."""
    return F.log_softmax(x, axis)


_REGISTRY = {f.__name__: f for f in (
    linear, heaviside, sigmoid, tanh, relu, relu6, leaky_relu, elu, selu, softplus, softsign,
    gelu, silu, hard_sigmoid, hard_silu, mish, log_sigmoid, exponential, softmax, log_softmax)}
_REGISTRY.update(swish=swish, hard_swish=hard_swish)


def register(fn, name=None):
    """Make ``get(name)`` (default ``fn.__name__``) return ``fn`` (keras.activations
    registers Keras 3's newer activations this way, computed by keras.ops.nn)."""
    _REGISTRY[name or fn.__name__] = fn
    return fn


def names():
    """The names ``get`` accepts."""
    return sorted(_REGISTRY)


def get(identifier):
    """The activation named ``identifier`` (a Keras name), a callable unchanged, or
    ``linear`` for None."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _REGISTRY.get(identifier)
        if fn is None:
            raise ValueError(f"unknown activation {identifier!r}; valid names: "
                             + ", ".join(names()))
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(f"activation must be a name or a callable, got "
                    f"{type(identifier).__name__}: {identifier!r}")


def serialize(fn):
    """The Keras name of an activation function (its ``__name__`` otherwise)."""
    for name, f in _REGISTRY.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", type(fn).__name__)
