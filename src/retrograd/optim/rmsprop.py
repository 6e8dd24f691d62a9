"""RMSprop: the step divided by a running root mean square of the gradient."""
from ..backend import array_module
from .optimizer import Optimizer, check_nonneg, check_range, with_decay


class RMSprop(Optimizer):
    """RMSprop (Hinton), as ``torch.optim.RMSprop``.

    v ← α v + (1 − α) g²; with ``centered``, ḡ ← α ḡ + (1 − α) g and v − ḡ² replaces
    v (an estimate of the variance). d = g / (√v + ε); with momentum μ,
    b ← μ b + d and θ ← θ − η b, else θ ← θ − η d. ``weight_decay`` λ: g ← g + λθ.

    >>> opt = RMSprop(params, lr=1e-2, alpha=0.99)
    """
    slot_rules = {"step": "count", "square_avg": "nonneg", "momentum_buffer": "finite",
                  "grad_avg": "finite"}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered), skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_range(group["alpha"], "alpha", "RMSprop", 0, 1)
        check_range(group["momentum"], "momentum", "RMSprop", 0, 1, high_open=True)
        check_nonneg(group["eps"], "eps", "RMSprop")
        check_nonneg(group["weight_decay"], "weight_decay", "RMSprop")

    def _init_state(self, p, group):
        xp = array_module(p)
        s = {"step": 0, "square_avg": xp.zeros_like(p)}
        if group["momentum"]:
            s["momentum_buffer"] = xp.zeros_like(p)
        if group["centered"]:
            s["grad_avg"] = xp.zeros_like(p)
        return s

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        lr, alpha, wd, mu = group["lr"], group["alpha"], group["weight_decay"], group["momentum"]
        state["step"] += 1
        if wd:
            g = with_decay(g, p, wd)
        v = state["square_avg"]
        d = xp.multiply(g, g)                      # the one temporary of the step
        d *= t(1 - alpha)
        v *= t(alpha)
        v += d                                     # v ← α v + (1 − α) g²
        if group["centered"]:
            m = state["grad_avg"]
            xp.multiply(g, t(1 - alpha), out=d)
            m *= t(alpha)
            m += d                                 # ḡ ← α ḡ + (1 − α) g
            xp.multiply(m, m, out=d)
            xp.subtract(v, d, out=d)
            xp.sqrt(d, out=d)                      # √(v − ḡ²)
        else:
            xp.sqrt(v, out=d)
        d += t(group["eps"])
        xp.divide(g, d, out=d)                     # g / (√v + ε)
        if mu:
            b = state["momentum_buffer"]
            b *= t(mu)
            b += d                                 # b ← μ b + g / (√v + ε)
            xp.multiply(b, t(-lr), out=d)
        else:
            d *= t(-lr)
        p += d
