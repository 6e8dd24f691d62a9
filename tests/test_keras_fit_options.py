"""``compile(weighted_metrics=...)``, ``fit(steps_per_epoch=..., validation_steps=...)``,
``evaluate(steps=...)``, ``predict(steps=...)`` with array data, and evaluate/predict
``distributed=True`` in one process (the MPI runs are in test_keras_distributed.py)."""
import numpy as np
import pytest

from retrograd import keras
from retrograd.keras import layers


def model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(5,)), layers.Dense(3, activation="softmax")])


def data(n=20, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 5)).astype(np.float32), rng.integers(0, 3, n)


def test_weighted_metrics_are_keras_weighted_means():
    x, y = data()
    w = np.random.default_rng(4).uniform(0, 3, 20)
    m = model()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=["accuracy", "mse"])
    assert m.metrics_names == ["loss", "accuracy", "weighted_accuracy", "mse"]
    p = m.predict(x, verbose=0).astype(np.float64)
    hit = p.argmax(1) == y
    se = ((p - y[:, None]) ** 2).mean(1)       # as Keras: the label against each output
    logs = m.evaluate(x, y, sample_weight=w, batch_size=6, verbose=0, return_dict=True)
    assert logs["accuracy"] == pytest.approx(hit.mean())                 # not weighted
    assert logs["weighted_accuracy"] == pytest.approx((w * hit).sum() / w.sum())
    assert logs["mse"] == pytest.approx((w * se).sum() / w.sum(), rel=1e-5)
    plain = m.evaluate(x, y, verbose=0, return_dict=True)                 # no weights
    assert plain["weighted_accuracy"] == pytest.approx(hit.mean())
    # class_weight feeds the weighted metrics too, as per-sample weights
    cw = {0: 1.0, 1: 4.0, 2: 0.5}
    h = m.fit(x, y, class_weight=cw, batch_size=20, epochs=1, verbose=0, shuffle=False)
    wc = np.array([cw[int(c)] for c in y])
    assert h.history["weighted_accuracy"][0] == pytest.approx((wc * hit).sum() / wc.sum())


def test_steps_per_epoch_continues_where_the_last_epoch_stopped():
    """10 samples in batches of 2 (5 batches), steps_per_epoch=2, no shuffling: epoch 1
    reads batches 0-1, epoch 2 batches 2-3, epoch 3 only batch 4 (the data runs out:
    Keras's warning), epoch 4 starts a new pass: the same weights as train_on_batch on
    batches 0, 1, 2, 3, 4, 0, 1."""
    x, y = data(10)
    a, b = model(), model()
    for m in (a, b):
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5),
                  loss="sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="ran out of data: 1 batch"):
        h = a.fit(x, y, batch_size=2, epochs=4, steps_per_epoch=2, shuffle=False, verbose=0)
    for k in (0, 1, 2, 3, 4, 0, 1):
        b.train_on_batch(x[2 * k:2 * k + 2], y[2 * k:2 * k + 2])
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)
    assert len(h.history["loss"]) == 4
    lines = []
    c = model()
    c.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    c.fit(x, y, batch_size=2, epochs=1, steps_per_epoch=3, verbose=2,
          callbacks=[keras.callbacks.LambdaCallback(
              on_train_batch_end=lambda batch, logs: lines.append(batch))])
    assert lines == [0, 1, 2]


def test_validation_steps_and_evaluate_predict_steps_read_the_first_batches():
    x, y = data(20)
    m = model()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    first = m.evaluate(x[:8], y[:8], verbose=0)
    assert m.evaluate(x, y, batch_size=4, steps=2, verbose=0) == pytest.approx(first, rel=1e-6)
    assert m.predict(x, batch_size=3, steps=2, verbose=0).shape == (6, 3)
    with pytest.warns(UserWarning, match="ran out of data"):
        assert m.predict(x, batch_size=8, steps=5, verbose=0).shape == (20, 3)
    h = m.fit(x, y, batch_size=20, epochs=1, verbose=0, shuffle=False,
              validation_data=(x, y), validation_batch_size=5, validation_steps=1)
    assert h.history["val_loss"][0] == pytest.approx(m.evaluate(x[:5], y[:5], verbose=0)[0],
                                                     rel=1e-6)
    for bad in ({"steps_per_epoch": 0}, {"validation_steps": -1}, {"steps_per_epoch": 1.5}):
        with pytest.raises(ValueError, match=f"fit: {next(iter(bad))} must be a positive "
                                             "integer"):
            m.fit(x, y, verbose=0, **bad)
    with pytest.raises(ValueError, match="evaluate: steps must be a positive integer"):
        m.evaluate(x, y, steps=0, verbose=0)


def test_one_process_distributed_evaluate_and_predict_equal_the_plain_ones():
    x, y = data(23)
    w = np.random.default_rng(0).uniform(0, 2, 23)
    m = model()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=["accuracy"])
    plain = m.evaluate(x, y, sample_weight=w, batch_size=5, verbose=0)
    dist = m.evaluate(x, y, sample_weight=w, batch_size=5, verbose=0, distributed=True)
    assert dist == pytest.approx(plain, rel=1e-12)
    np.testing.assert_array_equal(m.predict(x, batch_size=5, verbose=0, distributed=True),
                                  m.predict(x, batch_size=5, verbose=0))
    with pytest.raises(TypeError, match="evaluate: distributed must be True, False or a"):
        m.evaluate(x, y, verbose=0, distributed="all")


def test_sample_weights_given_on_the_gpu_come_to_the_host(fake_cuda):
    """A CuPy array of weights (as a Keras user holding tensors on the GPU gives them)
    weighs as the same NumPy weights do; it was refused as 'not an array of numbers'."""
    x, y = data(23)
    w = np.random.default_rng(2).uniform(0, 2, 23)
    m = model()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
              weighted_metrics=["accuracy"])
    ref = m.evaluate(x, y, sample_weight=w, batch_size=5, verbose=0)
    assert m.evaluate(x, y, sample_weight=fake_cuda.asarray(w), batch_size=5,
                      verbose=0) == pytest.approx(ref, rel=1e-12)
    loss = keras.losses.SparseCategoricalCrossentropy()
    p = m.predict(x, verbose=0)
    assert float(loss(y, p, sample_weight=fake_cuda.asarray(w)).array) == \
        pytest.approx(float(loss(y, p, sample_weight=w).array), rel=1e-12)
