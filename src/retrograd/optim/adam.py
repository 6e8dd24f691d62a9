"""Adam and AdamW: steps scaled by running estimates of the gradient's moments."""
import math

from ..backend import array_module
from .optimizer import Optimizer, check_nonneg, check_range, with_decay


# -- what the Adam family (Adam, AdamW, NAdam, RAdam, Adamax) shares ----------------

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


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam``.

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
    θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).

    ``weight_decay`` λ adds λθ to the gradient (L2 as a loss penalty, which Adam
    then rescales: see ``AdamW``). ``amsgrad`` uses the running maximum of v.

    >>> opt = Adam([w, b], lr=1e-3)
    """
    slot_rules = {"step": "count", "exp_avg": "finite", "exp_avg_sq": "nonneg",
                  "max_exp_avg_sq": "nonneg"}
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, betas=as_betas(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad),
                         skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_adam_group(group, type(self).__name__)

    def _init_state(self, p, group):
        xp = array_module(p)
        s = {"step": 0, "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}
        if group["amsgrad"]:
            s["max_exp_avg_sq"] = xp.zeros_like(p)
        return s

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        b1, b2 = group["betas"]
        step = state["step"] = state["step"] + 1
        if wd:
            if self.decoupled:
                p *= t(1 - lr * wd)                # θ ← θ(1 − ηλ), outside the moments
            else:
                g = with_decay(g, p, wd)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        d = xp.multiply(g, t(1 - b1))              # the one temporary of the step
        m *= t(b1)
        m += d                                     # m ← β₁ m + (1 − β₁) g
        xp.multiply(g, g, out=d)
        d *= t(1 - b2)
        v *= t(b2)
        v += d                                     # v ← β₂ v + (1 − β₂) g²
        if group["amsgrad"]:
            v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        xp.sqrt(v, out=d)
        d *= t(1 / math.sqrt(1 - b2 ** step))
        d += t(eps)                                # √v̂ + ε
        xp.divide(m, d, out=d)
        d *= t(-lr / (1 - b1 ** step))
        p += d                                     # θ ← θ − η m̂ / (√v̂ + ε)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    θ ← θ(1 − ηλ) before the Adam step, instead of adding λθ to the gradient, so
    the decay is not divided by √v̂ and every weight shrinks at the same rate.

    >>> opt = AdamW(params, lr=1e-3, weight_decay=1e-2)
    """
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, skip_nonfinite=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, skip_nonfinite)

