"""PyTorch's everyday elementwise math (ops/rounding.py, exponential.py, trigonometry.py,
special.py, logical.py, division.py), each function written once as ``lambda m, …``
and run with m = retrograd and m = torch on the same inputs: values (float64, float32,
NaN/±∞ and edge points), result dtypes (integer and bool inputs), gradients (PyTorch's
and finite differences), forward mode, the method / in-place / out= spellings, the
device-generic body (fake CuPy) and the errors. Table-driven, to stay fast."""
import importlib.util
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from harness import check_grad, check_jvp

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")

NAN, INF = float("nan"), float("inf")
EDGES = np.array([NAN, INF, -INF, 0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1.0, -1.0, 1e-8,
                  0.3, -0.7, 3.7, -3.7, 40.0, 0.99, 1.01, -1e-30])
RNG = np.random.default_rng(0)

# name: (domain of smooth inputs for the gradient checks, the function of the module m)
UNARY = {
    "floor": ((-3, 3), lambda m, x: m.floor(x)),
    "ceil": ((-3, 3), lambda m, x: m.ceil(x)),
    "round": ((-3, 3), lambda m, x: m.round(x)),
    "round_decimals": ((-3, 3), lambda m, x: m.round(x, decimals=2)),
    "trunc": ((-3, 3), lambda m, x: m.trunc(x)),
    "fix": ((-3, 3), lambda m, x: m.fix(x)),
    "frac": ((-3, 3), lambda m, x: m.frac(x)),
    "sign": ((-3, 3), lambda m, x: m.sign(x)),
    "sgn": ((-3, 3), lambda m, x: m.sgn(x)),
    "reciprocal": ((0.2, 3), lambda m, x: m.reciprocal(x)),
    "rsqrt": ((0.2, 3), lambda m, x: m.rsqrt(x)),
    "log1p": ((-0.5, 3), lambda m, x: m.log1p(x)),
    "expm1": ((-2, 2), lambda m, x: m.expm1(x)),
    "log2": ((0.2, 3), lambda m, x: m.log2(x)),
    "log10": ((0.2, 3), lambda m, x: m.log10(x)),
    "exp2": ((-2, 2), lambda m, x: m.exp2(x)),
    "square": ((-2, 2), lambda m, x: m.square(x)),
    "erf": ((-2, 2), lambda m, x: m.erf(x)),
    "erfc": ((-2, 2), lambda m, x: m.erfc(x)),
    "erfinv": ((-0.9, 0.9), lambda m, x: m.erfinv(x)),
    "lgamma": ((0.2, 6), lambda m, x: m.lgamma(x)),
    "lgamma_negative": ((-2.9, -2.1), lambda m, x: m.lgamma(x)),
    "digamma": ((0.2, 6), lambda m, x: m.digamma(x)),
    "digamma_negative": ((-0.9, -0.1), lambda m, x: m.digamma(x)),
    "polygamma1": ((0.2, 6), lambda m, x: m.polygamma(1, x)),
    "polygamma3": ((0.2, 6), lambda m, x: m.polygamma(3, x)),
    "polygamma2_negative": ((-2.9, -2.1), lambda m, x: m.polygamma(2, x)),
    "mvlgamma": ((1.2, 4), lambda m, x: m.mvlgamma(x, p=3)),
    "logit": ((0.05, 0.95), lambda m, x: m.logit(x)),
    "logit_eps": ((0.2, 0.8), lambda m, x: m.logit(x, eps=0.1)),
    "sinc": ((-2, 2), lambda m, x: m.sinc(x)),
    "tan": ((-1.2, 1.2), lambda m, x: m.tan(x)),
    "asin": ((-0.9, 0.9), lambda m, x: m.asin(x)),
    "arcsin": ((-0.9, 0.9), lambda m, x: m.arcsin(x)),
    "acos": ((-0.9, 0.9), lambda m, x: m.acos(x)),
    "arccos": ((-0.9, 0.9), lambda m, x: m.arccos(x)),
    "atan": ((-3, 3), lambda m, x: m.atan(x)),
    "arctan": ((-3, 3), lambda m, x: m.arctan(x)),
    "sinh": ((-2, 2), lambda m, x: m.sinh(x)),
    "cosh": ((-2, 2), lambda m, x: m.cosh(x)),
    "asinh": ((-3, 3), lambda m, x: m.asinh(x)),
    "arcsinh": ((-3, 3), lambda m, x: m.arcsinh(x)),
    "acosh": ((1.2, 3), lambda m, x: m.acosh(x)),
    "arccosh": ((1.2, 3), lambda m, x: m.arccosh(x)),
    "atanh": ((-0.9, 0.9), lambda m, x: m.atanh(x)),
    "arctanh": ((-0.9, 0.9), lambda m, x: m.arctanh(x)),
    "deg2rad": ((-3, 3), lambda m, x: m.deg2rad(x)),
    "rad2deg": ((-3, 3), lambda m, x: m.rad2deg(x)),
    "nan_to_num": ((-3, 3), lambda m, x: m.nan_to_num(x)),
    "nan_to_num_values": ((-3, 3), lambda m, x: m.nan_to_num(x, nan=1.0, posinf=2.0,
                                                              neginf=-2.0)),
    "negative": ((-3, 3), lambda m, x: m.negative(x)),
    "positive": ((-3, 3), lambda m, x: m.positive(x)),
    "absolute": ((0.2, 3), lambda m, x: m.absolute(x)),
    "clamp_min": ((-3, 3), lambda m, x: m.clamp_min(x, 0.1)),
    "clamp_max": ((-3, 3), lambda m, x: m.clamp_max(x, 0.1)),
}

if importlib.util.find_spec("scipy") is None:   # erfinv needs SciPy on the CPU (below)
    del UNARY["erfinv"]

BINARY = {
    "atan2": ((-2, 2), lambda m, a, b: m.atan2(a, b)),
    "arctan2": ((-2, 2), lambda m, a, b: m.arctan2(a, b)),
    "hypot": ((0.2, 2), lambda m, a, b: m.hypot(a, b)),
    "logaddexp": ((-3, 3), lambda m, a, b: m.logaddexp(a, b)),
    "logaddexp2": ((-3, 3), lambda m, a, b: m.logaddexp2(a, b)),
    "xlogy": ((0.2, 3), lambda m, a, b: m.xlogy(a, b)),
    "fmod": ((0.3, 3), lambda m, a, b: m.fmod(a, b)),
    "remainder": ((0.3, 3), lambda m, a, b: m.remainder(a, b)),
    "copysign": ((-2, 2), lambda m, a, b: m.copysign(a, b)),
    "fmax": ((-2, 2), lambda m, a, b: m.fmax(a, b)),
    "fmin": ((-2, 2), lambda m, a, b: m.fmin(a, b)),
    "divide": ((0.3, 3), lambda m, a, b: m.divide(a, b)),
    "divide_trunc": ((-3, 3), lambda m, a, b: m.divide(a, b, rounding_mode="trunc")),
    "divide_floor": ((-3, 3), lambda m, a, b: m.divide(a, b, rounding_mode="floor")),
    "true_divide": ((0.3, 3), lambda m, a, b: m.true_divide(a, b)),
    "multiply": ((-2, 2), lambda m, a, b: m.multiply(a, b)),
    "subtract": ((-2, 2), lambda m, a, b: m.subtract(a, b, alpha=2)),
    "float_power": ((0.3, 2), lambda m, a, b: m.float_power(a, b)),
    "lerp_scalar": ((-2, 2), lambda m, a, b: m.lerp(a, b, 0.3)),
    "lerp_tensor": ((-2, 2), lambda m, a, b: m.lerp(a, b, a * b)),
    "addcmul": ((-2, 2), lambda m, a, b: m.addcmul(a, a, b, value=0.5)),
    "ldexp": ((-2, 2), lambda m, a, b: m.ldexp(a, b)),
    "addcdiv": ((0.3, 2), lambda m, a, b: m.addcdiv(b, a, b, value=-2)),
}
# Results that are not floats of the input's dtype, or no gradient: values only.
PREDICATES = {
    name: (lambda name: lambda m, x: getattr(m, name)(x))(name)
    for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit",
                 "logical_not")}
LOGICAL = {name: (lambda name: lambda m, a, b: getattr(m, name)(a, b))(name)
           for name in ("logical_and", "logical_or", "logical_xor", "floor_divide",
                        "heaviside")}
BITWISE = {name: (lambda name: lambda m, a, b: getattr(m, name)(a, b))(name)
           for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                        "bitwise_right_shift", "gcd", "lcm")}


def _np(t):
    if hasattr(t, "_is_zerotensor") and t._is_zerotensor():   # PyTorch's lazy zeros
        return np.zeros(tuple(t.shape), dtype=str(t.dtype).replace("torch.", ""))
    return t.detach().numpy() if hasattr(t, "detach") else t.numpy()


def _dtype(t):
    return str(t.dtype).replace("torch.", "")


def _same(ours, theirs, what, rtol, atol):
    assert _dtype(ours) == _dtype(theirs), (what, ours.dtype, theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape), (what, ours.shape, theirs.shape)
    a, b = _np(ours), _np(theirs)
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def _both(f, *arrays, **kw):
    """f run on retrograd and on PyTorch from the same arrays."""
    ours = f(rg, *[rg.tensor(a, **kw) for a in arrays])
    theirs = f(torch, *[torch.tensor(a, **kw) for a in arrays])
    return ours, theirs


def _errors_alike(name, f, *arrays):
    """Both raise the same kind of error, or both give the same dtype and values."""
    try:
        theirs = f(torch, *[torch.tensor(a) for a in arrays])
    except Exception as e:    # noqa: BLE001 - the kind is what we compare
        with pytest.raises(type(e)):
            f(rg, *[rg.tensor(a) for a in arrays])
        return
    ours = f(rg, *[rg.tensor(a) for a in arrays])
    _same(ours, theirs, f"{name} {arrays[0].dtype}", 1e-6, 1e-6)


@np.errstate(all="ignore")
def test_unary_values_dtypes_and_edges_match_pytorch():
    special = {"lgamma", "lgamma_negative", "digamma", "digamma_negative", "mvlgamma"}
    for name, f in [(n, f) for n, (_, f) in UNARY.items()] + list(PREDICATES.items()):
        for dtype, rtol, atol in ((np.float64, 1e-12, 1e-13), (np.float32, 2e-6, 1e-6)):
            x = EDGES.astype(dtype)
            if name in special:   # poles: ours is written without SciPy, compare ≤ 1e-12
                rtol, atol = max(rtol, 1e-12), max(atol, 1e-12)
            if name.startswith("polygamma"):
                # PyTorch's trigamma is within 5e-10 (ours: 2e-16 of mpmath's); at the
                # poles −1, −2… its trigamma gives 6.6e32 where ours gives +∞, and at +∞
                # its ψ⁽ⁿ⁾ (n ≥ 2) is NaN where ours is the limit 0
                x = x[np.isfinite(x) & ~((x < 0) & (x == np.floor(x)))]
                rtol = max(rtol, 1e-9)
            _same(*_both(f, x), f"{name} {dtype.__name__}", rtol, atol)
        for ints in (np.array([-3, 0, 2, 7]), np.array([True, False])):
            if name == "square" and ints.dtype == bool:
                continue    # x.square() is x ** 2 (methods.py): NumPy's int8, not int64
            if name.startswith("polygamma"):
                ints = ints[ints > 0]     # PyTorch's values at the poles: see above
            _errors_alike(name, f, ints)


@np.errstate(all="ignore")
def test_binary_values_dtypes_nan_inf_and_broadcasting_match_pytorch():
    grid = np.array([NAN, INF, -INF, 0.0, -0.0, 2.5, -1.5, 3.0, 1e-3])
    a, b = grid[:, None], grid[None, :]
    for name, f in [(n, f) for n, (_, f) in BINARY.items()] + list(LOGICAL.items()):
        for dtype, rtol, atol in ((np.float64, 1e-12, 1e-13), (np.float32, 2e-6, 1e-6)):
            _same(*_both(f, a.astype(dtype), b.astype(dtype)), f"{name} {dtype.__name__}",
                  rtol, atol)
        ints, other = np.array([[-7], [0], [5]]), np.array([3, -2, 4])
        if name not in ("fmod", "remainder", "floor_divide", "divide_trunc",
                        "divide_floor"):   # integer division by zero: below
            _errors_alike(name, f, ints, other)
        _errors_alike(name, f, ints.astype(bool), other.astype(bool))
    for name, f in BITWISE.items():
        ints, other = np.array([[-7], [0], [5]]), np.array([3, 2, 70])
        _same(*_both(f, ints, other), name, 0, 0)
        _same(*_both(f, ints.astype(np.uint8), other.astype(np.uint8)), name, 0, 0)
        _errors_alike(name, f, ints > 0, other > 2)
        _errors_alike(name, f, ints.astype(np.float32), other.astype(np.float32))
    # integer rounding division, PyTorch's signs (a != 0 divisors)
    for f in (BINARY["fmod"][1], BINARY["remainder"][1], LOGICAL["floor_divide"],
              lambda m, a, b: m.divide(a, b, rounding_mode="trunc"),
              lambda m, a, b: m.divide(a, b, rounding_mode="floor")):
        _same(*_both(f, np.array([[-7], [0], [5]]), np.array([3, -2, 4])), "int", 0, 0)


def _points(domain, shape, seed):
    lo, hi = domain
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def test_unary_gradients_match_pytorch_finite_differences_and_forward_mode():
    for i, (name, (domain, f)) in enumerate(UNARY.items()):
        x = _points(domain, (3,), i)
        for dtype, rtol in ((np.float64, 1e-9), (np.float32, 1e-5)):
            ours, theirs = (rg.tensor(x.astype(dtype), requires_grad=True),
                            torch.tensor(x.astype(dtype), requires_grad=True))
            yo, yt = f(rg, ours), f(torch, theirs)
            _same(yo, yt, f"{name} {dtype.__name__}", rtol, rtol)
            if name == "positive":      # x itself, as in PyTorch
                continue
            v = RNG.standard_normal(yo.shape).astype(dtype)
            yo.backward(v)
            yt.backward(torch.tensor(v))
            _same(ours.grad, theirs.grad, f"∂{name} {dtype.__name__}", rtol, rtol)
        g = (lambda f: lambda t: f(rg, t))(f)
        check_grad(g, x)
        check_jvp(g, x)


def test_binary_gradients_with_broadcasting_match_pytorch_and_finite_differences():
    for i, (name, (domain, f)) in enumerate(BINARY.items()):
        a, b = _points(domain, (3, 1), i), _points(domain, (1, 2), i + 50)
        ours = [rg.tensor(a, requires_grad=True), rg.tensor(b, requires_grad=True)]
        theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
        yo, yt = f(rg, *ours), f(torch, *theirs)
        _same(yo, yt, name, 1e-10, 1e-12)
        v = RNG.standard_normal(yo.shape)
        yo.backward(v)
        yt.backward(torch.tensor(v))
        for o, t in zip(ours, theirs):
            _same(o.grad, t.grad, f"∂{name}", 1e-9, 1e-12)
        g = (lambda f: lambda p, q: f(rg, p, q))(f)
        check_grad(g, a, b)
        check_jvp(g, a, b)


@np.errstate(all="ignore")
def test_gradients_at_the_edges_are_pytorchs():
    cases = [  # (function, inputs): kinks, poles, zeros and NaN
        (lambda m, x: m.sign(x) + m.floor(x) + m.frac(x) + m.round(x), [[-1.0, 0.0, 2.5]]),
        (lambda m, a, b: m.atan2(a, b), [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
        (lambda m, a, b: m.hypot(a, b), [[0.0, 0.0, 3.0], [0.0, 1.0, 4.0]]),
        (lambda m, a, b: m.xlogy(a, b), [[0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, -1.0]]),
        (lambda m, x: m.logit(x, eps=0.1), [[0.05, 0.5, 0.99, 1.5, 0.1]]),
        (lambda m, x: m.logit(x), [[0.0, 0.5, 1.0]]),
        (lambda m, x: m.sinc(x), [[0.0, 1.0, -2.0]]),
        (lambda m, x: m.nan_to_num(x), [[NAN, INF, -INF, 1.0]]),
        (lambda m, a, b: m.copysign(a, b), [[0.0, 2.0, -0.0, 3.0], [-1.0, 3.0, 1.0, -0.0]]),
        (lambda m, a, b: m.fmax(a, b), [[1.0, NAN, 2.0, NAN], [1.0, 3.0, NAN, NAN]]),
        (lambda m, a, b: m.fmin(a, b), [[1.0, NAN, 2.0, NAN], [1.0, 3.0, NAN, NAN]]),
        (lambda m, a, b: m.fmod(a, b) + m.remainder(a, b), [[5.0, -5.0], [3.0, 3.0]]),
        (lambda m, x: m.digamma(x) + m.lgamma(x), [[0.5, 1.0, 10.0, -1.5]]),
        (lambda m, x: m.rsqrt(x) + m.reciprocal(x), [[0.0, 1.0]]),
    ]
    for f, arrays in cases:
        ours = [rg.tensor(np.array(a), requires_grad=True) for a in arrays]
        theirs = [torch.tensor(np.array(a), requires_grad=True) for a in arrays]
        yo, yt = f(rg, *ours), f(torch, *theirs)
        _same(yo, yt, "value", 1e-10, 1e-12)
        yo.sum().backward()
        yt.sum().backward()
        for o, t in zip(ours, theirs):
            _same(o.grad, t.grad, "gradient", 1e-9, 1e-12)


@np.errstate(all="ignore")
def test_method_in_place_and_out_spellings_match_pytorch():
    x = np.array([0.3, -0.7, 0.5, 1.5])
    y = np.array([0.9, 0.2, -0.4, 2.0])
    plain = {**{n: (n, ()) for n in rg.ops.rounding.PUBLIC + rg.ops.exponential.PUBLIC
                + rg.ops.special.PUBLIC + rg.ops.trigonometry.PUBLIC}}
    for module in (rg.ops.rounding, rg.ops.exponential, rg.ops.special,
                   rg.ops.trigonometry, rg.ops.logical, rg.ops.division):
        for name in module.PUBLIC:
            args = _ARGS.get(name, ())
            inputs = (x > 0, y > 0) if name.startswith(("logical", "bitwise")) else (x, y)
            if name.startswith("bitwise") or name in ("gcd", "lcm"):
                inputs = ((x * 10).astype(np.int64), (y * 10).astype(np.int64))
            a, b = inputs
            call_args = [b] if args == "other" else list(args)

            def lib_args(m, call_args=call_args):
                return [m.tensor(v) if isinstance(v, np.ndarray) else v for v in call_args]

            if not hasattr(torch.Tensor, name):      # isin: a function only
                continue
            theirs = getattr(torch.tensor(a), name)(*lib_args(torch))
            ours = getattr(rg.tensor(a), name)(*lib_args(rg))
            _same(ours, theirs, f"x.{name}()", 1e-12, 1e-13)
            if hasattr(torch.Tensor, name + "_"):
                assert name in module.IN_PLACE, name
                t, o = torch.tensor(a), rg.tensor(a)
                try:
                    getattr(t, name + "_")(*lib_args(torch))
                except RuntimeError:
                    with pytest.raises(RuntimeError):
                        getattr(o, name + "_")(*lib_args(rg))
                    continue
                assert getattr(o, name + "_")(*lib_args(rg)) is o
                _same(o, t, f"x.{name}_()", 1e-12, 1e-13)
            if name not in rg._MATH_NO_OUT:
                out = rg.empty(0, dtype=ours.dtype)
                if name == "polygamma":    # polygamma(n, x), but x.polygamma(n)
                    assert rg.polygamma(2, rg.tensor(a), out=out) is out
                else:
                    assert getattr(rg, name)(rg.tensor(a), *lib_args(rg), out=out) is out
                _same(out, theirs, f"{name}(out=)", 1e-12, 1e-13)
            else:
                with pytest.raises(TypeError):
                    getattr(rg, name)(rg.tensor(a), *lib_args(rg), out=rg.empty(0))
    assert plain   # every module's names were visited above
    assert (rg.pi, rg.e, rg.inf) == (torch.pi, torch.e, torch.inf) and math.isnan(rg.nan)
    assert all(type(v) is float for v in (rg.pi, rg.e, rg.inf, rg.nan))


# The extra arguments of the two- and three-argument functions in the spelling test.
_ARGS = {name: "other" for name in (
    "atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "logical_and",
    "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "fmod",
    "remainder", "floor_divide", "divide", "true_divide", "multiply", "subtract",
    "copysign", "fmax", "fmin", "heaviside", "float_power", "bitwise_left_shift",
    "bitwise_right_shift", "gcd", "lcm", "ldexp")}
_ARGS.update({"lerp": (np.array([1.0, 2.0, 3.0, 4.0]), 0.25), "polygamma": (2,),
              "mvlgamma": (2,),
              "addcmul": (np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, 0.5, 1.0, 2.0])),
              "addcdiv": (np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, 0.5, 1.0, 2.0])),
              "clamp_min": (0.4,), "clamp_max": (0.4,)})


def test_operators_and_in_place_rules():
    for f in (lambda m, a, b: a & b, lambda m, a, b: a | b, lambda m, a, b: a ^ b,
              lambda m, a, b: ~a, lambda m, a, b: a % b, lambda m, a, b: a // b,
              lambda m, a, b: 7 % b, lambda m, a, b: 7 // b, lambda m, a, b: abs(a - b),
              lambda m, a, b: (a << 2) >> b, lambda m, a, b: 1 << abs(b),
              lambda m, a, b: m.isin(a, b) | m.isin(a, 12, invert=True)):
        _same(*_both(f, np.array([5, -3, 12]), np.array([3, 2, -5])), "int operator", 0, 0)
    _same(*_both(lambda m, a, b: (a & b) | ~a, np.array([True, False]),
                 np.array([True, True])), "bool operator", 0, 0)
    _same(*_both(lambda m, a, b: a % b + a // b, np.array([5.5, -3.5]),
                 np.array([2.0, 2.0])), "float % //", 0, 0)
    for mode in ("floor", "trunc"):     # div's rounding_mode (the index idiom)
        _same(*_both(lambda m, a, b: m.div(a, b, rounding_mode=mode) + a.div(2, rounding_mode=mode)
                     + a.clone().div_(b, rounding_mode=mode), np.array([7, -7, 6]),
                     np.array([2, 2, -4])), f"div {mode}", 0, 0)
    # an in-place change of a tensor in the graph is recorded, as PyTorch's
    for lib in (rg, torch):
        w = lib.tensor([0.1, 0.2, 0.3], requires_grad=True)
        h = w * 2
        h.atan_()
        h.mul_(3)
        h.sum().backward()
        if lib is rg:
            ours = w.grad.numpy()
        else:
            np.testing.assert_allclose(ours, w.grad.numpy(), rtol=1e-6)
    # a leaf that requires grad is refused, as in PyTorch
    for lib in (rg, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1.0], requires_grad=True).floor_()
    # an integer tensor cannot hold a float result
    for lib in (rg, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1, 2]).log1p_()
        with pytest.raises(RuntimeError):
            lib.tensor([1.0, 2.0]).float_power_(2)
    # the in-place forms of the older methods, values and a recorded gradient
    for name in ("abs_", "cos_", "exp_", "log_", "neg_", "relu_", "sigmoid_", "sin_",
                 "sqrt_", "square_", "tanh_"):
        grads = []
        for lib in (rg, torch):
            w = lib.tensor([0.5, 2.0, 0.25], dtype=lib.float64, requires_grad=True)
            h = w * 1.5
            assert getattr(h, name)() is h
            (h * h).sum().backward()
            grads.append((h.detach().numpy(), w.grad.numpy()))
        np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12, err_msg=name)
    _same(*_both(lambda m, x, k: x.masked_fill_(k, -INF), np.array([[0.5, -1.0]]),
                 np.array([[True, False]])), "masked_fill_", 0, 0)
    t = rg.tensor([1.0, -2.0])
    t.clamp_min_(0.0)
    t.exp2_()
    np.testing.assert_array_equal(t.numpy(), [2.0, 1.0])


def test_errors_name_the_operation_as_pytorch():
    with pytest.raises(RuntimeError, match="logical_and.*size of tensor a \\(3\\)"):
        rg.logical_and(rg.ones(3), rg.ones(4))
    with pytest.raises(RuntimeError):
        torch.logical_and(torch.ones(3), torch.ones(4))
    for lib in (rg, torch):
        with pytest.raises(NotImplementedError):
            lib.bitwise_and(lib.ones(3), lib.ones(3))
        with pytest.raises(NotImplementedError):
            lib.frac(lib.tensor([1, 2]))
        with pytest.raises(NotImplementedError):
            lib.hypot(lib.tensor([1, 2]), lib.tensor([1, 2]))
        with pytest.raises(RuntimeError):
            lib.floor_divide(lib.tensor([1]), lib.tensor([0]))
        with pytest.raises(RuntimeError):
            lib.fmod(lib.tensor([1]), lib.tensor([0]))
        with pytest.raises(RuntimeError):
            lib.divide(lib.ones(2), lib.ones(2), rounding_mode="ceil")
        with pytest.raises(TypeError):
            lib.floor(2.5)
        with pytest.raises(RuntimeError):      # no derivative for floor_divide
            x = lib.tensor([5.0], requires_grad=True)
            lib.floor_divide(x, 2.0).sum().backward()
        with pytest.raises(RuntimeError):
            lib.heaviside(lib.tensor([1.0]), lib.tensor([1], dtype=lib.int64))
    with pytest.raises(TypeError, match="isnan"):
        rg.isnan(rg.ones(2), out=rg.empty(2))


def test_erf_without_scipy_falls_back_on_math(monkeypatch):
    import sys
    x = np.array([-2.0, -0.3, 0.0, 0.7, 3.0])
    with_scipy = [rg.erf(rg.tensor(x)).numpy(), rg.erfc(rg.tensor(x)).numpy()]
    edges = np.concatenate([EDGES, x, [1e300, 14.5, 15.0, -2.5]])
    lgamma_scipy = rg.lgamma(rg.tensor(edges)).numpy()
    monkeypatch.setitem(sys.modules, "scipy", None)      # import scipy now fails
    without = [rg.erf(rg.tensor(x)).numpy(), rg.erfc(rg.tensor(x)).numpy()]
    np.testing.assert_allclose(without, with_scipy, rtol=1e-15, atol=1e-16)
    # lgamma: SciPy's gammaln when there, else ours (both PyTorch's at the poles and ±∞)
    np.testing.assert_allclose(rg.lgamma(rg.tensor(edges)).numpy(), lgamma_scipy,
                               rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(without[0], [math.erf(v) for v in x], rtol=1e-15)
    with pytest.raises(ImportError, match="pip install scipy"):
        rg.erfinv(rg.tensor(x / 4))


def test_every_op_runs_on_the_device(device):
    x = np.array([0.3, -0.7, 0.5, 0.9])
    y = np.array([0.9, 0.2, -0.4, 0.6])
    host = {}
    skip = {"erfinv", "erfc"} if device != "cpu" else set()  # the fake CuPy has erf only
    for i, (name, (domain, f)) in enumerate(UNARY.items()):
        if name in skip:
            continue
        t = rg.tensor(_points(domain, (4,), i), device=device, requires_grad=True)
        out = f(rg, t)
        assert out.device == device, name
        out.sum().backward()
        host[name] = (rg.tensor(out.cpu().numpy()), t.grad.cpu().numpy())
        assert t.grad.device == device
        # the device's values and gradient are the CPU's
        c = rg.tensor(_points(domain, (4,), i), requires_grad=True)
        f(rg, c).sum().backward()
        np.testing.assert_allclose(host[name][0].numpy(), f(rg, c).detach().numpy(),
                                   rtol=1e-12, atol=1e-14, err_msg=name)
        np.testing.assert_allclose(host[name][1], c.grad.numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=name)
    for i, (name, (domain, f)) in enumerate(BINARY.items()):
        a, b = (rg.tensor(_points(domain, (4,), i + k), device=device, requires_grad=True)
                for k in (0, 50))
        out = f(rg, a, b)
        out.sum().backward()
        assert out.device == a.grad.device == device, name
        ca, cb = (rg.tensor(_points(domain, (4,), i + k), requires_grad=True) for k in (0, 50))
        cpu = f(rg, ca, cb)
        cpu.sum().backward()
        for got, want in ((out, cpu), (a.grad, ca.grad), (b.grad, cb.grad)):
            np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(),
                                       rtol=1e-12, atol=1e-14, err_msg=name)
    for name, f in {**PREDICATES, **LOGICAL}.items():
        if name == "floor_divide" or name == "heaviside":
            continue
        args = [rg.tensor(x, device=device)] if name in PREDICATES else \
            [rg.tensor(x, device=device), rg.tensor(y, device=device)]
        assert f(rg, *args).device == device, name
    m = rg.tensor([3, 5], device=device)
    assert ((m & 1) | (m ^ 2) | ~m).device == device
    assert (m % 2).device == (m // 2).device == ((m << 2) >> 1).device == device
    assert host   # the CPU values are compared with PyTorch's in the tests above


def test_tutorial_snippets_run_unchanged():
    def snippet(torch):
        x = torch.tensor([[1.0, float("nan")], [float("inf"), -2.0]])
        mask = torch.isnan(x)
        x = torch.where(mask, torch.zeros_like(x), x)
        x = torch.nan_to_num(x, posinf=10.0)
        logits = torch.tensor([2.0, -1.0, 0.3, -0.2])
        labels = torch.tensor([1.0, 0.0, 0.0, 0.0])
        preds = torch.round(torch.sigmoid(logits))
        accuracy = (preds == labels).float().mean()
        angle = torch.rad2deg(torch.atan2(x[:, 0], x[:, 1]))
        finite = torch.isfinite(x).all() & torch.logical_not(torch.isinf(x)).all()
        return x, accuracy, angle, finite, torch.clamp_min(x, 0.0) % 3
    def optimizer_step(torch):      # a hand-written Adam step and an EMA of the weights
        p, g = torch.tensor([1.0, -2.0, 3.0]), torch.tensor([0.1, -0.2, 0.3])
        m, v, ema = torch.zeros(3), torch.zeros(3), torch.zeros(3)
        for _ in range(2):
            m.mul_(0.9).add_(g, alpha=0.1)
            v.mul_(0.999).addcmul_(g, g, value=0.001)
            p.addcdiv_(m, v.sqrt().add_(1e-8), value=-0.01)
            ema.lerp_(p, 0.1)
        return p, ema, x_norm(torch)

    def x_norm(torch):              # RMSNorm's rsqrt
        x = torch.tensor([[1.0, 2.0], [3.0, -4.0]])
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)
    for f in (snippet, optimizer_step):
        for ours, theirs in zip(f(rg), f(torch)):
            _same(ours, theirs, f.__name__, 1e-6, 1e-7)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.integers(0, 2**32 - 1),
       st.sampled_from(["atan2", "logaddexp", "xlogy", "fmax", "copysign", "lerp_tensor",
                        "hypot", "remainder"]))
def test_broadcast_shapes_values_and_gradients_match_pytorch(shape, seed, name):
    """Random broadcast shapes: one operand of ``shape``, the other with some of its
    axes set to 1 (or dropped): PyTorch's result shape, values and both gradients."""
    domain, f = BINARY[name]
    rng = np.random.default_rng(seed)
    other = [d if rng.random() < 0.5 else 1 for d in shape][rng.integers(0, len(shape) + 1):]
    a, b = _points(domain, tuple(shape), seed), _points(domain, tuple(other), seed + 1)
    ours = [rg.tensor(a, requires_grad=True), rg.tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    yo, yt = f(rg, *ours), f(torch, *theirs)
    _same(yo, yt, name, 1e-10, 1e-12)
    yo.sum().backward()
    yt.sum().backward()
    for o, t in zip(ours, theirs):
        _same(o.grad, t.grad, f"∂{name}", 1e-9, 1e-12)
