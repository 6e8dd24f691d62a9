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
        return cls(**config)


def _positive(value, name, who):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 \
            or not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be a finite number > 0, got {name}={value!r}")


class ExponentialDecay(LearningRateSchedule):
    """η_t = initial_learning_rate · decay_rate^(t / decay_steps)
    (the exponent floored when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _positive(initial_learning_rate, "initial_learning_rate", "ExponentialDecay")
        _positive(decay_steps, "decay_steps", "ExponentialDecay")
        _positive(decay_rate, "decay_rate", "ExponentialDecay")
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
        if not isinstance(decay_rate, (int, float)) or not decay_rate >= 0:
            raise ValueError(f"InverseTimeDecay: decay_rate must be >= 0, got "
                             f"decay_rate={decay_rate!r}")
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
