"""The Keras 3 layers a learner meets after Dense and Conv2D — attention
(``MultiHeadAttention``, ``Attention``, ``AdditiveAttention``), ``EinsumDense``,
reshaping, noise and normalisation layers, more convolutions, ``RNN(cell)`` — against
real Keras 3 (PyTorch backend): the same weights (``set_weights``) give the same
outputs and gradients, the weights have Keras's names, shapes and order, configs and
``.keras`` files go both ways, and bad arguments raise Keras's error types.

Table-driven: one test loops over many cases (the suite's time budget)."""
import copy

import numpy as np
import pytest
from keras_parity import import_keras, value

import retrograd as rg
from retrograd import keras as rk
from retrograd.missing import NotSupportedError

keras, torch = import_keras("the attention, reshaping and convolution layers")

R = np.random.default_rng(0)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(value(a), value(b), rtol=tol, atol=tol)


def grads_both(k_layer, r_layer, inputs, call=lambda layer, xs: layer(*xs), **kw):
    """Outputs and gradients of Σ out·w (w fixed) w.r.t. the inputs and the weights,
    on Keras (torch autograd) and retrograd, after copying Keras's weights."""
    tk = [torch.tensor(x, requires_grad=True) for x in inputs]
    ko = call(k_layer, tk)
    call(r_layer, [rg.Tensor(x) for x in inputs])        # built, then Keras's weights
    r_layer.set_weights(k_layer.get_weights())
    tr = [rg.Tensor(x, requires_grad=True) for x in inputs]
    ro = call(r_layer, tr)
    close(ko, ro)
    w = R.standard_normal(tuple(ko.shape)).astype(np.float32)
    (ko * torch.tensor(w)).sum().backward()
    (ro * rg.Tensor(w)).sum().backward()
    for a, b in zip(tk, tr):
        close(a.grad, b.grad, 1e-4)
    for kv, rv in zip(k_layer.trainable_weights, r_layer.trainable_weights):
        close(kv.value.grad, rv.grad, 1e-4)


# -- attention -------------------------------------------------------------------------
def test_multi_head_attention_matches_keras():
    q = R.standard_normal((2, 5, 8)).astype(np.float32)
    v = R.standard_normal((2, 4, 6)).astype(np.float32)
    mask = R.random((2, 5, 4)) > 0.3
    cases = [{"num_heads": 2, "key_dim": 3},
             {"num_heads": 3, "key_dim": 2, "value_dim": 4, "output_shape": 7, "use_bias": False},
             {"num_heads": 2, "key_dim": 3, "use_gate": True, "sliding_window": 2}]
    for kw in cases:
        k, r = keras.layers.MultiHeadAttention(**kw), rk.layers.MultiHeadAttention(**kw)
        k(q, v), r(q, v)
        assert [w.path.split("/", 1)[1] for w in k.weights] == [n for n, _ in
                                                                 r.named_weights()]
        assert [tuple(w.shape) for w in k.weights] == [tuple(w.shape) for w in r.weights]
        assert k.count_params() == r.count_params()
        r.set_weights(k.get_weights())
        vm = R.random((2, 4)) > 0.2
        ko, ks = k(q, v, attention_mask=mask, value_mask=vm, return_attention_scores=True)
        ro, rs = r(q, v, attention_mask=mask, value_mask=vm, return_attention_scores=True)
        close(ko, ro), close(ks, rs)
        if kw.get("use_gate") or kw.get("use_bias") is False:
            grads_both(k, r, [q, v], lambda layer, xs: layer(xs[0], xs[1], key=xs[1]))
    # self-attention with a causal mask; attention over two axes of a 4-D input
    k, r = keras.layers.MultiHeadAttention(2, 3), rk.layers.MultiHeadAttention(2, 3)
    grads_both(k, r, [q], lambda layer, xs: layer(xs[0], xs[0], use_causal_mask=True))
    x4 = R.standard_normal((2, 3, 4, 5)).astype(np.float32)
    k = keras.layers.MultiHeadAttention(2, 3, attention_axes=(1, 2))
    r = rk.layers.MultiHeadAttention(2, 3, attention_axes=(1, 2))
    grads_both(k, r, [x4], lambda layer, xs: layer(xs[0], xs[0]))
    assert r.get_config()["attention_axes"] == k.get_config()["attention_axes"] == (1, 2)
    config = r.get_config()
    assert rk.layers.MultiHeadAttention.from_config(config).get_config() == config
    back = keras.layers.MultiHeadAttention.from_config(copy.deepcopy(config)).get_config()
    assert {c: back[c] for c in ("num_heads", "key_dim", "value_dim", "use_bias",
                                 "output_shape", "use_gate", "sliding_window")} == \
        {c: config[c] for c in ("num_heads", "key_dim", "value_dim", "use_bias",
                                "output_shape", "use_gate", "sliding_window")}


def test_multi_head_attention_refuses_as_keras():
    for arg, kw in (("num_heads", {"num_heads": 0, "key_dim": 2}),
                    ("key_dim", {"num_heads": 2, "key_dim": -1}),
                    ("value_dim", {"num_heads": 2, "key_dim": 2, "value_dim": 0}),
                    ("attention_axes", {"num_heads": 2, "key_dim": 2, "attention_axes": "x"}),
                    ("sliding_window", {"num_heads": 2, "key_dim": 2, "sliding_window": 0})):
        for layers in (keras.layers, rk.layers):
            with pytest.raises(ValueError, match=arg):
                layers.MultiHeadAttention(**kw)
    q, kk = np.zeros((1, 3, 4), np.float32), np.zeros((1, 5, 4), np.float32)
    for layers in (keras.layers, rk.layers):
        with pytest.raises(ValueError, match="value` and `key`"):
            layers.MultiHeadAttention(2, 2)(q, q, key=kk)
    bad = np.ones((1, 3, 2), bool)      # Keras: torch's RuntimeError (its fused kernel)
    with pytest.raises((RuntimeError, ValueError)):
        keras.layers.MultiHeadAttention(2, 2)(q, q, attention_mask=bad)
    with pytest.raises(ValueError, match="broadcastable"):
        rk.layers.MultiHeadAttention(2, 2)(q, q, attention_mask=bad)


def test_attention_and_additive_attention_match_keras():
    q = R.standard_normal((2, 5, 8)).astype(np.float32)
    v = R.standard_normal((2, 4, 8)).astype(np.float32)
    v_mask = R.random((2, 4)) > 0.3
    q_mask = R.random((2, 5)) > 0.3
    for name, kw in (("Attention", {}), ("Attention", {"use_scale": True}),
                     ("Attention", {"use_scale": True, "score_mode": "concat"}),
                     ("AdditiveAttention", {}), ("AdditiveAttention", {"use_scale": False})):
        k, r = getattr(keras.layers, name)(**kw), getattr(rk.layers, name)(**kw)
        k([q, v]), r([q, v])
        assert [w.shape for w in k.weights] == [tuple(w.shape) for w in r.weights]
        k.set_weights([w * 1.3 for w in k.get_weights()])      # not the initial ones
        r.set_weights(k.get_weights())
        ko, ks = k([q, v], mask=[q_mask, v_mask], return_attention_scores=True)
        ro, rs = r([q, v], mask=[q_mask, v_mask], return_attention_scores=True)
        close(ko, ro), close(ks, rs)
        grads_both(k, r, [q, v, v],
                   lambda layer, xs: layer(list(xs), use_causal_mask=True))
        assert r.get_config() == {**k.get_config(), "dtype": "float32", "name": r.name}
        assert r.compute_output_shape([(None, 5, 8), (None, 4, 3)]) == \
            k.compute_output_shape([(None, 5, 8), (None, 4, 3)])
    for layers in (keras.layers, rk.layers):
        with pytest.raises(ValueError, match="score_mode"):
            layers.Attention(score_mode="add")
        with pytest.raises(ValueError, match="list of inputs"):
            layers.Attention()(q)


def test_einsum_dense_matches_keras():
    for eq, out, bias, shape in (("ab,bc->ac", 4, "c", (2, 3)),
                                 ("...b,bc->...c", 4, None, (2, 5, 3)),
                                 ("abc,cde->abde", (5, 2, 4), "de", (2, 5, 3)),
                                 ("abc,cd->abd", (5, 4), "bd", (2, 5, 3)),
                                 ("abc...,cd->abd...", (5, 4, 6), "d", (2, 5, 3, 6))):
        x = R.standard_normal(shape).astype(np.float32)
        k = keras.layers.EinsumDense(eq, out, bias_axes=bias, activation="relu")
        r = rk.layers.EinsumDense(eq, out, bias_axes=bias, activation="relu")
        k(x), r(x)
        assert [tuple(w.shape) for w in k.weights] == [tuple(w.shape) for w in r.weights]
        grads_both(k, r, [x])
        s = (None,) + shape[1:]
        assert r.compute_output_shape(s) == k.compute_output_shape(s)
        config = r.get_config()
        assert rk.layers.EinsumDense.from_config(config).get_config() == config
        assert keras.layers.EinsumDense.from_config(config).get_config()["equation"] == eq
    # The kernel's fans are Keras's (input axes, output axes), not a matrix's last two.
    w = rk.layers.EinsumDense("abc,cde->abde", (5, 64, 64))
    w.build((None, 5, 4))
    limit = np.sqrt(6 / (4 + 64 * 64))
    assert np.abs(w.kernel.numpy()).max() <= limit
    assert np.abs(w.kernel.numpy()).max() > 0.9 * limit
    for layers in (keras.layers, rk.layers):
        with pytest.raises(ValueError, match="Invalid einsum equation"):
            layers.EinsumDense("ab->b", 3).build((None, 2))
        with pytest.raises(ValueError, match="Bias dimension 'x'"):
            layers.EinsumDense("ab,bc->ac", 3, bias_axes="x").build((None, 2))


# -- the keras-io "Text classification with Transformer" model --------------------------
def _transformer_classifier(K, maxlen=6, vocab=20, embed_dim=8, rate=0.0):
    L, ops = K.layers, K.ops

    class TransformerBlock(L.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
            super().__init__()
            self.att = L.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.ffn = K.Sequential([L.Dense(ff_dim, activation="relu"), L.Dense(embed_dim)])
            self.layernorm1 = L.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = L.LayerNormalization(epsilon=1e-6)
            self.dropout1, self.dropout2 = L.Dropout(rate), L.Dropout(rate)

        def call(self, inputs):
            attn_output = self.dropout1(self.att(inputs, inputs))
            out1 = self.layernorm1(inputs + attn_output)
            ffn_output = self.dropout2(self.ffn(out1))
            return self.layernorm2(out1 + ffn_output)

    class TokenAndPositionEmbedding(L.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim):
            super().__init__()
            self.token_emb = L.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = L.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            positions = self.pos_emb(ops.arange(start=0, stop=ops.shape(x)[-1], step=1))
            return self.token_emb(x) + positions

    inputs = L.Input(shape=(maxlen,))
    x = TokenAndPositionEmbedding(maxlen, vocab, embed_dim)(inputs)
    x = TransformerBlock(embed_dim, 2, 16, rate)(x)
    x = L.GlobalAveragePooling1D()(x)
    x = L.Dropout(rate)(x)
    x = L.Dense(20, activation="relu")(x)
    x = L.Dropout(rate)(x)
    model = K.Model(inputs=inputs, outputs=L.Dense(2, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_transformer_text_classifier_trains_as_keras():
    km, rm = _transformer_classifier(keras), _transformer_classifier(rk)
    assert [tuple(w.shape) for w in km.weights] == [tuple(w.shape) for w in rm.weights]
    assert km.count_params() == rm.count_params()
    rm.set_weights(km.get_weights())
    x, y = R.integers(0, 20, (8, 6)), R.integers(0, 2, 8)
    close(km(x), rm(x))                 # (a call: Keras's predict costs 0.2-0.5 s)
    hk = km.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    hr = rm.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hr["loss"], hk["loss"], rtol=1e-4)    # 2 steps of Adam
    close(km(x), rm(x), 1e-4)


def test_keras_files_both_ways(tmp_path):
    """One model of new layers (MHA, stacked cells, separable convolution, group
    normalisation, up-sampling) saved by each library and loaded by the other."""
    pytest.importorskip("h5py", reason="Keras 3 files are HDF5 inside a zip")

    def model(K):
        L = K.layers
        inp = K.Input((5, 8))
        x = L.MultiHeadAttention(2, 4, value_dim=3)(inp, inp, use_causal_mask=True)
        x = L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_sequences=True)(x)
        x = L.GroupNormalization(3)(L.SeparableConv1D(6, 2)(L.UpSampling1D()(x)))
        return K.Model(inp, L.Dense(2)(x))
    x = R.standard_normal((2, 5, 8)).astype(np.float32)
    km, rm = model(keras), model(rk)
    rm.save(tmp_path / "r.keras")
    back = keras.models.load_model(tmp_path / "r.keras")
    close(back.predict(x, verbose=0), rm.predict(x, verbose=0))
    km.save(tmp_path / "k.keras")
    ours = rk.models.load_model(tmp_path / "k.keras")
    close(km.predict(x, verbose=0), ours.predict(x, verbose=0))
    assert type(ours.layers[1]).__name__ == "MultiHeadAttention"
    assert ours.layers[1].get_config()["value_dim"] == 3
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in km.weights]


# -- reshaping -----------------------------------------------------------------------------
def _layer_pair(name, *args, **kwargs):
    return (getattr(keras.layers, name)(*args, **kwargs),
            getattr(rk.layers, name)(*args, **kwargs))


def test_reshaping_layers_match_keras():
    x3 = R.standard_normal((2, 5, 3)).astype(np.float32)
    x4 = R.standard_normal((2, 4, 5, 3)).astype(np.float32)
    x5 = R.standard_normal((2, 4, 5, 3, 2)).astype(np.float32)
    x2 = R.standard_normal((2, 3)).astype(np.float32)
    # (the 3-D pooling layers: 2-D pooling over (H, W), then windows over D)
    cases = [(x3, "ZeroPadding1D", (), {}), (x3, "ZeroPadding1D", ((1, 2),), {}),
             (x5, "ZeroPadding3D", (), {}),
             (x5, "ZeroPadding3D", (((1, 0), (0, 2), (1, 1)),), {"data_format":
                                                                  "channels_first"}),
             (x3, "Cropping1D", (), {}), (x3, "Cropping1D", ((0, 2),), {}),
             (x4, "Cropping2D", (((1, 0), (2, 1)),), {}), (x4, "Cropping2D", (1,), {}),
             (x4, "Cropping2D", ((1, 1),), {"data_format": "channels_first"}),
             (x5, "Cropping3D", (), {}), (x3, "UpSampling1D", (3,), {}),
             (x4, "UpSampling2D", (), {}), (x4, "UpSampling2D", ((2, 3),), {}),
             (x4, "UpSampling2D", ((3, 2),), {"interpolation": "bilinear"}),
             (x4, "UpSampling2D", (2,), {"interpolation": "bilinear",
                                         "data_format": "channels_first"}),
             (x5, "UpSampling3D", ((1, 2, 3),), {}), (x5, "MaxPooling3D", (), {}),
             (x5, "MaxPooling3D", ((3, 2, 1), (1, 2, 1)), {}),
             (x5, "AveragePooling3D", (2,), {"data_format": "channels_first"}),
             (x5, "GlobalAveragePooling3D", (), {}),
             (x5, "GlobalMaxPooling3D", (), {"keepdims": True}),
             (x3, "AdaptiveAveragePooling1D", (3,), {}),
             (x4, "AdaptiveMaxPooling2D", ((3, 2),), {"data_format": "channels_first"}),
             (x5, "AdaptiveAveragePooling3D", (2,), {}),
             (x5, "AdaptiveMaxPooling3D", ((3, 2, 2),), {}),
             (x2, "RepeatVector", (4,), {}), (x4, "Permute", ((3, 1, 2),), {}),
             (x3, "Permute", ((2, 1),), {})]
    for x, name, args, kwargs in cases:
        k, r = _layer_pair(name, *args, **kwargs)
        grads_both(k, r, [x])
        shape = (None,) + x.shape[1:]
        assert tuple(r.compute_output_shape(shape)) == tuple(k.compute_output_shape(shape))
        config = r.get_config()
        assert getattr(rk.layers, name).from_config(config).get_config() == config
        kc = k.get_config()
        assert {c: v for c, v in config.items() if c not in ("name", "dtype")} == \
            {c: (tuple(v) if isinstance(v, list) else v) for c, v in kc.items()
             if c not in ("name", "dtype")}, name
    for name, args in (("RepeatVector", (0,)), ("Permute", ((1, 3),)),
                       ("Cropping2D", ((1, 2, 3),))):
        for layers in (keras.layers, rk.layers):
            with pytest.raises(ValueError):
                getattr(layers, name)(*args)
    for layers in (keras.layers, rk.layers):
        with pytest.raises(ValueError):
            layers.Cropping1D((3, 3))(x3)
        with pytest.raises(TypeError):
            layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="interpolation"):    # Keras: only at the call
        rk.layers.UpSampling2D(interpolation="foo")
    with pytest.raises(NotSupportedError, match="bicubic"):
        rk.layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(NotSupportedError, match="same"):
        rk.layers.MaxPooling3D(padding="same")


# -- normalisation, noise, masking -----------------------------------------------------------
def test_normalization_layers_match_keras():
    x3 = R.standard_normal((2, 5, 6)).astype(np.float32)
    x4 = R.standard_normal((2, 3, 4, 6)).astype(np.float32) * 2 + 1
    cases = [(x3, "UnitNormalization", {}), (x4, "UnitNormalization", {"axis": [1, 2]}),
             (x3, "RMSNormalization", {}), (x4, "RMSNormalization", {"axis": [2, 3]}),
             (x4, "GroupNormalization", {"groups": 3}),
             (x4, "GroupNormalization", {"groups": -1, "epsilon": 1e-5}),
             (x4, "GroupNormalization", {"groups": 3, "axis": 1, "center": False}),
             (x3, "GroupNormalization", {"groups": 1, "scale": False})]
    for x, name, kwargs in cases:
        k, r = _layer_pair(name, **kwargs)
        k(x)
        if k.weights:          # not the initial ones (ones, zeros)
            k.set_weights([w + R.standard_normal(w.shape).astype(np.float32)
                           for w in k.get_weights()])
        grads_both(k, r, [x])
        assert [w.path.split("/", 1)[1] for w in k.weights] == [n for n, _ in
                                                                 r.named_weights()]
        config = r.get_config()
        assert getattr(rk.layers, name).from_config(config).get_config() == config
    for layers in (keras.layers, rk.layers):
        with pytest.raises(ValueError, match="cannot be more than"):
            layers.GroupNormalization(groups=8)(x3)
        with pytest.raises(ValueError, match="multiple"):
            layers.GroupNormalization(groups=4)(x3)
        with pytest.raises(TypeError):
            layers.UnitNormalization(axis="x")


def test_noise_layers_infer_as_identity_and_train_with_their_statistics():
    x = R.standard_normal((400, 50)).astype(np.float32)
    for name, arg in (("GaussianNoise", 0.3), ("GaussianDropout", 0.3),
                      ("AlphaDropout", 0.3)):
        k, r = _layer_pair(name, arg, seed=1)
        close(k(x), r(x))                       # inference: y = x, as Keras
        assert r.get_config() == {**k.get_config(), "dtype": "float32", "name": r.name}
        with pytest.raises(ValueError):
            getattr(rk.layers, name)(1.5)
        with pytest.raises(ValueError):
            getattr(keras.layers, name)(1.5)
        y = value(r(x, training=True))
        yk = value(k(x, training=True))
        if name == "GaussianNoise":
            d, dk = y - x, yk - x
            assert abs(d.std() - 0.3) < 0.01 and abs(d.std() - dk.std()) < 0.015
        elif name == "GaussianDropout":
            assert abs(np.median(y / x) - 1) < 0.02
            np.testing.assert_allclose(np.std(y - x), np.std(yk - x), rtol=0.05)
        else:                   # keeps a standard normal input at mean 0, variance 1
            assert abs(y.mean()) < 0.03 and abs(y.std() - 1) < 0.03
            assert abs(y.std() - yk.std()) < 0.04
    # the gradient of a noise layer is that of its draw: ∂(x + ε)/∂x = 1, ∂(xε)/∂x = ε
    t = rg.Tensor(x[:3, :4], requires_grad=True)
    layer = rk.layers.GaussianDropout(0.5, seed=0)
    out = layer(t, training=True)
    out.sum().backward()
    close(t.grad, value(out) / x[:3, :4])


def test_activity_regularization_masking_identity_match_keras():
    x = R.standard_normal((2, 4, 3)).astype(np.float32)
    k, r = _layer_pair("ActivityRegularization", l1=0.01, l2=0.1)
    close(k(x), r(x))
    np.testing.assert_allclose(sum(value(l) for l in r.losses),
                               sum(value(l) for l in k.losses), rtol=1e-5)
    assert r.get_config() == {**k.get_config(), "dtype": "float32", "name": r.name}
    xm = x.copy()
    xm[0, 1] = 0.0
    xm[1, 3] = 0.0
    k, r = _layer_pair("Masking", mask_value=0.0)
    close(k(xm), r(xm))
    k, r = _layer_pair("Identity")
    close(k(x), r(x))
    # Keras's mask is propagated: the attention hides the masked steps.
    inp = rk.Input((4, 3))
    y = rk.layers.Masking()(inp)
    model = rk.Model(inp, rk.layers.MultiHeadAttention(1, 2)(y, y))
    assert y._keras_mask.shape == (None, 4)
    assert model.predict(xm, verbose=0).shape == (2, 4, 3)


# -- InputSpec -------------------------------------------------------------------------------
def test_input_spec_as_keras():
    from keras.src.layers.input_spec import assert_input_compatibility as keras_check

    from retrograd.keras.input_spec import assert_input_compatibility
    assert rk.InputSpec is rk.layers.InputSpec
    specs = [{"ndim": 3}, {"shape": (None, 4, 2)}, {"min_ndim": 2, "axes": {-1: 2}},
             {"max_ndim": 2}, {"dtype": "float32", "ndim": 3},
             {"shape": (None, 4, 1), "allow_last_axis_squeeze": True}]
    x = np.zeros((2, 4, 2), np.float32)
    for kw in specs:
        k, r = keras.InputSpec(**kw), rk.InputSpec(**kw)
        assert repr(r) == repr(k)
        assert r.get_config() == k.get_config()
        for arr in (x, x[..., :1], x[0], x.astype(np.int32)):
            try:
                keras_check(k, torch.tensor(arr), "l")
                ok = True
            except ValueError:
                ok = False
            if ok:
                assert_input_compatibility(r, arr, "l")
            else:
                with pytest.raises(ValueError, match="of layer 'l' is incompatible"):
                    assert_input_compatibility(r, arr, "l")
    for K in (keras, rk):
        with pytest.raises(TypeError, match="integer keys"):
            K.InputSpec(axes={"a": 1})
        with pytest.raises(ValueError, match="maximum allowed"):
            K.InputSpec(ndim=2, axes={3: 1})


def _spec_layer(K):
    class Rank3(K.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.input_spec = K.InputSpec(ndim=3)

        def call(self, x):
            return x * 2.0
    return Rank3()


def test_input_spec_is_checked_at_call():
    for K in (keras, rk):
        layer = _spec_layer(K)
        layer(np.zeros((2, 3, 4), np.float32))
        with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
            layer(np.zeros((2, 3), np.float32))
        with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
            _spec_layer(K)(K.Input((3,)))


# -- convolutions ----------------------------------------------------------------------------
def test_more_convolutions_match_keras():
    x1 = R.standard_normal((2, 9, 3)).astype(np.float32)
    x2 = R.standard_normal((2, 7, 8, 3)).astype(np.float32)
    x5 = R.standard_normal((1, 4, 5, 4, 4)).astype(np.float32)
    cases = [("Conv1DTranspose", (4, 3), {"strides": 2, "padding": "same"}, x1),
             ("Conv1DTranspose", (4, 3), {"strides": 3, "output_padding": 1,
                                              "data_format": "channels_first"}, x1),
             ("DepthwiseConv2D", (3,), {"depth_multiplier": 2, "strides": 2, "padding": "same"},
              x2),
             ("DepthwiseConv1D", (3,), {"dilation_rate": 2, "depth_multiplier": 3}, x1),
             ("SeparableConv1D", (5, 3), {"padding": "same", "strides": 2}, x1),
             ("SeparableConv2D", (5, 3), {"data_format": "channels_first", "activation": "relu",
                                              "depth_multiplier": 2}, x2),
             ("Conv3D", (3, (3, 2, 2)), {"strides": (2, 1, 2), "padding": "same"}, x5),
             ("Conv3D", (2, 2), {"dilation_rate": (2, 1, 2), "groups": 2,
                                     "data_format": "channels_first"}, x5),
             ("Conv3DTranspose", (2, (3, 2, 2)), {"strides": (2, 1, 2), "padding": "same"}, x5),
             ("Conv3DTranspose", (2, 3), {"strides": 2, "output_padding": (1, 0, 1),
                                              "data_format": "channels_first"}, x5)]
    for name, args, kwargs, x in cases:
        k, r = _layer_pair(name, *args, **kwargs)
        k(x)
        k.set_weights([w + 0.1 for w in k.get_weights()])      # a non-zero bias
        grads_both(k, r, [x])
        assert [w.path.split("/", 1)[1] for w in k.weights] == [n for n, _ in
                                                                 r.named_weights()]
        shape = (None,) + x.shape[1:]
        assert r.compute_output_shape(shape) == tuple(k.compute_output_shape(shape))
        kc, rc = k.get_config(), r.get_config()
        assert {c: v for c, v in rc.items() if not c.endswith("initializer")} == {
            c: v for c, v in kc.items() if not c.endswith("initializer") and
            c not in ("name", "dtype")} | {"name": r.name, "dtype": "float32"}, name
        assert getattr(rk.layers, name).from_config(rc).get_config() == rc
    assert rk.layers.Convolution2D is rk.layers.Conv2D
    assert rk.layers.Convolution3D is rk.layers.Conv3D
    assert rk.layers.Convolution3DTranspose is rk.layers.Conv3DTranspose
    assert rk.layers.SeparableConvolution1D is rk.layers.SeparableConv1D
    for layers in (keras.layers, rk.layers):
        with pytest.raises(ValueError):
            layers.DepthwiseConv1D(3, padding="causal")
        with pytest.raises(ValueError):
            layers.SeparableConv2D(0, 3)


# -- RNN(cell) -------------------------------------------------------------------------------
def _minimal_cell(K):
    """The keras-io guide's user-written cell."""
    class MinimalRNNCell(K.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="uniform",
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            prev_output = states[0]
            h = K.ops.matmul(inputs, self.kernel)
            output = h + K.ops.matmul(prev_output, self.recurrent_kernel)
            return output, [output]
    return MinimalRNNCell


def test_rnn_with_cells_matches_keras():
    x = R.standard_normal((2, 5, 3)).astype(np.float32)

    def layers(K):
        L = K.layers
        return [L.RNN(L.SimpleRNNCell(4), return_sequences=True),
                L.RNN(L.LSTMCell(4, unit_forget_bias=False)),
                L.RNN(L.GRUCell(4, reset_after=False), go_backwards=True),
                L.RNN(L.GRUCell(4)),
                L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_sequences=True),
                L.RNN(_minimal_cell(K)(4), return_sequences=True),
                L.RNN([_minimal_cell(K)(4), _minimal_cell(K)(2)])]
    for k, r in zip(layers(keras), layers(rk)):
        grads_both(k, r, [x])
        assert [tuple(w.shape) for w in k.weights] == [tuple(w.shape) for w in r.weights]
        s = (None, 5, 3)
        assert r.compute_output_shape(s) == tuple(k.compute_output_shape(s))
    # return_state: [output, *states], a list of states per cell for stacked cells
    for make in (lambda L: L.RNN(L.LSTMCell(4), return_state=True),
                 lambda L: L.RNN([L.LSTMCell(4), L.SimpleRNNCell(2)], return_state=True)):
        k, r = make(keras.layers), make(rk.layers)
        ko = k(x)
        r(x)
        r.set_weights(k.get_weights())
        ro = r(x)
        assert len(ro) == len(ko)
        for a, b in zip(ko, ro):
            for u, v in zip(*(([a], [b]) if not isinstance(a, (list, tuple)) else (a, b))):
                close(u, v)
    # RNN(LSTMCell(n)) is LSTM(n), the same weights
    lstm, rnn = rk.layers.LSTM(4), rk.layers.RNN(rk.layers.LSTMCell(4))
    lstm(x), rnn(x)
    rnn.set_weights(lstm.get_weights())
    close(lstm(x), rnn(x))
    # configs round trip, cells included (the user's cell through custom_objects)
    cell_cls = _minimal_cell(rk)
    for layer in (rk.layers.RNN(rk.layers.LSTMCell(4), return_sequences=True),
                  rk.layers.RNN([rk.layers.GRUCell(4), rk.layers.SimpleRNNCell(2)])):
        config = layer.get_config()
        assert rk.layers.RNN.from_config(config).get_config() == config
        kc = keras.layers.RNN.from_config(copy.deepcopy(config)).get_config()
        assert kc["cell"]["class_name"] == config["cell"]["class_name"]
    assert cell_cls(3).state_size == 3
    for K in (keras, rk):
        with pytest.raises(ValueError, match="state_size"):
            K.layers.RNN(K.layers.Dense(3))


def test_rnn_in_a_model_trains_as_keras():
    def model(K):
        inp = K.Input((5, 3))
        x = K.layers.RNN(K.layers.LSTMCell(4), return_sequences=True)(inp)
        x = K.layers.RNN(_minimal_cell(K)(3))(x)
        m = K.Model(inp, K.layers.Dense(1)(x))
        m.compile(optimizer="sgd", loss="mse")
        return m
    km, rm = model(keras), model(rk)
    assert km.count_params() == rm.count_params()
    rm.set_weights(km.get_weights())
    x, y = R.standard_normal((8, 5, 3)).astype(np.float32), R.standard_normal((8, 1))
    hk = km.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    hr = rm.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hr["loss"], hk["loss"], rtol=1e-4)


def test_layers_on_a_device(fake_cuda):
    """The layers' arrays (masks, interpolation matrices, noise, states) are made on
    the inputs' device: on device "cuda" (the fake CuPy of tests/fake_cupy.py) each
    gives the CPU's values and gradients on the device."""
    x3 = R.standard_normal((2, 5, 4)).astype(np.float32)
    x4 = R.standard_normal((2, 3, 4, 2)).astype(np.float32)
    cases = [(lambda L: L.MultiHeadAttention(2, 3),
              lambda l, x: l(x, x, use_causal_mask=True, attention_mask=np.ones((2, 5, 5)))),
             (lambda L: L.Attention(), lambda l, x: l([x, x], use_causal_mask=True)),
             (lambda L: L.UpSampling2D(2, interpolation="bilinear"), None),
             (lambda L: L.UpSampling2D(2), None), (lambda L: L.Cropping2D(1), None),
             (lambda L: L.Masking(), None), (lambda L: L.GroupNormalization(2), None),
             (lambda L: L.SeparableConv2D(3, 2), None),
             (lambda L: L.RNN([L.LSTMCell(3), L.GRUCell(2)]), None)]
    for make, call in cases:
        call = call or (lambda l, x: l(x))
        cpu, gpu = make(rk.layers), make(rk.layers)
        x = x4 if "2D" in type(cpu).__name__ or type(cpu).__name__ == "GroupNormalization" \
            else x3
        want = call(cpu, x)
        call(gpu.to("cuda"), rg.tensor(x, device="cuda"))
        gpu.set_weights(cpu.get_weights())
        t = rg.tensor(x, device="cuda", requires_grad=True)
        got = call(gpu, t)
        assert got.device == "cuda"
        close(want, got.to("cpu"))
        got.sum().backward()
        assert t.grad.device == "cuda"
    t = rg.tensor(x3, device="cuda")
    assert rk.layers.GaussianNoise(0.1)(t, training=True).device == "cuda"
    assert rk.layers.AlphaDropout(0.1)(t, training=True).device == "cuda"


def test_cell_dropout_one_mask_per_sequence():
    x = R.standard_normal((3, 6, 4)).astype(np.float32)
    for name, kw in (("SimpleRNNCell", {}), ("LSTMCell", {}),
                     ("GRUCell", {"reset_after": False})):
        def make(K, name=name, kw=kw):
            return K.layers.RNN(getattr(K.layers, name)(5, dropout=0.5, recurrent_dropout=0.3,
                                                        seed=1, **kw))
        k, r = make(keras), make(rk)
        grads_both(k, r, [x])                   # inference: no dropout, Keras's values
        cell = r.cell
        assert {c: v for c, v in cell.get_config().items() if c != "name"} == {
            c: v for c, v in k.cell.get_config().items()
            if c not in ("name", "dtype") and not c.endswith("initializer")} | {
            c: v for c, v in cell.get_config().items() if c.endswith("initializer")} | {
            "dtype": "float32"}
        assert np.abs(value(r(x, training=True)) - value(r(x))).max() > 1e-3
        # a cell called alone keeps its masks until reset, as Keras's
        s = cell.get_initial_state(3)
        a, b = (value(cell(x[:, 0], s, training=True)[0]) for _ in range(2))
        np.testing.assert_array_equal(a, b)
        assert set(np.unique(value(cell._dropout_mask))) == {0.0, 2.0}
        cell.reset_dropout_mask()
        assert cell._dropout_mask is None
