"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from .. import fast_paths
from ..backend import axpy
from .optimizer import Optimizer, check_nonneg, check_range, with_decay


class SGD(Optimizer):
    """θ ← θ − η d, the course's gradient step (Cauchy), on mini-batch gradients.

    With weight decay λ, g ← g + λθ. With momentum μ and dampening τ the buffer
    b ← μ b + (1 − τ) g (b = g at the first step) gives d = b, or with Nesterov
    d = g + μ b; without momentum d = g. Same update as ``torch.optim.SGD``.

    >>> opt = SGD([w, b], lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); loss.backward(); opt.step()
    """
    slot_rules = {"momentum_buffer": "finite"}

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0, skip_nonfinite=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      nesterov=nesterov, weight_decay=weight_decay),
                         skip_nonfinite)

    def _check(self, group):
        super()._check(group)
        check_range(group["momentum"], "momentum", "SGD", 0, 1, high_open=True)
        check_range(group["dampening"], "dampening", "SGD", 0, 1)
        check_nonneg(group["weight_decay"], "weight_decay", "SGD")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                             f"got momentum={group['momentum']!r}, "
                             f"dampening={group['dampening']!r}")

    def step(self, closure=None):
        """θ ← θ − η d for every parameter with a gradient (see the class)."""
        if closure is None and fast_paths.sgd_step(self):   # plain SGD: fast_paths.py
            return None
        return super().step(closure)

    def _update(self, p, g, state, group):
        t = p.dtype.type
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        if wd:
            g = with_decay(g, p, wd)
        if mu:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = g.copy()
            else:
                b *= t(mu)
                axpy(1 - group["dampening"], g, b)  # b ← μ b + (1 − τ) g
            if group["nesterov"]:
                d = b * t(mu)
                d += g                             # d = g + μ b
                d *= t(-lr)
                p += d
                return
            g = b
        axpy(-lr, g, p)                            # θ ← θ − η d
