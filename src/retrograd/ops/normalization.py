"""Batch and layer normalisation: standardise x over some axes, then scale and shift.

Both compute, over a set of axes A holding M elements per statistic,

    μ = mean_A x,   σ² = mean_A (x − μ)²   (biased),   r = 1 / √(σ² + ε),
    x̂ = (x − μ) r,   y = γ x̂ + β,

batch normalisation with A = every axis but the channel axis (one μ, σ² per channel,
taken over the batch), layer normalisation with A = the last axes (one μ, σ² per
sample). One op does both (``Normalize``), with the closed-form gradient

    ∂ℓ/∂x = (r / M) (M g − Σ_A g − x̂ Σ_A (g x̂)),   g = γ ∂ℓ/∂y,
    ∂ℓ/∂γ = Σ (∂ℓ/∂y x̂),   ∂ℓ/∂β = Σ ∂ℓ/∂y   (sums over the axes γ is broadcast along),

one node in the graph instead of a dozen elementwise ones. In evaluation mode batch
normalisation uses fixed (running) statistics, ``NormalizeFixed``: an affine map of x.
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor


def _reduce_to(g, shape, bshape):
    """Sum ``g`` over the axes where the broadcast shape ``bshape`` is 1, then give
    it the parameter's own ``shape``."""
    axes = tuple(i for i, d in enumerate(bshape) if d == 1 and g.shape[i] != 1)
    return (g.sum(axis=axes, keepdims=True) if axes else g).reshape(shape)


class _Affine(Function):
    """What both ops share: γ and β (optional, each) broadcast with shape ``bshape``."""

    def __init__(self, axes, bshape, has_weight, has_bias):
        self.axes, self.bshape = axes, bshape
        self.has_weight, self.has_bias = has_weight, has_bias

    def _params(self, params):
        w = params[0] if self.has_weight else None
        b = params[-1] if self.has_bias else None
        self.pshape = params[0].shape if params else None
        return (None if w is None else w.reshape(self.bshape),
                None if b is None else b.reshape(self.bshape))

    def _output(self, xhat, w, b):
        y = xhat * w if w is not None else xhat.copy()
        if b is not None:
            y += b
        return y

    def _param_grads(self, gy, ggamma=None, gbeta=None):
        """(∂ℓ/∂γ, ∂ℓ/∂β) for the inputs after x, in their order; ``ggamma``, ``gbeta``:
        the sums over the statistics' axes when already taken (kept dims)."""
        out, k = [], 1
        if self.has_weight:
            out.append(None if not self.needs_input_grad[k] else
                       ggamma.reshape(self.pshape) if ggamma is not None else
                       _reduce_to(gy * self.xhat, self.pshape, self.bshape))
            k += 1
        if self.has_bias:
            out.append(None if not self.needs_input_grad[k] else
                       gbeta.reshape(self.pshape) if gbeta is not None else
                       _reduce_to(gy, self.pshape, self.bshape))
        return out

    def _param_tangent(self, dparams):
        dy = None
        if self.has_weight:
            dy = self.xhat * dparams[0].reshape(self.bshape)
        if self.has_bias:
            db = dparams[-1].reshape(self.bshape)
            dy = db if dy is None else dy + db
        return dy


class Normalize(_Affine):
    """y = γ (x − μ) r + β with μ, σ² taken from x over ``axes`` (module docstring);
    ∂ℓ/∂x = (r/M)(M g − Σ g − x̂ Σ g x̂), g = γ ∂ℓ/∂y. Inputs: x, then γ and/or β
    when given. The batch statistics ``mean``/``var`` are left on the op for
    ``normalize`` to take (running averages); backward keeps x̂, r and γ only."""

    def forward(self, x, *params):
        w, b = self._params(params)
        self.mean = x.mean(axis=self.axes, keepdims=True)
        xc = x - self.mean
        self.var = (xc * xc).mean(axis=self.axes, keepdims=True)
        self.r = 1.0 / array_module(x).sqrt(self.var + self.eps)
        xc *= self.r
        self.xhat, self.w = xc, w
        return self._output(xc, w, b)

    def _dxhat_to_dx(self, g):
        """The adjoint (and, being symmetric, the tangent) map of x ↦ x̂:
        g ↦ r (g − mean g − x̂ mean(g x̂))."""
        xhat, axes = self.xhat, self.axes
        mean_g = g.mean(axis=axes, keepdims=True)
        out = xhat * (g * xhat).mean(axis=axes, keepdims=True)
        out += mean_g        # in place: two full-size arrays instead of five
        array_module(g).subtract(g, out, out=out)
        out *= self.r
        return out

    def backward(self, gy):
        if self._per_statistic():
            return self._backward_per_statistic(gy)
        gx = None
        if self.needs_input_grad[0]:
            gx = self._dxhat_to_dx(gy * self.w if self.w is not None else gy)
        return (gx, *self._param_grads(gy))

    def _per_statistic(self):
        """γ, β hold one value per statistic (batch norm: per channel) — they are
        constant over the axes A the statistics are taken over."""
        ones = tuple(i for i, d in enumerate(self.bshape) if d == 1)
        return self.pshape is not None and len(self.bshape) == self.xhat.ndim and \
            ones == tuple(sorted(a % self.xhat.ndim for a in self.axes))

    def _backward_per_statistic(self, gy):
        """Batch norm: with γ constant over A, Σ_A γ ∂ℓ/∂y = γ ∂ℓ/∂β and
        Σ_A γ ∂ℓ/∂y x̂ = γ ∂ℓ/∂γ, so the two reductions of ∂ℓ/∂x are the parameters'
        gradients: ∂ℓ/∂x = γ r (∂ℓ/∂y − (∂ℓ/∂β + x̂ ∂ℓ/∂γ) / M). Two full-size passes
        fewer than the general formula (backward 4.1 → 2.8 ms on (64, 32, 26, 26) float32,
        docs/performance.md, "Issue 16, session 6")."""
        xhat, axes = self.xhat, self.axes
        gbeta = gy.sum(axis=axes, keepdims=True)
        ggamma = (gy * xhat).sum(axis=axes, keepdims=True)
        gx = None
        if self.needs_input_grad[0]:
            m = xhat.size // gbeta.size
            gx = xhat * (ggamma / m)
            gx += gbeta / m
            array_module(gy).subtract(gy, gx, out=gx)
            gx *= self.r if self.w is None else self.r * self.w
        return (gx, *self._param_grads(gy, ggamma, gbeta))

    def jvp(self, dx, *dparams):
        dxhat = self._dxhat_to_dx(dx)
        dy = dxhat * self.w if self.w is not None else dxhat
        dp = self._param_tangent(dparams)
        return dy if dp is None else dy + dp


class NormalizeFixed(_Affine):
    """y = γ (x − m) / √(v + ε) + β with fixed statistics m, v (running averages):
    ∂ℓ/∂x = γ r ∂ℓ/∂y, and no gradient to m, v."""

    def __init__(self, mean, var, axes, bshape, has_weight, has_bias):
        super().__init__(axes, bshape, has_weight, has_bias)
        self.m, self.v = mean, var

    def forward(self, x, *params):
        w, b = self._params(params)
        # m, v stay on the op (references, no copy) for exporters (ONNX's
        # BatchNormalization); backward needs x̂ and the scale only.
        m, v = (s.reshape(self.bshape).astype(x.dtype, copy=False) for s in (self.m, self.v))
        r = 1.0 / array_module(x).sqrt(v + self.eps)
        self.xhat = x - m          # a new array: scaled in place
        self.xhat *= r
        self.scale = r if w is None else r * w
        return self._output(self.xhat, w, b)

    def backward(self, gy):
        gx = gy * self.scale if self.needs_input_grad[0] else None
        return (gx, *self._param_grads(gy))

    def jvp(self, dx, *dparams):
        dy = dx * self.scale
        dp = self._param_tangent(dparams)
        return dy if dp is None else dy + dp


def _arrays_of(*ts):
    return [t for t in ts if t is not None]


def _check_param(name, what, t, shape, x):
    if t is None:
        return
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor or None, got {type(t).__name__}")
    if tuple(t.shape) != tuple(shape) and t.size != int(np.prod(shape)):
        raise RuntimeError(f"{name}: {what} of shape {tuple(t.shape)} does not fit input of "
                           f"shape {tuple(x.shape)}: expected shape {tuple(shape)}")
    if t.device != x.device:
        raise RuntimeError(f"{name}: input is on {x.device} but {what} is on {t.device}; "
                           "move one with .to()")


def normalize(x, axes, bshape, weight=None, bias=None, eps=1e-5):
    """y = γ x̂ + β with x̂ = x standardised over ``axes`` (the batch's statistics);
    γ and β broadcast with shape ``bshape``. Returns (y, μ, σ²) — the statistics as
    arrays of the broadcast shape (σ² biased), for running averages."""
    op = Normalize(tuple(axes), tuple(bshape), weight is not None, bias is not None)
    op.eps = float(eps)
    y = op.apply(x, *_arrays_of(weight, bias))
    return y, op.__dict__.pop("mean"), op.__dict__.pop("var")


def normalize_fixed(x, mean, var, axes, bshape, weight=None, bias=None, eps=1e-5):
    """y = γ (x − mean)/√(var + ε) + β with given statistics (arrays)."""
    op = NormalizeFixed(mean, var, tuple(axes), tuple(bshape), weight is not None,
                        bias is not None)
    op.eps = float(eps)
    return op.apply(x, *_arrays_of(weight, bias))


def _check_float(name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got dtype {x.dtype}")


def batch_norm_axis(input, running_mean, running_var, weight, bias, training, momentum,
                    eps, axis, name="batch_norm", unbiased=True):
    """Batch normalisation with the channel on ``axis`` (1 for PyTorch's NCHW, −1 for
    Keras's channels-last): statistics over every other axis. In training, the
    running statistics (tensors, or None) are updated in place:
    m ← (1 − momentum) m + momentum μ,  v ← (1 − momentum) v + momentum σ², with σ²
    unbiased (PyTorch, which then refuses one value per channel) or biased (Keras)."""
    _check_float(name, input)
    if input.ndim < 2:
        raise ValueError(f"{name}: expected an input with a batch and a channel axis "
                         f"(N, C, …), got shape {tuple(input.shape)}")
    axis = axis % input.ndim
    c = input.shape[axis]
    for what, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        _check_param(name, what, t, (c,), input)
    axes = tuple(i for i in range(input.ndim) if i != axis)
    bshape = tuple(c if i == axis else 1 for i in range(input.ndim))
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError(f"{name}: running_mean and running_var must be given when "
                               "training=False (evaluation uses the running statistics)")
        return normalize_fixed(input, running_mean.array, running_var.array, axes, bshape,
                               weight, bias, eps)
    m = input.size // c if c else 0
    if m <= 1 and unbiased:
        raise ValueError(f"{name}: expected more than 1 value per channel when training, "
                         f"got input size {list(input.shape)}")
    y, mean, var = normalize(input, axes, bshape, weight, bias, eps)
    if running_mean is not None or running_var is not None:
        update_running(mean, var, running_mean, running_var, momentum, m, unbiased)
    return y


def update_running(mean, var, running_mean, running_var, momentum, m, unbiased):
    """Move the running statistics (in place) towards the batch's: PyTorch keeps the
    unbiased variance σ² M/(M − 1), Keras the biased one."""
    momentum = float(momentum)
    if running_mean is not None:
        a = running_mean.array
        a *= 1.0 - momentum
        a += (momentum * mean.reshape(a.shape)).astype(a.dtype, copy=False)
    if running_var is not None:
        a = running_var.array
        var = var.reshape(a.shape) * (m / (m - 1) if unbiased else 1.0)
        a *= 1.0 - momentum
        a += (momentum * var).astype(a.dtype, copy=False)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation of x (N, C), (N, C, L) or (N, C, H, W), per channel C:
    y = γ (x − μ)/√(σ² + ε) + β. ``training``: μ, σ² are the batch's (over N, H, W),
    and ``running_mean``/``running_var`` move towards them by ``momentum`` (in place,
    the variance unbiased, as PyTorch); otherwise the running statistics are used.

    >>> y = batch_norm(x, rm, rv, gamma, beta, training=True)
    """
    return batch_norm_axis(input, running_mean, running_var, weight, bias, training,
                           momentum, eps, axis=1)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the last axes, ``normalized_shape``: each sample's
    y = γ (x − μ)/√(σ² + ε) + β with μ, σ² over those axes (γ, β of that shape).

    >>> y = layer_norm(x, (64,), gamma, beta)     # x: (N, T, 64)
    """
    name = "layer_norm"
    _check_float(name, input)
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    shape = tuple(int(d) for d in normalized_shape)
    k = len(shape)
    if k == 0 or k > input.ndim or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"{name}: given normalized_shape={list(shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, shape))}], but got input of "
                           f"size {list(input.shape)}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"{name}: {what} of shape {tuple(t.shape)} does not match "
                               f"normalized_shape {shape}")
        _check_param(name, what, t, shape, input)
    axes = tuple(range(input.ndim - k, input.ndim))
    bshape = (1,) * (input.ndim - k) + shape
    return normalize(input, axes, bshape, weight, bias, eps)[0]
