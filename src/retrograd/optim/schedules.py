"""Learning-rate schedules: η_t as a plain function of the step t, and the driver
that writes it into an optimiser.

Each schedule is ``f(t, eta0, ...)`` with the course's symbols; ``t`` may be a
number or an array of steps, so ``exponential(np.arange(100), 0.1, lam=0.1)``
is the curve to plot. ``LRScheduler(optimizer, f, **args)`` sets every group's
``lr`` to ``f(t, η0_group, **args)``; call its ``step()`` after each optimiser
step (t counts steps) or after each epoch (t counts epochs).

    sched = LRScheduler(opt, step_decay, r=0.5, t_u=10)
    for epoch in range(n):
        train_one_epoch(opt)
        sched.step()
"""
import math

import numpy as np

from . import lr_scheduler
from .lr_scheduler import ReduceLROnPlateau, _check, _Plateau, _reduced  # noqa: F401
from .optimizer import Optimizer


def inverse_time(t, eta0, r):
    """η_t = η0 / (1 + r·t)  (the course's first decay policy)."""
    _check_eta0(eta0, "inverse_time")
    _check(lambda: r >= 0 and math.isfinite(r), "inverse_time", "r", r, "a finite number >= 0")
    t = _steps(t, "inverse_time")
    return _out(eta0 / (1 + r * t))


def exponential(t, eta0, lam):
    """η_t = η0·e^{−λt}  (exponential decay; the course's example: η0=0.1, λ=0.1)."""
    _check_eta0(eta0, "exponential")
    _check(lambda: lam >= 0 and math.isfinite(lam), "exponential", "lam", lam,
           "a finite number >= 0")
    t = _steps(t, "exponential")
    return _out(eta0 * np.exp(-lam * t))


def step_decay(t, eta0, r, t_u):
    """η_t = η0·r^{⌊t/t_u⌋}: multiplied by r every t_u steps (the course's example:
    η0=0.1, r=0.5, t_u=10; the exponent is the floor ⌊t/t_u⌋, not t/t_u)."""
    _check_eta0(eta0, "step_decay")
    _check(lambda: 0 < r <= 1, "step_decay", "r", r, "in (0, 1]")
    _check(lambda: t_u > 0 and math.isfinite(t_u), "step_decay", "t_u", t_u,
           "a number of steps > 0")
    t = _steps(t, "step_decay")
    return _out(eta0 * r ** np.floor(t / t_u))


def cosine_annealing(t, eta0, T, eta_min=0.0):
    """η_t = η_min + (η0 − η_min)·(1 + cos(π·t/T))/2 for t ≤ T, then η_min
    (half a cosine from η0 down to η_min over T steps, without restarts)."""
    _check_eta0(eta0, "cosine_annealing")
    _check(lambda: T > 0 and math.isfinite(T), "cosine_annealing", "T", T,
           "a number of steps > 0")
    _check(lambda: 0 <= eta_min <= eta0, "cosine_annealing", "eta_min", eta_min,
           f"in [0, eta0={eta0}]")
    t = np.minimum(_steps(t, "cosine_annealing"), T)
    return _out(eta_min + (eta0 - eta_min) * (1 + np.cos(np.pi * t / T)) / 2)


def linear_warmup(t, eta0, t_w, start_factor=0.0, then=None):
    """η_t = η0·(f + (1 − f)·t/t_w) for t < t_w (f = ``start_factor``), then η0,
    or ``then(t − t_w, η0)`` to continue with another schedule, e.g.
    ``then=lambda t, eta0: cosine_annealing(t, eta0, T=90)``."""
    _check_eta0(eta0, "linear_warmup")
    _check(lambda: t_w > 0 and math.isfinite(t_w), "linear_warmup", "t_w", t_w,
           "a number of steps > 0")
    _check(lambda: 0 <= start_factor <= 1, "linear_warmup", "start_factor", start_factor,
           "in [0, 1]")
    if then is not None and not callable(then):
        raise TypeError(f"linear_warmup: then must be a schedule f(t, eta0), got {then!r}")
    t = _steps(t, "linear_warmup")
    warm = eta0 * (start_factor + (1 - start_factor) * np.minimum(t, t_w) / t_w)
    if then is None:
        return _out(warm)
    after = np.vectorize(lambda s: float(then(s, eta0)), otypes=[float])(
        np.maximum(t - t_w, 0))
    return _out(np.where(t < t_w, warm, after))


def reduce_on_plateau(metrics, eta0, factor=0.1, patience=10, threshold=1e-4,
                      threshold_mode="rel", mode="min", cooldown=0, min_lr=0.0, eps=1e-8):
    """The rates after each value of ``metrics`` (e.g. the validation loss per
    epoch): η is multiplied by ``factor`` (not below ``min_lr``) once the metric
    has not improved for more than ``patience`` epochs; then ``cooldown`` epochs
    are ignored. Not a function of t alone: it is a function of the history."""
    _check_eta0(eta0, "reduce_on_plateau")
    watch = _Plateau("reduce_on_plateau", mode, factor, patience, threshold,
                     threshold_mode, cooldown, eps)
    _check(lambda: min_lr >= 0 and math.isfinite(min_lr), "reduce_on_plateau", "min_lr",
           min_lr, "a finite number >= 0")
    lr, out = float(eta0), []
    for m in metrics:
        if watch._observe(m):
            lr = _reduced(lr, factor, min_lr, eps)
        out.append(lr)
    return np.array(out)


class LRScheduler(lr_scheduler.LRScheduler):
    """Drive an optimiser's learning rate by a schedule: after ``step()`` number
    t, each group's ``lr`` is ``schedule(t, η0, **args)``, η0 being the group's
    learning rate when the scheduler was made (kept in ``group["initial_lr"]``).
    A ``lr_scheduler.LRScheduler``, so it also chains and sequences with PyTorch's.

    >>> sched = LRScheduler(opt, exponential, lam=0.1)   # η_t = η0 e^{−0.1 t}
    >>> opt.step(); sched.step()
    """

    def __init__(self, optimizer, schedule, **args):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"LRScheduler: optimizer must be a retrograd.optim.Optimizer, "
                            f"got {type(optimizer).__name__}")
        if not callable(schedule):
            raise TypeError(f"LRScheduler: schedule must be a function f(t, eta0, ...), "
                            f"got {schedule!r}")
        self.schedule, self.args = schedule, args
        super().__init__(optimizer)   # sets η_0, and so validates the arguments at once

    @property
    def t(self):
        """The step count t (PyTorch's ``last_epoch``)."""
        return self.last_epoch

    def get_lr(self):
        lrs = []
        for eta0 in self.base_lrs:
            lr = float(self.schedule(self.last_epoch, eta0, **self.args))
            if not lr > 0 or not math.isfinite(lr):
                raise ValueError(f"LRScheduler: the schedule {_name(self.schedule)} gave "
                                 f"lr={lr} at t={self.last_epoch}; expected a finite "
                                 "number > 0")
            lrs.append(lr)
        return lrs

    def state_dict(self):
        """``{"t": t}``: the schedule and its arguments are code, given again when the
        scheduler is made."""
        return {"t": self.last_epoch}

    def load_state_dict(self, state):
        """Go to step ``state["t"]`` (an integer >= 0); the rates it gives are
        checked before any is set, and nothing changes on a refusal."""
        t = state.get("t") if isinstance(state, dict) else None
        if not isinstance(t, (int, np.integer)) or isinstance(t, bool) or not 0 <= t <= 2 ** 53:
            raise ValueError(f"LRScheduler.load_state_dict: t must be an integer step in "
                             f"[0, 2**53], got t={str(t)[:40] if not isinstance(t, str) else repr(t[:40])}")
        before = self.last_epoch
        try:
            self.last_epoch = int(t)
            self.get_lr()              # raises on a non-finite or non-positive rate
        finally:
            self.last_epoch = before
        self._update_lr(int(t))


def _steps(t, where):
    t = np.asarray(t, dtype=np.float64)
    if not np.all(t >= 0):
        raise ValueError(f"{where}: the step t must be >= 0, got t={t.tolist()!r}")
    return t


def _out(v):
    return float(v) if np.ndim(v) == 0 else v


def _check_eta0(eta0, where):
    _check(lambda: eta0 > 0 and math.isfinite(eta0), where, "eta0", eta0, "a finite number > 0")


def _name(f):
    return getattr(f, "__name__", repr(f))


__all__ = ["inverse_time", "exponential", "step_decay", "cosine_annealing", "linear_warmup",
           "reduce_on_plateau", "LRScheduler", "ReduceLROnPlateau"]
