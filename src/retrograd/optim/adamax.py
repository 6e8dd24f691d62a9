"""Adamax: Adam with the infinity norm in place of the second moment."""
from ..backend import array_module
from .optimizer import Optimizer, check_nonneg, check_range, with_decay


def _betas(group, name):
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name}: betas must be a pair (β₁, β₂), got betas={betas!r}")
    check_range(betas[0], "betas[0]", name, 0, 1, high_open=True)
    check_range(betas[1], "betas[1]", name, 0, 1, high_open=True)


def as_betas(betas):
    """``betas`` as given to the constructor, a tuple when it is a sequence."""
    return tuple(betas) if hasattr(betas, "__len__") else betas


def check_adam_group(group, name):
    """The checks every Adam-like group shares: betas, eps ≥ 0, weight_decay ≥ 0."""
    _betas(group, name)
    check_nonneg(group["eps"], "eps", name)
    check_nonneg(group["weight_decay"], "weight_decay", name)


def zero_slots(p, *names):
    """A fresh state: step 0 and one zero array like ``p`` per slot name."""
    xp = array_module(p)
    return {"step": 0, **{n: xp.zeros_like(p) for n in names}}


def begin_step(g, state, group):
    """Negates ``g`` under ``maximize`` and counts the step; returns (g, step)."""
    if group["maximize"]:
        g = -g
    step = state["step"] = state["step"] + 1
    return g, step


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
