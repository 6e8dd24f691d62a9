"""Weight initialisation (course section 6): why and how.

All-zero weights give every neuron of a layer the same output and the same
gradient, so they never differ; small random weights break that symmetry. Their
scale matters: for s = Σⱼ wⱼxⱼ over m inputs, Var[s] = m Var[w] Var[x], so

* Glorot/Xavier (tanh, sigmoid): Var[w] = 2 / (fan_in + fan_out)
  (uniform on ±√(6/(fan_in + fan_out)), or normal with that variance);
* He/Kaiming (ReLU halves the variance): Var[w] = 2 / fan_in, i.e. std √(2/m)
  (the slides' 1/√(2m) has the 2 on the wrong side);
* LeCun (SELU): Var[w] = 1 / fan_in.

Two families live here:

* PyTorch's in-place functions on a tensor of layout (out, in): ``uniform_``,
  ``normal_``, ``trunc_normal_``, ``constant_``, ``zeros_``, ``ones_``,
  ``xavier_uniform_``/``glorot_uniform_``, ``xavier_normal_``/``glorot_normal_``,
  ``kaiming_uniform_``/``he_uniform_``, ``kaiming_normal_``/``he_normal_``,
  ``lecun_uniform_``, ``lecun_normal_``, ``orthogonal_``. Their normals are plain
  normals (PyTorch's semantics).
* Keras's initialiser objects for a kernel of layout (in, out), found by name with
  ``get("glorot_uniform")``: called as ``init(shape, dtype=None, generator=None)``
  they return a new tensor. Keras's ``glorot_normal``, ``he_normal`` and
  ``lecun_normal`` are *truncated* normals (cut at ±2σ) whose σ is divided by
  0.87962566 so that the variance after truncation is still scale/fan.

Every initialiser draws from ``generator`` (a ``numpy.random.Generator`` or an int
seed), or from the default generator that ``retrograd.manual_seed`` reseeds.
"""
import math

import numpy as np

from ..backend import to_device
from ..random import resolve
from ..serialization import from_config
from ..tensor import Tensor, _as_dtype
import warnings

# The standard deviation of N(0, 1) truncated to [−2, 2]: dividing by it keeps the
# variance of a truncated draw equal to the one asked for (Keras's constant).
TRUNCATED_STD = 0.87962566103423978


# -- sampling ------------------------------------------------------------------

def _truncated_standard_normal(rng, shape, lo, hi, dtype):
    """N(0, 1) conditioned on [lo, hi], by rejection (redraw what falls outside)."""
    if not lo < hi:
        raise ValueError(f"truncated normal: need a < b, got a={lo}, b={hi}")
    accept = 0.5 * (math.erf(hi / math.sqrt(2)) - math.erf(lo / math.sqrt(2)))
    if accept < 1e-3:
        raise ValueError(f"truncated normal: the interval [{lo:.3g}, {hi:.3g}] (in standard "
                         f"deviations) holds only {accept:.2g} of the mass; widen it")
    out = rng.standard_normal(shape, dtype=dtype)
    bad = (out < lo) | (out > hi)
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()), dtype=dtype)
        bad = (out < lo) | (out > hi)
    return out


def _fill(tensor, values):
    """Write ``values`` into ``tensor`` in place (keeping its dtype and device)."""
    tensor.array[...] = to_device(values.astype(tensor.dtype, copy=False), tensor.device)
    return tensor


def _draw_dtype(tensor_or_dtype):
    dt = np.dtype(tensor_or_dtype)
    return dt if dt in (np.float32, np.float64) else np.float64


# -- fans and gains (PyTorch layout: (out, in, *kernel)) ---------------------------

def calculate_gain(nonlinearity, param=None):
    """The gain that keeps the variance of activations: 1 (linear, sigmoid),
    5/3 (tanh), √2 (relu), √(2/(1 + λ²)) (leaky_relu with slope λ), 3/4 (selu)."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid", "identity")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected "
                     f"one of {linear + ('tanh', 'relu', 'leaky_relu', 'selu')}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, "
                         f"got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


# -- PyTorch-style, in place ---------------------------------------------------------

def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b)."""
    rng = resolve(generator)
    return _fill(tensor, rng.uniform(a, b, size=tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std²)."""
    rng = resolve(generator)
    x = rng.standard_normal(tensor.shape, dtype=_draw_dtype(tensor.dtype))
    return _fill(tensor, x * std + mean)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with N(mean, std²) conditioned on [a, b] (absolute bounds, as PyTorch)."""
    rng = resolve(generator)
    z = _truncated_standard_normal(rng, tensor.shape, (a - mean) / std, (b - mean) / std,
                                   _draw_dtype(tensor.dtype))
    return _fill(tensor, z * std + mean)


def constant_(tensor, val, generator=None):
    """Fill with ``val`` (``generator`` is accepted, unused, so that every
    initialiser can be called the same way)."""
    tensor.array[...] = val
    return tensor


def zeros_(tensor, generator=None):
    """Fill with 0 (every neuron then computes the same thing: never for weights)."""
    return constant_(tensor, 0)


def ones_(tensor, generator=None):
    """Fill with 1."""
    return constant_(tensor, 1)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot: U(−a, a), a = gain·√(6/(fan_in + fan_out)), so Var = gain²·2/(fan_in + fan_out)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot: N(0, σ²), σ = gain·√(2/(fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He: U(−b, b), b = gain·√(3/fan), gain = √(2/(1 + a²)) for (leaky) ReLU,
    so Var = 2/fan_in for ReLU."""
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He: N(0, σ²), σ = gain/√fan = √(2/fan_in) for ReLU."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def lecun_uniform_(tensor, generator=None):
    """LeCun: U(−a, a), a = √(3/fan_in), so Var = 1/fan_in."""
    a = math.sqrt(3.0 / _fan(tensor, "fan_in"))
    return uniform_(tensor, -a, a, generator)


def lecun_normal_(tensor, generator=None):
    """LeCun: N(0, 1/fan_in)."""
    return normal_(tensor, 0.0, 1.0 / math.sqrt(_fan(tensor, "fan_in")), generator)


def glorot_uniform_(tensor, generator=None):
    """= ``xavier_uniform_`` (Var = 2/(fan_in + fan_out))."""
    return xavier_uniform_(tensor, 1.0, generator)


def glorot_normal_(tensor, generator=None):
    """= ``xavier_normal_`` (Var = 2/(fan_in + fan_out))."""
    return xavier_normal_(tensor, 1.0, generator)


def he_uniform_(tensor, generator=None):
    """= ``kaiming_uniform_`` for ReLU (Var = 2/fan_in)."""
    return kaiming_uniform_(tensor, 0, "fan_in", "relu", generator)


def he_normal_(tensor, generator=None):
    """= ``kaiming_normal_`` for ReLU: N(0, 2/fan_in)."""
    return kaiming_normal_(tensor, 0, "fan_in", "relu", generator)


def _orthogonal(rng, rows, cols, dtype):
    """A (rows, cols) matrix with orthonormal rows or columns: the Q of a QR
    factorisation of a Gaussian matrix, its signs fixed so Q is uniformly distributed."""
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(dtype, copy=False)


def orthogonal_(tensor, gain=1.0, generator=None):
    """Fill with a (semi-)orthogonal matrix W (W Wᵀ = I or Wᵀ W = I) times ``gain``;
    a tensor of more than 2 dimensions is seen as (shape[0], rest)."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: needs at least 2 dimensions, got shape {tensor.shape}")
    rows = tensor.shape[0]
    cols = tensor.size // rows
    q = _orthogonal(resolve(generator), rows, cols, np.float64)
    return _fill(tensor, gain * q.reshape(tensor.shape))


# -- Keras-style initialisers (kernel layout (in, out)) -------------------------------

def compute_fans(shape):
    """Keras's fans of a kernel: (in, out) for a matrix; for (…, in, out) conv
    kernels both are multiplied by the receptive field."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """A Keras initialiser: ``init(shape, dtype=None, generator=None)`` → a new tensor
    (float32 by default). ``seed`` fixes the draws of an instance (as Keras);
    a ``generator`` passed to the call takes precedence."""

    seed = None

    def __call__(self, shape, dtype=None, generator=None):
        dtype = _as_dtype(dtype) or np.dtype(np.float32)
        rng = resolve(generator if generator is not None else self.seed)
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
        return Tensor._wrap(np.asarray(self.sample(rng, shape, _draw_dtype(dtype)),
                                       dtype=dtype))

    def sample(self, rng, shape, dtype):
        raise NotImplementedError

    def get_config(self):
        return {k: v for k, v in vars(self).items()}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros (the usual bias initialiser)."""

    def sample(self, rng, shape, dtype):
        return np.zeros(shape, dtype)


class Ones(Initializer):
    """All ones."""

    def sample(self, rng, shape, dtype):
        return np.ones(shape, dtype)


class Constant(Initializer):
    """All equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def sample(self, rng, shape, dtype):
        return np.full(shape, self.value, dtype)


class RandomUniform(Initializer):
    """U(minval, maxval) (Keras defaults ±0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def sample(self, rng, shape, dtype):
        return rng.uniform(self.minval, self.maxval, size=shape)


class RandomNormal(Initializer):
    """N(mean, stddev²) (Keras default stddev 0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def sample(self, rng, shape, dtype):
        return rng.standard_normal(shape, dtype=dtype) * self.stddev + self.mean


class TruncatedNormal(Initializer):
    """N(mean, stddev²) with draws beyond 2·stddev redrawn (Keras; no variance
    correction here, unlike the variance-scaling initialisers)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def sample(self, rng, shape, dtype):
        return _truncated_standard_normal(rng, shape, -2.0, 2.0, dtype) * self.stddev + self.mean


class VarianceScaling(Initializer):
    """Var[w] = scale / n with n = fan_in, fan_out or (fan_in + fan_out)/2 (``mode``):
    "truncated_normal": σ = √(scale/n)/0.8796 cut at ±2σ (variance scale/n after
    truncation); "untruncated_normal": σ = √(scale/n); "uniform": U(±√(3·scale/n))."""

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive. Received: scale={scale}")
        if mode not in self.MODES:
            raise ValueError(f"VarianceScaling: mode must be one of {self.MODES}. "
                             f"Received: mode={mode!r}")
        distribution = {"normal": "truncated_normal"}.get(distribution, distribution)
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: distribution must be one of "
                             f"{self.DISTRIBUTIONS}. Received: distribution={distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def sample(self, rng, shape, dtype):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        var = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * var)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.standard_normal(shape, dtype=dtype) * math.sqrt(var)
        std = math.sqrt(var) / TRUNCATED_STD
        return _truncated_standard_normal(rng, shape, -2.0, 2.0, dtype) * std


class _Preset(VarianceScaling):
    """A ``VarianceScaling`` with fixed (scale, mode, distribution) = ``PRESET``:
    only the seed is an argument (and the config)."""

    PRESET = None

    def __init__(self, seed=None):
        super().__init__(*self.PRESET, seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """U(±√(6/(fan_in + fan_out))): Var = 2/(fan_in + fan_out). Keras's default kernel."""
    PRESET = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Truncated normal with Var = 2/(fan_in + fan_out) (σ = √(2/(fan_in+fan_out))/0.8796
    before the cut at ±2σ)."""
    PRESET = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """U(±√(6/fan_in)): Var = 2/fan_in."""
    PRESET = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """Truncated normal with Var = 2/fan_in, i.e. std √(2/m) for m inputs."""
    PRESET = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """U(±√(3/fan_in)): Var = 1/fan_in."""
    PRESET = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """Truncated normal with Var = 1/fan_in (for SELU)."""
    PRESET = (1.0, "fan_in", "truncated_normal")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``; the kernel is seen as
    (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def sample(self, rng, shape, dtype):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: needs a shape of at least 2 dimensions, got {shape}")
        rows = int(np.prod(shape[:-1]))
        return self.gain * _orthogonal(rng, rows, shape[-1], np.float64).reshape(shape)


class Identity(Initializer):
    """gain · I (2-D only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def sample(self, rng, shape, dtype):
        if len(shape) != 2:
            raise ValueError(f"Identity: needs a 2-D shape, got {shape}")
        return self.gain * np.eye(*shape, dtype=dtype)


_KERAS = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "random_uniform": RandomUniform, "random_normal": RandomNormal,
    "uniform": RandomUniform, "normal": RandomNormal,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal, "identity": Identity,
}
_BY_CLASS = {cls.__name__: cls for cls in _KERAS.values()}


def names():
    """The Keras names ``get`` accepts."""
    return sorted(_KERAS)


def get(identifier):
    """A Keras initialiser from a name ("he_normal"), a class name ("HeNormal"), a
    config dict ``{"class_name": …, "config": {…}}``, or a callable (returned as is)."""
    if identifier is None or isinstance(identifier, Initializer) or (
            callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, dict):
        return from_config(identifier, {**_KERAS, **_BY_CLASS}, "initializer")
    if isinstance(identifier, str):
        cls = _KERAS.get(identifier) or _BY_CLASS.get(identifier)
        if cls is None:
            raise ValueError(f"unknown initializer {identifier!r}; valid names: "
                             + ", ".join(names()))
        return cls()
    raise TypeError(f"initializer must be a name, a config dict or a callable, got "
                    f"{type(identifier).__name__}")


# -- identity initialisers and PyTorch's deprecated names ------------------------------

def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal), in place."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-D convolution weight (out, in, *kernel) with the Dirac
    delta: each of the first min(out/groups, in) channels of every group passes
    through unchanged (a 1 at the kernel's centre), so the convolution is the identity."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    values = np.zeros(sizes)
    centre = tuple(k // 2 for k in sizes[2:])
    for g in range(groups):
        for d in range(min(per_group, sizes[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _fill(tensor, values)


def _deprecated(new):
    old = new.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new.__name__}`.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    deprecated_init.__name__ = old
    deprecated_init.__doc__ = f"Deprecated alias of ``{new.__name__}`` (FutureWarning)."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
