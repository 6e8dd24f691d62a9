"""The rest of torch.nn a tutorial meets: containers, resampling, padding, distances,
activations, dropouts and losses — each against PyTorch 2.13 (values and gradients,
float64 and float32), finite differences and forward mode, in table-driven tests."""
import warnings

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from harness import check_grad, check_jvp
from retrograd.missing import NotSupportedError

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")
TF = torch.nn.functional

R = np.random.default_rng(7)
X3, X4 = R.standard_normal((2, 3, 4)), R.standard_normal((1, 2, 3, 4))
A, B, C = (R.standard_normal((3, 4)) for _ in range(3))
SIGNS = np.sign(R.standard_normal((3, 4)))
Y3 = np.array([1.0, -1.0, 1.0])
LABELS = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [2, 2, -1, 0]])
COUNTS = R.poisson(2, (3, 4)).astype(float)
POSITIVE = np.abs(C) + 0.1


def _t(x, lib, dtype):
    """A constant (target) in library ``lib``: floating data in ``dtype``."""
    x = np.asarray(x)
    if x.dtype.kind == "f":
        x = x.astype(str(dtype).split(".")[-1])
    return rg.tensor(x) if lib == "rg" else torch.tensor(x)


def _both(fn):
    """``fn(lib, F, *xs)`` as (retrograd function, torch function)."""
    return (lambda *xs: fn("rg", F, *xs)), (lambda *xs: fn("torch", TF, *xs))


def _case(name, fn, *arrays, grad=True):
    return name, fn, arrays, grad


# name, fn(lib, functional, *inputs), inputs, check finite differences and jvp
CASES = [
    _case("normalize", lambda l, f, x: f.normalize(x), A),
    _case("normalize p=3 dim=0", lambda l, f, x: f.normalize(x, p=3, dim=0), A),
    _case("cosine_similarity", lambda l, f, x, y: f.cosine_similarity(x, y), A, B),
    _case("cosine_similarity broadcast", lambda l, f, x, y: f.cosine_similarity(x, y, dim=-1),
          A, B[:1]),
    _case("pairwise_distance p=1.5", lambda l, f, x, y: f.pairwise_distance(x, y, 1.5), A, B),
    _case("pairwise_distance keepdim", lambda l, f, x, y: f.pairwise_distance(
        x, y, keepdim=True), A, B),
    _case("pdist", lambda l, f, x: f.pdist(x), A),
    _case("pdist p=inf", lambda l, f, x: f.pdist(x, float("inf")), A),
    _case("pdist p=1", lambda l, f, x: f.pdist(x, 1), A),
    _case("nearest x2", lambda l, f, x: f.interpolate(x, scale_factor=2), X3),
    _case("nearest size", lambda l, f, x: f.interpolate(x, size=(5, 3)), X4),
    _case("nearest 2-D copies, halves", lambda l, f, x: f.interpolate(
        x, scale_factor=(1.1, 2.1)), X4),
    # (1-D nearest by 1.1 keeps the size: torch's forward maps [0, 0, 1, 2] while its
    # backward copies [0, 1, 2, 3]; retrograd's backward is its forward's transpose)
    _case("bilinear, one axis kept", lambda l, f, x: f.interpolate(
        x, scale_factor=(1.1, 1.7), mode="bilinear"), X4),
    _case("nearest-exact", lambda l, f, x: f.interpolate(x, size=7, mode="nearest-exact"), X3),
    _case("linear", lambda l, f, x: f.interpolate(x, scale_factor=2.5, mode="linear"), X3),
    _case("linear corners", lambda l, f, x: f.interpolate(x, size=7, mode="linear",
                                                          align_corners=True), X3),
    _case("bilinear", lambda l, f, x: f.interpolate(x, scale_factor=2, mode="bilinear"), X4),
    _case("bilinear corners", lambda l, f, x: f.interpolate(
        x, size=(2, 7), mode="bilinear", align_corners=True), X4),
    _case("bilinear recompute", lambda l, f, x: f.interpolate(
        x, scale_factor=1.3, mode="bilinear", recompute_scale_factor=True), X4),
    _case("bicubic", lambda l, f, x: f.interpolate(x, scale_factor=(1.5, 2), mode="bicubic"),
          X4),
    _case("bicubic corners", lambda l, f, x: f.interpolate(
        x, size=(2, 5), mode="bicubic", align_corners=True), X4),
    _case("bilinear antialias", lambda l, f, x: f.interpolate(
        x, size=(2, 3), mode="bilinear", antialias=True), X4),
    _case("bicubic antialias", lambda l, f, x: f.interpolate(
        x, scale_factor=(0.5, 2), mode="bicubic", antialias=True), R.standard_normal((1, 1, 6, 3))),
    _case("area 3-D", lambda l, f, x: f.interpolate(x, size=(2, 1, 3), mode="area"), X4[None]),
    _case("area", lambda l, f, x: f.interpolate(x, size=(2, 2), mode="area"), X4),
    _case("trilinear", lambda l, f, x: f.interpolate(x, scale_factor=(1, 2, 1.5),
                                                     mode="trilinear"), X4[None]),
    _case("affine_grid", lambda l, f, t: f.affine_grid(t, (2, 3, 4, 5), align_corners=False),
          R.standard_normal((2, 2, 3))),
    _case("grid_sample bilinear zeros", lambda l, f, x, g: f.grid_sample(
        x, g, align_corners=False), X4[:, :1], R.uniform(-1.2, 1.2, (1, 2, 3, 2))),
    _case("grid_sample bilinear border corners", lambda l, f, x, g: f.grid_sample(
        x, g, padding_mode="border", align_corners=True), X4[:, :1],
        R.uniform(-1.2, 1.2, (1, 2, 3, 2))),
    _case("grid_sample reflection", lambda l, f, x, g: f.grid_sample(
        x, g, padding_mode="reflection", align_corners=False), X4[:, :1],
        R.uniform(-2.5, 2.5, (1, 2, 3, 2))),
    _case("grid_sample nearest", lambda l, f, x, g: f.grid_sample(
        x, g, mode="nearest", align_corners=False), X4, R.uniform(-1.2, 1.2, (1, 2, 3, 2)),
        grad=False),
    _case("pixel_shuffle", lambda l, f, x: f.pixel_shuffle(x, 2), R.standard_normal((1, 8, 2, 3))),
    _case("pixel_unshuffle", lambda l, f, x: f.pixel_unshuffle(x, 2), R.standard_normal((2, 4, 2))),
    _case("channel_shuffle", lambda l, f, x: f.channel_shuffle(x, 3),
          R.standard_normal((2, 6, 2))),
    _case("glu", lambda l, f, x: f.glu(x, 1), X4),
    _case("softmin", lambda l, f, x: f.softmin(x, dim=1), X3),
    _case("threshold", lambda l, f, x: f.threshold(x, 0.1, -2.0), X3),
    _case("hardshrink", lambda l, f, x: f.hardshrink(x, 0.3), X3),
    _case("softshrink", lambda l, f, x: f.softshrink(x), X3),
    _case("tanhshrink", lambda l, f, x: f.tanhshrink(x), X3),
    _case("celu", lambda l, f, x: f.celu(x, 0.7), X3),
    _case("relu_", lambda l, f, x: f.relu_(x * 1), X3),
    _case("elu_", lambda l, f, x: f.elu_(x * 1, 0.5), X3),
    _case("leaky_relu_", lambda l, f, x: f.leaky_relu_(x * 1, 0.2), X3),
    _case("hardtanh_", lambda l, f, x: f.hardtanh_(x * 1, -0.5, 0.5), X3),
    _case("bilinear layer", lambda l, f, x, y, w, b: f.bilinear(x, y, w, b),
          A, B[:, :3], R.standard_normal((2, 4, 3)), R.standard_normal(2)),
    _case("conv_transpose1d", lambda l, f, x, w, b: f.conv_transpose1d(
        x, w, b, stride=2, padding=1, output_padding=1, groups=2),
        R.standard_normal((2, 4, 3)), R.standard_normal((4, 1, 3)), R.standard_normal(2)),
    _case("conv_transpose1d unbatched", lambda l, f, x, w: f.conv_transpose1d(
        x, w, dilation=2, stride=3), R.standard_normal((4, 3)), R.standard_normal((4, 2, 2))),
    _case("cosine_embedding", lambda l, f, x, y: f.cosine_embedding_loss(
        x, y, _t(Y3, l, x.dtype), margin=0.1), A, B),
    _case("cosine_embedding none", lambda l, f, x, y: f.cosine_embedding_loss(
        x, y, _t(Y3, l, x.dtype), reduction="none"), A, B),
    _case("margin_ranking sum", lambda l, f, x, y: f.margin_ranking_loss(
        x, y, _t(SIGNS, l, x.dtype), 0.2, reduction="sum"), A, B),
    _case("triplet swap p=1.5", lambda l, f, a, p, n: f.triplet_margin_loss(
        a, p, n, 1.5, p=1.5, swap=True), A, B, C),
    _case("triplet none", lambda l, f, a, p, n: f.triplet_margin_loss(
        a, p, n, reduction="none"), A, B, C),
    _case("triplet with distance", lambda l, f, a, p, n: f.triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda u, v: 1 - f.cosine_similarity(u, v), swap=True),
        A, B, C),
    _case("poisson_nll full", lambda l, f, x: f.poisson_nll_loss(
        x, _t(COUNTS, l, x.dtype), full=True), A),
    _case("poisson_nll full target", lambda l, f, x, y: f.poisson_nll_loss(
        x, y, full=True, reduction="sum"), A, COUNTS + 0.3),
    _case("poisson_nll rates", lambda l, f, x: f.poisson_nll_loss(
        x, _t(COUNTS, l, x.dtype), log_input=False, reduction="none"), POSITIVE),
    _case("gaussian_nll", lambda l, f, x, v: f.gaussian_nll_loss(
        x, _t(B, l, x.dtype), v, full=True), A, POSITIVE),
    _case("gaussian_nll per sample", lambda l, f, x, v: f.gaussian_nll_loss(
        x, _t(B, l, x.dtype), v, reduction="sum"), A, POSITIVE[:, 0]),
    _case("soft_margin", lambda l, f, x: f.soft_margin_loss(x, _t(SIGNS, l, x.dtype)), A),
    _case("multilabel_soft_margin", lambda l, f, x: f.multilabel_soft_margin_loss(
        x, _t(SIGNS > 0, l, x.dtype) * 1.0, weight=_t(POSITIVE[0], l, x.dtype)), A),
    _case("multilabel_margin", lambda l, f, x: f.multilabel_margin_loss(
        x, _t(LABELS, l, x.dtype)), A),
    _case("multilabel_margin none", lambda l, f, x: f.multilabel_margin_loss(
        x, _t(LABELS, l, x.dtype), reduction="none"), A),
]


def _run(fn, arrays, lib, dtype, seed):
    xs = [a.astype(dtype) for a in arrays]
    ts = [rg.tensor(x, requires_grad=True) if lib == "rg" else torch.tensor(x, requires_grad=True)
          for x in xs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = fn(lib, F if lib == "rg" else TF, *ts)
    v = np.random.default_rng(seed).standard_normal(tuple(y.shape)).astype(dtype)
    if lib == "rg":
        y.backward(v)
        return y.numpy(), [t.grad.numpy() for t in ts]
    (y * torch.tensor(v)).sum().backward()   # a scalar: no lazy import of sympy
    return y.detach().numpy(), [t.grad.numpy() for t in ts]


def test_functions_match_torch_in_float64_and_float32():
    for name, fn, arrays, _ in CASES:
        for dtype, tol in ((np.float64, 1e-7), (np.float32, 2e-4)):
            y, gs = _run(fn, arrays, "rg", dtype, 1)
            yt, gts = _run(fn, arrays, "torch", dtype, 1)
            assert y.dtype == dtype and y.shape == yt.shape, (name, y.dtype, y.shape, yt.shape)
            np.testing.assert_allclose(y, yt, rtol=tol, atol=tol, err_msg=name)
            for g, gt in zip(gs, gts):
                assert g.dtype == dtype, name
                np.testing.assert_allclose(g, gt, rtol=tol, atol=tol, err_msg=name)


def test_finite_differences_and_forward_mode():
    for name, fn, arrays, grad in CASES:
        if not grad or "_" in name and name.endswith("_"):
            continue    # the in-place forms are the same ops as their plain forms
        f = (lambda fn: lambda *xs: fn("rg", F, *xs))(fn)
        try:
            check_grad(f, *arrays)
            check_jvp(f, *arrays)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


def test_padding_layers_match_torch():
    x = R.standard_normal((2, 3, 4, 5))
    x5 = R.standard_normal((1, 2, 3, 4, 3))
    for name, args, inp in [("ZeroPad1d", ((1, 2),), x[0]), ("ZeroPad2d", (1,), x),
                            ("ZeroPad3d", ((1, 0, 0, 1, 2, 1),), x5),
                            ("ConstantPad1d", ((2, 1), 3.5), x[0]),
                            ("ConstantPad2d", ((1, 0, 2, 1), -1.0), x),
                            ("ConstantPad3d", (1, 0.5), x5),
                            ("ReflectionPad1d", (2,), x[0]),
                            ("ReflectionPad2d", ((1, 2, 3, 0),), x), ("ReflectionPad3d", (1,), x5),
                            ("ReplicationPad1d", ((3, 1),), x[0]), ("ReplicationPad2d", (2,), x),
                            ("ReplicationPad3d", ((1, 2, 0, 1, 1, 0),), x5),
                            ("CircularPad1d", ((2, 1),), x[0]),
                            ("CircularPad2d", ((1, 2, 3, 1),), x), ("CircularPad3d", (1,), x5)]:
        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(ours) == repr(theirs)
        a, at = rg.tensor(inp, requires_grad=True), torch.tensor(inp, requires_grad=True)
        y, yt = ours(a), theirs(at)
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), err_msg=name)
        (y * y).sum().backward()
        (yt * yt).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), err_msg=name)
    f = lambda t: F.pad(t, (1, 2, 2, 1), mode="circular")
    check_grad(f, x[:1, :1])
    check_jvp(f, x[:1, :1])


def _same_weights(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


def test_modules_match_torch_with_the_same_weights():
    rg.manual_seed(0)
    x3, x4 = rg.tensor(X3), rg.tensor(X4)
    cases = [
        (nn.Bilinear(4, 3, 2), torch.nn.Bilinear(4, 3, 2), (A, B[:, :3])),
        (nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1),
         torch.nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1), (X3,)),
        (nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0), (A, B)),
        (nn.PairwiseDistance(p=1.0, keepdim=True), torch.nn.PairwiseDistance(p=1.0, keepdim=True),
         (A, B)),
        (nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
         torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), (X4,)),
        (nn.UpsamplingNearest2d(size=(3, 5)), torch.nn.UpsamplingNearest2d(size=(3, 5)), (X4,)),
        (nn.UpsamplingBilinear2d(scale_factor=2), torch.nn.UpsamplingBilinear2d(scale_factor=2),
         (X4,)),
        (nn.PixelShuffle(2), torch.nn.PixelShuffle(2), (R.standard_normal((1, 4, 2, 2)),)),
        (nn.PixelUnshuffle(2), torch.nn.PixelUnshuffle(2), (R.standard_normal((1, 1, 4, 2)),)),
        (nn.ChannelShuffle(2), torch.nn.ChannelShuffle(2), (R.standard_normal((1, 4, 2, 2)),)),
        (nn.Unflatten(1, (2, -1)), torch.nn.Unflatten(1, (2, -1)), (A,)),
        (nn.GLU(), torch.nn.GLU(), (A,)), (nn.Softmin(1), torch.nn.Softmin(1), (A,)),
        (nn.Softmax2d(), torch.nn.Softmax2d(), (X4,)),
        (nn.Threshold(0.1, 20), torch.nn.Threshold(0.1, 20), (A,)),
        (nn.Hardshrink(), torch.nn.Hardshrink(), (A,)),
        (nn.Softshrink(0.2), torch.nn.Softshrink(0.2), (A,)),
        (nn.Tanhshrink(), torch.nn.Tanhshrink(), (A,)), (nn.CELU(2.0), torch.nn.CELU(2.0), (A,)),
        (nn.CosineEmbeddingLoss(0.2), torch.nn.CosineEmbeddingLoss(0.2), (A, B, Y3)),
        (nn.MarginRankingLoss(0.5), torch.nn.MarginRankingLoss(0.5), (A, B, SIGNS)),
        (nn.TripletMarginLoss(swap=True), torch.nn.TripletMarginLoss(swap=True), (A, B, C)),
        (nn.TripletMarginWithDistanceLoss(margin=2.0),
         torch.nn.TripletMarginWithDistanceLoss(margin=2.0), (A, B, C)),
        (nn.PoissonNLLLoss(), torch.nn.PoissonNLLLoss(), (A, COUNTS)),
        (nn.GaussianNLLLoss(), torch.nn.GaussianNLLLoss(), (A, B, POSITIVE)),
        (nn.SoftMarginLoss(reduction="sum"), torch.nn.SoftMarginLoss(reduction="sum"),
         (A, SIGNS)),
        (nn.MultiLabelSoftMarginLoss(), torch.nn.MultiLabelSoftMarginLoss(), (A, SIGNS > 0)),
        (nn.MultiLabelMarginLoss(size_average=False), torch.nn.MultiLabelMarginLoss(
            size_average=False), (A, LABELS)),
    ]
    assert x3.shape and x4.shape
    for ours, theirs, inputs in cases:
        name = type(ours).__name__
        ours.double()
        theirs.double()
        _same_weights(ours, theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict()), name
        assert repr(ours) == repr(theirs), (repr(ours), repr(theirs))
        grads = [a.dtype.kind == "f" and not any(a is t for t in (Y3, SIGNS, COUNTS))
                 for a in inputs]    # targets: constants, as PyTorch's fused losses want
        xs = [rg.tensor(a * 1.0 if a.dtype == bool else a, requires_grad=g)
              for a, g in zip(inputs, grads)]
        xts = [torch.tensor(a * 1.0 if a.dtype == bool else a, requires_grad=g)
               for a, g in zip(inputs, grads)]
        y, yt = ours(*xs), theirs(*xts)
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-7,
                                   err_msg=name)
        y.sum().backward()
        yt.sum().backward()
        for a, at in zip(xs, xts):
            if at.grad is not None:
                np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-6,
                                           atol=1e-7, err_msg=name)
        for (k, p), pt in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-6, atol=1e-6,
                                       err_msg=f"{name}.{k}")


def test_containers_keys_and_order_as_torch():
    def build(lib):
        n = lib.nn
        m = n.Module()
        m.blocks = n.ModuleDict({"enc": n.Linear(2, 3), "dec": n.Linear(3, 2)})
        m.blocks["mid"] = n.Linear(3, 3)
        m.blocks.update([("post", n.Linear(2, 1))])
        m.blocks.update(n.ModuleDict({"head": n.Linear(1, 1)}))
        m.blocks.pop("head")
        del m.blocks["mid"]
        m.plist = n.ParameterList([n.Parameter(lib.zeros(2)), lib.ones(3)])
        m.plist.append(n.Parameter(lib.zeros(1, 2)))
        m.pdict = n.ParameterDict({"b": n.Parameter(lib.zeros(2))})
        m.pdict["a"] = lib.ones(2)
        m.pdict.update({"c": n.Parameter(lib.zeros(3))})
        return m

    ours, theirs = build(rg), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [tuple(p.shape) for p in ours.parameters()] == \
        [tuple(p.shape) for p in theirs.parameters()]
    assert list(ours.blocks) == list(theirs.blocks) == ["enc", "dec", "post"]
    assert list(ours.blocks.keys()) == ["enc", "dec", "post"] and "enc" in ours.blocks
    assert len(ours.plist) == 3 and isinstance(ours.plist[1], nn.Parameter)
    assert ours.plist[-1].shape == (1, 2) and len(ours.plist[0:2]) == 2
    assert list(ours.pdict.keys()) == ["b", "a", "c"] and isinstance(ours.pdict["a"], nn.Parameter)
    assert ours.pdict.pop("a").shape == (2,) and "a" not in ours.pdict
    assert ours.pdict.get("zz") is None and len(ours.pdict) == 2
    assert ours.blocks.pop("post").out_features == 1 and len(ours.blocks) == 2
    sgd = rg.optim.SGD(ours.parameters(), lr=0.1)
    assert len(sgd.param_groups[0]["params"]) == 9
    with pytest.raises(KeyError):
        ours.blocks["nope"]
    with pytest.raises(TypeError):
        nn.ModuleDict({"a": 3})
    with pytest.raises(IndexError):
        ours.plist[5]
    with pytest.raises(TypeError):
        nn.ModuleDict().update(5)


def test_lazy_layers_infer_their_size_and_keep_their_parameters():
    fc = nn.LazyLinear(3)
    with pytest.raises(ValueError, match="uninitialized"):
        fc.weight.shape
    w = fc.weight
    opt = rg.optim.SGD(fc.parameters(), lr=0.1)      # built before the first call
    y = fc(rg.randn(4, 5))
    assert y.shape == (4, 3) and type(fc) is nn.Linear and fc.in_features == 5
    assert fc.weight is w and w.shape == (3, 5) and float(abs(w.numpy()).max()) <= 5 ** -0.5
    before = w.numpy().copy()
    fc(rg.randn(4, 5)).sum().backward()
    opt.step()
    assert not np.allclose(before, w.numpy())
    rng = np.random.default_rng(0)
    for name, args, shape, real in [
            ("LazyLinear", (3,), (2, 5), nn.Linear), ("LazyConv1d", (4, 3), (3, 7), nn.Conv1d),
            ("LazyConv2d", (4, 3), (2, 2, 6, 6), nn.Conv2d),
            ("LazyConvTranspose1d", (4, 3), (1, 2, 5), nn.ConvTranspose1d),
            ("LazyConvTranspose2d", (4, 3), (1, 2, 3, 3), nn.ConvTranspose2d),
            ("LazyBatchNorm1d", (), (4, 3), nn.BatchNorm1d),
            ("LazyBatchNorm2d", (), (2, 3, 4, 4), nn.BatchNorm2d)]:
        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert list(ours.state_dict()) == list(theirs.state_dict()), name
        assert repr(ours).replace("bias=True, track", "track") == \
            repr(theirs).replace("bias=True, track", "track")
        x = rng.standard_normal(shape).astype(np.float32)
        y, yt = ours(rg.tensor(x)), theirs(torch.tensor(x))
        assert type(ours) is real and y.shape == tuple(yt.shape), name
        assert [tuple(v.shape) for v in ours.state_dict().values()] == \
            [tuple(v.shape) for v in theirs.state_dict().values()], name
        fresh = getattr(nn, name)(*args)     # a checkpoint gives the size too
        fresh.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        assert type(fresh) is real, name
        for a, b in zip(fresh.state_dict().values(), theirs.state_dict().values()):
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), err_msg=name)
    model = nn.Sequential(nn.LazyConv2d(4, 3, padding=1), nn.ReLU(), nn.LazyBatchNorm2d(),
                          nn.Flatten(), nn.LazyLinear(2))
    adam = rg.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        model(rg.randn(2, 3, 5, 5)).sum().backward()
        adam.step()
        adam.zero_grad()
    assert model[4].in_features == 100 and int(model[2].num_batches_tracked.item()) == 2


def test_alpha_dropout_keeps_mean_and_variance():
    rg.manual_seed(1)
    x = rg.tensor(np.random.default_rng(0).standard_normal(20000))
    y = F.alpha_dropout(x, 0.2, training=True)
    assert abs(float(y.mean().item())) < 0.05 and abs(float(y.std().item()) - 1) < 0.05
    assert F.alpha_dropout(x, 0.2) is x and nn.AlphaDropout(0.3).eval()(x) is x
    z = rg.tensor(np.ones((4, 6, 3)), requires_grad=True)
    out = F.feature_alpha_dropout(z, 0.5, training=True)
    a = out.numpy()
    assert all(len(np.unique(np.round(a[n, c], 9))) == 1 for n in range(4) for c in range(6))
    out.sum().backward()
    assert set(np.round(np.unique(z.grad.numpy()), 6)) <= {0.0, round(
        1 / np.sqrt((1.7580993408473766 ** 2 * 0.5 + 1) * 0.5), 6)}
    d3 = F.dropout3d(rg.tensor(np.ones((2, 3, 2, 2, 2))), 0.5, training=True).numpy()
    assert all(len(np.unique(d3[n, c])) == 1 for n in range(2) for c in range(3))
    assert set(np.unique(d3)) <= {0.0, 2.0}
    g = F.gumbel_softmax(rg.tensor(R.standard_normal((5, 4)), requires_grad=True), tau=0.5,
                         hard=True)
    assert np.array_equal(g.numpy().sum(1), np.ones(5)) and set(np.unique(g.numpy())) <= {0, 1}
    logits = np.tile(np.array([0.0, 1.0, 2.0]), (4000, 1))
    freq = F.gumbel_softmax(rg.tensor(logits), hard=True).numpy().mean(0)
    np.testing.assert_allclose(freq, np.exp(logits[0]) / np.exp(logits[0]).sum(), atol=0.03)


def test_uint8_images_resize_as_torch():
    x = R.integers(0, 256, (2, 3, 5, 7)).astype(np.uint8)
    for kw in (dict(scale_factor=2, mode="bilinear"), dict(size=(4, 9), mode="bilinear",
                                                             align_corners=True),
               dict(scale_factor=3), dict(size=6, mode="nearest-exact")):
        inp = x
        y = F.interpolate(rg.tensor(inp), **kw)
        assert y.dtype == np.uint8
        np.testing.assert_array_equal(y.numpy(), TF.interpolate(torch.tensor(inp), **kw).numpy())
    # antialiased (torchvision's resize): PyTorch's fixed-point kernel may round by 1
    kw = dict(size=(3, 4), mode="bilinear", antialias=True)
    y = F.interpolate(rg.tensor(x), **kw).numpy().astype(int)
    assert np.abs(y - TF.interpolate(torch.tensor(x), **kw).numpy()).max() <= 1
    for inp, mode in ((x.astype(np.int64), "bilinear"), (x[:, :, 0], "linear")):
        with pytest.raises(NotImplementedError):
            TF.interpolate(torch.tensor(inp), scale_factor=2, mode=mode)
        with pytest.raises(NotImplementedError):
            F.interpolate(rg.tensor(inp), scale_factor=2, mode=mode)


def test_errors_are_torchs():
    x = rg.tensor(X4)
    xt = torch.tensor(X4)
    calls = [
        (lambda f, t: f.interpolate(t, scale_factor=2, size=3), None),
        (lambda f, t: f.interpolate(t), None),
        (lambda f, t: f.interpolate(t, size=(2, 2, 2)), None),
        (lambda f, t: f.interpolate(t, scale_factor=2, align_corners=True), None),
        (lambda f, t: f.interpolate(t, scale_factor=2, mode="linear"), None),
        (lambda f, t: f.interpolate(t, scale_factor=2, mode="trilinear"), None),
        (lambda f, t: f.glu(t, 2), None),
        (lambda f, t: f.pixel_shuffle(t, 2), None),
        (lambda f, t: f.pixel_unshuffle(t, 2), None),
        (lambda f, t: f.channel_shuffle(t, 4), None),
        (lambda f, t: f.grid_sample(t.float(), t[:, :1, :2, :2], align_corners=False), None),
        (lambda f, t: f.grid_sample(t, t[:, :1, :2, :3], align_corners=False), None),
        (lambda f, t: f.affine_grid(t[0, :, :2, :3], (3, 1, 3, 3), align_corners=False), None),
        (lambda f, t: f.channel_shuffle(t[0, 0, 0], 2), None),
        (lambda f, t: f.pdist(t), None),
        (lambda f, t: f.pad(t, (1, 1), mode="reflect"), None),
        (lambda f, t: f.pad(t[0, 0, 0], (1, 1, 1, 1), mode="replicate"), None),
        (lambda f, t: f.softshrink(t, -1.0), None),
        (lambda f, t: f.triplet_margin_loss(t, t[0], t), None),
        (lambda f, t: f.margin_ranking_loss(t, t, t[0]), None),
        (lambda f, t: f.cosine_embedding_loss(t, t, t), None),
        (lambda f, t: f.gaussian_nll_loss(t, t, t[..., :2]), None),
        (lambda f, t: f.gaussian_nll_loss(t, t, -t.abs()), None),
        (lambda f, t: f.triplet_margin_with_distance_loss(t, t, t, margin=0), None),
        (lambda f, t: f.alpha_dropout(t, 1.5), None),
        (lambda f, t: f.mse_loss(t, t, reduction="avg"), None),
        (lambda f, t: f.soft_margin_loss(t, t, reduction="avg"), None),
        (lambda f, t: f.soft_margin_loss(t, t[..., :2]), None),
        (lambda f, t: f.poisson_nll_loss(t, t[..., :2]), None),
        (lambda f, t: f.gaussian_nll_loss(t, t[..., :2], t), None),
        (lambda f, t: f.margin_ranking_loss(t, t[..., :2], t), None),
        (lambda f, t: f.triplet_margin_loss(t, t[..., :2], t), None),
        (lambda f, t: f.pairwise_distance(t, t[..., :2]), None),
        (lambda f, t: f.multilabel_margin_loss(t[0, 0], t[0, 0]), None),
        (lambda f, t: f.cosine_similarity(t, t, dim=4), None),
        (lambda f, t: f.interpolate(t, size=3, recompute_scale_factor=True), None),
    ]
    for call, _ in calls:
        with pytest.raises(Exception) as theirs:
            call(TF, xt)
        with pytest.raises(Exception) as ours:
            call(F, x)
        assert isinstance(ours.value, type(theirs.value)) or type(theirs.value).__name__ == \
            type(ours.value).__name__, (call, ours.value, theirs.value)
    for make in (lambda n: n.CircularPad1d(1)(rg.tensor(X4) if n is nn else xt),
                 lambda n: n.Softmax2d()((rg.tensor(A) if n is nn else torch.tensor(A))),
                 lambda n: n.Unflatten(1, (2, 3))(rg.tensor(A) if n is nn else torch.tensor(A))):
        with pytest.raises(Exception) as theirs:
            make(torch.nn)
        with pytest.raises(type(theirs.value)):
            make(nn)
    with pytest.raises(NotSupportedError, match="bicubic"):
        F.interpolate(rg.tensor(X4.astype(np.uint8)), scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="Anti-alias"):
        F.interpolate(x, scale_factor=2, mode="nearest", antialias=True)
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu_(rg.tensor(X3, requires_grad=True))
    with pytest.warns(UserWarning, match="deprecated"):
        F.upsample(x, scale_factor=2)


def test_on_every_device(device):
    """The same bodies on NumPy and (fake) CuPy: same values and gradients."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 4, 3, 3)).astype(np.float32)
    results = []
    for dev in ("cpu", device):
        rg.manual_seed(0)
        t = rg.tensor(x, device=dev, requires_grad=True)
        y = F.interpolate(t, scale_factor=2, mode="bilinear")
        y = F.pad(y, (1, 1, 1, 1), mode="reflect") + 0
        y = F.pixel_shuffle(F.glu(y, 1), 1) * F.normalize(y[:, :2], dim=1)
        loss = F.triplet_margin_loss(y.reshape(2, -1), y.reshape(2, -1) * 0.5,
                                     y.reshape(2, -1).flip(0)) + F.pdist(y.reshape(2, -1)).sum()
        loss = loss + F.multilabel_margin_loss(y.reshape(2, -1)[:, :4],
                                               rg.tensor(np.array([[1, 0, -1, 0]] * 2),
                                                         device=dev))
        loss = loss + F.embedding_bag(rg.tensor(np.array([0, 2, 1]), device=dev),
                                      y.reshape(-1, 4)[:4], rg.tensor(np.array([0, 1]),
                                                                      device=dev)).sum()
        theta = rg.tensor(np.array([[[0.9, 0.2, 0.1], [-0.1, 1.1, 0.0]]]), device=dev)
        grid = F.affine_grid(theta.float(), (1, 1, 4, 4), align_corners=False)
        loss = loss + F.grid_sample(y[:, :1], grid, align_corners=False).sum()
        lazy = nn.LazyConv2d(2, 3).to(dev)
        loss = loss + lazy(y[:, :, :5, :5]).sum()
        assert lazy.weight.device == t.device
        loss.backward()
        results.append((loss.cpu().numpy(), t.grad.cpu().numpy()))
        for rand in (F.gumbel_softmax(t, hard=True), F.alpha_dropout(t, 0.3, True),
                     F.feature_alpha_dropout(t, 0.3, True), F.dropout3d(t[None], 0.5)):
            assert rand.device == t.device and rand.shape[-3:] == t.shape[-3:]
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_unet_block_like_a_tutorial():
    """Upsample(×2, bilinear) + cat with the skip connection + conv: forward and backward
    equal to PyTorch's with the same weights."""

    def block(lib):
        n = lib.nn

        class Up(n.Module):
            def __init__(self):
                super().__init__()
                self.up = n.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
                self.conv = n.Conv2d(6, 2, 3, padding=1)

            def forward(self, x, skip):
                return n.functional.relu(self.conv(lib.cat([self.up(x), skip], dim=1)))

        return Up()

    ours, theirs = block(rg).double(), block(torch).double()
    _same_weights(ours, theirs)
    x, skip = R.standard_normal((2, 4, 3, 3)), R.standard_normal((2, 2, 6, 6))
    a, s = rg.tensor(x, requires_grad=True), rg.tensor(skip)
    at, st = torch.tensor(x, requires_grad=True), torch.tensor(skip)
    y, yt = ours(a, s), theirs(at, st)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-8)
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.conv.weight.grad.numpy(), theirs.conv.weight.grad.numpy(),
                               rtol=1e-6, atol=1e-8)


def test_embedding_bag_matches_torch():
    w = R.standard_normal((10, 3))
    # bags [1 2 4 5], [], [4 3], [2 2] (all padding with padding_idx=2), [9 0]
    inp, off = np.array([1, 2, 4, 5, 4, 3, 2, 2, 9, 0]), np.array([0, 4, 4, 6, 8])
    for mode in ("sum", "mean", "max"):
        for pad, last in ((None, False), (2, False), (None, True)):
            o = np.append(off, inp.size) if last else off
            ours = lambda l, f, wt: f.embedding_bag(      # noqa: E731
                (rg if l == "rg" else torch).tensor(inp), wt,
                (rg if l == "rg" else torch).tensor(o), mode=mode, padding_idx=pad,
                include_last_offset=last)
            for dtype, tol in ((np.float64, 1e-9), (np.float32, 1e-5)):
                y, (g,) = _run(ours, [w], "rg", dtype, 2)
                yt, (gt,) = _run(ours, [w], "torch", dtype, 2)
                np.testing.assert_allclose(y, yt, rtol=tol, atol=tol, err_msg=mode)
                np.testing.assert_allclose(g, gt, rtol=tol, atol=tol, err_msg=mode)
    f = lambda wt, p: F.embedding_bag(rg.tensor(inp), wt, rg.tensor(off), mode="sum",
                                      per_sample_weights=p)
    check_grad(f, w, R.standard_normal(inp.size))
    check_jvp(f, w, R.standard_normal(inp.size))
    bag, bagt = nn.EmbeddingBag(10, 3, mode="max"), torch.nn.EmbeddingBag(10, 3, mode="max")
    _same_weights(bag, bagt)
    assert repr(bag) == repr(bagt) and list(bag.state_dict()) == ["weight"]
    x2 = inp[:8].reshape(2, 4)
    np.testing.assert_allclose(bag(rg.tensor(x2)).numpy(),
                               bagt(torch.tensor(x2)).detach().numpy(), rtol=1e-6)
    for call in (lambda f, l: f.embedding_bag(l.tensor(x2), l.tensor(w), l.tensor(off)),
                 lambda f, l: f.embedding_bag(l.tensor(inp), l.tensor(w)),
                 lambda f, l: f.embedding_bag(l.tensor(inp), l.tensor(w), l.tensor(off),
                                              per_sample_weights=l.tensor(w[:, 0])),
                 lambda f, l: f.embedding_bag(l.tensor([1, 15]), l.tensor(w), l.tensor([0]))):
        with pytest.raises(Exception) as theirs:
            call(TF, torch)
        with pytest.raises(type(theirs.value)) as ours:
            call(F, rg)
        assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


def test_spatial_transformer_like_the_tutorial():
    """The STN tutorial's localisation → θ → affine_grid → grid_sample, forward and
    backward equal to PyTorch's with the same weights."""

    def stn(lib):
        n = lib.nn
        loc = n.Sequential(n.Flatten(), n.Linear(2 * 6 * 6, 6))
        return loc

    ours, theirs = stn(rg).double(), stn(torch).double()
    _same_weights(ours, theirs)
    x = R.standard_normal((2, 2, 6, 6))
    outs = []
    for lib, f, loc in ((rg, F, ours), (torch, TF, theirs)):
        a = lib.tensor(x, requires_grad=True)
        theta = loc(a).view(-1, 2, 3)
        grid = f.affine_grid(theta, a.size(), align_corners=False)
        y = f.grid_sample(a, grid, align_corners=False)
        (y * y).sum().backward()
        outs.append((y.detach().numpy() if lib is torch else y.numpy(), a.grad.numpy(),
                     loc[1].weight.grad.numpy()))
    for ours_a, theirs_a in zip(*outs):
        np.testing.assert_allclose(ours_a, theirs_a, rtol=1e-6, atol=1e-9)
    with pytest.warns(UserWarning, match="align_corners=False"):
        F.affine_grid(rg.tensor(np.eye(2, 3)[None]), (1, 1, 2, 2))



def test_module_list_edits_as_pytorch():
    """ModuleList.insert/pop/__setitem__/__delitem__/+=/+: the same modules under the
    same (renumbered) names as PyTorch's, and its errors for a bad index or module."""
    def run(nn):
        ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
        ml.insert(1, nn.Tanh())
        popped = ml.pop(0)
        ml[0] = nn.Sigmoid()
        ml += [nn.Identity(), nn.ReLU()]
        del ml[1]
        both = ml + nn.ModuleList([nn.Tanh()])
        return ([type(m).__name__ for m in ml], type(popped).__name__,
                list(dict(ml.named_modules())), [type(m).__name__ for m in both])
    assert run(rg.nn) == run(torch.nn)
    for lib in (rg.nn, torch.nn):
        with pytest.raises(IndexError):
            lib.ModuleList([lib.ReLU()]).pop(3)
    with pytest.raises(TypeError, match="not a Module"):   # PyTorch takes it, and fails later
        rg.nn.ModuleList().insert(0, "relu")


def test_sequential_edits_as_pytorch():
    """Sequential's list editing (del renumbers, insert, pop, +=, +, item assignment
    keeps the name) gives PyTorch's modules and names; forward runs the edited chain."""
    def run(nn):
        s = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.ReLU())
        del s[1]
        s.append(nn.Sigmoid())
        s.insert(0, nn.Identity())
        popped = s.pop(1)
        s[0] = nn.ELU()
        s += nn.Sequential(nn.Tanh())
        both = s + nn.Sequential(nn.ReLU())
        return ([type(m).__name__ for m in s], list(s._modules), type(popped).__name__,
                type(both).__name__, [type(m).__name__ for m in both])
    assert run(rg.nn) == run(torch.nn)
    s = rg.nn.Sequential(rg.nn.Linear(2, 2), rg.nn.Tanh())
    del s[0]
    np.testing.assert_allclose(s(rg.tensor([[0.5, -1.0]])).numpy(), np.tanh([[0.5, -1.0]]),
                               rtol=1e-6)
