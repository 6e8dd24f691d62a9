"""More normalisations, as PyTorch names them: group, instance, RMS and local response.

Group and instance normalisation standardise each sample on its own, like layer
normalisation, but over other axes (the fused op ``Normalize`` of
``ops/normalization.py`` does the work and gives the gradient):

    group norm (Wu & He, 2018):     the C channels split into G groups; μ, σ² per
                                    (sample, group) over its channels and positions;
    instance norm (Ulyanov, 2016):  μ, σ² per (sample, channel) over the positions;
    then y = γ (x − μ)/√(σ² + ε) + β with γ, β per channel.

RMS normalisation (Zhang & Sennrich, 2019) only rescales: y = x / √(mean x² + ε) ⊙ γ
over the last axes. Local response normalisation (AlexNet) divides each channel by a
power of the mean square of its neighbouring channels.
"""
import numpy as np

from ..ops.normalization import (_check_float, _check_param, normalize, normalize_fixed,
                                 update_running)
from ..ops.padding import pad
from .module import Module
from .normalization import _BatchNorm  # instance norm keeps batch norm's buffers
from .normalization import affine_parameters
from .parameter import Parameter

__all__ = [
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LocalResponseNorm",
    "RMSNorm",
    "group_norm",
    "instance_norm",
    "local_response_norm",
    "rms_norm",
]


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation of x (N, C, *): the channels in ``num_groups`` groups of
    C/G, μ, σ² per sample and group; y = γ (x − μ)/√(σ² + ε) + β, γ and β (C,).

    >>> y = group_norm(x, 8, gamma, beta)      # x: (N, 32, H, W)
    """
    name = "group_norm"
    _check_float(name, input)
    if input.ndim < 2:
        raise RuntimeError(f"{name}: expected at least 2 dimensions for input tensor but "
                           f"received {input.ndim}")
    n, c = input.shape[:2]
    g = int(num_groups)
    if g < 1 or c % g:
        raise RuntimeError(f"{name}: expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"{name}: expected {what} to be a vector of size equal to the "
                               f"number of channels in input, but got {what} of shape "
                               f"{list(t.shape)} and input of shape {list(input.shape)}")
        _check_param(name, what, t, (c,), input)
    # (N, G, C/G, positions): γ, β of shape (C,) = (G, C/G) broadcast over N and positions
    x = input.reshape(n, g, c // g, -1)
    y = normalize(x, (2, 3), (1, g, c // g, 1), weight, bias, eps)[0]
    return y.reshape(input.shape)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Instance normalisation of x (N, C, *): μ, σ² per sample and channel over the
    positions; y = γ (x − μ)/√(σ² + ε) + β (γ, β per channel). With
    ``use_input_stats`` the running statistics, if given, move towards the batch's mean
    of the instances' (the variance unbiased); otherwise they replace them.

    >>> y = instance_norm(x)                   # x: (N, C, H, W)
    """
    name = "instance_norm"
    _check_float(name, input)
    if input.ndim < 3:
        raise ValueError(f"{name}: expected an input (N, C, *) with at least one position "
                         f"axis, got shape {tuple(input.shape)}")
    c = input.shape[1]
    for what, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        _check_param(name, what, t, (c,), input)
    axes = tuple(range(2, input.ndim))
    bshape = (1, c) + (1,) * (input.ndim - 2)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError(f"{name}: expected running_mean and running_var to be defined "
                               "when use_input_stats is False")
        return normalize_fixed(input, running_mean.array, running_var.array, axes, bshape,
                               weight, bias, eps)
    m = int(np.prod(input.shape[2:]))
    if m <= 1:
        raise ValueError(f"{name}: expected more than 1 spatial element when training, got "
                         f"input size {list(input.shape)}")
    y, mean, var = normalize(input, axes, bshape, weight, bias, eps)
    if running_mean is not None or running_var is not None:
        update_running(mean.mean(axis=0), var.mean(axis=0), running_mean, running_var,
                       momentum, m, True)
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """RMS normalisation over the last axes ``normalized_shape``:
    y = x / √(mean x² + ε) ⊙ γ; ``eps=None``: the machine epsilon of x's dtype (as
    PyTorch).

    >>> y = rms_norm(x, (64,), gamma)          # x: (N, T, 64)
    """
    name = "rms_norm"
    _check_float(name, input)
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    shape = tuple(int(d) for d in normalized_shape)
    k = len(shape)
    if k > input.ndim or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"{name}: given normalized_shape={list(shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, shape))}], but got input of "
                           f"size {list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"{name}: weight of shape {tuple(weight.shape)} does not match "
                           f"normalized_shape {shape}")
    _check_param(name, "weight", weight, shape, input)
    eps = float(np.finfo(input.dtype).eps) if eps is None else float(eps)
    axes = tuple(range(input.ndim - k, input.ndim))
    y = input / ((input * input).mean(axis=axes, keepdims=True) + eps).sqrt()
    return y if weight is None else y * weight


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalisation across channels (axis 1) of x (N, C, *):
    yc = xc / (k + α/n Σ_{c'} x²c')^β over the n = ``size`` channels
    c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋ (zeros past the edges, still divided by n)."""
    name = "local_response_norm"
    _check_float(name, input)
    if input.ndim < 3:
        raise ValueError(f"{name}: expected 3D or higher dimensionality input (got "
                         f"{input.ndim} dimensions)")
    if input.size == 0:
        return input
    size = int(size)
    if size < 1:
        raise RuntimeError(f"{name}: size should be greater than zero, got size={size}")
    c = input.shape[1]
    before, after = size // 2, (size - 1) // 2
    widths = [0, 0] * (input.ndim - 2) + [before, after]   # F.pad's order: last axis first
    sq = pad(input * input, tuple(widths))
    window = sq[:, 0:c]
    for i in range(1, size):
        window = window + sq[:, i:i + c]
    return input / (window * (alpha / size) + k) ** beta


class GroupNorm(Module):
    """Group normalisation (``group_norm``) of (N, C, *) inputs with ``num_groups``
    groups of channels; ``affine``: learnt per-channel γ (``weight``, ones) and β
    (``bias``, zeros; ``bias=False``: none).

    >>> gn = GroupNorm(8, 32); y = gn(x)       # x: (N, 32, H, W)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        if isinstance(num_groups, bool) or not isinstance(num_groups, (int, np.integer)) \
                or num_groups < 1:
            raise ValueError(f"GroupNorm: num_groups must be a positive integer, got "
                             f"{num_groups!r}")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible "
                             f"by num_groups ({num_groups})")
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = float(eps), bool(affine)
        affine_parameters(self, num_channels, dtype, self.affine, bias)
        if device is not None:
            self.to(device)

    def forward(self, x):
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}")


class _InstanceNorm(_BatchNorm):
    """Instance normalisation (``instance_norm``) of (N, C, *) inputs, or unbatched
    (C, *). PyTorch's defaults differ from batch norm's: ``affine=False``,
    ``track_running_stats=False``; with running statistics, ``eval()`` uses them."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype)
        if affine and not bias:
            self.register_parameter("bias", None)

    def forward(self, x):
        who = type(self).__name__
        if x.ndim not in self.ranks:
            raise ValueError(f"{who}: expected {self.ranks[0]}D or {self.ranks[1]}D input "
                             f"(got {x.ndim}D input of shape {tuple(x.shape)})")
        unbatched = x.ndim == self.ranks[0]
        if unbatched:
            x = x.unsqueeze(0)
        if self.affine and x.shape[1] != self.num_features:
            raise ValueError(f"{who}: expected input's size at dim=1 to match num_features "
                             f"({self.num_features}), but got: {x.shape[1]}.")
        y = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          self.training or not self.track_running_stats,
                          0.0 if self.momentum is None else self.momentum, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs, per sample and channel over
    L (see ``_InstanceNorm``).

    >>> y = InstanceNorm1d(16)(x)              # x: (N, 16, L)
    """
    ranks = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs, per sample and
    channel over H, W — style transfer's normalisation (see ``_InstanceNorm``).

    >>> y = InstanceNorm2d(3, affine=True)(x)  # x: (N, 3, H, W)
    """
    ranks = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) inputs, per sample and
    channel over D, H, W (see ``_InstanceNorm``)."""
    ranks = (4, 5)


class RMSNorm(Module):
    """RMS normalisation (``rms_norm``) over the last axes ``normalized_shape``, with a
    learnt γ (``weight``, ones) when ``elementwise_affine``; ``eps=None``: the
    input's machine epsilon.

    >>> y = RMSNorm(64)(x)                     # x: (N, T, 64)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(d) for d in normalized_shape)
        self.eps, self.elementwise_affine = eps, bool(elementwise_affine)
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype or np.float32))
        else:
            self.register_parameter("weight", None)
        if device is not None:
            self.to(device)

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """Local response normalisation across channels (``local_response_norm``), as in
    AlexNet: ``LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0)``."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = int(size), float(alpha), float(beta), float(k)

    def forward(self, x):
        return local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"

