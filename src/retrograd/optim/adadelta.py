"""Adadelta: steps sized by the ratio of two running root mean squares."""
from ..backend import array_module
from .optimizer import Optimizer, check_nonneg, check_range, with_decay


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    v ← ρ v + (1 − ρ) g²,   d = √(u + ε) / √(v + ε) · g,
    u ← ρ u + (1 − ρ) d²,   θ ← θ − η d

    (v: ``square_avg``, u: ``acc_delta``). The ratio of the two RMS gives the step
    the units of θ, so η = 1 (the default) is the paper's method; ``weight_decay``
    λ adds λθ to the gradient.

    >>> opt = Adadelta(model.parameters())
    """
    slot_rules = {"step": "count", "square_avg": "nonneg", "acc_delta": "nonneg"}

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0,
                 skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay),
                         skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_range(group["rho"], "rho", "Adadelta", 0, 1)
        check_nonneg(group["eps"], "eps", "Adadelta")
        check_nonneg(group["weight_decay"], "weight_decay", "Adadelta")

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"step": 0, "square_avg": xp.zeros_like(p), "acc_delta": xp.zeros_like(p)}

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        state["step"] += 1
        if wd:
            g = with_decay(g, p, wd)
        v, u = state["square_avg"], state["acc_delta"]
        d = xp.multiply(g, g)                      # the step's temporaries: d and std
        d *= t(1 - rho)
        v *= t(rho)
        v += d                                     # v ← ρ v + (1 − ρ) g²
        std = v + t(eps)
        xp.sqrt(std, out=std)                      # √(v + ε)
        xp.add(u, t(eps), out=d)
        xp.sqrt(d, out=d)
        d /= std
        d *= g                                     # d = √(u + ε) / √(v + ε) · g
        xp.multiply(d, d, out=std)
        std *= t(1 - rho)
        u *= t(rho)
        u += std                                   # u ← ρ u + (1 − ρ) d²
        d *= t(-lr)
        p += d                                     # θ ← θ − η d
