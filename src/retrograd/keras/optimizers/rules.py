"""Keras 3's update rules that ``retrograd.optim`` has no PyTorch twin for, written as
Keras writes them (``update_step(gradient, variable, learning_rate)``), on the
``retrograd.optim.Optimizer`` base: slots made at the first step, one in-place update
per parameter, NumPy or CuPy from the data. t counts the steps from 1; g is the
gradient, η the learning rate, and ``eps`` Keras's ε added where Keras adds it.

The Keras classes of ``keras.optimizers`` (``Nadam``, ``Adamax``…) drive these rules;
clipping, schedules and the decoupled weight decay are theirs (Keras's base class).
"""
import math

from ...backend import array_module
from ...optim.optimizer import Optimizer
from ...optim.adagrad import Adagrad
from ...optim.adam import Adam
from ...optim.adam import zero_slots
from ...optim.rmsprop import RMSprop
from ...optim.sgd import SGD
from ...backend import to_device


class _Rule(Optimizer):
    """A Keras update rule: hyper-parameters as given (Keras's classes check them)."""

    def __init__(self, params, lr, **hyper):
        super().__init__(params, dict(lr=lr, **hyper))

    @staticmethod
    def _step(state):
        state["step"] += 1
        return state["step"]


class AdamRule(Adam):
    """Keras's Adam, ``retrograd.optim.Adam`` (slots, checks) with Keras's step:
    m ← m + (1 − β₁)(g − m), v ← v + (1 − β₂)(g² − v) (amsgrad: v̂ ← max(v̂, v)),
    θ ← θ − α m / (√v + ε) with α = η √(1 − β₂ᵗ) / (1 − β₁ᵗ) — ε added to the
    uncorrected √v, where PyTorch adds it to √v / √(1 − β₂ᵗ): the steps differ where
    the gradients are small (by 3% at |g| ≈ 1e-4 in the first steps). Keras's weight
    decay is the Keras class's (decoupled, before the step)."""

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        b1, b2 = group["betas"]
        step = self._step(state)
        alpha = group["lr"] * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (g - m) * t(1 - b1)
        v += (g * g - v) * t(1 - b2)
        if group["amsgrad"]:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        d = xp.sqrt(v)
        d += t(group["eps"])
        xp.divide(m, d, out=d)
        d *= t(alpha)
        p -= d

    _step = staticmethod(_Rule._step)


class SGDRule(SGD):
    """Keras's SGD, ``retrograd.optim.SGD`` (slots, checks) with Keras's momentum:
    m ← μ m − η g, θ ← θ + m (``nesterov``: θ ← θ + μ m − η g). PyTorch's buffer
    sums raw gradients and scales by today's η, so the two part when η follows a
    schedule (0.57 apart after 6 steps of ExponentialDecay(0.1, 1, 0.5), μ = 0.9)."""

    def step(self, closure=None):
        if any(group["momentum"] for group in self.param_groups):
            return Optimizer.step(self, closure)     # not optim.SGD's plain fast path
        return super().step(closure)

    def _update(self, p, g, state, group):
        t = p.dtype.type
        lr, mu = group["lr"], group["momentum"]
        if not mu:
            p -= g * t(lr)
            return
        m = state.get("momentum_buffer")
        if m is None:
            m = state["momentum_buffer"] = array_module(p).zeros_like(p)
        m *= t(mu)
        m -= g * t(lr)                               # m ← μ m − η g
        if group["nesterov"]:
            p += m * t(mu) - g * t(lr)
        else:
            p += m


class AdagradRule(Adagrad):
    """Keras's Adagrad, ``retrograd.optim.Adagrad`` (slots, checks) with Keras's step:
    G ← G + g², θ ← θ − η g / √(G + ε) (ε under the root, where PyTorch adds it to √G:
    they differ when G is small, e.g. initial_accumulator_value=0)."""

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        state["step"] += 1
        G = state["sum"]
        G += g * g
        d = G + t(group["eps"])
        xp.sqrt(d, out=d)
        xp.divide(g, d, out=d)
        d *= t(group["lr"])
        p -= d


class RMSpropRule(RMSprop):
    """Keras's RMSprop, ``retrograd.optim.RMSprop`` (slots, checks) with Keras's step:
    v ← ρ v + (1 − ρ) g² (centred: ḡ ← ρ ḡ + (1 − ρ) g, v − ḡ² in its place),
    Δ = η g / √(v + ε) — ε under the root, where PyTorch adds it to √v: the steps
    differ where v is small (a gradient of 1e-7 moves PyTorch's weight ~10³ times
    further) — and with momentum μ: b ← μ b + Δ, θ ← θ − b; else θ ← θ − Δ."""

    def _update(self, p, g, state, group):
        xp, t = array_module(p), p.dtype.type
        rho, mu = group["alpha"], group["momentum"]
        state["step"] += 1
        v = state["square_avg"]
        v *= t(rho)
        v += g * g * t(1 - rho)
        if group["centered"]:
            m = state["grad_avg"]
            m *= t(rho)
            m += g * t(1 - rho)
            d = v - m * m
        else:
            d = v.copy()
        d += t(group["eps"])
        xp.sqrt(d, out=d)
        xp.divide(g, d, out=d)
        d *= t(group["lr"])                         # Δ = η g / √(v + ε)
        if mu:
            b = state["momentum_buffer"]
            b *= t(mu)
            b += d
            p -= b
        else:
            p -= d


class NadamRule(_Rule):
    """Keras's Nadam (Dozat): with μₜ = β₁(1 − ½·0.96ᵗ) and Πₜ = μ₁⋯μₜ,
    m ← m + (1 − β₁)(g − m), v ← v + (1 − β₂)(g² − v),
    m̂ = μₜ₊₁ m / (1 − Πₜ μₜ₊₁) + (1 − μₜ) g / (1 − Πₜ), v̂ = v / (1 − β₂ᵗ),
    θ ← θ − η m̂ / (√v̂ + ε)."""
    slot_rules = {"step": "count", "u_product": "unit", "m": "finite", "v": "nonneg"}

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"step": 0, "u_product": 1.0, "m": xp.zeros_like(p), "v": xp.zeros_like(p)}

    def _update(self, p, g, s, group):
        t, dt = self._step(s), p.dtype.type
        b1, b2, lr, eps = group["beta_1"], group["beta_2"], group["lr"], group["epsilon"]
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        s["u_product"] *= u_t
        prod, prod_next = s["u_product"], s["u_product"] * u_next
        m, v = s["m"], s["v"]
        m += (g - m) * dt(1 - b1)
        v += (g * g - v) * dt(1 - b2)
        m_hat = m * dt(u_next / (1 - prod_next)) + g * dt((1 - u_t) / (1 - prod))
        p -= m_hat * dt(lr) / (array_module(p).sqrt(v / dt(1 - b2 ** t)) + dt(eps))


class AdamaxRule(_Rule):
    """Keras's Adamax: m ← m + (1 − β₁)(g − m), u ← max(β₂ u, |g|),
    θ ← θ − η m / ((1 − β₁ᵗ)(u + ε))."""
    slot_rules = {"step": "count", "m": "finite", "u": "nonneg"}

    def _init_state(self, p, group):
        return zero_slots(p, "m", "u")

    def _update(self, p, g, s, group):
        t, dt, xp = self._step(s), p.dtype.type, array_module(p)
        b1, b2 = group["beta_1"], group["beta_2"]
        m, u = s["m"], s["u"]
        m += (g - m) * dt(1 - b1)
        xp.maximum(u * dt(b2), xp.abs(g), out=u)
        p -= m * dt(group["lr"]) / ((u + dt(group["epsilon"])) * dt(1 - b1 ** t))


class AdadeltaRule(_Rule):
    """Keras's Adadelta: a ← ρ a + (1 − ρ) g², Δ = −√(d + ε) g / √(a + ε),
    d ← ρ d + (1 − ρ) Δ², θ ← θ + η Δ."""
    slot_rules = {"accumulated_grad": "nonneg", "accumulated_delta_var": "nonneg"}

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"accumulated_grad": xp.zeros_like(p), "accumulated_delta_var": xp.zeros_like(p)}

    def _update(self, p, g, s, group):
        dt, xp = p.dtype.type, array_module(p)
        rho, eps = dt(group["rho"]), dt(group["epsilon"])
        a, d = s["accumulated_grad"], s["accumulated_delta_var"]
        a *= rho
        a += (1 - rho) * g * g
        delta = -(xp.sqrt(d + eps) * g) / xp.sqrt(a + eps)
        d *= rho
        d += (1 - rho) * delta * delta
        p += dt(group["lr"]) * delta


class LionRule(_Rule):
    """Keras's Lion (Chen et al.): θ ← θ − η sign(β₁ m + (1 − β₁) g),
    then m ← β₂ m + (1 − β₂) g."""
    slot_rules = {"m": "finite"}

    def _init_state(self, p, group):
        return {"m": array_module(p).zeros_like(p)}

    def _update(self, p, g, s, group):
        dt, xp = p.dtype.type, array_module(p)
        b1, b2, m = dt(group["beta_1"]), dt(group["beta_2"]), s["m"]
        p -= dt(group["lr"]) * xp.sign(m * b1 + g * (1 - b1))
        m *= b2
        m += g * (1 - b2)


class FtrlRule(_Rule):
    """Keras's FTRL-proximal (McMahan et al.): with n the running Σg² (from
    ``initial_accumulator_value``), p = −``learning_rate_power``,
    z ← z + g + 2λ_shrink θ − ((n + g²)ᵖ − nᵖ)/η · θ, n ← n + g²,
    θ ← (clip(z, −λ₁, λ₁) − z) / ((n)ᵖ/η + 2(λ₂ + β/(2η)))."""
    slot_rules = {"accumulator": "nonneg", "linear": "finite"}

    def _init_state(self, p, group):
        xp = array_module(p)
        return {"accumulator": xp.full_like(p, group["initial_accumulator_value"]),
                "linear": xp.zeros_like(p)}

    def _update(self, p, g, s, group):
        dt, xp = p.dtype.type, array_module(p)
        lr, power = group["lr"], -group["learning_rate_power"]
        l1 = group["l1_regularization_strength"]
        l2 = group["l2_regularization_strength"] + group["beta"] / (2.0 * lr)
        accum, linear = s["accumulator"], s["linear"]
        new_accum = accum + g * g
        grad = g + dt(2 * group["l2_shrinkage_regularization_strength"]) * p
        linear += grad - (new_accum ** dt(power) - accum ** dt(power)) / dt(lr) * p
        quadratic = new_accum ** dt(power) / dt(lr) + dt(2 * l2)
        p[...] = (xp.clip(linear, -dt(l1), dt(l1)) - linear) / quadratic
        accum[...] = new_accum


class LambRule(_Rule):
    """Keras's LAMB (You et al.): Adam's direction r = m̂ / (√v̂ + ε) scaled by the
    trust ratio ‖θ‖/‖r‖ (1 when either norm is 0): θ ← θ − η (‖θ‖/‖r‖) r."""
    slot_rules = {"step": "count", "m": "finite", "v": "nonneg"}

    def _init_state(self, p, group):
        return zero_slots(p, "m", "v")

    def _update(self, p, g, s, group):
        t, dt, xp = self._step(s), p.dtype.type, array_module(p)
        b1, b2 = group["beta_1"], group["beta_2"]
        m, v = s["m"], s["v"]
        m += (g - m) * dt(1 - b1)
        v += (g * g - v) * dt(1 - b2)
        r = (m / dt(1 - b1 ** t)) / (xp.sqrt(v / dt(1 - b2 ** t)) + dt(group["epsilon"]))
        w_norm, r_norm = float(xp.sqrt((p * p).sum())), float(xp.sqrt((r * r).sum()))
        ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
        p -= dt(ratio * group["lr"]) * r


class AdafactorRule(_Rule):
    """Keras's Adafactor (Shazeer & Stern): the second moment of a matrix kept as
    row and column means R, C (v = R Cᵀ / mean R), of a vector in full;
    β₂ₜ = 1 − t^``beta_2_decay``, ρₜ = min(η, 1/√t), αₜ = max(ε₂, RMS(θ)) ρₜ,
    u = g / √v clipped to RMS(u) ≤ ``clip_threshold``, θ ← θ − αₜ u.
    ``relative``: η itself is first capped at 1/√t (``relative_step`` with a
    constant learning rate)."""

    def _checked_slots(self, k, p, saved, group):
        """The slots of a saved state: ``step`` a count, ``v`` of the parameter's shape,
        a matrix's row and column statistics ``r``, ``c`` of theirs, all finite, ≥ 0."""
        who = f"{type(self).__name__}.load_state_dict: parameter {k}"
        shape = tuple(p.shape)
        shapes = {"v": shape}
        if len(shape) >= 2:
            shapes.update(r=shape[:-1], c=shape[:-2] + shape[-1:])
        if not isinstance(saved, dict) or set(saved) != {"step", *shapes}:
            got = sorted(map(str, saved)) if isinstance(saved, dict) else type(saved).__name__
            raise ValueError(f"{who} has the slots {got}, expected "
                             f"{sorted(['step', *shapes])}")
        step = saved["step"]
        step = step.item() if hasattr(step, "shape") and step.shape == () else step
        if isinstance(step, bool) or not isinstance(step, (int, float)) or not step >= 0 or \
                step != int(step):
            raise ValueError(f"{who}: slot 'step' is {str(step)[:40]}, expected an integer >= 0")
        xp, slots = array_module(p.array), {"step": int(step)}
        device = "cpu" if xp.__name__ == "numpy" else "cuda"
        for n, want in shapes.items():
            v = saved[n]
            if not hasattr(v, "shape") or tuple(v.shape) != want or \
                    getattr(v.dtype, "kind", "") != "f":
                raise ValueError(f"{who}: slot {n!r} must be a floating-point array of shape "
                                 f"{want}")
            v = xp.array(to_device(v, device), dtype=p.dtype, copy=True)
            if not bool(xp.isfinite(v).all()) or bool((v < 0).any()):
                raise ValueError(f"{who}: slot {n!r} must hold finite values >= 0")
            slots[n] = v
        return slots

    def _init_state(self, p, group):
        xp = array_module(p)
        s = {"step": 0, "v": xp.zeros_like(p)}
        if p.ndim >= 2:
            s["r"] = xp.zeros(p.shape[:-1], p.dtype)
            s["c"] = xp.zeros(p.shape[:-2] + p.shape[-1:], p.dtype)
        return s

    def _update(self, p, g, s, group):
        t, dt, xp = self._step(s), p.dtype.type, array_module(p)
        lr = group["lr"]
        if group["relative"]:
            lr = min(lr, 1 / math.sqrt(t))
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(group["epsilon_2"], float(xp.sqrt((p * p).mean()))) * rho
        g2 = g * g + dt(group["epsilon_1"])
        b2 = dt(1 - t ** group["beta_2_decay"])
        if p.ndim >= 2:
            r, c = s["r"], s["c"]
            r[...] = b2 * r + (1 - b2) * g2.mean(axis=-1)
            c[...] = b2 * c + (1 - b2) * g2.mean(axis=-2)
            s["v"][...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            s["v"][...] = b2 * s["v"] + (1 - b2) * g2
        u = g / xp.sqrt(s["v"])
        u = u / max(1.0, float(xp.sqrt((u * u).mean())) / group["clip_threshold"])
        p -= dt(alpha) * u
