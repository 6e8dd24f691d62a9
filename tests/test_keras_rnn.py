"""retrograd.keras's SimpleRNN, LSTM and GRU against real Keras 3 (PyTorch backend):
with Keras's weights copied in (``set_weights``), the same predictions, final states,
gradients, ``summary()`` rows and training losses; configurations both ways; the
options retrograd lacks refused by name.

``K`` is one side's Keras module; ``rnn(K, name)`` its recurrent layer class (the
classes live in ``retrograd.keras.layers.recurrent`` until ``keras.layers`` lists
them)."""

import numpy as np
import pytest
from keras_parity import import_keras, keras_files_both_ways, outputs, value

import retrograd as rg
from retrograd import keras as rk
from retrograd.keras.layers import recurrent
from retrograd.missing import NotSupportedError

keras, torch = import_keras("the recurrent layers")

RNN_CLASSES = {"SimpleRNN": recurrent.SimpleRNN, "LSTM": recurrent.LSTM,
               "GRU": recurrent.GRU}
R = np.random.default_rng(0)
X = R.standard_normal((3, 5, 4)).astype(np.float32)


def rnn(K, name):
    return getattr(keras.layers, name) if K is keras else RNN_CLASSES[name]


CASES = [("SimpleRNN", {}), ("SimpleRNN", {"return_sequences": True, "go_backwards": True}),
         ("SimpleRNN", {"return_state": True, "activation": "relu", "use_bias": False}),
         ("LSTM", {}), ("LSTM", {"return_sequences": True}),
         ("LSTM", {"return_state": True, "go_backwards": True}),
         ("LSTM", {"return_sequences": True, "return_state": True, "unit_forget_bias": False,
                   "bias_initializer": "ones"}),
         ("LSTM", {"recurrent_activation": "hard_sigmoid", "activation": "relu"}),
         ("GRU", {}), ("GRU", {"reset_after": False}),
         ("GRU", {"return_sequences": True, "return_state": True, "go_backwards": True}),
         ("GRU", {"reset_after": False, "return_state": True, "use_bias": False}),
         ("GRU", {"return_sequences": True, "reset_after": False, "go_backwards": True})]


@pytest.mark.parametrize("name, kw", CASES)
def test_same_weights_same_predictions_and_gradients(name, kw):
    k, r = rnn(keras, name)(6, **kw), rnn(rk, name)(6, **kw)
    kx = torch.tensor(X)
    kout = k(kx)
    r.build((None, 5, 4))
    kweights = [w.value for w in k.trainable_weights]
    assert [tuple(w.shape) for w in kweights] == [tuple(p.shape) for p in r.weights]
    assert [n for n, _ in r.named_weights()] == [w.name for w in k.trainable_weights]
    assert isinstance(kout, tuple) == isinstance(r(X), tuple) == bool(kw.get("return_state"))
    r.set_weights(k.get_weights())
    rx = rg.Tensor(X, requires_grad=True)
    rout = r(rx)
    for a, b in zip(outputs(kout), outputs(rout), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
    # Backward through time: a loss reading every output, against torch's autograd.
    weights = [torch.tensor(np.arange(1, o.size + 1, dtype=np.float32).reshape(o.shape)
                            / o.size) for o in outputs(kout)]
    kx.requires_grad_(True)
    kout = k(kx)
    sum((o * w).sum()
        for o, w in zip(kout if isinstance(kout, tuple) else (kout,), weights)).backward()
    rsum = None
    for o, w in zip(rout if isinstance(rout, tuple) else (rout,), weights):
        term = (o * rg.Tensor(w.numpy())).sum()
        rsum = term if rsum is None else rsum + term
    rsum.backward()
    for kw_, rw in zip(kweights, r.weights):
        np.testing.assert_allclose(value(rw.grad), value(kw_.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(value(rx.grad), value(kx.grad), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state(name):
    n = 2 if name == "LSTM" else 1
    states = [R.standard_normal((3, 6)).astype(np.float32) for _ in range(n)]
    k = rnn(keras, name)(6, return_state=True, return_sequences=True)
    r = rnn(rk, name)(6, return_state=True, return_sequences=True)
    kout = k(X, initial_state=[torch.tensor(s) for s in states])
    r.build((None, 5, 4))
    r.set_weights(k.get_weights())
    rout = r(X, initial_state=states)
    for a, b in zip(outputs(kout), outputs(rout), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"initial_state\[0\] must have shape \(3, 6\)"):
        r(X, initial_state=[s[:2] for s in states])
    with pytest.raises(ValueError, match="initial_state must hold"):
        r(X, initial_state=states * 2)


def stacked(K):
    return K.Sequential([
        K.Input((5, 4)),
        rnn(K, "LSTM")(6, return_sequences=True, name="lstm"),
        rnn(K, "GRU")(5, return_sequences=True, go_backwards=True, name="gru"),
        rnn(K, "GRU")(4, return_sequences=True, reset_after=False, name="gru_b"),
        rnn(K, "SimpleRNN")(3, name="rnn"),
        K.layers.Dense(2, name="out")])


def summary_rows(model):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s))
    text = "\n".join(lines)
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines()
            if line.startswith("│")], [l for l in text.splitlines() if "params" in l]


def test_stacked_model_predictions_and_summary():
    k, r = stacked(keras), stacked(rk)
    r.set_weights(k.get_weights())
    np.testing.assert_allclose(r.predict(X, verbose=0), k.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-5)
    krows, ktotal = summary_rows(k)
    rrows, rtotal = summary_rows(r)
    assert krows == rrows
    assert ktotal == rtotal
    assert r.count_params() == k.count_params()


def test_functional_model_with_states():
    def build(K):
        x = K.Input((5, 4))
        seq, h, c = rnn(K, "LSTM")(6, return_sequences=True, return_state=True)(x)
        y = rnn(K, "GRU")(3)(seq)
        return K.Model(x, [y, h, c])
    k, r = build(keras), build(rk)
    r.set_weights(k.get_weights())
    for a, b in zip(k.predict(X, verbose=0), r.predict(X, verbose=0), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
    # The totals and the LSTM's three output shapes; the table's layout differs
    # (retrograd adds "Connected to" to a model with several outputs, Keras 3 does
    # not when each depth of the graph holds one node).
    ktotal, rtotal = summary_rows(k)[1], summary_rows(r)[1]
    assert ktotal == rtotal
    assert [l.count_params() for l in r.layers] == [l.count_params() for l in k.layers]
    assert r.layers[1].output_shape == [(None, 5, 6), (None, 6), (None, 6)]


def text_model(K):
    return K.Sequential([K.Input((7,), dtype="int32"), K.layers.Embedding(20, 5),
                         rnn(K, "LSTM")(6), K.layers.Dense(1, activation="sigmoid")])


def test_embedding_lstm_dense_trains_as_keras():
    tokens = R.integers(0, 20, size=(32, 7)).astype(np.int32)
    labels = (tokens[:, 0] > 9).astype(np.float32)[:, None]
    k, r = text_model(keras), text_model(rk)
    r.set_weights(k.get_weights())
    losses = []
    for m, K in ((k, keras), (r, rk)):
        m.compile(optimizer=K.optimizers.SGD(0.5), loss="binary_crossentropy")
        losses.append(m.fit(tokens, labels, batch_size=8, epochs=2, shuffle=False,
                            verbose=0).history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)
    assert losses[1][1] < losses[1][0]
    for a, b in zip(k.get_weights(), r.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-4)


def test_get_config_matches_keras_and_round_trips():
    for name, kw in CASES:
        k, r = rnn(keras, name)(6, **kw), rnn(rk, name)(6, **kw)
        kc, rc = k.get_config(), r.get_config()
        assert set(rc) - {"dtype"} == set(kc) - {"dtype"}, name
        for key in rc:
            if key not in ("dtype", "name") and not key.endswith("initializer"):
                assert rc[key] == kc[key], (name, key)
        again = type(r).from_config(rc)
        assert again.get_config() == rc
        # Keras's own configuration (initializers as dicts) builds the same layer.
        from retrograd.keras.saving.config import as_json, layer_from_spec
        spec = as_json(keras.saving.serialize_keras_object(k))
        built = layer_from_spec(spec, custom_objects=RNN_CLASSES)
        assert type(built) is type(r)
        assert {key: v for key, v in built.get_config().items()
                if not key.endswith("initializer") and key != "name"} == \
            {key: v for key, v in rc.items() if not key.endswith("initializer")
             and key != "name"}


def test_keras_json_model_loads_with_keras_weights():
    k = stacked(keras)
    r = rk.models.model_from_json(k.to_json(), custom_objects=RNN_CLASSES)
    r.set_weights(k.get_weights())
    np.testing.assert_allclose(r.predict(X, verbose=0), k.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-5)


def test_keras_file_round_trip(tmp_path):
    r = stacked(rk)
    path = tmp_path / "rnn.keras"
    r.save(path)
    again = rk.models.load_model(path, custom_objects=RNN_CLASSES)
    np.testing.assert_allclose(again.predict(X, verbose=0), r.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_dropout_only_in_training():
    for name in RNN_CLASSES:
        plain = rnn(rk, name)(6, return_sequences=True)
        drop = rnn(rk, name)(6, return_sequences=True, dropout=0.5, recurrent_dropout=0.3,
                             seed=1)
        plain.build((None, 5, 4))
        drop.build((None, 5, 4))
        drop.set_weights(plain.get_weights())
        ref = value(plain(X))
        np.testing.assert_allclose(value(drop(X)), ref, rtol=1e-6)
        trained = value(drop(X, training=True))
        assert trained.shape == ref.shape and not np.allclose(trained, ref)
        np.testing.assert_allclose(value(drop(X, training=False)), ref, rtol=1e-6)
    # Keras's mask is drawn once per call: a dropped input feature is dropped at every
    # step, so zeroing that feature of X changes nothing (checked with dropout alone).
    layer = recurrent.SimpleRNN(3, dropout=0.5, seed=3, return_sequences=True)
    layer.build((None, 5, 4))
    layer._rng = np.random.default_rng(7)
    out = value(layer(X, training=True))
    mask = np.random.default_rng(7).random((3, 1, 4), dtype=np.float32) >= 0.5
    layer._rng = np.random.default_rng(7)
    np.testing.assert_allclose(value(layer(X * mask, training=True)), out, rtol=1e-6)


def test_refused_options_and_bad_inputs():
    with pytest.raises(NotSupportedError, match="stateful"):
        recurrent.LSTM(4, stateful=True)
    with pytest.raises(ValueError, match="kernel_constraint"):
        recurrent.GRU(4, kernel_constraint="no_such_constraint")
    with pytest.raises(ValueError, match="units"):
        recurrent.SimpleRNN(0)
    with pytest.raises(ValueError, match="dropout"):
        recurrent.LSTM(4, dropout=1.5)
    layer = recurrent.LSTM(4)
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\)"):
        layer(X[:, 0])
    layer(X)
    with pytest.raises(ValueError, match="expected 4 features"):
        layer(X[..., :3])
    with pytest.raises(ValueError, match="the mask must have shape"):
        layer(X, mask=np.ones((3, 4), bool))
    with pytest.raises(ValueError, match="no time step"):
        layer(X[:, :0])
    # Keras refuses a 2-D input too, with a ValueError.
    with pytest.raises(ValueError):
        keras.layers.LSTM(4)(X[:, 0])


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_on_a_device(device, name):
    cpu = rnn(rk, name)(6, return_sequences=True, return_state=True)
    cpu.build((None, 5, 4))
    layer = rnn(rk, name)(6, return_sequences=True, return_state=True, dropout=0.2,
                          recurrent_dropout=0.2, seed=0).to(device)
    layer.build((None, 5, 4))
    layer.set_weights(cpu.get_weights())
    states = [np.ones((3, 6), np.float32)] * (2 if name == "LSTM" else 1)
    x = rg.tensor(X, device=device, requires_grad=True)
    out = layer(x, initial_state=states)
    assert all(o.device == device for o in out)
    for a, b in zip(cpu(X, initial_state=states), out, strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-6)
    out = layer(x, initial_state=states, training=True)      # masks made on the device
    out[0].sum().backward()
    assert x.grad.device == device and layer.kernel.grad.device == device


def test_weight_regularizers_join_the_losses():
    def build(K):
        return rnn(K, "GRU")(6, kernel_regularizer=K.regularizers.L2(0.01),
                             recurrent_regularizer=K.regularizers.L1(0.02),
                             bias_regularizer="l2")
    k, r = build(keras), build(rk)
    k(X)
    r.build((None, 5, 4))
    r.set_weights(k.get_weights())
    r(X)
    assert len(r.losses) == len(k.losses) == 3
    np.testing.assert_allclose(sorted(value(l) for l in r.losses),
                               sorted(value(l) for l in k.losses), rtol=1e-5)
    config = r.get_config()
    again = recurrent.GRU.from_config(config)
    assert again.get_config()["recurrent_regularizer"] == config["recurrent_regularizer"]


def test_keras_files_both_ways(tmp_path):
    """A .keras file of a recurrent model written by real Keras loads here with the same
    predictions, and one written here loads in Keras: Keras keeps these layers' weights
    in their cell's group (layers/lstm/cell/vars)."""
    x = np.random.default_rng(4).standard_normal((3, 5, 4)).astype(np.float32)

    def build(K):
        return K.Sequential([K.Input((5, 4)), K.layers.LSTM(6, return_sequences=True),
                             K.layers.GRU(3, return_sequences=True, go_backwards=True),
                             K.layers.SimpleRNN(2), K.layers.Dense(2)])
    keras_files_both_ways(keras, rk, build(keras), x, tmp_path)
