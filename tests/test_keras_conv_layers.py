"""Keras's convolution, pooling and padding layers against real Keras 3 (PyTorch
backend): the same output shapes (eager and symbolic), parameter counts and summary
rows, and the same predictions once the weights of the real Keras model are copied
in with set_weights; plus configs, errors and training through the layers."""
import os

import numpy as np
import pytest

import retrograd.keras as rk
from retrograd.keras import layers as rl

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is the oracle of these layers "
                            "(pip install keras; it runs on the PyTorch backend)")
if keras.config.backend() != "torch":
    pytest.skip(f"Keras was imported with backend {keras.config.backend()!r} before this "
                "module set KERAS_BACKEND=torch", allow_module_level=True)

# (layer class name, arguments, input shape without the batch axis)
CASES = [
    ("Conv2D", {"filters": 4, "kernel_size": 3}, (7, 6, 2)),
    ("Conv2D", {"filters": 4, "kernel_size": (2, 3), "strides": 2, "padding": "same",
     "activation": "relu"}, (7, 6, 3)),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same", "dilation_rate": 2,
     "use_bias": False}, (6, 7, 2)),
    ("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 2, "strides": (1, 2)}, (6, 7, 4)),
    ("Conv2D", {"filters": 3, "kernel_size": 2, "data_format": "channels_first"}, (2, 5, 6)),
    ("Conv1D", {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, (9, 2)),
    ("Conv1D", {"filters": 4, "kernel_size": 4, "strides": 3, "padding": "same"}, (10, 2)),
    ("Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
     (4, 5, 2)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2}, (3, 4, 3)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "padding": "valid"}, (3, 4, 2)),
    ("MaxPooling2D", {}, (7, 6, 3)),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (7, 6, 2)),
    # "same" average pooling with a symmetric pad: every backend divides by the cells
    # inside the input. (With an asymmetric pad Keras's PyTorch backend pads by
    # replicating the edge and averages the copies, unlike its TensorFlow and JAX
    # backends; retrograd follows those.)
    ("AveragePooling2D", {"pool_size": 3, "strides": 1, "padding": "same"}, (5, 7, 2)),
    ("AveragePooling2D", {"pool_size": 2, "strides": 1}, (4, 5, 2)),
    ("MaxPool2D", {"pool_size": 2, "data_format": "channels_first"}, (2, 5, 6)),
    ("MaxPooling1D", {"pool_size": 2}, (7, 3)),
    ("AveragePooling1D", {"pool_size": 3, "strides": 1, "padding": "same"}, (8, 2)),
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (8, 2)),
    ("GlobalAveragePooling2D", {}, (4, 5, 3)),
    ("GlobalMaxPooling2D", {"keepdims": True}, (4, 5, 3)),
    ("GlobalAveragePooling1D", {}, (6, 3)),
    ("GlobalMaxPooling1D", {}, (6, 3)),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 3))}, (3, 4, 2)),
    ("ZeroPadding2D", {}, (3, 4, 2)),
]


def _pair_of_models(name, kw, shape):
    theirs = keras.Sequential([keras.Input(shape), getattr(keras.layers, name)(**kw)])
    ours = rk.Sequential([rk.Input(shape), getattr(rl, name)(**kw)])
    return ours, theirs


@pytest.mark.parametrize("name,kw,shape", CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                      enumerate(CASES)])
def test_layer_matches_keras(name, kw, shape):
    ours, theirs = _pair_of_models(name, kw, shape)
    lo, lt = ours.layers[-1], theirs.layers[-1]
    assert tuple(lo.output_shape) == tuple(lt.output.shape)
    assert lo.count_params() == lt.count_params()
    assert [w.shape for w in lo.get_weights()] == [w.shape for w in lt.get_weights()]
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.standard_normal(w.shape).astype(np.float32)
                        for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    x = rng.standard_normal((2,) + shape).astype(np.float32)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)
    # A symbolic call with unknown spatial sizes: the same output shape.
    unknown = tuple(None if i < len(shape) - 1 else d for i, d in enumerate(shape)) \
        if kw.get("data_format") != "channels_first" else (shape[0],) + (None,) * (len(shape) - 1)
    st = getattr(keras.layers, name)(**kw)(keras.Input(unknown))
    so = getattr(rl, name)(**kw)(rk.Input(unknown))
    assert tuple(so.shape) == tuple(st.shape)
    # The configuration round-trips.
    config = lo.get_config()
    again = type(lo).from_config(config)
    assert again.get_config() == config
    for key in lt.get_config():
        if key not in ("dtype", "kernel_initializer", "bias_initializer", "name",
                       "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                       "kernel_constraint", "bias_constraint", "lora_rank", "lora_alpha",
                       "quantization_config", "synchronized"):
            assert key in config, key
            assert _plain(config[key]) == _plain(lt.get_config()[key]), key


def _plain(v):
    return [_plain(e) for e in v] if isinstance(v, (list, tuple)) else v


def test_mnist_convnet_summary_and_predictions_match_keras():
    """Keras's MNIST convnet example: the same summary rows (output shapes, parameter
    counts), the same predictions from the same weights."""
    def build(k):
        L = k.layers
        return k.Sequential([k.Input((28, 28, 1)), L.Conv2D(32, (3, 3), activation="relu"),
                             L.MaxPooling2D((2, 2)), L.Conv2D(64, (3, 3), activation="relu"),
                             L.MaxPooling2D((2, 2)), L.Flatten(), L.Dropout(0.5),
                             L.Dense(10, activation="softmax")])
    ours, theirs = build(rk), build(keras)
    rows = [(tuple(l.output_shape), l.count_params()) for l in ours.layers]
    assert rows == [(tuple(l.output.shape), l.count_params()) for l in theirs.layers]
    assert ours.count_params() == theirs.count_params() == 34826
    ours.set_weights(theirs.get_weights())
    x = np.random.default_rng(1).random((3, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-6)


def test_training_through_conv_layers_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 8, 8, 1)).astype(np.float32)
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype(np.int64)
    L = rl
    model = rk.Sequential([rk.Input((8, 8, 1)), L.Conv2D(4, 3, padding="same",
                                                          activation="relu"),
                           L.AveragePooling2D(), L.Conv2D(4, 3, activation="tanh"),
                           L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax")])
    model.compile(optimizer=rk.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    h = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < 0.8 * h.history["loss"][0]


def test_errors():
    with pytest.raises(ValueError, match="filters=0"):
        rl.Conv2D(0, 3)
    with pytest.raises(ValueError, match="padding='full'"):
        rl.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="groups=2"):
        rl.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match=r"dilation_rate > 1"):
        rl.Conv2D(3, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="kernel_constraint"):
        rl.Conv2D(3, 3, kernel_constraint="no_such_constraint")
    with pytest.raises(ValueError, match=r"\(None, 5, 5, 3\)"):
        rl.Conv2D(4, 3, groups=2)(rk.Input((5, 5, 3)))
    with pytest.raises(ValueError, match="rank 4"):
        rl.Conv2D(4, 3)(rk.Input((5, 3)))
    with pytest.raises(ValueError, match="negative or zero"):
        rl.Conv2D(4, 7)(np.zeros((1, 5, 5, 1), np.float32))
    with pytest.raises(ValueError, match="data_format"):
        rl.MaxPooling2D(data_format="nhwc")
    with pytest.raises(ValueError, match="padding"):
        rl.ZeroPadding2D(padding=(1, 2, 3))


def test_model_with_conv_layers_saves_and_loads(tmp_path):
    L = rl
    model = rk.Sequential([rk.Input((12, 12, 2)), L.ZeroPadding2D(1),
                           L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
                           L.MaxPooling2D(), L.Conv2DTranspose(3, 3, strides=2, padding="same"),
                           L.AveragePooling2D(), L.GlobalMaxPooling2D(), L.Dense(2)])
    x = np.random.default_rng(0).random((3, 12, 12, 2)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    again = rk.models.load_model(tmp_path / "m.keras")
    assert [type(a).__name__ for a in again.layers] == [type(a).__name__ for a in model.layers]
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
