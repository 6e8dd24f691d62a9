"""Functional models with several inputs and outputs: ``keras.Model([a, b], [o1, o2])``,
compile per output (lists and dicts), fit/evaluate/predict/train_on_batch with x and y
as lists or dicts, Keras's log names, summary and model files, and the errors."""
import numpy as np
import pytest

from retrograd import keras
from retrograd.keras import layers


@pytest.fixture(autouse=True)
def _columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


def two_in_two_out(seed=0):
    """Inputs a (6,) and b (3,), a shared trunk, a softmax head "cls" and a linear
    head "reg"."""
    keras.utils.set_random_seed(seed)
    a, b = keras.Input(shape=(6,), name="a"), keras.Input(shape=(3,), name="b")
    h = layers.Dense(8, activation="tanh", name="h")(layers.Concatenate()([a, b]))
    cls = layers.Dense(3, activation="softmax", name="cls")(h)
    reg = layers.Dense(2, name="reg")(h)
    return keras.Model([a, b], [cls, reg], name="two")


def data(n=24, seed=1):
    rng = np.random.default_rng(seed)
    xa, xb = rng.normal(size=(n, 6)).astype(np.float32), rng.normal(size=(n, 3)).astype(np.float32)
    return xa, xb, rng.integers(0, 3, n), rng.normal(size=(n, 2)).astype(np.float32)


def hand_losses(model, xa, xb, yc, yr):
    """(mean cross-entropy of cls, mean squared error of reg) from predict, float64."""
    pc, pr = (p.astype(np.float64) for p in model.predict([xa, xb], verbose=0))
    ce = -np.log(pc[np.arange(len(yc)), yc]).mean()
    return ce, ((pr - yr) ** 2).mean()


def test_loss_is_the_weighted_sum_of_the_outputs_losses():
    m = two_in_two_out()
    xa, xb, yc, yr = data()
    m.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"],
              loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    ce, mse = hand_losses(m, xa, xb, yc, yr)
    logs = m.evaluate([xa, xb], [yc, yr], batch_size=7, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(ce + 0.5 * mse, rel=1e-6)
    assert logs["cls_loss"] == pytest.approx(ce, rel=1e-6)
    assert logs["reg_loss"] == pytest.approx(0.5 * mse, rel=1e-6)   # Keras 3: λₖ ℓₖ
    pc, pr = m.predict([xa, xb], verbose=0)
    assert logs["cls_accuracy"] == pytest.approx((pc.argmax(1) == yc).mean())
    assert logs["reg_mae"] == pytest.approx(np.abs(pr - yr).mean(), rel=1e-6)
    assert m.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]
    values = m.evaluate([xa, xb], [yc, yr], verbose=0)
    assert values == pytest.approx([logs[k] for k in m.metrics_names], rel=1e-6)


def test_one_step_follows_the_gradient_of_the_weighted_sum():
    """The SGD step of train_on_batch is −η ∇(ℓ_cls + 0.5 ℓ_reg), computed here by hand
    through the model's own call; a loss weight of 0 leaves its head untouched."""
    xa, xb, yc, yr = data()
    ref = two_in_two_out()
    out_c, out_r = ref([xa, xb])
    ce = -(out_c[np.arange(len(yc)), yc]).log().mean()
    loss = ce + 0.5 * ((out_r - yr) ** 2).mean()
    loss.backward()
    grads = {n: p.grad.numpy().copy() for n, p in ref.named_weights()}
    m = two_in_two_out()
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
              loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
              loss_weights={"reg": 0.5})
    before = {n: p.numpy().copy() for n, p in m.named_weights()}
    value = m.train_on_batch({"a": xa, "b": xb}, {"cls": yc, "reg": yr})
    assert value == pytest.approx([float(loss.array), float(ce.array),
                                   float(loss.array) - float(ce.array)], rel=1e-5)
    for n, p in m.named_weights():
        np.testing.assert_allclose((before[n] - p.numpy()) / 0.1, grads[n], rtol=1e-3,
                                   atol=1e-5, err_msg=n)
        assert np.abs(grads[n]).max() > 0, n          # both heads and the trunk move
    frozen = two_in_two_out()
    frozen.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"],
                   loss_weights=[1.0, 0.0])
    w = frozen.get_layer("reg").get_weights()
    frozen.fit([xa, xb], [yc, yr], batch_size=8, epochs=1, verbose=0)
    for a, b in zip(w, frozen.get_layer("reg").get_weights()):
        np.testing.assert_array_equal(a, b)


def test_lists_and_dicts_give_the_same_run():
    xa, xb, yc, yr = data()
    runs = []
    for as_dict in (False, True):
        m = two_in_two_out(seed=3)
        if as_dict:
            m.compile(optimizer="adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                      metrics={"cls": "accuracy"})
            h = m.fit({"b": xb, "a": xa}, {"reg": yr, "cls": yc}, batch_size=8, epochs=2,
                      verbose=0, validation_data=({"a": xa, "b": xb}, {"cls": yc, "reg": yr}))
        else:
            m.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                      metrics=[["accuracy"], None])
            h = m.fit([xa, xb], [yc, yr], batch_size=8, epochs=2, verbose=0,
                      validation_data=([xa, xb], [yc, yr]))
        runs.append((h.history, m.get_weights()))
    (h1, w1), (h2, w2) = runs
    assert sorted(h1) == ["cls_accuracy", "cls_loss", "loss", "reg_loss", "val_cls_accuracy",
                          "val_cls_loss", "val_loss", "val_reg_loss"]
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_one_loss_applies_to_every_output_and_a_dict_may_leave_one_out():
    keras.utils.set_random_seed(0)
    x = keras.Input(shape=(4,))
    h = layers.Dense(5, name="h")(x)
    m = keras.Model(x, {"p": layers.Dense(2, name="p")(h), "q": layers.Dense(2, name="q")(h)})
    rng = np.random.default_rng(0)
    xs, yp, yq = rng.normal(size=(10, 4)), rng.normal(size=(10, 2)), rng.normal(size=(10, 2))
    m.compile(optimizer="sgd", loss="mse")
    out = m.predict(xs, verbose=0)
    assert isinstance(out, dict) and sorted(out) == ["p", "q"]
    logs = m.evaluate(xs, {"p": yp, "q": yq}, verbose=0, return_dict=True)
    lp, lq = ((out["p"] - yp) ** 2).mean(), ((out["q"] - yq) ** 2).mean()
    assert logs["loss"] == pytest.approx(lp + lq, rel=1e-5)
    m.compile(optimizer="sgd", loss={"p": "mse"})
    q = m.get_layer("q").get_weights()
    h = m.fit(xs, {"p": yp}, epochs=1, verbose=0)          # no target needed for q
    assert sorted(h.history) == ["loss", "p_loss"]
    for a, b in zip(q, m.get_layer("q").get_weights()):
        np.testing.assert_array_equal(a, b)


def test_predict_returns_a_list_and_model_call_takes_a_list():
    m = two_in_two_out()
    xa, xb, _, _ = data()
    pc, pr = m.predict([xa, xb], batch_size=5, verbose=0)
    assert pc.shape == (24, 3) and pr.shape == (24, 2)
    np.testing.assert_allclose(pc.sum(1), 1, rtol=1e-5)
    oc, orr = m([xa, xb])
    np.testing.assert_allclose(oc.numpy(), pc, rtol=1e-6)
    np.testing.assert_allclose(m.predict_on_batch({"a": xa, "b": xb})[1], pr, atol=1e-6)
    assert m.output_names == ["cls", "reg"] and m.input_names == ["a", "b"]


def test_summary_and_model_file_of_a_two_input_two_output_model(tmp_path):
    m = two_in_two_out()
    xa, xb, yc, yr = data()
    m.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
              loss_weights=[1.0, 0.25], metrics={"cls": ["accuracy"], "reg": ["mae"]},
              weighted_metrics={"cls": ["accuracy"]})
    m.fit([xa, xb], [yc, yr], epochs=1, verbose=0)
    lines = []
    m.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text and "a[0][0], b[0][0]" in text
    assert lines[4].startswith("│ a (InputLayer)") and "b (InputLayer)" in lines[6]
    path = tmp_path / "two.retrograd"
    m.save(path)
    loaded = keras.models.load_model(path)
    for p, q in zip(m.predict([xa, xb], verbose=0), loaded.predict([xa, xb], verbose=0)):
        np.testing.assert_array_equal(p, q)
    assert loaded.metrics_names == m.metrics_names
    assert loaded.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae",
                                    "cls_weighted_accuracy"]
    assert loaded.evaluate([xa, xb], [yc, yr], verbose=0) == \
        pytest.approx(m.evaluate([xa, xb], [yc, yr], verbose=0), rel=1e-6)
    # training resumes identically (Adam's moments restored)
    m.fit([xa, xb], [yc, yr], epochs=1, verbose=0, shuffle=False)
    loaded.fit([xa, xb], [yc, yr], epochs=1, verbose=0, shuffle=False)
    for p, q in zip(m.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)


def test_bad_inputs_and_outputs_are_refused_naming_the_model():
    m = two_in_two_out()
    xa, xb, yc, yr = data()
    with pytest.raises(ValueError, match=r"does not correspond to any output of model 'two'; "
                                         r"its outputs are \['cls', 'reg'\]"):
        m.compile(optimizer="sgd", loss={"clss": "mse"})
    with pytest.raises(ValueError, match=r"model 'two' has 2 output\(s\).*one entry per "
                                         r"output, got 3"):
        m.compile(optimizer="sgd", loss=["mse", "mse", "mse"])
    with pytest.raises(ValueError, match=r"`metrics` list must have one entry per output, "
                                         r"got 1"):
        m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    m.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"])
    with pytest.raises(ValueError, match=r"fit: model 'two' has 2 inputs \['a', 'b'\]: give x "
                                         r"as a list of 2 arrays.*got one array of shape"):
        m.fit(xa, [yc, yr], verbose=0)
    with pytest.raises(ValueError, match=r"x is a dict with unknown key\(s\) \['c'\]"):
        m.fit({"a": xa, "c": xb}, [yc, yr], verbose=0)
    with pytest.raises(ValueError, match=r"inputs of model 'two' must have the same number of "
                                         r"samples, got \{'a': 24, 'b': 20\}"):
        m.fit([xa, xb[:20]], [yc, yr], verbose=0)
    with pytest.raises(ValueError, match=r"x and y\['reg'\] must have the same number of "
                                         r"samples, got x with 24 and y\['reg'\] with 23"):
        m.fit([xa, xb], [yc, yr[:23]], verbose=0)
    with pytest.raises(ValueError, match=r"y has no target for output 'reg' of model 'two'"):
        m.evaluate([xa, xb], {"cls": yc}, verbose=0)
    with pytest.raises(ValueError, match=r'Input 1 of layer "b" is incompatible.*argument '
                                         r"x\['b'\]"):
        m.predict([xa, xa], verbose=0)
    with pytest.raises(ValueError, match="class_weight is only supported for models with one "
                                         "output"):
        m.fit([xa, xb], [yc, yr], class_weight={0: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="Graph disconnected.*not among the model's inputs"):
        keras.Model(keras.Input(shape=(3,)), layers.Concatenate()([keras.Input(shape=(6,)),
                                                                    keras.Input(shape=(3,))]))


def test_per_output_sample_weights():
    """One array of weights applies to every output; a dict weighs one output only."""
    m = two_in_two_out()
    xa, xb, yc, yr = data()
    m.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"])
    w = np.random.default_rng(2).uniform(0, 2, 24)
    pc, pr = (p.astype(np.float64) for p in m.predict([xa, xb], verbose=0))
    ce = -np.log(pc[np.arange(24), yc])
    se = ((pr - yr) ** 2).mean(1)
    both = m.evaluate([xa, xb], [yc, yr], sample_weight=w, batch_size=24, verbose=0,
                      return_dict=True)
    assert both["loss"] == pytest.approx((w * ce).mean() + (w * se).mean(), rel=1e-5)
    only = m.evaluate([xa, xb], [yc, yr], sample_weight={"reg": w}, batch_size=24, verbose=0,
                      return_dict=True)
    assert only["cls_loss"] == pytest.approx(ce.mean(), rel=1e-5)
    assert only["reg_loss"] == pytest.approx((w * se).mean(), rel=1e-5)
