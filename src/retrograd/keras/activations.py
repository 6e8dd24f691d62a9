"""``keras.activations``: the activations by Keras name (``retrograd.nn.activations``),
plus Keras 3's newer ones, computed by ``keras.ops.nn`` (celu, glu, hard_shrink,
hard_tanh, soft_shrink, sparse_plus, sparse_sigmoid, sparsemax, squareplus,
tanh_shrink, threshold). Importing this module registers them by name, so
``Dense(4, activation="celu")`` resolves them as Keras does."""
from ..nn.activations import *  # noqa: F401,F403
from ..nn.activations import get, serialize  # noqa: F401
from ..nn.activations import register as _register
from .ops import nn as _ops_nn


def celu(x, alpha=1.0):
    """x if x > 0 else α(e^{x/α} − 1)."""
    return _ops_nn.celu(x, alpha=alpha)


def glu(x, axis=-1):
    """a · σ(b), a and b the two halves of x along ``axis``."""
    return _ops_nn.glu(x, axis=axis)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return _ops_nn.hard_shrink(x, threshold=threshold)


def hard_tanh(x):
    """clip(x, −1, 1)."""
    return _ops_nn.hard_tanh(x)


def soft_shrink(x, threshold=0.5):
    """x − threshold above threshold, x + threshold below −threshold, 0 between."""
    return _ops_nn.soft_shrink(x, threshold=threshold)


def sparse_plus(x):
    """0 for x ≤ −1, (x + 1)²/4 for −1 < x < 1, x for x ≥ 1."""
    return _ops_nn.sparse_plus(x)


def sparse_sigmoid(x):
    """0 for x ≤ −1, (x + 1)/2 for −1 < x < 1, 1 for x ≥ 1."""
    return _ops_nn.sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    """max(x − τ, 0), τ such that the result sums to 1 along ``axis``."""
    return _ops_nn.sparsemax(x, axis=axis)


def squareplus(x, b=4):
    """(x + √(x² + b)) / 2."""
    return _ops_nn.squareplus(x, b=b)


def tanh_shrink(x):
    """x − tanh x."""
    return _ops_nn.tanh_shrink(x)


def threshold(x, threshold, default_value):
    """x where x > threshold, else ``default_value`` (no defaults, as in Keras)."""
    return _ops_nn.threshold(x, threshold, default_value)


for _fn in (celu, glu, hard_shrink, hard_tanh, soft_shrink, sparse_plus, sparse_sigmoid,
            sparsemax, squareplus, tanh_shrink, threshold):
    _register(_fn)


def deserialize(config, custom_objects=None):
    """The activation a ``serialize`` output names: a name (``"relu"``) or Keras's
    dict form ``{"class_name": "function", "config": "relu", …}``; ``custom_objects``
    maps extra names to functions. An unknown name raises ValueError (Keras returns
    None, which only fails later)."""
    if isinstance(config, dict):
        name = config.get("config")
        if isinstance(name, dict):
            name = name.get("name")
    else:
        name = config
    if not isinstance(name, str):
        raise TypeError(f"keras.activations.deserialize: expected a name or a dict "
                        f"{{'class_name': 'function', 'config': name}}, got {config!r}")
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)


from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
