"""unfold / fold (ops/fold.py) and Tensor.unfold: against finite differences (float64),
forward vs reverse mode and PyTorch (values and gradients, float64 and float32) on
hypothesis-drawn blocks; the adjoint identity; errors and the nn layers against
PyTorch's."""
import numpy as np
import pytest
from harness import check_grad, check_jvp, compare_torch, compare_torch_float32, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import nn
from retrograd.ops import fold as FO


def _three_ways(f, f_torch, x):
    check_grad(f, x)
    check_jvp(f, x)
    compare_torch(f, f_torch, x)
    compare_torch_float32(f, f_torch, x, rtol=1e-5, atol=1e-5)


@st.composite
def blocks(draw):
    """Kernel, dilation, padding, stride and an input size with at least one block."""
    k = tuple(draw(st.integers(1, 3)) for _ in range(2))
    d = tuple(draw(st.integers(1, 2)) for _ in range(2))
    p = tuple(draw(st.integers(0, 2)) for _ in range(2))
    s = tuple(draw(st.integers(1, 3)) for _ in range(2))
    size = tuple(max(1, di * (ki - 1) + 1 - 2 * pi) + draw(st.integers(0, 3))
                 for ki, di, pi in zip(k, d, p))
    return {"kernel_size": k, "dilation": d, "padding": p, "stride": s}, size, \
        draw(st.booleans()), draw(st.integers(0, 99))


@settings(max_examples=15, deadline=None)
@given(blocks())
def test_unfold(case):
    kw, size, batched, seed = case
    x = np.random.default_rng(seed).standard_normal(((2,) if batched else ()) + (2,) + size)
    _three_ways(lambda a: FO.unfold(a, **kw), lambda a: torch.nn.functional.unfold(a, **kw), x)


@settings(max_examples=15, deadline=None)
@given(blocks())
def test_fold_is_unfolds_adjoint(case):
    """fold against PyTorch, and ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩."""
    kw, size, batched, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2) + size)
    cols = FO.unfold(rg.tensor(x), **kw)
    c = rng.standard_normal(cols.shape)
    y = FO.fold(rg.tensor(c), size, **kw)
    assert y.shape == x.shape
    np.testing.assert_allclose((cols.numpy() * c).sum(), (x * y.numpy()).sum(), rtol=1e-10)
    c = c if batched else c[0]
    _three_ways(lambda a: FO.fold(a, size, **kw),
                lambda a: torch.nn.functional.fold(a, size, **kw), c)


def _torch_error(call):
    try:
        call(torch.nn.functional, torch.ones)
    except Exception as e:      # noqa: BLE001 - the type is what is compared
        return type(e)
    return None


@pytest.mark.parametrize("call,words", [
    (lambda F, ones: F.unfold(ones(2, 3, 5, 6), 7), ["unfold", "(5, 6)", "(7, 7)", "(-1, 0)"]),
    (lambda F, ones: F.unfold(ones(2, 3, 5, 6), 0), ["unfold", "kernel_size", "(0, 0)"]),
    (lambda F, ones: F.unfold(ones(2, 3, 5, 6), 2, padding=-1), ["padding", "(-1, -1)"]),
    (lambda F, ones: F.unfold(ones(2, 3, 5, 6), 2, stride=0), ["stride", "(0, 0)"]),
    (lambda F, ones: F.unfold(ones(2, 3, 5, 6), (2, 2, 2)), ["unfold", "kernel_size",
                                                            "(2, 2, 2)"]),
    (lambda F, ones: F.unfold(ones(2, 0, 5, 6), 2), ["unfold", "[2, 0, 5, 6]"]),
    (lambda F, ones: F.unfold(ones(1, 2, 3, 5, 6), 2), ["unfold", "[1, 2, 3, 5, 6]"]),
    (lambda F, ones: F.fold(ones(2, 12, 20), (5, 6), (2, 3)),
     ["fold", "output_size=(5, 6)", "kernel_size=(2, 3)", "4 * 4 = 16", "input.size(2)=20"]),
    (lambda F, ones: F.fold(ones(2, 11, 20), (5, 6), 2),
     ["fold", "divisible", "input.size(1)=11", "kernel_size=(2, 2)"]),
    (lambda F, ones: F.fold(ones(2, 12, 20), (1, 1), 2), ["0 * 0 = 0"]),
    (lambda F, ones: F.fold(ones(1, 2, 12, 20), (5, 6), 2), ["fold", "[1, 2, 12, 20]"]),
    (lambda F, ones: F.fold(ones(2, 12, 20), (5, 6), 2, dilation=0), ["dilation", "(0, 0)"]),
])
def test_errors_name_the_arguments(call, words):
    with pytest.raises(RuntimeError) as e:
        call(FO, rg.ones)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    if torch is not None:       # PyTorch refuses the same call with the same type
        assert _torch_error(call) is RuntimeError


def test_empty_batch_and_dtypes():
    assert FO.unfold(rg.zeros(0, 3, 5, 6), 2).shape == (0, 12, 20)
    assert FO.fold(rg.zeros(0, 12, 20), (5, 6), 2).shape == (0, 3, 5, 6)
    with pytest.raises(RuntimeError, match="unfold: expected a floating-point input"):
        FO.unfold(rg.ones(1, 2, 3, 3, dtype=rg.int64), 2)
    with pytest.raises(RuntimeError, match="fold: expected a floating-point input"):
        FO.fold(rg.ones(2, 12, 20, dtype=rg.int64), (5, 6), 2)


def test_layers_match_torch_nn():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 7)).astype(np.float32)
    unfold, unfold_t = (nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)),
                        torch.nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)))
    fold, fold_t = (nn.Fold((6, 7), (2, 3), dilation=2, padding=1, stride=(1, 2)),
                    torch.nn.Fold((6, 7), (2, 3), dilation=2, padding=1, stride=(1, 2)))
    for ours, theirs in ((unfold, unfold_t), (fold, fold_t), (nn.Unfold(2), torch.nn.Unfold(2)),
                         (nn.Fold(4, 2), torch.nn.Fold(4, 2))):
        assert repr(ours) == repr(theirs)
    cols, cols_t = unfold(rg.tensor(x)), unfold_t(torch.tensor(x))
    np.testing.assert_allclose(cols.numpy(), cols_t.numpy(), rtol=1e-6)
    np.testing.assert_allclose(fold(cols).numpy(), fold_t(cols_t).numpy(), rtol=1e-5,
                               atol=1e-6)


def test_fold_and_unfold_on_every_device(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype(np.float32)
    results = []
    for dev in ("cpu", device):
        t = rg.tensor(x, device=dev, requires_grad=True)
        cols = FO.unfold(t, 3, dilation=(1, 2), padding=1, stride=2)
        y = FO.fold(cols * cols, (7, 6), 3, dilation=(1, 2), padding=1, stride=2)
        z = (y.sum() + t.unfold(2, 3, 2).pow(2).sum())
        z.backward()
        results.append((y.cpu().numpy(), t.grad.cpu().numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# -- Tensor.unfold: windows along one axis --------------------------------------------

@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.integers(0, 2),
       st.integers(1, 4), st.integers(1, 3), st.integers(0, 99))
def test_tensor_unfold(shape, dim, size, step, seed):
    dim = dim % len(shape)
    shape[dim] = max(shape[dim], size)
    x = np.random.default_rng(seed).standard_normal(shape)
    _three_ways(lambda a: a.unfold(dim, size, step), lambda a: a.unfold(dim, size, step), x)


@pytest.mark.parametrize("shape,args,kind,words", [
    ((3, 4), (1, 5, 1), RuntimeError, ["maximum size for tensor at dimension 1 is 4",
                                       "size is 5"]),
    ((3, 4), (1, 2, 0), RuntimeError, ["step is 0"]),
    ((3, 4), (1, -1, 1), RuntimeError, ["size is -1"]),
    ((3, 4), (2, 2, 1), IndexError, ["range of [-2, 1]", "got 2"]),
])
def test_tensor_unfold_errors(shape, args, kind, words):
    with pytest.raises(kind) as e:
        rg.ones(*shape).unfold(*args)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    if torch is not None:
        with pytest.raises(kind):
            torch.ones(*shape).unfold(*args)


def test_tensor_unfold_of_a_scalar_as_pytorch():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    for size in (0, 1):
        def f(a, size=size):
            return a.unfold(0, size, 1) * 3
        compare_torch(f, f, np.array(2.5))


@pytest.mark.parametrize("call,kind,words", [
    (lambda F, x: F.unfold(x, "12"), TypeError, ["unfold", "kernel_size", "'12'"]),
    (lambda F, x: F.unfold(x, [2.7, 2]), TypeError, ["unfold", "kernel_size", "2.7"]),
    (lambda F, x: F.unfold(x, 2, stride=(1.5, 1)), TypeError, ["unfold", "stride"]),
    (lambda F, x: F.unfold(x, (2,)), RuntimeError, ["unfold", "kernel_size", "(2,)"]),
    (lambda F, x: F.unfold(x[0, :0], 2), RuntimeError, ["unfold", "[0, 5, 6]"]),
    (lambda F, x: F.fold(x[0, :1, :4, :4].reshape(4, 4), (3, 3, 3), 2), RuntimeError,
     ["fold", "output_size", "(3, 3, 3)"]),
    (lambda F, x: F.fold(x[0, :1, :4, :4].reshape(4, 4), "ab", 2), TypeError,
     ["fold", "output_size", "'ab'"]),
    (lambda F, x: F.fold(x[0, :1, :4, :4].reshape(4, 4), (3, 3.5), 2), TypeError,
     ["fold", "output_size", "3.5"]),
])
def test_arguments_are_ints_as_pytorch(call, kind, words):
    """Strings and floats are refused (never read digit by digit or truncated), pairs
    have two entries, an unbatched input has non-zero channels: PyTorch's types."""
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 6))
    with pytest.raises(kind) as e:
        call(FO, rg.tensor(x))
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    if torch is not None:
        with pytest.raises(kind):
            call(torch.nn.functional, torch.tensor(x))


@pytest.mark.parametrize("args", [(1, 2.5, 1), (1, 2, 1.0), (1.0, 2, 1), (1, True, 1)])
def test_tensor_unfold_wants_ints(args):
    """A float (or bool) dimension, size or step is a TypeError, never truncated."""
    with pytest.raises(TypeError, match="unfold"):
        rg.ones(3, 4).unfold(*args)
    if torch is not None:
        with pytest.raises(TypeError):
            torch.ones(3, 4).unfold(*args)
