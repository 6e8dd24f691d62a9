"""Pooling (ops/pooling.py): max and average pooling 1d/2d and adaptive average
pooling, against finite differences (float64), forward vs reverse mode and PyTorch
(values and gradients, float64 and float32) on hypothesis-drawn windows; errors and
the nn layers against PyTorch's."""
import numpy as np
import pytest
from harness import check_grad, check_jvp, compare_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import nn
from retrograd.missing import NotSupportedError
from retrograd.ops import pooling as P


def _three_ways(f, f_torch, x):
    check_grad(f, x)
    check_jvp(f, x)
    compare_torch(f, f_torch, x)
    if torch is not None:
        ours = f(rg.tensor(x.astype(np.float32))).numpy()
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, f_torch(torch.tensor(x.astype(np.float32))).numpy(),
                                   rtol=1e-5, atol=1e-6)


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
    with pytest.raises(NotSupportedError, match="return_indices"):
        nn.MaxPool2d(2, return_indices=True)


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
