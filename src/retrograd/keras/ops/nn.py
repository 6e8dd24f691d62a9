"""``keras.ops.nn``: activations, one-hot encoding and the cross-entropies, with
Keras 3's signatures and defaults (``gelu`` approximates with tanh,
``leaky_relu``'s slope is 0.2). The cross-entropies return one value per sample
(no mean), and clip probabilities to [ε, 1 − ε] with ``keras.config.epsilon()``."""
import numpy as np

from ...ops import activations as _act
from ...ops import losses as _losses
from .. import config
from .numpy import (_eager, _float, _tensor, log_softmax, one_hot, relu,  # noqa: F401
                    sigmoid, softmax)

__all__ = ["relu", "sigmoid", "softmax", "log_softmax", "gelu", "silu", "elu", "selu",
           "softplus", "leaky_relu", "one_hot", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "binary_crossentropy"]


@_eager
def gelu(x, approximate=True):
    """x·Φ(x); Keras's default ``approximate=True`` is the tanh approximation."""
    return _act.gelu(_float(x, "gelu"), approximate="tanh" if approximate else "none")


@_eager
def silu(x):
    """x·σ(x) (swish)."""
    return _act.silu(_float(x, "silu"))


@_eager
def elu(x, alpha=1.0):
    return _act.elu(_float(x, "elu"), alpha=alpha)


@_eager
def selu(x):
    return _act.selu(_float(x, "selu"))


@_eager
def softplus(x):
    return _act.softplus(_float(x, "softplus"))


@_eager
def leaky_relu(x, negative_slope=0.2):
    return _act.leaky_relu(_float(x, "leaky_relu"), negative_slope=negative_slope)


def _probabilities(output, from_logits, axis, who):
    """log p: log-softmax of logits, or the log of clipped, renormalised p."""
    out = _float(output, who)
    if from_logits:
        return log_softmax(out, axis=axis)
    eps = config.epsilon()
    out = out / out.sum(axis=axis, keepdims=True)
    return out.clip(eps, 1 - eps).log()


def _check_shapes(target, output, who):
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"keras.ops.nn.{who}: target and output must have the same shape, "
                         f"got {tuple(target.shape)} and {tuple(output.shape)}")


@_eager
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """−Σ target · log p over ``axis``, one value per sample."""
    t = _float(target, "categorical_crossentropy")
    out = _tensor(output, "categorical_crossentropy")
    _check_shapes(t, out, "categorical_crossentropy")
    if from_logits and out.ndim == 2 and axis in (-1, 1):   # the fused, stable op
        return _losses.SoftmaxCrossEntropy("none").apply(out, t)
    logp = _probabilities(out, from_logits, axis, "categorical_crossentropy")
    return -(t * logp).sum(axis=axis)


@_eager
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """−log p[target] over ``axis``: ``target`` holds class indices."""
    who = "sparse_categorical_crossentropy"
    t = _tensor(target, who)
    out = _tensor(output, who)
    if t.dtype.kind not in "iu":
        if t.dtype.kind == "f" and np.all(np.mod(t.detach().cpu().array, 1) == 0):
            t = t.to(dtype=np.int64)
        else:
            raise TypeError(f"keras.ops.nn.{who}: target must hold integer class indices, "
                            f"got dtype {t.dtype}")
    if t.ndim == out.ndim and t.shape[-1] == 1:
        t = t.reshape(*t.shape[:-1])
    expected = tuple(s for i, s in enumerate(out.shape) if i != axis % out.ndim)
    if tuple(t.shape) != expected:
        raise ValueError(f"keras.ops.nn.{who}: target of shape {tuple(t.shape)} does not "
                         f"fit output of shape {tuple(out.shape)}; expected {expected}")
    if from_logits and out.ndim == 2 and axis in (-1, 1):   # labels straight in: no one-hot
        return _losses.SoftmaxCrossEntropy("none").apply(_float(out, who), t)
    logp = _probabilities(out, from_logits, axis, who)
    hot = one_hot(t, out.shape[axis], axis=axis, dtype=logp.dtype)
    return -(hot * logp).sum(axis=axis)


@_eager
def binary_crossentropy(target, output, from_logits=False):
    """−(t·log p + (1 − t)·log(1 − p)), elementwise (no reduction)."""
    who = "binary_crossentropy"
    t = _float(target, who)
    out = _float(output, who)
    _check_shapes(t, out, who)
    if from_logits:         # fused and stable: max(z, 0) − z·t + log(1 + e^−|z|)
        return _losses.BinaryCrossEntropyWithLogits("none").apply(out, t)
    eps = config.epsilon()
    return _losses.BinaryCrossEntropy("none").apply(out.clip(eps, 1 - eps), t)

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
