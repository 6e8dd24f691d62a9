"""retrograd.keras.random and retrograd.keras.config: Keras 3's signatures, with
real Keras 3 (PyTorch backend) as the oracle of shapes, dtypes and ranges (the
numbers themselves are retrograd's, reproducible by seed)."""
import os

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras as rk
from retrograd.keras import config, random

os.environ["KERAS_BACKEND"] = "torch"
try:
    import keras
    if keras.config.backend() != "torch":
        keras = None
except ImportError:
    keras = None
needs_keras = pytest.mark.skipif(keras is None, reason="real Keras 3 on its PyTorch backend "
                                 "is the oracle of these shapes and dtypes")


def _dtype(t):
    return str(t.dtype).replace("torch.", "")


DRAWS = [
    ("normal", lambda r: r.normal((3, 4), mean=1.0, stddev=2.0, seed=1)),
    ("normal_f64", lambda r: r.normal((2,), dtype="float64", seed=1)),
    ("uniform", lambda r: r.uniform((5, 2), minval=-1.0, maxval=3.0, seed=2)),
    ("randint", lambda r: r.randint((4, 3), 2, 7, seed=3)),
    ("randint_int64", lambda r: r.randint((4,), 0, 3, dtype="int64", seed=3)),
    ("truncated_normal", lambda r: r.truncated_normal((100,), stddev=0.5, seed=4)),
]


@needs_keras
@pytest.mark.parametrize("name, draw", DRAWS, ids=[d[0] for d in DRAWS])
def test_shapes_and_dtypes_match_keras(name, draw):
    mine, theirs = draw(random), draw(keras.random)
    assert isinstance(mine, rg.Tensor)
    assert tuple(mine.shape) == tuple(theirs.shape), name
    assert _dtype(mine) == _dtype(theirs), name


def test_ranges():
    u = random.uniform((10000,), minval=-1.0, maxval=3.0, seed=0).array
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.05
    n = random.normal((10000,), mean=1.0, stddev=2.0, seed=0).array
    assert abs(n.mean() - 1) < 0.1 and abs(n.std() - 2) < 0.1
    i = random.randint((10000,), 2, 7, seed=0).array
    assert set(np.unique(i)) == {2, 3, 4, 5, 6}
    t = random.truncated_normal((10000,), mean=1.0, stddev=0.5, seed=0).array
    assert np.all(np.abs(t - 1) <= 1.0) and t.std() < 0.5


def test_seeds():
    a = random.normal((5,), seed=7).array
    assert np.array_equal(a, random.normal((5,), seed=7).array)       # an int: same numbers
    g1, g2 = random.SeedGenerator(3), random.SeedGenerator(3)
    b1, b2 = random.normal((5,), seed=g1).array, random.normal((5,), seed=g1).array
    assert not np.array_equal(b1, b2)                                   # it advances
    assert np.array_equal(b1, random.normal((5,), seed=g2).array)       # same sequence
    rk.utils.set_random_seed(11)
    c = random.uniform((5,)).array
    rk.utils.set_random_seed(11)
    assert np.array_equal(c, random.uniform((5,)).array)               # None: the global seed
    with pytest.raises(TypeError, match=r"keras\.random\.normal: seed must be"):
        random.normal((2,), seed="x")
    with pytest.raises(ValueError, match=r"keras\.random\.uniform: dtype must be a float"):
        random.uniform((2,), dtype="int32")


def test_shuffle_permutes_along_an_axis_and_passes_gradients():
    x = rg.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4), requires_grad=True)
    y = random.shuffle(x, axis=1, seed=0)
    assert tuple(y.shape) == (3, 4)
    assert np.array_equal(np.sort(y.array, axis=1), x.array)
    assert not np.array_equal(y.array, x.array)
    (y * rg.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4))).sum().backward()
    np.testing.assert_array_equal(np.sort(x.grad.array, axis=1), x.array)


def test_dropout():
    x = rg.tensor(np.ones((200, 50), dtype=np.float32), requires_grad=True)
    y = random.dropout(x, 0.25, seed=0)
    values = np.unique(y.array)
    np.testing.assert_allclose(values, [0, 1 / 0.75], rtol=1e-6)
    assert abs((y.array == 0).mean() - 0.25) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, y.array)   # ∂/∂x = the mask
    shared = random.dropout(x, 0.5, noise_shape=(1, 50), seed=0).array
    assert np.all(shared == shared[0])                  # one mask for every row
    with pytest.raises(ValueError, match=r"keras\.random\.dropout: rate"):
        random.dropout(x, 1.0)


@needs_keras
def test_config_matches_keras_defaults():
    assert config.floatx() == keras.config.floatx() == "float32"
    assert config.epsilon() == keras.config.epsilon()
    assert config.image_data_format() == keras.config.image_data_format()


def test_config_setters():
    config.set_floatx("float32")
    with pytest.raises(ValueError, match=r"set_floatx: only 'float32'"):
        config.set_floatx("float64")
    config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match=r"only 'channels_last'"):
        config.set_image_data_format("channels_first")
    assert config.backend() == "numpy"
    config.enable_unsafe_deserialization()
    old = config.epsilon()
    try:
        config.set_epsilon(1e-3)
        assert config.epsilon() == 1e-3
        # the cross-entropies clip with it: log(1e-3) for a zero probability
        loss = rk.ops.nn.binary_crossentropy(np.array([1.0]), np.array([0.0]))
        np.testing.assert_allclose(loss.array, [-np.log(1e-3)], rtol=1e-5)
        loss = rk.losses.BinaryCrossentropy()(np.array([[1.0]]), np.array([[0.0]]))
        np.testing.assert_allclose(float(loss.item()), -np.log(1e-3), rtol=1e-5)
    finally:
        config.set_epsilon(old)
    assert config.epsilon() == 1e-7
    with pytest.raises(ValueError, match=r"set_epsilon: expected a number"):
        config.set_epsilon(-1)


def test_reachable_from_retrograd_keras():
    assert rk.random is random and rk.config is config
