"""Constraints: the sets a distribution's parameters and values live in, as
``torch.distributions.constraints``.

A constraint is a predicate ``check(value)`` (an elementwise bool tensor, reduced
over the constraint's ``event_dim`` rightmost dimensions) and a repr that the
validation errors quote, e.g. ``GreaterThan(lower_bound=0.0)``.
"""
import numpy as np

from ..backend import array_module
from ..tensor import Tensor


def _array(value):
    return value.array if isinstance(value, Tensor) else np.asarray(value)


class Constraint:
    """A set of values; ``check(value)`` is a bool tensor (True inside)."""
    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__.lstrip("_") + "()"


def _bool(array):
    return Tensor(array)


class _Dependent(Constraint):
    """A constraint that depends on other parameters (not checked by itself)."""

    def __init__(self, *, is_discrete=False, event_dim=0):
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def check(self, value):
        raise ValueError("Cannot determine validity of dependent constraint")


class _Real(Constraint):
    def check(self, value):
        v = _array(value)
        return _bool(v == v)                     # False at NaN only


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        v = _array(value)
        return _bool((v == 0) | (v == 1))


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        v = _array(value)
        return _bool((v % 1 == 0) & (self.lower_bound <= v) & (v <= self.upper_bound))

    def __repr__(self):
        return (f"IntegerInterval(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        v = _array(value)
        return _bool((v % 1 == 0) & (v >= self.lower_bound))

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return _bool(_array(self.lower_bound) < _array(value))

    def __repr__(self):
        return f"GreaterThan(lower_bound={_show(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return _bool(_array(self.lower_bound) <= _array(value))

    def __repr__(self):
        return f"GreaterThanEq(lower_bound={_show(self.lower_bound)})"


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return _bool(_array(value) < _array(self.upper_bound))

    def __repr__(self):
        return f"LessThan(upper_bound={_show(self.upper_bound)})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        v = _array(value)
        return _bool((_array(self.lower_bound) <= v) & (v <= _array(self.upper_bound)))

    def __repr__(self):
        return (f"Interval(lower_bound={_show(self.lower_bound)}, "
                f"upper_bound={_show(self.upper_bound)})")


class _HalfOpenInterval(_Interval):
    def check(self, value):
        v = _array(value)
        return _bool((_array(self.lower_bound) <= v) & (v < _array(self.upper_bound)))

    def __repr__(self):
        return "HalfOpen" + super().__repr__()


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value):
        v = _array(value)
        return _bool((v >= 0).all(-1) & (abs(v.sum(-1) - 1) < 1e-6))


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value):
        v = _array(value)
        return _bool(((v == 0) | (v == 1)).all(-1) & (v.sum(-1) == 1))


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value):
        v = _array(value)
        xp = array_module(v)
        lower = (xp.tril(v) == v).reshape(v.shape[:-2] + (-1,)).all(-1)
        positive = (xp.diagonal(v, axis1=-2, axis2=-1) > 0).all(-1)
        return _bool(lower & positive)


class _PositiveDefinite(Constraint):
    event_dim = 2

    def check(self, value):
        v = _array(value)
        xp = array_module(v)
        symmetric = xp.isclose(v, xp.swapaxes(v, -1, -2), atol=1e-6).all((-2, -1))
        # A symmetric matrix is positive definite when its Cholesky factor exists;
        # the eigenvalues say so without raising.
        positive = (xp.linalg.eigvalsh(v) > 0).all(-1)
        return _bool(symmetric & positive)


class _IndependentConstraint(Constraint):
    """``base`` reinterpreted with ``reinterpreted_batch_ndims`` more event dims."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self.is_discrete = base_constraint.is_discrete
        self.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims

    def check(self, value):
        ok = _array(self.base_constraint.check(value))
        n = self.reinterpreted_batch_ndims
        if n:
            ok = ok.reshape(ok.shape[:ok.ndim - n] + (-1,)).all(-1)
        return _bool(ok)

    def __repr__(self):
        return (f"IndependentConstraint({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


def _show(bound):
    if isinstance(bound, Tensor):
        return bound.item() if bound.numel() == 1 else bound
    return bound


dependent = _Dependent()
real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
one_hot = _OneHot()
real_vector = _IndependentConstraint(real, 1)
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
integer_interval = _IntegerInterval
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
independent = _IndependentConstraint
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_greater_than = _IntegerGreaterThan

__all__ = ["Constraint", "dependent", "real", "boolean", "positive", "nonnegative",
           "unit_interval", "simplex", "one_hot", "real_vector", "lower_cholesky",
           "positive_definite", "integer_interval", "greater_than", "greater_than_eq",
           "less_than", "interval", "half_open_interval", "independent",
           "nonnegative_integer", "positive_integer", "integer_greater_than"]
