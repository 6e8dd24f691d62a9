"""``keras.random``: random tensors with Keras 3's signatures, drawn from
retrograd's generators.

``seed`` is as in Keras: None draws from retrograd's default generator (so
``keras.utils.set_random_seed(n)`` or ``retrograd.manual_seed(n)`` make a run
reproducible); an int gives the same numbers at every call with it; a
``SeedGenerator`` gives new numbers at every call, the same sequence for the same
seed. The numbers are retrograd's (NumPy's PCG64), not Keras's: shapes, dtypes and
ranges match Keras, the values do not.
"""
import numpy as np

from .. import creation
from .. import random as _rg_random
from ..nn.init import _truncated_standard_normal
from ..tensor import Tensor
from .config import floatx

__all__ = ["SeedGenerator", "normal", "uniform", "randint", "truncated_normal", "shuffle",
           "dropout", "gamma", "beta", "binomial", "categorical"]


class SeedGenerator:
    """A stateful source of seeds: every draw advances it. ``seed`` (an int) fixes
    the sequence; None takes one from retrograd's default generator."""

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = int(_rg_random.default_generator().integers(0, 2**31 - 1))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"keras.random.SeedGenerator: seed must be a non-negative "
                             f"integer or None, got {seed!r}")
        self.seed = int(seed)
        self.name = name or "seed_generator"
        self.generator = np.random.default_rng(self.seed)

    def __repr__(self):
        return f"<SeedGenerator seed={self.seed}>"


def _generator(seed, who):
    if seed is None:
        return _rg_random.default_generator()
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return _rg_random.resolve(seed)       # a fresh generator seeded with it
    raise TypeError(f"keras.random.{who}: seed must be None, a non-negative int or a "
                    f"keras.random.SeedGenerator, got {seed!r}")


def _shape(shape, who):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise TypeError(f"keras.random.{who}: shape must be a tuple of ints, got "
                        f"{shape!r}") from None
    if any(n < 0 for n in shape):
        raise ValueError(f"keras.random.{who}: shape must not have negative sizes, got "
                         f"{shape}")
    return shape


def _float_dtype(dtype, who):
    dt = np.dtype(getattr(dtype, "name", dtype) if dtype is not None else floatx())
    if dt.kind != "f":
        raise ValueError(f"keras.random.{who}: dtype must be a float dtype, got {dtype!r}")
    return dt


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev²)."""
    g = _generator(seed, "normal")
    dt = _float_dtype(dtype, "normal")
    values = g.standard_normal(_shape(shape, "normal"), dtype=dt)   # drawn in dt: no copy
    values *= dt.type(stddev)
    values += dt.type(mean)
    return creation.as_tensor(values)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of U[minval, maxval)."""
    g = _generator(seed, "uniform")
    dt = _float_dtype(dtype, "uniform")
    values = g.random(_shape(shape, "uniform"), dtype=dt)            # U[0, 1) in dt
    values *= dt.type(maxval - minval)
    values += dt.type(minval)
    return creation.as_tensor(values)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniform in [minval, maxval), int32 by default."""
    dt = np.dtype(getattr(dtype, "name", dtype))
    if dt.kind not in "iu":
        raise ValueError(f"keras.random.randint: dtype must be an integer dtype, got "
                         f"{dtype!r}")
    if maxval <= minval:
        raise ValueError(f"keras.random.randint: maxval must be greater than minval, got "
                         f"minval={minval}, maxval={maxval}")
    g = _generator(seed, "randint")
    return creation.as_tensor(g.integers(minval, maxval, _shape(shape, "randint")).astype(dt))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev²) within two standard deviations of the mean
    (those outside are drawn again)."""
    g = _generator(seed, "truncated_normal")
    dt = _float_dtype(dtype, "truncated_normal")
    z = _truncated_standard_normal(g, _shape(shape, "truncated_normal"), -2, 2, dt)
    z *= dt.type(stddev)
    z += dt.type(mean)
    return creation.as_tensor(z)


def shuffle(x, axis=0, seed=None):
    """``x`` with its entries along ``axis`` in a random order (gradients flow back
    to the entries they came from)."""
    t = x if isinstance(x, Tensor) else creation.as_tensor(np.asarray(x))
    if t.ndim == 0:
        raise ValueError("keras.random.shuffle: x must have at least one axis, got a scalar")
    axis = axis % t.ndim
    perm = _generator(seed, "shuffle").permutation(t.shape[axis])
    return t[(slice(None),) * axis + (perm,)]


def dropout(inputs, rate, noise_shape=None, seed=None):
    """``inputs`` with each entry zeroed with probability ``rate`` and the others
    scaled by 1/(1 − rate); ``noise_shape`` (broadcast against the inputs) shares a
    mask along its size-1 axes."""
    if not 0 <= rate < 1:
        raise ValueError(f"keras.random.dropout: rate must be in [0, 1), got {rate!r}")
    t = inputs if isinstance(inputs, Tensor) else creation.as_tensor(np.asarray(inputs))
    shape = tuple(t.shape) if noise_shape is None else \
        tuple(n if m is None else m for n, m in zip(t.shape, noise_shape))
    keep = _generator(seed, "dropout").uniform(size=_shape(shape, "dropout")) >= rate
    dt = t.dtype if t.dtype.kind == "f" else np.dtype(floatx())
    mask = creation.as_tensor(np.multiply(keep, 1 / (1 - rate), dtype=dt), device=t.device)
    return t * mask

def _values(x, who, arg):
    """A parameter given as a number, array or tensor, as a float64 NumPy array."""
    a = x.detach().array if isinstance(x, Tensor) else x
    a = np.asarray(getattr(a, "get", lambda: a)(), dtype=np.float64)   # CuPy → host
    return a


def _out_dtype(dtype, who):
    dt = np.dtype(getattr(dtype, "name", dtype) if dtype is not None else floatx())
    if dt.kind not in "fiu":
        raise ValueError(f"keras.random.{who}: dtype must be a number dtype, got {dtype!r}")
    return dt


def _broadcast(a, shape, who, arg):
    try:
        return np.broadcast_to(a, shape)
    except ValueError:
        raise ValueError(f"keras.random.{who}: {arg} of shape {a.shape} does not broadcast "
                         f"to shape {shape}") from None


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of Gamma(α, 1): density x^{α−1} e^{−x} / Γ(α) on x > 0 (mean α,
    variance α); ``alpha`` > 0 broadcasts to ``shape``."""
    shape = _shape(shape, "gamma")
    a = _values(alpha, "gamma", "alpha")
    if np.any(a <= 0):
        raise ValueError(f"keras.random.gamma: alpha must be > 0, got alpha={alpha!r}")
    dt = _float_dtype(dtype, "gamma")
    g = _generator(seed, "gamma")
    return creation.as_tensor(g.standard_gamma(_broadcast(a, shape, "gamma", "alpha"),
                                               size=shape).astype(dt))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples of Beta(α, β): density x^{α−1}(1 − x)^{β−1} / B(α, β) on (0, 1) (mean
    α/(α + β)), drawn as G_α / (G_α + G_β) with G ~ Gamma; ``alpha``, ``beta`` > 0
    broadcast to ``shape``."""
    shape = _shape(shape, "beta")
    a, b = _values(alpha, "beta", "alpha"), _values(beta, "beta", "beta")
    if np.any(a <= 0) or np.any(b <= 0):
        raise ValueError(f"keras.random.beta: alpha and beta must be > 0, got "
                         f"alpha={alpha!r}, beta={beta!r}")
    dt = _float_dtype(dtype, "beta")
    g = _generator(seed, "beta")
    return creation.as_tensor(g.beta(_broadcast(a, shape, "beta", "alpha"),
                                     _broadcast(b, shape, "beta", "beta"),
                                     size=shape).astype(dt))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples of Binomial(n, p): the number of successes in n = ``counts`` trials
    of probability p = ``probabilities`` (both broadcast to ``shape``), as floats
    (floatx) unless ``dtype`` says otherwise, as in Keras."""
    shape = _shape(shape, "binomial")
    n, p = _values(counts, "binomial", "counts"), _values(probabilities, "binomial",
                                                           "probabilities")
    if np.any(n < 0) or np.any(n != np.floor(n)):
        raise ValueError(f"keras.random.binomial: counts must be non-negative integers, "
                         f"got counts={counts!r}")
    if np.any(p < 0) or np.any(p > 1) or np.any(np.isnan(p)):
        raise ValueError(f"keras.random.binomial: probabilities must be in [0, 1], got "
                         f"probabilities={probabilities!r}")
    dt = _out_dtype(dtype, "binomial")
    g = _generator(seed, "binomial")
    return creation.as_tensor(g.binomial(_broadcast(n, shape, "binomial", "counts")
                                         .astype(np.int64),
                                         _broadcast(p, shape, "binomial", "probabilities"),
                                         size=shape).astype(dt))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class indices per row of ``logits`` (batch, classes), drawn
    with probabilities softmax(logits): shape (batch, num_samples), int32."""
    a = _values(logits, "categorical", "logits")
    if a.ndim != 2:
        raise ValueError(f"keras.random.categorical: logits should be a 2-D tensor with "
                         f"shape [batch_size, num_classes], got shape {a.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) \
            or num_samples < 0:
        raise ValueError(f"keras.random.categorical: num_samples must be an int >= 0, got "
                         f"num_samples={num_samples!r}")
    dt = np.dtype(getattr(dtype, "name", dtype))
    if dt.kind not in "iu":
        raise ValueError(f"keras.random.categorical: dtype must be an integer dtype, got "
                         f"{dtype!r}")
    g = _generator(seed, "categorical")
    # inverse-CDF sampling: the index of the first cumulative probability above u
    # (−inf logits get probability 0, as in Keras)
    z = np.exp(a - a.max(axis=1, keepdims=True))
    cdf = np.cumsum(z / z.sum(axis=1, keepdims=True), axis=1)
    u = g.random((a.shape[0], int(num_samples)))
    idx = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)]) \
        if a.shape[0] else np.zeros((0, int(num_samples)), np.int64)
    return creation.as_tensor(np.minimum(idx, a.shape[1] - 1).astype(dt))


from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
