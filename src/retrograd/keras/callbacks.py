"""``fit`` is a sequence of events; everything around the loop is a callback.

A ``Callback`` overrides any of the Keras hooks (``on_train_begin``,
``on_epoch_end``, ``on_train_batch_end``, …) and sees ``self.model`` and
``self.params`` (``{"verbose", "epochs", "steps"}``). ``History``, the progress
bar, early stopping, checkpoints and learning-rate changes are all callbacks.

Every hook gets a ``logs`` dict, as Keras 3 passes them (never None): ``{}`` at the
begin hooks; a train batch's running loss and metrics at ``on_train_batch_end``;
the epoch's, with the ``val_`` ones, at ``on_epoch_end`` and (the last epoch's)
at ``on_train_end``; ``{"outputs": …}`` at ``on_predict_batch_end``.
"""
import csv
import logging
import math
import os
import warnings

import numpy as np

from . import config as _config
from .progbar import Progbar

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")


def _print(message, flush=False):
    """A message of fit or a callback: to stdout, or to ``logging`` (INFO) when
    ``keras.config.disable_interactive_logging()`` was called (Keras's print_msg)."""
    if _config.is_interactive_logging_enabled():
        print(message, flush=flush)
    else:
        logging.getLogger("retrograd.keras").info(message)


class Callback:
    """Base class: every hook does nothing. ``on_batch_begin/end`` are the old names
    of ``on_train_batch_begin/end`` and are called for them."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def uses_batch_hook(self, hook):
        """Whether this callback needs ``hook`` called in this run (asked once per
        ``fit``, after ``set_params``; a subclass that overrides a hook but has
        nothing to do may say no, and the loop then skips it)."""
        return True

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass


def _overrides(cb, hook):
    """Whether ``cb`` does anything on ``hook`` (so the loop can skip the call)."""
    old = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}
    for name in (hook, old.get(hook)):
        if name and (name in vars(cb) or getattr(type(cb), name) is not getattr(Callback, name)):
            return True
    return False


class CallbackList:
    """The callbacks of one ``fit``/``evaluate``/``predict`` call, in order: the
    user's, then ``History``, then the progress bar (as Keras orders them).

    Which callbacks do something per batch is decided once, here, so a step with
    no batch callbacks costs no Python call at all."""

    def __init__(self, callbacks=None, model=None, add_history=False, add_progbar=False,
                 verbose=0, epochs=1, steps=None):
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks: expected keras.callbacks.Callback instances, "
                                f"got {type(cb).__name__}")
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self.params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(self.params)
        self.batch_hooks = {h: [cb for cb in self.callbacks
                                if _overrides(cb, h) and cb.uses_batch_hook(h)]
                            for h in _BATCH_HOOKS}

    def wants(self, hook):
        return bool(self.batch_hooks[hook])

    def batch(self, hook, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.batch_hooks[hook]:
            getattr(cb, hook)(batch, logs=logs)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)
        per_epoch = hook in ("on_epoch_begin", "on_epoch_end")

        def call(*args, logs=None):
            # Keras's convention: (logs) or (epoch, logs), logs positional, a dict
            args = list(args)
            if len(args) == int(per_epoch) + 1:
                logs = args.pop()
            args.append({} if logs is None else logs)
            for cb in self.callbacks:
                getattr(cb, hook)(*args)
        return call


class History(Callback):
    """Records every epoch's logs: ``history.history["loss"]`` is the list of the
    epochs' losses; ``history.epoch`` the epoch indices. ``fit`` returns it."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and Keras's progress bar (see ``progbar``)."""

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.in_fit = False

    def _verbose(self):
        verbose = self.params.get("verbose", 0)
        # Keras 3.15 without interactive logging: verbose=2's epoch lines go to the
        # log (not shown), verbose=1's bar is still drawn
        if verbose == 2 and not _config.is_interactive_logging_enabled():
            return 0
        return verbose

    def uses_batch_hook(self, hook):
        # Between steps the bar is redrawn only on a terminal at verbose=1.
        return self._verbose() == 1 and Progbar(None, verbose=0).dynamic

    def _start(self):
        self.progbar = Progbar(self.params.get("steps"), verbose=self._verbose())

    def on_train_begin(self, logs=None):
        self.in_fit = True

    def on_train_end(self, logs=None):
        self.in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        if self._verbose() and self.params.get("epochs", 1) > 1:
            _print(f"Epoch {epoch + 1}/{self.params['epochs']}", flush=True)
        self._start()

    # Between steps the bar is redrawn, never closed (finalize=False, as Keras 3's
    # ProgbarLogger): the end of the epoch, of evaluate, of predict closes its line,
    # with the epoch's logs; a last step that closed it too printed the line twice.
    def on_train_batch_end(self, batch, logs=None):
        if self._verbose() == 1 and self.progbar.dynamic:
            self.progbar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._verbose():
            self.progbar.update(self.progbar.seen if self.params.get("steps") is None
                                else self.params["steps"], list((logs or {}).items()),
                                finalize=True)

    def on_test_begin(self, logs=None):
        if not self.in_fit:
            self._start()

    def on_test_batch_end(self, batch, logs=None):
        if not self.in_fit and self._verbose() == 1 and self.progbar.dynamic:
            self.progbar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if not self.in_fit and self._verbose():
            self.progbar.update(self.params["steps"], list((logs or {}).items()),
                                finalize=True)

    def on_predict_begin(self, logs=None):
        self._start()

    def on_predict_batch_end(self, batch, logs=None):
        if self._verbose() == 1 and self.progbar.dynamic:
            self.progbar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        if self._verbose():
            self.progbar.update(self.params["steps"], finalize=True)


def _monitor_mode(monitor, mode, who):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got mode={mode!r}")
    if mode != "auto":
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return "max" if name.endswith(("acc", "accuracy", "auc", "precision", "recall")) else "min"


def _monitored(logs, monitor, who):
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn(f"{who} is conditioned on metric `{monitor}` which is not available. "
                      f"Available metrics are: {','.join(logs or {})}", stacklevel=3)
    return value


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved by more than ``min_delta``
    for ``patience`` epochs; ``restore_best_weights`` puts back the best epoch's."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.min_delta = abs(min_delta)
        self.mode = _monitor_mode(monitor, mode, "EarlyStopping")
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch

    def _better(self, value, reference):
        if reference is None:
            return True
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best, self.best_epoch = 0, 0, None, 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = _monitored(logs, self.monitor, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Saves the model (or only its weights) every epoch or every ``save_freq``
    batches; ``filepath`` may hold ``{epoch:02d}`` and ``{val_loss:.2f}``-style
    fields; ``save_best_only`` keeps only improvements of ``monitor``."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive "
                             f"integer (batches), got save_freq={save_freq!r}")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = _monitor_mode(monitor, mode, "ModelCheckpoint")
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self._batches = 0
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq != "epoch":
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save(self._epoch, logs, batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)

    def _save(self, epoch, logs, batch=None):
        logs = dict(logs or {})
        try:
            path = self.filepath.format(epoch=epoch + 1, batch=batch, **logs)
        except KeyError as e:
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} uses {e}, which is "
                           f"not in the logs ({', '.join(logs) or 'none'})") from None
        if self.save_best_only:
            current = _monitored(logs, self.monitor, "Can save best model only with "
                                 f"{self.monitor} available, skipping; it")
            if current is None:
                return
            better = self.best is None or (current < self.best if self.mode == "min"
                                           else current > self.best)
            if not better:
                if self.verbose > 0:
                    _print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self._show(self.best)}")
                return
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: {self.monitor} improved from "
                      f"{self._show(self.best)} to {current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def _show(self, best):
        if best is None:
            return "inf" if self.mode == "min" else "-inf"
        return f"{best:.5f}"


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch to
    ``schedule(epoch, lr)`` (or ``schedule(epoch)``)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.model.optimizer.learning_rate)
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, int, np.floating, np.integer)) or isinstance(lr, bool):
            raise ValueError(f"LearningRateScheduler: the schedule must return a float, "
                             f"got {lr!r}")
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` has not improved
    by ``min_delta`` for ``patience`` epochs (then waits ``cooldown`` epochs),
    never below ``min_lr``."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0, "
                             f"got factor={factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode = _monitor_mode(monitor, mode, "ReduceLROnPlateau")
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def _better(self, a, b):
        return a < b - self.min_delta if self.mode == "min" else a > b + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = _monitored(logs, self.monitor, "Learning rate reduction")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(self.model.optimizer.learning_rate)
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose > 0:
                        _print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                              f"rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Writes one CSV row per epoch: ``epoch`` then the logs' keys, sorted."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.file = self.writer = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and \
            os.path.getsize(self.filename) > 0
        self.file = open(self.filename, "a" if self.append else "w", newline="")
        self.header_written = exists
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.writer is None:
            self.keys = sorted(logs)
            self.writer = csv.DictWriter(self.file, ["epoch"] + self.keys,
                                         delimiter=self.sep)
            if not self.header_written:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, logs.get(k, "NA")) for k in self.keys)
        self.writer.writerow(row)
        self.file.flush()

    def on_train_end(self, logs=None):
        if self.file is not None:
            self.file.close()
            self.file = None


class TerminateOnNaN(Callback):
    """Stops training at the first batch whose loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            _print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda e, logs: …)``."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for name, fn in hooks.items():
            if fn is not None:
                if not hasattr(Callback, name):
                    raise TypeError(f"LambdaCallback: unknown hook {name!r}")
                setattr(self, name, fn)


class BackupAndRestore(Callback):
    """Resume a ``fit`` that was interrupted (a crash, a kill, an exception) where its
    last completed epoch left it, bit for bit.

    At the end of every epoch the weights, the optimizer's slots and step count, the
    state of the random generators (the shuffling, dropout) and the epoch are saved
    atomically to ``backup_dir/latest.ckpt`` (``retrograd.checkpoint``); a ``fit``
    that starts with such a file there restores it and continues from the next
    epoch, so that the final weights equal an uninterrupted run's. A run that ends
    normally deletes the file (``delete_checkpoint=True``), so the next ``fit``
    starts afresh.

    >>> cb = keras.callbacks.BackupAndRestore("backup")
    >>> model.fit(x, y, epochs=10, callbacks=[cb])    # killed at epoch 6…
    >>> model.fit(x, y, epochs=10, callbacks=[cb])    # …runs epochs 7 to 10

    ``save_freq``: only ``"epoch"`` (Keras's every-N-batches backups resume inside an
    epoch, which retrograd does not: ``NotSupportedError``)."""

    FILE = "latest.ckpt"

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError(f"BackupAndRestore: backup_dir must be a directory path, got "
                             f"backup_dir={backup_dir!r}")
        if save_freq != "epoch":
            from ..missing import NotSupportedError
            if save_freq is False or (isinstance(save_freq, int) and save_freq > 0):
                raise NotSupportedError(f"BackupAndRestore(save_freq={save_freq!r}): backups "
                                        "are made at the end of each epoch only "
                                        "(save_freq='epoch')")
            raise ValueError(f"BackupAndRestore: save_freq must be 'epoch' or a positive "
                             f"integer, got save_freq={save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.delete_checkpoint = save_freq, delete_checkpoint
        self.double_checkpoint = double_checkpoint
        self.path = os.path.join(self.backup_dir, self.FILE)

    def on_train_begin(self, logs=None):
        if not os.path.exists(self.path):
            return
        from ..checkpoint import load_checkpoint
        opt = self.model.optimizer
        state = load_checkpoint(self.path, self.model,
                                opt.inner if opt is not None and opt.built else None)
        extra = state["extra"] or {}
        if opt is not None:
            opt.iterations = int(extra.get("iterations", opt.iterations))
        # fit reads this after on_train_begin (Keras 3's model._initial_epoch)
        self.model._initial_epoch = state["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        from ..checkpoint import save_checkpoint
        opt = self.model.optimizer
        inner = opt.inner if opt is not None and opt.built else None
        os.makedirs(self.backup_dir, exist_ok=True)
        save_checkpoint(self.path, self.model, inner, epoch=epoch + 1,
                        extra={"iterations": 0 if opt is None else int(opt.iterations)})

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.path):
            os.remove(self.path)
            if not os.listdir(self.backup_dir):     # as Keras, which removes the folder
                os.rmdir(self.backup_dir)


class TensorBoard(Callback):
    """Writes TensorBoard event files: at the end of every epoch the logs as scalars
    ``epoch_loss``, ``epoch_accuracy``, … in ``log_dir/train`` and the ``val_`` ones,
    under the same names, in ``log_dir/validation`` (Keras's layout, so that
    TensorBoard draws the two curves in one chart); with ``histogram_freq=k``, every
    k epochs a histogram of each weight; with ``update_freq=n`` (batches), also
    ``batch_loss``, … every n batches.

    Written through ``tensorboardX`` (``pip install tensorboardX``), imported when
    training begins. ``write_graph``, ``write_images``, ``profile_batch`` and the
    embeddings options are Keras's; the graph and images are not written (a
    retrograd model has no TensorFlow graph), and ``write_images=True`` or
    ``embeddings_freq`` > 0 raise ``NotSupportedError``.

    >>> model.fit(x, y, epochs=5, validation_split=0.1,
    ...           callbacks=[keras.callbacks.TensorBoard("logs")])
    $ tensorboard --logdir logs"""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        from ..missing import NotSupportedError
        if write_images:
            raise NotSupportedError("TensorBoard(write_images=True): weight images are not "
                                    "written; use histogram_freq for the weights")
        if embeddings_freq:
            raise NotSupportedError("TensorBoard(embeddings_freq=...): the embedding "
                                    "projector is not written")
        if not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be an integer >= 0, got "
                             f"histogram_freq={histogram_freq!r}")
        if update_freq not in ("epoch", "batch") and not (
                isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a "
                             f"positive integer, got update_freq={update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph = histogram_freq, write_graph
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.writers = {}
        self._step = 0

    def _writer(self, which):
        w = self.writers.get(which)
        if w is None:
            try:
                from tensorboardX import SummaryWriter
            except ImportError:
                raise ImportError("keras.callbacks.TensorBoard writes its event files with "
                                  "tensorboardX: pip install tensorboardX (the extra "
                                  "retrograd[tensorboard])") from None
            w = self.writers[which] = SummaryWriter(os.path.join(self.log_dir, which))
        return w

    def uses_batch_hook(self, hook):
        return self.update_freq != "epoch" and hook == "on_train_batch_end"

    def on_train_begin(self, logs=None):
        self._writer("train")

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self.update_freq != "epoch" and self._step % self.update_freq == 0:
            w = self._writer("train")
            for k, v in (logs or {}).items():
                w.add_scalar("batch_" + k, float(v), self._step)

    def on_epoch_end(self, epoch, logs=None):
        for k, v in (logs or {}).items():
            val = k.startswith("val_")
            try:
                v = float(v)
            except (TypeError, ValueError):
                continue
            self._writer("validation" if val else "train").add_scalar(
                "epoch_" + (k[4:] if val else k), v, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            w = self._writer("train")
            for name, p in self.model.named_parameters():
                w.add_histogram(name.replace(".", "/"), _host_array(p.array), epoch)
        for w in self.writers.values():
            w.flush()

    def on_train_end(self, logs=None):
        for w in self.writers.values():
            w.close()
        self.writers = {}


def _host_array(a):
    from .. import backend
    return np.asarray(backend.to_device(a, "cpu") if backend.device_of(a) != "cpu" else a)


class SwapEMAWeights(Callback):
    """Evaluate (and predict) with the optimizer's moving averages of the weights
    (``use_ema=True``): they are swapped into the model at the start of evaluation
    and the trained weights swapped back at its end. ``swap_on_epoch=True`` also
    swaps them in at each epoch's end (so epoch-end callbacks such as
    ModelCheckpoint see the averaged weights) and back at the next epoch's start;
    after the last epoch the model keeps the averages, as Keras's."""

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if not getattr(optimizer, "use_ema", False):
            raise ValueError(f"SwapEMAWeights must be used when `use_ema=True` is set on the "
                             f"optimizer. Received: use_ema="
                             f"{getattr(optimizer, 'use_ema', None)}")
        return optimizer

    def _swap_variables(self):
        # the weights and their averages trade places (the averages are the
        # optimizer's arrays a ← μa + (1 − μ)θ, one per trainable weight)
        optimizer = self._optimizer()
        for p, a in zip(optimizer._params, optimizer._averages):
            trained = p.array.copy()
            p.array[...] = a
            a[...] = trained

    def _finalize_ema_values(self):
        optimizer = self._optimizer()
        for p, a in zip(optimizer._params, optimizer._averages):
            a[...] = p.array

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            if epoch == self.params["epochs"] - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    # predict: Keras 3.15's on_predict_end tests the wrong flag and leaves the
    # averages in; here the trained weights come back, as for evaluate
    on_predict_begin = on_test_begin
    on_predict_end = on_test_end


__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
           "ModelCheckpoint", "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger",
           "TerminateOnNaN", "LambdaCallback", "BackupAndRestore", "TensorBoard",
           "SwapEMAWeights"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
