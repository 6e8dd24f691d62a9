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


ALL = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay)}

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
