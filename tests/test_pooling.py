"""Pooling (ops/pooling.py): max and average pooling 1d/2d, adaptive average and max
pooling, max pooling's indices and max unpooling, against finite differences
(float64), forward vs reverse mode and PyTorch (values and gradients, float64 and
float32) on hypothesis-drawn windows; errors and the nn layers against PyTorch's."""
import itertools

import numpy as np
import pytest
from harness import check_grad, check_jvp, compare_torch, compare_torch_float32, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import nn
from retrograd.ops import pooling as P


def _three_ways(f, f_torch, x, grads=True):
    """Finite differences and jvp (float64, when ``grads``), PyTorch's values and
    gradients in float64, and in float32."""
    if grads:
        check_grad(f, x)
        check_jvp(f, x)
    compare_torch(f, f_torch, x)
    compare_torch_float32(f, f_torch, x, rtol=1e-5, atol=1e-6)


@st.composite
def window(draw, n):
    k = tuple(draw(st.integers(1, 3)) for _ in range(n))
    s = tuple(draw(st.integers(1, 3)) for _ in range(n))
    p = tuple(draw(st.integers(0, ki // 2)) for ki in k)
    size = tuple(draw(st.integers(ki, ki + 4)) for ki in k)
    return k, s, p, size, draw(st.booleans()), draw(st.integers(0, 99))


@settings(max_examples=12, deadline=None)
@given(window(2), st.integers(1, 2), st.booleans())
def test_max_pool2d(win, d, ceil_mode):
    k, s, p, size, _, seed = win
    if any(pi > ((ki - 1) * d + 1) // 2 for pi, ki in zip(p, k)):
        p = (0, 0)
    size = tuple(n + (ki - 1) * (d - 1) for n, ki in zip(size, k))
    # Distinct values: no tie for the max within a finite difference's step.
    x = np.random.default_rng(seed).permutation(2 * size[0] * size[1]).reshape(
        (1, 2) + size) / 7.0
    kw = {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": ceil_mode}
    _three_ways(lambda a: P.max_pool2d(a, **kw),
                lambda a: torch.nn.functional.max_pool2d(a, **kw), x)


@settings(max_examples=12, deadline=None)
@given(window(2), st.booleans())
def test_avg_pool2d(win, count_include_pad):
    k, s, p, size, ceil_mode, seed = win
    x = np.random.default_rng(seed).standard_normal((1, 2) + size)
    kw = {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil_mode,
              "count_include_pad": count_include_pad}
    _three_ways(lambda a: P.avg_pool2d(a, **kw),
                lambda a: torch.nn.functional.avg_pool2d(a, **kw), x)


@settings(max_examples=10, deadline=None)
@given(window(1), st.booleans())
def test_pool1d(win, use_max):
    k, s, p, size, ceil_mode, seed = win
    x = np.random.default_rng(seed).permutation(2 * 3 * size[0]).reshape((2, 3) + size) / 5.0
    kw = {"kernel_size": k[0], "stride": s[0], "padding": p[0], "ceil_mode": ceil_mode}
    name = "max_pool1d" if use_max else "avg_pool1d"
    _three_ways(lambda a: getattr(P, name)(a, **kw),
                lambda a: getattr(torch.nn.functional, name)(a, **kw), x)


@pytest.mark.parametrize("size,out", [((7, 9), 1), ((7, 9), (3, 4)), ((5, 6), (5, None)),
                                      ((4, 4), (7, 3))])
def test_adaptive_avg_pool2d(size, out):
    x = np.random.default_rng(0).standard_normal((2, 3) + size)
    _three_ways(lambda a: P.adaptive_avg_pool2d(a, out),
                lambda a: torch.nn.functional.adaptive_avg_pool2d(a, out), x)


def test_adaptive_avg_pool1d_and_unbatched_inputs():
    x = np.random.default_rng(0).standard_normal((2, 3, 7))
    compare_torch(lambda a: P.adaptive_avg_pool1d(a, 3),
                  lambda a: torch.nn.functional.adaptive_avg_pool1d(a, 3), x)
    compare_torch(lambda a: P.max_pool2d(a, 2), lambda a: torch.nn.functional.max_pool2d(a, 2),
                  x)      # (C, H, W): no batch axis
    compare_torch(lambda a: P.avg_pool1d(a[0], 2),
                  lambda a: torch.nn.functional.avg_pool1d(a[0], 2), x)


def test_max_pool_ties_go_to_the_first_max_as_pytorch():
    x = np.ones((1, 1, 4, 4))
    compare_torch(lambda a: P.max_pool2d(a, 2), lambda a: torch.nn.functional.max_pool2d(a, 2),
                  x)
    compare_torch(lambda a: P.max_pool2d(a, 3, 1, 1),
                  lambda a: torch.nn.functional.max_pool2d(a, 3, 1, 1), x)


def test_divisor_override():
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    compare_torch(lambda a: P.avg_pool2d(a, 2, divisor_override=3),
                  lambda a: torch.nn.functional.avg_pool2d(a, 2, divisor_override=3), x)


@pytest.mark.parametrize("name,shape,args,kwargs,words", [
    ("max_pool2d", (1, 2, 3, 3), (2,), {"padding": 2}, ["at most half", "pad=(2, 2)"]),
    ("max_pool2d", (1, 2, 3, 3), (5,), {}, ["[1, 2, 3, 3]", "too small"]),
    ("avg_pool2d", (1, 1, 1, 3, 3), (2,), {}, ["input of size: [1, 1, 1, 3, 3]"]),
    ("max_pool2d", (1, 2, 3, 3), (0,), {}, ["kernel_size must be greater than zero"]),
    ("adaptive_avg_pool2d", (3, 3), (2,), {}, ["input of size: [3, 3]"]),
])
def test_errors_name_the_shapes(name, shape, args, kwargs, words):
    with pytest.raises(RuntimeError) as e:
        getattr(P, name)(rg.ones(*shape), *args, **kwargs)
    assert name in str(e.value)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    if torch is not None:   # PyTorch refuses the same call with the same type
        with pytest.raises(RuntimeError):
            getattr(torch.nn.functional, name)(torch.ones(*shape), *args, **kwargs)


def test_pooling_layers_match_torch_nn():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    pairs = [(nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
             (nn.MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
             (nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1)),
             (nn.AdaptiveAvgPool2d((2, 3)), torch.nn.AdaptiveAvgPool2d((2, 3))),
             (nn.MaxPool1d(2), torch.nn.MaxPool1d(2)),
             (nn.AvgPool1d(3, 1), torch.nn.AvgPool1d(3, 1)),
             (nn.AdaptiveAvgPool1d(2), torch.nn.AdaptiveAvgPool1d(2))]
    x4 = np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype(np.float32)
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        x = x4 if "2d" in repr(ours) else x4[:, :, 0]
        np.testing.assert_allclose(ours(rg.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(),
                                   rtol=1e-6, atol=1e-6)


def test_pooling_on_every_device(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype(np.float32)
    results = []
    for dev in ("cpu", device):
        t = rg.tensor(x, device=dev, requires_grad=True)
        y = (P.max_pool2d(t, 3, 2, 1, ceil_mode=True).sum() +
             (P.avg_pool2d(t, 2, 1, 1, count_include_pad=False) ** 2).sum() +
             P.adaptive_avg_pool2d(t, (2, 3)).sum())
        y.backward()
        results.append((y.cpu().numpy(), t.grad.cpu().numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# -- max pooling's indices, max unpooling, adaptive max pooling -------------------------

def _pool_case(win, d, n):
    """Kernel, stride, padding, dilation (PyTorch's limit on padding kept) and size."""
    k, s, p, size, ceil_mode, seed = win
    if any(pi > ((ki - 1) * d + 1) // 2 for pi, ki in zip(p, k)):
        p = (0,) * n
    size = tuple(m + (ki - 1) * (d - 1) for m, ki in zip(size, k))
    kw = {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": ceil_mode}
    return kw, size, np.random.default_rng(seed)


@settings(max_examples=15, deadline=None)
@given(window(2), st.integers(1, 2), st.sampled_from(["distinct", "ties", "-inf", "nan"]),
       st.booleans())
def test_max_pool_indices_match_pytorch(win, d, values, one_d):
    """Indices on ties, windows of −∞ (PyTorch: the first tap inside the input) and
    NaN; the values keep their gradient, the int64 indices have none."""
    n = 1 if one_d else 2
    kw, size, rng = _pool_case(win, d, 2)
    if one_d:
        kw = {key: v[0] if isinstance(v, tuple) else v for key, v in kw.items()}
        size = size[:1]
    shape = (2, 2) + size
    x = {"distinct": lambda: rng.permutation(np.prod(shape)).reshape(shape) / 7.0,
         "ties": lambda: rng.integers(0, 2, shape).astype(float),
         "-inf": lambda: np.full(shape, -np.inf),
         "nan": lambda: np.where(rng.random(shape) < 0.2, np.nan, rng.random(shape))}[values]()
    name = f"max_pool{n}d"
    y, idx = getattr(P, name)(rg.tensor(x), return_indices=True, **kw)
    if torch is not None:
        yt, it = getattr(torch.nn.functional, name)(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(y.numpy(), yt.numpy())
        np.testing.assert_array_equal(idx.numpy(), it.numpy())
    assert idx.dtype == np.int64 and not idx.requires_grad and idx.shape == y.shape
    if values in ("distinct", "ties", "-inf"):
        _three_ways(lambda a: getattr(P, name)(a, return_indices=True, **kw)[0],
                    lambda a: getattr(torch.nn.functional, name)(a, return_indices=True,
                                                                 **kw)[0],
                    x, grads=values == "distinct")


@settings(max_examples=12, deadline=None)
@given(window(2), st.booleans(), st.booleans())
def test_max_unpool_scatters_and_gathers(win, one_d, explicit_size):
    """unpool(pool(x)) against PyTorch (values, gradients); finite differences and
    jvp where no two windows share a max (a repeated index keeps one value forward
    but gathers twice backward, in PyTorch too)."""
    kw, size, rng = _pool_case(win, 1, 2)
    kw["ceil_mode"] = False
    n = 1 if one_d else 2
    if one_d:
        kw = {key: v[0] if isinstance(v, tuple) else v for key, v in kw.items()}
        size = size[:1]
    x = rng.permutation(2 * 3 * int(np.prod(size))).reshape((2, 3) + size) / 5.0
    y, idx = getattr(P, f"max_pool{n}d")(rg.tensor(x), return_indices=True, **kw)
    k, s, p = kw["kernel_size"], kw["stride"], kw["padding"]
    out = size if explicit_size else None
    unpool = getattr(P, f"max_unpool{n}d")
    if torch is not None:
        try:
            ut = getattr(torch.nn.functional, f"max_unpool{n}d")(
                torch.tensor(y.numpy()), torch.tensor(idx.numpy()), k, s, p, output_size=out)
        except (ValueError, RuntimeError) as e:
            # An output size too far from the default (ValueError), or one too small for
            # the indices (RuntimeError): both refuse it the same way.
            with pytest.raises(type(e), match="invalid output_size|invalid max index"):
                unpool(y, idx, k, s, p, output_size=out)
            return
        if ut.numel() == 0:    # an empty output (no index read); PyTorch's backward fails
            assert unpool(y, idx, k, s, p, output_size=out).shape == tuple(ut.shape)
            return
    unique = all(len(set(r)) == len(r) for r in idx.numpy().reshape(6, -1).tolist())
    values = np.random.default_rng(1).standard_normal(y.shape)
    ti = None if torch is None else torch.tensor(idx.numpy())
    _three_ways(lambda a: unpool(a, idx, k, s, p, output_size=out),
                lambda a: getattr(torch.nn.functional, f"max_unpool{n}d")(
                    a, ti, k, s, p, output_size=out), values, grads=unique)


@pytest.mark.parametrize("size,out", [((7, 9), 1), ((7, 9), (3, 4)), ((5, 6), (5, None)),
                                      ((4, 4), (7, 3)), ((5, 8), (3, 3))])
def test_adaptive_max_pool2d(size, out):
    """Windows ⌊iH/oh⌋ … ⌈(i+1)H/oh⌉ − 1, overlapping ones included: values, indices
    and the gradient (added up where windows share a max)."""
    x = np.random.default_rng(0).permutation(6 * size[0] * size[1]).reshape((2, 3) + size)
    x = x / 11.0
    _three_ways(lambda a: P.adaptive_max_pool2d(a, out),
                lambda a: torch.nn.functional.adaptive_max_pool2d(a, out), x)
    y, idx = P.adaptive_max_pool2d(rg.tensor(x[0]), out, return_indices=True)   # (C, H, W)
    if torch is not None:
        yt, it = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x[0]), out, True)
        np.testing.assert_array_equal(y.numpy(), yt.numpy())
        np.testing.assert_array_equal(idx.numpy(), it.numpy())
        assert idx.dtype == np.int64


@settings(max_examples=12, deadline=None)
@given(st.tuples(st.integers(1, 8), st.integers(1, 8)),
       st.tuples(st.one_of(st.none(), st.integers(1, 8)), st.integers(1, 8)),
       st.integers(0, 99))
def test_adaptive_max_pool2d_hypothesis(size, out, seed):
    """Any input and output sizes (outputs larger than the input repeat cells; shared
    maxima of overlapping windows add their gradients)."""
    x = np.random.default_rng(seed).permutation(2 * size[0] * size[1]).reshape(
        (1, 2) + size) / 3.0
    _three_ways(lambda a: P.adaptive_max_pool2d(a, out),
                lambda a: torch.nn.functional.adaptive_max_pool2d(a, out), x)


def test_adaptive_max_pool1d_and_ties():
    x = np.random.default_rng(0).permutation(2 * 3 * 7).reshape(2, 3, 7) / 3.0
    _three_ways(lambda a: P.adaptive_max_pool1d(a, 3),
                lambda a: torch.nn.functional.adaptive_max_pool1d(a, 3), x)
    if torch is None:
        return
    ties = np.random.default_rng(1).integers(0, 2, (2, 3, 10, 14)).astype(float)
    nans = ties.copy()
    nans[0, 0, 0, 0] = nans[1, 2, 4, 6] = nans[1, 1, 9, 13] = np.nan
    # (5, 7), (1, 1) and (10, 14) tile the plane: one argmax per tile, unless NaN.
    for x, out in itertools.product((ties, nans), ((2, 3), (4, 6), (5, 7), (1, 1), (10, 14))):
        y, idx = P.adaptive_max_pool2d(rg.tensor(x), out, True)
        yt, it = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), out, True)
        np.testing.assert_array_equal(y.numpy(), yt.numpy())
        np.testing.assert_array_equal(idx.numpy(), it.numpy())
    y, idx = P.adaptive_max_pool1d(rg.tensor(ties[0, :, 0]), 3, True)
    yt, it = torch.nn.functional.adaptive_max_pool1d(torch.tensor(ties[0, :, 0]), 3, True)
    np.testing.assert_array_equal(idx.numpy(), it.numpy())
    compare_torch(lambda a: P.adaptive_max_pool2d(a, (2, 3)),
                  lambda a: torch.nn.functional.adaptive_max_pool2d(a, (2, 3)), ties[:, :, :4])


def _pool_indices():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    return P.max_pool2d(rg.tensor(x), 2, return_indices=True)


@pytest.mark.parametrize("call,kind,words", [
    (lambda y, i, F: F.max_unpool2d(y, i + 100, 2), RuntimeError,
     ["max_unpool2d", "invalid max index: 105", "4x4"]),
    (lambda y, i, F: F.max_unpool2d(y, i - 100, 2), RuntimeError, ["invalid max index: -95"]),
    (lambda y, i, F: F.max_unpool2d(y, i, 2, output_size=(7, 7)), ValueError,
     ["max_unpool2d", "(7, 7)", "between 2 and 6"]),
    (lambda y, i, F: F.max_unpool2d(y, i, 2, output_size=(5,)), ValueError,
     ["2 or 4 elements", "length of '1'"]),
    (lambda y, i, F: F.max_unpool2d(y, i.float(), 2), RuntimeError, ["int64", "float32"]),
    (lambda y, i, F: F.max_unpool2d(y, i[..., :1], 2), RuntimeError,
     ["[1, 1, 2, 2]", "[1, 1, 2, 1]"]),
    (lambda y, i, F: F.max_unpool2d(y[0, 0], i[0, 0], 2), RuntimeError, ["[2, 2]"]),
    (lambda y, i, F: F.adaptive_max_pool2d(y[0, 0], 1), RuntimeError,
     ["adaptive_max_pool2d", "[2, 2]"]),
    (lambda y, i, F: F.adaptive_max_pool2d(y[0, 0], (1, 1)), ValueError,
     ["adaptive_max_pool2d", "[2, 2]"]),
    (lambda y, i, F: F.adaptive_max_pool1d(y[0], (2, 3)), RuntimeError,
     ["adaptive_max_pool1d", "1 int"]),
])
def test_unpool_and_adaptive_errors(call, kind, words):
    y, i = _pool_indices()
    with pytest.raises(kind) as e:
        call(y, i, P)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    if torch is not None:      # PyTorch refuses the same call with the same type
        yt, it = torch.nn.functional.max_pool2d(torch.arange(16.0).reshape(1, 1, 4, 4), 2,
                                                return_indices=True)
        with pytest.raises(kind):
            call(yt, it, torch.nn.functional)


def test_index_layers_match_torch_nn():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    x4 = np.random.default_rng(0).standard_normal((2, 3, 8, 6)).astype(np.float32)
    pairs = [(nn.MaxPool2d(2, return_indices=True), torch.nn.MaxPool2d(2, return_indices=True)),
             (nn.MaxPool1d(3, 2, 1, return_indices=True),
              torch.nn.MaxPool1d(3, 2, 1, return_indices=True)),
             (nn.AdaptiveMaxPool2d(3), torch.nn.AdaptiveMaxPool2d(3)),
             (nn.AdaptiveMaxPool2d((3, None), return_indices=True),
              torch.nn.AdaptiveMaxPool2d((3, None), return_indices=True)),
             (nn.AdaptiveMaxPool1d(2), torch.nn.AdaptiveMaxPool1d(2))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        x = x4 if "2d" in repr(ours) else x4[:, :, 0]
        a, b = ours(rg.tensor(x)), theirs(torch.tensor(x))
        for u, v in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
            np.testing.assert_array_equal(u.numpy(), v.numpy())
    for ours, theirs, pool, x in [
            (nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2), "MaxPool2d", x4),
            (nn.MaxUnpool2d((2, 3), 1, 1), torch.nn.MaxUnpool2d((2, 3), 1, 1), None, x4),
            (nn.MaxUnpool1d(2), torch.nn.MaxUnpool1d(2), "MaxPool1d", x4[:, :, 0])]:
        assert repr(ours) == repr(theirs)
        if pool is None:
            continue
        y, i = getattr(nn, pool)(2, return_indices=True)(rg.tensor(x))
        yt, it = getattr(torch.nn, pool)(2, return_indices=True)(torch.tensor(x))
        np.testing.assert_array_equal(ours(y, i, output_size=x.shape).numpy(),
                                      theirs(yt, it, output_size=x.shape).numpy())


def test_index_ops_on_every_device(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype(np.float32)
    results = []
    for dev in ("cpu", device):
        t = rg.tensor(x, device=dev, requires_grad=True)
        y, i = P.max_pool2d(t, 3, 2, 1, ceil_mode=True, return_indices=True)
        u = P.max_unpool2d(y * 2, i, 3, 2, 1, output_size=(7, 6))
        a, j = P.adaptive_max_pool2d(t, (3, 4), return_indices=True)
        tiles = P.adaptive_max_pool2d(t, (7, 3))          # tiles of 1×2: one argmax each
        z = (u ** 2).sum() + (a ** 2).sum() + P.adaptive_max_pool1d(t[:, :, 0], 4).sum() + \
            (tiles ** 3).sum()
        z.backward()
        assert i.device == t.device == j.device
        results.append((z.cpu().numpy(), t.grad.cpu().numpy(), i.cpu().numpy(),
                        j.cpu().numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_adaptive_max_pool_empty_batch_and_bad_sizes():
    """An empty batch gives an empty output (the tiled path too); 0 channels, a
    string or a float output_size are PyTorch's errors, naming the op."""
    for out in ((2, 2), (3, 3), 1):        # tiled ((2, 2), 1) and windows paths
        y, idx = P.adaptive_max_pool2d(rg.zeros(0, 3, 4, 4, dtype=rg.float64), out, True)
        shape = (0, 3) + ((out, out) if isinstance(out, int) else out)
        assert y.shape == idx.shape == shape
        assert P.adaptive_max_pool2d(rg.zeros(0, 4, 4, dtype=rg.float64), out).shape == \
            (0,) + shape[2:]     # PyTorch: axis 0 may be empty, batched or not
        if torch is not None:
            assert tuple(torch.nn.functional.adaptive_max_pool2d(
                torch.zeros(0, 3, 4, 4), out).shape) == shape
    for call, kind, words in (
            (lambda F, z: F.adaptive_max_pool2d(z(2, 0, 4, 4), 2), RuntimeError,
             ["adaptive_max_pool2d", "[2, 0, 4, 4]"]),
            (lambda F, z: F.adaptive_max_pool1d(z(2, 0, 4), 2), RuntimeError,
             ["adaptive_max_pool1d", "[2, 0, 4]"]),
            (lambda F, z: F.adaptive_max_pool2d(z(3, 4, 0), 2), RuntimeError,
             ["adaptive_max_pool2d", "[3, 4, 0]"]),
            (lambda F, z: F.adaptive_max_pool2d(z(2, 3, 4, 4), "ab"), TypeError,
             ["adaptive_max_pool2d", "output_size", "'ab'"]),
            (lambda F, z: F.adaptive_max_pool2d(z(2, 3, 4, 4), 2.5), TypeError,
             ["adaptive_max_pool2d", "output_size", "2.5"]),
            (lambda F, z: F.adaptive_max_pool2d(z(2, 3, 4, 4), (2, 1.5)), TypeError,
             ["adaptive_max_pool2d", "output_size", "1.5"])):
        with pytest.raises(kind) as e:
            call(P, rg.zeros)
        for w in words:
            assert w in str(e.value), (w, str(e.value))
        if torch is not None:
            with pytest.raises(kind):
                call(torch.nn.functional, torch.zeros)


def test_max_pool_indices_and_unpool_of_an_empty_batch():
    """No sample: empty values and indices, and max_unpool gives an empty output of
    the unpooled size (it failed in a NumPy reshape(0, -1)), as PyTorch."""
    for n in (1, 2):
        shape = (0, 2) + (4,) * n
        y, idx = getattr(P, f"max_pool{n}d")(rg.zeros(*shape, dtype=rg.float64), 2,
                                             return_indices=True)
        assert y.shape == idx.shape == (0, 2) + (2,) * n
        u = getattr(P, f"max_unpool{n}d")(y, idx, 2)
        assert u.shape == shape and u.dtype == np.float64
        if torch is not None:
            yt, it = getattr(torch.nn.functional, f"max_pool{n}d")(
                torch.zeros(shape, dtype=torch.float64), 2, return_indices=True)
            assert tuple(getattr(torch.nn.functional, f"max_unpool{n}d")(
                yt, it, 2).shape) == shape
