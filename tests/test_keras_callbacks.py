"""keras.callbacks: the hooks and their order, EarlyStopping, ModelCheckpoint,
LearningRateScheduler, ReduceLROnPlateau, CSVLogger, TerminateOnNaN."""
import csv

import numpy as np
import pytest

from retrograd import keras
from retrograd.keras import callbacks, layers


def data(n=96, d=6, c=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = (x @ rng.normal(size=(d, c))).argmax(1)
    return x, y


def model(lr=0.1, optimizer=None):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(3, activation="softmax")])
    m.compile(optimizer=optimizer or keras.optimizers.SGD(lr),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


class Hooks(callbacks.Callback):
    """Overrides every hook, recording (hook, argument)."""

    def __init__(self):
        super().__init__()
        self.seen = []


for _hook in [h for h in dir(callbacks.Callback) if h.startswith("on_")]:
    def _make(hook):
        def method(self, *args, **kwargs):
            index = args[0] if args and isinstance(args[0], int) else None
            logs = args[-1] if args and isinstance(args[-1], dict) else kwargs.get("logs")
            self.seen.append((hook, index, dict(logs or {})))
        return method
    setattr(Hooks, _hook, _make(_hook))


def test_hook_order_and_arguments():
    x, y = data()
    m = model()
    rec = Hooks()
    m.fit(x, y, batch_size=32, epochs=2, verbose=0, validation_data=(x[:32], y[:32]),
          callbacks=[rec])
    names = [h for h, _, _ in rec.seen]
    assert names[0] == "on_train_begin" and names[-1] == "on_train_end"
    epoch0 = names[1:names.index("on_epoch_end") + 1]
    assert epoch0 == ["on_epoch_begin"] + ["on_train_batch_begin", "on_train_batch_end"] * 3 + \
        ["on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
         "on_epoch_end"]
    assert [a for h, a, _ in rec.seen if h == "on_train_batch_end"] == [0, 1, 2] * 2
    ends = [l for h, _, l in rec.seen if h == "on_epoch_end"]
    assert list(ends[0]) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    batch_logs = [l for h, _, l in rec.seen if h == "on_train_batch_end"][0]
    assert set(batch_logs) == {"accuracy", "loss"}
    assert rec.model is m and rec.params == {"verbose": 0, "epochs": 2, "steps": 3}
    rec.seen.clear()
    m.evaluate(x, y, batch_size=48, verbose=0, callbacks=[rec])
    assert [h for h, _, _ in rec.seen] == ["on_test_begin"] + [
        "on_test_batch_begin", "on_test_batch_end"] * 2 + ["on_test_end"]
    assert list(rec.seen[-1][2]) == ["accuracy", "loss"]
    rec.seen.clear()
    m.predict(x, batch_size=48, verbose=0, callbacks=[rec])
    assert [h for h, _, _ in rec.seen] == ["on_predict_begin"] + [
        "on_predict_batch_begin", "on_predict_batch_end"] * 2 + ["on_predict_end"]


def test_old_batch_hook_names_still_called():
    class Old(callbacks.Callback):
        n = 0

        def on_batch_end(self, batch, logs=None):
            Old.n += 1
    x, y = data()
    model().fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[Old()])
    assert Old.n == 3


def test_no_batch_callbacks_means_no_batch_calls():
    cbs = callbacks.CallbackList([callbacks.EarlyStopping()], add_history=True)
    assert not cbs.wants("on_train_batch_begin") and not cbs.wants("on_train_batch_end")
    cbs = callbacks.CallbackList([callbacks.TerminateOnNaN()])
    assert cbs.wants("on_train_batch_end")
    lam = callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: None)
    assert callbacks.CallbackList([lam]).wants("on_train_batch_end")
    with pytest.raises(TypeError, match="Callback instances"):
        callbacks.CallbackList([print])


def test_early_stopping_restores_best(capsys):
    x, y = data()
    m = model()

    class Scripted(callbacks.Callback):
        """Makes val_loss worsen after epoch 1 whatever the training does."""
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = [1.0, 0.5, 0.7, 0.8, 0.9, 0.95][epoch]
            snapshots.append(self.model.get_weights())
    snapshots = []
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True,
                                   verbose=1)
    h = m.fit(x, y, epochs=6, verbose=0, validation_data=(x, y),
              callbacks=[Scripted(), stop])
    assert len(h.epoch) == 4                 # best at epoch 1, two more, stop
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for a, b in zip(m.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(a, b)
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_early_stopping_mode_and_baseline():
    assert callbacks.EarlyStopping(monitor="val_accuracy").mode == "max"
    assert callbacks.EarlyStopping(monitor="loss").mode == "min"
    with pytest.raises(ValueError, match="mode='up'"):
        callbacks.EarlyStopping(mode="up")
    x, y = data()
    with pytest.warns(UserWarning, match="val_loss.*not available"):
        model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping()])


def test_model_checkpoint(tmp_path, capsys):
    x, y = data()
    m = model()
    path = str(tmp_path / "ckpt-{epoch:02d}-{loss:.2f}.retrograd")
    m.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.ModelCheckpoint(path)])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and files[0].startswith("ckpt-01-") and files[1].startswith("ckpt-02-")
    best = tmp_path / "best.retrograd"

    class Fake(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = [0.5, 0.7, 0.4][epoch]
    ck = callbacks.ModelCheckpoint(best, monitor="val_loss", save_best_only=True, verbose=1)
    m.fit(x, y, epochs=3, verbose=0, validation_data=(x, y), callbacks=[Fake(), ck])
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from inf to 0.50000, saving model to" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out
    assert "Epoch 3: val_loss improved from 0.50000 to 0.40000" in out
    restored = keras.models.load_model(best)
    np.testing.assert_allclose(restored.predict(x, verbose=0), m.predict(x, verbose=0), atol=1e-6)
    w = tmp_path / "w.retrograd"
    m.fit(x, y, epochs=1, verbose=0,
          callbacks=[callbacks.ModelCheckpoint(w, save_weights_only=True)])
    with pytest.raises(Exception, match="only weights"):
        keras.models.load_model(w)
    with pytest.raises(KeyError, match="val_acc"):
        m.fit(x, y, epochs=1, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "{val_acc}.r"))])


def test_learning_rate_scheduler_and_logs(capsys):
    x, y = data()
    m = model(lr=0.1)
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1)
    h = m.fit(x, y, epochs=3, verbose=0, callbacks=[sched])
    assert h.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])
    assert m.optimizer.inner.param_groups[0]["lr"] == pytest.approx(0.0125)
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.05." in capsys.readouterr().out
    old_api = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    m.fit(x, y, epochs=2, verbose=0, callbacks=[old_api])
    assert m.optimizer.learning_rate == pytest.approx(0.05)
    with pytest.raises(ValueError, match="must return a float"):
        m.fit(x, y, epochs=1, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda e, lr: "fast")])


def test_reduce_lr_on_plateau(capsys):
    x, y = data()
    m = model(lr=0.1)

    class Flat(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = 1.0
    r = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, verbose=1, min_lr=0.03)
    h = m.fit(x, y, epochs=6, verbose=0, callbacks=[Flat(), r])
    assert h.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.03])
    assert "ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out
    with pytest.raises(ValueError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_csv_logger(tmp_path):
    x, y = data()
    path = tmp_path / "log.csv"
    m = model()
    h = m.fit(x, y, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[callbacks.CSVLogger(path)])
    rows = list(csv.DictReader(open(path)))
    assert list(rows[0]) == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert float(rows[1]["loss"]) == pytest.approx(h.history["loss"][1])
    m.fit(x, y, epochs=1, verbose=0, validation_split=0.25,
          callbacks=[callbacks.CSVLogger(path, append=True)])
    assert len(list(csv.DictReader(open(path)))) == 3


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_terminate_on_nan(capsys):
    x, y = data()
    m = model(lr=1e30)
    x = x * 1e20
    h = m.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert len(h.epoch) == 1 and not np.isfinite(h.history["loss"][0])


def test_user_callback_stops_training():
    class StopAfter(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True
    x, y = data()
    rec = Hooks()
    h = model().fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[StopAfter(), rec])
    assert len(h.epoch) == 1
    assert [h for h, _, _ in rec.seen].count("on_train_batch_end") == 2


def test_progbar_with_an_unknown_total_has_one_space_before_the_time():
    import io
    from retrograd.keras.progbar import Progbar
    out = io.StringIO()
    Progbar(None, stream=out).update(4, [("loss", 0.5)], finalize=True)
    assert out.getvalue().startswith("      4/Unknown 0s")   # Keras: "      4/Unknown 0s 1ms/step"
