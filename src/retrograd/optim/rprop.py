"""Rprop: steps of a per-weight size set by the gradient's sign only."""
from ..backend import array_module
from .optimizer import Optimizer, check_range


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun), as ``torch.optim.Rprop``.

    Each weight keeps its own step Δ (starting at ``lr``): where g·g_prev > 0,
    Δ ← min(Δ η₊, Δ_max); where g·g_prev < 0, Δ ← max(Δ η₋, Δ_min) and the
    gradient counts as 0 (no step, and no sign change remembered);
    θ ← θ − sign(g) Δ. Meant for full-batch training.

    >>> opt = Rprop(model.parameters(), lr=1e-2, etas=(0.5, 1.2))
    """
    slot_rules = {"step": "count", "prev": "finite", "step_size": "nonneg"}

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False,
                 skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes),
                                      maximize=maximize), skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Rprop: etas must satisfy 0 < etaminus < 1 < etaplus, got "
                             f"etas={group['etas']!r}")
        lo, hi = group["step_sizes"]
        check_range(lo, "step_sizes[0]", "Rprop", 0, hi)

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"step": 0, "prev": xp.zeros_like(p),
                "step_size": xp.full_like(p, group["lr"])}

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        if group["maximize"]:
            g = -g
        state["step"] += 1
        sign = xp.sign(g * state["prev"])
        factor = xp.where(sign > 0, t(etaplus), xp.where(sign < 0, t(etaminus), t(1)))
        size = state["step_size"]
        size *= factor
        xp.clip(size, t(lo), t(hi), out=size)
        g = xp.where(sign < 0, t(0), g)              # a sign change: no step this time
        p -= xp.sign(g) * size
        state["prev"][...] = g
