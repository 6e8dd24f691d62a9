"""nn.Sequential runs its plain layers as one ``Chain`` node (ops/chain.py): the same
values and gradients as the layers one by one, one node in the graph."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.function import detect_anomaly
from retrograd.nn import functional as F
from retrograd.ops import activations as A
from retrograd.ops.chain import Chain
from retrograd.ops.matmul import Linear as LinearOp
from harness import check_grad, check_jvp, compare_torch, torch


def _mlp(x, w1, b1, w2, b2, w3):
    links = [(LinearOp(), 2), (A.Tanh(), 0), (LinearOp(), 2), (A.Sigmoid(), 0),
             (LinearOp(), 1), (A.ReLU(), 0)]
    return Chain(links).apply(x, w1, b1, w2, b2, w3)


def _arrays(rng, n=3):
    return (rng.standard_normal((n, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5),
            rng.standard_normal((3, 5)), rng.standard_normal(3), rng.standard_normal((2, 3)))


@pytest.mark.parametrize("n", [1, 3])
def test_chain_gradients_match_finite_differences_and_forward_mode(n):
    arrays = _arrays(np.random.default_rng(n), n)
    check_grad(lambda *t: (_mlp(*t) * _mlp(*t)).sum(), *arrays)
    check_jvp(_mlp, *arrays)


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
def test_chain_matches_pytorch():
    def f_torch(x, w1, b1, w2, b2, w3):
        h = torch.sigmoid(torch.tanh(x @ w1.T + b1) @ w2.T + b2)
        return torch.relu(h @ w3.T)
    compare_torch(_mlp, f_torch, *_arrays(np.random.default_rng(0)))


def _model(seed=0):
    rg.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(),
                         nn.Linear(8, 3), nn.Sigmoid())


def _layer_by_layer(model, x):
    for m in model:
        x = m(x)
    return x


@pytest.mark.parametrize("n", [1, 5])
def test_sequential_is_one_node_with_the_layers_values_and_gradients(n):
    model = _model()
    x = rg.Tensor(np.random.default_rng(1).standard_normal((n, 4)).astype(np.float32),
                  requires_grad=True)
    y = model(x)
    assert isinstance(y._op, Chain) and y._op.name == \
        "Chain(Linear → ReLU → Linear → Tanh → Linear → Sigmoid)"
    (y * y).sum().backward()
    fused = [p.grad.numpy().copy() for p in model.parameters()] + [x.grad.numpy().copy()]
    model.zero_grad()
    x.grad = None
    y2 = _layer_by_layer(model, x)
    assert isinstance(y2._op, A.Sigmoid)
    (y2 * y2).sum().backward()
    unfused = [p.grad.numpy() for p in model.parameters()] + [x.grad.numpy()]
    np.testing.assert_array_equal(y.numpy(), y2.numpy())   # the same ops, the same floats
    for a, b in zip(fused, unfused):
        np.testing.assert_array_equal(a, b)


def test_frozen_layers_and_inputs_without_grad_get_no_gradient():
    model = _model()
    for p in model[0].parameters():
        p.requires_grad = False
    x = rg.Tensor(np.ones((2, 4), np.float32))
    model(x).sum().backward()
    assert model[0].weight.grad is None and model[0].bias.grad is None and x.grad is None
    assert model[2].weight.grad is not None and model[4].bias.grad is not None


def test_a_layer_used_twice_accumulates_both_gradients():
    rg.manual_seed(0)
    lin = nn.Linear(3, 3)
    x = rg.Tensor(np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32))
    nn.Sequential(lin, nn.Tanh(), lin).forward(x).sum().backward()
    fused = lin.weight.grad.numpy().copy()
    lin.zero_grad()
    lin(F.tanh(lin(x))).sum().backward()
    np.testing.assert_allclose(fused, lin.weight.grad.numpy(), rtol=1e-6)


def test_subclasses_and_other_modules_run_as_themselves():
    calls = []

    class Logged(nn.Linear):
        def forward(self, x):
            calls.append(x.shape)
            return super().forward(x)

    rg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), Logged(4, 4), nn.Dropout(0.5),
                          nn.Linear(4, 2), nn.Tanh())
    y = model(np.ones((3, 4), np.float32))
    assert calls == [(3, 4)]             # its own forward ran
    assert isinstance(y._op, Chain)      # Linear → Tanh after the dropout: a chain
    assert y.shape == (3, 2)


def test_bad_input_is_refused_by_the_layer_that_cannot_take_it():
    model = _model()
    with pytest.raises(ValueError, match=r"Linear\(in_features=4.*5 features, expected 4"):
        model(np.ones((2, 5), np.float32))


def test_anomaly_mode_keeps_one_node_per_layer_to_name_the_op():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1))
    with detect_anomaly():
        y = model(np.ones((1, 2), np.float32))
    assert isinstance(y._op, LinearOp)


def test_no_grad_forward_builds_no_graph():
    model = _model()
    with rg.no_grad():
        y = model(np.ones((2, 4), np.float32))
    assert y._op is None and not y.requires_grad
