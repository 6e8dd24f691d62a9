"""Every differentiable op of the core, checked three ways on hypothesis-drawn shapes
(broadcasting and size-1 axes included), all in float64:

* ``check_grad``    backward against central finite differences;
* ``check_jvp``     forward mode against reverse mode (jvp · v == t · vjp(v));
* ``compare_torch`` values and gradients against PyTorch (rtol 1e-6).

A case is a function of hypothesis' ``data`` returning ``(f, f_torch, arrays)``:
``f`` runs on retrograd tensors, ``f_torch`` on torch tensors (``SAME`` when the
same lambda works in both, ``None`` when PyTorch has no such function), and
``arrays`` are the inputs. The same table then checks that float32 stays float32.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import retrograd as rg
from retrograd.ops.losses import SoftmaxCrossEntropy
from retrograd.ops.matmul import affine, linear

from harness import check_grad, check_jvp, compare_torch, torch

SAME = object()
FAST = settings(max_examples=10, deadline=None, derandomize=True)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
shapes_nd = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def broadcast_shapes(d, n=2):
    return d.draw(hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=3, min_side=1, max_side=3)).input_shapes


def rng(d):
    return np.random.default_rng(d.draw(st.integers(0, 2**32 - 1), label="seed"))


def real(d, shape, lo=-2.0, hi=2.0):
    return rng(d).uniform(lo, hi, size=shape)


def positive(d, shape):
    return rng(d).uniform(0.5, 2.0, size=shape)


def away_from_zero(d, shape):
    """|x| ≥ 0.1, so that finite differences never straddle a kink at 0."""
    r = rng(d)
    return r.uniform(0.1, 2.0, size=shape) * r.choice([-1.0, 1.0], size=shape)


def distinct(d, shape):
    """Pairwise distinct values (≥ 0.2 apart): max/min have a unique argmax."""
    r = rng(d)
    n = int(np.prod(shape))
    return (r.permutation(n) * 0.2 - 0.1 * n + r.uniform(0, 0.05)).reshape(shape)


def axis_of(d, ndim, allow_none=True, tuples=True):
    """An axis argument: None, an int (maybe negative) or a tuple of axes."""
    options = [st.integers(-ndim, ndim - 1)] if ndim else []
    if allow_none or not ndim:
        options.append(st.none())
    if tuples and ndim:
        options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                unique=True).map(tuple))
    return d.draw(st.one_of(*options), label="axis")


def torch_dims(axis, ndim):
    """retrograd's axis as a torch ``dim`` (torch reads dim=() ambiguously)."""
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else axis


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


# -- arithmetic, with broadcasting --------------------------------------------
def _binary(name, op, make_a=real, make_b=real, torch_op=SAME):
    def build(d):
        sa, sb = broadcast_shapes(d)
        return op, torch_op, [make_a(d, sa), make_b(d, sb)]
    build.__name__ = name
    case(build)


_binary("add", lambda a, b: a + b)
_binary("sub", lambda a, b: a - b)
_binary("mul", lambda a, b: a * b)
_binary("div", lambda a, b: a / b, make_b=away_from_zero)
_binary("pow", lambda a, b: a ** b, make_a=positive)
_binary("mixed_arithmetic", lambda a, b: (a * b - a / (b * b + 1)) ** 2)


def _spaced(offset):
    def make(d, shape):
        return rng(d).integers(-4, 4, size=shape) + offset
    return make


# a on the grid k + ¼, b on k + ¾: never tied, so max/min are smooth there.
_binary("maximum", rg.maximum, _spaced(0.25), _spaced(0.75),
        lambda a, b: torch.maximum(a, b))
_binary("minimum", rg.minimum, _spaced(0.25), _spaced(0.75),
        lambda a, b: torch.minimum(a, b))


def _unary(name, op, make=real, torch_op=SAME):
    def build(d):
        return op, torch_op, [make(d, d.draw(shapes))]
    build.__name__ = name
    case(build)


_unary("neg", lambda x: -x)
_unary("radd", lambda x: 1.5 + x)
_unary("rsub", lambda x: 2.5 - x)
_unary("rmul", lambda x: 3.0 * x)
_unary("rdiv", lambda x: 1.5 / x, away_from_zero)
_unary("pow_int", lambda x: x ** 3)
_unary("pow_half", lambda x: x ** 0.5, positive)
_unary("pow_negative", lambda x: x ** -1.5, positive)
_unary("rpow", lambda x: 2.0 ** x)
_unary("exp", lambda x: x.exp())
_unary("log", lambda x: x.log(), positive)
_unary("sqrt", lambda x: x.sqrt(), positive)
_unary("abs", lambda x: x.abs(), away_from_zero)
_unary("sin", lambda x: x.sin())
_unary("cos", lambda x: x.cos())
_unary("tanh", lambda x: x.tanh())
_unary("sigmoid", lambda x: x.sigmoid(), lambda d, s: real(d, s, -6, 6))
_unary("relu", lambda x: x.relu(), away_from_zero)
_unary("exp_fn", rg.exp, torch_op=torch and torch.exp)
_unary("log_fn", rg.log, positive, torch and torch.log)
_unary("sqrt_fn", rg.sqrt, positive, torch and torch.sqrt)
_unary("abs_fn", rg.abs, away_from_zero, torch and torch.abs)
_unary("sin_fn", rg.sin, torch_op=torch and torch.sin)
_unary("cos_fn", rg.cos, torch_op=torch and torch.cos)
_unary("tanh_fn", rg.tanh, torch_op=torch and torch.tanh)
_unary("sigmoid_fn", rg.sigmoid, torch_op=torch and torch.sigmoid)
_unary("relu_fn", rg.relu, away_from_zero, torch and torch.relu)
# Values k + ½ and integer bounds: never on a bound.
_unary("clip", lambda x: rg.clip(x, -1, 1), _spaced(0.5),
       lambda x: torch.clamp(x, -1, 1))
_unary("clip_min", lambda x: x.clip(min=0.0), _spaced(0.5), lambda x: x.clamp(min=0.0))
_unary("clip_max", lambda x: x.clip(max=1), _spaced(0.5), lambda x: x.clamp(max=1))


@case
def where(d):
    sc, sa, sb = broadcast_shapes(d, 3)
    cond = rng(d).random(sc) < 0.5
    return (lambda a, b: rg.where(cond, a, b),
            lambda a, b: torch.where(torch.tensor(cond), a, b),
            [real(d, sa), real(d, sb)])


@case
def where_scalar_branch(d):
    x = real(d, d.draw(shapes))
    return (lambda a: rg.where(a > 0, a, 0.1 * a),
            lambda a: torch.where(a > 0, a, 0.1 * a), [x])


# -- reductions ---------------------------------------------------------------
def _reduction(name, rg_op, torch_op, make=real):
    def build(d):
        shape = d.draw(shapes)
        axis, keep = axis_of(d, len(shape)), d.draw(st.booleans(), label="keepdims")
        dims = torch_dims(axis, len(shape))
        return (lambda x: rg_op(x, axis, keep),
                lambda x: torch_op(x, dims, keep) if x.ndim else torch_op(x, None, keep),
                [make(d, shape)])
    build.__name__ = name
    case(build)


_reduction("sum", lambda x, a, k: x.sum(a, k), lambda x, a, k: x.sum(dim=a, keepdim=k))
_reduction("sum_fn", lambda x, a, k: rg.sum(x, axis=a, keepdims=k),
           lambda x, a, k: x.sum(dim=a, keepdim=k))
_reduction("mean", lambda x, a, k: x.mean(a, k), lambda x, a, k: x.mean(dim=a, keepdim=k))
# NumPy's words: max(axis=…) is the values alone (max(dim) is PyTorch's (values, indices),
# tests/test_methods_parity.py).
_reduction("max", lambda x, a, k: x.max(axis=a, keepdims=k),
           lambda x, a, k: torch.amax(x, dim=a or (), keepdim=k), distinct)
_reduction("min", lambda x, a, k: rg.min(x, axis=a, keepdims=k),
           lambda x, a, k: torch.amin(x, dim=a or (), keepdim=k), distinct)
_reduction("logsumexp", lambda x, a, k: rg.logsumexp(x, a, k),
           lambda x, a, k: torch.logsumexp(x, dim=a or (), keepdim=k))


def _spread(name, method):
    """var/std over ≥ 2 distinct values (std is not differentiable at 0)."""
    def build(d):
        shape = d.draw(shapes_nd.filter(lambda s: np.prod(s) >= 2))
        axis = axis_of(d, len(shape))
        dims = torch_dims(axis, len(shape))
        if np.prod([shape[a] for a in dims]) < 2:
            axis, dims = None, tuple(range(len(shape)))
        keep = d.draw(st.booleans(), label="keepdims")
        ddof = d.draw(st.sampled_from([0, 1]), label="ddof")
        return (lambda x: getattr(x, method)(axis, keep, ddof),
                lambda x: getattr(torch, method)(x, dim=dims, correction=ddof, keepdim=keep),
                [distinct(d, shape)])
    build.__name__ = name
    case(build)


_spread("var", "var")
_spread("std", "std")


@case
def var_std_fn(d):
    shape = d.draw(shapes_nd.filter(lambda s: s[-1] >= 2))
    return (lambda x: rg.var(x, axis=-1) + rg.std(x, axis=-1, ddof=1),
            lambda x: torch.var(x, dim=-1, correction=0) + torch.std(x, dim=-1),
            [distinct(d, shape)])


# -- softmax family -----------------------------------------------------------
def _along_axis(name, rg_op, torch_op):
    def build(d):
        shape = d.draw(shapes_nd)
        axis = d.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
        return (lambda x: rg_op(x, axis), lambda x: torch_op(x, axis),
                [real(d, shape, -5, 5)])
    build.__name__ = name
    case(build)


_along_axis("softmax", rg.softmax, lambda x, a: torch.softmax(x, a))
_along_axis("log_softmax", rg.log_softmax, lambda x, a: torch.log_softmax(x, a))
_along_axis("softmax_method", lambda x, a: x.softmax(a), lambda x, a: x.softmax(a))
_along_axis("log_softmax_method", lambda x, a: x.log_softmax(a),
            lambda x, a: x.log_softmax(a))


@case
def softmax_cross_entropy_labels(d):
    n, c = d.draw(st.integers(1, 4)), d.draw(st.integers(2, 4))
    labels = rng(d).integers(0, c, size=n)
    reduction = d.draw(st.sampled_from(["mean", "sum", "none"]))
    eps = d.draw(st.sampled_from([0.0, 0.1]))
    return (lambda s: SoftmaxCrossEntropy(reduction, eps).apply(s, rg.tensor(labels)),
            lambda s: torch.nn.functional.cross_entropy(
                s, torch.tensor(labels), reduction=reduction, label_smoothing=eps),
            [real(d, (n, c), -3, 3)])


@case
def softmax_cross_entropy_probabilities(d):
    n, c = d.draw(st.integers(1, 4)), d.draw(st.integers(2, 4))
    reduction = d.draw(st.sampled_from(["mean", "sum", "none"]))
    eps = d.draw(st.sampled_from([0.0, 0.1]))
    p = positive(d, (n, c))
    return (lambda s, q: SoftmaxCrossEntropy(reduction, eps).apply(s, q),
            lambda s, q: torch.nn.functional.cross_entropy(
                s, q, reduction=reduction, label_smoothing=eps),
            [real(d, (n, c), -3, 3), p / p.sum(1, keepdims=True)])


# -- shape ops ------------------------------------------------------------------
@case
def reshape(d):
    shape = d.draw(shapes)
    n = int(np.prod(shape))
    target = d.draw(st.sampled_from([(n,), (-1,), (1, n), (n, 1, 1), tuple(reversed(shape)),
                                     shape + (1,), ()] if n == 1 else
                                    [(n,), (-1,), (1, n), (n, 1), tuple(reversed(shape)),
                                     (1,) + shape]))
    return lambda x: x.reshape(target), SAME, [real(d, shape)]


@case
def reshape_fn(d):
    shape = d.draw(shapes_nd)
    return (lambda x: rg.reshape(x, (-1,)) * 2, lambda x: torch.reshape(x, (-1,)) * 2,
            [real(d, shape)])


@case
def transpose_all(d):
    shape = d.draw(shapes)
    rev = tuple(reversed(range(len(shape))))
    return (lambda x: x.transpose(), lambda x: x.permute(rev), [real(d, shape)])


@case
def transpose_T(d):
    shape = d.draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=3))
    return lambda x: x.T * 1.0, SAME, [real(d, shape)]


@case
def transpose_two(d):
    shape = d.draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=3))
    i = d.draw(st.integers(-len(shape), len(shape) - 1))
    j = d.draw(st.integers(-len(shape), len(shape) - 1))
    return lambda x: x.transpose(i, j), SAME, [real(d, shape)]


@case
def transpose_fn(d):
    shape = d.draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=3))
    return (lambda x: rg.transpose(x, 0, 1), lambda x: torch.transpose(x, 0, 1),
            [real(d, shape)])


@case
def permute(d):
    shape = d.draw(shapes_nd)
    perm = tuple(d.draw(st.permutations(range(len(shape)))))
    return lambda x: x.permute(*perm), SAME, [real(d, shape)]


@case
def permute_fn(d):
    shape = d.draw(hnp.array_shapes(min_dims=3, max_dims=3, max_side=3))
    return (lambda x: rg.permute(x, 2, 0, 1), lambda x: torch.permute(x, (2, 0, 1)),
            [real(d, shape)])


@case
def flatten(d):
    shape = d.draw(shapes_nd)
    s = d.draw(st.integers(0, len(shape) - 1))
    e = d.draw(st.integers(s, len(shape) - 1))
    return lambda x: x.flatten(s, e), SAME, [real(d, shape)]


@case
def flatten_fn(d):
    shape = d.draw(shapes_nd)
    return lambda x: rg.flatten(x), lambda x: torch.flatten(x), [real(d, shape)]


@case
def squeeze_all(d):
    shape = d.draw(shapes)
    return lambda x: x.squeeze(), SAME, [real(d, shape)]


@case
def squeeze_axis(d):
    shape = d.draw(shapes_nd)
    axis = d.draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda x: rg.squeeze(x, axis), lambda x: torch.squeeze(x, axis),
            [real(d, shape)])


@case
def unsqueeze(d):
    shape = d.draw(shapes)
    axis = d.draw(st.integers(-len(shape) - 1, len(shape)))
    return (lambda x: x.unsqueeze(axis), SAME, [real(d, shape)])


@case
def unsqueeze_fn(d):
    shape = d.draw(shapes)
    return lambda x: rg.unsqueeze(x, 0), lambda x: torch.unsqueeze(x, 0), [real(d, shape)]


def _broadcast_target(d):
    """A shape and a larger shape it broadcasts to (new leading axes, size-1 axes grown)."""
    shape = d.draw(shapes)
    grown = tuple(d.draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    lead = tuple(d.draw(st.lists(st.integers(1, 3), max_size=2)))
    return shape, lead + grown


@case
def expand(d):
    shape, target = _broadcast_target(d)
    return lambda x: x.expand(*target), lambda x: x.expand(target), [real(d, shape)]


@case
def expand_keep(d):
    shape = d.draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=3))
    shape = (1, shape[1])
    return lambda x: x.expand(3, -1), SAME, [real(d, shape)]


@case
def expand_fn(d):
    shape, target = _broadcast_target(d)
    return lambda x: rg.expand(x, target), lambda x: x.expand(target), [real(d, shape)]


@case
def broadcast_to(d):
    shape, target = _broadcast_target(d)
    return (lambda x: rg.broadcast_to(x, target),
            lambda x: torch.broadcast_to(x, target), [real(d, shape)])


@case
def broadcast_to_method(d):
    shape, target = _broadcast_target(d)
    return (lambda x: x.broadcast_to(target), lambda x: x.broadcast_to(target),
            [real(d, shape)])


# -- indexing -------------------------------------------------------------------
@case
def getitem_basic(d):
    shape = d.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4))
    index = d.draw(st.sampled_from([
        0, -1, (slice(None), 1), (Ellipsis, slice(1, None)), (slice(0, 2), None),
        (1, slice(None, None, 2)), (None, Ellipsis, 0), slice(1, 2),
    ]))
    return lambda x: x[index], SAME, [real(d, shape)]


@case
def getitem_negative_step(d):
    shape = d.draw(shapes_nd)
    return lambda x: x[::-1], lambda x: x.flip(0), [real(d, shape)]


@case
def getitem_int_array_repeated(d):
    shape = d.draw(shapes_nd)
    r = rng(d)
    idx = np.concatenate([[0, 0], r.integers(0, shape[0], size=3)])  # 0 always repeats
    return (lambda x: x[idx], lambda x: x[torch.tensor(idx)], [real(d, shape)])


@case
def getitem_list_and_tensor_index(d):
    shape = d.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=3))
    rows = [1, 0, 1, 1]
    cols = rg.tensor([0, 1, 1, 0])
    return (lambda x: x[rows, cols], lambda x: x[rows, torch.tensor(cols.numpy())],
            [real(d, shape)])


@case
def getitem_mixed(d):
    shape = d.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=3))
    idx = np.array([1, 1, 0])
    return (lambda x: x[:, idx], lambda x: x[:, torch.tensor(idx)], [real(d, shape)])


@case
def getitem_bool_mask(d):
    shape = d.draw(shapes_nd)
    mask = rng(d).random(shape) < 0.5
    return (lambda x: x[mask], lambda x: x[torch.tensor(mask)], [real(d, shape)])


@case
def getitem_mask_tensor(d):
    shape = d.draw(shapes_nd)
    return (lambda x: x[x > 0], lambda x: x[x > 0], [away_from_zero(d, shape)])


# -- joining and splitting ----------------------------------------------------
@case
def concatenate(d):
    shape = d.draw(shapes_nd)
    axis = d.draw(st.integers(-len(shape), len(shape) - 1))
    sizes = d.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    arrays = []
    for n in sizes:
        s = list(shape)
        s[axis] = n
        arrays.append(real(d, tuple(s)))
    return (lambda *xs: rg.concatenate(xs, axis=axis),
            lambda *xs: torch.cat(xs, dim=axis), arrays)


@case
def cat_with_constant(d):
    shape = d.draw(shapes_nd)
    const = np.ones(shape)
    return (lambda x: rg.cat([x, const, x * 2]), lambda x: torch.cat(
        [x, torch.tensor(const), x * 2]), [real(d, shape)])


@case
def stack(d):
    shape = d.draw(shapes)
    axis = d.draw(st.integers(-len(shape) - 1, len(shape)))
    k = d.draw(st.integers(1, 3))
    return (lambda *xs: rg.stack(xs, axis=axis), lambda *xs: torch.stack(xs, dim=axis),
            [real(d, shape) for _ in range(k)])


@case
def split_sections(d):
    shape = d.draw(shapes_nd)
    axis = d.draw(st.integers(-len(shape), len(shape) - 1))
    parts = shape[axis]

    def combine(pieces, cat):
        return cat([p * (i + 1) for i, p in enumerate(pieces)], axis)

    return (lambda x: combine(rg.tensor_split(x, parts, axis), rg.concatenate),
            lambda x: combine(torch.tensor_split(x, parts, axis), torch.cat),
            [real(d, shape)])


@case
def split_indices(d):
    shape = d.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=3, max_side=4))
    # split with axis= is NumPy's (cut at indices), tensor_split PyTorch's equivalent
    return (lambda x: rg.split(x, [1, 2], axis=0)[2] * 3 - rg.tensor_split(x, [1], 0)[0].sum(),
            lambda x: torch.tensor_split(x, [1, 2], 0)[2] * 3 - x[:1].sum(),
            [real(d, shape)])


# -- matrix products ---------------------------------------------------------------
MATMUL_SHAPES = [
    ((2, 3), (3, 4)), ((1, 3), (3, 1)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)),
    ((2, 2, 3), (3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((2, 3, 2), (2,)), ((3,), (2, 3, 2)),
    ((1, 2, 3), (4, 3, 1)),
]


@case
def matmul(d):
    sa, sb = d.draw(st.sampled_from(MATMUL_SHAPES))
    return lambda a, b: a @ b, SAME, [real(d, sa), real(d, sb)]


@case
def matmul_fn(d):
    sa, sb = d.draw(st.sampled_from(MATMUL_SHAPES))
    return lambda a, b: rg.matmul(a, b), lambda a, b: torch.matmul(a, b), \
        [real(d, sa), real(d, sb)]


@case
def linear_fused(d):
    n_in, n_out = d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3))
    lead = tuple(d.draw(st.lists(st.integers(1, 3), max_size=2)))
    return (linear, lambda x, w, b: torch.nn.functional.linear(x, w, b),
            [real(d, lead + (n_in,)), real(d, (n_out, n_in)), real(d, (n_out,))])


@case
def linear_no_bias(d):
    n_in, n_out = d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3))
    lead = tuple(d.draw(st.lists(st.integers(1, 3), max_size=2)))
    return (linear, lambda x, w: torch.nn.functional.linear(x, w),
            [real(d, lead + (n_in,)), real(d, (n_out, n_in))])


@case
def affine_fused(d):
    """s = xW + b with the Keras kernel layout W (in, out)."""
    n_in, n_out = d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3))
    lead = tuple(d.draw(st.lists(st.integers(1, 3), max_size=2)))
    with_bias = d.draw(st.booleans())
    arrays = [real(d, lead + (n_in,)), real(d, (n_in, n_out))]
    if with_bias:
        arrays.append(real(d, (n_out,)))
    return affine, lambda x, w, b=None: x @ w if b is None else x @ w + b, arrays


@case
def mlp_composite(d):
    """A small network end to end: linear → tanh → linear → log_softmax → mean."""
    n = d.draw(st.integers(1, 3))
    return (lambda x, w1, w2: (x @ w1).tanh().__matmul__(w2).log_softmax(-1).mean(),
            lambda x, w1, w2: (x @ w1).tanh().__matmul__(w2).log_softmax(-1).mean(),
            [real(d, (n, 3)), real(d, (3, 4)), real(d, (4, 2))])


# -- the checks -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
@FAST
@given(d=st.data())
def test_op(name, d):
    f, f_torch, arrays = CASES[name](d)
    check_grad(f, *arrays)
    check_jvp(f, *arrays)
    if f_torch is not None:
        compare_torch(f, f if f_torch is SAME else f_torch, *arrays)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=2, deadline=None, derandomize=True)
@given(d=st.data())
def test_float32_stays_float32(name, d):
    """No silent float64 promotion: outputs and gradients keep float32, Python
    scalars inside the op included."""
    f, _, arrays = CASES[name](d)
    xs = [rg.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    y = f(*xs)
    assert y.dtype == np.float32, y.dtype
    y.backward(np.ones(y.shape, dtype=np.float32))
    for x in xs:
        assert x.grad is None or x.grad.dtype == np.float32, (x.grad.dtype)


def test_cases_cover_every_op_of_the_issue():
    wanted = ["add", "sub", "mul", "div", "pow", "neg", "matmul", "exp", "log", "sqrt",
              "abs", "sin", "cos", "tanh", "sigmoid", "relu", "maximum", "minimum", "clip",
              "where", "sum", "mean", "max", "min", "var", "std", "logsumexp", "softmax",
              "log_softmax", "reshape", "transpose_all", "permute", "flatten", "squeeze_all",
              "unsqueeze", "expand", "broadcast_to", "getitem_basic",
              "getitem_int_array_repeated", "concatenate", "stack", "split_sections",
              "linear_fused"]
    assert not [w for w in wanted if w not in CASES]


# -- exact values that the generic checks cannot pin down -------------------------
def test_repeated_index_gradient_scatter_adds():
    x = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])


def test_max_ties_split_the_gradient_evenly():
    x = rg.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0.5, 0.5], [1, 0, 0]])
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    b = rg.tensor([1.0, 1.0], requires_grad=True)
    rg.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0])


def test_abs_and_relu_gradient_at_zero_is_zero():
    x = rg.tensor([0.0, -1.0, 2.0], requires_grad=True)
    (x.abs() + x.relu()).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, -1.0, 2.0])


def test_clip_gradient_passes_on_the_bounds():
    x = rg.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clip(-1, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 1, 1, 0])  # as torch.clamp


def test_clip_accepts_tensor_bounds():
    x = rg.tensor([-2.0, 0.5, 2.0], requires_grad=True)
    y = x.clip(rg.tensor(-1.0), rg.tensor(1.0))
    np.testing.assert_array_equal(y.numpy(), [-1.0, 0.5, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 0])


@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_softmax_family_is_stable_at_extremes(big):
    """The course's shift by the max: finite and exact for [±1000]*3."""
    x = rg.tensor([big, big, big], dtype="float64", requires_grad=True)
    s = rg.softmax(x)
    np.testing.assert_array_equal(s.numpy(), [1 / 3] * 3)
    ls = rg.log_softmax(x)
    np.testing.assert_allclose(ls.numpy(), [-np.log(3)] * 3, rtol=1e-15)
    lse = rg.logsumexp(x)
    np.testing.assert_allclose(lse.item(), big + np.log(3), rtol=1e-15)
    (s[0] + ls[1] + lse).backward()
    assert np.isfinite(x.grad.numpy()).all()
    # ∂s₀/∂x = s₀(e₀ − s) = [2/9, −1/9, −1/9]; ∂ls₁/∂x = e₁ − s; ∂lse/∂x = s
    expected = np.array([2 / 9, -1 / 9, -1 / 9]) + (np.array([0, 1, 0]) - 1 / 3) + 1 / 3
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_softmax_family_is_stable_in_float32(big):
    x = rg.tensor([[big, big, big], [big, 0.0, -big]], requires_grad=True)
    for y in (rg.softmax(x, axis=1), rg.log_softmax(x, axis=1), rg.logsumexp(x, axis=1)):
        assert y.dtype == np.float32
        assert np.isfinite(y.numpy()).all(), y
        y.sum().backward()
        assert np.isfinite(x.grad.numpy()).all()
        x.grad = None


def test_logsumexp_of_all_minus_infinity_is_minus_infinity():
    x = rg.tensor([-np.inf, -np.inf])
    assert rg.logsumexp(x).item() == -np.inf


def test_split_with_axis_returns_the_pieces_numpy_would():
    """split(x, …, axis=) keeps NumPy's meaning (PyTorch's split has no axis=);
    without it, split is PyTorch's (tests/test_torch_split.py)."""
    x = rg.arange(10.0)
    pieces = rg.split(x, [2, 5], axis=0)
    assert [p.shape for p in pieces] == [(2,), (3,), (5,)]
    assert [p.shape for p in rg.tensor_split(x, [2, 5])] == [(2,), (3,), (5,)]
    assert [p.shape for p in rg.split(x.reshape(2, 5), 5, axis=1)] == [(2, 1)] * 5
    with pytest.raises(ValueError, match="split.*size 10.*3"):
        rg.split(x, 3, axis=0)


def test_sigmoid_and_tanh_saturate_without_overflow():
    x = rg.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    with np.errstate(over="raise"):
        s, t = x.sigmoid(), x.tanh()
        (s + t).sum().backward()
    np.testing.assert_array_equal(s.numpy(), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(t.numpy(), [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.25, 0.0])
