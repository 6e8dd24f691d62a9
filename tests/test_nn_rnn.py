"""Recurrent layers (nn/rnn.py) against PyTorch: a PyTorch module's state_dict is
loaded into retrograd's, and outputs, final states and the gradients of every
parameter, of the input and of the initial state must agree (float64 to 1e-10,
float32 to 1e-5); finite differences and forward mode on tiny float64 cases."""
import math

import numpy as np
import pytest
from harness import check_grad, check_jvp

import retrograd as rg
from retrograd.missing import NotSupportedError
from retrograd.nn import rnn

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")

IN, H, T, N = 3, 4, 5, 2


def _pair(name, dtype, **kw):
    """The same module in PyTorch (seeded) and retrograd, sharing PyTorch's weights."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(IN, H, **kw).to(dtype)
    ours = getattr(rnn, name)(IN, H, **kw, dtype=np.dtype(dtype.__str__().split(".")[1]))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _leaves(arrays, dtype):
    ours = [rg.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    return ours, theirs


def _flat(result):
    """(out, h) / (out, (h, c)) / h / (h, c) as a flat list of tensors."""
    if not isinstance(result, tuple):
        return [result]
    return [t for r in result for t in (_flat(r) if isinstance(r, tuple) else [r])]


def _compare(ours, theirs, x, states, lstm, np_dtype, tol):
    """Run both modules on x (and the initial states), compare every output, then
    backpropagate the same random cotangents and compare every gradient."""
    t_dtype = getattr(torch, np.dtype(np_dtype).name)
    (xr, *sr), (xt, *st) = _leaves([x, *states], np_dtype)
    hr = None if not sr else (tuple(sr) if lstm else sr[0])
    ht = None if not st else (tuple(st) if lstm else st[0])
    outs_r, outs_t = _flat(ours(xr, hr)), _flat(theirs(xt, ht))
    rng = np.random.default_rng(5)
    loss_r, loss_t = 0, 0
    for a, b in zip(outs_r, outs_t, strict=True):
        assert a.shape == tuple(b.shape) and a.dtype == np_dtype
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=tol, atol=tol)
        v = rng.standard_normal(a.shape).astype(np_dtype)
        loss_r = loss_r + (a * rg.tensor(v)).sum()
        loss_t = loss_t + (b * torch.tensor(v, dtype=t_dtype)).sum()
    loss_r.backward()
    loss_t.backward()
    for a, b in zip([xr, *sr], [xt, *st]):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
    tp = dict(theirs.named_parameters())
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[k].grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=k)


# (module, keyword arguments, unbatched, with initial state)
CASES = [
    ("RNN", {}, False, False),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}, False, True),
    ("RNN", {"bidirectional": True, "batch_first": True}, False, True),
    ("RNN", {"nonlinearity": "relu", "bias": False}, True, True),
    ("LSTM", {}, False, False),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, False, True),
    ("LSTM", {"batch_first": True, "bias": False}, False, True),
    ("LSTM", {"num_layers": 2}, True, True),
    ("LSTM", {"bidirectional": True}, True, False),
    ("GRU", {}, False, True),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}, False, True),
    ("GRU", {"bias": False}, True, False),
    ("GRU", {"num_layers": 2}, True, True),
    ("RNN", {"batch_first": True, "num_layers": 2}, True, True),   # batch_first ignored
]


def _case_data(name, kw, unbatched, with_state, seed=0):
    rng = np.random.default_rng(seed)
    shape = (T, IN) if unbatched else ((N, T, IN) if kw.get("batch_first") else (T, N, IN))
    x = rng.standard_normal(shape)
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    s_shape = (layers, H) if unbatched else (layers, N, H)
    states = [rng.standard_normal(s_shape) for _ in range(2 if name == "LSTM" else 1)]
    return x, states if with_state else []


@pytest.mark.parametrize("name, kw, unbatched, with_state", CASES)
def test_layers_match_pytorch_float64(name, kw, unbatched, with_state):
    ours, theirs = _pair(name, torch.float64, **kw)
    x, states = _case_data(name, kw, unbatched, with_state)
    _compare(ours, theirs, x, states, name == "LSTM", np.float64, 1e-10)


@pytest.mark.parametrize("name, kw, unbatched, with_state", CASES[1::3])
def test_layers_match_pytorch_float32(name, kw, unbatched, with_state):
    ours, theirs = _pair(name, torch.float32, **kw)
    x, states = _case_data(name, kw, unbatched, with_state)
    _compare(ours, theirs, x, states, name == "LSTM", np.float32, 1e-5)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("name, kw", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                      ("RNNCell", {"bias": False}), ("LSTMCell", {}),
                                      ("LSTMCell", {"bias": False}), ("GRUCell", {}),
                                      ("GRUCell", {"bias": False})])
def test_cells_match_pytorch(name, kw, dtype, tol):
    ours, theirs = _pair(name, getattr(torch, np.dtype(dtype).name), **kw)
    rng = np.random.default_rng(1)
    lstm = name == "LSTMCell"
    for batch in ((N,), ()):                      # batched and unbatched (1-D) input
        for with_state in (True, False):
            for m in (ours, theirs):
                m.zero_grad()
            x = rng.standard_normal((*batch, IN))
            states = [rng.standard_normal((*batch, H)) for _ in range(2 if lstm else 1)]
            _compare(ours, theirs, x, states if with_state else [], lstm, dtype, tol)


def test_dropout_between_layers_in_training_only():
    ours, theirs = _pair("LSTM", torch.float64, num_layers=2, dropout=0.5)
    x, _ = _case_data("LSTM", {}, False, False)
    ours.eval(), theirs.eval()
    _compare(ours, theirs, x, [], True, np.float64, 1e-10)      # eval: no dropout
    ours.train()
    rg.manual_seed(3)
    a = ours(rg.tensor(x))[0].numpy()
    b = ours(rg.tensor(x))[0].numpy()
    assert not np.allclose(a, b)                 # the mask is drawn at every call
    rg.manual_seed(3)
    np.testing.assert_array_equal(ours(rg.tensor(x))[0].numpy(), a)
    # the first layer's state is not touched by dropout (it applies between layers)
    h_train = ours(rg.tensor(x))[1][0].numpy()[0]
    ours.eval()
    np.testing.assert_allclose(ours(rg.tensor(x))[1][0].numpy()[0], h_train, atol=1e-12)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_sweep_against_finite_differences(mode):
    """One layer's BPTT, all seven inputs (x, h0, c0 and the four parameters) by
    finite differences in float64, forward and reverse sweeps."""
    rng = np.random.default_rng(2)
    g = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1}[mode] * H
    arrays = [rng.standard_normal((3, N, IN)), rng.standard_normal((N, H)),
              rng.standard_normal((N, H)), rng.standard_normal((g, IN)) * 0.5,
              rng.standard_normal((g, H)) * 0.5, rng.standard_normal(g),
              rng.standard_normal(g)]
    lstm = mode == "LSTM"

    def sweep(reverse):
        def f(x, h, c, w_ih, w_hh, b_ih, b_hh):
            out, h_n, c_n = rnn._sweep(mode, x, h, c if lstm else None,
                                       w_ih, w_hh, b_ih, b_hh, reverse)
            last = [h_n.unsqueeze(0)] + ([c_n.unsqueeze(0)] if lstm else [])
            return rg.concatenate([out, *last], 0) + 0 * c.sum()
        return f

    for reverse in (False, True):
        check_grad(sweep(reverse), *arrays)
    check_jvp(sweep(True), *arrays)


def test_lstm_module_forward_mode_and_finite_differences():
    rg.manual_seed(0)
    lstm = rnn.LSTM(2, 3, num_layers=2, bidirectional=True, dtype=np.float64)
    rng = np.random.default_rng(4)
    x, h0, c0 = (rng.standard_normal((3, 2, 2)), rng.standard_normal((4, 2, 3)),
                 rng.standard_normal((4, 2, 3)))

    def f(x, h0, c0):
        out, (h, c) = lstm(x, (h0, c0))
        return rg.concatenate([out.reshape(-1), h.reshape(-1), c.reshape(-1)], 0)

    check_grad(f, x, h0, c0)
    check_jvp(f, x, h0, c0)


def test_training_a_tiny_lstm_matches_pytorch():
    torch.manual_seed(0)
    t_lstm, t_head = torch.nn.LSTM(IN, H, batch_first=True), torch.nn.Linear(H, 1)
    lstm, head = rnn.LSTM(IN, H, batch_first=True), rg.nn.Linear(H, 1)
    lstm.load_state_dict({k: v.numpy() for k, v in t_lstm.state_dict().items()})
    head.load_state_dict({k: v.numpy() for k, v in t_head.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, T, IN)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    opt = rg.optim.SGD([*lstm.parameters(), *head.parameters()], lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD([*t_lstm.parameters(), *t_head.parameters()], lr=0.1,
                            momentum=0.9)
    losses, t_losses = [], []
    for _ in range(5):
        _, (h, _) = lstm(rg.tensor(x))
        loss = rg.nn.functional.mse_loss(head(h[-1]), rg.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        _, (t_h, _) = t_lstm(torch.tensor(x))
        t_loss = torch.nn.functional.mse_loss(t_head(t_h[-1]), torch.tensor(y))
        t_opt.zero_grad()
        t_loss.backward()
        t_opt.step()
        losses.append(float(loss.item()))
        t_losses.append(t_loss.item())
    np.testing.assert_allclose(losses, t_losses, rtol=1e-5)
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(lstm.weight_hh_l0.numpy(), t_lstm.weight_hh_l0.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, args, kw", [
    ("RNN", (10, 20), {}), ("RNN", (10, 20, 2), {"nonlinearity": "relu", "dropout": 0.5}),
    ("LSTM", (10, 20), {"num_layers": 2, "batch_first": True}),
    ("LSTM", (10, 20, 3), {"bias": False, "bidirectional": True}),
    ("GRU", (10, 20), {"bidirectional": True, "batch_first": True, "dropout": 0.25,
                       "num_layers": 2}),
    ("RNNCell", (10, 20), {}), ("RNNCell", (10, 20), {"nonlinearity": "relu", "bias": False}),
    ("LSTMCell", (10, 20), {"bias": False}), ("GRUCell", (10, 20), {}),
])
def test_names_shapes_reprs_and_initialisation_as_pytorch(name, args, kw):
    theirs = getattr(torch.nn, name)(*args, **kw)
    rg.manual_seed(7)
    ours = getattr(rnn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(p.shape)) for k, p in ours.named_parameters()] == \
        [(k, tuple(p.shape)) for k, p in theirs.named_parameters()]
    bound = 1 / math.sqrt(20)
    for p in ours.parameters():
        a = p.numpy()
        assert p.dtype == np.float32 and np.all(np.abs(a) <= bound)
        assert a.std() > bound / 3                 # spread over the interval
    if hasattr(theirs, "all_weights"):
        assert [[k.shape for k in layer] for layer in ours.all_weights] == \
            [[tuple(k.shape) for k in layer] for layer in theirs.all_weights]
        assert ours.flatten_parameters() is None    # cuDNN's compaction: nothing to do
    rg.manual_seed(7)
    again = getattr(rnn, name)(*args, **kw)         # reproducible from manual_seed
    for p, q in zip(ours.parameters(), again.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def _error(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 (the type is what we compare)
        return type(e)
    return None


@pytest.mark.parametrize("name, call", [
    ("LSTM", lambda m, lib: m(lib.zeros(5, 2, 7))),
    ("LSTM", lambda m, lib: m(lib.zeros(1, 5, 2, 3))),
    ("LSTM", lambda m, lib: m(lib.zeros(5, 2, 3), (lib.zeros(1, 2, 4), lib.zeros(2, 2, 4)))),
    ("LSTM", lambda m, lib: m(lib.zeros(5, 2, 3), (lib.zeros(2, 2, 4), lib.zeros(2, 3, 4)))),
    ("LSTM", lambda m, lib: m(lib.zeros(5, 3), (lib.zeros(2, 1, 4), lib.zeros(2, 1, 4)))),
    ("GRU", lambda m, lib: m(lib.zeros(5, 2, 3), lib.zeros(2, 3, 4))),
    ("GRU", lambda m, lib: m(lib.zeros(5, 2, 3), lib.zeros(2, 2, 5))),
    ("RNNCell", lambda m, lib: m(lib.zeros(2, 7))),
    ("RNNCell", lambda m, lib: m(lib.zeros(2, 2, 3))),
    ("RNNCell", lambda m, lib: m(lib.zeros(2, 3), lib.zeros(3, 4))),
    ("LSTMCell", lambda m, lib: m(lib.zeros(2, 3), (lib.zeros(2, 5), lib.zeros(2, 4)))),
    ("GRUCell", lambda m, lib: m(lib.zeros(2, 3), lib.zeros(2, 5))),
    # dtypes: input vs weights, state vs input; an empty sequence
    ("LSTM", lambda m, lib: m(lib.zeros(5, 2, 3, dtype=lib.float64))),
    ("LSTM", lambda m, lib: m(lib.zeros(5, 2, 3), (lib.zeros(2, 2, 4, dtype=lib.float64),
                                                   lib.zeros(2, 2, 4)))),
    ("GRU", lambda m, lib: m(lib.zeros(5, 2, 3), lib.zeros(2, 2, 4, dtype=lib.float64))),
    ("GRU", lambda m, lib: m(lib.zeros(0, 2, 3))),
    ("GRUCell", lambda m, lib: m(lib.zeros(2, 3, dtype=lib.float64))),
    ("GRUCell", lambda m, lib: m(lib.zeros(2, 3), lib.zeros(2, 4, dtype=lib.float64))),
])
def test_errors_as_pytorch(name, call):
    kw = {"num_layers": 2} if name in ("LSTM", "GRU") else {}
    theirs = getattr(torch.nn, name)(3, 4, **kw)
    ours = getattr(rnn, name)(3, 4, **kw)
    expected = _error(lambda: call(theirs, torch))
    assert expected is not None
    assert _error(lambda: call(ours, rg)) is expected


def test_constructor_errors_and_unsupported_options():
    for kw in ({"nonlinearity": "sigmoid"}, {"dropout": 1.5}, {"num_layers": 0}):
        with pytest.raises(ValueError):
            torch.nn.RNN(3, 4, **kw)
        with pytest.raises(ValueError, match="RNN"):
            rnn.RNN(3, 4, **kw)
    with pytest.raises(ValueError, match="hidden_size"):
        rnn.LSTM(3, 0)
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        rnn.GRU(3, 4, dropout=0.5)
    with pytest.raises(NotSupportedError, match="proj_size"):
        rnn.LSTM(3, 4, proj_size=2)
    with pytest.raises(NotSupportedError, match="pack_padded_sequence"):
        rnn.pack_padded_sequence(rg.zeros(5, 2, 3), [5, 3])


def test_lstm_on_a_device(device):
    """The whole module on device (fake-cuda: NumPy posing as CuPy): values equal the
    CPU's and the gradients stay on the device."""
    rg.manual_seed(0)
    cpu = rnn.LSTM(IN, H, num_layers=2, bidirectional=True, dtype=np.float64)
    moved = rnn.LSTM(IN, H, num_layers=2, bidirectional=True, dtype=np.float64)
    moved.load_state_dict(cpu.state_dict())
    moved.to(device)
    x = np.random.default_rng(0).standard_normal((T, N, IN))
    out, (h, c) = moved(rg.tensor(x, device=device))
    assert out.device == h.device == c.device == moved.weight_ih_l0.device == device
    (out.sum() + c.sum()).backward()
    assert moved.weight_hh_l1_reverse.grad.device == device
    ref, (_, ref_c) = cpu(rg.tensor(x))
    np.testing.assert_allclose(out.cpu().numpy(), ref.numpy(), atol=1e-12)
    np.testing.assert_allclose(c.cpu().numpy(), ref_c.numpy(), atol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"batch_first": True, "padding_value": -1.5},
                                {"padding_side": "left"}])
def test_pad_sequence_as_pytorch(kw):
    from torch.nn.utils.rnn import pad_sequence
    rng = np.random.default_rng(6)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    ours, theirs = _leaves(seqs, np.float64)
    a, b = rnn.pad_sequence(ours, **kw), pad_sequence(theirs, **kw)
    np.testing.assert_array_equal(a.numpy(), b.detach().numpy())
    v = rng.standard_normal(a.shape)
    a.backward(v)
    b.backward(torch.tensor(v))
    for x, y in zip(ours, theirs):
        np.testing.assert_array_equal(x.grad.numpy(), y.grad.numpy())
    with pytest.raises(RuntimeError, match="same shape"):
        rnn.pad_sequence([rg.zeros(2, 3), rg.zeros(2, 4)])


def test_nn_utils_rnn_imports_as_in_pytorch():
    """``from torch.nn.utils.rnn import pad_sequence`` (nn.utils is a package)."""
    from retrograd.nn.utils.rnn import pack_padded_sequence, pad_sequence
    out = pad_sequence([rg.ones(2), rg.ones(3)], batch_first=True)
    np.testing.assert_array_equal(out.numpy(), [[1, 1, 0], [1, 1, 1]])
    with pytest.raises(rg.NotSupportedError, match="pack_padded_sequence"):
        pack_padded_sequence(out, [2, 3], batch_first=True)
