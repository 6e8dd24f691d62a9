"""Adamax: Adam with the infinity norm in place of the second moment."""
from ..backend import array_module
from .adam import as_betas, begin_step, check_adam_group, zero_slots
from .optimizer import Optimizer, with_decay


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, §7), as ``torch.optim.Adamax``.

    m ← β₁ m + (1 − β₁) g,   u ← max(β₂ u, |g| + ε),
    θ ← θ − η/(1 − β₁ᵗ) · m / u.

    ``weight_decay`` λ adds λθ to the gradient; ``maximize`` climbs instead.

    >>> opt = Adamax(model.parameters(), lr=2e-3)
    """
    slot_rules = {"step": "count", "exp_avg": "finite", "exp_inf": "nonneg"}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False,
                 skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, betas=as_betas(betas), eps=eps,
                                      weight_decay=weight_decay, maximize=maximize),
                         skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_adam_group(group, "Adamax")

    def _init_state(self, p, group):
        return zero_slots(p, "exp_avg", "exp_inf")

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        b1, b2 = group["betas"]
        g, step = begin_step(g, state, group)
        if wd:
            g = with_decay(g, p, wd)
        m, u = state["exp_avg"], state["exp_inf"]
        m += (g - m) * t(1 - b1)                     # m ← m + (1 − β₁)(g − m)
        u *= t(b2)
        xp.maximum(u, xp.abs(g) + t(eps), out=u)     # u ← max(β₂ u, |g| + ε)
        p -= t(lr / (1 - b1 ** step)) * (m / u)
