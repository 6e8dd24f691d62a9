"""Activations: gradcheck (float64), forward mode, PyTorch parity, the course's claims."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import nn
from retrograd.nn import functional as F
from harness import check_grad, check_jvp, compare_torch, torch

TF = torch.nn.functional if torch is not None else None

# (name, retrograd function, PyTorch function, how to scale the random input)
CASES = [
    ("sigmoid", F.sigmoid, lambda x: torch.sigmoid(x), 3),
    ("sigmoid_a", lambda x: F.sigmoid(x, a=2.5), lambda x: torch.sigmoid(2.5 * x), 3),
    ("tanh", F.tanh, lambda x: torch.tanh(x), 3),
    ("relu", F.relu, lambda x: TF.relu(x), 3),
    ("relu6", F.relu6, lambda x: TF.relu6(x), 5),
    ("leaky_relu", F.leaky_relu, lambda x: TF.leaky_relu(x), 3),
    ("leaky_relu_0.2", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2), 3),
    ("elu", F.elu, lambda x: TF.elu(x), 3),
    ("elu_0.5", lambda x: F.elu(x, 0.5), lambda x: TF.elu(x, 0.5), 3),
    ("selu", F.selu, lambda x: TF.selu(x), 3),
    ("gelu", F.gelu, lambda x: TF.gelu(x), 3),
    ("gelu_tanh", lambda x: F.gelu(x, "tanh"), lambda x: TF.gelu(x, approximate="tanh"), 3),
    ("silu", F.silu, lambda x: TF.silu(x), 3),
    ("softplus", F.softplus, lambda x: TF.softplus(x), 3),
    ("softplus_beta", lambda x: F.softplus(x, beta=2.0, threshold=5.0),
     lambda x: TF.softplus(x, beta=2.0, threshold=5.0), 6),
    ("hardtanh", F.hardtanh, lambda x: TF.hardtanh(x), 2),
    ("hardsigmoid", F.hardsigmoid, lambda x: TF.hardsigmoid(x), 5),
    ("hardswish", F.hardswish, lambda x: TF.hardswish(x), 5),
    ("softsign", F.softsign, lambda x: TF.softsign(x), 3),
    ("mish", F.mish, lambda x: TF.mish(x), 3),
    ("logsigmoid", F.logsigmoid, lambda x: TF.logsigmoid(x), 3),
    ("softmax", lambda x: F.softmax(x, dim=1), lambda x: TF.softmax(x, dim=1), 3),
    ("log_softmax", lambda x: F.log_softmax(x, dim=0), lambda x: TF.log_softmax(x, dim=0), 3),
    ("rrelu_eval", F.rrelu, lambda x: TF.rrelu(x, training=False), 3),
]
IDS = [c[0] for c in CASES]


def _x(scale, shape=(3, 5), seed=0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    # keep finite differences away from the kinks (0, ±1, ±3, 6, thresholds)
    for k in (0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 2.5):
        x[np.abs(x - k) < 1e-3] += 0.01
    return x


@pytest.mark.parametrize("name,f,ft,scale", CASES, ids=IDS)
def test_gradcheck_and_forward_mode(name, f, ft, scale):
    x = _x(scale)
    check_grad(f, x)
    check_jvp(f, x)


@pytest.mark.parametrize("name,f,ft,scale", CASES, ids=IDS)
def test_matches_pytorch(name, f, ft, scale):
    compare_torch(f, ft, _x(scale, seed=1))


@pytest.mark.parametrize("name,f,ft,scale", CASES, ids=IDS)
def test_float32_stays_float32(name, f, ft, scale):
    x = rg.tensor(_x(scale).astype(np.float32), requires_grad=True)
    y = f(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@settings(max_examples=10, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       case=st.sampled_from([c for c in CASES if c[0] not in ("softmax", "log_softmax")]))
def test_gradcheck_any_shape(shape, case):
    _, f, _, scale = case
    check_grad(f, _x(scale, tuple(shape), seed=len(shape)))


def test_prelu_shared_and_per_channel():
    x = _x(2, (4, 3, 2))
    shared = np.array([0.3])
    per_channel = np.array([0.1, 0.25, -0.2])
    for w in (shared, per_channel):
        check_grad(F.prelu, x, w)
        check_jvp(F.prelu, x, w)
        compare_torch(F.prelu, TF.prelu, x, w)


def test_prelu_channel_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="PReLU has 4 slopes.*3 channels"):
        F.prelu(rg.randn(2, 3), rg.tensor([0.1, 0.2, 0.3, 0.4]))


def test_heaviside_values_and_zero_gradient():
    x = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    y = F.heaviside(rg.tensor(x))
    np.testing.assert_array_equal(y.numpy(), [0, 0, 1, 1, 1])    # H(0) = 1, as the course
    np.testing.assert_array_equal(
        y.numpy(), torch.heaviside(torch.tensor(x), torch.tensor(1.0, dtype=torch.float64)).numpy())
    t = rg.tensor(x, requires_grad=True)
    F.heaviside(t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), 0)
    check_grad(F.heaviside, _x(1))


def test_sigmoid_with_slope_tends_to_heaviside():
    """The course: as a grows, σ_a approaches the Heaviside step."""
    z = np.concatenate([np.linspace(-5, -0.1, 50), np.linspace(0.1, 5, 50)])
    step = (z >= 0).astype(float)
    errors = [np.abs(F.sigmoid(rg.tensor(z), a=a).numpy() - step).max()
              for a in (0.1, 1, 10, 100)]
    assert all(e1 > e2 for e1, e2 in zip(errors, errors[1:])), errors
    assert errors[0] > 0.45 and errors[-1] < 1e-4, errors


def test_sigmoid_slope_linear_regime_is_half_plus_az_over_4():
    """Near 0, σ_a(z) ≈ ½ + az/4 (the slides' "σ(x) ≈ ax" forgets the ½ and the ¼)."""
    z = np.linspace(-0.01, 0.01, 11)
    for a in (1.0, 10.0):
        err = np.abs(F.sigmoid(rg.tensor(z), a=a).numpy() - (0.5 + a * z / 4))
        assert np.all(err <= np.abs(a * z) ** 3 / 48 + 1e-12)   # the next Taylor term


def test_sigmoid_and_tanh_saturate_without_overflow():
    x = rg.tensor([-1e4, 1e4], dtype="float32")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(F.sigmoid(x).numpy(), [0, 1])
        np.testing.assert_array_equal(F.tanh(x).numpy(), [-1, 1])
        np.testing.assert_array_equal(F.elu(x).numpy(), [-1, 1e4])
        np.testing.assert_allclose(F.softplus(x).numpy(), [0, 1e4])
        np.testing.assert_allclose(F.logsigmoid(x).numpy(), [-1e4, 0])


def test_tanh_is_the_ratio_with_a_sum_in_the_denominator():
    z = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(F.tanh(rg.tensor(z)).numpy(),
                               (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)))


def test_rrelu_is_deterministic_in_eval_and_random_in_training():
    layer = nn.RReLU(0.1, 0.3, generator=np.random.default_rng(0))
    x = rg.tensor(-np.ones((50, 40)))
    layer.eval()
    a, b = layer(x).numpy(), layer(x).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, -0.2)                     # the mean slope (lower+upper)/2
    layer.train()
    c, d = layer(x).numpy(), layer(x).numpy()
    assert not np.array_equal(c, d)
    slopes = -c
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    pos = rg.tensor(np.ones(5))
    np.testing.assert_array_equal(layer(pos).numpy(), 1)    # positives untouched


def test_rrelu_training_gradient_is_the_drawn_slope():
    x = _x(1)
    check_grad(lambda t: F.rrelu(t, training=True, generator=3), x)


def test_activation_modules_match_functions_and_print_like_pytorch():
    x = rg.tensor(_x(2))
    pairs = [(nn.ReLU(), F.relu), (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh),
             (nn.LeakyReLU(0.2), lambda t: F.leaky_relu(t, 0.2)), (nn.ELU(), F.elu),
             (nn.SELU(), F.selu), (nn.GELU(), F.gelu), (nn.SiLU(), F.silu),
             (nn.Softplus(), F.softplus), (nn.Hardsigmoid(), F.hardsigmoid),
             (nn.Hardswish(), F.hardswish), (nn.Hardtanh(), F.hardtanh),
             (nn.ReLU6(), F.relu6), (nn.Softsign(), F.softsign), (nn.Mish(), F.mish),
             (nn.LogSigmoid(), F.logsigmoid), (nn.Softmax(dim=-1), F.softmax),
             (nn.LogSoftmax(dim=-1), F.log_softmax), (nn.Heaviside(), F.heaviside),
             (nn.Sigmoid(a=3.0), lambda t: F.sigmoid(t, 3.0))]
    for module, fn in pairs:
        np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())
        assert list(module.parameters()) == []
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.PReLU(3)) == "PReLU(num_parameters=3)"


def test_keras_names_resolve_with_keras_defaults():
    x = rg.tensor(_x(2))
    get = nn.activations.get
    np.testing.assert_array_equal(get("relu")(x).numpy(), F.relu(x).numpy())
    np.testing.assert_array_equal(get("leaky_relu")(x).numpy(),
                                  F.leaky_relu(x, 0.2).numpy())   # Keras default slope 0.2
    np.testing.assert_array_equal(get("swish")(x).numpy(), get("silu")(x).numpy())
    np.testing.assert_array_equal(get("exponential")(x).numpy(), np.exp(x.numpy()))
    np.testing.assert_allclose(get("softmax")(x).numpy().sum(-1), 1, rtol=1e-6)
    assert get(None)(x) is x and get("linear")(x) is x
    assert get(F.tanh) is F.tanh
    np.testing.assert_allclose(get("relu")(x, max_value=0.5).numpy(),
                               np.minimum(np.maximum(x.numpy(), 0), 0.5))
    for name in ("linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "softplus",
                 "gelu", "silu", "swish", "hard_sigmoid", "leaky_relu", "exponential",
                 "relu6", "softsign", "mish", "log_softmax", "heaviside"):
        assert get(name)(x).shape == x.shape, name
    assert nn.activations.serialize(get("tanh")) == "tanh"


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'rleu'.*relu.*sigmoid.*tanh"):
        nn.activations.get("rleu")
    with pytest.raises(ValueError, match="unknown activation"):
        nn.Dense(3, activation="sofmax")
    with pytest.raises(TypeError, match="activation must be a name or a callable"):
        nn.Activation(3)


def test_activation_layer_accepts_names_and_functions():
    x = rg.tensor(_x(2))
    np.testing.assert_array_equal(nn.Activation("softmax")(x).numpy(), F.softmax(x).numpy())
    np.testing.assert_array_equal(nn.Activation(F.elu)(x).numpy(), F.elu(x).numpy())
    assert repr(nn.Activation("softmax")) == "Activation('softmax')"


@pytest.mark.parametrize("name,f,ft,scale", [c for c in CASES if "softmax" not in c[0]],
                         ids=[c[0] for c in CASES if "softmax" not in c[0]])
def test_scalar_input(name, f, ft, scale):
    x = rg.tensor(0.7, requires_grad=True)
    y = f(x)
    assert y.shape == ()
    y.backward()
    xt = torch.tensor(0.7, dtype=torch.float32, requires_grad=True)
    ft(xt).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5)


def test_an_option_the_activation_does_not_take_is_refused_when_built():
    with pytest.raises(TypeError, match="Softsign: .*inplace"):
        nn.Softsign(inplace=True)          # PyTorch's Softsign takes no inplace either
