"""Review of session 6's convolution "wide columns" (stride 1, ops/conv.py) and batch
norm's per-statistic backward (ops/normalization.py) against PyTorch on inputs their
own tests do not try: non-contiguous views, float32, one sample per block, conv1d,
transposed convolutions with output_padding at stride 1, forward mode; batch norm
without γ/β, with one of them, channels last, a single channel, and layer norm."""
import numpy as np
import pytest
from harness import check_grad, check_jvp, torch

import retrograd as rg
from retrograd.ops import conv as C
from retrograd.ops import normalization as N

pytestmark = pytest.mark.skipif(torch is None, reason="needs PyTorch")
F = None if torch is None else torch.nn.functional


def _compare(f_rg, f_torch, arrays, dtype, rtol, atol, seed=0):
    """Values and every input's gradient, in ``dtype``, in both frameworks; the
    output and the gradients keep the dtype."""
    xs = [np.asarray(a, dtype=dtype) for a in arrays]
    ours = [rg.tensor(x, requires_grad=True) for x in xs]
    theirs = [torch.tensor(x, requires_grad=True) for x in xs]
    y, yt = f_rg(*ours), f_torch(*theirs)
    assert y.dtype == dtype
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=rtol, atol=atol)
    v = np.random.default_rng(seed).standard_normal(y.shape).astype(dtype)
    y.backward(v)
    yt.backward(torch.tensor(v))
    for a, t in zip(ours, theirs):
        assert a.grad.dtype == dtype
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


TOL = {np.float64: (1e-9, 1e-10), np.float32: (2e-4, 2e-4)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("view", ["transposed", "sliced", "weight-transposed"])
def test_conv_stride_one_on_views(view, dtype):
    """Stride 1 with no padding reads the input itself (no padded copy): a transposed
    or sliced view must give PyTorch's values and gradients."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((3, 4, 9, 7)), rng.standard_normal((5, 4, 3, 2))
    views = {"transposed": (lambda a: a.transpose(2, 3), lambda w: w),
             "sliced": (lambda a: a[:, ::2, 1:, ::2], lambda w: w[:, :2]),
             "weight-transposed": (lambda a: a, lambda w: w.transpose(2, 3)[..., :2, :])}
    vx, vw = views[view]

    def f(a, b):
        return C.conv2d(vx(a), vw(b), dilation=(1, 2))

    def ft(a, b):
        return F.conv2d(vx(a), vw(b), dilation=(1, 2))

    _compare(f, ft, (x, w), dtype, *TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_groups_dilation_asymmetric_padding_one_sample_per_block(monkeypatch, dtype):
    """conv_padded (Keras's asymmetric "same"/"causal"), groups and dilation, one
    sample per block: PyTorch's conv2d of the explicitly padded input."""
    monkeypatch.setattr(C, "BLOCK_BYTES", 1)
    rng = np.random.default_rng(2)
    x, w, b = (rng.standard_normal((3, 6, 5, 8)), rng.standard_normal((4, 3, 2, 3)),
               rng.standard_normal(4))
    pads = ((0, 3), (2, 1))

    def f(a, k, c):
        return C.conv_padded(a, k, c, (1, 1), pads, (2, 1), groups=2)

    def ft(a, k, c):
        return F.conv2d(F.pad(a, (2, 1, 0, 3)), k, c, dilation=(2, 1), groups=2)

    _compare(f, ft, (x, w, b), dtype, *TOL[dtype])
    if dtype == np.float64:
        check_grad(f, x[:2, :, :3, :4], w, b)
        check_jvp(f, x, w, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv1d_stride_one(monkeypatch, dtype):
    monkeypatch.setattr(C, "BLOCK_BYTES", 200)
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((4, 3, 11)), rng.standard_normal((6, 1, 3)), \
        rng.standard_normal(6)
    for kw in ({"padding": 2, "dilation": 3, "groups": 3}, {"padding": "same", "groups": 3}):
        _compare(lambda *a, kw=kw: C.conv1d(*a, **kw), lambda *a, kw=kw: F.conv1d(*a, **kw),
                 (x, w, b), dtype, *TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_transpose_stride_one_with_output_padding(monkeypatch, dtype):
    """Stride 1 with dilation 2 allows output_padding 1: the transposed convolution's
    output is larger than the windows its input fills; its backward convolves ∂ℓ/∂y
    keeping only the first windows (conv_forward's out_hw) with wide columns."""
    monkeypatch.setattr(C, "BLOCK_BYTES", 1)
    rng = np.random.default_rng(4)
    x, w, b = (rng.standard_normal((3, 4, 5, 6)), rng.standard_normal((4, 3, 3, 2)),
               rng.standard_normal(6))
    kw = {"stride": 1, "padding": (1, 2), "output_padding": 1, "dilation": 2, "groups": 2}
    _compare(lambda *a: C.conv_transpose2d(*a, **kw), lambda *a: F.conv_transpose2d(*a, **kw),
             (x, w, b), dtype, *TOL[dtype])
    if dtype == np.float64:
        check_jvp(lambda *a: C.conv_transpose2d(*a, **kw), x, w, b)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("where", ["x", "w"])
def test_conv_transpose_stride_one_non_finite(where):
    """An inf in the transposed convolution's input or kernel: the wide columns'
    extra pixels must not make NaNs PyTorch does not have (forward and backward)."""
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((3, 2, 3, 3))
    if where == "x":
        x[1, 2, 1, 4] = np.inf          # at a row's end
    else:
        w[1, 1, 1, 2] = np.inf
    ours = [rg.tensor(a, requires_grad=True) for a in (x, w)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w)]
    y, yt = C.conv_transpose2d(*ours, padding=1), F.conv_transpose2d(*theirs, padding=1)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), equal_nan=True)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), equal_nan=True,
                                   rtol=1e-10, atol=1e-10)


def test_conv_stride_one_jvp_and_finite_differences():
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal((2, 2, 4, 5)), rng.standard_normal((3, 2, 2, 3)), \
        rng.standard_normal(3)

    def f(*a):
        return C.conv2d(*a, padding=(1, 0))
    check_grad(f, x, w, b)
    check_jvp(f, x, w, b)


# -- batch norm's backward per statistic ---------------------------------------------

def _params(affine, p):
    """(γ, β) from the parameters given: none, γ only, β only or both."""
    return {"none": (None, None), "weight": (p[0], None) if p else None,
            "bias": (None, p[0]) if p else None, "both": tuple(p[:2])}[affine]


def _bn(affine, channels_last):
    """(retrograd, PyTorch) batch norm in training over (N, C, …) or (N, …, C)."""
    def ours(x, *p):
        w, b = _params(affine, p)
        return N.batch_norm_axis(x, None, None, w, b, True, 0.1, 1e-5,
                                 axis=-1 if channels_last else 1)

    def theirs(x, *p):
        w, b = _params(affine, p)
        if channels_last:
            x = torch.movedim(x, -1, 1)
        y = F.batch_norm(x, None, None, w, b, training=True, momentum=0.1, eps=1e-5)
        return torch.movedim(y, 1, -1) if channels_last else y
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("affine", ["none", "weight", "bias", "both"])
@pytest.mark.parametrize("shape,channels_last", [((4, 3, 5, 2), False), ((4, 5, 2, 3), True),
                                                 ((6, 3), False), ((5, 1, 4), False)])
def test_batch_norm_training(shape, channels_last, affine, dtype):
    """γ and β each optional, channels first or last (Keras's axis=-1), 2-D, a
    single channel (the general formula's path): values and gradients."""
    rng = np.random.default_rng(7)
    c = shape[-1] if channels_last else shape[1]
    x = rng.standard_normal(shape) * 3 + 1
    params = {"none": (), "weight": (rng.standard_normal(c),), "bias": (rng.standard_normal(c),),
              "both": (rng.standard_normal(c), rng.standard_normal(c))}[affine]
    ours, theirs = _bn(affine, channels_last)
    rtol, atol = TOL[dtype] if dtype == np.float64 else (1e-4, 1e-4)
    _compare(ours, theirs, (x,) + params, dtype, rtol, atol)
    if dtype == np.float64:
        check_jvp(ours, x, *params)


def test_batch_norm_without_input_gradient():
    """Only γ and β need gradients (x a constant): the per-statistic path returns
    theirs and no ∂ℓ/∂x."""
    rng = np.random.default_rng(8)
    x, w, b = rng.standard_normal((4, 3, 2, 2)), rng.standard_normal(3), rng.standard_normal(3)
    wr, br = rg.tensor(w, requires_grad=True), rg.tensor(b, requires_grad=True)
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    y = N.batch_norm(rg.tensor(x), None, None, wr, br, training=True)
    yt = F.batch_norm(torch.tensor(x), None, None, wt, bt, training=True)
    g = rng.standard_normal(y.shape)
    gx, gw, gb = y._op.backward(g)        # the op itself: no ∂ℓ/∂x computed
    assert gx is None and gw is not None and gb is not None
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(wr.grad.numpy(), wt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(br.grad.numpy(), bt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("normalized", [(4,), (3, 4), (1, 4)])
def test_layer_norm_unaffected(normalized, dtype):
    """Layer norm's γ varies over the reduced axes: the general formula, PyTorch's."""
    rng = np.random.default_rng(9)
    shape = (2, 5) + normalized
    x, w, b = (rng.standard_normal(shape), rng.standard_normal(normalized),
               rng.standard_normal(normalized))
    rtol, atol = TOL[dtype] if dtype == np.float64 else (1e-4, 1e-4)
    _compare(lambda *a: N.layer_norm(a[0], normalized, *a[1:]),
             lambda *a: F.layer_norm(a[0], normalized, *a[1:]), (x, w, b), dtype, rtol, atol)


def test_batch_norm_float64_oracle_of_float32():
    """float32 batch norm is as close to the float64 result as PyTorch's float32 is."""
    rng = np.random.default_rng(10)
    x, w, b = rng.standard_normal((16, 4, 6, 6)) * 10 + 5, rng.standard_normal(4), \
        rng.standard_normal(4)
    g = rng.standard_normal(x.shape)
    grads = {}
    for dtype in (np.float64, np.float32):
        xs = rg.tensor(x.astype(dtype), requires_grad=True)
        y = N.batch_norm(xs, None, None, rg.tensor(w.astype(dtype)),
                         rg.tensor(b.astype(dtype)), training=True)
        y.backward(g.astype(dtype))
        grads[dtype] = xs.grad.numpy()
    xt = torch.tensor(x.astype(np.float32), requires_grad=True)
    F.batch_norm(xt, None, None, torch.tensor(w.astype(np.float32)),
                 torch.tensor(b.astype(np.float32)), training=True).backward(
        torch.tensor(g.astype(np.float32)))
    ours = np.abs(grads[np.float32] - grads[np.float64]).max()
    theirs = np.abs(xt.grad.numpy() - grads[np.float64]).max()
    assert ours <= 4 * theirs + 1e-6, (ours, theirs)
