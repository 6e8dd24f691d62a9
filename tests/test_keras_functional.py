"""The Keras functional API (``keras.Input``, layers called on symbolic tensors,
``keras.Model(inputs, outputs)``), merge layers, and subclassed ``keras.Model``s: one
training engine for every kind of model, Keras 3's summary formats, saving."""
import numpy as np
import pytest

from retrograd import keras
from retrograd.keras import layers
from retrograd.serialization import ModelFileError

from harness import check_grad, compare_torch, torch


@pytest.fixture(autouse=True)
def _columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")     # Keras's width depends on the terminal


def data(n=60, d=8, c=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x, (x @ rng.normal(size=(d, c))).argmax(1)


def sequential_mlp():
    return keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu"),
                             layers.Dense(16, activation="tanh"),
                             layers.Dense(3, activation="softmax")])


def functional_mlp():
    x = keras.Input(shape=(8,))
    h = layers.Dense(16, activation="relu")(x)
    h = layers.Dense(16, activation="tanh")(h)
    return keras.Model(x, layers.Dense(3, activation="softmax")(h))


def residual_model():
    """A skip connection (Add), a layer used twice (shared) and a Concatenate."""
    x = keras.Input(shape=(8,))
    h = layers.Dense(16, activation="relu", name="h")(x)
    shared = layers.Dense(16, activation="tanh", name="shared")
    r = layers.Add(name="skip")([h, shared(shared(h))])
    c = layers.Concatenate(name="cat")([r, x])
    return keras.Model(inputs=x, outputs=layers.Dense(3, activation="softmax", name="out")(c),
                       name="residual")


# -- building -----------------------------------------------------------------------------


def test_input_is_symbolic_and_layers_build_graphs():
    x = keras.Input(shape=(8,))
    assert isinstance(x, keras.KerasTensor) and x.shape == (None, 8) and x.ndim == 2
    d = layers.Dense(5)
    h = d(x)
    assert h.shape == (None, 5) and d.built and d.kernel.shape == (8, 5)
    assert d.output is h and h.node.layer is d and h.node.inputs == [x]
    assert layers.Concatenate()([h, x]).shape == (None, 13)
    model = keras.Model(x, h)
    assert isinstance(model, keras.Model) and type(model).__name__ == "Functional"
    assert model.inputs == [x] and model.outputs == [h] and model.name == "functional"
    assert [type(l).__name__ for l in model.layers] == ["InputLayer", "Dense"]
    assert isinstance(keras.Sequential(), keras.Model)


def test_sequential_still_takes_keras_input():
    m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3)])
    assert m.built and m.count_params() == 27 and len(m.layers) == 1
    with pytest.raises(ValueError, match="only start a Sequential when it is keras.Input"):
        keras.Sequential([layers.Dense(3)(keras.Input(shape=(8,)))])
    with pytest.raises(ValueError, match="merges several inputs"):
        keras.Sequential([keras.Input(shape=(8,)), layers.Add()])


def test_functional_mlp_equals_sequential_given_the_same_weights():
    """Same weights → the same outputs, and the same training (one engine): after two
    epochs of momentum SGD, with the same shuffles, the weights are equal bit for bit."""
    x, y = data()
    seq, fun = sequential_mlp(), functional_mlp()
    fun.set_weights(seq.get_weights())
    np.testing.assert_array_equal(fun.predict(x, verbose=0), seq.predict(x, verbose=0))
    histories = []
    for m in (seq, fun):
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        keras.utils.set_random_seed(7)
        histories.append(m.fit(x, y, batch_size=16, epochs=2, validation_split=0.2,
                               verbose=0).history)
    for a, b in zip(seq.get_weights(), fun.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert histories[0] == histories[1]
    assert seq.evaluate(x, y, verbose=0) == fun.evaluate(x, y, verbose=0)


def test_skip_connection_and_shared_layer_gradients_match_pytorch():
    """One SGD step (learning rate 1) on the residual model, in float64: the weight
    changes are minus PyTorch's gradients of the same computation."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    x, y = data(n=10)
    m = residual_model()
    m.double()
    before = m.get_weights()
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0),
              loss="sparse_categorical_crossentropy")
    loss = m.train_on_batch(x, y)
    W = [torch.tensor(w, requires_grad=True) for w in before]
    h = torch.relu(torch.tensor(x, dtype=torch.float64) @ W[0] + W[1])
    s = h
    for _ in range(2):                      # the shared layer, called twice
        s = torch.tanh(s @ W[2] + W[3])
    c = torch.cat([h + s, torch.tensor(x, dtype=torch.float64)], dim=1)
    logits = c @ W[4] + W[5]
    ref = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    assert len(m.trainable_weights) == 6     # the shared layer's weights once
    for w0, w1, t in zip(before, m.get_weights(), W):
        np.testing.assert_allclose(w0 - w1, t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("layer, fn", [
    (layers.Add, lambda a, b, c: a + b + c),
    (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b, c: a * b * c),
    (layers.Average, lambda a, b, c: (a + b + c) / 3),
    (layers.Maximum, lambda a, b: np.maximum(a, b)),
    (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
])
def test_merge_layers_values_and_gradients(layer, fn):
    rng = np.random.default_rng(3)
    n = fn.__code__.co_argcount
    arrays = [rng.normal(size=(4, 5)) for _ in range(n)]
    out = layer()(arrays)
    np.testing.assert_allclose(out.numpy(), fn(*[a.astype(np.float32) for a in arrays]),
                               rtol=1e-6)
    check_grad(lambda *ts: layer()(list(ts)).sum(), *arrays)


def test_concatenate_matches_pytorch():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(3, 2, 4)), rng.normal(size=(3, 2, 1))
    compare_torch(lambda p, q: layers.Concatenate()([p, q]),
                  lambda p, q: torch.cat([p, q], dim=-1), a, b)
    compare_torch(lambda p, q: layers.concatenate([p, p], axis=1),
                  lambda p, q: torch.cat([p, p], dim=1), a, b)


# -- summary -------------------------------------------------------------------------------

# A chain built with the functional API prints Keras 3's Sequential table with the
# InputLayer as its first row (Keras 3 lists it for functional models).
CHAIN_SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)        │ (None, 784)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ fc1 (Dense)                     │ (None, 10)             │         7,850 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ activation (Activation)         │ (None, 10)             │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 7,850 (30.66 KB)
 Trainable params: 7,850 (30.66 KB)
 Non-trainable params: 0 (0.00 B)
"""

# Not a chain: Keras 3 adds "Connected to" (layer[node][tensor] of each input, "-"
# for the input) with columns at 30 % / 56 % / 74 % / 100 % of the width (76 here,
# reduced as rich reduces them), cells wrapped at spaces.
GRAPH_SUMMARY = """\
Model: "residual"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer         │ (None, 8)         │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ h (Dense)           │ (None, 16)        │        144 │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ shared (Dense)      │ (None, 16)        │        272 │ h[0][0],          │
│                     │                   │            │ shared[0][0]      │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ skip (Add)          │ (None, 16)        │          0 │ h[0][0],          │
│                     │                   │            │ shared[1][0]      │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ cat (Concatenate)   │ (None, 24)        │          0 │ skip[0][0],       │
│                     │                   │            │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out (Dense)         │ (None, 3)         │         75 │ cat[0][0]         │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 491 (1.92 KB)
 Trainable params: 491 (1.92 KB)
 Non-trainable params: 0 (0.00 B)
"""


def test_summary_of_a_chain_has_three_columns_and_the_input_row(capsys):
    x = keras.Input(shape=(784,))
    keras.Model(x, layers.Activation("softmax")(layers.Dense(10, name="fc1")(x))).summary()
    assert capsys.readouterr().out == CHAIN_SUMMARY


def test_summary_of_a_graph_has_connected_to(capsys):
    residual_model().summary()
    assert capsys.readouterr().out == GRAPH_SUMMARY


def test_summary_default_widths(monkeypatch):
    """Keras 3: min(88, columns − 4) for a chain, min(108, columns − 4) for a graph."""
    monkeypatch.setenv("COLUMNS", "200")
    widths = []
    for m in (functional_mlp(), residual_model()):
        lines = []
        m.summary(print_fn=lines.append)
        widths.append(len(lines[1]))
    assert widths == [88, 108]


# -- saving ---------------------------------------------------------------------------------


def test_save_load_round_trip_resumes_training(tmp_path):
    """The graph (skip, shared layer, concatenation), the weights, the compile settings
    and the optimizer's state come back: the loaded model predicts the same and its
    next epoch is the original's, bit for bit."""
    x, y = data()
    keras.utils.set_random_seed(1)
    m = residual_model()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    m.fit(x, y, batch_size=16, epochs=1, verbose=0)
    path = tmp_path / "residual.retrograd"
    m.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded).__name__ == "Functional" and loaded.name == "residual"
    assert [l.name for l in loaded.layers] == [l.name for l in m.layers]
    assert loaded.metrics_names == ["loss", "acc"]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), m.predict(x, verbose=0))
    keras.utils.set_random_seed(5)
    m.fit(x, y, batch_size=16, epochs=1, verbose=0)
    keras.utils.set_random_seed(5)
    loaded.fit(x, y, batch_size=16, epochs=1, verbose=0)
    for a, b in zip(m.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_load_refuses_a_graph_that_does_not_connect(tmp_path):
    from retrograd import serialization
    m = residual_model()
    path = tmp_path / "m.retrograd"
    m.save(path)
    header, arrays = serialization.load(path)
    header["config"]["layers"][-1]["inbound_nodes"] = [[["nowhere", 0, 0]]]
    serialization.save(path, {k: v for k, v in header.items()
                              if k not in ("format", "version")}, arrays)
    with pytest.raises(ModelFileError,
                       match=r"layer 'out' reads nowhere\[0\]\[0\], which no layer"):
        keras.models.load_model(path)


# -- subclassing ----------------------------------------------------------------------------


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(16, activation="relu")
        self.middle = layers.Dense(16, activation="tanh")
        self.head = layers.Dense(3, activation="softmax")

    def call(self, x):
        return self.head(self.middle(self.hidden(x)))


def test_subclassed_model_trains_like_the_sequential_one(tmp_path):
    x, y = data()
    sub, seq = MLP(), sequential_mlp()
    assert not sub.built and sub.name == "mlp"
    sub.build((None, 8))
    assert [l.name for l in sub.layers] == ["dense", "dense_1", "dense_2"]
    sub.set_weights(seq.get_weights())
    np.testing.assert_array_equal(sub.predict(x, verbose=0), seq.predict(x, verbose=0))
    np.testing.assert_allclose(sub(x).numpy(), seq(x).numpy(), rtol=1e-6)
    for m in (sub, seq):
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="sparse_categorical_crossentropy")
        keras.utils.set_random_seed(2)
        m.fit(x, y, batch_size=16, epochs=2, verbose=0)
    # The subclass's loss goes through its softmax (call is opaque), the Sequential's
    # through the fused softmax cross-entropy: the same up to rounding.
    for a, b in zip(sub.get_weights(), seq.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    path = tmp_path / "w.retrograd"
    sub.save_weights(path)
    other = MLP()
    other.build((None, 8))
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x, verbose=0), sub.predict(x, verbose=0))
    with pytest.raises(NotImplementedError, match="save_weights"):
        sub.save(tmp_path / "m.retrograd")


def test_subclassed_model_builds_on_its_first_batch():
    x, y = data()
    m = MLP(name="net")
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, epochs=2, verbose=0)
    assert m.built and m.output_shape == (None, 3) and m.count_params() == 467
    assert h.history["loss"][1] < h.history["loss"][0]
    lines = []
    m.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "net"' and any("dense_2 (Dense)" in l for l in lines)

    class Empty(keras.Model):
        pass
    with pytest.raises(NotImplementedError, match="must define call"):
        Empty().build((None, 8))


# -- bad graphs -----------------------------------------------------------------------------


def test_bad_graphs_are_refused_clearly():
    x, other = keras.Input(shape=(8,)), keras.Input(shape=(8,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(x, layers.Add()([layers.Dense(8)(x), other]))
    with pytest.raises(ValueError, match="the same tensor is given twice as an input"):
        keras.Model([x, x], layers.Add()([x, other]))
    with pytest.raises(ValueError, match="shapes do not broadcast, got shapes"):
        layers.Add()([x, keras.Input(shape=(5,))])
    with pytest.raises(ValueError, match="call it on a list"):
        layers.Add()(x)
    with pytest.raises(ValueError, match="takes one input, got a list of 2"):
        layers.Dense(3)([x, other])
    shared = layers.Dense(4)
    shared(x)
    with pytest.raises(ValueError, match='layer "dense.*built for inputs of shape'):
        shared(keras.Input(shape=(5,)))
    assert (x + x).shape == x.shape          # operators on KerasTensors make nodes (issue 15)
    with pytest.raises(TypeError, match="placeholder with no values"):
        np.asarray(x)
    with pytest.raises(TypeError, match="outputs must be KerasTensors"):
        keras.Model(x, np.zeros(3))
    model = keras.Model(x, layers.Dense(2)(x))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match='Input 0 of layer "input_layer" is incompatible'):
        model.fit(np.zeros((4, 5)), np.zeros((4, 2)), verbose=0)


# -- sample and class weights, for every kind of model -------------------------------------


def _models():
    return {"sequential": sequential_mlp, "functional": functional_mlp,
            "subclassed": lambda: MLP()}


@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_sample_weight_is_keras_weighted_mean(kind):
    """loss = Σᵢ wᵢ ℓᵢ / N, whatever the weights sum to (Keras's sum_over_batch_size);
    the metrics are not weighted (Keras 3 weighs only weighted_metrics)."""
    x, y = data(n=30)
    w = np.random.default_rng(5).uniform(0, 3, size=30).astype(np.float32)
    m = _models()[kind]()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    p = m.predict(x, batch_size=30, verbose=0).astype(np.float64)
    per = -np.log(p[np.arange(30), y])
    loss, acc = m.evaluate(x, y, sample_weight=w, batch_size=30, verbose=0)
    assert loss == pytest.approx((w * per).sum() / 30, rel=1e-5)
    assert acc == m.evaluate(x, y, verbose=0)[1]
    assert m.test_on_batch(x, y, sample_weight=w)[0] == pytest.approx(loss, rel=1e-6)


def test_sample_weights_of_two_double_the_step():
    """w = 2 everywhere doubles every gradient: plain SGD with learning rate η and
    weights 2 takes the steps of learning rate 2η without weights."""
    x, y = data()
    a, b = sequential_mlp(), sequential_mlp()
    b.set_weights(a.get_weights())
    loss = "sparse_categorical_crossentropy"
    a.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss=loss)
    b.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss)
    keras.utils.set_random_seed(3)
    ha = a.fit(x, y, batch_size=16, epochs=2, sample_weight=np.full(len(x), 2.0), verbose=0)
    keras.utils.set_random_seed(3)
    hb = b.fit(x, y, batch_size=16, epochs=2, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ha.history["loss"], 2 * np.asarray(hb.history["loss"]), rtol=1e-5)


def test_zero_weights_leave_samples_out_but_count_them():
    """One full-batch step with the last n − k weights 0 is the unweighted step on the
    first k samples with the learning rate scaled by k / n (N counts every sample)."""
    x, y = data(n=40)
    k = 25
    a, b = functional_mlp(), functional_mlp()
    b.set_weights(a.get_weights())
    a.compile(optimizer=keras.optimizers.SGD(learning_rate=0.4),
              loss="sparse_categorical_crossentropy")
    b.compile(optimizer=keras.optimizers.SGD(learning_rate=0.4 * k / 40),
              loss="sparse_categorical_crossentropy")
    a.train_on_batch(x, y, sample_weight=np.r_[np.ones(k), np.zeros(40 - k)])
    b.train_on_batch(x[:k], y[:k])
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("one_hot", [False, True])
def test_class_weight_is_the_matching_sample_weight(one_hot):
    x, y = data()
    target = keras.utils.to_categorical(y, 3) if one_hot else y
    loss = "categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy"
    class_weight = {0: 0.5, 2: 3.0}        # class 1 absent: weighs 1, as in Keras
    runs = []
    for kwargs in ({"class_weight": class_weight},
                   {"sample_weight": np.array([class_weight.get(c, 1.0) for c in y])}):
        m = sequential_mlp()
        if runs:
            m.set_weights(runs[0][0])
        start = m.get_weights()
        m.compile(optimizer="adam", loss=loss)
        keras.utils.set_random_seed(4)
        m.fit(x, target, batch_size=16, epochs=2, validation_split=0.2, verbose=0, **kwargs)
        runs.append((start, m.get_weights()))
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_binary_and_regression_losses_take_weights():
    x, _ = data(n=20)
    rng = np.random.default_rng(6)
    w = rng.uniform(0, 2, size=20)
    for act, loss, target in (("sigmoid", "binary_crossentropy", (x[:, :1] > 0) * 1.0),
                              (None, "mse", rng.normal(size=(20, 1)))):
        xi = keras.Input(shape=(8,))
        m = keras.Model(xi, layers.Dense(1, activation=act)(xi))
        m.compile(optimizer="sgd", loss=loss)
        p = m.predict(x, batch_size=20, verbose=0).astype(np.float64)
        if loss == "mse":
            per = ((p - target) ** 2)[:, 0]
        else:
            per = -(target * np.log(p) + (1 - target) * np.log(1 - p))[:, 0]
        got = m.evaluate(x, target, sample_weight=w, batch_size=20, verbose=0)
        assert got == pytest.approx((w * per).sum() / 20, rel=1e-5), loss


def test_bad_weights_are_refused_naming_the_argument():
    x, y = data(n=10)
    m = sequential_mlp()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"sample_weight must have one weight per sample, "
                                         r"shape \(10,\), got shape \(9,\)"):
        m.fit(x, y, sample_weight=np.ones(9), verbose=0)
    with pytest.raises(ValueError, match="sample_weight contains NaN"):
        m.fit(x, y, sample_weight=np.r_[np.ones(9), np.nan], verbose=0)
    with pytest.raises(ValueError, match="sample_weight or class_weight, not both"):
        m.fit(x, y, sample_weight=np.ones(10), class_weight={0: 1.0}, verbose=0)
    with pytest.raises(TypeError, match="class_weight must be a dict"):
        m.fit(x, y, class_weight=[1.0, 2.0, 3.0], verbose=0)
    with pytest.raises(ValueError, match="class_weight keys must be class indices"):
        m.fit(x, y, class_weight={"cat": 2.0}, verbose=0)
    with pytest.raises(ValueError, match=r"validation_data must be a tuple \(x_val, y_val\) or"):
        m.fit(x, y, validation_data=(x, y, None, None), verbose=0)


@pytest.mark.parametrize("normalize", [False, True])
def test_dot_is_the_per_sample_dot_product_and_survives_a_model_file(tmp_path, normalize):
    rng = np.random.default_rng(0)
    a, b = keras.Input(shape=(3, 4)), keras.Input(shape=(5, 4))
    out = layers.Dot(axes=2, normalize=normalize)([layers.Dense(4)(a), b])
    model = keras.Model([a, b], out)
    xa, xb = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    ha = xa @ model.get_weights()[0] + model.get_weights()[1]        # the Dense layer by hand
    if normalize:
        ha = ha / np.linalg.norm(ha, axis=2, keepdims=True)
        xb = xb / np.linalg.norm(xb, axis=2, keepdims=True)
    expected = np.einsum("nik,njk->nij", ha, xb)                       # (2, 3, 5)
    got = model.predict([xa, xb], verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "dot.retrograd")
    again = keras.models.load_model(tmp_path / "dot.retrograd")
    np.testing.assert_array_equal(again.predict([xa, xb], verbose=0), got)
    assert layers.dot([np.ones((2, 4)), np.ones((2, 4))], axes=1).shape == (2, 1)
