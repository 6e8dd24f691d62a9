"""Keras 3's last names in retrograd.keras — activations, LR schedules, random
distributions, config flags, backend dtype helpers, tree, utils, SwapEMAWeights —
against real Keras 3 (torch backend)."""
import copy
import itertools
import os

import numpy as np
import pytest

import retrograd.keras as rk
from retrograd.missing import NotSupportedError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="the parity tests need Keras 3 (torch backend)")

_ACTIVATIONS = [("celu", {}), ("celu", {"alpha": 0.7}), ("glu", {}), ("glu", {"axis": 0}),
                ("hard_shrink", {}), ("hard_shrink", {"threshold": 1.2}), ("hard_tanh", {}),
                ("soft_shrink", {}), ("soft_shrink", {"threshold": 0.3}), ("sparse_plus", {}),
                ("sparse_sigmoid", {}), ("sparsemax", {"axis": 0}),
                ("squareplus", {}), ("squareplus", {"b": 1.5}), ("tanh_shrink", {}),
                ("threshold", {"threshold": 0.25, "default_value": -3.0})]


def test_activations_equal_keras_on_a_grid_and_resolve_by_name():
    x = np.linspace(-3, 3, 24, dtype=np.float32).reshape(4, 6)
    for name, kw in _ACTIVATIONS:
        want = keras.ops.convert_to_numpy(getattr(keras.activations, name)(x, **kw))
        got = getattr(rk.activations, name)(rk.ops.convert_to_tensor(x), **kw)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-6,
                                   err_msg=f"{name} {kw}")
        # by name, as Keras: Dense(activation=…), get, serialize/deserialize
        assert rk.activations.get(name) is getattr(rk.activations, name)
        assert rk.activations.serialize(rk.activations.get(name)) == name
        assert rk.activations.deserialize(keras.activations.serialize(
            getattr(keras.activations, name))) is getattr(rk.activations, name)
    # sparsemax along the last axis: Keras 3.15's torch backend returns rows that do
    # not sum to 1 here (a Keras bug); checked against the projection's formula
    z = -np.sort(-x, axis=1)
    k = np.arange(1, 7)
    support = (1 + k * z > np.cumsum(z, axis=1)).sum(1, keepdims=True)
    tau = (np.take_along_axis(np.cumsum(z, 1), support - 1, 1) - 1) / support
    got = np.asarray(rk.activations.sparsemax(rk.ops.convert_to_tensor(x)))
    np.testing.assert_allclose(got, np.maximum(x - tau, 0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got.sum(1), 1, rtol=1e-6)
    layer = rk.layers.Dense(4, activation="sparse_sigmoid")
    assert layer.get_config()["activation"] == "sparse_sigmoid"
    assert rk.activations.deserialize(
        {"module": "keras.activations", "class_name": "function", "config": "celu",
         "registered_name": "celu"}) is rk.activations.celu
    with pytest.raises(ValueError, match="nope"):
        rk.activations.deserialize("nope")


_SCHEDULES = [
    ("PolynomialDecay", (0.1, 10), {}),
    ("PolynomialDecay", (0.1, 7), dict(end_learning_rate=0.01, power=0.5, cycle=True)),
    ("PolynomialDecay", (0.1, 7), dict(power=2.0)),
    ("CosineDecay", (0.1, 10), {}),
    ("CosineDecay", (0.1, 10), dict(alpha=0.1)),
    ("CosineDecay", (0.0, 10), dict(warmup_target=0.2, warmup_steps=5, alpha=0.05)),
    ("CosineDecayRestarts", (0.1, 4), {}),
    ("CosineDecayRestarts", (0.1, 4), dict(t_mul=1.0, m_mul=0.5, alpha=0.1)),
    ("CosineDecayRestarts", (0.1, 3), dict(t_mul=1.5, m_mul=0.8, alpha=0.2)),
]


def test_schedules_equal_keras_at_every_step_and_round_trip():
    K, R = keras.optimizers.schedules, rk.optimizers.schedules
    steps = range(40)
    for name, args, kw in _SCHEDULES:
        k, r = getattr(K, name)(*args, **kw), getattr(R, name)(*args, **kw)
        want = np.array([float(k(s)) for s in steps])
        got = np.array([r(s) for s in steps])
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8, err_msg=f"{name} {kw}")
        # serialize dicts equal, and each side reads the other's
        assert R.serialize(r) == K.serialize(k)
        back = R.deserialize(K.serialize(k))
        assert type(back) is type(r) and back.get_config() == r.get_config()
        assert K.deserialize(R.serialize(r)).get_config() == k.get_config()
    with pytest.raises(ValueError, match="decay_steps"):
        R.CosineDecay(0.1, 0)
    with pytest.raises(ValueError, match="unknown schedule"):
        R.deserialize({"class_name": "Nope", "config": {}})


def test_schedule_drives_an_optimizer_in_fit_and_round_trips_its_config():
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2)
    y = x.sum(1, keepdims=True)
    w0 = [np.array([[0.3], [-0.2]], np.float32), np.zeros(1, np.float32)]
    weights = []
    for lib in (keras, rk):
        sched = lib.optimizers.schedules.CosineDecay(0.01, 4, warmup_target=0.3,
                                                     warmup_steps=1)
        m = lib.Sequential([lib.Input((2,)), lib.layers.Dense(1)])
        m.set_weights(w0)
        m.compile(lib.optimizers.SGD(learning_rate=sched), "mse")
        m.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)   # 3 steps
        weights.append(m.get_weights())
    for k, r in zip(*weights):
        np.testing.assert_allclose(r, k, rtol=1e-5, atol=1e-6)
    # a Keras optimizer's config with a schedule is read here, schedule included
    for name, args, kw in _SCHEDULES[::3]:
        kopt = keras.optimizers.Adam(getattr(keras.optimizers.schedules, name)(*args, **kw))
        opt = rk.optimizers.Adam.from_config(kopt.get_config())
        assert type(opt._lr).__name__ == name
        assert opt.get_config()["learning_rate"]["config"] == \
            kopt.get_config()["learning_rate"]["config"]
        assert float(opt.learning_rate) == pytest.approx(float(kopt.learning_rate))


def test_random_distributions_moments_and_seeds():
    n = 20000
    R = rk.random
    g = R.gamma((n,), 3.0, seed=1).numpy()
    b = R.beta((n,), 2.0, 3.0, seed=R.SeedGenerator(2)).numpy()
    c = R.binomial((n,), 10, 0.3, seed=3).numpy()
    cases = [(g, 3.0, 3.0), (b, 0.4, 0.04), (c, 3.0, 2.1)]
    for draws, mean, var in cases:
        assert draws.dtype == np.float32 and draws.shape == (n,)
        assert abs(draws.mean() - mean) < 4 * np.sqrt(var / n)
        assert abs(draws.var() - var) < 0.05 * var
    assert np.all((b > 0) & (b < 1)) and np.all(c == np.round(c))
    logits = np.log(np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]))
    k = R.categorical(logits, n, seed=4)
    assert k.dtype == np.int32 and tuple(k.shape) == (2, n)
    freq = np.bincount(k.numpy()[0], minlength=3) / n
    p = np.array([0.2, 0.3, 0.5])
    assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / n))
    assert np.all(k.numpy()[1] == 0)                    # −inf logits never drawn
    # broadcast parameters, int seeds reproducible, dtypes as Keras
    np.testing.assert_array_equal(R.gamma((2, 3), np.array([1.0, 2.0, 3.0]), seed=5).numpy(),
                                  R.gamma((2, 3), np.array([1.0, 2.0, 3.0]), seed=5).numpy())
    assert R.binomial((3,), 5, 0.5, dtype="int32").dtype == np.int32
    for fn, args, err in [(R.categorical, (np.zeros(3), 2), ValueError),
                          (R.gamma, ((2,), -1.0), ValueError),
                          (R.binomial, ((2,), 3, 1.5), ValueError),
                          (R.beta, ((2,), 1.0, 0.0), ValueError),
                          (R.gamma, ((2, 3), np.ones(2)), ValueError)]:
        with pytest.raises(err, match=fn.__name__):
            fn(*args)


def test_backend_dtype_helpers_equal_keras():
    dtypes = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
              "bfloat16", "float16", "float32", "float64", "complex64", "complex128", int,
              float, None]

    def outcome(fn, *args):
        try:
            return fn(*args)
        except ValueError:
            return ValueError

    combos = list(itertools.product(dtypes, repeat=2)) + [(d,) for d in dtypes] + [
        ("int8", "uint8", "float16"), ()]
    for combo in combos:
        assert outcome(rk.backend.result_type, *combo) == \
            outcome(keras.backend.result_type, *combo), combo
    for d in ["float32", "int8", "bool", "uint8", "complex64", np.float64, "float", "double",
              "int", int, float, bool, None, "string", "foo", np.dtype("int16"), "bfloat16"]:
        for name in ("standardize_dtype", "is_float_dtype", "is_int_dtype"):
            assert outcome(getattr(rk.backend, name), d) == \
                outcome(getattr(keras.backend, name), d), (name, d)
    first = rk.backend.get_uid("kf_test")
    assert rk.backend.get_uid("kf_test") == first + 1
    assert rk.backend.get_uid("kf_other_prefix") == 1
    rk.backend.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="channels_first"):
        rk.backend.set_image_data_format("channels_first")


def test_tree_functions_equal_keras():
    s = [1, (2, 3), {"b": 4, "a": [5, None]}]

    def run(t):
        calls = [
            lambda: t.traverse(lambda x: None, s),
            lambda: t.traverse(lambda x: t.MAP_TO_NONE if isinstance(x, tuple) else None, s),
            lambda: t.traverse(lambda x: x * 10 if isinstance(x, int) else None, s,
                               top_down=False),
            lambda: t.traverse(lambda x: len(x) if isinstance(x, list) else None, s,
                               top_down=False),
            lambda: t.map_structure_up_to([1, (2, 3)], lambda a, b: (a, b),
                                          [[5], (6, [7])], [8, (9, 10)]),
            lambda: t.map_structure_up_to({"a": 1, "b": 2}, len, {"a": [1, 2], "b": {"c": 3}}),
            lambda: t.map_structure_up_to([1, 2], len, [1]),
            lambda: t.map_shape_structure(tuple, {"a": (1, 2), "b": [(3,), (None, 4)]}),
            lambda: t.assert_same_paths({"a": 1, "b": [2]}, {"a": 3, "b": (4,)}),
            lambda: t.assert_same_paths({"a": 1}, {"b": 1}),
        ]
        out = []
        for call in calls:
            try:
                out.append(call())
            except ValueError as e:
                out.append(("ValueError", "paths" in str(e)))
        return out
    assert run(rk.tree) == run(keras.tree)


def test_config_flags_and_utils_config(monkeypatch, capsys):
    c = rk.config
    for name in ("interactive_logging", "traceback_filtering", "flash_attention"):
        assert getattr(c, f"is_{name}_enabled")() == \
            getattr(keras.config, f"is_{name}_enabled")()
    monkeypatch.setitem(c._FLAGS, "interactive_logging", True)
    monkeypatch.setitem(c._FLAGS, "traceback_filtering", True)
    monkeypatch.setitem(c._FLAGS, "flash_attention", None)
    for name in ("traceback_filtering", "flash_attention"):
        getattr(c, f"disable_{name}")()
        assert getattr(c, f"is_{name}_enabled")() is False
        getattr(c, f"enable_{name}")()
    assert c.is_flash_attention_enabled() is None and c.is_traceback_filtering_enabled()
    assert rk.utils.is_interactive_logging_enabled is c.is_interactive_logging_enabled
    # disabled logging: verbose=2's lines and the callbacks' messages are not printed
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    m = rk.Sequential([rk.Input((2,)), rk.layers.Dense(1)])
    m.compile("sgd", "mse")
    stop = rk.callbacks.EarlyStopping(monitor="loss", patience=0, verbose=1,
                                      min_delta=1e9)
    c.disable_interactive_logging()
    assert not c.is_interactive_logging_enabled()
    m.fit(x, y, epochs=3, verbose=2, callbacks=[stop])
    assert capsys.readouterr().out == ""
    c.enable_interactive_logging()
    m.fit(x, y, epochs=2, verbose=2)
    assert "Epoch 1/2" in capsys.readouterr().out
    # caps, policy, backend
    monkeypatch.setitem(c._CAPS, "max_epochs", None)
    c.set_max_epochs(2)
    assert c.max_epochs() == 2 and c.max_steps_per_epoch() in (None, c._CAPS[
        "max_steps_per_epoch"])
    with pytest.raises(TypeError, match="set_max_epochs"):
        c.set_max_epochs(1.5)
    assert repr(c.dtype_policy()) == repr(keras.config.dtype_policy())
    c.set_dtype_policy("float32")
    with pytest.raises(NotSupportedError, match="mixed_float16"):
        c.set_dtype_policy("mixed_float16")
    c.set_backend("torch")
    with pytest.raises(NotSupportedError, match="jax"):
        c.set_backend("jax")
    assert c.is_nnx_enabled() is keras.config.is_nnx_enabled()
    # utils.Config as Keras's
    for lib in (keras, rk):
        cfg = lib.utils.Config(lr=0.1, momentum=0.9)
        cfg.seed = 3
        cfg["b"] = 1
        assert (cfg.seed, cfg["lr"], list(cfg), cfg.to_json(), len(cfg)) == \
            (3, 0.1, ["b", "lr", "momentum", "seed"],
             '{"lr": 0.1, "momentum": 0.9, "seed": 3, "b": 1}', 4)
        cfg.freeze()
        with pytest.raises(ValueError, match="frozen"):
            cfg.x = 1
        with pytest.raises(AttributeError, match="Did you mean 'seed'"):
            cfg.sead


def test_get_source_inputs_and_swap_ema_weights():
    a, b = rk.Input((3,)), rk.Input((2,))
    d = rk.layers.Concatenate()([rk.layers.Dense(2)(a), b, a])
    sources = rk.utils.get_source_inputs(d)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert rk.utils.get_source_inputs(a) == [a]
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)).astype("f4"), rng.normal(size=(8, 1)).astype("f4")
    w0 = [rng.normal(size=(3, 1)).astype("f4"), np.zeros(1, "f4")]
    for swap_on_epoch in (False, True):
        results = []
        for lib in (keras, rk):
            m = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1)])
            m.set_weights(w0)
            m.compile(lib.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), "mse")
            cb = lib.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)
            h = m.fit(x, y, epochs=3, batch_size=4, verbose=0, shuffle=False,
                      validation_data=(x, y), callbacks=[cb])
            results.append(h.history["val_loss"] + [m.evaluate(x, y, verbose=0,
                                                               callbacks=[cb])])
        np.testing.assert_allclose(results[1], results[0], rtol=1e-5)
    m = rk.Sequential([rk.Input((3,)), rk.layers.Dense(1)])
    m.compile(rk.optimizers.SGD(0.1), "mse")
    with pytest.raises(ValueError, match="use_ema"):
        m.fit(x, y, epochs=1, verbose=0, validation_data=(x, y),
              callbacks=[rk.callbacks.SwapEMAWeights()])


def test_max_epochs_caps_fit_as_keras():
    """keras.config.set_max_epochs(n): fit runs at most n epochs, with Keras's warning."""
    x = np.zeros((8, 2), np.float32)
    y = np.zeros((8, 1), np.float32)
    lengths = []
    for K in (keras, rk):
        m = K.Sequential([K.Input((2,)), K.layers.Dense(1)])
        m.compile(optimizer="sgd", loss="mse")
        K.config.set_max_epochs(2)
        try:
            with pytest.warns(UserWarning, match="Limiting epochs to 2"):
                lengths.append(len(m.fit(x, y, epochs=5, verbose=0).history["loss"]))
        finally:
            K.config.set_max_epochs(None)
    assert lengths == [2, 2]


def test_optimizer_config_with_a_schedule_loads_in_keras():
    """An optimizer's config holds its schedule as Keras writes it (with its module),
    so real Keras rebuilds the schedule from retrograd's config and back."""
    ours = rk.optimizers.SGD(learning_rate=rk.optimizers.schedules.PolynomialDecay(0.1, 10))
    config = ours.get_config()
    theirs = keras.optimizers.SGD.from_config(copy.deepcopy(config))   # Keras edits it
    assert type(theirs._learning_rate).__name__ == "PolynomialDecay"
    assert keras.optimizers.schedules.serialize(theirs._learning_rate) == \
        config["learning_rate"]
    back = rk.optimizers.SGD.from_config(config)
    assert back.get_config()["learning_rate"] == config["learning_rate"]
