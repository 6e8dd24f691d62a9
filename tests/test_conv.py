"""Convolutions (ops/conv.py): conv1d, conv2d, conv_transpose2d and F.pad, checked
against finite differences (float64), forward vs reverse mode, and PyTorch (values and
gradients, float64 and float32) on hypothesis-drawn shapes, strides, paddings,
dilations and groups; their errors against PyTorch's; the nn layers against
torch.nn's."""
import warnings

import numpy as np
import pytest
from harness import check_grad, check_jvp, compare_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn
from retrograd.missing import NotSupportedError
from retrograd.ops.conv import conv1d, conv2d, conv_transpose2d
from retrograd.ops.padding import pad

SETTINGS = settings(max_examples=12, deadline=None)


def _three_ways(f, f_torch, arrays):
    check_grad(f, *arrays)
    check_jvp(f, *arrays)
    with warnings.catch_warnings():   # PyTorch's note on "same" with an even kernel
        warnings.simplefilter("ignore", UserWarning)
        compare_torch(f, f_torch, *arrays)
    if torch is not None:   # float32: the same values within float32's precision
        ours = f(*[rg.tensor(a.astype(np.float32)) for a in arrays]).numpy()
        theirs = f_torch(*[torch.tensor(a.astype(np.float32)) for a in arrays])
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-4, atol=1e-4)


@st.composite
def conv2d_case(draw):
    g = draw(st.integers(1, 2))
    c, o = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(st.sampled_from([0, 1, (0, 2), "valid", "same"]))
    if padding == "same":
        stride = (1, 1)
    # The input is at least as large as the dilated kernel.
    h = draw(st.integers(dilation[0] * (kh - 1) + 1, dilation[0] * (kh - 1) + 4))
    w = draw(st.integers(dilation[1] * (kw - 1) + 1, dilation[1] * (kw - 1) + 4))
    bias = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 99)))
    arrays = [rng.standard_normal((1, c, h, w)), rng.standard_normal((o, c // g, kh, kw))]
    if bias:
        arrays.append(rng.standard_normal(o))
    return {"stride": stride, "padding": padding, "dilation": dilation, "groups": g}, arrays


@SETTINGS
@given(conv2d_case())
def test_conv2d(case):
    kw, arrays = case
    _three_ways(lambda *a: conv2d(*a, **kw), lambda *a: torch.nn.functional.conv2d(*a, **kw),
                arrays)


@settings(max_examples=6, deadline=None)
@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
       st.sampled_from([0, 1, "same"]), st.integers(0, 9))
def test_conv1d(g, k, stride, dilation, padding, seed):
    stride = 1 if padding == "same" else stride
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((2, 2 * g, dilation * (k - 1) + 3)),
              rng.standard_normal((g, 2, k)), rng.standard_normal(g)]
    kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": g}
    _three_ways(lambda *a: conv1d(*a, **kw), lambda *a: torch.nn.functional.conv1d(*a, **kw),
                arrays)


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
       st.integers(0, 1), st.integers(0, 1), st.booleans(), st.integers(0, 9))
def test_conv_transpose2d(g, k, stride, dilation, padding, output_padding, bias, seed):
    output_padding = min(output_padding, max(stride, dilation) - 1)
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((2, 2 * g, 3, 2)), rng.standard_normal((2 * g, 2, k, k))]
    if bias:
        arrays.append(rng.standard_normal(2 * g))
    kw = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": g,
              "dilation": dilation}
    if (2 - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1 < 1:
        return
    _three_ways(lambda *a: conv_transpose2d(*a, **kw),
                lambda *a: torch.nn.functional.conv_transpose2d(*a, **kw), arrays)


def test_unbatched_input_and_weight_gradient_only():
    """(C, H, W) input as PyTorch; an input without requires_grad gets no gradient."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    compare_torch(lambda a, b: conv2d(a, b, padding=1),
                  lambda a, b: torch.nn.functional.conv2d(a, b, padding=1), x, w)
    wt = rg.tensor(w, requires_grad=True)
    conv2d(rg.tensor(x[None]), wt).sum().backward()
    assert wt.grad.shape == w.shape


@pytest.mark.parametrize("mode,p", [("constant", (1, 2)), ("constant", (1, -2, 0, 3)),
                                    ("reflect", (2, 1, 3, 0)), ("replicate", (3, 4, 1, 2)),
                                    ("circular", (2, 3, 1, 1)), ("replicate", (1, 2, 1, 1, 1, 0))])
def test_pad(mode, p):
    x = np.random.default_rng(1).standard_normal((2, 2, 4, 5))
    f = lambda a: pad(a, p, mode)
    check_grad(f, x)
    check_jvp(f, x)
    compare_torch(f, lambda a: torch.nn.functional.pad(a, p, mode), x)


def test_pad_value_and_errors():
    x = rg.zeros(1, 2, 3)
    assert F.pad(x, (1, 1), value=7.0).numpy()[0, 0].tolist() == [7, 0, 0, 0, 7]
    with pytest.raises(NotSupportedError, match="'mirror'"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="even length"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match=r"padding \(3, 0\).*\[1, 2, 3\]"):
        F.pad(x, (3, 0), mode="reflect")


# -- errors: the type PyTorch raises, a message naming the op and the shapes -------------

ERRORS = [
    # (input shape, weight shape, kwargs, words the message must contain)
    ((2, 4, 5, 5), (3, 2, 3, 3), {"groups": 2}, ["groups=2", "[3, 2, 3, 3]"]),
    ((2, 3, 5, 5), (4, 2, 3, 3), {}, ["[2, 3, 5, 5]", "2 channels", "3 channels"]),
    ((1, 2, 2, 2), (4, 2, 3, 3), {}, ["(2 x 2)", "Kernel size"]),
    ((2, 5, 5), (4, 2, 3, 3, 1), {}, ["weight of size [4, 2, 3, 3, 1]"]),
    ((5, 5), (4, 1, 3, 3), {}, ["input of size: [5, 5]"]),
]


@pytest.mark.parametrize("xs,ws,kw,words", ERRORS)
def test_conv2d_errors_match_pytorch(xs, ws, kw, words):
    x, w = np.ones(xs, np.float32), np.ones(ws, np.float32)
    with pytest.raises(RuntimeError) as ours:
        conv2d(rg.tensor(x), rg.tensor(w), **kw)
    assert "conv2d" in str(ours.value)
    for word in words:
        assert word in str(ours.value), (word, str(ours.value))
    if torch is not None:
        with pytest.raises(RuntimeError):
            torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), **kw)


def test_conv_argument_errors():
    x, w = rg.ones(1, 1, 5, 5), rg.ones(1, 1, 3, 3)
    with pytest.raises(ValueError, match="strided"):
        conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="'full'"):
        conv2d(x, w, padding="full")
    with pytest.raises(RuntimeError, match="bias"):
        conv2d(x, w, rg.ones(2))
    with pytest.raises(RuntimeError, match="output padding"):
        conv_transpose2d(x, w, stride=1, output_padding=1)
    with pytest.raises(RuntimeError, match="dtype"):
        conv2d(x, w.double())


# -- layers --------------------------------------------------------------------------------


def test_conv_layers_match_torch_nn():
    """Same weights → same outputs and gradients; same defaults, keys, reprs, shapes of
    initial weights and their bounds (kaiming_uniform(a=√5), U(±1/√fan_in))."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    rng = np.random.default_rng(0)
    cases = [(nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2),
              torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2), (2, 4, 7, 7)),
             (nn.Conv2d(3, 5, (2, 3), padding="same", dilation=2, bias=False),
              torch.nn.Conv2d(3, 5, (2, 3), padding="same", dilation=2, bias=False),
              (1, 3, 6, 6)),
             (nn.Conv1d(2, 4, 3, padding=2), torch.nn.Conv1d(2, 4, 3, padding=2), (2, 2, 9)),
             (nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1),
              torch.nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1), (2, 4, 3, 3))]
    for ours, theirs, shape in cases:
        assert repr(ours) == repr(theirs)
        sd = theirs.state_dict()
        assert list(ours.state_dict()) == list(sd)
        for k, v in sd.items():
            assert tuple(ours.state_dict()[k].shape) == tuple(v.shape)
        fan_in = theirs.weight[0].numel() if not isinstance(theirs, torch.nn.ConvTranspose2d) \
            else theirs.weight.shape[1] * theirs.weight[0, 0].numel()
        assert np.abs(ours.weight.numpy()).max() <= 1 / np.sqrt(fan_in) + 1e-7
        ours.load_state_dict({k: rg.tensor(v.numpy()) for k, v in sd.items()})
        x = rng.standard_normal(shape).astype(np.float32)
        xo, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yo, yt = ours(xo), theirs(xt)
        np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        yo.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                                   rtol=1e-4, atol=1e-4)


def test_conv_layer_errors():
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="zeros"):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(RuntimeError, match=r"\[2, 2, 5, 5\]"):
        nn.Conv2d(3, 4, 3)(rg.ones(2, 2, 5, 5))


def test_conv_on_every_device(device):
    """The same op body on NumPy and on (fake) CuPy: same values and gradients."""
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s).astype(np.float32)
               for s in ((2, 4, 6, 6), (4, 2, 3, 3), (4,)))
    grads = []
    for dev in ("cpu", device):
        ts = [rg.tensor(a, device=dev, requires_grad=True) for a in (x, w, b)]
        y = conv2d(*ts, stride=2, padding=1, groups=2)
        y = conv_transpose2d(y, ts[1], stride=2, groups=2, output_padding=1)
        y = pad(y, (1, 1, 2, 0), "replicate") + pad(y, (1, 1, 2, 0))
        (y * y).sum().backward()
        grads.append([y.cpu().numpy()] + [t.grad.cpu().numpy() for t in ts])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_batch_processed_in_blocks(monkeypatch):
    """The column matrices are built a few samples at a time (BLOCK_BYTES): one sample
    per block gives the same values and gradients as one block."""
    from retrograd.ops import conv as conv_module
    monkeypatch.setattr(conv_module, "BLOCK_BYTES", 1)
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((3, 4, 5, 6)), rng.standard_normal((4, 2, 3, 2)), \
        rng.standard_normal(4)
    compare_torch(lambda *a: conv2d(*a, stride=(2, 1), padding=1, groups=2),
                  lambda *a: torch.nn.functional.conv2d(*a, stride=(2, 1), padding=1, groups=2),
                  x, w, b)
    compare_torch(lambda *a: conv_transpose2d(*a, stride=2, padding=1, groups=2),
                  lambda *a: torch.nn.functional.conv_transpose2d(*a, stride=2, padding=1,
                                                                  groups=2), x, w[:, :1], b[:2])


@pytest.mark.parametrize("block_bytes", [1, None])
def test_stride_one_wide_columns_over_several_samples(monkeypatch, block_bytes):
    """Stride 1 reads each padded plane as one row ("wide" columns, ops/conv.py): several
    samples and channels side by side, dilation, asymmetric padding and groups, in
    blocks of one sample or the whole batch — PyTorch's values and gradients."""
    from retrograd.ops import conv as conv_module
    if block_bytes:
        monkeypatch.setattr(conv_module, "BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((3, 4, 7, 9)), rng.standard_normal((6, 2, 3, 2)), \
        rng.standard_normal(6)
    with warnings.catch_warnings():   # PyTorch's note on "same" with an even kernel
        warnings.simplefilter("ignore", UserWarning)
        _wide_cases(x, w, b, rng)


def _wide_cases(x, w, b, rng):
    for kw in ({"padding": (2, 1), "dilation": (2, 3), "groups": 2},
               {"padding": "same", "groups": 2}, {"padding": 0, "groups": 1}):
        wk = w if kw["groups"] == 2 else rng.standard_normal((6, 4, 3, 2))
        compare_torch(lambda *a, kw=kw: conv2d(*a, **kw),
                      lambda *a, kw=kw: torch.nn.functional.conv2d(*a, **kw), x, wk, b)
        g = kw["groups"]          # the transposed convolution's col2im, stride 1
        compare_torch(lambda *a, g=g: conv_transpose2d(*a, padding=1, groups=g),
                      lambda *a, g=g: torch.nn.functional.conv_transpose2d(
                          *a, padding=1, groups=g), x, w[:4], b[:2 * g])


@pytest.mark.skipif(torch is None, reason="needs PyTorch")
def test_non_finite_inputs_give_pytorchs_gradients():
    """An inf or NaN in the input or the kernel spreads to the same outputs and
    gradients as in PyTorch: the wide columns' extra pixels (which read across a
    row's end) must not turn a zero gradient times inf into a NaN elsewhere."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, 6, 7)), rng.standard_normal((4, 3, 3, 3))
    xi, xn, wi = x.copy(), x.copy(), w.copy()
    xi[0, 1, 2, 0], xi[1, 2, 4, 6] = np.inf, -np.inf    # at a row's start and end
    xn[1, 0, 3, 0] = np.nan
    wi[2, 1, 0, 2] = np.inf
    cases = [(xi, w), (xn, w), (x, wi)]
    for xa, wa in cases:
        ours = [rg.tensor(a, requires_grad=True) for a in (xa, wa)]
        theirs = [torch.tensor(a, requires_grad=True) for a in (xa, wa)]
        y = conv2d(*ours, padding=1)
        yt = torch.nn.functional.conv2d(*theirs, padding=1)
        g = rng.standard_normal(yt.shape)
        y.backward(rg.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), equal_nan=True)
        for a, t in zip(ours, theirs):
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), equal_nan=True,
                                       rtol=1e-10, atol=1e-10)


def test_sizes_given_as_strings_or_floats_are_refused_as_pytorch():
    """A string is not read digit by digit, a float is not truncated: TypeError, as
    PyTorch (which raises it for each of these calls)."""
    from retrograd.ops.pooling import max_pool2d
    x, w = rg.tensor(np.ones((1, 2, 6, 6))), rg.tensor(np.ones((2, 2, 3, 3)))
    for call in (lambda: conv2d(x, w, stride="12"), lambda: conv2d(x, w, padding=(1.5, 1)),
                 lambda: max_pool2d(x, [2.5, 2]), lambda: max_pool2d(x, "2")):
        with pytest.raises(TypeError, match="must be an int or a tuple of 2 ints"):
            call()
    # a generator of ints is read once (checked, then converted): not used up by the check
    assert conv2d(x, w, stride=(s for s in (2, 1))).shape == conv2d(x, w, stride=(2, 1)).shape


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_as_pytorch(mode):
    """Conv1d/Conv2d(padding_mode=...) pad in that mode, then convolve: PyTorch's
    values and gradients, for an int, a per-axis and a "same" padding."""
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle")
    rng = np.random.default_rng(0)
    for dims, padding in ((2, 1), (2, (2, 1)), (2, "same"), (1, 2)):
        shape = (2, 3) + (7,) * dims
        x = rng.normal(size=shape)
        ours = (nn.Conv2d if dims == 2 else nn.Conv1d)(3, 4, 3, padding=padding,
                                                        padding_mode=mode).double()
        theirs = (torch.nn.Conv2d if dims == 2 else torch.nn.Conv1d)(
            3, 4, 3, padding=padding, padding_mode=mode).double()
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(ours.weight.numpy()))
            theirs.bias.copy_(torch.from_numpy(ours.bias.numpy()))
        assert repr(ours) == repr(theirs)
        xo = rg.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        yo, yt = ours(xo), theirs(xt)
        np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
        (yo * yo).sum().backward()
        (yt * yt).sum().backward()
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                                   rtol=1e-10, atol=1e-10)
