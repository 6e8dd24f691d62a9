"""Losses fused into one op where that is both faster and numerically stable."""
import numpy as np

from ..backend import array_module, constant
from ..function import Function
from .activations import _sigmoid
from .softmax import stable_log_softmax


class SoftmaxCrossEntropy(Function):
    """ℓᵢ = −Σₖ y*ᵢₖ log softmax(sᵢ)ₖ for logits s of shape (N, C).

    Targets are integer class labels (N,) or probabilities (N, C) (one-hot or soft);
    ``label_smoothing`` ε mixes them with the uniform distribution:
    y* ← (1 − ε) y* + ε/C. The gradient is the course's ∂ℓᵢ/∂sᵢ = ŷᵢ − y*ᵢ, with
    ŷ = softmax(s), computed from the stable log-softmax: finite for any logits.
    ``reduction`` is "mean" (over N), "sum" or "none"."""

    def __init__(self, reduction="mean", label_smoothing=0.0):
        self.reduction = reduction
        self.smoothing = label_smoothing

    def forward(self, s, target):
        xp = array_module(s)
        n, c = s.shape
        logp = stable_log_softmax(s, 1)
        self.logp, self.target = logp, target
        eps = self.smoothing
        if target.ndim == 1:
            picked = logp[constant(xp, "rows", n), target]
            loss = -picked if not eps else \
                -(1 - eps) * picked - (eps / c) * logp.sum(axis=1)
        else:
            q = target if not eps else target * (1 - eps) + eps / c
            loss = -(q * logp).sum(axis=1)
        if self.reduction == "mean":
            # Σ/n is the float mean() returns, without its Python-level dispatch (~2 µs).
            return loss.sum() / n if n else xp.asarray(float("nan"), dtype=s.dtype)
        if self.reduction == "sum":
            return loss.sum()
        return loss

    def _per_sample(self, gy):
        n = self.logp.shape[0]
        if self.reduction == "mean":
            return gy / n
        if self.reduction == "sum":
            return gy
        return gy[:, None]

    def backward(self, gy):
        xp = array_module(gy)
        n, c = self.logp.shape
        target, eps = self.target, self.smoothing
        g = xp.exp(self.logp)                     # ŷ
        if target.ndim == 1:
            if eps:
                g -= eps / c
            g[constant(xp, "rows", n), target] -= 1 - eps    # ŷ − y*
        else:
            g -= target if not eps else target * (1 - eps) + eps / c
        g *= self._per_sample(gy)
        gt = None
        if target.ndim == 2 and self.needs_input_grad[1]:
            gt = -self.logp * (1 - eps) * self._per_sample(gy)
        return g, gt

    def jvp(self, ds, dt):
        xp = array_module(ds)
        n, c = self.logp.shape
        p = xp.exp(self.logp)
        target, eps = self.target, self.smoothing
        if target.ndim == 1:
            q = xp.full((n, c), eps / c, dtype=p.dtype)
            q[constant(xp, "rows", n), target] += 1 - eps
        else:
            q = target if not eps else target * (1 - eps) + eps / c
        d = ((p - q) * ds).sum(axis=1)
        if target.ndim == 2:
            d = d - (self.logp * dt).sum(axis=1) * (1 - eps)
        if self.reduction == "mean":
            return d.mean()
        if self.reduction == "sum":
            return d.sum()
        return d


class ReducedLoss(Function):
    """Base of the elementwise losses: ℓ = reduce(w ⊙ ℓᵢ) with ``reduction``
    "mean" (over every element), "sum" or "none", and an optional fixed
    ``weight`` w broadcast against the elements (no gradient)."""

    def __init__(self, reduction="mean", weight=None):
        self.reduction, self.weight = reduction, weight

    def reduce(self, loss):
        if self.weight is not None:
            loss = loss * self.weight
        self.n = loss.size
        if self.reduction == "mean":
            return array_module(loss).asarray(loss.mean())
        if self.reduction == "sum":
            return array_module(loss).asarray(loss.sum())
        return loss

    def upstream(self, gy):
        """∂ℓ/∂ℓᵢ for every element: gy/n (mean), gy (sum, none), times w."""
        g = gy / self.n if self.reduction == "mean" else gy
        return g if self.weight is None else g * self.weight

    def reduce_tangent(self, t):
        """The reduction applied to a tangent (forward mode)."""
        if self.weight is not None:
            t = t * self.weight
        if self.reduction == "mean":
            return t.mean()
        return t.sum() if self.reduction == "sum" else t

    def grads(self, g):
        """(g, −g) for the (input, target) pair of a loss of their difference."""
        needs = self.needs_input_grad
        return (g if needs[0] else None), (-g if needs[1] else None)

    def wants_target_grad(self):
        """Does the target need a gradient? (In forward mode every input has a tangent.)"""
        return self.needs_input_grad[1]

    # The generic rules, from ``derivatives()`` → (∂ℓᵢ/∂x, ∂ℓᵢ/∂y or None); the losses
    # of a difference x − y (MSE, L1, Huber) write their own, with one derivative.
    def backward(self, gy):
        gx, gt = self.derivatives()
        up = self.upstream(gy)
        return (gx * up if self.needs_input_grad[0] else None), \
            (gt * up if gt is not None else None)

    def jvp(self, dx, dy):
        gx, gt = self.derivatives()
        t = gx * dx
        if gt is not None:
            t = t + gt * dy
        return self.reduce_tangent(t)


class MSELoss(ReducedLoss):
    """L2 loss ℓᵢ = (xᵢ − yᵢ)²;  ∂ℓᵢ/∂xᵢ = 2(xᵢ − yᵢ)."""

    def forward(self, x, y):
        d = x - y
        self.d = d
        if self.reduction != "none" and self.weight is None:
            sq = array_module(d).vdot(d, d)   # Σd² without the d² temporary
            self.n = d.size
            return array_module(d).asarray(sq / d.size if self.reduction == "mean" else sq)
        return self.reduce(d * d)

    def backward(self, gy):
        return self.grads(self.d * (2 * self.upstream(gy)))

    def jvp(self, dx, dy):
        return self.reduce_tangent(2 * self.d * (dx - dy))


class L1Loss(ReducedLoss):
    """L1 loss (MAE) ℓᵢ = |xᵢ − yᵢ|;  ∂ℓᵢ/∂xᵢ = sign(xᵢ − yᵢ) (0 at a tie)."""

    def forward(self, x, y):
        xp = array_module(x)
        d = x - y
        self.sign = xp.sign(d)
        return self.reduce(xp.abs(d, out=d))

    def backward(self, gy):
        return self.grads(self.sign * self.upstream(gy))

    def jvp(self, dx, dy):
        return self.reduce_tangent(self.sign * (dx - dy))


class HuberLoss(ReducedLoss):
    """Huber loss with threshold δ, d = x − y:  ℓᵢ = ½d² if |d| < δ else δ(|d| − ½δ);
    ∂ℓᵢ/∂xᵢ = clip(d, −δ, δ). ``scale`` multiplies it (smooth L1 = Huber / β)."""

    def __init__(self, reduction="mean", delta=1.0, scale=1.0, weight=None):
        super().__init__(reduction, weight)
        self.delta, self.scale = delta, scale

    def forward(self, x, y):
        xp = array_module(x)
        d = x - y
        self.d = d
        a = xp.abs(d)
        loss = xp.where(a < self.delta, 0.5 * d * d, self.delta * (a - 0.5 * self.delta))
        if self.scale != 1:
            loss *= self.scale
        return self.reduce(loss)

    def derivative(self):
        g = array_module(self.d).clip(self.d, -self.delta, self.delta)
        return g * self.scale if self.scale != 1 else g

    def backward(self, gy):
        return self.grads(self.derivative() * self.upstream(gy))

    def jvp(self, dx, dy):
        return self.reduce_tangent(self.derivative() * (dx - dy))


class BinaryCrossEntropy(ReducedLoss):
    """BCE from probabilities p:  ℓᵢ = −(yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)),
    each log clamped at −100 (as PyTorch) so p = 0 or 1 gives a finite loss;
    ∂ℓᵢ/∂pᵢ = (pᵢ − yᵢ) / max(pᵢ(1 − pᵢ), 10⁻¹²),  ∂ℓᵢ/∂yᵢ = log(1 − pᵢ) − log pᵢ."""

    def logs(self):
        xp, p = array_module(self.p), self.p
        with np.errstate(divide="ignore"):
            return xp.maximum(xp.log(p), -100), xp.maximum(xp.log1p(-p), -100)

    def forward(self, p, y):
        self.p, self.y = p, y
        logp, log1mp = self.logs()
        loss = y * logp
        loss += (1 - y) * log1mp
        return self.reduce(-loss)

    def derivatives(self):
        p, y = self.p, self.y
        gp = (p - y) / array_module(p).maximum(p * (1 - p), 1e-12)
        gy = None
        if self.wants_target_grad():
            logp, log1mp = self.logs()
            gy = log1mp - logp
        return gp, gy


class BinaryCrossEntropyWithLogits(BinaryCrossEntropy):
    """BCE from logits s, fused and stable (never computes σ(s) then log):
    ℓᵢ = max(sᵢ, 0) − sᵢyᵢ + log(1 + e^{−|sᵢ|});  ∂ℓᵢ/∂sᵢ = σ(sᵢ) − yᵢ, the course's ŷ − y*.
    With ``pos_weight`` π (positives weighted): ℓᵢ = (1 − y)s + (1 + (π − 1)y)·softplus(−s)."""

    def __init__(self, reduction="mean", weight=None, pos_weight=None):
        super().__init__(reduction, weight)
        self.pos_weight = pos_weight

    def softplus_neg(self):
        """softplus(−s) = log(1 + e^{−s}) = log1p(e^{−|s|}) + max(−s, 0)."""
        xp, s = array_module(self.s), self.s
        sp = xp.log1p(xp.exp(-xp.abs(s)))
        sp += xp.maximum(-s, 0)
        return sp

    def forward(self, s, y):
        self.s, self.y = s, y
        sp = self.softplus_neg()
        if self.pos_weight is None:
            loss = sp
            loss += s
            loss -= s * y                         # (1 − y)s + softplus(−s)
        else:
            loss = (1 - y) * s + (1 + (self.pos_weight - 1) * y) * sp
        return self.reduce(loss)

    def derivatives(self):
        s, y, pw = self.s, self.y, self.pos_weight
        sig = _sigmoid(s)
        gs = sig - y if pw is None else (1 + (pw - 1) * y) * sig - pw * y
        gy = None
        if self.wants_target_grad():
            gy = -s if pw is None else -s + (pw - 1) * self.softplus_neg()
        return gs, gy


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities x (N, C) and class labels t (N,):
    ℓᵢ = −w_{tᵢ} x_{i,tᵢ}; labels equal to ``ignore_index`` count for nothing.
    "mean" divides by Σᵢ w_{tᵢ} (N without weights), as PyTorch.
    ∂ℓᵢ/∂x_{i,c} = −w_{tᵢ} if c = tᵢ else 0."""

    def __init__(self, target, weight=None, ignore_index=-100, reduction="mean"):
        self.target, self.weight = target, weight
        self.ignore_index, self.reduction = ignore_index, reduction

    def forward(self, x):
        xp = array_module(x)
        n, self.c = x.shape
        t, rows = self.target, constant(xp, "rows", n)
        valid = t != self.ignore_index
        self.all_valid = bool(valid.all())
        if not self.all_valid:
            t = xp.where(valid, t, 0)
        w = xp.ones(n, dtype=x.dtype) if self.weight is None else self.weight[t].astype(x.dtype)
        if not self.all_valid:
            w = w * valid
        self.t, self.w = t, w
        loss = -x[rows, t] * w
        if self.reduction == "mean":
            self.den = w.sum()
            return xp.asarray(loss.sum() / self.den)
        if self.reduction == "sum":
            return xp.asarray(loss.sum())
        return loss

    def backward(self, gy):
        xp = array_module(gy)
        n = self.t.shape[0]
        scale = gy / self.den if self.reduction == "mean" else gy
        g = xp.zeros((n, self.c), dtype=self.w.dtype)
        g[constant(xp, "rows", n), self.t] = -self.w * scale
        return g

    def jvp(self, dx):
        xp = array_module(dx)
        d = -dx[constant(xp, "rows", dx.shape[0]), self.t] * self.w
        if self.reduction == "mean":
            return d.sum() / self.den
        return d.sum() if self.reduction == "sum" else d


class KLDivergence(ReducedLoss):
    """KL(y* ‖ ŷ) from log-probabilities x = log ŷ:  ℓᵢ = yᵢ(log yᵢ − xᵢ), 0 where yᵢ = 0
    (``log_target``: the target is given as log y, ℓᵢ = e^{yᵢ}(yᵢ − xᵢ)).
    ∂ℓᵢ/∂xᵢ = −yᵢ. ``reduction`` "batchmean" (Σ/N) is the true KL per sample."""

    def __init__(self, reduction="mean", log_target=False):
        super().__init__("sum" if reduction == "batchmean" else reduction)
        self.batchmean, self.log_target = reduction == "batchmean", log_target

    def forward(self, x, y):
        xp = array_module(x)
        self.x, self.y = x, y
        if self.log_target:
            self.p = xp.exp(y)
            loss = self.p * (y - x)
        else:
            self.p = y
            with np.errstate(divide="ignore", invalid="ignore"):
                loss = xp.where(y > 0, y * xp.log(y), 0) - y * x
        return self.reduce(loss)

    def _per_sample(self, total):
        """"batchmean": the sum over every element divided by the batch size N."""
        return total / self.x.shape[0] if self.batchmean and self.x.ndim else total

    def reduce(self, loss):
        return self._per_sample(super().reduce(loss))

    def upstream(self, gy):
        return self._per_sample(super().upstream(gy))

    def reduce_tangent(self, t):
        return self._per_sample(super().reduce_tangent(t))

    def derivatives(self):
        xp, x, y = array_module(self.x), self.x, self.y
        gt = None
        if self.wants_target_grad():
            if self.log_target:
                gt = self.p * (y - x + 1)
            else:
                with np.errstate(divide="ignore"):
                    gt = xp.where(y > 0, xp.log(y) + 1 - x, 0)
        return -self.p, gt


class SquaredNorm(Function):
    """‖w‖² = Σ w², the L2 penalty;  ∂/∂w = 2w. One dot product, no w² temporary."""

    def forward(self, w):
        self.w = w
        return array_module(w).asarray(array_module(w).vdot(w, w))

    def backward(self, gy):
        return self.w * (2 * gy)

    def jvp(self, dw):
        return 2 * array_module(dw).vdot(self.w, dw)


class AbsSum(Function):
    """‖w‖₁ = Σ |w|, the L1 penalty;  ∂/∂w = sign(w) (0 at 0)."""

    def forward(self, w):
        self.w = w
        return array_module(w).asarray(array_module(w).abs(w).sum())

    def backward(self, gy):
        return array_module(gy).sign(self.w) * gy

    def jvp(self, dw):
        return (array_module(dw).sign(self.w) * dw).sum()
