"""Learning-rate schedulers with PyTorch's names and semantics
(``torch.optim.lr_scheduler``): same formulas, same order of floating-point
operations, so the rates equal PyTorch's to the last bit.

A scheduler is made after its optimiser and stepped after each ``optimizer.step()``
(once per epoch, or per batch for ``OneCycleLR`` and ``CyclicLR``)::

    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)            # opt.step() inside
        sched.step()

Making one sets each group's ``initial_lr`` (if absent) and step 0's rate.
Most are *chainable*: ``get_lr`` turns the group's current ``lr`` into the next one,
so two schedulers stepped together compose (e.g. ``ExponentialLR`` and
``MultiStepLR`` multiply). ``step(epoch)`` (deprecated in PyTorch) jumps to an epoch
with the closed form. ``state_dict()`` is the scheduler's attributes but the
optimiser (JSON-serialisable: ``checkpoint.save_checkpoint`` stores it).

The course's closed forms of η_t, and a driver for any f(t, η0), are in
``schedules.py``.
"""
import math
import warnings
from bisect import bisect_right
from collections import Counter

import numpy as np

from ..missing import module_getattr
from .optimizer import LR_MAX, Optimizer


class LRScheduler:
    """Base class: a subclass defines ``get_lr()``, the rate of each group at
    ``last_epoch`` (already advanced by ``step``), and may define
    ``_get_closed_form_lr()`` for ``step(epoch)``. ``base_lrs`` are the groups'
    ``initial_lr``; ``get_last_lr()`` the rates the last step set."""

    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer, type(self).__name__)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no "
                                   f"'initial_lr' while resuming with last_epoch="
                                   f"{last_epoch}; load the optimizer's state first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr()")

    def get_last_lr(self):
        """The learning rate of each group, as set by the last ``step``."""
        return self._last_lr

    def step(self, epoch=None):
        """Advance ``last_epoch`` by one (or set it to ``epoch``) and set the rates."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(f"{type(self).__name__}.step(epoch) is deprecated (as in PyTorch): "
                          "call step() without an epoch; with one, the closed form is used",
                          UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Every attribute but the optimiser."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Take the attributes of ``state_dict`` (from ``state_dict()``), each checked
        first against this scheduler's own (see ``checked_state``): nothing changes
        unless all pass."""
        self.__dict__.update(checked_state(self, state_dict))


class _Lambdas(LRScheduler):
    """A scheduler driven by a function of the epoch per group, ``lr_lambdas``."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        where = type(self).__name__
        _check_optimizer(optimizer, where)
        self.optimizer = optimizer
        self.lr_lambdas = _per_group(where, optimizer, lr_lambda, "lr_lambda")
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"{where}: lr_lambda must be a function of the epoch, got "
                                f"{type(f).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """The attributes; of ``lr_lambdas`` only a callable object's own attributes
        (a function or lambda is None): functions are not data."""
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if _is_function(f) or not hasattr(f, "__dict__")
                               else dict(f.__dict__) for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(_as_dict(self, state_dict))
        lambdas = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        current = self.state_dict()["lr_lambdas"]
        lambdas = _checked(type(self).__name__, "lr_lambdas", current, lambdas)
        state = checked_state(self, state)
        self.__dict__.update(state)
        for f, saved in zip(self.lr_lambdas, lambdas):
            if saved is not None:
                f.__dict__.update(saved)


class LambdaLR(_Lambdas):
    """η_t = η0 · λ(t), ``lr_lambda`` a function of the epoch (or one per group)."""

    def get_lr(self):
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_Lambdas):
    """η_t = η_{t−1} · λ(t) for t ≥ 1."""

    def get_lr(self):
        if self._is_initial:
            return self._lrs()
        return [g["lr"] * f(self.last_epoch)
                for f, g in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    """η multiplied by ``gamma`` every ``step_size`` epochs: η_t = η0·γ^⌊t/step_size⌋."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check(lambda: step_size > 0, "StepLR", "step_size", step_size, "a number of epochs > 0")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """η multiplied by ``gamma`` at each epoch of ``milestones`` (γⁿ at a milestone
    given n times): η_t = η0·γ^(number of milestones ≤ t)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        _check(lambda: all(_is_int(m) for m in milestones), "MultiStepLR", "milestones",
               milestones, "a list of integer epochs")
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._lrs()
        return [g["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base in self.base_lrs]

    def load_state_dict(self, state_dict):
        # Through JSON (a checkpoint's header) the epochs come back as strings.
        state = dict(_as_dict(self, state_dict))
        if "milestones" in state:
            m = state["milestones"]
            if not isinstance(m, dict) or not all(
                    _is_int(int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k)
                    and _is_int(v) and v >= 1 for k, v in m.items()):
                raise ValueError(f"MultiStepLR.load_state_dict: milestones must map integer "
                                 f"epochs to counts >= 1, got {str(m)[:80]}")
            state["milestones"] = Counter({int(k): v for k, v in m.items()})
        super().load_state_dict(state)


class ConstantLR(LRScheduler):
    """η0·``factor`` for the first ``total_iters`` epochs, then η0."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        _check(lambda: 0 <= factor <= 1, "ConstantLR", "factor", factor, "in [0, 1]")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [g["lr"] * self.factor for g in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return self._lrs()
        return [g["lr"] * (1.0 / self.factor) for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """η_t = η0·(s + (e − s)·min(t, T)/T), s = ``start_factor``, e = ``end_factor``,
    T = ``total_iters``: a straight line from η0·s to η0·e, then flat (a warm-up
    when s < e). Stepped as the ratio of successive factors."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        _check(lambda: 0 < start_factor <= 1, "LinearLR", "start_factor", start_factor,
               "in (0, 1]")
        _check(lambda: 0 <= end_factor <= 1, "LinearLR", "end_factor", end_factor, "in [0, 1]")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, \
            total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [g["lr"] * self.start_factor for g in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._lrs()
        s, e = self.start_factor, self.end_factor
        ratio = 1.0 + (e - s) / (self.total_iters * s + (self.last_epoch - 1) * (e - s))
        return [g["lr"] * ratio for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        s, e = self.start_factor, self.end_factor
        return [base * (s + (e - s) * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """η_t = η_{t−1}·γ = η0·γᵗ."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._lrs()
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """η_t = η0·(1 − min(t, T)/T)^``power``, T = ``total_iters``."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        _check(lambda: total_iters > 0, "PolynomialLR", "total_iters", total_iters, "> 0")
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._lrs()
        t, T = self.last_epoch, self.total_iters
        factor = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [g["lr"] * factor for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """η_t = η_min + (η0 − η_min)·(1 + cos(π t/T))/2, T = ``T_max``, computed
    recursively from η_{t−1} as PyTorch does (past T it rises again: a cosine of
    period 2T, no restart)."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check(lambda: T_max > 0, "CosineAnnealingLR", "T_max", T_max, "> 0")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if self._step_count == 1 and t > 0:
            return [lo + (base - lo) * (1 + math.cos(t * math.pi / T)) / 2
                    for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            return [g["lr"] + (base - lo) * (1 - math.cos(math.pi / T)) / 2
                    for base, g in zip(self.base_lrs, self.optimizer.param_groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (g["lr"] - lo) + lo for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: η = η_min + (η0 − η_min)·(1 + cos(π T_cur/T_i))/2, T_cur the epochs
    since the last restart, back to η0 (a warm restart) when T_cur reaches T_i;
    T_0 = ``T_0``, T_(i+1) = ``T_mult``·T_i. ``step(epoch)`` takes a fractional
    epoch, to anneal within an epoch (PyTorch's documented use, no warning)::

        iters = len(loader)
        for epoch in range(20):
            for i, batch in enumerate(loader):
                ...                                   # opt.step()
                sched.step(epoch + i / iters)
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        where = "CosineAnnealingWarmRestarts"
        for name, value, low in (("T_0", T_0, 1), ("T_mult", T_mult, 1)):
            # Not a number: a TypeError, as PyTorch's comparison with it raises.
            if not isinstance(value, (int, float, np.number)):
                raise TypeError(f"{where}: {name} must be an integer >= {low}, got "
                                f"{type(value).__name__} {value!r}")
            _check(lambda: _is_int(value) and value >= low, where, name, value,
                   f"an integer >= {low}")
        _check(lambda: isinstance(eta_min, (int, float, np.number)) and
               not isinstance(eta_min, bool), where, "eta_min", eta_min, "a number")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.T_cur
                                                                      / self.T_i)) / 2
                for base in self.base_lrs]

    def step(self, epoch=None):
        """Next epoch (T_cur + 1, restarting at T_i), or jump to ``epoch`` (a float
        allowed): T_cur and T_i are then found from the geometric sum
        T_0·(1 + T_mult + … + T_multⁿ⁻¹) ≤ epoch."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if not isinstance(epoch, (int, float, np.number)) or isinstance(epoch, bool):
                raise TypeError(f"CosineAnnealingWarmRestarts.step: epoch must be a number, "
                                f"got {type(epoch).__name__} {epoch!r}")
            if not epoch >= 0 or math.isinf(epoch):
                raise ValueError(f"CosineAnnealingWarmRestarts.step: expected a finite "
                                 f"epoch >= 0, got epoch={epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = self._lrs()


class _Composite(LRScheduler):
    """A scheduler made of others (``_schedulers``), saved with their states."""

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(_as_dict(self, state_dict))
        inner = state.pop("_schedulers", None)
        if not isinstance(inner, (list, tuple)) or len(inner) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: _schedulers must list "
                             f"the states of its {len(self._schedulers)} schedulers")
        state = checked_state(self, state)
        backup = [s.state_dict() for s in self._schedulers]
        try:                      # all of them or none
            for s, saved in zip(self._schedulers, inner):
                s.load_state_dict(saved)
        except BaseException:
            for s, saved in zip(self._schedulers, backup):
                s.__dict__.update(saved)
            raise
        self.__dict__.update(state)


class SequentialLR(_Composite):
    """``schedulers[k]`` drives the rate from epoch ``milestones[k−1]`` on (each
    starting from its own epoch 0), e.g. ``LinearLR`` warm-up then
    ``CosineAnnealingLR``."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        _check_optimizer(optimizer, "SequentialLR")
        _check_chain("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: {len(schedulers)} schedulers need "
                             f"{len(schedulers) - 1} milestones, got {len(milestones)}")
        self._schedulers, self._milestones = list(schedulers), list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()          # undo the initial step each scheduler took
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None):
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Steps every scheduler of ``schedulers`` at each ``step()``: their factors
    multiply (chainable schedulers only)."""

    def __init__(self, schedulers, optimizer=None):
        if not schedulers:
            raise ValueError("ChainedScheduler: expected at least one scheduler")
        optimizer = optimizer or schedulers[0].optimizer
        _check_chain("ChainedScheduler", optimizer, schedulers)
        self._schedulers, self.optimizer = list(schedulers), optimizer
        self._last_lr = self._lrs()

    def step(self):
        for s in self._schedulers:
            s.step()
        self._last_lr = self._lrs()


class OneCycleLR(LRScheduler):
    """The 1cycle policy, stepped once per batch for ``total_steps`` (or ``epochs``
    × ``steps_per_epoch``) steps: from max_lr/``div_factor`` up to ``max_lr`` over
    the first ``pct_start`` of the steps, then down to
    max_lr/(div_factor·``final_div_factor``), by half-cosines ("cos") or lines
    ("linear"); momentum (or Adam's β₁) moves the other way between
    ``base_momentum`` and ``max_momentum``. ``three_phase`` climbs back to the
    initial rate symmetrically before the final descent."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
                 base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
                 final_div_factor=1e4, three_phase=False, last_epoch=-1):
        _check_optimizer(optimizer, "OneCycleLR")
        self.optimizer = optimizer
        if total_steps is not None:
            _check(lambda: _is_int(total_steps) and total_steps > 0, "OneCycleLR",
                   "total_steps", total_steps, "an integer > 0")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            _check(lambda: _is_int(epochs) and epochs > 0, "OneCycleLR", "epochs", epochs,
                   "an integer > 0")
            _check(lambda: _is_int(steps_per_epoch) and steps_per_epoch > 0, "OneCycleLR",
                   "steps_per_epoch", steps_per_epoch, "an integer > 0")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")
        _check(lambda: isinstance(pct_start, float) and 0 <= pct_start <= 1, "OneCycleLR",
               "pct_start", pct_start, "a float in [0, 1]")
        _check(lambda: anneal_strategy in ("cos", "linear"), "OneCycleLR", "anneal_strategy",
               anneal_strategy, "'cos' or 'linear'")
        n = self.total_steps
        up = float(pct_start * n) - 1
        if three_phase:
            self._schedule_phases = [
                _phase(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(float(2 * pct_start * n) - 2, "max_lr", "initial_lr", "base_momentum",
                       "max_momentum"),
                _phase(n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._schedule_phases = [
                _phase(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        self._anneal_func_type = anneal_strategy
        max_lrs = _per_group("OneCycleLR", optimizer, max_lr, "max_lr")
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, _, _ = _cycled_momentum("OneCycleLR", optimizer, base_momentum,
                                                    max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {step} times, beyond total_steps="
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]],
                                                group[phase["end_momentum"]], pct)
                    break
                start = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                _set_momentum(group, momentum, self.use_beta1)
        return lrs


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith 2017), stepped once per batch: the rate climbs
    linearly from ``base_lr`` to ``max_lr`` over ``step_size_up`` iterations, comes
    back over ``step_size_down`` (default: the same), and repeats. With t the
    iteration, c = ⌊1 + t/(up + down)⌋ the cycle and x = 1 + t/(up + down) − c,

        η_t = base_lr + (max_lr − base_lr)·h(x)·s,

    h(x) = x/r rising (x ≤ r = up/(up + down)), (x − 1)/(r − 1) falling, and the
    scale s = 1 ("triangular"), 1/2^(c−1) ("triangular2"), γᵗ ("exp_range"), or
    ``scale_fn(c)`` / ``scale_fn(t)`` (``scale_mode`` "cycle" / "iterations").
    With ``cycle_momentum`` the momentum (Adam: β₁) moves the other way, from
    ``max_momentum`` down to ``base_momentum`` at the peak. Making it sets each
    group's lr to base_lr.

    >>> sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=10)
    >>> for batch in loader: ...; opt.step(); sched.step()
    """

    _MODES = ("triangular", "triangular2", "exp_range")

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        where = "CyclicLR"
        _check_optimizer(optimizer, where)
        self.optimizer = optimizer
        base_lrs = _per_group(where, optimizer, base_lr, "base_lr")
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group(where, optimizer, max_lr, "max_lr")
        up = _size(step_size_up, where, "step_size_up", "> 0")
        down = up if step_size_down is None else _size(step_size_down, where,
                                                        "step_size_down", ">= 0")
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in self._MODES and scale_fn is None:
            raise ValueError(f"{where}: mode must be one of {self._MODES} (or give scale_fn),"
                             f" got mode={mode!r}")
        if scale_fn is not None:
            if not callable(scale_fn):
                raise TypeError(f"{where}: scale_fn must be a function of the cycle or "
                                f"iteration, got {type(scale_fn).__name__}")
            _check(lambda: scale_mode in ("cycle", "iterations"), where, "scale_mode",
                   scale_mode, "'cycle' or 'iterations'")
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = _cycled_momentum(
                where, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        # As PyTorch: the first step used the groups' initial_lr, later ones base_lr.
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        """The built-in modes fix scale_mode: per cycle, but γᵗ per iteration."""
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x):
        """The amplitude's scale at cycle (or iteration) x."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        """The rates at ``last_epoch``; sets the groups' momentum (or β₁) too."""
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [base + (top - base) * scale_factor * self.scale_fn(at)
               for base, top in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            for lo, hi, group in zip(self.base_momentums, self.max_momentums,
                                     self.optimizer.param_groups, strict=True):
                _set_momentum(group, hi - (hi - lo) * scale_factor * self.scale_fn(at),
                              self.use_beta1)
        return lrs

    def state_dict(self):
        """The attributes; of ``scale_fn`` only a callable object's own attributes
        (a function or lambda is None): functions are not data."""
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_scale_fn_custom")}
        f = self._scale_fn_custom
        state["_scale_fn_custom"] = None if f is None or _is_function(f) or \
            not hasattr(f, "__dict__") else dict(f.__dict__)
        return state

    def load_state_dict(self, state_dict):
        state = dict(_as_dict(self, state_dict))
        where = "CyclicLR.load_state_dict"
        saved_fn = state.pop("_scale_fn_custom", None)
        saved_fn = _checked(where, "_scale_fn_custom", self.state_dict()["_scale_fn_custom"],
                            saved_fn)
        mode = state.pop("mode", self.mode)
        if self._scale_fn_custom is None and mode not in self._MODES:
            raise ValueError(f"{where}: mode={str(mode)[:40]}, expected one of {self._MODES}")
        if not isinstance(mode, str):
            raise ValueError(f"{where}: mode={str(mode)[:40]}, expected a string")
        state = checked_state(self, state)
        self.__dict__.update(state)
        self.mode = mode
        if saved_fn is not None:
            self._scale_fn_custom.__dict__.update(saved_fn)
        self._init_scale_fn()


def _size(value, where, name, expected):
    """A CyclicLR step size as a float (PyTorch's float(value), with its error
    types); PyTorch divides by zero for step_size_up=0 and gives meaningless rates
    for negative sizes: both are refused."""
    try:
        size = float(value)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{where}: {name} must be a number of iterations {expected}, got "
                      f"{name}={value!r}") from None
    _check(lambda: math.isfinite(size) and (size > 0 if expected == "> 0" else size >= 0),
           where, name, value, f"a finite number of iterations {expected}")
    return size


def _phase(end_step, start_lr, end_lr, start_momentum, end_momentum):
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr,
            "start_momentum": start_momentum, "end_momentum": end_momentum}


# -- reduce on a plateau of a metric -----------------------------------------------------
class _Plateau:
    """Watches a metric: ``_observe(m)`` is True when the rate should drop now."""

    def __init__(self, where, mode, factor, patience, threshold, threshold_mode, cooldown,
                 eps):
        _check(lambda: mode in ("min", "max"), where, "mode", mode, "'min' or 'max'")
        _check(lambda: threshold_mode in ("rel", "abs"), where, "threshold_mode",
               threshold_mode, "'rel' or 'abs'")
        _check(lambda: 0 < factor < 1, where, "factor", factor, "in (0, 1)")
        _check(lambda: _is_int(patience) and patience >= 0, where, "patience", patience,
               "an integer >= 0")
        _check(lambda: _is_int(cooldown) and cooldown >= 0, where, "cooldown", cooldown,
               "an integer >= 0")
        _check(lambda: threshold >= 0 and math.isfinite(threshold), where, "threshold",
               threshold, "a finite number >= 0")
        self._where = where
        self.mode, self.factor, self.patience, self.cooldown, self.eps = \
            mode, factor, patience, cooldown, eps
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best, self.num_bad_epochs, self.cooldown_counter = self.mode_worse, 0, 0

    def _is_better(self, a, best):
        """a improves on best: below best·(1 − threshold) ("rel") or best − threshold
        ("abs") in "min" mode; above best·(1 + threshold) or best + threshold in "max"."""
        rel, th = self.threshold_mode == "rel", self.threshold
        if self.mode == "min":
            return a < (best * (1.0 - th) if rel else best - th)
        return a > (best * (th + 1.0) if rel else best + th)

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _observe(self, metric):
        try:
            current = float(metric)
        except (TypeError, ValueError):
            raise TypeError(f"{self._where}: the metric must be a number, "
                            f"got {metric!r}") from None
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0      # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
            return True
        return False


def _reduced(lr, factor, min_lr, eps):
    """max(lr·factor, min_lr), unless that changes lr by eps or less."""
    new = max(lr * factor, min_lr)
    return new if lr - new > eps else lr


class ReduceLROnPlateau(_Plateau, LRScheduler):
    """Multiply each group's rate by ``factor`` (not below its ``min_lr``) when the
    metric given to ``step(metric)`` has not improved for more than ``patience``
    epochs (improved: see ``_is_better``); ``cooldown`` epochs follow in which bad
    epochs do not count.

    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=3)
    >>> sched.step(val_loss)
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        _Plateau.__init__(self, "ReduceLROnPlateau", mode, factor, patience, threshold,
                          threshold_mode, cooldown, eps)
        _check_optimizer(optimizer, "ReduceLROnPlateau")
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"ReduceLROnPlateau: min_lr has {len(min_lr)} values for "
                                 f"{n} parameter groups")
            self.default_min_lr, self.min_lrs = None, list(min_lr)
        else:
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * n
        for m in self.min_lrs:
            _check(lambda: m >= 0 and math.isfinite(m), "ReduceLROnPlateau", "min_lr", m,
                   "a finite number >= 0")
        self.last_epoch = 0
        self._last_lr = self._lrs()

    def step(self, metrics, epoch=None):
        """Record this epoch's metric; reduce the rates on a plateau."""
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._observe(metrics):
            groups = self.optimizer.param_groups
            if len(groups) != len(self.min_lrs):
                if self.default_min_lr is None:
                    raise RuntimeError(f"ReduceLROnPlateau: the optimizer has {len(groups)} "
                                       f"parameter groups, min_lr {len(self.min_lrs)} values")
                self.min_lrs = [self.default_min_lr] * len(groups)
            for g, m in zip(groups, self.min_lrs):
                g["lr"] = _reduced(float(g["lr"]), self.factor, m, self.eps)
        self._last_lr = self._lrs()

    def load_state_dict(self, state_dict):
        state = dict(_as_dict(self, state_dict))
        if "bad" in state:           # the state of retrograd's earlier ReduceLROnPlateau
            state["num_bad_epochs"] = state.pop("bad")
        self.__dict__.update(checked_state(self, state))


# -- checks -------------------------------------------------------------------------------
def _cycled_momentum(where, optimizer, base_momentum, max_momentum, last_epoch):
    """cycle_momentum's setup (OneCycleLR, CyclicLR): ``(use_beta1, lows, highs)``,
    use_beta1 True when the cycled value is Adam's β₁ (``betas``), False for SGD's
    ``momentum`` (an optimizer with neither is PyTorch's ValueError); a fresh
    scheduler starts each group at its max_momentum and records both bounds."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{where}: cycle_momentum=True needs an optimizer with momentum "
                         f"or betas; {type(optimizer).__name__} has neither (pass "
                         "cycle_momentum=False)")
    use_beta1 = "betas" in optimizer.defaults
    lows = _per_group(where, optimizer, base_momentum, "base_momentum")
    highs = _per_group(where, optimizer, max_momentum, "max_momentum")
    if last_epoch == -1:
        for hi, lo, group in zip(highs, lows, optimizer.param_groups):
            _set_momentum(group, hi, use_beta1)
            group["max_momentum"], group["base_momentum"] = hi, lo
    return use_beta1, lows, highs


def _set_momentum(group, momentum, use_beta1):
    """A group's cycled momentum: Adam's β₁ or SGD's ``momentum``."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _check_optimizer(optimizer, where):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: optimizer must be a retrograd.optim.Optimizer, got "
                        f"{type(optimizer).__name__}")


def _check_chain(where, optimizer, schedulers):
    if len(schedulers) < 1:
        raise ValueError(f"{where}: expected at least one scheduler")
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler):
            raise TypeError(f"{where}: schedulers[{i}] is a {type(s).__name__}, not an "
                            "LRScheduler")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(f"{where}: schedulers[{i}] is a ReduceLROnPlateau, whose step "
                             "needs the metric; step it on its own")
        if s.optimizer is not optimizer:
            raise ValueError(f"{where}: schedulers[{i}] ({type(s).__name__}) drives "
                             "another optimizer")


def _per_group(where, optimizer, value, name):
    """``value`` for each group: a list/tuple of one per group, or one for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{where}: {name} has {len(value)} values for {n} parameter "
                             "groups")
        return list(value)
    return [value] * n


def _is_function(f):
    import types
    return isinstance(f, (types.FunctionType, types.BuiltinFunctionType, types.MethodType))


def _check(ok, where, name, value, expected):
    """Raise a ValueError naming the argument unless ``ok()`` holds (a value of
    the wrong type, e.g. a string, fails the check instead of crashing it)."""
    try:
        ok = bool(ok())
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{where}: {name} must be {expected}, got {name}={value!r}")


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


# -- a saved state, checked before it is taken ---------------------------------------------
# Each attribute of a state read from a file must have the kind of the scheduler's own
# (number, integer, flag, string, list of the same length, dict with the same keys), be
# finite (best and mode_worse may be ±inf: the metric's worst) and lie in its range.
_BIG = 2 ** 53                    # integers beyond this are not exact in a float
_INTEGERS = {"last_epoch": (-1, _BIG), "_step_count": (0, _BIG), "num_bad_epochs": (0, _BIG),
             "cooldown_counter": (0, _BIG), "patience": (0, _BIG), "cooldown": (0, _BIG),
             "total_steps": (1, _BIG), "T_0": (1, _BIG), "T_i": (1, _BIG),
             "T_mult": (1, _BIG)}
_RANGES = {"base_lrs": (0, LR_MAX), "_last_lr": (0, LR_MAX), "min_lrs": (0, LR_MAX),
           "default_min_lr": (0, LR_MAX), "eta_min": (0, LR_MAX), "gamma": (0, math.inf),
           "factor": (0, 1), "start_factor": (0, 1), "end_factor": (0, 1),
           "step_size": (0, math.inf), "T_max": (0, math.inf), "total_iters": (0, _BIG),
           "eps": (0, math.inf), "threshold": (0, math.inf),
           "T_cur": (0, math.inf), "max_lrs": (0, LR_MAX), "total_size": (0, math.inf),
           "step_ratio": (0, 1), "base_momentums": (0, 1), "max_momentums": (0, 1)}
_CHOICES = {"mode": ("min", "max"), "threshold_mode": ("rel", "abs"),   # CyclicLR checks its
            "scale_mode": ("cycle", "iterations"),                         # own mode
            "_anneal_func_type": ("cos", "linear"),     # OneCycleLR's phases name entries
            "start_lr": ("initial_lr", "max_lr", "min_lr"),   # of the groups:
            "end_lr": ("initial_lr", "max_lr", "min_lr"),     # none other may be read
            "start_momentum": ("max_momentum", "base_momentum"),
            "end_momentum": ("max_momentum", "base_momentum")}
_MAY_BE_INFINITE = {"best", "mode_worse"}


def checked_state(scheduler, state_dict):
    """``state_dict`` checked against ``scheduler.state_dict()``, attribute by
    attribute; returns the values to take (JSON's lists back into tuples, integral
    floats into ints). A ValueError names the attribute, the value and what is
    allowed."""
    state = _as_dict(scheduler, state_dict)
    current = scheduler.state_dict()
    where = f"{type(scheduler).__name__}.load_state_dict"
    unknown = [k for k in state if k not in current]
    if unknown:
        raise ValueError(f"{where}: unknown entries {[str(k)[:40] for k in unknown][:5]}; "
                         f"this scheduler has {sorted(current)}")
    return {k: _checked(where, k, current[k], v) for k, v in state.items()}


def _as_dict(scheduler, state_dict):
    if not isinstance(state_dict, dict):
        raise ValueError(f"{type(scheduler).__name__}.load_state_dict: expected a dict, got "
                         f"{type(state_dict).__name__}")
    return state_dict


def _checked(where, name, current, value, key=None):
    key = name if key is None else key
    shown = f"{name}={str(value)[:60]}"
    if isinstance(current, bool) or current is None and isinstance(value, bool):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{where}: {shown}, expected True or False")
        return bool(value)
    if isinstance(current, (int, float, np.number)) or current is None and \
            isinstance(value, (int, float)):
        if not isinstance(value, (int, float, np.number)) or isinstance(value, bool) or \
                math.isnan(value) or math.isinf(value) and key not in _MAY_BE_INFINITE:
            raise ValueError(f"{where}: {shown}, expected a finite number")
        if key in _INTEGERS:
            low, high = _INTEGERS[key]
            if value != int(value) or not low <= value <= high:
                raise ValueError(f"{where}: {shown}, expected an integer in [{low}, {high}]")
            return int(value)
        low, high = _RANGES.get(key, (-math.inf, math.inf))
        if not low <= value <= high:
            raise ValueError(f"{where}: {shown}, expected a number in [{low}, {high}]")
        return value
    if isinstance(current, str):
        if not isinstance(value, str) or key in _CHOICES and value not in _CHOICES[key]:
            allowed = _CHOICES.get(key, "a string")
            raise ValueError(f"{where}: {shown}, expected {allowed}")
        return value
    if isinstance(current, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(current):
            raise ValueError(f"{where}: {shown}, expected a list of {len(current)} values")
        items = [_checked(where, f"{name}[{i}]", c, v, key)
                 for i, (c, v) in enumerate(zip(current, value))]
        return tuple(items) if isinstance(current, tuple) else items
    if isinstance(current, dict):
        if not isinstance(value, dict) or set(value) - set(current):
            raise ValueError(f"{where}: {shown}, expected a dict with some of the keys "
                             f"{sorted(map(str, current))}")
        return {k: _checked(where, f"{name}[{k!r}]", current[k], v, k)
                for k, v in value.items()}
    if current is None and value is None:
        return None
    raise ValueError(f"{where}: {shown} cannot be loaded (this scheduler's {name} is a "
                     f"{type(current).__name__})")


# PyTorch's schedulers are all here; another name gets an AttributeError naming the docs.
__getattr__ = module_getattr(__name__, {})

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
           "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
           "CosineAnnealingWarmRestarts", "SequentialLR", "ChainedScheduler", "OneCycleLR",
           "CyclicLR", "ReduceLROnPlateau"]
