"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm``.

Batch normalisation (Ioffe & Szegedy, 2015) standardises each channel with the batch's
mean and variance while training, and keeps running averages of them for evaluation,
when a single sample must not depend on the others of its batch. Layer normalisation
(Ba et al., 2016) standardises each sample over its last axes, the same in training and
evaluation. The formulas and the fused gradient are in ``ops/normalization.py``.
"""
import numpy as np

from ..ops.normalization import batch_norm, layer_norm
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def affine_parameters(module, shape, dtype, affine=True, bias=True):
    """Gives a normalisation ``module`` its learnt scale γ (``weight``, ones) and shift
    β (``bias``, zeros) of ``shape``, or registers them as None when not ``affine``
    (β alone when not ``bias``), as PyTorch's norm layers do."""
    dtype = dtype or np.float32
    if affine:
        module.weight = Parameter(np.ones(shape, dtype=dtype))
        if bias:
            module.bias = Parameter(np.zeros(shape, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


class _BatchNorm(Module):
    """y = γ (x − μ)/√(σ² + ε) + β per channel (axis 1). In ``train()`` mode μ, σ² are
    the batch's and the buffers ``running_mean``/``running_var`` move towards them:
    r ← (1 − momentum) r + momentum · batch (``momentum=None``: the cumulative average,
    momentum = 1/``num_batches_tracked``); in ``eval()`` mode the running statistics
    are used. ``affine``: learn γ (``weight``, ones) and β (``bias``, zeros).
    ``track_running_stats=False``: no buffers, batch statistics in both modes."""

    ranks = ()     # the input ranks the subclass accepts

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None):
        super().__init__()
        who = type(self).__name__
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) \
                or num_features < 1:
            raise ValueError(f"{who}: num_features must be a positive integer, got "
                             f"{num_features!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{who}: momentum must lie in [0, 1] or be None, got {momentum!r}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        dtype = dtype or np.float32
        c = self.num_features
        affine_parameters(self, c, dtype, self.affine)
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(c, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(c, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        if device is not None:
            self.to(device)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight.array[...] = 1
            self.bias.array[...] = 0

    def _check_input(self, x):
        if x.ndim not in self.ranks:
            raise ValueError(f"{type(self).__name__}: expected "
                             f"{' or '.join(f'{r}D' for r in self.ranks)} input, got "
                             f"{x.ndim}D input of shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:     # PyTorch's type for it
            raise RuntimeError(f"{type(self).__name__}: input of shape {tuple(x.shape)} has "
                             f"{x.shape[1]} channels (axis 1), expected {self.num_features}")

    def forward(self, x):
        self._check_input(x)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array[...] += 1
            if self.momentum is None:     # the cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.array)
        use_batch = self.training or not self.track_running_stats
        update = self.training and self.track_running_stats
        return batch_norm(x, self.running_mean if update or not use_batch else None,
                          self.running_var if update or not use_batch else None,
                          self.weight, self.bias, use_batch, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C (see
    ``_BatchNorm``).

    >>> bn = BatchNorm1d(64); y = bn(x)        # x: (N, 64)
    """
    ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) feature maps, per channel C, over N, H, W
    (see ``_BatchNorm``).

    >>> bn = BatchNorm2d(32); y = bn(conv(x))   # (N, 32, H, W)
    """
    ranks = (4,)


class LayerNorm(Module):
    """y = γ (x − μ)/√(σ² + ε) + β with μ, σ² over the last axes
    ``normalized_shape`` of each sample; γ (``weight``, ones) and β (``bias``, zeros)
    of that shape when ``elementwise_affine`` (``bias=False``: no β).

    >>> ln = LayerNorm(64); y = ln(x)           # x: (N, T, 64)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        shape = tuple(int(d) for d in normalized_shape)
        if any(d < 1 for d in shape):
            raise ValueError(f"LayerNorm: normalized_shape must hold positive sizes, got "
                             f"{normalized_shape!r}")
        self.normalized_shape, self.eps = shape, float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        affine_parameters(self, shape, dtype, self.elementwise_affine, bias)
        if device is not None:
            self.to(device)

    def forward(self, x):
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
