"""Keras weight constraints in the layers (``kernel_constraint=MaxNorm(3)`` …) against
Keras 3.15: the projection after each optimizer step in ``fit`` (from Keras's weights,
3 steps), the configs Keras writes and their round trip, ``.keras`` files both ways,
names as strings, and the end of ``fit``'s ``finalize_variable_values`` (EMA)."""
import os

import numpy as np
import pytest

import retrograd.keras as rk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="Keras 3 is the oracle of these tests")


def _data(x_shape, y_shape, integer=False):
    rs = np.random.RandomState(0)
    x = rs.randint(1, 10, size=x_shape) if integer else rs.randn(*x_shape).astype("float32")
    return x, rs.randn(*y_shape).astype("float32")


# name, model builder (K: keras or retrograd.keras), x shape, y shape, integer inputs
def _dense(K):
    return [K.layers.Dense(3, kernel_constraint=K.constraints.MaxNorm(0.5),
                           bias_constraint="non_neg")]


def _conv(K):
    return [K.layers.Conv2D(2, 3, kernel_constraint=K.constraints.MaxNorm(0.5, axis=[0, 1, 2]),
                            bias_constraint=K.constraints.NonNeg()), K.layers.Flatten()]


def _embedding(K):
    return [K.layers.Embedding(10, 3, embeddings_constraint=K.constraints.UnitNorm(axis=1)),
            K.layers.Flatten()]


def _batchnorm(K):
    return [K.layers.BatchNormalization(gamma_constraint=K.constraints.MaxNorm(0.5),
                                        beta_constraint="non_neg")]


def _lstm(K):
    return [K.layers.LSTM(3, kernel_constraint=K.constraints.MaxNorm(0.5),
                          recurrent_constraint=K.constraints.UnitNorm(axis=0),
                          bias_constraint=K.constraints.NonNeg())]


CASES = [("Dense", _dense, (12, 4), (12, 3), False),
         ("Conv2D", _conv, (12, 5, 5, 1), (12, 18), False),
         ("Embedding", _embedding, (12, 4), (12, 12), True),
         ("BatchNormalization", _batchnorm, (12, 3), (12, 3), False),
         ("LSTM", _lstm, (12, 4, 2), (12, 3), False),
         ("MultiHeadAttention", None, (12, 4, 3), (12, 4, 3), False)]


def _model(K, build, x_shape):
    if build is None:          # MultiHeadAttention: self-attention, functional
        inp = K.Input(x_shape[1:])
        out = K.layers.MultiHeadAttention(2, 2, kernel_constraint=K.constraints.MaxNorm(0.5),
                                          bias_constraint="non_neg")(inp, inp)
        return K.Model(inp, out)
    return K.Sequential([K.Input(x_shape[1:], dtype="int32" if build is _embedding else None)]
                        + build(K))


def test_fit_projects_like_keras():
    """3 SGD steps from Keras's weights: every weight equal to Keras's after (the
    constrained ones projected after each step)."""
    for name, build, x_shape, y_shape, integer in CASES:
        x, y = _data(x_shape, y_shape, integer)
        ref, ours = _model(keras, build, x_shape), _model(rk, build, x_shape)
        w0 = ref.get_weights()
        ours.set_weights(w0)
        for m, K in ((ref, keras), (ours, rk)):
            m.compile(optimizer=K.optimizers.SGD(0.5), loss="mse")
            m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        got, want = ours.get_weights(), ref.get_weights()
        assert len(got) == len(want), name
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=name)
        # the projection did act: the same run without constraints ends elsewhere
        free = _model(rk, build, x_shape)
        for p in free.weights:
            p.constraint = None
        free.set_weights(w0)
        free.compile(optimizer=rk.optimizers.SGD(0.5), loss="mse")
        free.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        assert any(not np.allclose(a, b) for a, b in zip(free.get_weights(), got)), name


def _config_cases(K):
    c = K.constraints
    return [
        (K.layers.Dense(2, kernel_constraint=c.MaxNorm(3), bias_constraint="non_neg"),
         ("kernel_constraint", "bias_constraint")),
        (K.layers.EinsumDense("ab,bc->ac", output_shape=2, bias_axes="c",
                              kernel_constraint=c.UnitNorm(axis=1)), ("kernel_constraint",)),
        (K.layers.Conv1D(2, 3, kernel_constraint=c.MinMaxNorm(0.1, 2.0, 0.5, axis=[0, 1])),
         ("kernel_constraint", "bias_constraint")),
        (K.layers.Conv2DTranspose(2, 3, bias_constraint=c.NonNeg()), ("bias_constraint",)),
        (K.layers.SeparableConv2D(2, 3, depthwise_constraint=c.MaxNorm(1),
                                  pointwise_constraint="unit_norm"),
         ("depthwise_constraint", "pointwise_constraint")),
        (K.layers.DepthwiseConv2D(3, depthwise_constraint=c.NonNeg()),
         ("depthwise_constraint",)),
        (K.layers.Embedding(5, 2, embeddings_constraint="max_norm"),
         ("embeddings_constraint",)),
        (K.layers.LayerNormalization(gamma_constraint=c.NonNeg()),
         ("gamma_constraint", "beta_constraint")),
        (K.layers.GroupNormalization(2, beta_constraint=c.MaxNorm(1)), ("beta_constraint",)),
        (K.layers.PReLU(alpha_constraint=c.NonNeg()), ("alpha_constraint",)),
        (K.layers.MultiHeadAttention(2, 2, kernel_constraint=c.MaxNorm(2)),
         ("kernel_constraint", "bias_constraint")),
        (K.layers.GRU(2, recurrent_constraint=c.UnitNorm()), ("recurrent_constraint",)),
        (K.layers.SimpleRNNCell(2, kernel_constraint=c.NonNeg()), ("kernel_constraint",)),
        (K.layers.LSTMCell(2, bias_constraint=c.MaxNorm(1)), ("bias_constraint",)),
    ]


def test_configs_equal_keras_and_round_trip():
    for (ref, keys), (ours, _) in zip(_config_cases(keras), _config_cases(rk)):
        got, want = ours.get_config(), ref.get_config()
        for key in keys:
            assert got[key] == want[key], (type(ours).__name__, key, got[key], want[key])
        again = type(ours).from_config(got).get_config()
        for key in keys:
            assert again[key] == got[key], (type(ours).__name__, key)
        # and Keras reads retrograd's config
        assert type(ref).from_config({**want, **{k: got[k] for k in keys}}).get_config()[
            keys[0]] == want[keys[0]]


def test_add_weight_and_names():
    layer = rk.layers.Layer()
    w = layer.add_weight(shape=(2, 2), constraint="non_neg", name="w")
    assert isinstance(w.constraint, rk.constraints.NonNeg)
    v = layer.add_weight(shape=(2,), constraint={"class_name": "MaxNorm",
                                                 "config": {"max_value": 1.0, "axis": 0}})
    assert v.constraint.get_config() == {"max_value": 1.0, "axis": 0}
    d = rk.layers.Dense(2, kernel_constraint="non_neg")
    d.build((None, 3))
    assert isinstance(d.kernel.constraint, rk.constraints.NonNeg) and d.bias.constraint is None
    assert d.get_config()["kernel_constraint"] == keras.layers.Dense(
        2, kernel_constraint="non_neg").get_config()["kernel_constraint"]
    for bad in ("no_such_constraint", 3):
        with pytest.raises(ValueError, match="Dense: kernel_constraint"):
            rk.layers.Dense(2, kernel_constraint=bad)


def test_optimizer_apply_projects_for_every_optimizer():
    """``optimizer.apply(grads, vars)`` (a custom train step) projects the
    constrained variable after the update, for each Keras optimizer."""
    w0 = np.array([[1.0, -2.0], [0.5, 3.0]], dtype="float32")
    g = np.array([[0.3, -0.1], [0.2, 0.4]], dtype="float32")
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Nadam", "Adamax",
                 "Adadelta", "Lion", "Ftrl", "Lamb", "Adafactor"):
        out = []
        for K in (keras, rk):
            v = K.Variable(w0.copy())
            v.constraint = K.constraints.MaxNorm(1.0)       # (Keras's Variable drops constraint=)
            opt = getattr(K.optimizers, name)(learning_rate=0.1)
            grad = keras.ops.convert_to_tensor(g) if K is keras else g
            opt.apply([grad], [v])
            out.append(np.asarray(keras.ops.convert_to_numpy(v.value)) if K is keras
                       else np.asarray(v.numpy()))
        # (one float32 step of RMSprop differs by ~2 ulp of its update: rtol 1e-4)
        np.testing.assert_allclose(out[1], out[0], rtol=1e-4, atol=1e-5, err_msg=name)
        assert np.all(np.linalg.norm(out[1], axis=0) <= 1.0 + 1e-6), name


def test_keras_file_both_ways(tmp_path):
    x, y = _data((8, 4), (8, 3))

    def model(K):
        m = K.Sequential([K.Input((4,)), K.layers.Dense(
            3, kernel_constraint=K.constraints.MaxNorm(0.5), bias_constraint="non_neg")])
        m.compile(optimizer=K.optimizers.SGD(0.5), loss="mse")
        return m
    ours, ref = model(rk), model(keras)
    ours.set_weights(ref.get_weights())
    ours.save(tmp_path / "ours.keras")
    ref.save(tmp_path / "ref.keras")
    from_ours = keras.models.load_model(tmp_path / "ours.keras")
    from_ref = rk.models.load_model(tmp_path / "ref.keras")
    assert from_ours.layers[0].get_config()["kernel_constraint"] == \
        ref.layers[0].get_config()["kernel_constraint"]
    assert isinstance(from_ref.layers[0].kernel.constraint, rk.constraints.MaxNorm)
    assert from_ref.layers[0].get_config()["bias_constraint"] == \
        ref.layers[0].get_config()["bias_constraint"]
    for m in (from_ours, from_ref):
        m.compile(optimizer=(keras if m is from_ours else rk).optimizers.SGD(0.5), loss="mse")
        m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for g, w in zip(from_ref.get_weights(), from_ours.get_weights()):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_ema_weights_after_fit_equal_keras():
    """Keras calls ``optimizer.finalize_variable_values`` at the end of ``fit``: with
    ``use_ema`` the weights become their moving averages."""
    x, y = _data((12, 4), (12, 3))
    models = []
    for K in (keras, rk):
        m = K.Sequential([K.Input((4,)), K.layers.Dense(3)])
        m.compile(optimizer=K.optimizers.SGD(0.3, use_ema=True, ema_momentum=0.5),
                  loss="mse")
        models.append(m)
    models[1].set_weights(models[0].get_weights())
    for m in models:
        m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for g, w in zip(models[1].get_weights(), models[0].get_weights()):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
