"""Keras's learning-rate schedules: η as a function of the optimizer's step count.

Pass one as ``learning_rate=`` to an optimizer; it is evaluated before every step.
These are the course's decay policies with Keras's parameters:
``ExponentialDecay`` is η0·r^{t/T} (= η0·e^{−λt} with λ = −ln r / T),
``InverseTimeDecay`` is η0 / (1 + r·t/T); ``staircase=True`` uses ⌊t/T⌋.
"""
import math


class LearningRateSchedule:
    """Base class: ``schedule(step)`` returns the learning rate at that step."""

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} does not define get_config")

    @classmethod
    def from_config(cls, config):
        if not isinstance(config, dict):
            raise ValueError(f"{cls.__name__}: its configuration must be a dict, got "
                             f"{type(config).__name__}")
        return cls(**config)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive(value, name, who):
    if not _number(value) or not value > 0 or not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be a finite number > 0, got {name}={value!r}")


def _common(staircase, name, who):
    if not isinstance(staircase, bool):
        raise TypeError(f"{who}: staircase must be True or False, got staircase={staircase!r}")
    if not isinstance(name, str):
        raise TypeError(f"{who}: name must be a string, got name={name!r}")


class ExponentialDecay(LearningRateSchedule):
    """η_t = initial_learning_rate · decay_rate^(t / decay_steps)
    (the exponent floored when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _positive(initial_learning_rate, "initial_learning_rate", "ExponentialDecay")
        _positive(decay_steps, "decay_steps", "ExponentialDecay")
        _positive(decay_rate, "decay_rate", "ExponentialDecay")
        _common(staircase, name, "ExponentialDecay")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self):
        return dict(initial_learning_rate=self.initial_learning_rate,
                    decay_steps=self.decay_steps, decay_rate=self.decay_rate,
                    staircase=self.staircase, name=self.name)


class InverseTimeDecay(LearningRateSchedule):
    """η_t = initial_learning_rate / (1 + decay_rate · t / decay_steps)
    (t / decay_steps floored when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _positive(initial_learning_rate, "initial_learning_rate", "InverseTimeDecay")
        _positive(decay_steps, "decay_steps", "InverseTimeDecay")
        if not _number(decay_rate) or not 0 <= decay_rate < math.inf:
            raise ValueError(f"InverseTimeDecay: decay_rate must be a finite number >= 0, "
                             f"got decay_rate={decay_rate!r}")
        _common(staircase, name, "InverseTimeDecay")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def get_config(self):
        return dict(initial_learning_rate=self.initial_learning_rate,
                    decay_steps=self.decay_steps, decay_rate=self.decay_rate,
                    staircase=self.staircase, name=self.name)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while t ≤ boundaries[0], values[1] while t ≤ boundaries[1], …,
    values[-1] after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        for i, b in enumerate(boundaries):
            if not _number(b) or not math.isfinite(b):
                raise ValueError(f"PiecewiseConstantDecay: boundaries[{i}] must be a finite "
                                 f"number, got {b!r}")
        for i, v in enumerate(values):
            _positive(v, f"values[{i}]", "PiecewiseConstantDecay")
        if not isinstance(name, str):
            raise TypeError(f"PiecewiseConstantDecay: name must be a string, got name={name!r}")
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"PiecewiseConstantDecay: values must have one more element "
                             f"than boundaries, got {len(values)} values and "
                             f"{len(boundaries)} boundaries")
        if any(b >= a for a, b in zip(boundaries[1:], boundaries)):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase, got "
                             f"{boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return v
        return self.values[-1]

    def get_config(self):
        return dict(boundaries=self.boundaries, values=self.values, name=self.name)


class PolynomialDecay(LearningRateSchedule):
    """η_t = (η0 − η_end)·(1 − t/T)^power + η_end, t capped at T = decay_steps; with
    ``cycle`` T grows to the first multiple of decay_steps ≥ t (1·decay_steps at 0)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        _positive(decay_steps, "decay_steps", "PolynomialDecay")
        for value, arg in ((initial_learning_rate, "initial_learning_rate"),
                           (end_learning_rate, "end_learning_rate"), (power, "power")):
            if not _number(value) or not math.isfinite(value):
                raise ValueError(f"PolynomialDecay: {arg} must be a finite number, got "
                                 f"{arg}={value!r}")
        _common(cycle, name, "PolynomialDecay")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power = end_learning_rate, power
        self.cycle, self.name = cycle, name

    def __call__(self, step):
        t, T = float(step), float(self.decay_steps)
        if self.cycle:
            T *= 1.0 if t == 0 else math.ceil(t / self.decay_steps)
        else:
            t = min(t, T)
        return ((self.initial_learning_rate - self.end_learning_rate)
                * (1 - t / T) ** self.power + self.end_learning_rate)

    def get_config(self):
        return dict(initial_learning_rate=self.initial_learning_rate,
                    decay_steps=self.decay_steps, end_learning_rate=self.end_learning_rate,
                    power=self.power, cycle=self.cycle, name=self.name)


def _cosine(fraction, alpha):
    """(1 − α)·½(1 + cos πf) + α: from 1 at f = 0 down to α at f = 1."""
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha


class CosineDecay(LearningRateSchedule):
    """Cosine annealing (SGDR without restarts), after an optional linear warmup:
    for t < warmup_steps, η_t = η0 + (warmup_target − η0)·t/warmup_steps; then
    η_t = η_peak·((1 − α)·½(1 + cos(π·min(t − warmup_steps, T)/T)) + α), η_peak =
    warmup_target (η0 without warmup), T = decay_steps."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _positive(decay_steps, "decay_steps", "CosineDecay")
        if not _number(initial_learning_rate) or not math.isfinite(initial_learning_rate):
            raise ValueError(f"CosineDecay: initial_learning_rate must be a finite number, "
                             f"got initial_learning_rate={initial_learning_rate!r}")
        if not _number(alpha) or not math.isfinite(alpha):
            raise ValueError(f"CosineDecay: alpha must be a finite number, got alpha={alpha!r}")
        if warmup_target is not None and (not _number(warmup_target)
                                          or not math.isfinite(warmup_target)):
            raise ValueError(f"CosineDecay: warmup_target must be None or a finite number, "
                             f"got warmup_target={warmup_target!r}")
        if not _number(warmup_steps) or warmup_steps < 0:
            raise ValueError(f"CosineDecay: warmup_steps must be a number >= 0, got "
                             f"warmup_steps={warmup_steps!r}")
        if not isinstance(name, str):
            raise TypeError(f"CosineDecay: name must be a string, got name={name!r}")
        self.initial_learning_rate, self.decay_steps, self.alpha = (
            initial_learning_rate, decay_steps, alpha)
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def __call__(self, step):
        t, T = float(step), float(self.decay_steps)
        if self.warmup_target is None:
            return self.initial_learning_rate * _cosine(min(t, T) / T, self.alpha)
        w = float(self.warmup_steps)
        t = min(t, T + w)
        if t < w:
            return (self.warmup_target - self.initial_learning_rate) * t / w \
                + self.initial_learning_rate
        return self.warmup_target * _cosine((t - w) / T, self.alpha)

    def get_config(self):
        return dict(initial_learning_rate=self.initial_learning_rate,
                    decay_steps=self.decay_steps, alpha=self.alpha, name=self.name,
                    warmup_target=self.warmup_target, warmup_steps=self.warmup_steps)


class CosineDecayRestarts(LearningRateSchedule):
    """SGDR (Loshchilov & Hutter): cosine decay over periods T_i = first_decay_steps·
    t_mul^i, the i-th restarting at η0·m_mul^i; within a period at fraction f,
    η_t = η0·((1 − α)·m_mul^i·½(1 + cos πf) + α)."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        _positive(first_decay_steps, "first_decay_steps", "CosineDecayRestarts")
        _positive(t_mul, "t_mul", "CosineDecayRestarts")
        for value, arg in ((initial_learning_rate, "initial_learning_rate"),
                           (m_mul, "m_mul"), (alpha, "alpha")):
            if not _number(value) or not math.isfinite(value):
                raise ValueError(f"CosineDecayRestarts: {arg} must be a finite number, got "
                                 f"{arg}={value!r}")
        if not isinstance(name, str):
            raise TypeError(f"CosineDecayRestarts: name must be a string, got name={name!r}")
        self.initial_learning_rate, self.first_decay_steps = (
            initial_learning_rate, first_decay_steps)
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        f = float(step) / self.first_decay_steps
        if self._t_mul == 1.0:
            i = math.floor(f)
            f -= i
        else:
            # the periods 1, t, t², … (in first_decay_steps) sum to (1 − tⁱ)/(1 − t)
            i = math.floor(math.log(1.0 - f * (1.0 - self._t_mul)) / math.log(self._t_mul))
            f = (f - (1.0 - self._t_mul ** i) / (1.0 - self._t_mul)) / self._t_mul ** i
        # Keras scales the cosine by m_mul^i, not the floor α
        return self.initial_learning_rate * ((1 - self.alpha) * 0.5 * self._m_mul ** i
                                             * (1 + math.cos(math.pi * f)) + self.alpha)

    def get_config(self):
        return dict(initial_learning_rate=self.initial_learning_rate,
                    first_decay_steps=self.first_decay_steps, t_mul=self._t_mul,
                    m_mul=self._m_mul, alpha=self.alpha, name=self.name)


ALL = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
                               PolynomialDecay, CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    """Keras's dict form of a schedule: ``{"module": "keras.optimizers.schedules",
    "class_name": …, "config": …, "registered_name": None}``."""
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError(f"keras.optimizers.schedules.serialize: expected a "
                        f"LearningRateSchedule, got {type(learning_rate_schedule).__name__}")
    return {"module": "keras.optimizers.schedules",
            "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """The schedule a ``serialize`` dict describes (``{"class_name", "config"}``);
    ``custom_objects`` maps extra class names to classes."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"keras.optimizers.schedules.deserialize: expected a dict with "
                         f"'class_name' and 'config', got {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL.get(name)
    if cls is None:
        raise ValueError(f"keras.optimizers.schedules.deserialize: unknown schedule "
                         f"{name!r}; known: {', '.join(ALL)}")
    return cls.from_config(config.get("config", {}))

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
