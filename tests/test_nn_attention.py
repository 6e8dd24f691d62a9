"""Attention, the Transformer and the group/instance/RMS/local-response norms against
PyTorch: the same weights (PyTorch's state_dict loaded), the same inputs; outputs and
the gradients of every input and parameter compared (float64 1e-10, float32 1e-5)."""
import warnings
from functools import partial

import numpy as np
import pytest
from harness import check_grad, check_jvp

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")
TF = torch.nn.functional


def _t(a, grad=False):
    """The same array as a (retrograd, torch) pair of leaves."""
    a = np.asarray(a)
    grad = grad and a.dtype.kind == "f"
    return rg.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _compare(ours, theirs, tol, what=""):
    a = ours.numpy() if isinstance(ours, rg.Tensor) else ours
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (what, a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


def _run_both(f_rg, f_torch, arrays, tol=1e-10, seed=0, modules=None):
    """f on both sides; compares the output(s) and the gradients of every float input
    and, with ``modules`` = (ours, theirs), of every parameter."""
    pairs = [_t(a, grad=True) if a is not None else (None, None) for a in arrays]
    y, yt = f_rg(*[p[0] for p in pairs]), f_torch(*[p[1] for p in pairs])
    ys, yts = (y, yt) if isinstance(y, tuple) else ((y,), (yt,))
    loss, loss_t = 0, 0
    rng = np.random.default_rng(seed)
    for a, b in zip(ys, yts):
        assert (a is None) == (b is None)
        if a is None:
            continue
        _compare(a, b, tol, "output")
        v = rng.standard_normal(a.shape)
        keep = ~np.isnan(b.detach().numpy())
        v = np.where(keep, v, 0.0).astype(a.dtype)
        loss = loss + (a.masked_fill(~keep, 0.0) * rg.tensor(v)).sum()
        loss_t = loss_t + (b.masked_fill(torch.tensor(~keep), 0.0) * torch.tensor(v)).sum()
    loss.backward()
    loss_t.backward()
    for i, (a, b) in enumerate(pairs):
        if a is not None and b.requires_grad:
            ga = a.grad.numpy() if a.grad is not None else np.zeros(a.shape)
            gb = b.grad.numpy() if b.grad is not None else np.zeros(a.shape)
            np.testing.assert_allclose(ga, gb, rtol=tol, atol=tol, err_msg=f"grad {i}")
    if modules is not None:
        theirs = dict(modules[1].named_parameters())
        for name, p in modules[0].named_parameters():
            q = theirs[name]
            gq = q.grad.numpy() if q.grad is not None else np.zeros(p.shape)
            np.testing.assert_allclose(p.grad.numpy(), gq, rtol=tol, atol=tol,
                                       err_msg=f"grad of {name}")


def _load(ours, theirs):
    """PyTorch's weights into ours (same dtype), by state_dict."""
    dtype = next(theirs.parameters()).dtype
    ours.double() if dtype == torch.float64 else ours.float()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours


# -- F.scaled_dot_product_attention ------------------------------------------------------

def test_sdpa_matches_pytorch():
    rng = np.random.default_rng(0)
    r = rng.standard_normal
    causal_hole = np.ones((3, 5), bool)
    causal_hole[1] = False                               # a query that sees no key: zeros
    dead = np.zeros((3, 5))
    dead[2] = -np.inf
    cases = [  # (q, k, v shapes, keyword arguments)
        ((2, 3, 4), (2, 5, 4), (2, 5, 6), {}),
        ((3, 4), (5, 4), (5, 2), {}),                    # no batch axis
        ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), {"attn_mask": causal_hole}),
        ((2, 3, 4), (2, 5, 4), (2, 5, 6), {"attn_mask": r((3, 5))}),        # float, added
        ((2, 3, 4), (2, 5, 4), (2, 5, 6), {"attn_mask": dead}),
        ((2, 3, 4), (2, 5, 4), (2, 5, 6), {"attn_mask": r((2, 1, 5)) > 0.3}),
        ((2, 3, 4), (2, 5, 4), (2, 5, 6), {"is_causal": True}),            # L < S: top-left
        ((2, 5, 4), (2, 3, 4), (2, 3, 6), {"is_causal": True}),            # L > S
        ((2, 3, 4), (2, 5, 4), (2, 5, 6), {"scale": 0.37}),
        ((1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3), {"enable_gqa": True}),
        ((2, 3, 4), (1, 5, 4), (1, 5, 6), {}),           # broadcast batch axes
        ((2, 3, 0), (2, 5, 0), (2, 5, 6), {}),           # E = 0: the mean of the values
    ]
    for qs, ks, vs, kw in cases:
        mask = kw.pop("attn_mask", None)
        arrays = [r(qs), r(ks), r(vs), mask]
        _run_both(lambda q, k, v, m, kw=kw: F.scaled_dot_product_attention(q, k, v, m, **kw),
                  lambda q, k, v, m, kw=kw: TF.scaled_dot_product_attention(q, k, v, m, **kw),
                  arrays)
    # float32: values and gradients within float32's precision, dtype kept
    arrays = [r((2, 3, 4)).astype(np.float32), r((2, 5, 4)).astype(np.float32),
              r((2, 5, 6)).astype(np.float32), r((3, 5)).astype(np.float32)]
    _run_both(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, arrays,
              tol=1e-5)
    assert F.scaled_dot_product_attention(*[rg.tensor(a) for a in arrays[:3]]).dtype \
        == np.float32


def test_sdpa_gradients_by_finite_differences_and_forward_mode():
    rng = np.random.default_rng(1)
    q, k, v, m = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 4, 2)), \
        rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 4))
    check_grad(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m), q, k, v, m)
    check_grad(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
               q, k, v)
    check_jvp(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, rg.tensor(m)), q, k, v)


def test_sdpa_dropout_keeps_the_expectation():
    # uniform weights 1/S over S values of 1: each output is (kept count) · 2/S, mean 1
    n, s = 4000, 10
    q, k = rg.zeros(n, 2), rg.zeros(s, 2)
    v = rg.ones(s, 1)
    y = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy().ravel()
    assert abs(y.mean() - 1.0) < 0.03
    np.testing.assert_allclose(y * s / 2, np.round(y * s / 2), atol=1e-5)   # multiples of 2/S
    assert 0.2 < y.std() < 0.4                           # binomial(10, ½) · 0.2: std 0.316
    assert np.allclose(F.scaled_dot_product_attention(q, k, v, dropout_p=0.0).numpy(), 1.0)
    assert not F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy().any()
    for lib, f in ((torch, TF.scaled_dot_product_attention),
                   (rg, F.scaled_dot_product_attention)):
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            f(lib.zeros(2, 2), lib.zeros(2, 2), lib.zeros(2, 2), dropout_p=1.5)


def test_sdpa_errors_as_pytorch():
    r = np.random.default_rng(2).standard_normal
    bad = [((2, 3, 4), (2, 5, 3), (2, 5, 6), {}),          # E differs
           ((2, 3, 4), (2, 5, 4), (2, 4, 6), {}),          # S differs
           ((4,), (4,), (4,), {}),                          # 1-D
           ((2, 3, 4), (2, 5, 4), (2, 5, 6), {"attn_mask": np.ones((3, 5), bool),
                                               "is_causal": True}),
           ((2, 3, 4), (2, 5, 4), (2, 5, 6), {"attn_mask": np.ones((4, 5), bool)})]
    for qs, ks, vs, kw in bad:
        arrays = [r(qs), r(ks), r(vs)]
        with pytest.raises(RuntimeError):
            TF.scaled_dot_product_attention(*[torch.tensor(a) for a in arrays],
                                            **{a: torch.tensor(b) if isinstance(b, np.ndarray)
                                               else b for a, b in kw.items()})
        with pytest.raises(RuntimeError, match="scaled_dot_product_attention"):
            F.scaled_dot_product_attention(*[rg.tensor(a) for a in arrays], **kw)
    with pytest.raises(RuntimeError, match="dtype"):
        F.scaled_dot_product_attention(rg.tensor(r((2, 3))), rg.tensor(r((2, 3))),
                                       rg.tensor(r((2, 3)).astype(np.float32)))


# -- nn.MultiheadAttention --------------------------------------------------------------

def test_mha_parameters_initialisation_and_state_dict_as_pytorch():
    for kw in [{}, {"kdim": 3, "vdim": 5, "add_bias_kv": True, "bias": False}]:
        ours, theirs = nn.MultiheadAttention(8, 2, **kw), torch.nn.MultiheadAttention(8, 2, **kw)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
        assert [n for n, _ in ours.named_parameters()] == \
            [n for n, _ in theirs.named_parameters()]
        assert isinstance(ours.out_proj, nn.Linear)
    m = nn.MultiheadAttention(64, 4)
    bound = np.sqrt(6.0 / (64 + 3 * 64))                 # Xavier-uniform on (3E, E)
    w = m.in_proj_weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01
    assert not m.in_proj_bias.numpy().any() and not m.out_proj.bias.numpy().any()
    with pytest.raises(AssertionError, match="divisible"):
        torch.nn.MultiheadAttention(10, 3)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(10, 3)


def test_mha_matches_pytorch():
    rng = np.random.default_rng(3)
    r = rng.standard_normal
    L, S, N, E, H = 3, 4, 2, 8, 2
    kpm = np.zeros((N, S), bool)
    kpm[1, 2:] = True
    bool_mask = r((L, S)) > 0.8
    cases = [  # (module kwargs, key/value shapes, forward kwargs)
        ({}, "self", {}),
        ({}, "self", {"need_weights": False}),
        ({}, "cross", {"key_padding_mask": kpm}),
        ({}, "cross", {"key_padding_mask": kpm, "need_weights": False}),
        ({}, "cross", {"key_padding_mask": np.where(kpm, -2.5, 0.0),
                       "attn_mask": r((L, S))}),
        ({}, "cross", {"attn_mask": bool_mask, "average_attn_weights": False}),
        ({}, "cross", {"attn_mask": r((N * H, L, S)), "need_weights": False}),
        ({"batch_first": True}, "cross", {"key_padding_mask": kpm}),
        ({"batch_first": True}, "self", {"attn_mask": bool_mask[:, :L],
                                          "need_weights": False}),
        ({"kdim": 3, "vdim": 5}, "kv", {"key_padding_mask": kpm}),
        ({"add_bias_kv": True, "add_zero_attn": True}, "cross", {"key_padding_mask": kpm,
                                                               "attn_mask": bool_mask}),
        ({"bias": False}, "cross", {"need_weights": False}),
        ({}, "unbatched", {"key_padding_mask": kpm[1]}),
        ({}, "self", {"attn_mask": np.triu(np.full((L, L), -np.inf), 1), "is_causal": True,
                      "need_weights": False}),
    ]
    for mkw, kind, fkw in cases:
        torch.manual_seed(0)
        theirs = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **mkw)
        ours = _load(nn.MultiheadAttention(E, H, **mkw), theirs)
        bf = mkw.get("batch_first", False)
        def shape(n, bf=bf):
            return (N, n, E) if bf else (n, N, E)

        q = r(shape(L))
        if kind == "self":
            arrays = [q]
        elif kind == "unbatched":
            arrays = [r((L, E)), r((S, E)), r((S, E))]
        elif kind == "kv":
            arrays = [q, r((S, N, 3)), r((S, N, 5))]
        else:
            arrays = [q, r(shape(S)), r(shape(S))]
        masks = {k: v for k, v in fkw.items() if isinstance(v, np.ndarray)}
        flags = {k: v for k, v in fkw.items() if k not in masks}
        names = list(masks)

        n_in = len(arrays)

        def call(module, *xs, k=n_in, names=names, flags=flags):
            qkv = xs[:k] * 3 if k == 1 else xs[:k]
            return module(*qkv, **dict(zip(names, xs[k:])), **flags)

        _run_both(partial(call, ours), partial(call, theirs),
                  arrays + [masks[k] for k in names], modules=(ours, theirs))
    # float32
    torch.manual_seed(1)
    theirs = torch.nn.MultiheadAttention(E, H)
    ours = _load(nn.MultiheadAttention(E, H), theirs)
    x = r((L, N, E)).astype(np.float32)
    _run_both(lambda x: ours(x, x, x), lambda x: theirs(x, x, x), [x], tol=1e-5,
              modules=(ours, theirs))


def test_mha_gradients_by_finite_differences():
    m = nn.MultiheadAttention(4, 2, kdim=3, vdim=2).double()
    q = np.random.default_rng(4).standard_normal((2, 1, 4))
    kv = np.random.default_rng(5).standard_normal((3, 1, 5))
    check_grad(lambda q, kv: m(q, kv[..., :3], kv[..., 3:])[0], q, kv)
    check_jvp(lambda q, kv: m(q, kv[..., :3], kv[..., 3:], need_weights=False)[0], q, kv)


def test_mha_errors_as_pytorch():
    x = np.random.default_rng(6).standard_normal((3, 2, 4))
    ours, theirs = nn.MultiheadAttention(4, 2), torch.nn.MultiheadAttention(4, 2)
    cases = [  # (positional inputs, keywords) that both refuse, with the same type
        ((x, x[:2], x), {}),                                  # key and value lengths differ
        ((x[..., :3], x, x), {}),                             # wrong embedding size
        ((x[0], x, x), {}),                                   # unbatched query, batched key
        ((x, x, x), {"attn_mask": np.zeros((2, 2))}),         # 2-D mask of the wrong shape
        ((x, x, x), {"attn_mask": np.zeros((3, 3, 3))}),      # 3-D mask of the wrong shape
        ((x, x, x), {"is_causal": True}),                     # the hint needs a mask
    ]
    for args, kw in cases:
        with pytest.raises(Exception) as theirs_err:
            theirs(*[torch.tensor(a, dtype=torch.float32) for a in args],
                   **{k: torch.tensor(v, dtype=torch.float32) if isinstance(v, np.ndarray)
                      else v for k, v in kw.items()})
        with pytest.raises(theirs_err.type):
            ours(*[rg.tensor(a.astype(np.float32)) for a in args], **kw)


# -- the Transformer -------------------------------------------------------------------

def test_transformer_encoder_matches_pytorch():
    rng = np.random.default_rng(7)
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    for norm_first, act, batch_first in [(False, "relu", True), (True, "gelu", False),
                                         (False, "gelu", False), (True, "relu", True)]:
        kw = {"dim_feedforward": 16, "dropout": 0.0, "activation": act,
              "norm_first": norm_first, "batch_first": batch_first}
        torch.manual_seed(0)
        layer = torch.nn.TransformerEncoderLayer(8, 2, dtype=torch.float64, **kw)
        with warnings.catch_warnings():     # PyTorch: "enable_nested_tensor is True, but…"
            warnings.simplefilter("ignore")
            theirs = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(
                8, dtype=torch.float64))
        ours = _load(nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, **kw), 2,
                                           norm=nn.LayerNorm(8)), theirs)
        x = rng.standard_normal((2, 5, 8) if batch_first else (5, 2, 8))
        mask = nn.Transformer.generate_square_subsequent_mask(5).numpy().astype(np.float64)
        _run_both(lambda x, m, p, ours=ours: ours(x, mask=m, src_key_padding_mask=p),
                  lambda x, m, p, theirs=theirs: theirs(x, mask=m, src_key_padding_mask=p),
                  [x, mask, np.where(kpm, -np.inf, 0.0)], modules=(ours, theirs))
        # evaluation without gradients: PyTorch's nested-tensor path (batch-first
        # post-norm stacks) gives 0 at the padded positions before the final norm
        ours.eval()
        theirs.eval()
        with torch.no_grad(), rg.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")          # PyTorch's "nested tensors … prototype"
            _compare(ours(x, src_key_padding_mask=kpm),
                     theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm)), 1e-10)
        assert ours.use_nested_tensor == (batch_first and not norm_first)


def test_decoder_layer_and_transformer_match_pytorch():
    rng = np.random.default_rng(8)
    for norm_first in (False, True):
        torch.manual_seed(0)
        theirs = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first,
                                                  dtype=torch.float64)
        ours = _load(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0,
                                                norm_first=norm_first), theirs)
        mpm = np.zeros((2, 5), bool)
        mpm[0, 4] = True
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=np.float64).numpy()
        _run_both(lambda t, m, tm, p, ours=ours: ours(t, m, tgt_mask=tm,
                                                      memory_key_padding_mask=p),
                  lambda t, m, tm, p, theirs=theirs: theirs(t, m, tgt_mask=tm,
                                                            memory_key_padding_mask=p),
                  [rng.standard_normal((4, 2, 8)), rng.standard_normal((5, 2, 8)), tgt_mask,
                   mpm],
                  modules=(ours, theirs))
    torch.manual_seed(0)
    theirs = torch.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, activation="gelu",
                                  batch_first=True, dtype=torch.float64)
    ours = _load(nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, activation="gelu",
                                batch_first=True), theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    assert mask.dtype == np.float32
    _compare(mask, torch.nn.Transformer.generate_square_subsequent_mask(3), 0)
    _run_both(lambda s, t: ours(s, t, tgt_mask=mask.double()),
              lambda s, t: theirs(s, t, tgt_mask=torch.tensor(mask.numpy()).double()),
              [rng.standard_normal((2, 5, 8)), rng.standard_normal((2, 3, 8))],
              modules=(ours, theirs))
    with pytest.raises(RuntimeError, match="batch number"):
        ours(rg.zeros(2, 5, 8).double(), rg.zeros(3, 3, 8).double())
    with pytest.raises(RuntimeError, match="feature number"):
        ours(rg.zeros(2, 5, 8).double(), rg.zeros(2, 3, 6).double())
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    layer = nn.TransformerEncoderLayer(8, 2, activation=nn.Tanh())     # a callable is kept
    assert isinstance(layer.activation, nn.Tanh)


def test_transformer_encoder_classifier_trains_as_pytorch():
    """A tutorial's text classifier: embedding, a 2-layer encoder, mean pooling, a linear
    head; 5 Adam steps from PyTorch's weights give PyTorch's losses (dropout 0)."""
    rng = np.random.default_rng(9)
    tokens, labels = rng.integers(0, 20, (8, 6)), rng.integers(0, 3, 8)

    def build(lib):
        class Classifier(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = lib.nn.Embedding(20, 16)
                layer = lib.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0,
                                                       batch_first=True)
                self.encoder = lib.nn.TransformerEncoder(layer, 2)
                self.head = lib.nn.Linear(16, 3)

            def forward(self, x):
                return self.head(self.encoder(self.embed(x)).mean(1))
        return Classifier()

    torch.manual_seed(0)
    theirs, ours = build(torch), build(rg)
    _load(ours, theirs)
    opt_t = torch.optim.Adam(theirs.parameters(), lr=1e-2)
    opt = rg.optim.Adam(ours.parameters(), lr=1e-2)
    losses, losses_t = [], []
    for _ in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(ours(rg.tensor(tokens)), rg.tensor(labels))
        loss.backward()
        opt.step()
        opt_t.zero_grad()
        loss_t = TF.cross_entropy(theirs(torch.tensor(tokens)), torch.tensor(labels))
        loss_t.backward()
        opt_t.step()
        losses.append(loss.item())
        losses_t.append(loss_t.item())
    np.testing.assert_allclose(losses, losses_t, rtol=1e-5)
    assert losses[-1] < losses[0]


def test_attention_on_the_fake_gpu(fake_cuda):
    m = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True).to("cuda")
    x = rg.randn(2, 5, 8).to("cuda")
    x.requires_grad_()
    pad = np.array([[False] * 5, [False] * 3 + [True] * 2])     # a host array: moved
    y = m(x, src_mask=nn.Transformer.generate_square_subsequent_mask(5, device="cuda"),
          src_key_padding_mask=pad)
    y.sum().backward()
    assert y.device == x.grad.device == m.self_attn.in_proj_weight.grad.device
    out = F.scaled_dot_product_attention(x, x, x, is_causal=True, dropout_p=0.2)
    assert out.device == x.device and out.shape == (2, 5, 8)
    host = np.ones((2, 3, 8), dtype=np.float32)             # key and value as host data
    out, w = m.self_attn(x, host, host)
    assert out.device == w.device == x.device and w.shape == (2, 5, 3)
    g = nn.GroupNorm(2, 4).to("cuda")(rg.randn(2, 4, 3).to("cuda"))
    assert g.device == x.device


# -- group, instance, RMS and local response normalisation --------------------------------

def test_norms_match_pytorch():
    rng = np.random.default_rng(10)
    r = rng.standard_normal
    x4, x3 = r((2, 6, 3, 4)), r((2, 6, 5))
    w, b = r(6), r(6)
    fcases = [
        (lambda x, w, b: F.group_norm(x, 3, w, b), lambda x, w, b: TF.group_norm(x, 3, w, b),
         [x4, w, b]),
        (lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2), [x3]),
        (lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3),
         lambda x, w, b: TF.instance_norm(x, weight=w, bias=b, eps=1e-3), [x4, w, b]),
        (lambda x, w: F.rms_norm(x, (3, 4), w), lambda x, w: TF.rms_norm(x, (3, 4), w),
         [x4, r((3, 4))]),
        (lambda x: F.rms_norm(x, 5, eps=0.1), lambda x: TF.rms_norm(x, [5], eps=0.1), [x3]),
        (lambda x: F.local_response_norm(x, 3, 0.1, 0.6, 2.0),
         lambda x: TF.local_response_norm(x, 3, 0.1, 0.6, 2.0), [x4]),
        (lambda x: F.local_response_norm(x, 4), lambda x: TF.local_response_norm(x, 4), [x3]),
    ]
    for f, ft, arrays in fcases:
        _run_both(f, ft, arrays)
    _run_both(lambda x: F.rms_norm(x, (5,)), lambda x: TF.rms_norm(x, (5,)),
              [x3.astype(np.float32)], tol=1e-5)      # eps=None: float32's epsilon
    check_grad(lambda x, w, b: F.group_norm(x, 2, w, b), r((2, 4, 3)), r(4), r(4))
    check_grad(lambda x, w: F.rms_norm(x, (3,), w), r((2, 3)), r(3))
    check_jvp(lambda x: F.rms_norm(x, (3,)), r((2, 3)))
    check_jvp(lambda x, w: F.group_norm(x, 2, w), r((2, 4, 3)), r(4))
    check_jvp(lambda x: F.instance_norm(x), r((2, 3, 4)))
    check_grad(lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.0), r((1, 4, 2)))
    check_jvp(lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.0), r((1, 4, 2)))
    mcases = [("GroupNorm", (3, 6), {}, x4), ("GroupNorm", (2, 6), {"bias": False}, x3),
              ("InstanceNorm1d", (6,), {"affine": True}, x3),
              ("InstanceNorm2d", (6,), {}, x4), ("InstanceNorm2d", (6,), {}, x4[0]),
              ("InstanceNorm3d", (2,), {"affine": True}, x4[:, :2, None]),
              ("RMSNorm", ((3, 4),), {}, x4), ("LocalResponseNorm", (2,), {}, x4)]
    for name, args, kw, x in mcases:
        theirs = getattr(torch.nn, name)(*args, **kw, dtype=torch.float64) \
            if name != "LocalResponseNorm" else torch.nn.LocalResponseNorm(*args)
        ours = getattr(nn, name)(*args, **kw)
        if list(theirs.parameters()):
            for p in theirs.parameters():
                p.data.normal_()
            _load(ours, theirs)
        _run_both(ours, theirs, [x], modules=(ours, theirs))
        assert repr(ours) == repr(theirs).replace(", bias=True", "").replace(
            ", bias=False", "") or name.startswith("InstanceNorm")


def test_instance_norm_running_statistics_and_errors():
    x = np.random.default_rng(11).standard_normal((3, 4, 5)).astype(np.float32)
    for momentum in (0.3, None):
        ours = nn.InstanceNorm1d(4, momentum=momentum, track_running_stats=True)
        theirs = torch.nn.InstanceNorm1d(4, momentum=momentum, track_running_stats=True)
        for _ in range(2):
            ours(rg.tensor(x))
            theirs(torch.tensor(x))
        _compare(ours.running_mean, theirs.running_mean, 1e-6)
        _compare(ours.running_var, theirs.running_var, 1e-6)
        ours.eval()
        theirs.eval()
        _compare(ours(rg.tensor(x)), theirs(torch.tensor(x)), 1e-5)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    refusals = [(lambda lib: lib.nn.GroupNorm(4, 6), ValueError),
                (lambda lib: lib.nn.functional.group_norm(lib.tensor(x), 3), RuntimeError),
                (lambda lib: lib.nn.InstanceNorm1d(4)(lib.tensor(x[:, :, :1])), ValueError),
                (lambda lib: lib.nn.InstanceNorm1d(4)(lib.tensor(x[None])), ValueError),
                (lambda lib: lib.nn.InstanceNorm1d(5, affine=True)(lib.tensor(x)), ValueError),
                (lambda lib: lib.nn.functional.rms_norm(lib.tensor(x), [4]), RuntimeError),
                (lambda lib: lib.nn.LocalResponseNorm(2)(lib.tensor(x[0])), ValueError)]
    for make, error in refusals:
        for lib in (torch, rg):
            with pytest.raises(error):
                make(lib)
    with pytest.raises(ValueError, match="num_groups"):      # PyTorch: ZeroDivisionError
        nn.GroupNorm(0, 4)
    with pytest.raises(RuntimeError, match="size"):
        nn.LocalResponseNorm(0)(rg.tensor(x))
