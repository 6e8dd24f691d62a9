"""NAdam: Adam with Nesterov momentum."""
from ..backend import array_module
from .adam import check_adam_group
from .optimizer import Optimizer, check_nonneg, with_decay


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    With the momentum schedule μ_t = β₁(1 − ½·0.96^(t·ψ)) (ψ = ``momentum_decay``)
    and Π_t = μ_1 ⋯ μ_t:

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   D = √(v / (1 − β₂ᵗ)) + ε,
    θ ← θ − η (1 − μ_t)/(1 − Π_t) · g/D − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m/D.

    ``weight_decay`` λ adds λθ to the gradient, or with
    ``decoupled_weight_decay=True`` shrinks θ ← θ(1 − ηλ) first (NAdamW).

    >>> opt = NAdam(model.parameters(), lr=2e-3)
    """
    slot_rules = {"step": "count", "mu_product": "unit", "exp_avg": "finite",
                  "exp_avg_sq": "nonneg"}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if hasattr(betas, "__len__")
                                      else betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay),
                         skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_adam_group(group, "NAdam")
        check_nonneg(group["momentum_decay"], "momentum_decay", "NAdam")

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"step": 0, "mu_product": 1.0, "exp_avg": xp.zeros_like(p),
                "exp_avg_sq": xp.zeros_like(p)}

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        lr, wd, eps, psi = group["lr"], group["weight_decay"], group["eps"], \
            group["momentum_decay"]
        b1, b2 = group["betas"]
        step = state["step"] = state["step"] + 1
        if wd:
            if group["decoupled_weight_decay"]:
                p *= t(1 - lr * wd)
            else:
                g = with_decay(g, p, wd)
        mu = b1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        mu_product = state["mu_product"] = state["mu_product"] * mu
        m, v = state["exp_avg"], state["exp_avg_sq"]
        d = xp.subtract(g, m)
        d *= t(1 - b1)
        m += d                                     # m ← m + (1 − β₁)(g − m)
        xp.multiply(g, g, out=d)
        d *= t(1 - b2)
        v *= t(b2)
        v += d                                     # v ← β₂ v + (1 − β₂) g²
        xp.divide(v, t(1 - b2 ** step), out=d)
        xp.sqrt(d, out=d)
        d += t(eps)                                # D = √(v / (1 − β₂ᵗ)) + ε
        step_g = xp.divide(g, d)
        step_g *= t(-lr * (1.0 - mu) / (1.0 - mu_product))
        xp.divide(m, d, out=d)
        d *= t(-lr * mu_next / (1.0 - mu_product * mu_next))
        p += step_g
        p += d
