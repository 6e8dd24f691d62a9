"""Modules: discovery, repr, checkpoints, devices, Linear/Dense parity, regularizers."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.nn import functional as F
from retrograd.ops.matmul import affine
from harness import check_grad, check_jvp, compare_torch, torch

RNG = np.random.default_rng(0)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.scale = nn.Parameter(rg.ones(1))
        self.act = nn.Tanh()
        self.out = nn.Dense(2, input_dim=4)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)) * self.scale)


# -- discovery and printing -----------------------------------------------------------

def test_parameters_are_found_in_definition_order():
    m = MLP()
    assert [n for n, _ in m.named_parameters()] == [
        "scale", "hidden.weight", "hidden.bias", "out.kernel", "out.bias"]
    assert [n for n, _ in m.named_modules()] == ["", "hidden", "act", "out"]
    assert [type(c).__name__ for c in m.children()] == ["Linear", "Tanh", "Dense"]
    assert len(list(m.parameters())) == 5
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())


def test_shared_parameters_are_listed_once_and_reassignment_replaces():
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(model.parameters())) == 2
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="Linear.weight is a parameter"):
        lin.weight = 3
    lin.weight = nn.Parameter(rg.zeros(2, 2))
    assert list(lin.parameters())[0] is lin.weight


def test_plain_attributes_and_unregistered_tensors_are_not_parameters():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = 3
            self.t = rg.ones(2)
    assert list(M().parameters()) == []


def test_assigning_before_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)
    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first in Bad"):
        Bad()


def test_nested_repr_like_pytorch():
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Sequential(nn.Linear(128, 10, bias=False), nn.LogSoftmax(dim=1)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.2)\n"
        "  (3): Sequential(\n"
        "    (0): Linear(in_features=128, out_features=10, bias=False)\n"
        "    (1): LogSoftmax(dim=1)\n"
        "  )\n"
        ")")
    assert repr(nn.Dense(10, activation="softmax")) == \
        "Dense(units=10, activation=softmax, use_bias=True)"
    assert repr(MLP()).startswith("MLP(\n  (hidden): Linear(in_features=3")


def test_sequential_indexing_and_append():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    model.append(nn.Linear(3, 1))
    assert len(model) == 3
    assert isinstance(model[-1], nn.Linear) and model[-1].out_features == 1
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                         "2.bias"]
    x = rg.randn(4, 2)
    np.testing.assert_array_equal(model(x).numpy(), model[2](model[1](model[0](x))).numpy())
    with pytest.raises(IndexError, match="Sequential index 3 out of range for 3 layers"):
        model[3]
    with pytest.raises(TypeError, match=r"element 1 is a function.*nn.Activation"):
        nn.Sequential(nn.Linear(2, 2), F.relu)
    named = nn.Sequential({"fc": nn.Linear(2, 2), "act": nn.Tanh()})
    assert [n for n, _ in named.named_children()] == ["fc", "act"]
    ml = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1)])
    assert len(list(ml.parameters())) == 4 and len(ml) == 2


def test_train_eval_propagate_and_zero_grad():
    m = MLP()
    m.eval()
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    m(rg.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_to_moves_in_place_and_keeps_parameter_identity():
    m = MLP()
    params = list(m.parameters())
    assert m.double() is m
    assert [p.dtype for p in m.parameters()] == [np.float64] * 5
    assert all(a is b for a, b in zip(params, m.parameters()))
    m.to("cpu", dtype="float32")
    assert all(p.dtype == np.float32 for p in m.parameters())
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        m.to("tpu")


def test_cuda_device(device):
    lin = nn.Linear(3, 2).to(device)
    y = lin(rg.randn(4, 3, device=device))
    assert y.device == device and lin.weight.device == device


# -- checkpoints --------------------------------------------------------------------

def test_state_dict_round_trip():
    a, b = MLP(), MLP()
    sd = a.state_dict()
    assert list(sd) == ["scale", "hidden.weight", "hidden.bias", "out.kernel", "out.bias"]
    b.load_state_dict(sd)
    x = rg.randn(4, 3)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    w = b.hidden.weight
    b.load_state_dict({k: v.numpy() * 0 for k, v in sd.items()})   # arrays work too
    assert b.hidden.weight is w and np.all(w.numpy() == 0)


def test_strict_load_state_dict_names_every_problem():
    m = MLP()
    sd = m.state_dict()
    del sd["out.bias"]
    sd["extra.weight"] = np.zeros(2)
    sd["hidden.weight"] = np.zeros((5, 3))
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(sd)
    msg = str(e.value)
    assert "missing keys: 'out.bias'" in msg
    assert "unexpected keys: 'extra.weight'" in msg
    assert "size mismatch for 'hidden.weight': the checkpoint has shape (5, 3), the " \
           "model's has shape (4, 3)" in msg
    sd["hidden.weight"] = np.zeros((4, 3))
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["out.bias"] and result.unexpected_keys == ["extra.weight"]


def test_load_state_dict_builds_an_unbuilt_dense():
    src = nn.Sequential(nn.Dense(4, activation="relu"), nn.Dense(2))
    x = rg.randn(3, 5)
    y = src(x)
    dst = nn.Sequential(nn.Dense(4, activation="relu"), nn.Dense(2))
    dst.load_state_dict(src.state_dict())
    assert dst[0].kernel.shape == (5, 4)
    np.testing.assert_array_equal(dst(x).numpy(), y.numpy())


# -- Linear ---------------------------------------------------------------------------

def test_linear_op_gradcheck_jvp_and_torch():
    x, w, b = RNG.standard_normal((4, 3)), RNG.standard_normal((2, 3)), RNG.standard_normal(2)
    for args in ((x, w, b), (x, w)):
        check_grad(F.linear, *args)
        check_jvp(F.linear, *args)
        compare_torch(F.linear, torch.nn.functional.linear, *args)
    x3 = RNG.standard_normal((2, 4, 3))
    check_grad(F.linear, x3, w, b)


def _copy_to_torch(ours, theirs):
    with torch.no_grad():
        for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            q.copy_(torch.tensor(p.numpy()))


def test_linear_module_matches_torch():
    lin = nn.Linear(3, 2).double()
    ref = torch.nn.Linear(3, 2).double()
    _copy_to_torch(lin, ref)
    x = RNG.standard_normal((5, 3))
    y, yt = lin(rg.tensor(x)), ref(torch.tensor(x))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    yt.sum().backward()
    for p, q in zip(lin.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)


def test_linear_default_init_is_pytorch_s_uniform():
    lin = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w = lin.weight.numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound
    assert abs(w.var() - bound ** 2 / 3) < 0.03 * bound ** 2 / 3
    assert np.abs(lin.bias.numpy()).max() <= bound


def test_wrong_input_width_names_the_layer():
    with pytest.raises(ValueError, match=r"Linear\(in_features=3, out_features=2, bias=True\): "
                                         r"input of shape \(4, 5\) has 5 features, expected 3"):
        nn.Linear(3, 2)(rg.randn(4, 5))
    d = nn.Dense(2)
    d(rg.randn(4, 3))
    with pytest.raises(ValueError, match=r"Dense\(units=2\) was built for inputs with 3 "
                                         r"features.*shape \(4, 5\)"):
        d(rg.randn(4, 5))
    with pytest.raises(ValueError, match="Dense: units must be a positive integer. "
                                         "Received: units=0"):
        nn.Dense(0)
    with pytest.raises(ValueError, match="Linear: in_features must be a positive integer"):
        nn.Linear(-1, 2)


# -- Dense: the course's perceptron ŷ = φ(xW + b) -------------------------------------

def test_dense_is_lazy_and_keras_shaped():
    d = nn.Dense(10, activation="softmax")
    assert not d.built and list(d.parameters()) == []
    x = rg.randn(6, 784)
    y = d(x)
    assert d.built and d.kernel.shape == (784, 10) and d.bias.shape == (10,)
    assert sum(p.size for p in d.parameters()) == 7850          # the course's count
    assert d.kernel.dtype == np.float32 and np.all(d.bias.numpy() == 0)
    s = x.numpy() @ d.kernel.numpy() + d.bias.numpy()
    np.testing.assert_allclose(y.numpy(), F.softmax(rg.tensor(s)).numpy(), rtol=1e-5, atol=1e-7)
    limit = np.sqrt(6 / (784 + 10))                              # Glorot uniform
    assert np.abs(d.kernel.numpy()).max() <= limit


def test_dense_options():
    d = nn.Dense(3, use_bias=False, kernel_initializer="ones", input_dim=2)
    assert d.bias is None and [n for n, _ in d.named_parameters()] == ["kernel"]
    np.testing.assert_array_equal(d(rg.ones(1, 2)).numpy(), [[2, 2, 2]])
    d = nn.Dense(3, kernel_initializer=nn.init.Constant(0.5), bias_initializer="ones")
    np.testing.assert_array_equal(d(rg.ones(1, 2)).numpy(), [[2, 2, 2]])
    d = nn.Dense(2, activation=nn.PReLU())                       # a module as activation
    d(rg.randn(3, 4))
    assert [n for n, _ in d.named_parameters()] == ["kernel", "bias", "activation.weight"]
    with pytest.raises(ValueError, match="unknown initializer 'glorot'.*glorot_uniform"):
        nn.Dense(3, kernel_initializer="glorot")


def test_affine_op_gradcheck_jvp_and_torch():
    x, k, b = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal(2)
    for args in ((x, k, b), (x, k)):
        check_grad(affine, *args)
        check_jvp(affine, *args)
    compare_torch(affine, lambda a, kk, bb: a @ kk + bb, x, k, b)
    check_grad(affine, RNG.standard_normal((2, 4, 3)), k, b)


def test_dense_module_matches_torch():
    d = nn.Dense(2, activation="tanh", input_dim=3).double()
    ref = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(d.kernel.numpy().T))
        ref.bias.copy_(torch.tensor(d.bias.numpy()))
    x = RNG.standard_normal((5, 3))
    y, yt = d(rg.tensor(x)), torch.tanh(ref(torch.tensor(x)))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(d.kernel.grad.numpy(), ref.weight.grad.numpy().T, rtol=1e-12)
    np.testing.assert_allclose(d.bias.grad.numpy(), ref.bias.grad.numpy(), rtol=1e-12)


def test_flatten_identity():
    x = rg.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Identity(54, unused=1)(x) is x
    check_grad(lambda t: nn.Flatten()(t) * 2, RNG.standard_normal((2, 3, 2)))


# -- regularizers -----------------------------------------------------------------------

def test_regularizers_as_functions():
    w = RNG.standard_normal((3, 4))
    t = rg.tensor(w)
    np.testing.assert_allclose(nn.regularizers.L2(0.1)(t).item(), 0.1 * (w ** 2).sum())
    np.testing.assert_allclose(nn.regularizers.L1(0.2)(t).item(), 0.2 * np.abs(w).sum())
    np.testing.assert_allclose(nn.regularizers.L1L2(0.2, 0.1)(t).item(),
                               0.2 * np.abs(w).sum() + 0.1 * (w ** 2).sum())
    np.testing.assert_allclose(nn.regularizers.L1L2(0.2)(t).item(), 0.2 * np.abs(w).sum())
    np.testing.assert_allclose(nn.regularizers.L1L2(l2=0.1)(t).item(), 0.1 * (w ** 2).sum())
    zero = nn.regularizers.L1L2()(t)                 # a scalar tensor still, not None
    assert isinstance(zero, rg.Tensor) and zero.item() == 0.0
    for r in (nn.regularizers.L2(0.1), nn.regularizers.L1(0.2), nn.regularizers.L1L2(0.2, 0.1)):
        check_grad(r, w)
        check_jvp(r, w)
    assert nn.regularizers.get("l2").l2 == 0.01
    with pytest.raises(ValueError, match="unknown regularizer 'l3'; valid names: .*l1_l2"):
        nn.regularizers.get("l3")
    with pytest.raises(ValueError, match="L2: the factor must be a non-negative number"):
        nn.regularizers.L2(-1)


def test_dense_regularizers_are_collected_by_regularization_loss():
    model = nn.Sequential(
        nn.Dense(4, kernel_regularizer=nn.regularizers.L2(0.01), input_dim=3),
        nn.ReLU(),
        nn.Sequential(nn.Dense(2, kernel_regularizer="l1", bias_regularizer=nn.regularizers.L2(1.0),
                               bias_initializer="ones", input_dim=4)))
    k1, k2, b2 = model[0].kernel.numpy(), model[2][0].kernel.numpy(), model[2][0].bias.numpy()
    penalty = model.regularization_loss()
    expected = 0.01 * (k1 ** 2).sum() + 0.01 * np.abs(k2).sum() + (b2 ** 2).sum()
    np.testing.assert_allclose(penalty.item(), expected, rtol=1e-6)
    penalty.backward()
    np.testing.assert_allclose(model[0].kernel.grad.numpy(), 0.02 * k1, rtol=1e-6)
    np.testing.assert_allclose(model[2][0].kernel.grad.numpy(), 0.01 * np.sign(k2))
    assert model[0].bias.grad is None
    assert nn.Linear(2, 2).regularization_loss().item() == 0


# -- metrics -------------------------------------------------------------------------------

def test_accuracy_and_zero_one_loss_have_no_gradient():
    scores = rg.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.5, 0.2]], requires_grad=True)
    labels = rg.tensor([0, 1, 1, 0])
    acc = nn.metrics.accuracy(scores, labels)
    assert isinstance(acc, float) and acc == 0.75
    assert nn.metrics.zero_one_loss(scores, labels) == 0.25
    assert nn.metrics.accuracy(scores, F.one_hot(labels, 2)) == 0.75
    assert nn.metrics.accuracy(rg.tensor([0.9, 0.2, 0.6]), rg.tensor([1.0, 0.0, 0.0])) == 2 / 3
    assert nn.metrics.accuracy(rg.tensor([[3.0], [-1.0]]), [1, 0], threshold=0) == 1.0


def test_to_before_build_applies_to_parameters_made_later():
    """``to(dtype=...)`` (or a device) on a module whose layers are built at their
    first call: the weights made then are made as asked, the sub-modules and
    parameters registered later too."""
    model = nn.Sequential(nn.Dense(3), nn.ReLU()).to(dtype=np.float64)
    out = model(rg.ones(2, 4, dtype=np.float64))
    assert model[0].kernel.dtype == np.float64 and out.dtype == np.float64
    outer = nn.Module().to(dtype=np.float64)
    outer.extra = nn.Linear(2, 2)
    outer.scale = nn.Parameter(np.ones(2, dtype=np.float32))
    assert outer.extra.weight.dtype == np.float64 and outer.scale.dtype == np.float64
