"""``keras.ops`` comparisons and logic: equal/less/greater…, isclose, the logical
operations and the floating-point tests (isnan, isinf…); results are bool.
"""

import numpy as np

from ...backend import array_module
from ...tensor import Tensor
from ._common import _const, _eager, _operands, _tensor, _values

__all__ = [
    "equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "isclose",
    "allclose", "logical_and", "logical_or", "logical_xor", "logical_not", "isnan", "isinf",
    "isfinite", "isneginf", "isposinf", "signbit", "isin",
]


def _compare(name, x1, x2, fn):
    a, b = _operands(x1, x2, name)
    if not isinstance(a, Tensor):
        a = _tensor(a, name)
    return fn(a, b)


@_eager
def equal(x1, x2):
    return _compare("equal", x1, x2, lambda a, b: a == b)


@_eager
def not_equal(x1, x2):
    return _compare("not_equal", x1, x2, lambda a, b: a != b)


@_eager
def greater(x1, x2):
    return _compare("greater", x1, x2, lambda a, b: a > b)


@_eager
def greater_equal(x1, x2):
    return _compare("greater_equal", x1, x2, lambda a, b: a >= b)


@_eager
def less(x1, x2):
    return _compare("less", x1, x2, lambda a, b: a < b)


@_eager
def less_equal(x1, x2):
    return _compare("less_equal", x1, x2, lambda a, b: a <= b)



@_eager
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|x1 − x2| ≤ atol + rtol·|x2|, elementwise (bool)."""
    a, b = _tensor(x1, "isclose"), _tensor(x2, "isclose")
    return _const(a, array_module(a.array).isclose(_values(a), _values(b), rtol, atol,
                                                   equal_nan))


@_eager
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether isclose holds everywhere (a bool scalar tensor)."""
    return isclose(x1, x2, rtol, atol, equal_nan).all()


# Elementwise functions of zero derivative (or of booleans): constants of the graph.

def _logical(name, fn):
    @_eager
    def logical(x1, x2):
        a, b = _tensor(x1, name), _tensor(x2, name)
        return _const(a, fn(array_module(a.array), _values(a), _values(b)))
    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = f"Elementwise {name[8:]} of the truth values (bool)."
    return logical


logical_and = _logical("logical_and", lambda xp, a, b: xp.logical_and(a, b))
logical_or = _logical("logical_or", lambda xp, a, b: xp.logical_or(a, b))
logical_xor = _logical("logical_xor", lambda xp, a, b: xp.logical_xor(a, b))


def _test(name, fn, doc, float_dtype=False):
    @_eager
    def test(x):
        t = _tensor(x, name)
        out = fn(array_module(t.array), _values(t))
        if float_dtype and t.dtype.kind not in "fc":
            out = out.astype(np.float32)
        elif float_dtype:
            out = out.astype(t.dtype)
        return _const(t, out)
    test.__name__ = test.__qualname__ = name
    test.__doc__ = doc
    return test


logical_not = _test("logical_not", lambda xp, a: xp.logical_not(a), "not x (bool).")
isnan = _test("isnan", lambda xp, a: xp.isnan(a), "Whether x is NaN (bool).")
isinf = _test("isinf", lambda xp, a: xp.isinf(a), "Whether x is ±∞ (bool).")
isfinite = _test("isfinite", lambda xp, a: xp.isfinite(a), "Whether x is finite (bool).")


isneginf = _test("isneginf", lambda xp, a: xp.isinf(a) & (a < 0), "Whether x is −∞ (bool).")
isposinf = _test("isposinf", lambda xp, a: xp.isinf(a) & (a > 0), "Whether x is +∞ (bool).")
signbit = _test("signbit", lambda xp, a: xp.signbit(a), "Whether the sign bit is set "
                "(−0.0 included; bool).")


@_eager
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each entry of x1 is among x2's (bool)."""
    a, b = _tensor(x1, "isin"), _tensor(x2, "isin")
    found = (_values(a)[..., None] == _values(b).reshape(-1)).any(-1)
    return _const(a, ~found if invert else found)
