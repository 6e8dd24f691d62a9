"""Initialisers: the variances of the course's Glorot and He schemes, Keras and PyTorch
semantics, reproducibility, bad names."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.nn import init

FAN_IN = FAN_OUT = 1000


def _empty(*shape):
    return nn.Parameter(np.empty(shape, dtype=np.float32))


@pytest.mark.parametrize("make,expected", [
    (lambda: init.get("glorot_uniform")((FAN_IN, FAN_OUT)), 2 / (FAN_IN + FAN_OUT)),
    (lambda: init.get("glorot_normal")((FAN_IN, FAN_OUT)), 2 / (FAN_IN + FAN_OUT)),
    (lambda: init.get("he_uniform")((FAN_IN, FAN_OUT)), 2 / FAN_IN),
    (lambda: init.get("he_normal")((FAN_IN, FAN_OUT)), 2 / FAN_IN),
    (lambda: init.get("lecun_normal")((FAN_IN, FAN_OUT)), 1 / FAN_IN),
    (lambda: init.xavier_uniform_(_empty(FAN_OUT, FAN_IN)), 2 / (FAN_IN + FAN_OUT)),
    (lambda: init.xavier_normal_(_empty(FAN_OUT, FAN_IN)), 2 / (FAN_IN + FAN_OUT)),
    (lambda: init.kaiming_uniform_(_empty(FAN_OUT, FAN_IN), nonlinearity="relu"), 2 / FAN_IN),
    (lambda: init.he_normal_(_empty(FAN_OUT, FAN_IN)), 2 / FAN_IN),
    (lambda: init.lecun_uniform_(_empty(FAN_OUT, FAN_IN)), 1 / FAN_IN),
], ids=["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
        "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "he_normal_", "lecun_uniform_"])
def test_empirical_variance_within_2_percent(make, expected):
    w = make().numpy()
    assert w.shape == (1000, 1000) and w.dtype == np.float32
    assert abs(w.mean()) < 0.01 * np.sqrt(expected)
    assert abs(w.var() / expected - 1) < 0.02, (w.var(), expected)


def test_fans_follow_each_layout():
    """Keras kernels are (in, out); PyTorch weights are (out, in)."""
    keras = init.get("he_normal")((600, 200)).numpy()            # fan_in = 600
    torch_style = init.kaiming_normal_(_empty(200, 600), nonlinearity="relu").numpy()
    for w in (keras, torch_style):
        assert abs(w.var() / (2 / 600) - 1) < 0.03


def test_keras_normals_are_truncated_at_two_sigma():
    for name, var in (("glorot_normal", 2 / 400), ("he_normal", 2 / 200)):
        w = init.get(name)((200, 200)).numpy()
        sigma = np.sqrt(var) / init.TRUNCATED_STD
        assert np.abs(w).max() <= 2 * sigma * (1 + 1e-6)
    w = init.get("truncated_normal")((100, 100)).numpy()
    assert np.abs(w).max() <= 0.1 + 1e-7                         # Keras: stddev 0.05, cut at 2σ
    t = init.trunc_normal_(_empty(50, 50), mean=1.0, std=2.0, a=0.0, b=1.5)
    assert t.numpy().min() >= 0 and t.numpy().max() <= 1.5


def test_simple_initialisers():
    assert np.all(init.get("zeros")((3, 2)).numpy() == 0)
    assert np.all(init.get("ones")((3,)).numpy() == 1)
    np.testing.assert_array_equal(init.get("constant")((2,)).numpy(), 0)
    np.testing.assert_array_equal(init.Constant(0.5)((2,)).numpy(), 0.5)
    u = init.get("random_uniform")((100, 100)).numpy()
    assert u.min() >= -0.05 and u.max() <= 0.05
    n = init.get("random_normal")((300, 300)).numpy()
    assert abs(n.std() - 0.05) < 0.002
    t = _empty(3, 4)
    init.constant_(t, 2.0)
    assert np.all(t.numpy() == 2)
    init.zeros_(t)
    assert np.all(t.numpy() == 0)
    init.ones_(t)
    assert np.all(t.numpy() == 1)
    init.uniform_(t, -3, -2)
    assert t.numpy().max() <= -2 and t.numpy().min() >= -3
    init.normal_(t, 5.0, 0.0)
    assert np.all(t.numpy() == 5)


def test_orthogonal():
    for shape in ((30, 30), (20, 50), (50, 20)):
        w = init.get("orthogonal")(shape).numpy().astype(np.float64)
        small = min(shape)
        gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
        np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)
    t = init.orthogonal_(_empty(20, 40), gain=2.0).numpy().astype(np.float64)
    np.testing.assert_allclose(t @ t.T, 4 * np.eye(20), atol=1e-4)


def test_gain():
    assert init.calculate_gain("relu") == pytest.approx(np.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(np.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_generators_and_manual_seed_make_draws_reproducible():
    a = init.get("glorot_uniform")((5, 4), generator=np.random.default_rng(3)).numpy()
    b = init.get("glorot_uniform")((5, 4), generator=np.random.default_rng(3)).numpy()
    np.testing.assert_array_equal(a, b)
    c = init.xavier_normal_(_empty(4, 5), generator=7).numpy()
    d = init.xavier_normal_(_empty(4, 5), generator=7).numpy()
    np.testing.assert_array_equal(c, d)
    rg.manual_seed(11)
    m1 = [p.numpy().copy() for p in nn.Linear(3, 2).parameters()] + \
        [nn.Dense(2)(rg.ones(1, 3)).numpy()]
    rg.manual_seed(11)
    m2 = [p.numpy().copy() for p in nn.Linear(3, 2).parameters()] + \
        [nn.Dense(2)(rg.ones(1, 3)).numpy()]
    for x, y in zip(m1, m2):
        np.testing.assert_array_equal(x, y)
    seeded = init.GlorotNormal(seed=4)
    np.testing.assert_array_equal(seeded((3, 3)).numpy(), seeded((3, 3)).numpy())
    assert not np.array_equal(init.get("glorot_normal")((3, 3)).numpy(),
                              init.get("glorot_normal")((3, 3)).numpy())


def test_get_accepts_names_classes_configs_and_callables():
    assert isinstance(init.get("HeNormal"), init.HeNormal)
    assert isinstance(init.get({"class_name": "VarianceScaling",
                                "config": {"scale": 2.0, "mode": "fan_out"}}),
                      init.VarianceScaling)
    fn = lambda shape, dtype=None, generator=None: rg.zeros(*shape)  # noqa: E731
    assert init.get(fn) is fn


def test_unknown_initializer_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown initializer 'xavier'; valid names: "
                                         ".*glorot_normal.*he_uniform.*zeros"):
        init.get("xavier")
    with pytest.raises(ValueError, match="VarianceScaling: mode must be one of"):
        init.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(_empty(5))


def test_every_initialiser_accepts_a_generator():
    g = np.random.default_rng(0)
    for fn in (init.uniform_, init.normal_, init.trunc_normal_, init.xavier_uniform_,
               init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_,
               init.lecun_uniform_, init.lecun_normal_, init.glorot_uniform_,
               init.glorot_normal_, init.he_uniform_, init.he_normal_, init.orthogonal_,
               init.zeros_, init.ones_):
        assert fn(_empty(3, 4), generator=g).shape == (3, 4)
    assert init.constant_(_empty(2), 3.0, generator=g).numpy().tolist() == [3, 3]
    for name in init.names():
        if name != "identity":
            assert init.get(name)((3, 4), generator=g).shape == (3, 4), name
