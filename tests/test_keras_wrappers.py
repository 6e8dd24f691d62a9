"""retrograd.keras's Bidirectional and TimeDistributed wrappers and
``keras.utils.pad_sequences`` against real Keras 3 (PyTorch backend): with Keras's
weights copied in, the same predictions, states, ``summary()`` rows and training
losses; configurations as Keras writes them; pad_sequences' arrays equal Keras's.

``K`` is one side's Keras module; ``L(K, name)`` its layer class (the wrappers live in
``retrograd.keras.layers.wrappers`` until ``keras.layers`` lists them)."""
import itertools
import re

import numpy as np
import pytest
from keras_parity import import_keras, keras_files_both_ways, outputs, value

import retrograd as rg
from retrograd import keras as rk
from retrograd.keras.layers import recurrent, wrappers
from retrograd.keras.sequence_utils import pad_sequences
from retrograd.missing import NotSupportedError

keras, torch = import_keras("the wrappers")

OURS = {"SimpleRNN": recurrent.SimpleRNN, "LSTM": recurrent.LSTM, "GRU": recurrent.GRU,
        "Bidirectional": wrappers.Bidirectional, "TimeDistributed": wrappers.TimeDistributed}
R = np.random.default_rng(0)
X = R.standard_normal((3, 5, 4)).astype(np.float32)


def L(K, name):
    if K is keras:
        return getattr(keras.layers, name)
    return OURS[name] if name in OURS else getattr(rk.layers, name)


def close(ours, theirs, tol=1e-5):
    a, b = outputs(ours), outputs(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


@pytest.mark.parametrize("rnn", ["LSTM", "GRU", "SimpleRNN"])
def test_bidirectional_every_merge_mode_as_keras(rnn):
    """Each merge mode × return_sequences × return_state: the same outputs and states
    from Keras's weights, the same weight names and order, the same output shapes."""
    for merge, seq, state in itertools.product(wrappers.MERGE_MODES, (False, True),
                                               (False, True)):
        case = (rnn, merge, seq, state)
        k, r = (L(K, "Bidirectional")(L(K, rnn)(3, return_sequences=seq,
                                                return_state=state, name="r"),
                                      merge_mode=merge) for K in (keras, rk))
        kout = k(X)
        r.build((None, 5, 4))
        assert [n for n, _ in r.named_weights()] == \
            [re.sub(r"/\w+_cell/", "/", w.path.split("/", 1)[1])
             for w in k.weights], case
        r.set_weights(k.get_weights())
        rout = r(X)
        assert isinstance(rout, list) == isinstance(kout, (list, tuple)), case
        close(rout, kout)
        kshape = k.compute_output_shape((None, 5, 4))
        rshape = r.compute_output_shape((None, 5, 4))
        assert (rshape if isinstance(rshape, list) else [rshape]) == \
            (list(kshape) if isinstance(kshape[0], tuple) else [kshape]), case


def test_bidirectional_initial_state_split_between_the_layers():
    states = [R.standard_normal((3, 3)).astype(np.float32) for _ in range(4)]
    def make(K):
        return L(K, "Bidirectional")(L(K, "LSTM")(3, return_sequences=True,
                                                  return_state=True))
    k, r = make(keras), make(rk)
    kout = k(X, initial_state=[torch.tensor(s) for s in states])
    r.build((None, 5, 4))
    r.set_weights(k.get_weights())
    close(r(X, initial_state=states), kout)
    with pytest.raises(NotSupportedError, match="even number"):
        r(X, initial_state=states[:3])


def summary_rows(model):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s))
    text = "\n".join(lines)
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines()
            if line.startswith("│")], [l for l in text.splitlines() if "params" in l]


def imdb(K):
    """The Keras IMDB bidirectional LSTM example's architecture, small."""
    return K.Sequential([K.Input((7,), dtype="int32"), K.layers.Embedding(20, 5, name="emb"),
                         L(K, "Bidirectional")(L(K, "LSTM")(8, return_sequences=True),
                                               name="bi1"),
                         L(K, "Bidirectional")(L(K, "LSTM")(4), name="bi2"),
                         K.layers.Dense(1, activation="sigmoid", name="out")])


def test_imdb_bidirectional_model_predicts_summarizes_and_trains_as_keras():
    keras.utils.set_random_seed(1)          # Keras's initial weights, copied over
    tokens = np.random.default_rng(1).integers(0, 20, size=(32, 7)).astype(np.int32)
    labels = (tokens[:, 0] > 9).astype(np.float32)[:, None]
    k, r = imdb(keras), imdb(rk)
    r.set_weights(k.get_weights())
    np.testing.assert_allclose(r.predict(tokens, verbose=0), k.predict(tokens, verbose=0),
                               rtol=1e-5, atol=1e-5)
    assert summary_rows(r) == summary_rows(k)
    assert r.count_params() == k.count_params() == 1677
    losses = []
    for m, K in ((k, keras), (r, rk)):
        m.compile(optimizer=K.optimizers.SGD(2.0), loss="binary_crossentropy")
        losses.append(m.fit(tokens, labels, batch_size=8, epochs=2, shuffle=False,
                            verbose=0).history["loss"])
    # (SGD: Adam's g/√v would turn float32 rounding in the near-zero gradients of
    # unused embedding rows into whole steps of either sign.)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)
    assert losses[1][1] < losses[1][0]
    for a, b in zip(k.get_weights(), r.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-4)


def test_get_config_as_keras_and_round_trips():
    from retrograd.keras.saving.config import as_json, layer_from_spec
    for rnn, merge, kw in (("LSTM", "concat", {"return_sequences": True}),
                           ("GRU", "ave", {"return_state": True, "reset_after": False}),
                           ("SimpleRNN", None, {"activation": "relu"})):
        k = L(keras, "Bidirectional")(L(keras, rnn)(3, name="r", **kw), merge_mode=merge,
                                      name="bi")
        r = L(rk, "Bidirectional")(L(rk, rnn)(3, name="r", **kw), merge_mode=merge,
                                   name="bi")
        kc, rc = as_json(k.get_config()), as_json(r.get_config())
        assert set(rc) == set(kc) and rc["merge_mode"] == kc["merge_mode"] == merge
        for part in ("layer", "backward_layer"):
            assert rc[part]["class_name"] == kc[part]["class_name"] == rnn
            assert set(rc[part]["config"]) == set(kc[part]["config"]), part
            for key, v in kc[part]["config"].items():
                if not key.endswith("initializer") and key != "dtype":
                    assert rc[part]["config"][key] == v, (rnn, part, key)
        again = wrappers.Bidirectional.from_config(rc)
        assert as_json(again.get_config()) == rc
        # Keras's own description builds the same layer here.
        built = layer_from_spec(as_json(keras.saving.serialize_keras_object(k)),
                                custom_objects=OURS)
        assert type(built) is wrappers.Bidirectional
        assert built.forward_layer.name == "forward_r" and \
            built.backward_layer.go_backwards and built.merge_mode == merge
    k = keras.layers.TimeDistributed(keras.layers.Dense(2, name="d"), name="td")
    r = wrappers.TimeDistributed(rk.layers.Dense(2, name="d"), name="td")
    kc, rc = as_json(k.get_config()), as_json(r.get_config())
    assert set(rc) == set(kc) and rc["layer"]["class_name"] == "Dense"
    # (Dense's own config lacks Keras's constraint keys, which are None here.)
    for key, v in rc["layer"]["config"].items():
        if "initializer" not in key and key != "dtype":
            assert kc["layer"]["config"][key] == v, key
    again = wrappers.TimeDistributed.from_config(rc)
    assert as_json(again.get_config()) == rc
    # A user's layer inside, named by custom_objects.
    class MyLSTM(recurrent.LSTM):
        pass
    rc = as_json(wrappers.Bidirectional(MyLSTM(3)).get_config())
    with pytest.raises(ValueError, match="MyLSTM"):
        wrappers.Bidirectional.from_config(rc)
    again = wrappers.Bidirectional.from_config(rc, custom_objects={"MyLSTM": MyLSTM})
    assert type(again.forward_layer) is type(again.backward_layer) is MyLSTM
    built = layer_from_spec(as_json(keras.saving.serialize_keras_object(k)),
                            custom_objects=OURS)
    assert type(built.layer) is rk.layers.Dense and built.layer.units == 2


def test_time_distributed_dense_and_conv2d_as_keras():
    def dense(K):
        return K.Sequential([K.Input((5, 4)), L(K, "TimeDistributed")(
            K.layers.Dense(6, activation="relu"), name="td"), K.layers.Dense(2, name="o")])
    k, r = dense(keras), dense(rk)
    r.set_weights(k.get_weights())
    close(r.predict(X, verbose=0), k.predict(X, verbose=0))
    assert summary_rows(r) == summary_rows(k)
    video = R.standard_normal((2, 3, 6, 6, 2)).astype(np.float32)
    def conv(K):
        return K.Sequential([K.Input((3, 6, 6, 2)), L(K, "TimeDistributed")(
            K.layers.Conv2D(4, 3, name="c"), name="tdc")])
    k, r = conv(keras), conv(rk)
    r.set_weights(k.get_weights())
    close(r.predict(video, verbose=0), k.predict(video, verbose=0))
    assert summary_rows(r) == summary_rows(k)
    # Gradients through the reshape reach the wrapped layer's weights.
    layer = wrappers.TimeDistributed(rk.layers.Dense(3))
    x = rg.Tensor(X, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.shape == X.shape and layer.layer.kernel.grad is not None
    np.testing.assert_allclose(value(x.grad), np.broadcast_to(
        value(layer.layer.kernel).sum(1), X.shape), rtol=1e-6)


def test_bad_arguments_refused_by_name():
    with pytest.raises(ValueError, match="merge mode"):
        wrappers.Bidirectional(recurrent.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="Layer` instance"):
        wrappers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="go_backwards"):
        wrappers.Bidirectional(recurrent.LSTM(3), backward_layer=recurrent.LSTM(3))
    with pytest.raises(ValueError, match="return_sequences"):
        wrappers.Bidirectional(recurrent.LSTM(3), backward_layer=recurrent.LSTM(
            3, go_backwards=True, return_sequences=True))
    with pytest.raises(NotSupportedError, match="recurrent layer"):
        wrappers.Bidirectional(rk.layers.Dense(3))
    with pytest.raises(ValueError, match="Layer` instance"):
        wrappers.TimeDistributed(3)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        wrappers.TimeDistributed(rk.layers.Dense(3))(X[:, 0])
    with pytest.raises(ValueError, match="the mask must have shape"):
        wrappers.Bidirectional(recurrent.GRU(3))(X, mask=np.ones((3, 4), bool))


def test_bidirectional_weights_argument_and_backward_layer():
    k = keras.layers.Bidirectional(keras.layers.GRU(3))
    k(X)
    r = wrappers.Bidirectional(recurrent.GRU(3), weights=k.get_weights())
    close(r(X), k(X))
    back = recurrent.SimpleRNN(3, go_backwards=True, name="mine")
    b = wrappers.Bidirectional(recurrent.SimpleRNN(3), backward_layer=back)
    assert b.backward_layer is back and b(X).shape == (3, 6)
    assert [n for n, _ in b.named_weights()][3:] == ["mine/kernel", "mine/recurrent_kernel",
                                                     "mine/bias"]


RAGGED = [[1, 2, 3, 4, 5], [6], [], [7, 8, 9]]


def test_pad_sequences_as_keras():
    theirs = keras.utils.pad_sequences
    for padding, truncating, maxlen in itertools.product(("pre", "post"), ("pre", "post"),
                                                         (None, 2, 3, 7)):
        for kw in ({}, {"value": -1}, {"dtype": "float32", "value": 0.5},
                   {"dtype": "int64"}):
            args = dict(maxlen=maxlen, padding=padding, truncating=truncating, **kw)
            want, got = theirs(RAGGED, **args), pad_sequences(RAGGED, **args)
            assert got.dtype == want.dtype and got.shape == want.shape, args
            np.testing.assert_array_equal(got, want)
    # Items with a shape, arrays as sequences, strings with dtype=object.
    vecs = [np.ones((2, 3)), np.arange(9.0).reshape(3, 3)]
    np.testing.assert_array_equal(pad_sequences(vecs, dtype="float32"),
                                  theirs(vecs, dtype="float32"))
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(pad_sequences(words, dtype=object, value="<pad>"),
                                  theirs(words, dtype=object, value="<pad>"))
    for bad, match in (({"padding": "middle"}, "middle"), ({"truncating": "both"}, "both"),
                       ({"value": "x"}, "dtype=object")):
        with pytest.raises(ValueError):
            theirs(RAGGED, **bad)
        with pytest.raises(ValueError, match=match):
            pad_sequences(RAGGED, **bad)
    with pytest.raises(ValueError, match="non-iterable"):
        pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="different from expected shape"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 4))])


def _groups_with_wrappers(original):
    """``h5_weights.model_groups`` asking a layer with ``keras_weight_groups()`` for
    the groups below its own (the change keras/saving needs, patched in memory)."""
    from retrograd.keras.saving.config import keras_layers

    def model_groups(model, prefix=""):
        layers = {layer.name: layer for layer in keras_layers(model)}
        out = []
        for path, variables, name in original(model, prefix):
            hook = getattr(layers.get(name), "keras_weight_groups", None)
            if callable(hook) and path == f"{prefix}layers/{path.split('/')[-2]}/vars":
                out += [(path[:-len("vars")] + sub, v, name) for sub, v in hook()]
            else:
                out.append((path, variables, name))
        return out
    return model_groups


def test_keras_files_both_ways(tmp_path, monkeypatch):
    """A .keras file of a Bidirectional/TimeDistributed model written by real Keras
    loads here with the same predictions, and one written here loads in Keras, once
    keras.layers.CLASSES lists the wrappers and model_groups asks them for their
    groups (layers/bidirectional/forward_layer/cell/vars, …)."""
    from retrograd.keras.layers import CLASSES
    from retrograd.keras.saving import h5_weights
    monkeypatch.setitem(CLASSES, "Bidirectional", wrappers.Bidirectional)
    monkeypatch.setitem(CLASSES, "TimeDistributed", wrappers.TimeDistributed)
    probe = rk.Sequential([rk.Input((5, 4)), wrappers.Bidirectional(recurrent.GRU(2))])
    if not any("/forward_layer/" in path for path, _, _ in h5_weights.model_groups(probe)):
        monkeypatch.setattr(h5_weights, "model_groups",
                            _groups_with_wrappers(h5_weights.model_groups))

    def build(K):
        return K.Sequential([K.Input((5, 4)), L(K, "Bidirectional")(
            K.layers.LSTM(3, return_sequences=True), merge_mode="sum"),
            L(K, "TimeDistributed")(K.layers.Dense(2)),
            L(K, "Bidirectional")(K.layers.GRU(2))])
    keras_files_both_ways(keras, rk, build(keras), X, tmp_path)


def test_bidirectional_gradients_as_keras():
    k = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True))
    r = wrappers.Bidirectional(recurrent.GRU(3, return_sequences=True))
    kx = torch.tensor(X, requires_grad=True)
    kout = k(kx)
    r.build((None, 5, 4))
    r.set_weights(k.get_weights())
    rx = rg.Tensor(X, requires_grad=True)
    w = np.arange(kout.numel(), dtype=np.float32).reshape(tuple(kout.shape)) / kout.numel()
    (kout * torch.tensor(w)).sum().backward()
    (r(rx) * rg.Tensor(w)).sum().backward()
    np.testing.assert_allclose(value(rx.grad), value(kx.grad), rtol=1e-4, atol=1e-6)
    for kw, rw in zip(k.trainable_weights, r.weights, strict=True):
        np.testing.assert_allclose(value(rw.grad), value(kw.value.grad), rtol=1e-4,
                                   atol=1e-6)


def test_functional_model_with_states_and_copies():
    def build(K):
        x = K.Input((5, 4))
        out = L(K, "Bidirectional")(L(K, "LSTM")(3, return_state=True,
                                                 return_sequences=True))(x)
        y = L(K, "Bidirectional")(L(K, "GRU")(2), merge_mode="mul")(out[0])
        return K.Model(x, [y, *out[1:]])
    k, r = build(keras), build(rk)
    r.set_weights(k.get_weights())
    close(r.predict(X, verbose=0), k.predict(X, verbose=0))
    assert summary_rows(r)[1] == summary_rows(k)[1]          # the totals: 312 params
    assert r.layers[1].output_shape == [(None, 5, 6)] + [(None, 3)] * 4
    # The copies keep the wrapped layer's initializer objects and regularizers.
    b = wrappers.Bidirectional(recurrent.LSTM(3, kernel_initializer=rk.initializers.Constant(
        0.5), kernel_regularizer="l2"))
    b(X)
    assert np.all(value(b.forward_layer.kernel) == 0.5)
    assert np.all(value(b.backward_layer.kernel) == 0.5)
    assert len(b.losses) == 2
    # TimeDistributed over a recurrent layer: (N, T, T', F) → (N, T, units).
    td = wrappers.TimeDistributed(recurrent.LSTM(2))
    seq = np.random.default_rng(2).standard_normal((2, 3, 5, 4)).astype(np.float32)
    out = value(td(seq))
    assert out.shape == (2, 3, 2) == (2, *td.compute_output_shape((None, 3, 5, 4))[1:])
    np.testing.assert_allclose(out[1, 2], value(td.layer(seq[1:2, 2]))[0], rtol=1e-6)
    # Dropout acts only in training, in both directions.
    d = wrappers.Bidirectional(recurrent.GRU(3, dropout=0.5, seed=0))
    ref = value(d(X))
    assert not np.allclose(value(d(X, training=True)), ref)
    np.testing.assert_allclose(value(d(X)), ref, rtol=1e-6)


def test_on_a_device(device):
    cpu = wrappers.Bidirectional(recurrent.LSTM(3, return_sequences=True))
    cpu.build((None, 5, 4))
    layer = wrappers.Bidirectional(recurrent.LSTM(3, return_sequences=True)).to(device)
    layer.build((None, 5, 4))
    layer.set_weights(cpu.get_weights())
    x = rg.tensor(X, device=device, requires_grad=True)
    out = layer(x)
    assert out.device == device
    np.testing.assert_allclose(out.numpy(), value(cpu(X)), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    assert x.grad.device == device
    td = wrappers.TimeDistributed(rk.layers.Dense(2)).to(device)
    assert td(x).device == device


def test_imdb_example_with_variable_length_input():
    """The Keras example's own form: ``Input(shape=(None,), dtype="int32")``, any
    sequence length; the same predictions at two lengths and the same summary."""
    def build(K):
        inputs = K.Input(shape=(None,), dtype="int32", name="tokens")
        x = K.layers.Embedding(50, 8, name="emb")(inputs)
        x = L(K, "Bidirectional")(L(K, "LSTM")(4, return_sequences=True), name="bi1")(x)
        x = L(K, "Bidirectional")(L(K, "LSTM")(4), name="bi2")(x)
        return K.Model(inputs, K.layers.Dense(1, activation="sigmoid", name="out")(x))
    k, r = build(keras), build(rk)
    r.set_weights(k.get_weights())
    for steps in (3, 9):
        tokens = np.random.default_rng(steps).integers(0, 50, (4, steps)).astype(np.int32)
        close(r.predict(tokens, verbose=0), k.predict(tokens, verbose=0))
    assert summary_rows(r) == summary_rows(k)


def test_pad_sequences_also_in_keras_preprocessing():
    from retrograd import keras as rkeras
    assert rkeras.preprocessing.sequence.pad_sequences is rkeras.utils.pad_sequences
    np.testing.assert_array_equal(
        rkeras.preprocessing.sequence.pad_sequences([[1, 2], [3]], maxlen=3),
        [[0, 1, 2], [0, 0, 3]])
