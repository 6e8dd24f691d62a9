"""The model file: one .npz with a JSON header and the weights; atomic writes; loading
never runs code and refuses weights that do not fit."""
import json
import os
import zipfile

import numpy as np
import pytest

from retrograd import keras, serialization
from retrograd.keras import layers
from retrograd.serialization import ModelFileError


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    return x, (x.sum(1) > 0).astype(np.int64) + (x[:, 0] > 1)


def mlp(optimizer="adam", dropout=0.1):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(5,)),
                          layers.Dense(8, activation="tanh", name="hidden",
                                       kernel_regularizer=keras.regularizers.L2(1e-3)),
                          layers.Dropout(dropout), layers.LeakyReLU(0.2),
                          layers.Dense(3, activation="softmax")], name="net")
    m.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["acc"])
    return m


def test_roundtrip_predictions_and_compile(tmp_path):
    x, y = data()
    m = mlp()
    m.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "m.retrograd"
    m.save(path)
    r = keras.models.load_model(path)
    assert r.name == "net" and [l.name for l in r.layers] == [l.name for l in m.layers]
    assert type(r.layers[2]) is layers.LeakyReLU and r.layers[2].negative_slope == 0.2
    np.testing.assert_array_equal(r.predict(x, verbose=0), m.predict(x, verbose=0))
    assert r.metrics_names == ["loss", "acc"]
    assert isinstance(r.optimizer, keras.optimizers.Adam)
    assert r.evaluate(x, y, verbose=0) == m.evaluate(x, y, verbose=0)
    uncompiled = keras.models.load_model(path, compile=False)
    assert not uncompiled.compiled


def test_resumed_training_equals_uninterrupted(tmp_path):
    """The optimizer's slots (Adam's moments, step count) are saved too."""
    x, y = data()
    a = mlp(dropout=0.0)      # no random masks: both runs see the same batches
    a.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    b = mlp(dropout=0.0)
    b.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    b.save(tmp_path / "b.retrograd")
    c = keras.models.load_model(tmp_path / "b.retrograd")
    assert c.optimizer.iterations == 4
    c.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for wa, wc in zip(a.get_weights(), c.get_weights()):
        np.testing.assert_allclose(wa, wc, rtol=1e-6, atol=1e-7)


def test_generator_states_saved_and_restored(tmp_path):
    from retrograd.random import default_generator
    m = mlp()
    m.save(tmp_path / "m.retrograd")
    expected = default_generator().random(3)
    default_generator().random(100)                 # move on
    keras.models.load_model(tmp_path / "m.retrograd")
    np.testing.assert_array_equal(default_generator().random(3), expected)
    default_generator().random(100)
    keras.models.load_model(tmp_path / "m.retrograd", restore_rng=False)
    assert not np.array_equal(default_generator().random(3), expected)


def test_huge_architecture_refused_before_allocating(tmp_path):
    m = mlp()
    m.save(tmp_path / "m.retrograd")
    bad = tmp_path / "bad.npz"

    def huge(arrays):
        h = json.loads(arrays["__header__"].tobytes())
        h["config"]["layers"][1]["config"]["units"] = 10 ** 12
        arrays["__header__"] = np.frombuffer(json.dumps(h).encode(), np.uint8)
    _rewrite(tmp_path / "m.retrograd", bad, huge)
    with pytest.raises(ModelFileError, match=r"hidden/kernel has shape \(5, 8\) in the file, "
                                             r"the architecture needs \(5, 1000000000000\)"):
        keras.models.load_model(bad)


def test_file_is_plain_npz_without_pickles(tmp_path):
    m = mlp()
    path = tmp_path / "m.retrograd"
    m.save(path)
    with np.load(path, allow_pickle=False) as z:
        header = json.loads(z["__header__"].tobytes())
        assert header["format"] == "retrograd" and header["class_name"] == "Sequential"
        assert sorted(k for k in z.files if "/" in k) == sorted(
            ["hidden/kernel", "hidden/bias", "dense/kernel", "dense/bias"])
        assert z["hidden/kernel"].shape == (5, 8)


def _rewrite(path, out, change):
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    change(arrays)
    np.savez(out, **arrays)


def test_weights_that_do_not_fit_are_refused(tmp_path):
    m = mlp()
    path = tmp_path / "m.retrograd"
    m.save(path)
    bad = tmp_path / "bad.npz"
    _rewrite(path, bad, lambda a: a.__setitem__("hidden/kernel", np.zeros((5, 9), np.float32)))
    with pytest.raises(ModelFileError, match=r"hidden/kernel has shape \(5, 9\).*\(5, 8\)"):
        keras.models.load_model(bad)
    _rewrite(path, bad, lambda a: a.pop("dense/bias"))
    with pytest.raises(ModelFileError, match="missing dense/bias"):
        keras.models.load_model(bad)
    _rewrite(path, bad, lambda a: a.__setitem__("extra/kernel", np.zeros(3, np.float32)))
    with pytest.raises(ModelFileError, match="unexpected extra/kernel"):
        keras.models.load_model(bad)


def test_load_never_executes_code(tmp_path):
    m = mlp()
    path = tmp_path / "m.retrograd"
    m.save(path)
    evil = tmp_path / "evil.npz"

    def add_object(arrays):
        arrays["hidden/kernel"] = np.array([{"x": 1}], dtype=object)
    _rewrite(path, evil, add_object)
    with pytest.raises(ModelFileError, match="Python objects.*never loaded"):
        keras.models.load_model(evil)

    def unknown_class(arrays):
        h = json.loads(arrays["__header__"].tobytes())
        h["config"]["layers"][1]["class_name"] = "os.system"
        arrays["__header__"] = np.frombuffer(json.dumps(h).encode(), np.uint8)
    _rewrite(path, evil, unknown_class)
    with pytest.raises(ModelFileError, match="unknown layer class 'os.system'"):
        keras.models.load_model(evil)
    np.savez_compressed(tmp_path / "deflated.npz", **dict(np.load(path)))
    with pytest.raises(ModelFileError, match="compressed"):
        keras.models.load_model(tmp_path / "deflated.npz")
    (tmp_path / "junk").write_bytes(b"\x00junk" * 10)
    with pytest.raises(ModelFileError):
        keras.models.load_model(tmp_path / "junk")
    np.savez(tmp_path / "plain.npz", a=np.zeros(3))
    with pytest.raises(ModelFileError, match="not a retrograd model file"):
        keras.models.load_model(tmp_path / "plain.npz")


def test_write_is_atomic(tmp_path, monkeypatch):
    m = mlp()
    path = tmp_path / "m.retrograd"
    m.save(path)
    before = path.read_bytes()

    def crash(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        m.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.retrograd"]       # no temporary left behind


def test_save_and_load_weights(tmp_path):
    x, y = data()
    m = mlp()
    m.fit(x, y, epochs=1, verbose=0)
    w = tmp_path / "w.retrograd"
    m.save_weights(w)
    other = mlp()
    other.load_weights(w)
    for a, b in zip(m.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    wrong = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(4, name="hidden")])
    with pytest.raises(ModelFileError, match="do not fit"):
        wrong.load_weights(w)
    with pytest.raises(FileExistsError):
        m.save_weights(w, overwrite=False)
    m.save(tmp_path / "full.retrograd")
    other.load_weights(tmp_path / "full.retrograd")       # a model file holds weights too


def test_generic_format_errors(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        serialization.save(tmp_path / "x", {}, {"__header__": np.zeros(1)})
    with pytest.raises(TypeError, match="numeric"):
        serialization.save(tmp_path / "x", {}, {"a": np.array(["s"])})
    serialization.save(tmp_path / "x", {"version": 99}, {})
    with pytest.raises(ModelFileError, match="newer"):
        serialization.load(tmp_path / "x")
    with pytest.raises(FileNotFoundError):
        serialization.load(tmp_path / "missing")
    assert zipfile.is_zipfile(tmp_path / "x")


@pytest.mark.parametrize("kind, get, good", [
    ("loss", keras.losses.get, "MeanSquaredError"),
    ("metric", keras.metrics.get, "Accuracy"),
    ("initializer", keras.initializers.get, "GlorotUniform"),
    ("regularizer", keras.regularizers.get, "L2"),
])
def test_config_dicts_name_known_classes_only(kind, get, good):
    """``{"class_name": …, "config": …}`` from a file: only the kind's own classes,
    a dict of arguments, each refusal a ValueError naming the kind and the class."""
    assert type(get({"class_name": good, "config": {}})).__name__ == good
    for spec, match in [({"class_name": "os.system", "config": {}},
                         f"unknown {kind} class 'os.system'; known: .*{good}"),
                        ({"class_name": None}, f"unknown {kind} class 'None'"),
                        ({"class_name": good, "config": ["x"]},
                         f"{kind} {good}: its configuration must be a dict, got list"),
                        ({"class_name": good, "config": {"no_such_argument": 1}},
                         f"{kind} {good}: invalid configuration .*no_such_argument")]:
        with pytest.raises(ValueError, match=match):
            get(spec)
