"""``fit``/``evaluate``/``predict`` on data that yield their batches: Python generators
and iterators, ``keras.utils.PyDataset`` and ``retrograd.data.DataLoader``
(``keras/data_adapters.py``), with Keras 3's epoch semantics: the same weights and
results as the same batches given as arrays, ``steps_per_epoch`` continuing where the
last epoch stopped, ``on_epoch_end`` once per epoch, and errors naming the method and
the batch."""
import warnings

import numpy as np
import pytest

from retrograd import keras
from retrograd.data import DataLoader, TensorDataset
from retrograd.keras import layers

N, B = 20, 6            # 4 batches: 6, 6, 6, 2


def model(seed=0, metrics=("accuracy",)):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5, momentum=0.9),
              loss="sparse_categorical_crossentropy", metrics=list(metrics))
    return m


def data(n=N, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, 5)).astype(np.float32), rng.integers(0, 3, n),
            rng.uniform(0, 2, n).astype(np.float32))


X, Y, W = data()


def batches(*arrays, size=B):
    return [tuple(a[lo:lo + size] for a in arrays) for lo in range(0, len(arrays[0]), size)]


class Batches(keras.utils.PyDataset):
    """batch i = rows [i·size, (i+1)·size) of the arrays; records what fit asks."""

    def __init__(self, *arrays, size=B, **kwargs):
        super().__init__(**kwargs)
        self.arrays, self.size = arrays, size
        self.asked, self.begins, self.ends = [], 0, 0

    def __len__(self):
        return -(-len(self.arrays[0]) // self.size)

    def __getitem__(self, i):
        self.asked.append(i)
        rows = slice(i * self.size, (i + 1) * self.size)
        return tuple(a[rows] for a in self.arrays)

    def on_epoch_begin(self):
        self.begins += 1

    def on_epoch_end(self):
        self.ends += 1


SOURCES = {
    "generator": lambda *a: (b for b in batches(*a)),
    "iterator": lambda *a: iter(batches(*a)),
    "PyDataset": lambda *a: Batches(*a),
    "DataLoader": lambda *a: DataLoader(TensorDataset(*a), batch_size=B),
}


def assert_same_weights(a, b):
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", SOURCES)
def test_one_epoch_from_a_source_is_fit_on_the_arrays(kind):
    a, b = model(), model()
    ha = a.fit(X, Y, batch_size=B, shuffle=False, verbose=0)
    hb = b.fit(SOURCES[kind](X, Y), shuffle=False, verbose=0)
    assert_same_weights(a, b)
    assert hb.history.keys() == ha.history.keys()
    for key, values in ha.history.items():
        assert hb.history[key] == pytest.approx(values), key


@pytest.mark.parametrize("kind", ["generator", "PyDataset", "DataLoader"])
def test_sample_weights_in_the_batches_and_class_weight_per_batch(kind):
    a, b = model(), model()
    a.fit(X, Y, sample_weight=W, batch_size=B, shuffle=False, verbose=0)
    b.fit(SOURCES[kind](X, Y, W), shuffle=False, verbose=0)
    assert_same_weights(a, b)
    cw = {0: 0.5, 1: 3.0}
    a, b = model(), model()
    a.fit(X, Y, class_weight=cw, batch_size=B, shuffle=False, verbose=0)
    b.fit(SOURCES[kind](X, Y), class_weight=cw, shuffle=False, verbose=0)
    assert_same_weights(a, b)


def test_several_inputs_and_outputs_from_a_generator():
    def two_by_two(seed=0):
        keras.utils.set_random_seed(seed)
        p, q = keras.Input(shape=(5,), name="p"), keras.Input(shape=(2,), name="q")
        h = layers.Dense(4, activation="tanh")(layers.Concatenate()([p, q]))
        m = keras.Model([p, q], [layers.Dense(3, activation="softmax", name="cls")(h),
                                 layers.Dense(1, name="reg")(h)])
        m.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5])
        return m
    q = np.random.default_rng(2).normal(size=(N, 2)).astype(np.float32)
    r = q.sum(1, keepdims=True)
    a, b = two_by_two(), two_by_two()
    a.fit([X, q], [Y, r], batch_size=B, shuffle=False, epochs=2, verbose=0)
    gen = (({"p": x, "q": xq}, [y, yr]) for _ in range(2) for x, xq, y, yr in batches(X, q, Y, r))
    b.fit(gen, steps_per_epoch=4, epochs=2, verbose=0)
    assert_same_weights(a, b)


def test_steps_per_epoch_with_an_infinite_generator_continues_where_it_stopped():
    pulled = []

    def forever():
        k = 0
        while True:
            pulled.append(k % 4)
            yield batches(X, Y)[k % 4]
            k += 1
    a, b = model(), model()
    h = a.fit(forever(), steps_per_epoch=3, epochs=2, verbose=0)
    assert pulled == [0, 1, 2, 3, 0, 1]          # 3 per epoch, nothing read ahead
    assert len(h.history["loss"]) == 2
    for k in pulled:
        b.train_on_batch(*batches(X, Y)[k])
    assert_same_weights(a, b)


def test_a_finite_generator_is_one_epoch_then_keras_warns_and_stops():
    m = model()
    with pytest.warns(UserWarning, match="ran out of data.*no batch in epoch 2"):
        h = m.fit(SOURCES["generator"](X, Y), epochs=3, verbose=0)
    assert len(h.history["loss"]) == 1
    # with steps_per_epoch, the epoch that runs out ends early with the warning
    with pytest.warns(UserWarning) as caught:
        h = model().fit(SOURCES["generator"](X, Y), steps_per_epoch=3, epochs=3, verbose=0)
    assert len(h.history["loss"]) == 2
    assert [str(w.message).split(";")[0] for w in caught] == [
        "fit: your input ran out of data: the generator yielded 1 batch(es) where 3 were "
        "asked (steps_per_epoch)",
        "fit: your input ran out of data: the generator yielded no batch in epoch 3"]


def test_steps_per_epoch_on_a_pydataset_continues_then_starts_a_new_pass():
    a, b = model(), model()
    ds = Batches(X, Y)
    with pytest.warns(UserWarning, match="yielded 1 batch"):
        a.fit(ds, steps_per_epoch=3, epochs=3, shuffle=False, verbose=0)
    assert ds.asked == [0, 1, 2, 3, 0, 1, 2]    # epoch 2 ends with the pass: 1 batch
    for k in ds.asked:
        b.train_on_batch(*batches(X, Y)[k])
    assert_same_weights(a, b)


def test_pydataset_hooks_once_per_epoch_and_shuffled_batch_order():
    ds, val = Batches(X, Y), Batches(X, Y)
    model().fit(ds, epochs=3, shuffle=False, validation_data=val, verbose=0)
    assert (ds.begins, ds.ends) == (3, 3)
    assert (val.begins, val.ends) == (3, 3)
    assert ds.asked == [0, 1, 2, 3] * 3
    ds = Batches(X, Y)
    model().fit(ds, epochs=3, verbose=0)        # shuffle=True: a new order per epoch
    orders = [ds.asked[4 * e:4 * e + 4] for e in range(3)]
    assert all(sorted(o) == [0, 1, 2, 3] for o in orders)
    assert any(o != [0, 1, 2, 3] for o in orders)
    m = model()
    m.evaluate(ds, verbose=0)
    m.predict(ds, verbose=0)
    assert ds.ends == 5


@pytest.mark.parametrize("kind", SOURCES)
def test_evaluate_and_predict_match_the_arrays(kind):
    m = model()
    m.fit(X, Y, batch_size=B, verbose=0)
    want = m.evaluate(X, Y, batch_size=B, verbose=0, return_dict=True)
    assert m.evaluate(SOURCES[kind](X, Y), verbose=0, return_dict=True) == pytest.approx(want)
    assert m.evaluate(SOURCES[kind](X, Y), steps=2, verbose=0) == \
        pytest.approx(m.evaluate(X, Y, batch_size=B, steps=2, verbose=0))
    weighted = m.evaluate(X, Y, sample_weight=W, batch_size=B, verbose=0)
    assert m.evaluate(SOURCES[kind](X, Y, W), verbose=0) == pytest.approx(weighted)
    p = m.predict(X, verbose=0)
    np.testing.assert_allclose(m.predict(SOURCES[kind](X), verbose=0), p, rtol=1e-6)
    np.testing.assert_allclose(m.predict(SOURCES[kind](X, Y), verbose=0), p, rtol=1e-6)


def test_validation_data_as_a_source_with_validation_steps():
    m = model()
    val = Batches(X, Y)
    h = m.fit(X, Y, batch_size=B, epochs=2, validation_data=val, validation_steps=2,
              verbose=0)
    assert val.asked == [0, 1, 0, 1]            # each validation starts again
    assert h.history["val_loss"][-1] == pytest.approx(
        m.evaluate(X[:2 * B], Y[:2 * B], batch_size=B, verbose=0)[0])
    # a generator is read once: its validations continue where the last stopped
    m = model()
    h = m.fit(X, Y, batch_size=B, epochs=2, verbose=0, validation_steps=2,
              validation_data=SOURCES["generator"](X, Y))
    assert h.history["val_loss"][-1] == pytest.approx(
        m.evaluate(X[2 * B:], Y[2 * B:], batch_size=B, verbose=0)[0])
    with pytest.raises(ValueError, match=r"fit \(validation_data\): the generator yielded "
                                         "no batch.*read only once"):
        model().fit(X, Y, epochs=2, verbose=0, validation_data=SOURCES["generator"](X, Y))


def test_any_iterable_of_batches_such_as_a_torch_dataloader():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader, TensorDataset as TorchData
    a, b = model(), model()
    a.fit(X, Y, batch_size=B, shuffle=False, verbose=0)
    b.fit(TorchLoader(TorchData(torch.tensor(X), torch.tensor(Y)), batch_size=B), verbose=0)
    assert_same_weights(a, b)
    assert keras.utils.Sequence is keras.utils.PyDataset      # Keras 2's name


def test_an_unbuilt_model_is_built_by_the_first_batch():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    m.fit(SOURCES["generator"](X, Y), verbose=0)
    assert m.count_params() == 18
    keras.utils.set_random_seed(0)
    m = keras.Sequential([layers.Dense(3, activation="softmax")])
    assert m.predict(SOURCES["DataLoader"](X), verbose=0).shape == (N, 3)


def test_the_progress_bar_of_a_source_of_unknown_length(capsys):
    m = model()
    m.fit(SOURCES["generator"](X, Y), verbose=2)
    m.evaluate(SOURCES["generator"](X, Y), verbose=1)
    m.fit(Batches(X, Y), verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("      4/Unknown") and "loss:" in out[0]
    assert out[1].startswith("      4/Unknown") and "loss:" in out[1]
    assert out[2].startswith("4/4 - ")


# -- errors -------------------------------------------------------------------------------
def gen(items):
    return (i for i in items)


@pytest.mark.parametrize("call, match", [
    (lambda m: m.fit(gen([]), y=Y), r"fit: when x is a generator, `y` should not be passed"),
    (lambda m: m.fit(Batches(X, Y), sample_weight=W),
     r"fit: when x is a PyDataset Batches, `sample_weight` should not be passed"),
    (lambda m: m.fit(gen([]), batch_size=8),
     r"fit: the `batch_size` argument must not be specified when x is a generator.*"
     r"batch_size=8"),
    (lambda m: m.evaluate(Batches(X, Y), batch_size=8), r"evaluate: the `batch_size`"),
    (lambda m: m.predict(SOURCES["DataLoader"](X), batch_size=8),
     r"predict: the `batch_size` argument must not be specified when x is a DataLoader"),
    (lambda m: m.fit(gen([]), validation_split=0.2),
     r"fit: validation_split is only supported with arrays"),
    (lambda m: m.fit(gen([(X, Y, W, W)])),
     r"fit \(batch 0 of the generator\): expected a batch \(x, y\) or \(x, y, "
     r"sample_weight\), got a tuple of 4 item\(s\)"),
    (lambda m: m.fit(gen([X])), r"fit \(batch 0 of the generator\): expected a batch "
                                r"\(x, y\).*got one array of shape \(20, 5\)"),
    (lambda m: m.evaluate(Batches(X)), r"evaluate \(Batches\[0\]\): expected a batch "
                                       r"\(x, y\).*got a tuple of 1 item"),
    (lambda m: m.predict(gen([(X, Y, W, W)])), r"predict \(batch 0 of the generator\): "
                                               r"expected a batch x, \(x,\), \(x, y\)"),
    (lambda m: m.fit(gen([(X[:6], Y[:6]), (X[:6, :4], Y[:6])])),
     r"fit \(batch 1 of the generator\): x has shape \(6, 4\), but the first batch "
     r"\(batch 0 of the generator\) had \(6, 5\): every batch must have the same shape"),
    (lambda m: m.predict(gen([X[:6], X[:6, :4]])),
     r"predict \(batch 1 of the generator\): x has shape \(6, 4\), but the first batch"),
    (lambda m: m.fit(gen([(X[:6], Y[:6]), (X[:6], Y[:6], W[:6])])),
     r"fit \(batch 1 of the generator\): sample_weight has shape \(6,\), but the first "
     r"batch \(batch 0 of the generator\) had none"),
    (lambda m: m.fit(gen([(X[:6], Y[:5])])),
     r"fit \(batch 0 of the generator\): x and y must have the same number of samples"),
    (lambda m: m.fit(gen([(X, Y, W)]), class_weight={0: 2.0}),
     r"fit \(batch 0 of the generator\): give sample_weight or class_weight, not both"),
    (lambda m: m.fit(gen([])), r"fit: the generator yielded no batch"),
    (lambda m: m.predict(gen([])), r"predict: the generator yielded no batch"),
    (lambda m: m.fit(gen([(X[:0], Y[:0])])), r"fit \(batch 0 of the generator\): the batch "
                                             r"is empty"),
    (lambda m: m.fit(gen([]), distributed=True), r"fit: distributed .* x is a generator"),
])
def test_errors_name_the_method_the_batch_and_what_was_given(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=match):
            call(model())
