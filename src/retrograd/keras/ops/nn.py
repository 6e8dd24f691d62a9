"""``keras.ops.nn``: activations, one-hot encoding and the cross-entropies, with
Keras 3's signatures and defaults (``gelu`` approximates with tanh,
``leaky_relu``'s slope is 0.2). The cross-entropies return one value per sample
(no mean), and clip probabilities to [ε, 1 − ε] with ``keras.config.epsilon()``."""
import numpy as np

from ... import creation
from ...backend import array_module
from ...ops import activations as _act
from ...ops import conv as _conv
from ...ops import elementwise as _elementwise
from ...ops import losses as _losses
from ...ops import pooling as _pool
from ...ops.matmul import matmul as _matmul
from ...ops.padding import pad as _pad
from .. import config
from .numpy import (_eager, _float, _tensor, _values, log_softmax, one_hot,  # noqa: F401
                    relu, sigmoid, softmax, where)
from ...missing import NotSupportedError
from ...nn import functional as F
from ...ops.shape import stack as _stack

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


# -- more activations --------------------------------------------------------------------

__all__ += ["swish", "relu6", "hard_sigmoid", "hard_silu", "hard_swish", "log_sigmoid",
            "celu", "glu", "softsign", "squareplus", "sparse_plus", "sparse_sigmoid",
            "tanh_shrink", "hard_tanh", "hard_shrink", "soft_shrink", "threshold",
            "sparsemax", "normalize", "moments", "batch_normalization",
            "layer_normalization", "rms_normalization", "multi_hot", "conv",
            "conv_transpose", "depthwise_conv", "separable_conv", "max_pool",
            "average_pool", "adaptive_average_pool", "adaptive_max_pool",
            "dot_product_attention", "psnr"]

swish = silu


@_eager
def relu6(x):
    """min(max(x, 0), 6)."""
    return _act.hardtanh(_float(x, "relu6"), 0.0, 6.0)


@_eager
def hard_sigmoid(x):
    """relu6(x + 3) / 6 = clip(x/6 + ½, 0, 1)."""
    return _act.hardsigmoid(_float(x, "hard_sigmoid"))


@_eager
def hard_silu(x):
    """x · hard_sigmoid(x)."""
    return _act.hardswish(_float(x, "hard_silu"))


hard_swish = hard_silu


@_eager
def log_sigmoid(x):
    """log σ(x) = −softplus(−x)."""
    return _act.logsigmoid(_float(x, "log_sigmoid"))


@_eager
def celu(x, alpha=1.0):
    """x if x > 0 else α(e^{x/α} − 1) = α·elu(x/α)."""
    return _act.elu(_float(x, "celu") / alpha) * alpha


@_eager
def glu(x, axis=-1):
    """a · σ(b), a and b the two halves of x along ``axis``."""
    t = _float(x, "glu")
    if t.shape[axis] % 2:
        raise ValueError(f"keras.ops.nn.glu: axis {axis} of the input of shape "
                         f"{tuple(t.shape)} must have an even size to be cut in halves")
    a, b = t.chunk(2, axis)
    return a * b.sigmoid()


@_eager
def softsign(x):
    """x / (1 + |x|)."""
    return _act.softsign(_float(x, "softsign"))


@_eager
def squareplus(x, b=4):
    """(x + √(x² + b)) / 2, a smooth relu (b ≥ 0)."""
    if b < 0:
        raise ValueError(f"keras.ops.nn.squareplus: b must be non-negative, got b={b}")
    t = _float(x, "squareplus")
    return (t + (t * t + b).sqrt()) * 0.5


@_eager
def sparse_plus(x):
    """0 for x ≤ −1, (x + 1)²/4 for −1 < x < 1, x for x ≥ 1."""
    t = _float(x, "sparse_plus")
    inside = ((t + 1) ** 2) * 0.25
    return where(t <= -1, 0.0, where(t >= 1, t, inside))


@_eager
def sparse_sigmoid(x):
    """0 for x ≤ −1, (x + 1)/2 for −1 < x < 1, 1 for x ≥ 1."""
    return _act.hardtanh(_float(x, "sparse_sigmoid"), -1.0, 1.0) * 0.5 + 0.5


@_eager
def tanh_shrink(x):
    """x − tanh x."""
    t = _float(x, "tanh_shrink")
    return t - t.tanh()


@_eager
def hard_tanh(x):
    """clip(x, −1, 1)."""
    return _act.hardtanh(_float(x, "hard_tanh"))


@_eager
def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    t = _float(x, "hard_shrink")
    return where(t.abs() <= threshold, 0.0, t)      # NaN stays NaN, as Keras's


@_eager
def soft_shrink(x, threshold=0.5):
    """x − threshold above it, x + threshold below −threshold, 0 between."""
    t = _float(x, "soft_shrink")
    # tested so that NaN fails both comparisons and stays NaN, as Keras's
    return where(t < -threshold, t + threshold, where(t <= threshold, 0.0, t - threshold))


@_eager
def threshold(x, threshold, default_value):
    """x where x > threshold, else ``default_value``."""
    t = _tensor(x, "threshold")
    return where(t > threshold, t, default_value)


@_eager
def sparsemax(x, axis=-1):
    """The Euclidean projection of x onto the simplex: max(x − τ, 0) with τ such that
    the result sums to 1. The support (which entries stay) is found on the values; τ
    = (Σ_support x − 1)/|support| is differentiable, so gradients are sparsemax's."""
    t = _float(x, "sparsemax")
    xp = array_module(t.array)
    v = xp.moveaxis(t.detach().array, axis, -1)
    z = -xp.sort(-v, axis=-1)
    k = xp.arange(1, v.shape[-1] + 1, dtype=v.dtype)
    support = 1 + k * z > xp.cumsum(z, axis=-1)
    kz = support.sum(-1, keepdims=True)
    tau_v = (xp.take_along_axis(xp.cumsum(z, -1), kz - 1, -1) - 1) / kz
    mask = xp.moveaxis(v > tau_v, -1, axis)
    m = creation.as_tensor(mask.astype(v.dtype), device=t.device)
    count = creation.as_tensor(xp.moveaxis(kz, -1, axis).astype(v.dtype), device=t.device)
    tau = ((t * m).sum(axis=axis, keepdims=True) - 1) / count
    return (t - tau).relu()


# -- normalisation -----------------------------------------------------------------------

def _axes_of(t, axes):
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    return tuple(sorted(a % max(t.ndim, 1) for a in axes))


@_eager
def normalize(x, axis=-1, order=2, epsilon=None):
    """x / max(‖x‖_order, ε) along ``axis`` (order 2: x · min(1/‖x‖₂, 1/ε))."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"keras.ops.nn.normalize: order must be an int >= 1. Received: "
                         f"order={order}")
    t = _float(x, "normalize")
    if t.ndim == 0:
        t = t.reshape(1)
    eps = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inv = (t * t).sum(axis=axis, keepdims=True).sqrt()
        return t / _elementwise.maximum(inv, eps)
    norm = (t.abs() ** order).sum(axis=axis, keepdims=True) ** (1.0 / order)
    return t / _elementwise.maximum(norm, eps)


@_eager
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over ``axes`` (the biased variance)."""
    t = _float(x, "moments")
    ax = _axes_of(t, axes)
    mean = t.mean(axis=ax, keepdims=True)
    var = ((t - mean) ** 2).mean(axis=ax, keepdims=keepdims)
    return (mean if keepdims else mean.reshape(*[n for i, n in enumerate(t.shape)
                                                 if i not in ax])), var


@_eager
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x − mean)/√(variance + ε)·scale + offset, the 1-D statistics along ``axis``."""
    t = _float(x, "batch_normalization")
    a = axis % t.ndim
    shape = [t.shape[a] if i == a else 1 for i in range(t.ndim)]

    def along(v):
        v = _tensor(v, "batch_normalization", dtype=t.dtype)
        if v.ndim == 1:
            if v.shape[0] != t.shape[a]:
                raise ValueError(f"keras.ops.nn.batch_normalization: a statistic of length "
                                 f"{v.shape[0]} does not fit axis {axis} of size "
                                 f"{t.shape[a]} (input shape {tuple(t.shape)})")
            return v.reshape(*shape)
        return v

    inv = (along(variance) + epsilon) ** -0.5
    if scale is not None:
        inv = inv * along(scale)
    out = (t - along(mean)) * inv
    return out if offset is None else out + along(offset)


@_eager
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """(x − μ)/√(σ² + ε)·γ + β, μ and σ² over ``axis`` (ε: keras.config.epsilon())."""
    if kwargs.get("rms_scaling"):
        return rms_normalization(x, gamma, axis, epsilon)
    t = _float(x, "layer_normalization")
    eps = config.epsilon() if epsilon is None else epsilon
    ax = _axes_of(t, axis)
    mean = t.mean(axis=ax, keepdims=True)
    var = ((t - mean) ** 2).mean(axis=ax, keepdims=True)
    out = (t - mean) * (var + eps) ** -0.5
    shape = [t.shape[i] if i in ax else 1 for i in range(t.ndim)]
    if gamma is not None:
        out = out * _tensor(gamma, "layer_normalization", dtype=t.dtype).reshape(*shape)
    if beta is not None:
        out = out + _tensor(beta, "layer_normalization", dtype=t.dtype).reshape(*shape)
    return out


@_eager
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / √(mean(x²) + ε) · scale over ``axis``."""
    t = _float(x, "rms_normalization")
    eps = config.epsilon() if epsilon is None else epsilon
    ax = _axes_of(t, axis)
    out = t * ((t * t).mean(axis=ax, keepdims=True) + eps) ** -0.5
    if scale is not None:
        shape = [t.shape[i] if i in ax else 1 for i in range(t.ndim)]
        out = out * _tensor(scale, "rms_normalization", dtype=t.dtype).reshape(*shape)
    return out


@_eager
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """1 at each class listed in a row of ``inputs`` (the last axis is the list),
    0 elsewhere, float32 by default."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("keras.ops.nn.multi_hot: give num_classes")
    t = _tensor(inputs, "multi_hot")
    # Keras's: the one-hot axis at ``axis``, then the maximum over axis 1 (0 for 1-D).
    hot = one_hot(t, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return hot.max(axis=1 if t.ndim > 1 else 0)


# -- convolution and pooling (channels_last by default) ----------------------------------

def _data_format(data_format, who):
    fmt = config.image_data_format() if data_format is None else data_format
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"keras.ops.nn.{who}: data_format must be 'channels_last' or "
                         f"'channels_first'. Received: data_format={data_format!r}")
    return fmt


def _first(t, fmt):
    return t if fmt == "channels_first" else t.permute(0, t.ndim - 1, *range(1, t.ndim - 1))


def _last(t, fmt):
    return t if fmt == "channels_first" else t.permute(0, *range(2, t.ndim), 1)


def _spatial_input(x, who, data_format, ranks=(1, 2)):
    t = _float(x, who)
    if t.ndim - 2 in (1, 2, 3) and t.ndim - 2 not in ranks:   # Keras's, not retrograd's
        raise NotSupportedError(f"keras.ops.nn.{who}: {t.ndim - 2}-D inputs (shape "
                                f"{tuple(t.shape)}) are not supported by retrograd (it has "
                                f"{' and '.join(f'{r}-D' for r in ranks)})")
    if t.ndim - 2 not in ranks:
        raise ValueError(f"keras.ops.nn.{who}: inputs must be (batch, spatial…, channels) "
                         f"with {' or '.join(str(r) for r in ranks)} spatial axes, got shape "
                         f"{tuple(t.shape)}")
    return t, _data_format(data_format, who)


def _pads(who, padding, spatial, kernel, strides, dilation):
    if padding not in ("valid", "same"):
        raise ValueError(f"keras.ops.nn.{who}: padding must be 'valid' or 'same'. "
                         f"Received: padding={padding!r}")
    if padding == "valid":
        return [(0, 0)] * len(spatial)
    return [_conv.same_padding(n, k, s, d)
            for n, k, s, d in zip(spatial, kernel, strides, dilation)]


@_eager
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1-D, 2-D): inputs (batch, spatial…, C), kernel (k…, C/groups,
    F) — Keras's layouts; groups = C / kernel's input channels."""
    t, fmt = _spatial_input(inputs, "conv", data_format)
    w = _tensor(kernel, "conv", dtype=t.dtype)
    n = t.ndim - 2
    if w.ndim != n + 2:
        raise ValueError(f"keras.ops.nn.conv: kernel of shape {tuple(w.shape)} must have "
                         f"{n + 2} dimensions (kernel size…, in channels, filters)")
    xc = _first(t, fmt)
    c = xc.shape[1]
    if c % w.shape[-2]:
        raise ValueError(f"keras.ops.nn.conv: the input's {c} channels are not a multiple "
                         f"of the kernel's {w.shape[-2]} input channels")
    strides = _conv.ntuple(strides, n, "keras.ops.nn.conv", "strides")
    dil = _conv.ntuple(dilation_rate, n, "keras.ops.nn.conv", "dilation_rate")
    pads = _pads("conv", padding, xc.shape[2:], w.shape[:n], strides, dil)
    y = _conv.conv_padded(xc, w.permute(n + 1, n, *range(n)), None, strides, pads, dil,
                          c // w.shape[-2])
    return _last(y, fmt)


@_eager
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Each input channel convolved with its own ``kernel[..., c, :]`` (k…, C, M):
    C·M output channels."""
    t, fmt = _spatial_input(inputs, "depthwise_conv", data_format)
    w = _tensor(kernel, "depthwise_conv", dtype=t.dtype)
    n = t.ndim - 2
    c, m = w.shape[-2], w.shape[-1]
    # (k…, C, M) → (k…, 1, C·M): a grouped convolution with C groups.
    return conv(t, w.reshape(*w.shape[:n], 1, c * m), strides, padding, fmt, dilation_rate)


@_eager
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """depthwise_conv, then a 1×1 conv by ``pointwise_kernel``."""
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                       dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1)


@_eager
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """The transposed convolution (2-D): kernel (kh, kw, F, C), Keras's output sizes."""
    from ..layers.convolutional import Conv2DTranspose
    t, fmt = _spatial_input(inputs, "conv_transpose", data_format, ranks=(2,))
    w = _tensor(kernel, "conv_transpose", dtype=t.dtype)
    if w.ndim != 4 or w.shape[-1] != _first(t, fmt).shape[1]:
        raise ValueError(f"keras.ops.nn.conv_transpose: kernel of shape {tuple(w.shape)} "
                         f"must be (kh, kw, filters, in channels) for inputs of shape "
                         f"{tuple(t.shape)}")
    layer = Conv2DTranspose(w.shape[2], w.shape[:2], strides=strides, padding=padding,
                            output_padding=output_padding, data_format=fmt,
                            dilation_rate=dilation_rate, use_bias=False)
    layer.kernel, layer.bias = w, None      # the layer's arithmetic on this kernel
    return layer.call(t)


def _pool_args(who, x, pool_size, strides, padding, data_format):
    t, fmt = _spatial_input(x, who, data_format)
    n = t.ndim - 2
    size = _conv.ntuple(pool_size, n, f"keras.ops.nn.{who}", "pool_size")
    stride = size if strides is None else _conv.ntuple(strides, n, f"keras.ops.nn.{who}",
                                                       "strides")
    xc = _first(t, fmt)
    pads = _pads(who, padding, xc.shape[2:], size, stride, (1,) * n)
    flat = tuple(v for lo_hi in reversed(pads) for v in lo_hi)
    return xc, fmt, n, size, stride, flat


@_eager
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The maximum of each window (strides default to pool_size)."""
    xc, fmt, n, size, stride, flat = _pool_args("max_pool", inputs, pool_size, strides,
                                                padding, data_format)
    fn = _pool.max_pool1d if n == 1 else _pool.max_pool2d
    if any(flat):
        xc = _pad(xc, flat, value=float("-inf"))
    return _last(fn(xc, size, stride), fmt)


@_eager
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The mean of each window, over the cells inside the input ("same" padding)."""
    xc, fmt, n, size, stride, flat = _pool_args("average_pool", inputs, pool_size, strides,
                                                padding, data_format)
    fn = _pool.avg_pool1d if n == 1 else _pool.avg_pool2d
    if not any(flat):
        return _last(fn(xc, size, stride), fmt)
    y = fn(_pad(xc, flat), size, stride)
    ones = xc.detach()[:1, :1] * 0 + 1
    return _last(y / fn(_pad(ones, flat), size, stride), fmt)


def _adaptive(who, fns, inputs, output_size, data_format):
    t, fmt = _spatial_input(inputs, who, data_format)
    n = t.ndim - 2
    size = _conv.ntuple(output_size, n, f"keras.ops.nn.{who}", "output_size")
    y = fns[n - 1](_first(t, fmt), size if n > 1 else size[0])
    return _last(y, fmt)


@_eager
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Mean pooling to ``output_size`` (PyTorch's adaptive windows)."""
    return _adaptive("adaptive_average_pool", (_pool.adaptive_avg_pool1d,
                                               _pool.adaptive_avg_pool2d),
                     inputs, output_size, data_format)


@_eager
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to ``output_size`` (PyTorch's adaptive windows)."""
    return _adaptive("adaptive_max_pool", (_pool.adaptive_max_pool1d,
                                           _pool.adaptive_max_pool2d),
                     inputs, output_size, data_format)


# -- attention, metrics --------------------------------------------------------------------

@_eager
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """softmax(q·kᵀ·scale + bias, masked)·v for (batch, seq, heads, head_dim)
    inputs; scale 1/√head_dim by default; ``mask`` True where attention is allowed;
    ``is_causal`` masks the future. Fewer key/value heads are shared by groups."""
    who = "dot_product_attention"
    q, k, v = (_float(a, who) for a in (query, key, value))
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(f"keras.ops.nn.{who}: only 4D inputs (batch, seq, heads, dim). "
                         f"Received: query.shape={tuple(q.shape)}, key.shape="
                         f"{tuple(k.shape)}, value.shape={tuple(v.shape)}.")
    if bias is not None and mask is not None:
        raise ValueError(f"keras.ops.nn.{who}: only one of `bias` and `mask` can be "
                         "provided. Received both.")
    if flash_attention:
        raise NotSupportedError(f"keras.ops.nn.{who}: flash_attention=True (retrograd "
                                "computes attention with matmuls)")
    q, k, v = (a.permute(0, 2, 1, 3) for a in (q, k, v))       # (B, N, T, H)
    if q.shape[1] > k.shape[1] > 1:
        groups = q.shape[1] // k.shape[1]
        k, v = (a.index_select(1, np.repeat(np.arange(a.shape[1]), groups)) for a in (k, v))
    s = 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = _matmul(q, k.transpose(-2, -1)) * s
    if attn_logits_soft_cap is not None:
        logits = (logits / attn_logits_soft_cap).tanh() * attn_logits_soft_cap
    if bias is not None:
        logits = logits + _tensor(bias, who, dtype=logits.dtype)
    allowed = None
    if mask is not None:
        allowed = _values(_tensor(mask, who)).astype(bool)
    if is_causal:
        causal = np.tril(np.ones((q.shape[2], k.shape[2]), dtype=bool))
        allowed = causal if allowed is None else np.logical_and(allowed, causal)
    if allowed is not None:
        logits = where(creation.as_tensor(np.broadcast_to(allowed, logits.shape)), logits,
                       float(np.finfo(logits.dtype).min))
    w = softmax(logits, axis=-1)
    return _matmul(w, v).permute(0, 2, 1, 3)


@_eager
def psnr(x1, x2, max_val):
    """The peak signal-to-noise ratio 20·log10(max_val) − 10·log10(mse)."""
    a, b = _float(x1, "psnr"), _float(x2, "psnr")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"keras.ops.nn.psnr: input shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)} must match for PSNR calculation.")
    mse = ((a - b) ** 2).mean()
    return 20 * np.log10(max_val) - mse.log() * (10 / np.log(10))


# -- rearrangements ----------------------------------------------------------------------

__all__ += ["space_to_depth", "depth_to_space", "unfold", "fold"]


def _blocks(who, x, block_size, data_format):
    t = _tensor(x, who)
    if t.ndim != 4:
        raise ValueError(f"keras.ops.nn.{who}: x must be 4-D images, got shape "
                         f"{tuple(t.shape)}")
    fmt = _data_format(data_format, who)
    return (t if fmt == "channels_last" else t.permute(0, 2, 3, 1)), fmt, int(block_size)


@_eager
def space_to_depth(x, block_size, data_format="channels_last"):
    """Each b×b block of pixels becomes b²·C channels (row, column, channel order)."""
    t, fmt, b = _blocks("space_to_depth", x, block_size, data_format)
    n, h, w, c = t.shape
    if h % b or w % b:
        raise ValueError(f"keras.ops.nn.space_to_depth: height {h} and width {w} must be "
                         f"multiples of block_size={b}")
    y = t.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    y = y.reshape(n, h // b, w // b, b * b * c)
    return y if fmt == "channels_last" else y.permute(0, 3, 1, 2)


@_eager
def depth_to_space(x, block_size, data_format="channels_last"):
    """The inverse of space_to_depth: b²·C channels become b×b blocks of C."""
    t, fmt, b = _blocks("depth_to_space", x, block_size, data_format)
    n, h, w, c = t.shape
    if c % (b * b):
        raise ValueError(f"keras.ops.nn.depth_to_space: {c} channels are not a multiple "
                         f"of block_size² = {b * b}")
    y = t.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    y = y.reshape(n, h * b, w * b, c // (b * b))
    return y if fmt == "channels_last" else y.permute(0, 3, 1, 2)


@_eager
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """PyTorch's unfold (im2col) of (N, C, H, W): (N, C·kh·kw, blocks)."""
    return F.unfold(_float(x, "unfold"), kernel_size, dilation, padding, stride)


@_eager
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """PyTorch's fold (col2im): blocks summed back into (N, C, H, W)."""
    return F.fold(_float(x, "fold"), output_size, kernel_size, dilation, padding, stride)


# -- connectionist temporal classification ----------------------------------------------

__all__ += ["ctc_loss", "ctc_decode"]

_NEG = -1e30        # log 0 that keeps logsumexp and its gradient finite


@_eager
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """−log p(target | output) per sample, summed over the alignments of the target
    (blanks = ``mask_index`` between labels) with the log-softmax of ``output``
    (batch, time, classes) — the forward (α) recursion in log space:
    α_t(s) = e_t(l′_s) + log Σ α_{t−1}(s − k), k = 0, 1 (and 2 where l′_s is a label
    different from l′_{s−2}). Gradients come from the recursion's ops."""
    who = "ctc_loss"
    logits = _float(output, who)
    labels = _values(_tensor(target, who)).astype(np.int64)
    t_len = _values(_tensor(target_length, who)).astype(np.int64)
    o_len = _values(_tensor(output_length, who)).astype(np.int64)
    if logits.ndim != 3 or labels.ndim != 2 or labels.shape[0] != logits.shape[0]:
        raise ValueError(f"keras.ops.nn.{who}: output must be (batch, time, classes) and "
                         f"target (batch, labels), got {tuple(logits.shape)} and "
                         f"{tuple(labels.shape)}")
    xp = array_module(labels)
    batch, steps, _ = logits.shape
    n = labels.shape[1]
    # l′: blank, l1, blank, l2, …, blank (2n + 1 states per sample).
    ext = xp.full((batch, 2 * n + 1), mask_index, dtype=np.int64)
    ext[:, 1::2] = labels
    skip = xp.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != mask_index) & (ext[:, 2:] != ext[:, :-2])
    logp = log_softmax(logits, axis=-1)
    emit = logp.gather(2, xp.broadcast_to(ext[:, None, :], (batch, steps, ext.shape[1])))
    dev = logits.device
    start = xp.full(ext.shape, _NEG, dtype=logits.dtype)
    start[:, :2] = 0
    alpha = emit[:, 0] + creation.as_tensor(start, device=dev)
    skip_t = creation.as_tensor(skip, device=dev)
    for t in range(1, steps):
        one = _pad(alpha, (1, 0), value=_NEG)[:, :-1]
        two = where(skip_t, _pad(alpha, (2, 0), value=_NEG)[:, :-2], _NEG)
        new = _stack_logsumexp(alpha, one, two) + emit[:, t]
        alpha = where(creation.as_tensor((t < o_len)[:, None], device=dev), new, alpha)
    last = xp.stack([2 * t_len, xp.maximum(2 * t_len - 1, 0)], axis=1)
    ends = alpha.gather(1, last)
    return -_stack_logsumexp(ends[:, 0], where(creation.as_tensor(t_len > 0, device=dev),
                                               ends[:, 1], _NEG))


def _stack_logsumexp(*terms):
    return _stack(list(terms), 0).logsumexp(axis=0)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy decoding: the best class per step, repeats merged and blanks dropped,
    labels moved to the front and −1 after them; returns (decoded of shape (1, batch,
    time), scores (batch, 1) = −Σ of the best logits). Beam search is not in
    retrograd."""
    if strategy != "greedy":
        raise NotSupportedError(f"keras.ops.nn.ctc_decode: strategy={strategy!r}; retrograd "
                                "decodes greedily (strategy='greedy')")
    x = _float(inputs, "ctc_decode")
    v = _values(x)
    xp = array_module(v)
    lengths = _values(_tensor(sequence_lengths, "ctc_decode")).astype(np.int64)
    steps = v.shape[1]
    idx = v.argmax(-1).astype(np.int32)
    scores = v.max(-1)
    beyond = xp.arange(steps)[None, :] >= lengths[:, None]
    idx = xp.where(beyond, mask_index, idx)
    scores = xp.where(beyond, 0, scores)
    if merge_repeated:
        repeat = xp.zeros(idx.shape, dtype=bool)
        repeat[:, 1:] = idx[:, 1:] == idx[:, :-1]
        idx = xp.where(repeat, mask_index, idx)
    blank = idx == mask_index
    idx = xp.where(blank, -1, idx)
    order = xp.argsort(xp.where(blank, steps, xp.arange(steps)[None, :]), axis=-1,
                       kind="stable")
    idx = xp.take_along_axis(idx, order, axis=-1)
    return (creation.as_tensor(idx[None].astype(np.int32), device=x.device),
            creation.as_tensor((-scores.sum(1, keepdims=True)).astype(v.dtype),
                               device=x.device))

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
