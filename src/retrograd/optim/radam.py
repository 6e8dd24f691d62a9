"""RAdam: Adam whose adaptive step is switched on once its variance is tractable."""
import math

from ..backend import array_module
from .adam import as_betas, begin_step, check_adam_group, zero_slots
from .optimizer import Optimizer, with_decay


class RAdam(Optimizer):
    """Rectified Adam (Liu et al., 2019), as ``torch.optim.RAdam``.

    m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  m̂ = m / (1 − β₁ᵗ);
    ρ∞ = 2/(1 − β₂) − 1,  ρ_t = ρ∞ − 2t β₂ᵗ/(1 − β₂ᵗ).  While ρ_t ≤ 5 the step is
    SGD with momentum, θ ← θ − η m̂; then θ ← θ − η m̂ · r_t √(1 − β₂ᵗ)/(√v + ε)
    with r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)).

    ``weight_decay`` λ adds λθ to the gradient, or with
    ``decoupled_weight_decay=True`` shrinks θ ← θ(1 − ηλ) first.

    >>> opt = RAdam(model.parameters(), lr=1e-3)
    """
    slot_rules = {"step": "count", "exp_avg": "finite", "exp_avg_sq": "nonneg"}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False, skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, betas=as_betas(betas), eps=eps,
                                      weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize), skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_adam_group(group, "RAdam")

    def _init_state(self, p, group):
        return zero_slots(p, "exp_avg", "exp_avg_sq")

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        b1, b2 = group["betas"]
        g, step = begin_step(g, state, group)
        if wd:
            if group["decoupled_weight_decay"]:
                p *= t(1 - lr * wd)
            else:
                g = with_decay(g, p, wd)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (g - m) * t(1 - b1)
        v *= t(b2)
        v += g * g * t(1 - b2)
        bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
        m_hat = m / t(bc1)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2 ** step) / bc2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                             ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = t(bc2 ** 0.5) / (xp.sqrt(v) + t(eps))
            p -= m_hat * t(lr) * adaptive * t(rect)
        else:
            p -= m_hat * t(lr)
