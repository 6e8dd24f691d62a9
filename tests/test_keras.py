"""retrograd.keras: the course's script, Keras's output formats, models, layers,
losses, metrics, optimizers, and the errors for bad input."""
import io
import re

import numpy as np
import pytest

from retrograd import keras
from retrograd.keras import layers
from retrograd.keras.progbar import Progbar

# Keras 3's summary of the course's model, as Keras prints it (80-column terminal
# or captured output: line length 76).
COURSE_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ fc1 (Dense)                     │ (None, 10)             │         7,850 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ activation (Activation)         │ (None, 10)             │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 7,850 (30.66 KB)
 Trainable params: 7,850 (30.66 KB)
 Non-trainable params: 0 (0.00 B)
"""

STEP = r"\d+(?:us|ms|s)/step"
NUM = r"\d+\.\d{4}"


@pytest.fixture(autouse=True)
def _columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")     # Keras's width depends on the terminal


def course_model():
    from retrograd.keras import Sequential
    from retrograd.keras.layers import Activation, Dense
    model = Sequential()
    model.add(Dense(10, input_dim=784, name='fc1'))
    model.add(Activation('softmax'))
    return model


def small_data(n=240, d=8, c=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    w = rng.normal(size=(d, c))
    y = (x @ w).argmax(1)
    return x, y


def test_course_script(mnist_dir, monkeypatch, capsys):
    """The slides' code with the imports changed and the missing compile line added."""
    monkeypatch.setenv("RETROGRAD_DATA", str(mnist_dir.parent))
    keras.utils.set_random_seed(0)
    # -- the course's code, imports changed ---------------------------------------
    from retrograd import keras as k                       # from tensorflow import keras
    from retrograd.keras.datasets import mnist             # from keras.datasets import mnist
    (X_train, y_train), (X_test, y_test) = k.datasets.mnist.load_data()
    X_train, X_test = X_train.reshape(-1, 784), X_test.reshape(-1, 784)
    X_train, X_test = X_train / 255., X_test / 255.
    Y_train, Y_test = k.utils.to_categorical(y_train, 10), k.utils.to_categorical(y_test, 10)
    from retrograd.keras import Sequential                 # from tensorflow.keras import …
    model = Sequential()
    from retrograd.keras.layers import Dense, Activation
    model.add(Dense(10, input_dim=784, name='fc1'))
    model.add(Activation('softmax'))
    model.summary()
    from retrograd.keras.optimizers import SGD
    model.compile(loss="categorical_crossentropy", optimizer=SGD(learning_rate=0.1),
                  metrics=["accuracy"])
    model.fit(X_train, Y_train, batch_size=128, epochs=20, verbose=1)
    scores = model.evaluate(X_test, Y_test, verbose=0)
    print("%s TEST: %.2f%%" % (model.metrics_names[0], scores[0] * 100))
    print("%s TEST: %.2f%%" % (model.metrics_names[1], scores[1] * 100))
    # ----------------------------------------------------------------------------------
    out = capsys.readouterr().out
    assert out.startswith(COURSE_SUMMARY)
    assert mnist is k.datasets.mnist
    lines = out.splitlines()
    assert lines.count("Epoch 20/20") == 1
    bars = [l for l in lines if l.startswith("469/469 ")]
    assert len(bars) == 20
    assert all(re.fullmatch(rf"469/469 ━{{20}} \d+s {STEP} - accuracy: {NUM} - loss: {NUM}",
                            b) for b in bars), bars[0]
    assert model.metrics_names == ["loss", "accuracy"]
    assert scores[1] >= 0.92, scores
    assert re.search(r"^accuracy TEST: 9\d\.\d\d%$", out, re.M)
    assert re.search(r"^loss TEST: \d+\.\d\d%$", out, re.M)


def test_summary_is_keras_table(capsys):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # input_dim=784, the course's form: no warning
        model = course_model()
    model.summary()
    assert capsys.readouterr().out == COURSE_SUMMARY
    lines = []
    course_model().summary(print_fn=lines.append)
    assert "\n".join(lines) + "\n" == COURSE_SUMMARY


def test_summary_long_name_wraps_and_widths(capsys):
    model = keras.Sequential([keras.Input(shape=(4,)),
                              layers.Dense(2, name="a_very_long_layer_name_for_wrapping")])
    model.summary(line_length=76)
    lines = capsys.readouterr().out.splitlines()
    assert all(len(l) == 76 for l in lines[1:-3])
    assert lines[4].startswith("│ a_very_long_layer_name_for_wrapping"[:33])
    assert "(Dense)" in lines[5]


def test_summary_unbuilt_says_how():
    model = keras.Sequential([layers.Dense(10), layers.Activation("softmax")])
    with pytest.raises(ValueError, match="input_dim=784"):
        model.summary()
    model.build((None, 784))
    assert model.count_params() == 7850


def test_summary_after_input_and_call():
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10)])
    assert model.built and model.count_params() == 7850 and len(model.layers) == 1
    shaped = keras.Sequential([layers.Dense(10, input_shape=(784,)), layers.Activation("relu")])
    assert shaped.built and shaped.output_shape == (None, 10) and shaped.count_params() == 7850
    lazy = keras.Sequential([layers.Dense(5), layers.Dense(2)])
    out = lazy(np.zeros((3, 7), np.float32))
    assert out.shape == (3, 2) and lazy.count_params() == 7 * 5 + 5 + 5 * 2 + 2


def test_fit_output_formats(capsys):
    x, y = small_data()
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, batch_size=32, epochs=2, validation_split=0.25)
    assert model.history is h
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2" and len(out) == 4
    assert re.fullmatch(rf"6/6 ━{{20}} \d+s {STEP} - accuracy: {NUM} - loss: {NUM} - "
                        rf"val_accuracy: {NUM} - val_loss: {NUM}", out[1]), out[1]
    assert "\x1b" not in "".join(out)          # no escape codes when not a terminal
    model.fit(x, y, batch_size=32, epochs=2, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"8/8 - \d+s - {STEP} - accuracy: {NUM} - loss: {NUM}", out[1]), out[1]
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=1, batch_size=240)
    assert re.fullmatch(rf"1/1 ━{{20}} \d+s {STEP} - accuracy: {NUM} - loss: {NUM}\n",
                        capsys.readouterr().out)
    # History: Keras 3's keys (sorted), params and epochs
    assert list(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert h.params == {"verbose": 1, "epochs": 2, "steps": 6}
    assert h.epoch == [0, 1] and all(len(v) == 2 for v in h.history.values())
    assert all(isinstance(v, float) for v in h.history["loss"])


def test_progbar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    stream = Tty()
    bar = Progbar(10, stream=stream, interval=0)
    for i in range(1, 11):
        bar.update(i, [("loss", 1.0 / i), ("tiny", 1e-5)])
    text = stream.getvalue()
    assert text.count("\r") == 10 and text.endswith("\n")
    # (a line shorter than the one before is padded with spaces to overwrite it)
    last = re.sub(r"\x1b\[[0-9;]*m", "", text.split("\r")[-1]).rstrip(" \n")
    assert re.fullmatch(rf"10/10 ━{{20}} \d+s {STEP} - loss: 0\.1000 - tiny: 1\.0000e-05",
                        last), last
    assert "\x1b[32m" in text          # Keras's green bar
    mid = re.sub(r"\x1b\[[0-9;]*m", "", text.split("\r")[5])
    assert re.match(r" 5/10 ━{20} \d+s", mid)      # ETA while running


def test_evaluate_and_metrics_names():
    x, y = small_data()
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert model.metrics_names == ["loss"]
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=["acc", "mse"])
    assert model.metrics_names == ["loss", "acc", "mse"]
    values = model.evaluate(x, y, verbose=0)
    assert len(values) == 3 and values[0] == pytest.approx(loss)
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(d) == ["acc", "loss", "mse"] and d["acc"] == values[1]
    p = model.predict(x, verbose=0)
    assert d["acc"] == pytest.approx(np.mean(p.argmax(1) == y))
    assert keras.Sequential().metrics_names == []


def test_evaluate_prints_keras_bar(capsys):
    x, y = small_data()
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.evaluate(x, y)
    assert re.fullmatch(rf"8/8 ━{{20}} \d+s {STEP} - accuracy: {NUM} - loss: {NUM}\n",
                        capsys.readouterr().out)
    model.predict(x)
    assert re.fullmatch(rf"8/8 ━{{20}} \d+s {STEP}\n", capsys.readouterr().out)


@pytest.mark.parametrize("loss,targets,expected", [
    ("categorical_crossentropy", "onehot", "CategoricalAccuracy"),
    ("sparse_categorical_crossentropy", "labels", "SparseCategoricalAccuracy"),
    ("binary_crossentropy", "binary", "BinaryAccuracy"),
])
def test_accuracy_follows_keras_choice(loss, targets, expected):
    x, y = small_data(c=3)
    out = 1 if targets == "binary" else 3
    act = "sigmoid" if targets == "binary" else "softmax"
    t = {"onehot": keras.utils.to_categorical(y, 3), "labels": y,
         "binary": (y == 0).astype(np.float32)[:, None]}[targets]
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(out, activation=act)])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss, metrics=["accuracy"])
    h = model.fit(x, t, epochs=5, verbose=0)
    assert type(model.compiled_metrics[0].impl).__name__ == expected
    p = model.predict(x, verbose=0)
    acc = np.mean((p[:, 0] > 0.5) == t[:, 0]) if targets == "binary" else \
        np.mean(p.argmax(1) == y)
    assert model.evaluate(x, t, verbose=0)[1] == pytest.approx(acc)
    assert h.history["accuracy"][-1] > 0.7


def _clone(model_fn, loss):
    keras.utils.set_random_seed(3)
    m = model_fn()
    m.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    return m


def test_fused_loss_matches_probabilities():
    """Softmax + categorical_crossentropy trains on the logits with the fused op;
    the result equals the loss computed from the probabilities."""
    x, y = small_data()
    t = keras.utils.to_categorical(y, 3)

    def make():
        return keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, name="d"),
                                 layers.Activation("softmax")])
    fused = _clone(make, "categorical_crossentropy")

    def plain_ce(y_true, y_pred):
        return -(y_pred.log() * y_true).sum(axis=-1)
    reference = _clone(make, plain_ce)
    for _ in range(3):
        a = fused.train_on_batch(x, t)
        b = reference.train_on_batch(x, t)
        assert a == pytest.approx(b, rel=1e-5)
    assert fused._fused and not reference._fused
    for w1, w2 in zip(fused.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(w1, w2, rtol=1e-4, atol=1e-6)


def test_fused_binary_and_dense_softmax():
    x, y = small_data()
    yb = (y == 1).astype(np.float32)
    for act, loss, target in (("sigmoid", "binary_crossentropy", yb),
                              ("softmax", "sparse_categorical_crossentropy", y)):
        out = 1 if act == "sigmoid" else 3
        m = _clone(lambda: keras.Sequential([keras.Input(shape=(8,)),
                                             layers.Dense(out, activation=act)]), loss)
        m.fit(x, target, epochs=1, verbose=0)
        assert m._fused
        p = m.predict(x, verbose=0)
        assert np.all((p > 0) & (p < 1))


def test_get_set_weights():
    model = course_model()
    w = model.get_weights()
    assert [a.shape for a in w] == [(784, 10), (10,)]
    assert model.layers[0].kernel.shape == (784, 10)
    w[0][:] = 1.0
    model.set_weights(w)
    assert np.all(model.layers[0].get_weights()[0] == 1)
    with pytest.raises(ValueError, match="2 weight arrays"):
        model.set_weights(w[:1])
    with pytest.raises(ValueError, match=r"shape \(784, 10\)"):
        model.set_weights([np.zeros((10, 784)), w[1]])


def test_layer_names_and_errors():
    model = keras.Sequential([layers.Dense(4, input_dim=3), layers.Dense(4), layers.ReLU(),
                              layers.Dense(2), layers.LeakyReLU(), layers.PReLU()])
    assert [l.name for l in model.layers] == ["dense", "dense_1", "re_lu", "dense_2",
                                              "leaky_re_lu", "p_re_lu"]
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([layers.Dense(2, name="x", input_dim=2), layers.Dense(2, name="x")])
    with pytest.raises(ValueError, match="units=0"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="valid names: .*relu.*softmax"):
        layers.Dense(3, activation="relux")
    with pytest.raises(TypeError, match="keras.Layer"):
        keras.Sequential([object()])
    with pytest.raises(TypeError, match="unexpected argument"):
        layers.Dense(3, input_size=4)
    assert model.get_layer("re_lu") is model.layers[2]


def test_activation_layers_values():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], np.float32)

    def run(layer):
        return keras.Sequential([keras.Input(shape=(5,)), layer]).predict(x, verbose=0)
    np.testing.assert_allclose(run(layers.ReLU()), np.maximum(x, 0))
    np.testing.assert_allclose(run(layers.ReLU(max_value=1.0)), np.clip(x, 0, 1))
    np.testing.assert_allclose(run(layers.LeakyReLU()), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(run(layers.LeakyReLU(negative_slope=0.1)),
                               np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    np.testing.assert_allclose(run(layers.ELU()), np.where(x > 0, x, np.expm1(x)), rtol=1e-6)
    np.testing.assert_allclose(run(layers.PReLU()), np.maximum(x, 0))   # α starts at 0
    e = np.exp(x - x.max())
    np.testing.assert_allclose(run(layers.Softmax()), e / e.sum(), rtol=1e-6)
    np.testing.assert_allclose(run(layers.Activation("tanh")), np.tanh(x), rtol=1e-6)
    img = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    m = keras.Sequential([keras.Input(shape=(3, 4)), layers.Flatten(), layers.Reshape((6, 2))])
    assert m.output_shape == (None, 6, 2)
    np.testing.assert_array_equal(m.predict(img, verbose=0), img.reshape(2, 6, 2))


def test_prelu_learns_per_element_slope():
    m = keras.Sequential([keras.Input(shape=(3,)), layers.PReLU()])
    assert m.layers[0].alpha.shape == (3,)
    m.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    x = -np.ones((16, 3), np.float32)
    m.fit(x, -0.5 * np.ones((16, 3), np.float32), epochs=30, verbose=0)
    np.testing.assert_allclose(m.layers[0].alpha.numpy(), 0.5, atol=1e-3)


def test_frozen_layer_not_trained(capsys):
    x, y = small_data()
    m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, name="frozen"),
                          layers.Dense(3, activation="softmax")])
    m.layers[0].trainable = False
    before = m.get_weights()
    m.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    m.fit(x, y, epochs=2, verbose=0)
    after = m.get_weights()
    np.testing.assert_array_equal(before[0], after[0])
    assert not np.array_equal(before[2], after[2])
    m.summary()
    out = capsys.readouterr().out
    assert " Trainable params: 15 (60.00 B)" in out and " Non-trainable params: 36 " in out


def test_dropout_only_in_training():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(1000,)), layers.Dropout(0.5)])
    x = np.ones((2, 1000), np.float32)
    np.testing.assert_array_equal(m.predict(x, verbose=0), x)
    y = m(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6
    with pytest.raises(ValueError, match="rate=1.5"):
        layers.Dropout(1.5)


def test_set_random_seed_makes_fit_reproducible():
    x, y = small_data()

    def run():
        keras.utils.set_random_seed(42)
        m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return m.fit(x, y, epochs=2, verbose=0).history["loss"], m.get_weights()
    (h1, w1), (h2, w2) = run(), run()
    assert h1 == h2
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))


def test_to_categorical():
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2, 1]),
                                  [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    out = keras.utils.to_categorical(np.array([[1], [0]]), 3)
    assert out.shape == (2, 3) and out.dtype == np.float32
    with pytest.raises(ValueError, match="num_classes=3"):
        keras.utils.to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match=">= 0"):
        keras.utils.to_categorical([-1, 0])
    with pytest.raises(ValueError, match="integer"):
        keras.utils.to_categorical([0.5])


# -- optimizers ----------------------------------------------------------------------------

def test_optimizer_keras_defaults():
    from retrograd.keras import optimizers as O
    assert O.SGD().learning_rate == 0.01 and O.SGD().momentum == 0.0
    a = O.Adam()
    assert (a.learning_rate, a.beta_1, a.beta_2, a.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    r = O.RMSprop()
    assert (r.learning_rate, r.rho, r.momentum, r.epsilon) == (0.001, 0.9, 0.0, 1e-7)
    g = O.Adagrad()
    assert (g.learning_rate, g.initial_accumulator_value, g.epsilon) == (0.001, 0.1, 1e-7)
    assert isinstance(O.get("rmsprop"), O.RMSprop)
    with pytest.raises(ValueError, match="adadelta, adafactor, adagrad, adam, adamax, adamw, "
                                         "ftrl, lamb, lion, nadam, rmsprop, sgd"):
        O.get("adabelief")
    with pytest.raises(TypeError, match="learning_rate"):
        O.SGD(lr=0.1)
    with pytest.raises(ValueError, match="learning_rate=-1"):
        O.SGD(learning_rate=-1)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad"])
def test_optimizer_steps_follow_retrograd_optim(name):
    """Keras's SGD (constant rate) and Adagrad take the retrograd.optim update with
    Keras's values (Adam and RMSprop take Keras's own steps, whose ε sits elsewhere:
    compared with real Keras in test_keras_metrics_more.py)."""
    import retrograd.optim as optim
    from retrograd.keras import optimizers as O
    x, y = small_data(n=32)
    keras_opt, ref = {
        "sgd": (O.SGD(0.1), lambda p: optim.SGD(p, lr=0.1)),
        "momentum": (O.SGD(0.1, momentum=0.9), lambda p: optim.SGD(p, lr=0.1, momentum=0.9)),
        "adagrad": (O.Adagrad(0.1), lambda p: optim.Adagrad(
            p, lr=0.1, initial_accumulator_value=0.1, eps=1e-7)),
    }[name]
    from retrograd.ops.losses import SoftmaxCrossEntropy
    from retrograd.tensor import Tensor
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3)])
    w0 = m.get_weights()
    m.compile(optimizer=keras_opt, loss=keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    for _ in range(3):
        m.train_on_batch(x, y)
    keras.utils.set_random_seed(1)
    m2 = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3)])
    m2.set_weights(w0)
    opt = ref(list(m2.parameters()))
    for _ in range(3):
        loss = SoftmaxCrossEntropy().apply(m2(x), Tensor._wrap(y.astype(np.int64)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_learning_rate_settable_and_schedules():
    from retrograd.keras.optimizers import SGD, schedules
    x, y = small_data(n=32)
    m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
    opt = SGD(0.1)
    m.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    opt.learning_rate = 0.05
    assert opt.inner.param_groups[0]["lr"] == 0.05
    e = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert e(0) == 0.1 and e(10) == pytest.approx(0.05) and e(5) == pytest.approx(0.1 * 0.5**0.5)
    assert schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)(15) == pytest.approx(0.05)
    i = schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
    assert i(2) == pytest.approx(0.05)
    p = schedules.PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.1])
    assert [p(s) for s in range(6)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.1]
    sched_opt = SGD(learning_rate=schedules.PiecewiseConstantDecay([1], [0.1, 0.01]))
    m.compile(optimizer=sched_opt, loss="sparse_categorical_crossentropy")
    lrs = []
    for _ in range(3):
        m.train_on_batch(x, y)
        lrs.append(sched_opt.inner.param_groups[0]["lr"])
    assert lrs == [0.1, 0.1, 0.01]
    with pytest.raises(TypeError, match="schedule"):
        sched_opt.learning_rate = 0.5
    with pytest.raises(ValueError, match="one more element"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])


# -- losses ----------------------------------------------------------------------------

def test_loss_functions_values():
    from retrograd.tensor import Tensor
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], np.float32)
    t = np.array([[1, 0, 0], [0, 0, 1]], np.float32)
    ce = keras.losses.categorical_crossentropy(t, Tensor(p)).numpy()
    np.testing.assert_allclose(ce, -np.log([0.7, 0.8]), rtol=1e-6)
    sce = keras.losses.sparse_categorical_crossentropy(np.array([0, 2]), Tensor(p)).numpy()
    np.testing.assert_allclose(sce, ce, rtol=1e-6)
    logits = np.log(p)
    np.testing.assert_allclose(keras.losses.CategoricalCrossentropy(from_logits=True)(
        t, Tensor(logits)).item(), ce.mean(), rtol=1e-6)
    b = keras.losses.binary_crossentropy(np.array([[1.0], [0.0]]),
                                         Tensor(np.array([[0.9], [0.2]], np.float32))).numpy()
    np.testing.assert_allclose(b, [-np.log(0.9), -np.log(0.8)], rtol=1e-5)
    m = keras.losses.MeanSquaredError()(t, Tensor(p)).item()
    assert m == pytest.approx(((t - p) ** 2).mean())
    assert keras.losses.get("mae")(t, Tensor(p)).item() == pytest.approx(np.abs(t - p).mean())
    with pytest.raises(ValueError, match="known losses: .*categorical_crossentropy"):
        keras.losses.get("cross_entropy")


def test_regression_with_mse_and_regularizer():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.3
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    h = m.fit(x, y, epochs=40, batch_size=20, verbose=0)
    assert h.history["loss"][-1] < 1e-4 and list(h.history) == ["loss", "mae"]
    np.testing.assert_allclose(m.layers[0].kernel.numpy()[:, 0], [1, -2, 0.5], atol=1e-2)
    reg = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(
        1, kernel_regularizer=keras.regularizers.L2(1.0))])
    reg.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    reg.fit(x, y, epochs=40, batch_size=20, verbose=0)
    assert np.abs(reg.layers[0].kernel.numpy()).sum() < 0.7 * 3.5   # shrunk towards 0


# -- bad input -------------------------------------------------------------------------------

def compiled(loss="categorical_crossentropy"):
    m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    return m


def test_fit_before_compile():
    x, y = small_data()
    m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3)])
    with pytest.raises(ValueError, match=r"call `compile\(\)` before calling `fit\(\)`"):
        m.fit(x, y)
    with pytest.raises(ValueError, match=r"before calling `evaluate\(\)`"):
        m.evaluate(x, y)


def test_integer_labels_with_categorical_crossentropy():
    """The course's slide fits integer labels with categorical_crossentropy."""
    x, y = small_data()
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*to_categorical\(y, 3\)"):
        compiled().fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="categorical_crossentropy.*argmax"):
        compiled("sparse_categorical_crossentropy").fit(
            x, keras.utils.to_categorical(y, 3), verbose=0)
    with pytest.raises(ValueError, match="label 5 is out of range"):
        compiled("sparse_categorical_crossentropy").fit(x, np.full(len(x), 5), verbose=0)


def test_bad_data_named():
    x, y = small_data()
    t = keras.utils.to_categorical(y, 3)
    m = compiled()
    with pytest.raises(ValueError, match="x with 240 and y with 239"):
        m.fit(x, t[:-1], verbose=0)
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 8, "
                                         r"but received input with shape \(None, 7\)"):
        m.fit(x[:, :7], t, verbose=0)
    with pytest.raises(ValueError, match="incompatible"):
        m.predict(x[:, :7], verbose=0)
    bad = x.copy()
    bad[17, 2] = np.nan
    with pytest.raises(ValueError, match="NaN.*index 17"):
        m.fit(bad, t, verbose=0)
    with pytest.raises(ValueError, match="NaN"):
        m.evaluate(bad, t, verbose=0)
    for v in (1.0, -0.1, 2):
        with pytest.raises(ValueError, match=f"validation_split={v}"):
            m.fit(x, t, validation_split=v, verbose=0)
    with pytest.raises(ValueError, match="batch_size=0"):
        m.fit(x, t, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match=r"y has shape \(240, 4\)"):
        m.fit(x, np.zeros((240, 4)), verbose=0)


def test_unknown_names_list_valid_ones():
    with pytest.raises(ValueError, match="known metrics: .*accuracy"):
        compiled().compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="known optimizers"):
        compiled().compile(optimizer="sgdd", loss="mse")
    with pytest.raises(ValueError, match="known losses"):
        compiled().compile(optimizer="sgd", loss="categorical_cross_entropy")


def test_keras_device_names_and_the_cpu_fallback(monkeypatch):
    """keras.device takes Keras's names; a "gpu" scope without a usable GPU runs on
    the CPU and says why once (TensorFlow's soft placement), never fails midway."""
    from retrograd import backend
    from retrograd.keras import device_scope
    with pytest.raises(ValueError, match=r"keras.device: invalid device_name 'tpu:0'"):
        with keras.device("tpu:0"):
            pass
    with pytest.raises(TypeError, match="must be a string"):
        with keras.device(0):
            pass
    with pytest.raises(ValueError, match=r"keras.device\('gpu:1'\): retrograd runs on one "
                                         r"GPU per process; start the process with "
                                         r"CUDA_VISIBLE_DEVICES=1"):
        with keras.device("gpu:1"):
            pass
    monkeypatch.setattr(backend, "cuda_available", lambda: False)
    monkeypatch.setattr(backend, "module_for", lambda d: (_ for _ in ()).throw(
        RuntimeError("device 'cuda' needs CuPy, which is not installed")))
    monkeypatch.setattr(device_scope, "_warned", set())
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.warns(RuntimeWarning, match=r"keras.device\('gpu:0'\): device 'cuda' needs "
                                            r"CuPy.*running on the CPU"):
        with keras.device("gpu:0"):
            assert device_scope.current() == "cpu"
            model.predict(np.ones((4, 3), np.float32), verbose=0)
    assert device_scope.current() is None
    assert {p.device for p in model.parameters()} == {"cpu"}
