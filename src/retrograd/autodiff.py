"""Functional automatic differentiation: grad, vjp, jvp, jacobian, gradcheck.

Reverse mode (``vjp``) runs the function once and backpropagates one cotangent
per pass: a full Jacobian costs one backward pass per *output*. Forward mode
(``jvp``) pushes a tangent through every op alongside its value, using each op's
``jvp`` rule: a full Jacobian costs one forward pass per *input* direction. This
is the course's remark: N forward passes for forward AD against one forward and
one backward pass for backprop.
"""
import numpy as np

from . import engine
from .backend import array_module
from .function import state
from .tensor import Tensor


def _as_input(x):
    """A fresh leaf requiring grad, sharing ``x``'s data (floats only)."""
    data = x.array if isinstance(x, Tensor) else Tensor(x).array
    if data.dtype.kind not in "fc":
        raise TypeError(f"autodiff: inputs must be floating point, got dtype {data.dtype}")
    t = Tensor._wrap(data)
    t.requires_grad = True
    return t


def _as_output(y, fn_name):
    if not isinstance(y, Tensor):
        raise TypeError(f"{fn_name}: the function must return a Tensor, got "
                        f"{type(y).__name__}")
    return y


def vjp(f, *primals):
    """Reverse mode. Returns ``(y, vjp_fn)`` with y = f(*primals) and
    ``vjp_fn(v)`` = vᵀ ∂f/∂x for each primal (a tuple of tensors)."""
    xs = [_as_input(p) for p in primals]
    y = _as_output(f(*xs), "vjp")

    def vjp_fn(v):
        v = v.array if isinstance(v, Tensor) else array_module(y.array).asarray(v, dtype=y.dtype)
        if v.shape != y.shape:
            raise ValueError(f"vjp: cotangent of shape {v.shape}, expected the output's "
                             f"shape {y.shape}")
        if not y.requires_grad:  # f does not depend on its inputs
            return tuple(Tensor._wrap(array_module(x.array).zeros_like(x.array)) for x in xs)
        gs = engine.backward(y, v, retain_graph=True, inputs=xs)
        return tuple(Tensor._wrap(g if g is not None else array_module(x.array).zeros_like(x.array))
                     for g, x in zip(gs, xs))

    return y.detach(), vjp_fn


def jvp(f, primals, tangents):
    """Forward mode. Returns ``(y, ẏ)`` with y = f(*primals) and
    ẏ = Σᵢ ∂f/∂xᵢ · ẋᵢ, pushed through each op's ``jvp`` rule in one pass."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    xs = []
    for p, t in zip(primals, tangents):
        x = Tensor._wrap(p.array if isinstance(p, Tensor) else Tensor(p).array)
        dt = t.array if isinstance(t, Tensor) else array_module(x.array).asarray(t, dtype=x.dtype)
        if dt.shape != x.shape:
            raise ValueError(f"jvp: tangent of shape {dt.shape} for a primal of shape "
                             f"{x.shape}")
        x._tangent = dt
        xs.append(x)
    state.forward_level += 1
    try:
        y = _as_output(f(*xs), "jvp")
    finally:
        state.forward_level -= 1
    dy = y._tangent if y._tangent is not None else array_module(y.array).zeros_like(y.array)
    return Tensor._wrap(y.array), Tensor._wrap(dy)


def value_and_grad(f, argnums=0):
    """``g(*args) -> (f(*args), ∂f/∂args[argnums])`` for a scalar-valued f."""
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    def wrapped(*args):
        args = list(args)
        xs = [_as_input(args[i]) for i in nums]
        for i, x in zip(nums, xs):
            args[i] = x
        y = _as_output(f(*args), "grad")
        if y.array.size != 1:
            raise ValueError(f"grad: f must return a scalar, got shape {y.shape}; "
                             "use vjp or jacobian for vector outputs")
        if y.requires_grad:
            gs = engine.backward(y, array_module(y.array).ones_like(y.array), inputs=xs)
        else:
            gs = [None] * len(xs)
        gs = tuple(Tensor._wrap(g if g is not None else array_module(x.array).zeros_like(x.array))
                   for g, x in zip(gs, xs))
        return y.detach(), (gs[0] if single else gs)

    return wrapped


def grad(f, argnums=0):
    """``g(*args) -> ∂f/∂args[argnums]`` for a scalar-valued f."""
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]


def jacobian(f, x, mode="rev"):
    """∂f/∂x as a tensor of shape f(x).shape + x.shape.

    ``mode="rev"``: one backward pass per output element (vjp with unit vectors);
    ``mode="fwd"``: one forward pass per input element (jvp with unit vectors)."""
    x = _as_input(x)
    xp = array_module(x.array)
    if mode == "rev":
        y, pullback = vjp(f, x)
        rows = []
        for k in range(y.array.size):
            e = xp.zeros(y.array.size, dtype=y.dtype)
            e[k] = 1
            rows.append(pullback(e.reshape(y.shape))[0].array)
        jac = xp.stack(rows).reshape(y.shape + x.shape) if rows else \
            xp.zeros(y.shape + x.shape, dtype=x.dtype)
    elif mode == "fwd":
        cols, y_shape = [], None
        for k in range(x.array.size):
            e = xp.zeros(x.array.size, dtype=x.dtype)
            e[k] = 1
            y, dy = jvp(f, (x,), (e.reshape(x.shape),))
            y_shape = y.shape
            cols.append(dy.array.reshape(-1))
        if y_shape is None:
            y_shape = f(x).shape
        jac = xp.stack(cols, axis=-1).reshape(y_shape + x.shape) if cols else \
            xp.zeros(y_shape + x.shape, dtype=x.dtype)
    else:
        raise ValueError(f"jacobian: mode must be 'rev' or 'fwd', got {mode!r}")
    return Tensor._wrap(jac)


class GradcheckReport:
    """The outcome of ``gradcheck``: truthy when every gradient matches."""

    def __init__(self, ok, worst):
        self.ok = ok
        self.worst = worst  # (input index, element index, analytic, numeric, error)

    def __bool__(self):
        return self.ok

    def __repr__(self):
        if self.worst is None:
            return "GradcheckReport(ok=True, no differentiable input)"
        i, idx, a, n, err = self.worst
        verdict = "ok" if self.ok else "MISMATCH"
        return (f"GradcheckReport({verdict}: worst at input {i}, index {idx}: "
                f"analytic {a:.6g} vs numeric {n:.6g}, error {err:.3g})")


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check ``f``'s backward against central finite differences in float64:
    ∂φ/∂xᵢ ≈ (φ(x + εeᵢ) − φ(x − εeᵢ)) / 2ε, where φ = Σ v ⊙ f(x) for a fixed
    random v, so a single backward pass checks the whole Jacobian's action.

    ``inputs`` is a tuple of arrays or tensors (made float64). Returns a
    ``GradcheckReport`` naming the input and element of the worst mismatch."""
    if isinstance(inputs, (Tensor, np.ndarray)):
        inputs = (inputs,)
    arrays = [np.array(x.numpy() if isinstance(x, Tensor) else x, dtype=np.float64)
              for x in inputs]
    y0 = f(*[Tensor._wrap(a) for a in arrays])
    v = np.random.default_rng(seed).standard_normal(y0.shape)

    def phi(arrs):
        with_graph = [Tensor._wrap(a) for a in arrs]
        return float((f(*with_graph).array * v).sum())

    _, pullback = vjp(f, *[Tensor._wrap(a) for a in arrays])
    analytic = [g.numpy() for g in pullback(v)]
    ok, worst, worst_excess = True, None, -np.inf
    for i, a in enumerate(arrays):
        flat = a.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            up = phi(arrays)
            flat[k] = old - eps
            down = phi(arrays)
            flat[k] = old
            num = (up - down) / (2 * eps)
            ana = float(analytic[i].reshape(-1)[k])
            err = abs(ana - num)
            excess = err - (atol + rtol * abs(num))
            if excess > 0:
                ok = False
            if excess > worst_excess:
                worst_excess = excess
                worst = (i, tuple(int(j) for j in np.unravel_index(k, a.shape)), ana, num, err)
    return GradcheckReport(ok, worst)
