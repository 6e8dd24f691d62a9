"""Keras 3's masks in retrograd.keras against real Keras 3 (PyTorch backend), from the
same weights: ``Embedding(mask_zero=True)`` and ``Masking`` make a mask that travels
on the tensor (``x._keras_mask``) through the layers that support masking (Dense,
Dropout, …); the recurrent layers skip the masked steps (states kept, the previous
output repeated, zeros with ``zero_output_for_mask``), ``GlobalAveragePooling1D``
averages the real steps, attention ignores padded keys, merges combine masks, and
the values, masks and gradients are Keras's."""

import numpy as np
import pytest
from keras_parity import import_keras, value

from retrograd import keras as rk

keras, torch = import_keras("Keras's masks")

R = np.random.default_rng(0)
IDS = np.array([[3, 1, 4, 0, 0], [2, 0, 5, 6, 1], [0, 0, 7, 1, 2]])
KEEP = IDS != 0


def _mask(t):
    m = getattr(t, "_keras_mask", None)
    return None if m is None else value(m)


def _pair(build):
    """``build(K)`` → a list of layers, called in a chain on IDS on both sides, with
    Keras's weights copied into retrograd's; returns both sides' layers."""
    k, r = build(keras), build(rk)
    hk, hr = IDS, IDS
    for lk, lr in zip(k, r):
        hk, hr = lk(hk), lr(hr)
        lr.set_weights(lk.get_weights())
    return k, r


def _run(layers, x):
    h = x
    hs = []
    for layer in layers:
        h = layer(h)
        hs.append(h)
    return hs


def _grads_close(k_layers, r_layers, yk, yr, w):
    """∂Σ(y·w)/∂(every weight), Keras's (torch autograd) vs retrograd's."""
    (torch.as_tensor(w) * yk).sum().backward()
    (rk.ops.convert_to_tensor(w) * yr).sum().backward()
    for lk, lr in zip(k_layers, r_layers):
        for vk, vr in zip(lk.trainable_weights, lr.trainable_weights):
            gk = vk.value.grad.numpy()
            np.testing.assert_allclose(value(vr.grad), gk, rtol=2e-4, atol=1e-6,
                                       err_msg=f"{lr.name}.{vr.name}")


def test_embedding_mask_through_recurrent_layers_as_keras():
    cases = [("LSTM", {"return_sequences": True}), ("LSTM", {}),
             ("LSTM", {"return_sequences": True, "go_backwards": True}),
             ("GRU", {"go_backwards": True}),
             ("SimpleRNN", {"return_sequences": True, "zero_output_for_mask": True}),
             ("GRU", {"return_sequences": True, "return_state": True})]
    for name, kw in cases:
        def build(K, name=name, kw=kw):
            return [K.layers.Embedding(8, 4, mask_zero=True),
                    getattr(K.layers, name)(3, **kw)] + \
                ([] if kw.get("return_state") else [K.layers.Dense(2)])
        k, r = _pair(build)
        hk, hr = _run(k, IDS), _run(r, IDS)
        np.testing.assert_array_equal(_mask(hr[0]), KEEP)
        np.testing.assert_array_equal(_mask(hk[0]), KEEP)
        for a, b in zip(hk[1:], hr[1:]):
            a, b = (a, b) if not kw.get("return_state") else (a[0], b[0])
            np.testing.assert_allclose(value(b), value(a), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} {kw}")
            assert (_mask(a) is None) == (_mask(b) is None), (name, kw)
            if _mask(a) is not None:
                np.testing.assert_array_equal(_mask(b), _mask(a))
        yk, yr = (hk[-1], hr[-1]) if not kw.get("return_state") else (hk[-1][0], hr[-1][0])
        _grads_close(k, r, yk, yr, R.standard_normal(tuple(yr.shape)).astype(np.float32))


def test_bidirectional_pooling_and_rnn_cell_read_the_mask():
    builds = [
        lambda K: [K.layers.Embedding(8, 4, mask_zero=True),
                   K.layers.Bidirectional(K.layers.GRU(3, return_sequences=True))],
        lambda K: [K.layers.Embedding(8, 4, mask_zero=True),
                   K.layers.Bidirectional(K.layers.LSTM(2), merge_mode="sum")],
        lambda K: [K.layers.Embedding(8, 4, mask_zero=True),
                   K.layers.GlobalAveragePooling1D()],
        lambda K: [K.layers.Embedding(8, 4, mask_zero=True),
                   K.layers.GlobalMaxPooling1D()],
        lambda K: [K.layers.Embedding(8, 4, mask_zero=True),
                   K.layers.RNN(K.layers.LSTMCell(3), return_sequences=True)],
        lambda K: [K.layers.Embedding(8, 4, mask_zero=True), K.layers.Dropout(0.5),
                   K.layers.LayerNormalization(), K.layers.Flatten()],
    ]
    for build in builds:
        k, r = _pair(build)
        hk, hr = _run(k, IDS), _run(r, IDS)
        who = type(r[-1]).__name__
        for a, b in zip(hk[1:], hr[1:]):
            np.testing.assert_allclose(value(b), value(a), rtol=1e-5, atol=1e-6,
                                       err_msg=who)
            assert (_mask(a) is None) == (_mask(b) is None), who
            if _mask(a) is not None:
                np.testing.assert_array_equal(_mask(b), _mask(a))
        _grads_close(k, r, hk[-1], hr[-1],
                     R.standard_normal(tuple(hr[-1].shape)).astype(np.float32))


def test_masking_layer_feeds_simple_rnn():
    x = R.standard_normal((3, 4, 2)).astype(np.float32)
    x[0, 2:] = 0.0
    x[2, 0] = 0.0
    k = [keras.layers.Masking(0.0), keras.layers.SimpleRNN(3, return_sequences=True)]
    r = [rk.layers.Masking(0.0), rk.layers.SimpleRNN(3, return_sequences=True)]
    _run(k, x), _run(r, x)
    r[1].set_weights(k[1].get_weights())
    hk, hr = _run(k, x), _run(r, x)
    np.testing.assert_array_equal(_mask(hr[0]), _mask(hk[0]))
    np.testing.assert_allclose(value(hr[1]), value(hk[1]), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(_mask(hr[1]), _mask(hk[1]))
    np.testing.assert_allclose(value(hr[0]), value(hk[0]))     # still zeroed


def test_attention_reads_query_and_value_masks():
    k, r = _pair(lambda K: [K.layers.Embedding(8, 4, mask_zero=True)])
    xk, xr = k[0](IDS), r[0](IDS)
    mk, mr = keras.layers.MultiHeadAttention(2, 3), rk.layers.MultiHeadAttention(2, 3)
    mk(xk, xk)
    mr(xr, xr)
    mr.set_weights(mk.get_weights())
    xk, xr = k[0](IDS), r[0](IDS)
    yk, yr = mk(xk, xk), mr(xr, xr)
    np.testing.assert_allclose(value(yr), value(yk), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(_mask(yr), _mask(yk))
    assert _mask(xr) is None and _mask(xk) is None      # Keras takes them off the inputs
    # A padded query's row is all masked (uniform weights, as Keras's torch path): the
    # gradient is checked by finite differences, Keras's own there is not (its fused
    # scaled_dot_product_attention's backward differs from them: 19.5 vs 3.66).
    w = R.standard_normal(tuple(yr.shape)).astype(np.float32)
    (rk.ops.convert_to_tensor(w) * yr).sum().backward()
    bias = mr.trainable_weights[5]          # the value projection's bias (2, 3)
    start = value(bias).copy()

    def total(delta):
        b = start.copy()
        b[0, 0] += delta
        bias.assign(b)
        x = r[0](IDS)
        return float((w * value(mr(x, x))).sum())
    fd = (total(1e-2) - total(-1e-2)) / 2e-2
    bias.assign(start)
    np.testing.assert_allclose(value(bias.grad)[0, 0], fd, rtol=1e-3)
    # Attention([q, v]): the value mask hides keys, the query mask zeroes rows.
    ak, ar = keras.layers.Attention(), rk.layers.Attention()
    xk, xr = k[0](IDS), r[0](IDS)
    yk, yr = ak([xk, xk]), ar([xr, xr])
    np.testing.assert_allclose(value(yr), value(yk), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(_mask(yr), _mask(yk))


def test_functional_model_with_masked_branches():
    def model(K):
        a, b = K.Input((5,), dtype="int32"), K.Input((5,), dtype="int32")
        e5 = K.layers.Embedding(8, 5, mask_zero=True, name="e5")(a)
        ea = K.layers.Embedding(8, 3, mask_zero=True, name="ea")(a)
        eb = K.layers.Embedding(8, 2, name="eb")(b)
        h = K.layers.Concatenate()([ea, eb])        # mask: a's (b's all True, OR-ed)
        h = K.layers.Add()([e5, h])                 # both masked: their OR
        h = K.layers.LSTM(4, return_sequences=True, name="lstm")(h)
        symbolic.append((e5, eb, h))
        h = K.layers.GlobalAveragePooling1D()(h)
        return K.Model([a, b], K.layers.Dense(1, name="out")(h))
    symbolic = []
    mk, mr = model(keras), model(rk)
    for tk, tr in zip(*symbolic):       # KerasTensors carry their masks' specs
        mk_, mr_ = getattr(tk, "_keras_mask", None), getattr(tr, "_keras_mask", None)
        assert (mk_ is None) == (mr_ is None)
        if mk_ is not None:
            assert tuple(mr_.shape) == tuple(mk_.shape) and mr_.dtype == "bool"
    for name in ("e5", "ea", "eb", "lstm", "out"):
        mr.get_layer(name).set_weights(mk.get_layer(name).get_weights())
    ids_b = R.integers(0, 8, IDS.shape)
    pk = mk.predict([IDS, ids_b], verbose=0)
    pr = mr.predict([IDS, ids_b], verbose=0)
    np.testing.assert_allclose(pr, pk, rtol=1e-5, atol=1e-6)


def test_fit_on_padded_sequences_and_file_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    lengths = rng.integers(1, 7, 16)
    x = np.zeros((16, 6), dtype=np.int64)
    for i, n in enumerate(lengths):
        x[i, :n] = rng.integers(1, 10, n)
    y = rng.integers(0, 2, (16, 1)).astype(np.float32)

    def model(K):
        return K.Sequential([K.Input((6,)), K.layers.Embedding(10, 4, mask_zero=True),
                             K.layers.LSTM(3), K.layers.Dense(1, activation="sigmoid")])
    mk, mr = model(keras), model(rk)
    mr.set_weights(mk.get_weights())
    for m, K in ((mk, keras), (mr, rk)):
        m.compile(optimizer=K.optimizers.SGD(0.5), loss="binary_crossentropy")
    hk = mk.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    hr = mr.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hr, hk, rtol=1e-4)
    # A masked sequence output: Keras weighs the loss by the mask (mean over the
    # real steps), on the fused softmax/cross-entropy path and on mse.
    ys = np.eye(3, dtype=np.float32)[rng.integers(0, 3, (16, 6))]
    for loss, act in (("categorical_crossentropy", "softmax"), ("mse", None)):
        def seq(K, act=act):
            return K.Sequential([K.Input((6,)), K.layers.Embedding(10, 4, mask_zero=True),
                                 K.layers.GRU(3, return_sequences=True),
                                 K.layers.Dense(3, activation=act)])
        sk, sr = seq(keras), seq(rk)
        sr.set_weights(sk.get_weights())
        for m, K in ((sk, keras), (sr, rk)):
            m.compile(optimizer=K.optimizers.SGD(0.5), loss=loss)
        lk = sk.fit(x, ys, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
        lr = sr.fit(x, ys, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
        np.testing.assert_allclose(lr, lk, rtol=1e-4, err_msg=loss)
        np.testing.assert_allclose(sr.evaluate(x, ys, verbose=0), sk.evaluate(x, ys, verbose=0),
                                   rtol=1e-4, err_msg=loss)
        # compute_loss (a custom train_step's) weighs the masked output the same way
        ck = sk.compute_loss(x=x, y=ys, y_pred=sk(x))
        np.testing.assert_allclose(value(sr.compute_loss(x=x, y=ys, y_pred=sr(x))),
                                   value(ck), rtol=1e-5, err_msg=loss)
    # Timeseries: Masking → LSTM(return_sequences) → TimeDistributed(Dense), mse and mae
    # over the real steps.
    xs = rng.standard_normal((16, 6, 3)).astype(np.float32)
    xs[x == 0] = 0.0
    yt = rng.standard_normal((16, 6, 2)).astype(np.float32)

    def series(K):
        return K.Sequential([K.Input((6, 3)), K.layers.Masking(0.0),
                             K.layers.LSTM(4, return_sequences=True),
                             K.layers.TimeDistributed(K.layers.Dense(2))])
    tk, tr = series(keras), series(rk)
    tr.set_weights(tk.get_weights())
    for m, K in ((tk, keras), (tr, rk)):
        m.compile(optimizer=K.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    lk = tk.fit(xs, yt, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    lr = tr.fit(xs, yt, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    for key in lk:
        np.testing.assert_allclose(lr[key], lk[key], rtol=1e-4, err_msg=key)
    path = str(tmp_path / "m.keras")
    mr.save(path)
    back = rk.models.load_model(path)
    assert back.layers[0].mask_zero is True
    np.testing.assert_allclose(back.predict(x, verbose=0), mr.predict(x, verbose=0),
                               rtol=1e-6)
    assert _mask(back.layers[0](x)) is not None


def test_custom_layers_of_keras_masking_guide():
    """The "Understanding masking & padding" guide's layers, on both sides."""
    def layers_of(K):
        class TemporalSplit(K.layers.Layer):
            def call(self, inputs):
                return K.ops.split(inputs, 2, axis=1)

            def compute_mask(self, inputs, mask=None):
                return None if mask is None else K.ops.split(mask, 2, axis=1)

        class TemporalSoftmax(K.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.supports_masking = True

            def call(self, inputs, mask=None):
                m = K.ops.expand_dims(K.ops.cast(mask, "float32"), -1)
                e = K.ops.exp(inputs) * m
                return e / (K.ops.sum(e, axis=-1, keepdims=True) + 1.0)
        return TemporalSplit, TemporalSoftmax
    ids = np.array([[3, 1, 4, 0, 0, 0], [2, 5, 5, 6, 1, 0]])
    results = []
    for K in (keras, rk):
        split, softmax = layers_of(K)
        inp = K.Input((None,), dtype="int32")
        x = K.layers.Embedding(8, 3, mask_zero=True, name="emb")(inp)
        x = K.layers.Dense(1, name="d")(x)
        model = K.Model(inp, softmax()(x))
        first, second = split()(model.get_layer("emb")(ids))
        results.append((model, _mask(first), _mask(second)))
    (mk, fk, sk), (mr, fr, sr) = results
    for name in ("emb", "d"):
        mr.get_layer(name).set_weights(mk.get_layer(name).get_weights())
    np.testing.assert_allclose(mr.predict(ids, verbose=0), mk.predict(ids, verbose=0),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(fr, fk)
    np.testing.assert_array_equal(sr, sk)
    # Lambda: mask= gives the output's mask; without it, the mask is dropped (Keras).
    for K in (keras, rk):
        h = K.layers.Embedding(8, 2, mask_zero=True)(ids)
        kept = K.layers.Lambda(lambda x: x * 2, mask=lambda x, m: m)(h)
        np.testing.assert_array_equal(_mask(kept), ids != 0)
        with pytest.warns(UserWarning, match="does not support masking"):
            assert _mask(K.layers.Lambda(lambda x: x * 2)(h)) is None
    with pytest.warns(UserWarning, match="does not support masking"):
        rk.layers.Flatten()(rk.layers.Embedding(8, 2, mask_zero=True)(ids))


def test_masks_on_a_device(fake_cuda):
    """On device "cuda" (tests/fake_cupy.py) the masks are made and read there: the
    masked chains give the CPU's values, masks and gradients."""
    import retrograd as rg
    x = R.standard_normal((3, 5, 4)).astype(np.float32)
    x[0, 3:] = 0.0
    chains = [lambda L: [L.Embedding(8, 4, mask_zero=True),
                         L.Bidirectional(L.LSTM(3, return_sequences=True)),
                         L.GlobalAveragePooling1D()],
              lambda L: [L.Masking(), L.RNN(L.GRUCell(3), return_sequences=True),
                         L.Concatenate()],
              lambda L: [L.Embedding(8, 4, mask_zero=True), L.MultiHeadAttention(2, 2)]]
    for make in chains:
        cpu, gpu = make(rk.layers), make(rk.layers)
        data = IDS if isinstance(cpu[0], rk.layers.Embedding) else x

        def run(layers, h):
            for layer in layers:
                if isinstance(layer, rk.layers.Concatenate):
                    h = layer([h, h])
                elif isinstance(layer, rk.layers.MultiHeadAttention):
                    h = layer(h, h)
                else:
                    h = layer(h)
            return h
        want = run(cpu, data)
        for layer in gpu:
            layer.to("cuda")
        run(gpu, rg.tensor(data, device="cuda"))
        for a, b in zip(cpu, gpu):
            b.set_weights(a.get_weights())
        got = run(gpu, rg.tensor(data, device="cuda"))
        assert got.device == "cuda"
        np.testing.assert_allclose(value(got.to("cpu")), value(run(cpu, data)), rtol=1e-5,
                                   atol=1e-6)
        assert (_mask(want) is None) == (getattr(got, "_keras_mask", None) is None)
        got.sum().backward()
        assert gpu[-1].trainable_weights == [] or \
            gpu[-1].trainable_weights[0].grad.device == "cuda"


def test_sequence_labels_fit_as_keras():
    """A tagger: (N, T) integer labels for (N, T, C) outputs with sparse cross-entropy
    (from logits; with and without ignore_class=-1 on padded steps) — fit's losses and
    accuracies equal Keras's (the labels were refused as not being of shape (N,))."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, (16, 6))
    y = rng.integers(0, 4, (16, 6))
    y[:, 5] = -1

    def build(K, ignore):
        m = K.Sequential([K.Input((6,)), K.layers.Embedding(20, 8),
                          K.layers.LSTM(8, return_sequences=True), K.layers.Dense(4)])
        m.compile(optimizer=K.optimizers.SGD(0.1), metrics=["accuracy"],
                  loss=K.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                              ignore_class=ignore))
        return m
    for ignore in (None, -1):
        labels = y if ignore is not None else np.where(y < 0, 0, y)
        theirs, ours = build(keras, ignore), build(rk, ignore)
        ours.set_weights(theirs.get_weights())
        a = theirs.fit(x, labels, batch_size=8, epochs=2, verbose=0, shuffle=False).history
        b = ours.fit(x, labels, batch_size=8, epochs=2, verbose=0, shuffle=False).history
        for k in a:
            np.testing.assert_allclose(b[k], a[k], rtol=1e-5)
    with pytest.raises(ValueError, match=r"labels of shape \(16, 6\)"):
        build(rk, None).fit(x, y[:, :5], verbose=0)
