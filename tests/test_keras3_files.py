"""Keras 3's files and configurations both ways, against real Keras 3 (PyTorch backend):
``.keras`` zips and ``.weights.h5`` written by one library and read by the other give
the same predictions (≤ 1e-6); ``get_config``/``from_config``, ``clone_model``,
``to_json``/``model_from_json`` as Keras 3 writes them; hostile files (HDF5 with a
huge declared shape, links, non-datasets; configurations naming unknown classes or
module paths) refused with ``ModelFileError``, fast; loading time linear in the file.

``K`` is the Keras module of one side (``keras`` or ``retrograd.keras``): a snippet
is a function of it, so the same code runs on both (the "parity snippets")."""
import io
import json
import os
import time
import warnings
import zipfile

import numpy as np
import pytest

from retrograd import keras as rk
from retrograd.keras.saving.config import keras_layers
from retrograd.missing import NotSupportedError
from retrograd.serialization import ModelFileError

h5py = pytest.importorskip("h5py", reason="Keras 3's files are HDF5 inside (pip install "
                           "h5py, the interop extra)")
os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is the oracle of its file format "
                            "(pip install keras; it runs on the PyTorch backend)")
pytest.importorskip("torch", reason="Keras's PyTorch backend needs torch")
if keras.config.backend() != "torch":
    pytest.skip(f"Keras imported with backend {keras.config.backend()!r} before this module "
                "set KERAS_BACKEND=torch", allow_module_level=True)

R = np.random.default_rng(0)
X4 = R.standard_normal((5, 4)).astype(np.float32)
X3 = R.standard_normal((5, 3)).astype(np.float32)


def predict(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, list) else np.asarray(out)


def same(a, b, tol=1e-6):
    if isinstance(a, list):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            same(u, v, tol)
        return
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, atol=tol, rtol=tol)    # float32 sums, other orders


# -- the parity snippets: the same code under both libraries ---------------------------
def sequential(K):
    L = K.layers
    return K.Sequential([K.Input((4,)), L.Dense(6, activation="relu", name="hidden"),
                         L.Dropout(0.3), L.ReLU(max_value=2.0), L.LeakyReLU(negative_slope=0.2),
                         L.ELU(), L.PReLU(), L.Dense(3), L.Softmax()], name="seq")


def functional(K):
    L = K.layers
    a, b = K.Input((4,), name="a"), K.Input((3,), name="b")
    shared = L.Dense(4, name="shared")                    # called twice: two nodes
    h = L.Concatenate()([shared(a), shared(L.Dense(4, activation="tanh")(b))])
    s = L.Dense(5)(h)
    t = L.Dense(5)(h)
    merged = [L.Add()([s, t]), L.Subtract()([s, t]), L.Multiply()([s, t]),
              L.Average()([s, t]), L.Maximum()([s, t]), L.Minimum()([s, t])]
    h = L.Concatenate()(merged)
    h = L.Reshape((5, 6))(h)
    h = L.Flatten()(h)
    d = L.Dot(axes=1)([L.Dense(3)(h), L.Dense(3)(h)])
    out = L.Activation("sigmoid")(L.Dense(2)(L.Concatenate()([h, d])))
    return K.Model([a, b], [out, L.Dense(1, name="reg")(h)], name="fun")


def nested(K):
    L = K.layers
    inner = K.Sequential([K.Input((4,)), L.Dense(3, activation="relu")], name="inner")
    x = K.Input((4,))
    y = L.Dense(4)(x)
    core = K.Model(x, L.Add()([inner(y), L.Dense(3)(y)]), name="core")
    z = K.Input((4,))
    return K.Model(z, L.Dense(2)(core(z)), name="outer")


def seq_in_seq(K):
    L = K.layers
    inner = K.Sequential([K.Input((4,)), L.Dense(5, activation="relu"), L.Dense(5)],
                         name="block")
    return K.Sequential([K.Input((4,)), inner, L.Dense(2, activation="softmax")])


SNIPPETS = {"sequential": (sequential, X4), "functional": (functional, [X4, X3]),
            "nested": (nested, X4), "seq_in_seq": (seq_in_seq, X4)}


def random_weights(model, seed=1):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.5
                       for w in model.get_weights()])


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_retrograd_to_keras_to_retrograd(tmp_path, name):
    """retrograd writes .keras, Keras 3 opens it and writes it again, retrograd
    reads that: the same predictions at each step; the configurations name the same
    classes and layers as Keras's own for the same code."""
    snippet, x = SNIPPETS[name]
    model = snippet(rk)
    random_weights(model)
    model.save(tmp_path / "r.keras")
    k_model = keras.saving.load_model(tmp_path / "r.keras")
    expected = predict(model, x)
    same(predict(k_model, x), expected)
    k_model.save(tmp_path / "k.keras")
    back = rk.models.load_model(tmp_path / "k.keras")
    same(predict(back, x), expected)
    # Parity of the configurations: same classes, names and graph as Keras writes.
    ours, theirs = json.loads(model.to_json())["config"], snippet(keras).get_config()
    assert [l["class_name"] for l in ours["layers"]] == \
        [l["class_name"] for l in theirs["layers"]]
    if "input_layers" in theirs:
        def graph(c):
            return [[n["args"][0]["config"]["keras_history"][1:]
                     if isinstance(n["args"][0], dict) else
                     [t["config"]["keras_history"][1:] for t in n["args"][0]]
                     for n in l["inbound_nodes"]] for l in c["layers"]]
        assert graph(ours) == graph(theirs)


@pytest.mark.parametrize("name", ["sequential", "functional", "nested"])
def test_keras_to_retrograd(tmp_path, name):
    """A model made and saved by real Keras 3 (with its own weights) loads in
    retrograd with the same predictions; weights files go both ways too."""
    snippet, x = SNIPPETS[name]
    k_model = snippet(keras)
    random_weights(k_model, seed=2)
    k_model.save(tmp_path / "k.keras")
    model = rk.models.load_model(tmp_path / "k.keras")
    same(predict(model, x), predict(k_model, x))
    # .weights.h5: Keras -> retrograd and retrograd -> Keras, into fresh models.
    k_model.save_weights(tmp_path / "k.weights.h5")
    fresh = snippet(rk)
    fresh.load_weights(tmp_path / "k.weights.h5")
    same(predict(fresh, x), predict(k_model, x))
    random_weights(fresh, seed=3)
    fresh.save_weights(tmp_path / "r.weights.h5")
    k_fresh = snippet(keras)
    k_fresh.load_weights(tmp_path / "r.weights.h5")
    same(predict(k_fresh, x), predict(fresh, x))


def images(K):
    L = K.layers
    return K.Sequential([K.Input((8, 8, 3)), L.Rescaling(0.5),
                         L.Conv2D(4, 3, padding="same", activation="relu"),
                         L.BatchNormalization(), L.MaxPooling2D(), L.ZeroPadding2D(1),
                         L.Conv2D(5, 3), L.SpatialDropout2D(0.1), L.AveragePooling2D(2),
                         L.Conv2DTranspose(3, 2, strides=2), L.GlobalAveragePooling2D(),
                         L.LayerNormalization(), L.Dense(2)])


def sequences(K):
    L = K.layers
    return K.Sequential([K.Input((6,)), L.Embedding(10, 4), L.Conv1D(3, 2), L.MaxPooling1D(),
                         L.AveragePooling1D(2, padding="same"), L.SpatialDropout1D(0.1),
                         L.GlobalMaxPooling1D(), L.Dense(2)])


def test_convolution_normalisation_embedding_layers_both_ways(tmp_path):
    """The layers of the CNN issue, with Keras's weights (BatchNormalization's moving
    statistics included): Keras 3 → retrograd and retrograd → Keras 3."""
    rng = np.random.default_rng(4)
    cases = [(images, rng.standard_normal((2, 8, 8, 3)).astype(np.float32)),
             (sequences, rng.integers(0, 10, (2, 6)))]
    for snippet, x in cases:
        k_model = snippet(keras)
        weights = [np.abs(rng.standard_normal(w.shape)).astype(np.float32) + 0.5
                   if "variance" in v.path else
                   rng.standard_normal(w.shape).astype(np.float32) * 0.3
                   for w, v in zip(k_model.get_weights(), k_model.weights)]
        k_model.set_weights(weights)
        k_model.save(tmp_path / "k.keras")
        same(predict(rk.models.load_model(tmp_path / "k.keras"), x), predict(k_model, x))
        model = snippet(rk)
        model.set_weights(weights)
        model.save(tmp_path / "r.keras")
        same(predict(keras.saving.load_model(tmp_path / "r.keras"), x), predict(model, x))


def test_compiled_model_and_optimizer_state_both_ways(tmp_path):
    """compile settings and Adam's moments travel: Keras's m and v after a step are
    retrograd's exp_avg and exp_avg_sq, and back."""
    y = np.eye(3)[[0, 1, 2, 0, 1]].astype(np.float32)

    def make(K):
        m = K.Sequential([K.Input((4,)), K.layers.Dense(3, activation="softmax")])
        m.compile(optimizer=K.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
        return m
    k_model = make(keras)
    k_model.fit(X4, y, epochs=1, batch_size=5, verbose=0)
    k_model.save(tmp_path / "k.keras")
    model = rk.models.load_model(tmp_path / "k.keras")
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.iterations == 1
    kernel = model.layers[0].kernel
    k_vars = [np.asarray(v) for v in k_model.optimizer.variables]
    np.testing.assert_allclose(model.optimizer.inner.state[kernel]["exp_avg"], k_vars[2],
                               atol=1e-7)
    np.testing.assert_allclose(model.optimizer.inner.state[kernel]["exp_avg_sq"], k_vars[3],
                               atol=1e-9)
    model.fit(X4, y, epochs=1, batch_size=5, verbose=0)
    model.save(tmp_path / "r.keras")
    k_back = keras.saving.load_model(tmp_path / "r.keras")
    assert int(k_back.optimizer.iterations) == 2
    ours = [np.asarray(model.optimizer.inner.state[p][s]) for p in model.trainable_weights
            for s in ("exp_avg", "exp_avg_sq")]
    for a, b in zip(ours, [np.asarray(v) for v in k_back.optimizer.variables[2:]]):
        np.testing.assert_allclose(a, b, atol=1e-7)
    same(predict(k_back, X4), predict(model, X4))


def test_an_optimizer_state_that_does_not_map_warns(tmp_path):
    def make(K):
        m = K.Sequential([K.Input((4,)), K.layers.Dense(2)])
        m.compile(optimizer=K.optimizers.SGD(0.1, momentum=0.9), loss="mse")
        m.fit(X4, np.zeros((5, 2), np.float32), epochs=1, verbose=0)
        return m
    k_model = make(keras)
    k_model.save(tmp_path / "k.keras")
    with pytest.warns(UserWarning, match="does not map onto retrograd's SGD"):
        model = rk.models.load_model(tmp_path / "k.keras")
    same(predict(model, X4), predict(k_model, X4))
    with pytest.warns(UserWarning, match="no exact Keras 3 equivalent"):
        make(rk).save(tmp_path / "r.keras")
    keras.saving.load_model(tmp_path / "r.keras")


def by_layer(model, k_model):
    """Copy retrograd's weights into Keras's model layer by layer (by name: the two
    list a functional model's layers in different orders)."""
    for layer in model.layers:
        k_model.get_layer(layer.name).set_weights(layer.get_weights())


def test_config_round_trips_clone_and_json():
    """get_config/from_config, clone_model and to_json/model_from_json in Keras 3's
    format: each library rebuilds the other's description."""
    for snippet, x in (SNIPPETS["functional"], SNIPPETS["seq_in_seq"]):
        model = snippet(rk)
        random_weights(model)
        spec = rk.saving.serialize_keras_object(model)
        config = spec["config"]
        if spec["class_name"] == "Sequential":
            assert model.get_config() == config
        rebuilt = rk.saving.deserialize_keras_object(spec)
        rebuilt.set_weights(model.get_weights())
        same(predict(rebuilt, x), predict(model, x))
        k_model = type(snippet(keras)).from_config(json.loads(json.dumps(config)))
        by_layer(model, k_model)
        same(predict(k_model, x), predict(model, x))
        theirs = snippet(keras)
        from_keras = rk.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(theirs))
        # Keras's order of model.layers (which names the groups of weights files).
        assert [l.name for l in keras_layers(from_keras)] == [l.name for l in theirs.layers]
        assert from_keras.count_params() == theirs.count_params()
        generic = rk.Model.from_config(theirs.get_config())    # keras.Model.from_config
        assert type(generic) is type(from_keras) and generic.built
        assert generic.count_params() == theirs.count_params()
        clone = rk.models.clone_model(model)
        assert clone is not model and clone.to_json() == model.to_json()
        assert all(a.shape == b.shape for a, b in zip(clone.get_weights(),
                                                      model.get_weights()))
        assert any(not np.array_equal(a, b) for a, b in zip(clone.get_weights(),
                                                            model.get_weights()))
        text = model.to_json()
        k_json = keras.models.model_from_json(text)
        by_layer(model, k_json)
        same(predict(k_json, x), predict(model, x))
        ours = rk.models.model_from_json(snippet(keras).to_json())
        assert ours.count_params() == model.count_params()


def test_serialize_keras_object_and_custom_objects(tmp_path):
    """register_keras_serializable and custom_objects: a custom layer travels by
    name; a file naming it without either is refused naming the class."""
    class Scale(rk.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    spec = rk.saving.serialize_keras_object(rk.layers.Dense(3, name="d"))
    assert spec["class_name"] == "Dense" and spec["module"] == "keras.layers"
    assert rk.saving.deserialize_keras_object(spec).units == 3
    model = rk.Sequential([rk.Input((4,)), Scale(3.0, name="s"), rk.layers.Dense(2)])
    model.save(tmp_path / "c.keras")
    with pytest.raises(ModelFileError, match="unknown layer class 'Scale'"):
        rk.models.load_model(tmp_path / "c.keras")
    loaded = rk.models.load_model(tmp_path / "c.keras", custom_objects={"Scale": Scale})
    same(predict(loaded, X4), predict(model, X4))
    registered = rk.saving.register_keras_serializable(package="test_files")(Scale)
    model = rk.Sequential([rk.Input((4,)), registered(0.5, name="s")])
    model.save(tmp_path / "r.keras")
    spec = json.loads(zipfile.ZipFile(tmp_path / "r.keras").read("config.json"))
    assert spec["config"]["layers"][1]["registered_name"] == "test_files>Scale"
    same(predict(rk.models.load_model(tmp_path / "r.keras"), X4), X4 * 0.5)


def test_retrograd_format_still_loads(tmp_path):
    """Files in retrograd's own format (any other name) load as before, bit-exact."""
    for snippet, x in SNIPPETS.values():
        model = snippet(rk)
        model.save(tmp_path / "m.retrograd")
        same(predict(rk.models.load_model(tmp_path / "m.retrograd"), x), predict(model, x),
             tol=0)
        model.save_weights(tmp_path / "m.weights")
        fresh = snippet(rk)
        fresh.load_weights(tmp_path / "m.weights")
        same(predict(fresh, x), predict(model, x), tol=0)


def test_configurations_retrograd_wrote_before_still_read():
    """The Sequential configuration of earlier retrograd files ({"class_name",
    "config"} layers, InputLayer(shape=…), input_shape hints) is read as before."""
    old = {"name": "old", "trainable": True, "build_input_shape": [None, 4],
           "layers": [{"class_name": "InputLayer",
                       "config": {"name": "x", "shape": [4], "batch_size": None}},
                      {"class_name": "Dense",
                       "config": {"name": "d", "trainable": True, "units": 2,
                                  "activation": "relu", "use_bias": True,
                                  "kernel_initializer": "glorot_uniform",
                                  "bias_initializer": "zeros", "kernel_regularizer": {
                                      "class_name": "L2", "config": {"l2": 0.01}},
                                  "bias_regularizer": None}},
                      {"class_name": "Dropout",
                       "config": {"name": "drop", "trainable": True, "rate": 0.5,
                                  "seed": None}}]}
    model = rk.Sequential.from_config(old)
    assert [l.name for l in model.layers] == ["d", "drop"] and model.count_params() == 10
    assert model.layers[0].has_penalties


# -- hostile files -----------------------------------------------------------------------
def _keras_file(tmp_path, config=None, weights=None, name="h.keras"):
    """A .keras zip from a real small model with its config or weights replaced."""
    model = rk.Sequential([rk.Input((4,)), rk.layers.Dense(2)])
    model.save(tmp_path / "ok.keras")
    with zipfile.ZipFile(tmp_path / "ok.keras") as z:
        entries = {n: z.read(n) for n in z.namelist()}
    if config is not None:
        entries["config.json"] = json.dumps(config(json.loads(entries["config.json"]))).encode()
    if weights is not None:
        buffer = io.BytesIO()
        with h5py.File(buffer, "w") as f:
            weights(f)
        entries["model.weights.h5"] = buffer.getvalue()
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
    return path


def _dense_weights(f, kernel=None):
    g = f.create_group("layers/dense/vars")
    if kernel is None:
        g.create_dataset("0", data=np.ones((4, 2), np.float32))
    else:
        kernel(g)
    g.create_dataset("1", data=np.zeros(2, np.float32))
    f.create_group("vars")


def _refused(path, match):
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match=match):
        rk.models.load_model(path)
    assert time.perf_counter() - start < 2


def test_hostile_hdf5_is_refused(tmp_path):
    def huge(g):
        g.create_dataset("0", shape=(2 ** 20, 2 ** 20), dtype=np.float32)   # never written
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, huge)),
             "declares shape .* more than the file holds")

    def external(g):
        g["0"] = h5py.ExternalLink("/etc/passwd", "/x")
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, external)),
             "layers/dense/vars/0 is a ExternalLink")

    def soft(g):
        g["0"] = h5py.SoftLink("/vars")
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, soft)),
             "is a SoftLink")

    def group(g):
        g.create_group("0")
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, group)),
             "no weight layers/dense/vars/0")

    def strings(g):
        g.create_dataset("0", data=[b"a" * 10] * 8, dtype=h5py.string_dtype())
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, strings)),
             "only numbers are read")

    def references(g):
        g.create_dataset("0", data=[g.ref], dtype=h5py.ref_dtype)
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, references)),
             "only numbers are read")

    def datatype(g):
        g["0"] = np.dtype("float32")          # a committed datatype, not a dataset
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, datatype)),
             "is a Datatype, expected a group or a dataset")

    def wrong_shape(g):
        g.create_dataset("0", data=np.ones((3, 2), np.float32))
    _refused(_keras_file(tmp_path, weights=lambda f: _dense_weights(f, wrong_shape)),
             r"has shape \(3, 2\) in the file, the model needs \(4, 2\)")
    bad = tmp_path / "junk.keras"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("config.json", "{}")
        z.writestr("model.weights.h5", b"not hdf5")
    _refused(bad, "unknown model class|not an HDF5 file")


@pytest.mark.parametrize("class_name", ["os.system", "system", "Popen", "Layer", "Model",
                                        "__import__", None, 3])
def test_configurations_naming_unknown_classes_are_refused(tmp_path, class_name):
    def change(spec):
        spec["config"]["layers"][1]["class_name"] = class_name
        spec["config"]["layers"][1]["module"] = "os"
        return spec
    _refused(_keras_file(tmp_path, config=change), "unknown layer class")

    def model_class(spec):
        spec["class_name"], spec["module"] = class_name, "subprocess"
        return spec
    _refused(_keras_file(tmp_path, config=model_class, name="m.keras"),
             "unknown model class")


def test_a_configuration_too_big_for_its_weights_is_refused_before_building(tmp_path):
    def huge(spec):
        spec["config"]["layers"][1]["config"]["units"] = 10 ** 9
        return spec
    _refused(_keras_file(tmp_path, config=huge), "needs more than .* bytes of weights")


def test_hostile_zips_are_refused(tmp_path):
    path = _keras_file(tmp_path)
    data = bytearray(path.read_bytes())
    (tmp_path / "cut.keras").write_bytes(bytes(data[:len(data) // 2]))
    with pytest.raises(ModelFileError):
        rk.models.load_model(tmp_path / "cut.keras")
    twice = tmp_path / "twice.keras"
    with zipfile.ZipFile(twice, "w") as z, zipfile.ZipFile(path) as src:
        for n in src.namelist():
            z.writestr(n, src.read(n))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z.writestr("config.json", b"{}")
    _refused(twice, "appears twice")


def test_unsupported_keras_options_name_themselves(tmp_path):
    def constraint(spec):
        spec["config"]["layers"][1]["config"]["kernel_constraint"] = {
            "module": "keras.constraints", "class_name": "NonNeg", "config": {},
            "registered_name": None}
        return spec
    # a constraint is read back (tests/test_keras_constraints.py: both ways)
    loaded = rk.models.load_model(_keras_file(tmp_path, config=constraint))
    assert isinstance(loaded.layers[0].kernel.constraint, rk.constraints.NonNeg)

    def mixed(spec):
        spec["config"]["layers"][1]["config"]["dtype"]["config"]["name"] = "mixed_float16"
        return spec
    with pytest.raises(NotSupportedError, match="mixed_float16"):
        rk.models.load_model(_keras_file(tmp_path, config=mixed, name="m.keras"))


# -- loading time linear in the file (issue 17) ------------------------------------------
def _chain_spec(n, reverse):
    x = rk.Input((2,))
    h = x
    for _ in range(n):
        h = rk.layers.Activation("relu")(h)
    spec = json.loads(rk.Model(x, h).to_json())
    if reverse:
        spec["config"]["layers"].reverse()
    return spec


def test_loading_time_is_linear_in_the_file(tmp_path):
    """A functional model listed in reverse order and a long Sequential load in time
    proportional to their size: 8× the layers take well under the 64× a quadratic
    loader would (best of a few runs, after a collection: the suite's heap makes
    the garbage collector's pauses noise here)."""
    import gc

    def load_time(n, runs):
        text = json.dumps(_chain_spec(n, reverse=True))
        best = float("inf")
        for _ in range(runs):
            gc.collect()
            start = time.perf_counter()
            model = rk.saving.model_from_json(text)
            best = min(best, time.perf_counter() - start)
        assert len(model.layers) == n + 1
        return best
    small, large = load_time(150, 3), load_time(1200, 2)
    assert large < 24 * small + 0.1, (small, large)
    seq = rk.Sequential([rk.Input((2,))] + [rk.layers.Activation("relu")
                                             for _ in range(1000)])
    seq.save(tmp_path / "long.retrograd")
    start = time.perf_counter()
    assert len(rk.models.load_model(tmp_path / "long.retrograd").layers) == 1000
    assert time.perf_counter() - start < 5


def test_mutated_files_give_only_the_library_errors(tmp_path):
    """Random byte changes in a weights file and random values at random places of a
    .keras configuration: each load succeeds or raises ModelFileError (or, for a
    Keras option retrograd lacks, NotSupportedError) — never another exception."""
    import random
    rng = random.Random(0)
    model = sequential(rk)
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    weights = (tmp_path / "m.weights.h5").read_bytes()
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        entries = {n: z.read(n) for n in z.namelist()}
    spec = json.loads(entries["config.json"])

    def places(o, p=()):
        items = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) \
            else ()
        for k, v in items:
            yield p + (k,)
            yield from places(v, p + (k,))
    where = list(places(spec))
    values = [None, -1, 0, 10 ** 12, 1e308, float("nan"), "abc", "os.system", [], {},
              [None, 10 ** 9], {"class_name": "X"}, True, 2 ** 63]
    for _ in range(25):
        data = bytearray(weights)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        (tmp_path / "f.weights.h5").write_bytes(data)
        changed = json.loads(entries["config.json"])
        *path, last = rng.choice(where)
        target = changed
        for k in path:
            target = target[k]
        target[last] = rng.choice(values)
        with zipfile.ZipFile(tmp_path / "f.keras", "w") as z:
            for n, v in {**entries, "config.json": json.dumps(changed)}.items():
                z.writestr(n, v)
        for load in (lambda: model.load_weights(tmp_path / "f.weights.h5"),
                     lambda: rk.models.load_model(tmp_path / "f.keras")):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    load()
            except (ModelFileError, NotSupportedError):
                pass


def test_a_negative_second_moment_in_the_optimizer_state_is_refused(tmp_path):
    """Adam's v (and Adagrad's, RMSprop's accumulated squares) must be ≥ 0: a file
    holding a negative one is refused naming the variable (issue 17), not loaded into
    a √v that would be NaN."""
    import zipfile

    import h5py
    m = rk.Sequential([rk.Input((4,)), rk.layers.Dense(3)])
    m.compile(optimizer=rk.optimizers.Adam(0.01), loss="mse")
    m.fit(X4, np.zeros((5, 3), np.float32), epochs=1, batch_size=5, verbose=0)
    m.save(tmp_path / "ok.keras")
    with zipfile.ZipFile(tmp_path / "ok.keras") as z:
        entries = {n: z.read(n) for n in z.namelist()}
    (tmp_path / "w.h5").write_bytes(entries["model.weights.h5"])
    with h5py.File(tmp_path / "w.h5", "r+") as f:
        v = f["optimizer/vars/3"]                     # the kernel's exp_avg_sq
        v[...] = -np.abs(v[...]) - 1
    entries["model.weights.h5"] = (tmp_path / "w.h5").read_bytes()
    with zipfile.ZipFile(tmp_path / "bad.keras", "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)
    with pytest.raises(ModelFileError, match=r"optimizer variable 3 \(exp_avg_sq\) holds "
                                             r"-\d.*must be >= 0"):
        rk.models.load_model(tmp_path / "bad.keras")


def test_an_integer_weight_loads_both_ways(tmp_path):
    """Normalization keeps an int32 ``count`` weight, as Keras's: a .keras file of a
    model with it (written by real Keras or by retrograd) and retrograd's own format
    load; a float array where the model has an integer weight, or an integer out of
    its range, is refused."""
    x = R.random((20, 3)).astype(np.float32)
    for K in (keras, rk):
        norm = K.layers.Normalization()
        norm.adapt(x)
        model = K.Sequential([K.Input((3,)), norm, K.layers.Dense(2)])
        path = tmp_path / f"{K.__name__}.keras"
        model.save(path)
        loaded = rk.saving.load_model(path)
        same(predict(loaded, X3), predict(model, X3))
        assert np.asarray(loaded.layers[0].count).dtype == np.int32
    own = tmp_path / "m.retrograd"
    loaded.save(own)
    same(predict(rk.models.load_model(own), X3), predict(loaded, X3))
    from retrograd.keras.model import check_kind
    with pytest.raises(ModelFileError, match="expected floating point"):
        check_kind(np.zeros(2, np.int32), np.dtype(np.float32), "weight w")
    with pytest.raises(ModelFileError, match="not fitting the model's int32"):
        check_kind(np.float32(1.0), np.dtype(np.int32), "weight count")
    with pytest.raises(ModelFileError, match="values not fitting"):
        check_kind(np.int64(2**40), np.dtype(np.int32), "weight count")


def test_an_initializer_with_settings_keeps_them_in_the_config(tmp_path):
    """Constant(0.5) or RandomNormal(stddev=0.3) in a layer's config is Keras 3's dict,
    not a bare name that would lose the settings: equal to real Keras's, and
    from_config builds the same weights. A default initializer stays its name (Keras
    writes the dict there too; retrograd reads both)."""
    for init in ("Constant", "RandomNormal"):
        kw = {"value": 0.5} if init == "Constant" else {"stddev": 0.3, "seed": 1}
        k = keras.layers.Dense(2, kernel_initializer=getattr(keras.initializers, init)(**kw))
        r = rk.layers.Dense(2, kernel_initializer=getattr(rk.initializers, init)(**kw))
        assert r.get_config()["kernel_initializer"] == k.get_config()["kernel_initializer"]
    again = rk.layers.Dense.from_config(
        rk.layers.Dense(2, kernel_initializer=rk.initializers.Constant(0.5)).get_config())
    again.build((None, 3))
    np.testing.assert_array_equal(np.asarray(again.kernel), np.full((3, 2), 0.5))
    assert rk.layers.Dense(2).get_config()["kernel_initializer"] == "glorot_uniform"
