"""``keras.constraints``: projections applied to a weight after each optimizer step
(Keras's ``kernel_constraint=``, ``bias_constraint=``): ``constraint(w)`` returns the
projected weight; ε = 1e-7 (Keras's backend.epsilon()).

* ``MaxNorm(max_value=2, axis=0)``: w · clip(‖w‖, 0, max) / (ε + ‖w‖), norms along ``axis``;
* ``MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0)``: w · (rate·clip(‖w‖, min, max)
  + (1 − rate)‖w‖) / (ε + ‖w‖);
* ``NonNeg()``: w · (w ≥ 0);
* ``UnitNorm(axis=0)``: w / (ε + ‖w‖).

A constraint takes a retrograd Tensor (its values: a projection is not differentiated),
a NumPy or CuPy array, and returns the same kind.

>>> keras.constraints.MaxNorm(1.0)(np.array([[3.0], [4.0]]))      # ‖w‖ = 5 along axis 0
array([[0.6], [0.8]])
"""
from ..backend import array_module
from ..serialization import from_config
from ..tensor import Tensor

EPSILON = 1e-7


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight (w unchanged here)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _project(self, w, fn):
        a = w.array if isinstance(w, Tensor) else w
        xp = array_module(a)
        out = fn(xp, xp.asarray(a))
        out = out.astype(a.dtype, copy=False) if hasattr(a, "dtype") else out
        return Tensor._wrap(out) if isinstance(w, Tensor) else out

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _norms(xp, w, axis):
    axis = tuple(axis) if isinstance(axis, list) else axis   # as a .keras file gives it
    return xp.sqrt((w * w).sum(axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Scale each slice along ``axis`` down to norm ``max_value`` if it is longer."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        def fn(xp, a):
            n = _norms(xp, a, self.axis)
            return a * (xp.clip(n, 0, self.max_value) / (EPSILON + n))
        return self._project(w, fn)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's norm towards [min_value, max_value] by ``rate``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        def fn(xp, a):
            n = _norms(xp, a, self.axis)
            desired = self.rate * xp.clip(n, self.min_value, self.max_value) + \
                (1 - self.rate) * n
            return a * (desired / (EPSILON + n))
        return self._project(w, fn)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights set to 0."""

    def __call__(self, w):
        return self._project(w, lambda xp, a: a * (a >= 0))


class UnitNorm(Constraint):
    """Each slice along ``axis`` scaled to norm 1."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return self._project(w, lambda xp, a: a / (EPSILON + _norms(xp, a, self.axis)))

    def get_config(self):
        return {"axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
ALL = {"Constraint": Constraint, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm,
       "NonNeg": NonNeg, "UnitNorm": UnitNorm}
_NAMES = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
          "unit_norm": UnitNorm}


def get(identifier):
    """A constraint from None, a name ("max_norm", "NonNeg"), a config dict, a
    Constraint or a callable (returned as is)."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, dict):
        return from_config(identifier, {**ALL, **_NAMES}, "constraint")
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier) or ALL.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret constraint identifier: {identifier!r}; "
                             f"known: {', '.join(sorted({**ALL, **_NAMES}))}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")


def serialize(constraint):
    return {"module": "keras.constraints", "class_name": type(constraint).__name__,
            "config": constraint.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    if isinstance(config, dict) and custom_objects:
        cls = custom_objects.get(config.get("class_name"))
        if cls is not None:
            return cls.from_config(config.get("config", {}))
    return get(config)


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm",
           "min_max_norm", "non_neg", "unit_norm", "get", "serialize", "deserialize"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
