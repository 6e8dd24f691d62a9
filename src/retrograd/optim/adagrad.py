"""Adagrad: per-coordinate steps shrinking with the sum of past squared gradients."""
from ..backend import array_module
from .optimizer import Optimizer, check_nonneg, with_decay


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), as ``torch.optim.Adagrad``.

    G ← G + g² (G starts at ``initial_accumulator_value``),
    θ ← θ − η_t g / (√G + ε) with η_t = η / (1 + (t − 1)·``lr_decay``).
    ``weight_decay`` λ: g ← g + λθ.

    >>> opt = Adagrad(params, lr=1e-2)
    """
    slot_rules = {"step": "count", "sum": "nonneg"}

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps), skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        for name in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_nonneg(group[name], name, "Adagrad")

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"step": 0,
                "sum": xp.full_like(p, group["initial_accumulator_value"])}

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        step = state["step"] = state["step"] + 1
        if group["weight_decay"]:
            g = with_decay(g, p, group["weight_decay"])
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        s = state["sum"]
        d = xp.multiply(g, g)                      # the one temporary of the step
        s += d                                     # G ← G + g²
        xp.sqrt(s, out=d)
        d += t(group["eps"])
        xp.divide(g, d, out=d)
        d *= t(-clr)
        p += d                                     # θ ← θ − η_t g / (√G + ε)
