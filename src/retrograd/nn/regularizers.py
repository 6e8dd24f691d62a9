"""Weight penalties (course section 6), as Keras defines them: a regulariser is a
callable ``r(w)`` returning a scalar tensor added to the training loss.

* ``L2(l2)``: l2·Σw² — weight decay: its gradient 2·l2·w pulls every weight
  towards 0 (SGD with lr η then shrinks w by 2η·l2 each step);
* ``L1(l1)``: l1·Σ|w| — its constant-size pull drives small weights to exactly 0;
* ``L1L2(l1, l2)``: both.

Attach one to a layer (``Dense(…, kernel_regularizer=L2(1e-4))``) and add
``model.regularization_loss()`` to the loss, or call it directly: ``L2(1e-4)(w)``.
"""
import math

import numpy as np

from ..ops.losses import AbsSum, SquaredNorm
from ..serialization import from_config


class Regularizer:
    """Base class: ``__call__(w)`` → penalty tensor; ``get_config()`` for saving."""

    def __call__(self, w):
        raise NotImplementedError

    def get_config(self):
        return dict(vars(self))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _factor(name, arg, value):
    """A penalty factor: a finite number >= 0 (as Keras: inf, NaN, strings refused)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and \
        not isinstance(value, bool) and math.isfinite(value) and value >= 0
    if not ok:
        raise ValueError(f"{name}: the factor must be a non-negative number, finite, "
                         f"for argument {arg}. Received: {arg}={value!r}")
    return float(value)


class L1(Regularizer):
    """Penalty l1·Σ|w|."""

    def __init__(self, l1=0.01):
        self.l1 = _factor("L1", "l1", l1)

    def __call__(self, w):
        return AbsSum().apply(w) * self.l1


class L2(Regularizer):
    """Penalty l2·Σw² (Keras's L2: no ½)."""

    def __init__(self, l2=0.01):
        self.l2 = _factor("L2", "l2", l2)

    def __call__(self, w):
        return SquaredNorm().apply(w) * self.l2


class L1L2(Regularizer):
    """Penalty l1·Σ|w| + l2·Σw²."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _factor("L1L2", "l1", l1), _factor("L1L2", "l2", l2)

    def __call__(self, w):
        if not self.l1:               # l2·Σw² alone (a zero tensor when both are 0)
            return SquaredNorm().apply(w) * self.l2
        total = AbsSum().apply(w) * self.l1
        return total + SquaredNorm().apply(w) * self.l2 if self.l2 else total


l1, l2, l1_l2 = L1, L2, L1L2

_NAMES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    """A regulariser from a name ("l2"), a config dict, an instance or a callable."""
    if identifier is None or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if isinstance(identifier, dict):
        return from_config(identifier, _NAMES, "regularizer")
    if isinstance(identifier, str):
        if identifier not in _NAMES:
            raise ValueError(f"unknown regularizer {identifier!r}; valid names: "
                             + ", ".join(sorted(_NAMES)))
        return _NAMES[identifier]()
    raise TypeError(f"regularizer must be a name, a config dict or a callable, got "
                    f"{type(identifier).__name__}")
