"""retrograd.keras's BatchNormalization, LayerNormalization, Embedding, Normalization,
Rescaling and SpatialDropout layers against real Keras 3 (PyTorch backend): summary
rows and parameter counts, predictions after set_weights, every weight (moving
statistics included) after a few SGD steps of fit on the same data, symbolic output
shapes, configurations, and the errors."""
import os

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras as rk
from retrograd.missing import NotSupportedError

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is the oracle of these layers "
                            "(pip install keras; it runs on the PyTorch backend)")
pytest.importorskip("torch", reason="Keras's PyTorch backend needs torch")
if keras.config.backend() != "torch":
    pytest.skip(f"Keras imported with backend {keras.config.backend()!r} before this module "
                "set KERAS_BACKEND=torch", allow_module_level=True)

R = np.random.default_rng(0)


def _summary(model):
    lines = []
    model.summary(print_fn=lambda line, *a, **k: lines.append(line))
    text = "\n".join(lines)
    # (output shape, param #) per row; names differ (Keras numbers them process-wide)
    rows = [[c.strip() for c in line.split("│")[2:-1]] for line in text.splitlines()
            if line.startswith("│")]
    totals = [line.strip() for line in text.splitlines() if "params:" in line]
    return rows, totals


def _sgd(K, lr=0.1):
    return K.optimizers.SGD(lr)


def _parity(make, x, y, loss="mse", epochs=2, rtol=2e-5, atol=2e-6):
    """The same model in both libraries: summary, predictions after set_weights, every
    weight after fit (the non-trainable ones too), and predict/evaluate leave the
    weights alone. Returns (real model, ours)."""
    theirs, ours = make(keras), make(rk)
    assert _summary(ours) == _summary(theirs)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=rtol, atol=atol)
    for m, K in ((theirs, keras), (ours, rk)):
        m.compile(optimizer=_sgd(K), loss=loss)
        m.fit(x, y, batch_size=8, epochs=epochs, verbose=0, shuffle=False)
    for a, b in zip(theirs.get_weights(), ours.get_weights()):
        np.testing.assert_allclose(b, a, rtol=rtol, atol=atol)
    before = [w.copy() for w in ours.get_weights()]
    ours.predict(x, verbose=0)
    ours.evaluate(x, y, verbose=0)
    for a, b in zip(before, ours.get_weights()):
        np.testing.assert_array_equal(a, b)
    return theirs, ours


def test_batch_and_layer_normalization_train_like_keras():
    x = (R.standard_normal((16, 4, 4, 3)) * 2 + 1).astype(np.float32)
    y = R.standard_normal((16, 2)).astype(np.float32)

    def make(K):
        L = K.layers
        return K.Sequential([K.Input((4, 4, 3)), L.BatchNormalization(momentum=0.9),
                             L.LayerNormalization(axis=[2, 3]), L.Flatten(), L.Dense(2)])
    theirs, ours = _parity(make, x, y)
    bn = ours.layers[0]
    assert [n for n, _ in bn.named_weights()] == ["gamma", "beta", "moving_mean",
                                                  "moving_variance"]
    assert [w.shape for w in bn.trainable_weights] == [(3,), (3,)]
    assert len(bn.non_trainable_weights) == 2
    assert not np.allclose(bn.moving_mean.numpy(), 0)          # fit moved them


def test_batch_normalization_options_like_keras():
    """axis=1 on (N, C, L), no β, a frozen layer (inference mode, as Keras 3), and
    batch normalisation of a Dense layer's output."""
    x = R.standard_normal((16, 3, 5)).astype(np.float32) + 2
    y = R.standard_normal((16, 1)).astype(np.float32)

    def make(K):
        L = K.layers
        return K.Sequential([K.Input((3, 5)), L.BatchNormalization(axis=1, center=False),
                             L.Flatten(), L.Dense(4),
                             L.BatchNormalization(epsilon=0.1, gamma_regularizer="l2"),
                             L.Dense(1)])
    _parity(make, x, y)

    def frozen(K):
        m = make(K)
        m.layers[0].trainable = False
        return m
    theirs, ours = _parity(frozen, x, y)
    assert np.all(ours.layers[0].moving_mean.numpy() == 0)


def test_batch_normalization_training_argument_like_keras():
    """``layer(x, training=True)`` normalises with the batch's statistics and moves the
    moving ones; ``training=False``, or a call outside fit, uses the moving ones."""
    x = (R.standard_normal((6, 2, 3)) * 2 + 1).astype(np.float32)
    theirs, ours = keras.layers.BatchNormalization(momentum=0.5), \
        rk.layers.BatchNormalization(momentum=0.5)
    for training in (True, False, None, True):
        kw = {} if training is None else {"training": training}
        expected = keras.ops.convert_to_numpy(theirs(x, **kw))
        np.testing.assert_allclose(ours(x, **kw).numpy(), expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(ours.moving_variance.numpy(),
                                   keras.ops.convert_to_numpy(theirs.moving_variance),
                                   rtol=1e-6)


def test_layer_normalization_over_leading_axes():
    """Axes that are not the last ones (real Keras's PyTorch backend refuses them, so
    the oracle is the formula): statistics per sample over axes 1 and 2, γ and β of
    their shape, gradients by finite differences."""
    from harness import check_grad
    layer = rk.layers.LayerNormalization(axis=[1, 2], epsilon=0.01)
    x = (R.standard_normal((3, 4, 2, 5)) * 3).astype(np.float32)
    layer.build((None, 4, 2, 5))
    assert [tuple(w.shape) for w in layer.weights] == [(4, 2), (4, 2)]
    gamma, beta = R.standard_normal((4, 2)), R.standard_normal((4, 2))
    layer.set_weights([gamma, beta])
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 0.01) * gamma[:, :, None] + beta[:, :, None]
    np.testing.assert_allclose(layer(rg.tensor(x)).numpy(), expected, rtol=1e-4, atol=1e-5)
    from retrograd.ops.normalization import normalize
    check_grad(lambda x, g, b: normalize(x, (1, 2), (1, 4, 2, 1), g, b, 0.01)[0],
               x[:2], gamma, beta, atol=1e-5, rtol=1e-4)


def test_embedding_trains_like_keras():
    x = R.integers(0, 10, size=(16, 5))
    y = R.standard_normal((16, 1)).astype(np.float32)

    def make(K):
        L = K.layers
        return K.Sequential([K.Input((5,)), L.Embedding(10, 4), L.LayerNormalization(),
                             L.Flatten(), L.Dense(1)])
    theirs, ours = _parity(make, x, y)
    w = rk.layers.Embedding(50, 8)
    w.build()
    assert w.embeddings.shape == (50, 8) and np.abs(w.embeddings.numpy()).max() <= 0.05
    t = rg.tensor(np.array([[1, 1, 3]]))
    emb = rk.layers.Embedding(5, 2, weights=[np.arange(10.0).reshape(5, 2)])
    np.testing.assert_array_equal(emb(t).numpy(), [[[2, 3], [2, 3], [6, 7]]])


def test_normalization_and_rescaling_like_keras():
    data = (R.standard_normal((40, 3)) * [1, 5, 0.1] + [0, 3, -2]).astype(np.float32)
    x = R.standard_normal((8, 3)).astype(np.float32)
    for args in ({}, {"axis": None}, {"invert": True}):
        ours, theirs = rk.layers.Normalization(**args), keras.layers.Normalization(**args)
        ours.adapt(data)
        theirs.adapt(data)
        np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), rtol=1e-5,
                                   atol=1e-5)
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # An iterable of batches, combined batch by batch, gives the whole data's statistics
    # (real Keras needs TensorFlow to adapt on one, so it adapts on the array).
    ours, theirs = rk.layers.Normalization(), keras.layers.Normalization()
    ours.adapt(iter([data[:16], (data[16:], None)]))
    theirs.adapt(data)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    def make(K):
        L = K.layers
        norm = L.Normalization()
        norm.adapt(data)
        return K.Sequential([K.Input((3,)), norm, L.Rescaling(2.0, offset=-1.0),
                             L.Normalization(mean=[1, 2, 3], variance=4.0 * np.ones(3)),
                             L.Dense(2)])
    theirs, ours = make(keras), make(rk)
    assert _summary(ours) == _summary(theirs)                # 3 + 3 + 1 non-trainable
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((6, 5, 5, 40), np.float32)
    layer = rk.layers.SpatialDropout2D(0.5, seed=1)
    assert np.all(layer(rg.tensor(x)).numpy() == x)          # outside fit: inference
    y = layer(rg.tensor(x), training=True).numpy()
    assert np.all(y == y[:, :1, :1, :]) and set(np.unique(y)) == {0.0, 2.0}
    assert 0.3 < (y[:, 0, 0, :] == 0).mean() < 0.7           # 240 channels
    first = rk.layers.SpatialDropout2D(0.5, data_format="channels_first")
    first.train()
    z = first(rg.tensor(x)).numpy()
    assert np.all(z == z[:, :, :1, :1])
    one = rk.layers.SpatialDropout1D(0.5)
    one.train()
    z = one(rg.tensor(np.ones((4, 7, 30), np.float32))).numpy()
    assert np.all(z == z[:, :1, :])
    layer.eval()
    assert np.all(layer(rg.tensor(x)).numpy() == x)
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        rk.layers.SpatialDropout2D(0.5)(rg.ones(2, 3, 4))
    with pytest.raises(ValueError):          # Keras refuses the same input
        keras.layers.SpatialDropout2D(0.5)(np.ones((2, 3, 4), np.float32))


@pytest.mark.parametrize("make,shape", [
    (lambda L: L.BatchNormalization(axis=1), (3, 5)),
    (lambda L: L.LayerNormalization(axis=[1, 2]), (3, 5)),
    (lambda L: L.Embedding(10, 6), (7,)),
    (lambda L: L.Normalization(axis=None), (2, 3)),
    (lambda L: L.Rescaling(0.5), (4, 4, 3)),
    (lambda L: L.SpatialDropout1D(0.1), (6, 3)),
    (lambda L: L.SpatialDropout2D(0.1), (4, 4, 3)),
    (lambda L: L.SpatialDropout3D(0.1), (2, 4, 4, 3)),
])
def test_symbolic_shapes_and_configs_like_keras(make, shape):
    theirs, ours = make(keras.layers), make(rk.layers)
    out_t, out_o = theirs(keras.Input(shape)), ours(rk.Input(shape))
    assert tuple(out_o.shape) == tuple(out_t.shape)
    assert ours.count_params() == theirs.count_params()
    config = ours.get_config()
    keys = set(theirs.get_config()) - {"dtype", "activity_regularizer",
                                       "quantization_config"}
    assert keys <= set(config), keys - set(config)
    again = type(ours).from_config(config)
    assert again.get_config() == config
    assert type(ours).__name__ in rk.layers.CLASSES


def test_layers_on_every_device(device):
    x = (R.standard_normal((8, 2, 2, 3)) + 1).astype(np.float32)
    model = rk.Sequential([rk.Input((2, 2, 3)), rk.layers.BatchNormalization(),
                           rk.layers.LayerNormalization(), rk.layers.Rescaling(0.5)])
    model.to(device)
    model.train()
    y = model(rg.tensor(x, device=device))
    y.sum().backward()
    bn = model.layers[0]
    assert y.device == device and bn.moving_mean.device == device
    assert bn.gamma.grad is not None and bn.gamma.grad.device == device
    emb = rk.layers.Embedding(5, 2)
    emb.build()
    emb.to(device)
    assert emb(rg.tensor(np.array([[0, 4]]), device=device)).device == device
    for norm in (rk.layers.Normalization(), rk.layers.Normalization(mean=1.0, variance=4.0)):
        norm.build((None, 3))
        norm.to(device)
        if norm.input_mean is None:
            norm.adapt(np.array([[0, 1, 2], [2, 3, 4]], np.float32))
        out = norm(rg.tensor(np.ones((2, 3), np.float32), device=device))
        assert out.device == device
        np.testing.assert_allclose(out.numpy(), [[0, -1, -2]] * 2 if norm.input_mean is None
                                   else [[0, 0, 0]] * 2, atol=1e-6)


def test_errors_name_the_layer_and_option():
    with pytest.raises(NotSupportedError, match="renorm=True"):
        rk.layers.BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="synchronized=True is only supported"):
        rk.layers.BatchNormalization(synchronized=True)
    with pytest.raises(ValueError, match="gamma_constraint"):
        rk.layers.LayerNormalization(gamma_constraint="no_such_constraint")
    with pytest.raises(ValueError, match=r"`input_dim` must be a positive integer. "
                                         r"Received: input_dim=0"):
        rk.layers.Embedding(0, 2)
    with pytest.raises(ValueError, match="axis 3 is out of bounds"):
        rk.layers.LayerNormalization(axis=3)(rk.Input((4, 2)))
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        rk.layers.Normalization(mean=1.0)
    with pytest.raises(IndexError, match=r"indices must lie in \[0, 5\)"):
        emb = rk.layers.Embedding(5, 2)
        emb(rg.tensor(np.array([[1, 7]])))
    with pytest.raises(ValueError, match="Invalid value received for argument `rate`"):
        rk.layers.SpatialDropout2D(1.5)
    norm = rk.layers.Normalization()
    norm.adapt(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match="incompatible shape, data.shape=\\(4, 2\\)"):
        norm.adapt(np.ones((4, 2), np.float32))
