"""Losses fused into one op where that is both faster and numerically stable."""
from ..backend import array_module
from ..function import Function
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
            picked = logp[xp.arange(n), target]
            loss = -picked if not eps else \
                -(1 - eps) * picked - (eps / c) * logp.sum(axis=1)
        else:
            q = target if not eps else target * (1 - eps) + eps / c
            loss = -(q * logp).sum(axis=1)
        if self.reduction == "mean":
            return loss.mean() if n else xp.asarray(float("nan"), dtype=s.dtype)
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
            g[xp.arange(n), target] -= 1 - eps    # ŷ − y*
        else:
            g -= target if not eps else target * (1 - eps) + eps / c
        g *= self._per_sample(gy)
        gt = None
        if target.ndim == 2 and self.parents[1].requires_grad:
            gt = -self.logp * (1 - eps) * self._per_sample(gy)
        return g, gt

    def jvp(self, ds, dt):
        xp = array_module(ds)
        n, c = self.logp.shape
        p = xp.exp(self.logp)
        target, eps = self.target, self.smoothing
        if target.ndim == 1:
            q = xp.full((n, c), eps / c, dtype=p.dtype)
            q[xp.arange(n), target] += 1 - eps
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
