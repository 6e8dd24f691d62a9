"""Keras models used as layers (a ``Sequential`` or functional model called on symbolic
tensors, put in a ``Sequential``, frozen with ``trainable = False``, saved nested) and
subclassed models whose ``call`` takes and returns lists or dicts."""
import copy
import numpy as np
import pytest

from retrograd import keras
from retrograd.keras import layers
from retrograd.ops.shape import concatenate


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype(np.float32)
    return x, rng.integers(0, 3, n)


def base_model(name="base"):
    """Dense(16, relu) → Dense(6, tanh) on 8 features, as a functional model."""
    inp = keras.Input(shape=(8,), name="pixels")
    h = layers.Dense(16, activation="relu", name="hidden")(inp)
    return keras.Model(inp, layers.Dense(6, activation="tanh", name="features")(h), name=name)


def transfer_model(base, training=None):
    inp = keras.Input(shape=(8,))
    h = base(inp) if training is None else base(inp, training=training)
    return keras.Model(inp, layers.Dense(3, activation="softmax", name="head")(h),
                       name="classifier")


def by_hand(weights, x):
    """The classifier's output from its get_weights() (float64): base, then head."""
    k1, b1, k2, b2, k3, b3 = [w.astype(np.float64) for w in weights]
    h = np.tanh(np.maximum(x @ k1 + b1, 0) @ k2 + b2)
    s = h @ k3 + b3
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# -- a model called on symbolic tensors -------------------------------------------------------


def test_nested_model_computes_its_layers_and_lists_its_weights_in_place():
    keras.utils.set_random_seed(0)
    base = base_model()
    model = transfer_model(base)
    x, _ = data()
    assert [l.name for l in model.layers] == ["input_layer", "base", "head"]
    assert model.get_layer("base") is base and model.output_shape == (None, 3)
    weights = model.get_weights()      # Keras's order: layer by layer, base's in place
    assert [w.shape for w in weights] == [(8, 16), (16,), (16, 6), (6,), (6, 3), (3,)]
    for a, b in zip(weights[:4], base.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(model.predict(x, verbose=0), by_hand(weights, x), atol=1e-6)
    np.testing.assert_allclose(model(x).numpy(), by_hand(weights, x), atol=1e-6)
    # set_weights reaches the nested model's layers
    new = [np.random.default_rng(i).normal(size=w.shape).astype(np.float32)
           for i, w in enumerate(weights)]
    model.set_weights(new)
    np.testing.assert_array_equal(base.get_layer("hidden").kernel.numpy(), new[0])
    np.testing.assert_allclose(model.predict(x, verbose=0), by_hand(new, x), atol=1e-6)
    assert [n for n, _ in model.named_weights()] == [
        "base/hidden/kernel", "base/hidden/bias", "base/features/kernel",
        "base/features/bias", "head/kernel", "head/bias"]


def test_summary_shows_the_nested_model_as_one_row_with_its_parameters():
    base = base_model()
    model = transfer_model(base)
    base.trainable = False
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "│ base (Functional)" in text and "│ (None, 6)" in text
    row = next(l for l in lines if "base (Functional)" in l)
    assert row.split("│")[3].strip() == "246"          # 8·16 + 16 + 16·6 + 6
    assert "hidden" not in text                          # one row, as Keras draws it
    assert " Trainable params: 21 (84.00 B)" in lines
    assert " Non-trainable params: 246 (984.00 B)" in lines


def test_frozen_base_is_unchanged_by_fit_and_the_head_learns():
    keras.utils.set_random_seed(1)
    base = base_model()
    model = transfer_model(base)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    base.trainable = False                  # after compile: fit follows the flag
    assert all(not l.trainable for l in base.layers)
    assert [w.shape for w in model.trainable_weights] == [(6, 3), (3,)]
    assert len(model.non_trainable_weights) == 4 and base.trainable_weights == []
    x, y = data()
    before = model.get_weights()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    after = model.get_weights()
    for a, b in zip(before[:4], after[:4]):
        np.testing.assert_array_equal(a, b)              # bit for bit
    assert all(not np.array_equal(a, b) for a, b in zip(before[4:], after[4:]))
    # Fine-tuning: unfreeze the base but its first layer; fit trains exactly those.
    base.trainable = True
    base.get_layer("hidden").trainable = False
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    tuned = model.get_weights()
    np.testing.assert_array_equal(tuned[0], after[0])
    np.testing.assert_array_equal(tuned[1], after[1])
    assert not np.array_equal(tuned[2], after[2]) and not np.array_equal(tuned[4], after[4])


def test_a_model_called_twice_shares_its_weights_and_accumulates_gradients():
    encoder = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, name="proj")],
                               name="encoder")
    a, b = keras.Input(shape=(4,), name="a"), keras.Input(shape=(4,), name="b")
    model = keras.Model([a, b], layers.Add()([encoder(a), encoder(b)]))
    assert [l.name for l in model.layers] == ["a", "b", "encoder", "add"]
    assert model.count_params() == 15
    rng = np.random.default_rng(2)
    xa, xb = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    k, bias = encoder.get_weights()
    out = model([xa, xb])
    np.testing.assert_allclose(out.numpy(), (xa + xb) @ k + 2 * bias, atol=1e-5)
    out.sum().backward()
    kernel = encoder.get_layer("proj").kernel
    # ∂Σ/∂K = xaᵀ 1 + xbᵀ 1: both calls add their gradient to the one kernel
    np.testing.assert_allclose(kernel.grad.numpy(),
                               np.repeat((xa + xb).sum(axis=0)[:, None], 3, axis=1), atol=1e-5)
    lines = []
    model.summary(print_fn=lines.append)
    assert any("encoder[0][0]" in l for l in lines) and any("encoder[1][0]" in l for l in lines)


def test_training_false_keeps_the_nested_model_in_inference_mode():
    """base(inputs, training=False): its dropout is off even while the outer trains."""
    inp = keras.Input(shape=(8,))
    base = keras.Model(inp, layers.Dropout(0.9)(layers.Dense(6, name="d")(inp)), name="base")
    x, _ = data(n=6)
    for training in (False, None):
        outer_in = keras.Input(shape=(8,))
        h = base(outer_in) if training is None else base(outer_in, training=training)
        model = keras.Model(outer_in, layers.Dense(2, name="head")(h))
        keras.utils.set_random_seed(3)
        same = np.allclose(model(x, training=True).numpy(), model(x, training=False).numpy())
        assert same == (training is False)
        model.eval()
        model(x, training=True)
        assert not model.training and not base.training     # modes restored after a call


def test_a_multi_input_model_called_on_a_list_or_a_dict():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    inner = keras.Model([a, b], layers.Dense(4, name="mix")(layers.Concatenate()([a, b])),
                        name="inner")
    p, q = keras.Input(shape=(3,), name="p"), keras.Input(shape=(2,), name="q")
    by_list = keras.Model([p, q], inner([p, q]))
    by_dict = keras.Model([p, q], inner({"b": q, "a": p}))
    rng = np.random.default_rng(4)
    xp, xq = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    k, bias = inner.get_weights()
    expected = np.concatenate([xp, xq], axis=1) @ k + bias
    for m in (by_list, by_dict):
        np.testing.assert_allclose(m.predict([xp, xq], verbose=0), expected, atol=1e-5)


# -- a model inside a Sequential -------------------------------------------------------------


def test_a_model_as_a_layer_of_a_sequential_trains_saves_and_loads(tmp_path):
    keras.utils.set_random_seed(5)
    base = base_model()
    model = keras.Sequential([base, layers.Dense(3, activation="softmax", name="head")])
    assert model.built and model.input_shape == (None, 8)
    x, y = data()
    np.testing.assert_allclose(model.predict(x, verbose=0), by_hand(model.get_weights(), x),
                               atol=1e-6)
    base.trainable = False
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    frozen = base.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(frozen, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    lines = []
    model.summary(print_fn=lines.append)
    assert any(l.startswith("│ base (Functional)") and "246" in l for l in lines)
    path = tmp_path / "seq.retrograd"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[0]).__name__ == "Functional"
    assert not loaded.layers[0].trainable and len(loaded.trainable_weights) == 2
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    loaded.fit(x, y, epochs=1, verbose=0)       # the optimizer resumes over the head only
    for a, b in zip(frozen, loaded.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_nested_functional_model_saves_and_loads_with_its_calls(tmp_path):
    keras.utils.set_random_seed(6)
    base = base_model()
    model = transfer_model(base, training=False)
    base.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.retrograd"
    model.save(path)
    config = model.get_config()
    spec = next(l for l in config["layers"] if l["name"] == "base")
    assert spec["class_name"] == "Functional" and spec["config"]["trainable"] is False
    assert spec["inbound_nodes"][0]["kwargs"] == {"training": False}   # Keras 3's form
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [w.shape for w in loaded.trainable_weights] == [(6, 3), (3,)]
    assert [l.name for l in loaded.get_layer("base").layers] == ["pixels", "hidden",
                                                                 "features"]
    # The two continue alike: the same optimizer state, the base still frozen.
    for m in (model, loaded):
        keras.utils.set_random_seed(7)
        m.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_a_file_whose_nested_weights_do_not_fit_is_refused(tmp_path):
    from retrograd import serialization
    from retrograd.serialization import ModelFileError
    model = transfer_model(base_model())
    path = tmp_path / "m.retrograd"
    model.save(path)
    header, arrays = serialization.load(path)
    arrays["base/hidden/kernel"] = np.zeros((8, 5), dtype=np.float32)
    serialization.save(path, {k: v for k, v in header.items()
                              if k not in ("format", "version")}, arrays)
    with pytest.raises(ModelFileError, match=r"base/hidden/kernel has shape \(8, 5\)"):
        keras.models.load_model(path)


# -- errors naming the nested model ----------------------------------------------------------


def test_wrong_inputs_of_a_nested_model_are_refused_naming_it():
    base = base_model()
    with pytest.raises(ValueError, match=r'Input 0 of Functional model "base" is '
                                         r"incompatible.*expected shape=\(None, 8\), found "
                                         r"shape=\(None, 5\)"):
        base(keras.Input(shape=(5,)))
    with pytest.raises(ValueError, match=r"Functional 'base' has 1 input\(s\) \['pixels'\], "
                                         r"but it was called on 2 symbolic tensor"):
        base([keras.Input(shape=(8,)), keras.Input(shape=(8,))])
    with pytest.raises(ValueError, match=r"call of Functional 'base'.*received input with "
                                         r"shape \(None, 5\)"):
        base(np.zeros((2, 5), dtype=np.float32))
    model = keras.Sequential([base])
    with pytest.raises(ValueError, match=r"call of Functional 'base'.*\(None, 5\)"):
        model.layers[0](np.zeros((2, 5), dtype=np.float32))
    with pytest.raises(TypeError, match="takes only training="):
        base(keras.Input(shape=(8,)), mask=None)
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
    two = keras.Model([a, b], layers.Add()([a, b]), name="two")
    with pytest.raises(ValueError, match=r"Sequential.add: Functional model 'two' has inputs"):
        keras.Sequential([two])
    with pytest.raises(ValueError, match=r"Functional 'two' has 2 input\(s\) \['a', 'b'\]"):
        two(keras.Input(shape=(3,)))


# -- subclassed models with several inputs and outputs ---------------------------------------


class TwoTower(keras.Model):
    """Two inputs (a list) → two outputs (a list): classes and a regression."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.left = layers.Dense(8, activation="relu")
        self.right = layers.Dense(8, activation="relu")
        self.cls = layers.Dense(3, activation="softmax")
        self.reg = layers.Dense(1)

    def call(self, inputs):
        h = concatenate([self.left(inputs[0]), self.right(inputs[1])], axis=-1)
        return [self.cls(h), self.reg(h)]


def two_tower_functional():
    a, b = keras.Input(shape=(5,)), keras.Input(shape=(4,))
    h = layers.Concatenate()([layers.Dense(8, activation="relu")(a),
                              layers.Dense(8, activation="relu")(b)])
    return keras.Model([a, b], [layers.Dense(3, activation="softmax", name="output_1")(h),
                                layers.Dense(1, name="output_2")(h)])


def tower_data(n=30):
    rng = np.random.default_rng(8)
    return ([rng.normal(size=(n, 5)).astype(np.float32),
             rng.normal(size=(n, 4)).astype(np.float32)],
            [rng.integers(0, 3, n), rng.normal(size=(n, 1)).astype(np.float32)])


def test_subclassed_model_with_list_inputs_and_outputs_trains_as_the_functional_one():
    x, y = tower_data()
    sub, fun = TwoTower(), two_tower_functional()
    compile_args = dict(loss=["sparse_categorical_crossentropy", "mse"],
                        loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    sub.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), **compile_args)
    assert sub.metrics_names == ["loss"]        # the outputs are known at the first batch
    sub.build([(None, 5), (None, 4)])
    assert sub.input_names == ["input_1", "input_2"]
    assert sub.output_names == ["output_1", "output_2"]
    assert sub.metrics_names == ["loss", "output_1_loss", "output_2_loss",
                                 "output_1_accuracy", "output_2_mae"]
    fun.set_weights(sub.get_weights())
    fun.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), **compile_args)
    histories = []
    for m in (sub, fun):
        keras.utils.set_random_seed(9)
        histories.append(m.fit(x, y, batch_size=10, epochs=2, verbose=0).history)
    assert sorted(histories[0]) == sorted(histories[1])
    for k in histories[0]:      # the subclass's softmax is not fused: rounding only
        np.testing.assert_allclose(histories[0][k], histories[1][k], rtol=1e-4, atol=1e-6)
    for a, b in zip(sub.get_weights(), fun.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    p_sub, p_fun = sub.predict(x, verbose=0), fun.predict(x, verbose=0)
    assert isinstance(p_sub, list) and [p.shape for p in p_sub] == [(30, 3), (30, 1)]
    for a, b in zip(p_sub, p_fun):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(sub.evaluate(x, y, verbose=0), fun.evaluate(x, y, verbose=0),
                               rtol=1e-4)
    logs = sub.train_on_batch(x, y, return_dict=True)
    assert set(logs) == set(histories[0])
    out = sub(x)                                    # eager: what call returns
    assert isinstance(out, list) and out[1].shape == (30, 1)


class DictNet(keras.Model):
    """A dict of inputs → a dict of outputs."""

    def __init__(self):
        super().__init__(name="dict_net")
        self.hidden = layers.Dense(8, activation="tanh")
        self.kind = layers.Dense(2, activation="softmax")
        self.flag = layers.Dense(1, activation="sigmoid")

    def call(self, inputs):
        h = self.hidden(concatenate([inputs["image"], inputs["meta"]], axis=-1))
        return {"kind": self.kind(h), "flag": self.flag(h)}


def test_subclassed_model_with_dict_inputs_and_outputs():
    (xa, xb), (labels, _) = tower_data()
    x = {"image": xa, "meta": xb}
    y = {"kind": labels % 2, "flag": (labels == 1).astype(np.float32)}
    m = DictNet()
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5),
              loss={"kind": "sparse_categorical_crossentropy", "flag": "binary_crossentropy"},
              loss_weights={"flag": 2.0}, metrics={"kind": ["accuracy"]})
    h = m.fit(x, y, epochs=3, batch_size=10, verbose=0).history
    assert m.output_names == ["flag", "kind"]        # sorted, as Keras 3 flattens a dict
    assert m.metrics_names == ["loss", "flag_loss", "kind_loss", "kind_accuracy"]
    assert h["loss"][-1] < h["loss"][0]
    p = m.predict(x, verbose=0)
    assert isinstance(p, dict) and p["kind"].shape == (30, 2) and p["flag"].shape == (30, 1)
    # The loss by hand from the predictions: ℓ = ℓ_kind + 2 ℓ_flag.
    pk, pf = p["kind"].astype(np.float64), p["flag"][:, 0].astype(np.float64)
    kind = -np.log(pk[np.arange(30), y["kind"]]).mean()
    flag = -(y["flag"] * np.log(pf) + (1 - y["flag"]) * np.log(1 - pf)).mean()
    logs = m.evaluate(x, y, batch_size=30, verbose=0, return_dict=True)
    assert logs["kind_loss"] == pytest.approx(kind, rel=1e-4)
    assert logs["flag_loss"] == pytest.approx(2 * flag, rel=1e-4)
    assert logs["loss"] == pytest.approx(kind + 2 * flag, rel=1e-4)
    with pytest.raises(ValueError, match=r"x is a dict with missing \['meta'\]"):
        m.predict({"image": xa}, verbose=0)
    with pytest.raises(ValueError, match=r"built for inputs \['image', 'meta'\]"):
        m([xa, xb])


def test_subclassed_model_errors_name_what_call_returned():
    class Drifting(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)
            self.calls = 0

        def call(self, x):
            self.calls += 1
            out = self.d(x)
            return [out, out] if self.calls == 1 else out
    m = Drifting()
    m.build((None, 3))
    with pytest.raises(TypeError, match="returned a tensor of shape .*list of 2 tensors"):
        m.predict(np.zeros((4, 3)), verbose=0)

    class Bad(keras.Model):
        def call(self, x):
            return "nope"
    with pytest.raises(TypeError, match="must return a tensor, a list of tensors or a dict"):
        Bad().build((None, 3))


def test_subclassed_model_as_a_layer_of_a_functional_model():
    class Block(keras.Model):
        def __init__(self):
            super().__init__(name="block")
            self.d = layers.Dense(4, activation="relu")

        def call(self, x):
            return self.d(x)
    block = Block()
    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, layers.Dense(1, name="out")(block(inp)))
    assert block.built and [l.name for l in model.layers] == ["input_layer", "block", "out"]
    x = np.random.default_rng(10).normal(size=(6, 3))
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np.maximum(x @ k1 + b1, 0) @ k2 + b2, atol=1e-5)
    with pytest.raises(NotImplementedError, match="save_weights"):
        model.get_config()


def test_a_fully_frozen_model_warns_and_changes_nothing():
    """As Keras 3: fit warns that there is nothing to train, evaluate works."""
    model = transfer_model(base_model())
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.trainable = False
    x, y = data()
    before = model.get_weights()
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        h = model.fit(x, y, epochs=1, verbose=0)
    assert h.history["loss"][0] == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- a nested model with several outputs -------------------------------------------------------


def two_headed(name="base", as_dict=False):
    """8 features → Dense(16, relu) → two heads: Dense(4) and Dense(4, tanh)."""
    inp = keras.Input(shape=(8,), name="pixels")
    h = layers.Dense(16, activation="relu", name="hidden")(inp)
    a, b = layers.Dense(4, name="lin")(h), layers.Dense(4, activation="tanh", name="squash")(h)
    return keras.Model(inp, {"lin": a, "squash": b} if as_dict else [a, b], name=name)


def sum_of_heads(base):
    """Add of both outputs of ``base``, then Dense(2): o = (o₁ + o₂) K + b."""
    inp = keras.Input(shape=(8,))
    o1, o2 = base(inp)
    return keras.Model(inp, layers.Dense(2, name="out")(layers.Add(name="join")([o1, o2])),
                       name="outer")


def test_both_outputs_of_a_nested_model_feed_later_layers():
    keras.utils.set_random_seed(11)
    base = two_headed()
    inp = keras.Input(shape=(8,))
    outs = base(inp)
    assert isinstance(outs, list) and [t.shape for t in outs] == [(None, 4), (None, 4)]
    assert [t.node for t in outs] == [base._inbound_nodes[-1]] * 2
    assert [t.index for t in outs] == [0, 1]
    model = sum_of_heads(base)
    assert [l.name for l in model.layers] == ["input_layer", "base", "join", "out"]
    x, _ = data(n=7)
    p1, p2 = base.predict(x, verbose=0)
    k, b = model.get_layer("out").get_weights()
    expected = (p1.astype(np.float64) + p2) @ k + b
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)
    np.testing.assert_allclose(model(x).numpy(), expected, atol=1e-6)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert sum("(Functional)" in l for l in lines) == 1 and "hidden" not in text
    row = lines.index(next(l for l in lines if "base (Functional)" in l))
    assert "[(None, 4)," in lines[row] and "(None, 4)]" in lines[row + 1]
    assert lines[row].split("│")[3].strip() == "280"        # 8·16+16 + 2·(16·4+4)
    join = lines.index(next(l for l in lines if "join (Add)" in l))
    assert "base[0][0]," in lines[join] and "base[0][1]" in lines[join + 1]


def test_a_model_on_both_outputs_trains_every_weight():
    keras.utils.set_random_seed(12)
    model = sum_of_heads(two_headed())
    rng = np.random.default_rng(13)
    x = rng.normal(size=(32, 8)).astype(np.float32)
    y = x[:, :2] - 0.5 * x[:, 2:4]
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    before = model.get_weights()
    h = model.fit(x, y, epochs=15, batch_size=8, verbose=0).history
    assert h["loss"][-1] < 0.7 * h["loss"][0]
    after = model.get_weights()
    assert len(after) == 8 and all(not np.array_equal(a, b) for a, b in zip(before, after))


def test_a_model_on_several_outputs_saves_and_loads_with_tensor_indices(tmp_path):
    keras.utils.set_random_seed(14)
    model = sum_of_heads(two_headed())
    model.compile(optimizer="adam", loss="mse")
    x, _ = data()
    model.fit(x, x[:, :2], epochs=1, verbose=0)
    config = model.get_config()
    join = next(l for l in config["layers"] if l["name"] == "join")
    (call,) = join["inbound_nodes"]                 # Keras 3's form: the call's arguments
    assert [t["config"]["keras_history"] for t in call["args"][0]] == [["base", 0, 0],
                                                                       ["base", 0, 1]]
    path = tmp_path / "two.retrograd"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.get_config() == config
    for m in (model, loaded):       # the two continue alike
        keras.utils.set_random_seed(15)
        m.fit(x, x[:, :2], epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # A file reading an output the nested model does not have is refused.
    bad = copy.deepcopy(config)
    join = next(l for l in bad["layers"] if l["name"] == "join")
    join["inbound_nodes"][0]["args"][0][1]["config"]["keras_history"] = ["base", 0, 2]
    with pytest.raises(ValueError, match=r"reads output 2 of 'base'\[0\], which has 2 output"):
        type(model).from_config(bad)


def test_one_of_two_outputs_is_enough():
    keras.utils.set_random_seed(16)
    base = two_headed()
    inp = keras.Input(shape=(8,))
    _, squash = base(inp)
    model = keras.Model(inp, layers.Dense(3, activation="softmax", name="cls")(squash))
    x, y = data()
    k, b = model.get_layer("cls").get_weights()
    s = base.predict(x, verbose=0)[1].astype(np.float64) @ k + b
    e = np.exp(s - s.max(axis=1, keepdims=True))
    np.testing.assert_allclose(model.predict(x, verbose=0), e / e.sum(axis=1, keepdims=True),
                               atol=1e-6)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    lin_before = base.get_layer("lin").get_weights()
    model.fit(x, y, epochs=1, verbose=0)
    for a, c in zip(lin_before, base.get_layer("lin").get_weights()):
        np.testing.assert_array_equal(a, c)        # the unused head gets no gradient
    # An output of the nested model as an output of the outer one.
    direct = keras.Model(inp, squash)
    np.testing.assert_allclose(direct.predict(x, verbose=0), base.predict(x, verbose=0)[1],
                               atol=1e-6)


def test_a_nested_model_with_dict_outputs_returns_a_dict(tmp_path):
    keras.utils.set_random_seed(17)
    base = two_headed(as_dict=True)
    inp = keras.Input(shape=(8,))
    outs = base(inp)
    assert isinstance(outs, dict) and list(outs) == ["lin", "squash"]
    model = keras.Model(inp, layers.Subtract(name="diff")([outs["squash"], outs["lin"]]))
    x, _ = data(n=9)
    p = base.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), p["squash"] - p["lin"], atol=1e-6)
    lines = []
    model.summary(print_fn=lines.append)
    assert any("{lin: (None, 4)," in l for l in lines)
    assert any("base[0][1]," in l for l in lines)      # squash is output 1
    model.save(tmp_path / "d.retrograd")
    loaded = keras.models.load_model(tmp_path / "d.retrograd")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_subclassed_model_with_several_outputs_as_a_layer():
    class Heads(keras.Model):
        def __init__(self):
            super().__init__(name="heads")
            self.a, self.b = layers.Dense(3, name="a"), layers.Dense(3, name="b")

        def call(self, x):
            return {"b": self.b(x), "a": self.a(x)}
    heads = Heads()
    inp = keras.Input(shape=(5,))
    outs = heads(inp)
    assert sorted(outs) == ["a", "b"] and outs["a"].shape == (None, 3)
    model = keras.Model(inp, layers.Multiply()([outs["a"], outs["b"]]))
    x = np.random.default_rng(18).normal(size=(4, 5))
    (ka, ba), (kb, bb) = heads.get_layer("a").get_weights(), heads.get_layer("b").get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               (x @ ka + ba) * (x @ kb + bb), atol=1e-5)


def test_misusing_the_outputs_of_a_nested_model_names_it():
    base = two_headed()
    inp = keras.Input(shape=(8,))
    with pytest.raises(ValueError, match=r"Dense 'dense' takes one input, got the 2 outputs "
                                         r"of Functional 'base'.*a, b = base\(x\)"):
        layers.Dense(3)(base(inp))
    with pytest.raises(ValueError, match=r"Sequential.add: model 'base' has 2 outputs"):
        keras.Sequential([base])


def test_a_model_made_frozen_freezes_its_weights_not_its_layers_flags(tmp_path):
    """As Keras 3: Sequential(trainable=False) is the model's flag alone — a layer added
    later (or given to the constructor) keeps trainable=True, yet the model has no
    trainable weight, compiles, and fit warns and changes nothing; trainable = True
    later sets every layer's flag and fit trains."""
    x, y = data(n=16)
    added = keras.Sequential(trainable=False)
    added.add(keras.Input(shape=(8,)))
    added.add(layers.Dense(3, name="d"))
    given = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, name="d")],
                             trainable=False)
    inp = keras.Input(shape=(8,))
    functional = keras.Model(inp, layers.Dense(3, name="d")(inp), trainable=False)
    for model in (added, given, functional):
        d = model.get_layer("d")
        assert d.trainable and not model.trainable
        assert model.trainable_weights == [] and len(model.non_trainable_weights) == 2
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        before = model.get_weights()
        with pytest.warns(UserWarning, match="does not have any trainable weights"):
            model.fit(x, y, epochs=1, verbose=0)
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)
    # Nested in another model, it stays frozen there too.
    outer_in = keras.Input(shape=(8,))
    outer = keras.Model(outer_in, layers.Dense(2, name="head")(added(outer_in)))
    assert [w.shape for w in outer.trainable_weights] == [(3, 2), (2,)]
    path = tmp_path / "frozen.retrograd"
    added.save(path)
    loaded = keras.models.load_model(path)
    assert not loaded.trainable and loaded.get_layer("d").trainable
    assert loaded.trainable_weights == []
    added.trainable = True
    assert added.get_layer("d").trainable and len(added.trainable_weights) == 2
    before = added.get_weights()
    added.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(before[0], added.get_weights()[0])


def test_a_configuration_in_retrograds_earlier_form_still_loads():
    """get_config() now gives Keras 3's form; models saved before wrote retrograd's
    earlier one (inbound nodes as [layer, node, tensor] lists, a fourth entry
    {"training": …} for a model called as a layer): such a configuration still builds
    the same graph, whose get_config() is then Keras 3's."""
    dense = {"activation": "linear", "use_bias": True}
    old = {"name": "m", "trainable": True, "layers": [
        {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
         "config": {"name": "x", "shape": [4], "batch_size": None}},
        {"class_name": "Functional", "name": "base", "inbound_nodes": [
            [["x", 0, 0, {"training": False}]]], "config": {
            "name": "base", "trainable": True, "layers": [
                {"class_name": "InputLayer", "name": "px", "inbound_nodes": [],
                 "config": {"name": "px", "shape": [4], "batch_size": None}},
                {"class_name": "Dense", "name": "h", "inbound_nodes": [[["px", 0, 0]]],
                 "config": {"name": "h", "units": 3, **dense}}],
            "input_layers": [["px", 0, 0]], "output_layers": [["h", 0, 0]]}},
        {"class_name": "Dense", "name": "d", "inbound_nodes": [[["base", 0, 0]]],
         "config": {"name": "d", "units": 2, **dense}}],
        "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}
    model = keras.Model.from_config(old)
    assert [l.name for l in model.layers] == ["x", "base", "d"]
    assert [w.shape for w in model.get_weights()] == [(4, 3), (3,), (3, 2), (2,)]
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    w1, b1, w2, b2 = model.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), (x @ w1 + b1) @ w2 + b2,
                               rtol=1e-5, atol=1e-6)
    new = model.get_config()
    base = next(l for l in new["layers"] if l["name"] == "base")
    assert base["inbound_nodes"][0]["kwargs"] == {"training": False}
    assert keras.Model.from_config(new).get_config() == new
