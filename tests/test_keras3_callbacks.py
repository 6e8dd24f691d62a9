"""Callbacks as Keras 3 calls them, against real Keras 3 (PyTorch backend): the
sequence of hooks, their arguments and their ``logs`` dicts, ``History``,
``LambdaCallback``, ``stop_training``, ``EarlyStopping``, ``BackupAndRestore``
(resume after a crash, bit-exact here), ``model.losses`` in the logged loss; and,
without an oracle (they need TensorFlow or Graphviz in Keras), ``TensorBoard``'s
event files read back and ``plot_model``'s drawings."""
import os
import struct
import sys

import numpy as np
import pytest

from retrograd import keras as rk
from retrograd.missing import NotSupportedError

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is the oracle of these tests "
                            "(pip install keras; it runs on the PyTorch backend)")
torch = pytest.importorskip("torch", reason="Keras's PyTorch backend needs torch")
if keras.config.backend() != "torch":
    pytest.skip(f"Keras imported with backend {keras.config.backend()!r} before this module "
                "set KERAS_BACKEND=torch", allow_module_level=True)

R = np.random.default_rng(1)
X = R.standard_normal((10, 3)).astype(np.float32)
Y = R.standard_normal((10, 1)).astype(np.float32)
HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]


def recorder(K):
    """A callback recording (hook, positional args, logs, logs given by keyword)."""
    class Recorder(K.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

    def hook(name):
        def record(self, *args, logs=None):
            keyword = logs is not None
            if not keyword and args and isinstance(args[-1], dict):
                args, logs = args[:-1], args[-1]
            self.calls.append((name, args, logs if logs is None or name.startswith(
                "on_predict_batch") else dict(logs), keyword))
        return record
    for name in HOOKS:
        setattr(Recorder, name, hook(name))
    return Recorder()


def model(K, reg=False):
    m = K.Sequential([K.Input((3,)), K.layers.Dense(
        1, kernel_regularizer=K.regularizers.L2(0.05) if reg else None)])
    m.compile(K.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    return m


def pair(build=model):
    km, rm = build(keras), build(rk)
    rm.set_weights([np.asarray(w) for w in km.get_weights()])
    return km, rm


def same_calls(ck, cr, keys_only=False):
    """The same hooks in the same order, with the same arguments, the same calling
    convention (logs by keyword or not) and the same logs."""
    assert [(h, a, kw) for h, a, _, kw in ck] == [(h, a, kw) for h, a, _, kw in cr]
    for (h, _, lk, _), (_, _, lr, _) in zip(ck, cr):
        assert (lk is None) == (lr is None), h
        if lk is None:
            continue
        assert sorted(lk) == sorted(lr), h
        if not keys_only:
            for k in lk:
                np.testing.assert_allclose(lk[k], lr[k], rtol=2e-5, atol=2e-6, err_msg=f"{h} {k}")


def test_fit_calls_every_hook_with_keras_logs():
    """fit with validation: hook order, {} at the begin hooks, running batch logs, the
    epoch's logs with val_* at on_epoch_end and the last epoch's at on_train_end."""
    km, rm = pair()
    rec = []
    for m in (km, rm):
        cb = recorder(keras if m is km else rk)
        m.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0, validation_data=(X, Y),
              callbacks=[cb])
        rec.append(cb.calls)
    same_calls(*rec)
    end = [l for h, _, l, _ in rec[1] if h == "on_train_end"][0]
    assert sorted(end) == ["loss", "mae", "val_loss", "val_mae"]


def test_evaluate_and_predict_hooks():
    km, rm = pair()
    for method, kw, keys_only in (("evaluate", dict(x=X, y=Y), False),
                                  ("predict", dict(x=X), True)):
        rec = []
        for m, K in ((km, keras), (rm, rk)):
            cb = recorder(K)
            getattr(m, method)(batch_size=4, verbose=0, callbacks=[cb], **kw)
            rec.append(cb.calls)
        if method == "predict":     # outputs: compare them, then the rest as keys
            for (hk, _, lk, _), (_, _, lr, _) in zip(*rec):
                if hk == "on_predict_batch_end":
                    np.testing.assert_allclose(np.asarray(lk["outputs"]), lr["outputs"],
                                               rtol=1e-5, atol=1e-6)
        same_calls(*rec, keys_only=keys_only)


def test_history_object():
    km, rm = pair()
    hk = km.fit(X, Y, batch_size=3, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    hr = rm.fit(X, Y, batch_size=3, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    assert hk.params == hr.params and hk.epoch == hr.epoch
    assert list(hk.history) == list(hr.history)
    for k in hk.history:
        np.testing.assert_allclose(hk.history[k], hr.history[k], rtol=2e-5, atol=2e-6)
    assert rm.history is hr and hr.model is rm


def test_lambda_callback_and_model_attribute():
    out = []
    for m, K in zip(pair(), (keras, rk)):
        seen = []
        cb = K.callbacks.LambdaCallback(
            on_train_begin=lambda logs: seen.append(("begin", dict(logs))),
            on_epoch_begin=lambda epoch, logs: seen.append(("epoch", epoch)),
            on_epoch_end=lambda epoch, logs: seen.append(("end", epoch, sorted(logs))),
            on_train_batch_end=lambda batch, logs: seen.append(("batch", batch, sorted(logs))),
            on_train_end=lambda logs: seen.append(("train_end", sorted(logs))))
        m.fit(X, Y, batch_size=5, epochs=2, verbose=0, callbacks=[cb])
        assert cb.model is m
        out.append(seen)
    assert out[0] == out[1]


def test_stop_training_from_a_batch_hook():
    """model.stop_training set at a batch ends the epoch after it and the fit."""
    out = []
    for m, K in zip(pair(), (keras, rk)):
        class Stop(K.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if batch == 1:
                    self.model.stop_training = True
        rec = recorder(K)
        h = m.fit(X, Y, batch_size=3, epochs=4, shuffle=False, verbose=0,
                  callbacks=[Stop(), rec])
        out.append(([c[0] for c in rec.calls], h.epoch, h.history["loss"]))
    assert out[0][:2] == out[1][:2]
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=2e-5)


def test_early_stopping_restores_best_weights():
    out = []
    for m, K in zip(pair(), (keras, rk)):
        m.optimizer.learning_rate = 1.2       # diverges: the loss rises after a while
        es = K.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
        h = m.fit(X, Y, batch_size=10, epochs=8, shuffle=False, verbose=0, callbacks=[es])
        out.append((h.epoch, es.stopped_epoch, [np.asarray(w) for w in m.get_weights()]))
    assert out[0][:2] == out[1][:2]
    for a, b in zip(out[0][2], out[1][2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_regularizer_and_add_loss_in_logged_loss():
    """model.losses (a kernel regularizer, a layer's add_loss) are in the trained and
    logged loss; val_loss has them too."""
    def build(K):
        class Penalty(K.layers.Layer):
            def call(self, x):
                self.add_loss(0.1 * K.ops.mean(K.ops.square(x)))
                return x
        m = K.Sequential([K.Input((3,)), K.layers.Dense(2), Penalty(),
                          K.layers.Dense(1, kernel_regularizer=K.regularizers.L2(0.05))])
        m.compile(K.optimizers.SGD(0.1), loss="mse")
        return m
    km, rm = pair(build)
    kw = dict(batch_size=4, epochs=2, shuffle=False, verbose=0, validation_data=(X, Y))
    hk, hr = km.fit(X, Y, **kw), rm.fit(X, Y, **kw)
    for k in ("loss", "val_loss"):
        np.testing.assert_allclose(hk.history[k], hr.history[k], rtol=2e-5, err_msg=k)


# -- BackupAndRestore ---------------------------------------------------------------------------
class Crash(Exception):
    pass


def crasher(K, at):
    class Crasher(K.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == at:
                raise Crash(f"crash at epoch {epoch}")
    return Crasher()


def test_backup_and_restore_resumes_like_keras(tmp_path):
    """A fit that crashes at the end of epoch 1 and is run again resumes at epoch 2,
    as in Keras; the backup folder is removed once a fit ends normally."""
    epochs = []
    for m, K in zip(pair(), (keras, rk)):
        d = tmp_path / K.__name__
        with pytest.raises(Crash):
            m.fit(X, Y, epochs=4, verbose=0, shuffle=False,
                  callbacks=[K.callbacks.BackupAndRestore(str(d)), crasher(K, 1)])
        assert d.exists()
        h = m.fit(X, Y, epochs=4, verbose=0, shuffle=False,
                  callbacks=[K.callbacks.BackupAndRestore(str(d))])
        epochs.append(h.epoch)
        assert not d.exists()
    assert epochs[0] == epochs[1] == [2, 3]


def test_backup_and_restore_is_bit_exact(tmp_path):
    """Interrupted at epoch k and resumed (a new model, shuffled batches, Adam's
    slots): the final weights equal an uninterrupted run's, bit for bit."""
    def run(crash_at):
        rk.utils.set_random_seed(3)
        m = rk.Sequential([rk.Input((3,)), rk.layers.Dense(4, activation="relu"),
                           rk.layers.Dropout(0.3), rk.layers.Dense(1)])
        m.compile("adam", loss="mse")
        backup = rk.callbacks.BackupAndRestore(tmp_path / "b")
        if crash_at is None:
            m.fit(X, Y, batch_size=3, epochs=5, verbose=0, callbacks=[backup])
            return m
        with pytest.raises(Crash):
            m.fit(X, Y, batch_size=3, epochs=5, verbose=0, callbacks=[backup,
                                                                      crasher(rk, crash_at)])
        rk.utils.set_random_seed(99)        # a new process: other seeds, a new model
        m2 = rk.Sequential([rk.Input((3,)), rk.layers.Dense(4, activation="relu"),
                            rk.layers.Dropout(0.3), rk.layers.Dense(1)])
        m2.compile("adam", loss="mse")
        h = m2.fit(X, Y, batch_size=3, epochs=5, verbose=0, callbacks=[backup])
        assert h.epoch == list(range(crash_at + 1, 5))
        return m2
    reference = run(None)
    for k in (0, 2):
        resumed = run(k)
        for a, b in zip(reference.get_weights(), resumed.get_weights()):
            assert np.array_equal(a, b)


def test_backup_and_restore_arguments():
    """Differs on purpose: Keras backs up every save_freq batches too; retrograd
    backs up at epoch ends only and says so."""
    keras.callbacks.BackupAndRestore("unused", save_freq=5)
    with pytest.raises(NotSupportedError, match="save_freq=5"):
        rk.callbacks.BackupAndRestore("unused", save_freq=5)
    with pytest.raises(ValueError, match="save_freq"):
        rk.callbacks.BackupAndRestore("unused", save_freq="often")
    with pytest.raises(ValueError, match="backup_dir"):
        rk.callbacks.BackupAndRestore("")


# -- TensorBoard --------------------------------------------------------------------------------
def read_events(folder):
    """{tag: [(step, value)]} of the event files in ``folder`` (TFRecord framing,
    tensorboardX's protobuf classes)."""
    event_pb2 = pytest.importorskip("tensorboardX.proto.event_pb2",
                                    reason="reading event files needs tensorboardX")
    out = {}
    for name in sorted(os.listdir(folder)):
        data = (folder / name).read_bytes()
        pos = 0
        while pos < len(data):
            (n,) = struct.unpack("<Q", data[pos:pos + 8])
            event = event_pb2.Event.FromString(data[pos + 12:pos + 12 + n])
            pos += 12 + n + 4
            for v in event.summary.value:
                value = v.simple_value if v.HasField("simple_value") else v.histo
                out.setdefault(v.tag, []).append((event.step, value))
    return out


def test_tensorboard_writes_keras_layout(tmp_path):
    """epoch_* scalars in train/ and validation/ with the history's values; weight
    histograms every histogram_freq epochs; batch_* scalars with update_freq."""
    pytest.importorskip("tensorboardX", reason="TensorBoard writes through tensorboardX")
    m = model(rk)
    tb = rk.callbacks.TensorBoard(tmp_path / "logs", histogram_freq=2, update_freq=2)
    h = m.fit(X, Y, batch_size=4, epochs=3, verbose=0, validation_data=(X, Y), callbacks=[tb])
    train = read_events(tmp_path / "logs" / "train")
    val = read_events(tmp_path / "logs" / "validation")
    for k in ("loss", "mae"):
        assert [s for s, _ in train["epoch_" + k]] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in train["epoch_" + k]], h.history[k], rtol=1e-6)
        np.testing.assert_allclose([v for _, v in val["epoch_" + k]], h.history["val_" + k],
                                   rtol=1e-6)
    hist = [t for t in train if "kernel" in t or "weight" in t]
    assert hist and [s for s, _ in train[hist[0]]] == [0, 2]
    assert train[hist[0]][0][1].num == 3          # a 3×1 kernel's values
    assert [s for s, _ in train["batch_loss"]] == [2, 4, 6, 8]     # 9 batches, every 2nd


def test_tensorboard_needs_tensorboardx(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    m = model(rk)
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        m.fit(X, Y, epochs=1, verbose=0, callbacks=[rk.callbacks.TensorBoard(tmp_path)])
    with pytest.raises(NotSupportedError, match="write_images"):
        rk.callbacks.TensorBoard(tmp_path, write_images=True)


# -- plot_model ----------------------------------------------------------------------------------
def test_plot_model_draws_without_graphviz(tmp_path):
    """Sequential and functional (a branch and a merge) models drawn to SVG and PNG
    through retrograd.viz; each layer one box, shapes shown on request."""
    seq = rk.Sequential([rk.Input((3,)), rk.layers.Dense(4, activation="relu", name="hidden"),
                         rk.layers.Dense(2, name="out")])
    path = rk.utils.plot_model(seq, to_file=tmp_path / "seq.svg", show_shapes=True,
                               show_layer_activations=True)
    svg = open(path).read()
    for text in ("hidden (Dense)", "out (Dense)", "Output shape: (None, 4)",
                 "Input shape: (None, 3)", "Activation: relu"):
        assert text in svg
    a = rk.Input((3,), name="a")
    h1 = rk.layers.Dense(4, name="left")(a)
    h2 = rk.layers.Dense(4, name="right")(a)
    fun = rk.Model(a, rk.layers.Dense(1, name="head")(rk.layers.Add(name="merge")([h1, h2])))
    dot = rk.utils.model_to_dot(fun)
    assert dot.count("->") == 5 and "merge (Add)" in dot
    png = rk.utils.plot_model(fun, to_file=tmp_path / "fun.png", rankdir="LR", dpi=60)
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="png or .svg"):
        rk.utils.plot_model(seq, to_file=tmp_path / "x.pdf")
    with pytest.raises(ValueError, match="not built"):
        rk.utils.plot_model(rk.Sequential([rk.layers.Dense(2)]), to_file=tmp_path / "y.svg")


# -- the keras-io guide "writing your own callbacks", as written --------------------------------
def guide_callbacks(K):
    class EarlyStoppingAtMinLoss(K.callbacks.Callback):
        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            self.best_weights = None

        def on_train_begin(self, logs=None):
            self.wait = 0
            self.stopped_epoch = 0
            self.best = np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    self.model.set_weights(self.best_weights)

    class CustomLearningRateScheduler(K.callbacks.Callback):
        def __init__(self, schedule):
            super().__init__()
            self.schedule = schedule

        def on_epoch_begin(self, epoch, logs=None):
            if not hasattr(self.model.optimizer, "learning_rate"):
                raise ValueError('Optimizer must have a "learning_rate" attribute.')
            lr = self.model.optimizer.learning_rate
            scheduled_lr = self.schedule(epoch, float(np.array(lr)))
            self.model.optimizer.learning_rate = scheduled_lr
    return EarlyStoppingAtMinLoss, CustomLearningRateScheduler


def test_the_guides_callbacks():
    """EarlyStoppingAtMinLoss (logs.get, get/set_weights, stop_training) and
    CustomLearningRateScheduler (reads and sets optimizer.learning_rate) from the
    guide, with a learning rate that makes the loss rise: same epochs, same weights."""
    def schedule(epoch, lr):
        return lr * 4 if epoch == 2 else lr
    out = []
    for m, K in zip(pair(), (keras, rk)):
        stop, lrs = guide_callbacks(K)
        es = stop(patience=1)
        h = m.fit(X, Y, batch_size=5, epochs=8, shuffle=False, verbose=0,
                  callbacks=[es, lrs(schedule)])
        out.append((h.epoch, es.stopped_epoch, float(np.array(m.optimizer.learning_rate)),
                    [np.asarray(w) for w in m.get_weights()], h.history["loss"]))
    assert out[0][:2] == out[1][:2]
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=1e-6)
    np.testing.assert_allclose(out[0][4], out[1][4], rtol=2e-5)
    for a, b in zip(out[0][3], out[1][3]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
