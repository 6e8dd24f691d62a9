"""ASGD: SGD that also keeps the running average of its iterates."""
import numpy as np

from ..backend import array_module
from ..dtypes import get_default_dtype
from .optimizer import Optimizer, check_nonneg, with_decay


def _scalar(value):
    """``value`` rounded to the default dtype: PyTorch keeps η_t and μ_t in 0-d
    tensors of that dtype (float32 unless changed), and so their rounding."""
    return float(np.dtype(str(get_default_dtype())).type(value))


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky), as ``torch.optim.ASGD``.

    θ ← θ(1 − λ η_t) − η_t g;   ā ← ā + μ_t (θ − ā)  (ā = θ while μ_t = 1);
    η_{t} = η / (1 + λ η t)^α,  μ_t = 1 / max(1, t − t₀).

    The average ``state[p]["ax"]`` is what one evaluates after training;
    ``weight_decay`` adds its multiple of θ to the gradient.

    >>> opt = ASGD(model.parameters(), lr=1e-2, t0=100)
    """
    slot_rules = {"step": "count", "eta": "unit", "mu": "unit",
                  "ax": "finite"}

    def _checked_slots(self, k, p, saved, group):
        # η_t is any positive rate (the base's "unit" rule would cap it at 1).
        if isinstance(saved, dict) and "eta" in saved:
            eta = saved["eta"]
            eta = eta.item() if hasattr(eta, "shape") and eta.shape == () else eta
            if isinstance(eta, bool) or not isinstance(eta, (int, float)) or \
                    not 0 < eta < float("inf"):
                raise ValueError(f"ASGD.load_state_dict: slot 'eta' of parameter {k} is "
                                 f"{str(eta)[:40]}, expected a finite number > 0")
            slots = super()._checked_slots(k, p, {**saved, "eta": 1.0}, group)
            slots["eta"] = float(eta)
            return slots
        return super()._checked_slots(k, p, saved, group)

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False,
                 skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, maximize=maximize),
                         skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_nonneg(group["weight_decay"], "weight_decay", "ASGD")

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"step": 0, "eta": _scalar(group["lr"]), "mu": 1.0, "ax": xp.zeros_like(p)}

    def _update(self, p, g, state, group):
        t = p.dtype.type
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        if group["maximize"]:
            g = -g
        step = state["step"] = state["step"] + 1
        if group["weight_decay"]:
            g = with_decay(g, p, group["weight_decay"])
        eta = state["eta"]
        p *= t(1 - lambd * eta)                      # decay
        p -= t(eta) * g                              # the SGD step
        ax = state["ax"]
        if state["mu"] != 1:
            ax += (p - ax) * t(state["mu"])
        else:
            ax[...] = p
        state["eta"] = _scalar(lr / ((1 + lambd * lr * step) ** alpha))
        state["mu"] = _scalar(1 / max(1, step - t0))
