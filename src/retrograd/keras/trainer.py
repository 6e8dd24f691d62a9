"""``compile``, ``fit``, ``evaluate``, ``predict``: Keras's training API over the
model's forward pass, a ``retrograd.optim`` optimizer and callbacks.

A training step is the plain loop of the course, nothing more::

    s = model(x_batch)                  # logits when the model ends in a softmax
    loss = SoftmaxCrossEntropy(s, y)     # fused: ∂ℓ/∂s = ŷ − y*
    optimizer.zero_grad(); loss.backward(); optimizer.step()

Everything else (validating the data, choosing the fused loss, which callbacks run
per batch) is decided once per ``fit``, not at every step. Batches are slices of
float32 arrays converted once: with ``shuffle`` a batch is one gathered copy, else
a view.
"""
import math

import numpy as np

from .. import backend
from ..function import no_grad
from ..ops.softmax import stable_softmax
from ..random import default_generator
from ..tensor import Tensor
from . import callbacks as callbacks_module
from . import data_parallel, weighting
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got verbose={verbose!r}")
    return int(verbose)


def _batch_size(batch_size, who):
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
            or batch_size < 1:
        raise ValueError(f"{who}: batch_size must be a positive integer, got "
                         f"batch_size={batch_size!r}")
    return int(batch_size)


def _as_array(a, who, arg):
    if isinstance(a, Tensor):
        a = a.numpy()
    if a is None:
        raise ValueError(f"{who}: {arg} is None; expected an array")
    try:
        a = np.asarray(a)
    except (TypeError, ValueError) as e:      # ragged lists
        raise ValueError(f"{who}: {arg} must be a numeric array, got {type(a).__name__} "
                         f"({e})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {arg} must hold numbers, got dtype {a.dtype} "
                        f"({type(a).__name__})")
    if a.ndim == 0:
        raise ValueError(f"{who}: {arg} must have a batch axis, got a single value")
    return a


def _float_inputs(x, who):
    """x as a C-contiguous float32 array (copied only when it is not one), checked
    for NaN/inf."""
    x = _as_array(x, who, "x")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{who}: x must be numeric, got dtype {x.dtype}")
    if x.ndim == 0:
        raise ValueError(f"{who}: x must have a batch axis, got a scalar")
    x = np.ascontiguousarray(x, dtype=np.float32)
    flat = x.reshape(-1)
    # x·x is finite iff every value is (short of overflow, which the exact check
    # below then clears): one pass, no temporary array.
    if x.size and not np.isfinite(np.dot(flat, flat)):
        finite = np.isfinite(x.reshape(len(x), -1)).all(axis=1)
        if not finite.all():
            i = int(np.argmin(finite))
            bad = "NaN" if np.isnan(x[i]).any() else "inf"
            raise ValueError(f"{who}: x contains {bad} values ({int((~finite).sum())} "
                             f"sample(s), the first at index {i}); clean or impute the "
                             "inputs before training")
    return x


class Trainer:
    """The Keras training methods, one engine for every ``keras.Model`` (Sequential,
    functional, subclassed). A model provides ``_ensure_built(x, who)``,
    ``_forward(x, logits)``, ``_output_layer()`` (whose activation the loss may fuse)
    and ``_step_layers(fused)`` → (body, head): a step computes
    ``head(body[-1](… body[0](x)))``."""

    compiled = False
    optimizer = loss = None
    compiled_metrics = ()
    stop_training = False

    # -- compile -----------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Set the optimizer, the loss and the metrics (names or objects, as Keras).
        ``run_eagerly``, ``jit_compile``, ``steps_per_execution`` and
        ``auto_scale_loss`` are accepted and have no effect (retrograd always runs
        eagerly)."""
        if loss_weights is not None or weighted_metrics is not None:
            raise ValueError("compile: loss_weights and weighted_metrics apply to models "
                             "with several outputs, which Sequential is not")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"compile: metrics must be a list, e.g. metrics=['accuracy'], got "
                            f"metrics={metrics!r}")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = None if loss is None else losses_module.get(loss)
        self.compiled_metrics = [metrics_module.get(m, self.loss) for m in metrics or []]
        self.compiled = True
        self._compile_config = {"optimizer": optimizer if isinstance(optimizer, str) else None,
                                "loss": loss if isinstance(loss, str) else None,
                                "metrics": list(metrics or [])}
        if self.built:
            self.optimizer.build(self.trainable_weights)

    @property
    def metrics_names(self):
        """``['loss', <metric names as given to compile>]`` (``[]`` before compile)."""
        if not self.compiled:
            return []
        return ["loss"] + [m.name for m in self.compiled_metrics]

    def _require_compiled(self, who):
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before calling `{who}()`, e.g. "
                             "model.compile(optimizer='sgd', loss='categorical_crossentropy', "
                             "metrics=['accuracy'])")
        if self.loss is None:
            raise ValueError(f"{who}: the model was compiled without a loss; give "
                             "compile(loss=...)")

    # -- data checks -------------------------------------------------------------
    def _prepare(self, x, y, who):
        """(x float32, y in the form the loss takes), checked, the model built."""
        x = _float_inputs(x, who)
        self._ensure_built(x, who)
        if y is None:
            raise ValueError(f"{who}: y is None; fit and evaluate need targets")
        y = _as_array(y, who, "y")
        if len(y) != len(x):
            raise ValueError(f"{who}: x and y must have the same number of samples, got "
                             f"x with {len(x)} and y with {len(y)} (Data cardinality is "
                             "ambiguous)")
        return x, self._targets(y, who)

    def _targets(self, y, who):
        loss, out = self.loss, self.output_shape
        name = loss.name
        c = out[-1]
        n = len(y)
        def integral():     # only asked about label vectors, never one-hot matrices
            return y.dtype.kind in "biu" or (
                y.dtype.kind == "f" and y.size and bool(np.all(y == np.round(y))))
        if isinstance(loss, losses_module.SparseCategoricalCrossentropy):
            if y.ndim == 2 and y.shape[1] == c and c > 1:
                raise ValueError(
                    f"{who}: loss='{name}' expects integer class labels of shape ({n},), "
                    f"but y has shape {y.shape} (one-hot?). Use "
                    "loss='categorical_crossentropy' with one-hot targets, or pass "
                    "y.argmax(axis=1)")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y[:, 0]
            if y.ndim != 1 or not integral():
                raise ValueError(f"{who}: loss='{name}' expects integer class labels of "
                                 f"shape ({n},), got y of shape {y.shape} and dtype {y.dtype}")
            y = y.astype(np.int64)
            if n and (y.min() < 0 or y.max() >= c):
                bad = int(y.min()) if y.min() < 0 else int(y.max())
                raise ValueError(f"{who}: label {bad} is out of range for a model with {c} "
                                 f"outputs (labels must be in 0..{c - 1})")
            return y
        if isinstance(loss, losses_module.CategoricalCrossentropy):
            if (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)) and c > 1:
                kind = "integer class labels" if integral() else "one value per sample"
                raise ValueError(
                    f"{who}: loss='{name}' expects one-hot targets of shape ({n}, {c}), but "
                    f"y has shape {y.shape} and holds {kind}. Use "
                    "loss='sparse_categorical_crossentropy' with integer labels, or one-hot "
                    f"encode them: y = keras.utils.to_categorical(y, {c})")
            if y.shape[1:] != tuple(out[1:]):
                raise ValueError(f"{who}: loss='{name}': y has shape {y.shape}, the model "
                                 f"outputs {tuple(out)}; expected y of shape "
                                 f"({n}, {', '.join(str(d) for d in out[1:])})")
            return np.ascontiguousarray(y, dtype=np.float32)
        y = np.asarray(y, dtype=np.float32)
        target = (n,) + tuple(out[1:])
        if y.shape != target:
            if None not in target and y.size == math.prod(target):
                y = y.reshape(target)
            elif not isinstance(loss, losses_module.LossFunctionWrapper):
                raise ValueError(f"{who}: loss='{name}': y has shape {y.shape}, the model "
                                 f"outputs {tuple(out)}; expected y of shape {target}")
        if isinstance(loss, losses_module.BinaryCrossentropy) and y.size and \
                (y.min() < 0 or y.max() > 1):
            raise ValueError(f"{who}: loss='{name}' expects targets in [0, 1], got values "
                             f"from {y.min():g} to {y.max():g}")
        return np.ascontiguousarray(y)

    # -- the step --------------------------------------------------------------------
    def _setup_step(self):
        """Decide once what every step does: fused loss or not, penalties, device."""
        last = self._output_layer()     # None: unknown (a subclassed model's call)
        act = None if last is None else last.output_activation
        self._fused = self.loss.logits_of is not None and act is not None and \
            act is _activation(self.loss.logits_of)
        self._penalized = any(getattr(m, "has_penalties", False) for m in self.modules())
        if not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)
        p = next(self.parameters(), None)
        cuda = p is not None and p.device == "cuda"
        self._to_device = (lambda a: backend.to_device(a, "cuda")) if cuda else _same
        self._to_host = (lambda a: backend.to_device(a, "cpu")) if cuda else _same

    def _update_metrics(self, y, out):
        """Feed the batch's outputs (an array: logits on the fused path) to the metrics."""
        out = self._to_host(out)
        probs = None
        for m in self.compiled_metrics:
            if self._fused and m.needs_probabilities:
                if probs is None:
                    probs = self._probabilities(out)
                m.update_state(y, probs, False)
            else:
                m.update_state(y, out, self._fused)

    def _probabilities(self, logits):
        if self.loss.logits_of == "softmax":
            return stable_softmax(logits, -1)
        return 0.5 * (1 + np.tanh(0.5 * logits))    # σ(s), without overflow

    def _loss_of(self, y, out, w=None):
        yt = Tensor._wrap(self._to_device(y))
        if w is not None:
            loss = self.loss.weighted(yt, out, Tensor._wrap(self._to_device(w)), self._fused)
        else:
            loss = self.loss.from_logits_loss(yt, out) if self._fused else \
                self.loss.compute(yt, out)
        if self._penalized:
            loss = loss + self.regularization_loss()
        return loss

    def _make_train_step(self, strategy=None):
        """The step as one closure over what ``_setup_step`` decided: per batch it
        runs only the forward pass, the loss, backward and the optimizer update.
        With a ``strategy`` (data parallelism) the gradients are averaged over the
        ranks between backward and the update, weighted by each rank's samples."""
        body, head = self._step_layers(self._fused)
        loss_fn = self.loss.from_logits_loss if self._fused else self.loss.compute
        penalized, opt = self._penalized, self.optimizer
        to_dev = None if self._to_device is _same else self._to_device
        wrap = Tensor._wrap
        zero_grad, apply = opt.zero_grad, opt.apply
        sync = None if strategy is None else strategy.sync
        params = self.trainable_weights
        weighted, fused = self.loss.weighted, self._fused

        def train_step(xb, yb, wb=None):
            if to_dev is not None:
                xb, yb = to_dev(xb), to_dev(yb)
                wb = None if wb is None else to_dev(wb)
            h = wrap(xb)
            for layer in body:
                h = layer(h)
            out = head(h)
            if wb is None:
                loss = loss_fn(wrap(yb), out)
            else:       # Σᵢ wᵢ ℓᵢ / N (weighting.py)
                loss = weighted(wrap(yb), out, wrap(wb), fused)
            if penalized:
                loss = loss + self.regularization_loss()
            zero_grad()
            loss.backward()
            if sync is not None:
                sync(params, len(xb))
            apply()
            return float(loss.data), out.data
        return train_step

    # -- fit -------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, validation_batch_size=None,
            validation_freq=1, distributed=False):
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size``
        (default 32); returns a ``History`` whose ``.history`` maps ``loss``, the
        metrics and their ``val_`` versions to one value per epoch.

        ``validation_split`` ∈ [0, 1): the last fraction of x, y (before shuffling)
        is held out for validation (with its sample weights);
        ``validation_data=(x_val, y_val)`` or ``(x_val, y_val, val_sample_weight)``
        gives it.

        ``sample_weight`` (one weight per sample) or ``class_weight`` ({class: weight})
        weigh the loss as Keras does, Σᵢ wᵢ ℓᵢ / N per batch (``keras/weighting.py``).

        ``distributed=True`` (or a ``retrograd.distributed.DataParallelStrategy``):
        data-parallel training over the MPI ranks (``mpirun -n p``, after
        ``retrograd.distributed.init()``), every rank calling ``fit`` on the same
        data. ``batch_size`` is the global batch, split over the ranks; the weights
        are those one process would compute with that batch size; only rank 0 prints
        and runs ``ModelCheckpoint``/``CSVLogger`` (see ``keras/data_parallel.py``)."""
        who = "fit"
        self._require_compiled(who)
        verbose = _verbosity(verbose)
        batch_size = _batch_size(batch_size, who)
        if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or epochs < 0:
            raise ValueError(f"fit: epochs must be a non-negative integer, got epochs={epochs!r}")
        if not isinstance(validation_split, (int, float)) or isinstance(validation_split, bool) \
                or not 0 <= validation_split < 1:
            raise ValueError(f"fit: validation_split must be a float in [0, 1), got "
                             f"validation_split={validation_split!r}")
        if not isinstance(validation_freq, int) or validation_freq < 1:
            raise ValueError(f"fit: validation_freq must be a positive integer, got "
                             f"validation_freq={validation_freq!r}")
        x, y = self._prepare(x, y, who)
        sw = weighting.sample_weights(y, sample_weight, class_weight, who)
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or \
                    len(validation_data) not in (2, 3):
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, val_sample_weight)")
            who_val = "fit (validation_data)"
            xv, yv = self._prepare(validation_data[0], validation_data[1], who_val)
            wv = None if len(validation_data) == 2 else \
                weighting.sample_weights(yv, validation_data[2], who=who_val)
            val = (xv, yv, wv)
        elif validation_split:
            split = int(len(x) * (1 - validation_split))
            if split == 0 or split == len(x):
                raise ValueError(f"fit: validation_split={validation_split} of {len(x)} "
                                 "samples leaves no training or no validation samples")
            x, y, val = x[:split], y[:split], (x[split:], y[split:],
                                               None if sw is None else sw[split:])
            sw = None if sw is None else sw[:split]
        n = len(x)
        if n == 0:
            raise ValueError("fit: x is empty (0 samples)")
        self._setup_step()
        strategy = data_parallel.resolve(distributed)
        if strategy is None:
            steps = math.ceil(n / batch_size)
        else:
            steps, verbose, callbacks = data_parallel.prepare(self, strategy, n, batch_size,
                                                              verbose, callbacks)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_history=True,
                                            add_progbar=verbose > 0, verbose=verbose,
                                            epochs=epochs, steps=steps)
        batch_begin = cbs.wants("on_train_batch_begin")
        batch_end = cbs.wants("on_train_batch_end")
        train_step = self._make_train_step(strategy)
        metrics = self.compiled_metrics
        # A batch is x[idx] for each idx of the epoch's list: slices (views) without
        # shuffling, index arrays (one gathered copy) with it.
        plan = None if shuffle else [slice(lo, lo + batch_size) for lo in range(0, n, batch_size)]
        if strategy is None:
            rng = default_generator()
            logs_of = self._running_logs
        else:
            rng = data_parallel.shuffler(strategy)
            # Any rank with batch callbacks (the chief's progress bar) makes every rank
            # compute the global logs at each step, in the same collectives.
            batch_end = strategy.mean(float(batch_end)) > 0
            batch_begin = strategy.mean(float(batch_begin)) > 0
            cbs = data_parallel.AgreedCallbacks(cbs, self, strategy)
            if val is not None:
                val = strategy.shard(*val)

            def logs_of(total, count):
                return data_parallel.global_logs(strategy, self._running_logs(total, count),
                                                 count)
        self.stop_training = False
        self.train()
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            for m in metrics:
                m.reset_state()
            total, count = 0.0, 0
            cbs.on_epoch_begin(epoch)
            if strategy is not None:
                order = rng.permutation(n) if shuffle else np.arange(n)
                plan = data_parallel.batches(strategy, order, batch_size, steps)
            elif shuffle:
                order = rng.permutation(n)
                plan = [order[lo:lo + batch_size] for lo in range(0, n, batch_size)]
            for step, idx in enumerate(plan):
                xb, yb = x[idx], y[idx]
                if batch_begin:
                    cbs.batch("on_train_batch_begin", step)
                if sw is None:
                    loss_value, out = train_step(xb, yb)
                else:
                    loss_value, out = train_step(xb, yb, sw[idx])
                nb = len(xb)
                total += loss_value * nb
                count += nb
                if metrics:
                    self._update_metrics(yb, out)
                if batch_end:
                    cbs.batch("on_train_batch_end", step, logs_of(total, count))
                if self.stop_training:
                    break
            logs = logs_of(total, count)
            epoch_logs = dict(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_arrays(
                    val[0], val[1], _batch_size(validation_batch_size or batch_size, who),
                    cbs, sample_weight=val[2])
                if strategy is not None:
                    val_logs = data_parallel.global_logs(strategy, val_logs, len(val[0]))
                epoch_logs.update(("val_" + k, v) for k, v in val_logs.items())
                self.train()
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        self.eval()
        return cbs.history

    def _running_logs(self, total, count):
        """The logs from the epoch's running loss sum over ``count`` samples."""
        return self._logs(total / count if count else float("nan"))

    def _logs(self, loss):
        """Keras's logs: the loss and the metrics' running values, keys sorted."""
        logs = {"loss": loss}
        for m in self.compiled_metrics:
            logs[m.name] = m.result()
        return dict(sorted(logs.items()))

    # -- evaluate / predict ------------------------------------------------------------
    def _evaluate_arrays(self, x, y, batch_size, cbs=None, sample_weight=None):
        """{"loss": …, metric: …} over (x, y) in eval mode, without gradients (the
        loss weighted by ``sample_weight`` when given, the metrics never)."""
        metrics = self.compiled_metrics
        for m in metrics:
            m.reset_state()
        self.eval()
        n = len(x)
        steps = math.ceil(n / batch_size)
        total, count = 0.0, 0
        batch_begin = cbs is not None and cbs.wants("on_test_batch_begin")
        batch_end = cbs is not None and cbs.wants("on_test_batch_end")
        if cbs is not None:
            cbs.on_test_begin()
        logs = {}
        with no_grad():
            for step in range(steps):
                xb, yb = x[step * batch_size:(step + 1) * batch_size], \
                    y[step * batch_size:(step + 1) * batch_size]
                if batch_begin:
                    cbs.batch("on_test_batch_begin", step)
                out = self._forward(Tensor._wrap(self._to_device(xb)), logits=self._fused)
                nb = len(xb)
                wb = None if sample_weight is None else \
                    sample_weight[step * batch_size:(step + 1) * batch_size]
                total += float(self._loss_of(yb, out, wb).data) * nb
                count += nb
                self._update_metrics(yb, out.data)
                if batch_end:
                    logs = {"loss": total / count, **{m.name: m.result() for m in metrics}}
                    cbs.batch("on_test_batch_end", step, dict(sorted(logs.items())))
        logs = {"loss": total / count if count else float("nan")}
        logs.update((m.name, m.result()) for m in metrics)
        logs = dict(sorted(logs.items()))
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss and metrics over (x, y): a scalar when there are no metrics, else a
        list aligned with ``metrics_names`` (a dict with ``return_dict=True``).
        ``sample_weight`` weighs the loss (not the metrics), as in ``fit``."""
        who = "evaluate"
        self._require_compiled(who)
        if steps is not None:
            raise ValueError("evaluate: steps is for generators and datasets; with arrays "
                             "leave steps=None (every sample is evaluated)")
        verbose = _verbosity(verbose)
        batch_size = _batch_size(batch_size, who)
        x, y = self._prepare(x, y, who)
        sw = weighting.sample_weights(y, sample_weight, who=who)
        self._setup_step()
        steps = math.ceil(len(x) / batch_size)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_progbar=verbose > 0,
                                            verbose=verbose, epochs=1, steps=steps)
        logs = self._evaluate_arrays(x, y, batch_size, cbs, sample_weight=sw)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", callbacks=None):
        """The model's outputs for x (a NumPy array), computed in batches without
        gradients, in inference mode (dropout off)."""
        who = "predict"
        verbose = _verbosity(verbose)
        batch_size = _batch_size(batch_size, who)
        x = _float_inputs(x, who)
        self._ensure_built(x, who)
        steps = math.ceil(len(x) / batch_size)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_progbar=verbose > 0,
                                            verbose=verbose, epochs=1, steps=steps)
        batch_begin = cbs.wants("on_predict_batch_begin")
        batch_end = cbs.wants("on_predict_batch_end")
        p = next(self.parameters(), None)
        to_dev = (lambda a: backend.to_device(a, "cuda")) \
            if p is not None and p.device == "cuda" else (lambda a: a)
        self.eval()
        outs = []
        cbs.on_predict_begin()
        with no_grad():
            for step in range(steps):
                xb = x[step * batch_size:(step + 1) * batch_size]
                if batch_begin:
                    cbs.batch("on_predict_batch_begin", step)
                outs.append(self._forward(Tensor._wrap(to_dev(xb))).numpy())
                if batch_end:
                    cbs.batch("on_predict_batch_end", step, {"outputs": outs[-1]})
        cbs.on_predict_end()
        if not outs:
            return np.zeros((0,) + tuple(self.output_shape[1:]), dtype=np.float32)
        return np.concatenate(outs)

    # -- single batches ------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One optimizer step on (x, y); returns the loss (and the metrics, running
        since the last ``reset_metrics()``), as Keras."""
        who = "train_on_batch"
        self._require_compiled(who)
        x, y = self._prepare(x, y, who)
        sw = weighting.sample_weights(y, sample_weight, class_weight, who)
        self._setup_step()
        self.train()
        loss_value, out = self._make_train_step()(x, y, sw)
        self.eval()
        return self._batch_result(y, out, loss_value, len(x), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on one batch, without training."""
        who = "test_on_batch"
        self._require_compiled(who)
        x, y = self._prepare(x, y, who)
        sw = weighting.sample_weights(y, sample_weight, who=who)
        self._setup_step()
        self.eval()
        with no_grad():
            out = self._forward(Tensor._wrap(self._to_device(x)), logits=self._fused)
            loss_value = float(self._loss_of(y, out, sw).data)
        return self._batch_result(y, out.data, loss_value, len(x), return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(len(x), 1), verbose=0)

    def reset_metrics(self):
        for m in self.compiled_metrics:
            m.reset_state()
        self._batch_loss = (0.0, 0)

    def _batch_result(self, y, out, loss_value, n, return_dict):
        total, count = getattr(self, "_batch_loss", (0.0, 0))
        self._batch_loss = (total + loss_value * n, count + n)
        self._update_metrics(y, out)
        logs = {"loss": self._batch_loss[0] / self._batch_loss[1]}
        logs.update((m.name, m.result()) for m in self.compiled_metrics)
        if return_dict:
            return dict(sorted(logs.items()))
        values = [logs[k] for k in self.metrics_names]
        return values[0] if len(values) == 1 else values


def _same(a):
    return a


def _activation(name):
    from ..nn import activations
    return activations.get(name)
