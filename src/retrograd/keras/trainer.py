"""``compile``, ``fit``, ``evaluate``, ``predict``: Keras's training API over the
model's forward pass, a ``retrograd.optim`` optimizer and callbacks.

A training step is the plain loop of the course, nothing more::

    s = model(x_batch)                  # logits when the model ends in a softmax
    loss = SoftmaxCrossEntropy(s, y)     # fused: ∂ℓ/∂s = ŷ − y*
    optimizer.zero_grad(); loss.backward(); optimizer.step()

A model with several outputs adds its outputs' losses, ℓ = Σₖ λₖ ℓₖ
(``keras/compile_utils.py``); one with several inputs takes x as a list or a dict
by input name, and y likewise by output.

Everything else (validating the data, choosing the fused loss, which callbacks run
per batch) is decided once per ``fit``, not at every step. Turning the user's data
into checked float32 arrays and batches is ``keras/data_adapters.py``'s: a batch is
a view (no shuffle) or one gathered copy.
"""
import math
import warnings

import numpy as np

from .. import backend
from ..function import no_grad
from ..ops.softmax import stable_softmax
from ..random import default_generator
from ..tensor import Tensor
from . import callbacks as callbacks_module
from . import compile_utils, data_parallel
from . import config as keras_config
from . import metrics as metrics_module
from . import device_scope as keras_device
from . import optimizers as optimizers_module
from .data_adapters import (ArrayBatches, BatchPlan, Columns, SourceBatches,
                            batch_size_or_default, describe, eval_batches, inputs_of,
                            is_batch_source, positive, prepare, refuse_with_source,
                            sample_weights, slices)
from .utils import unpack_x_y_sample_weight


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got verbose={verbose!r}")
    return int(verbose)


class Trainer:
    """The Keras training methods, one engine for every ``keras.Model`` (Sequential,
    functional, subclassed). A model provides ``_ensure_built(x, who)``,
    ``_forward(x, logits)``, ``_output_layers()`` (whose activations the losses may
    fuse), ``output_names``, ``_input_names()``, ``_output_shapes()`` and, for one
    output, ``_step_layers(fused)`` → (body, head): a step computes
    ``head(body[-1](… body[0](x)))``."""

    compiled = False
    optimizer = loss = None
    heads = ()
    compiled_metrics = ()
    stop_training = False
    _raw_targets = False    # a custom train/test step runs: y as given, its logs

    # -- compile -----------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Set the optimizer, the loss(es) and the metrics (names or objects, as Keras).

        With several outputs, ``loss``, ``loss_weights``, ``metrics`` and
        ``weighted_metrics`` take one entry per output (a list in the outputs' order or
        a dict by output name; one ``loss`` applies to every output): the trained
        loss is Σₖ λₖ ℓₖ. ``weighted_metrics`` are fed the sample weights
        (``sample_weight``/``class_weight``), ``metrics`` are not, as in Keras.
        ``run_eagerly``, ``jit_compile``, ``steps_per_execution`` and
        ``auto_scale_loss`` are accepted and have no effect (retrograd always runs
        eagerly)."""
        self._compile_args = (loss, loss_weights, metrics, weighted_metrics)
        self.heads, self.compiled_metrics = (), compile_utils.CompileMetrics()
        self._loss_mean = compile_utils.Mean("loss")
        self._trackers = [self._loss_mean]
        self.loss = loss
        if self._outputs_known():
            self._build_heads_if_pending()
        else:       # a subclass: its outputs are known once its call has run
            compile_utils.check_arguments(loss, loss_weights, metrics, weighted_metrics)
        self.optimizer = optimizers_module.get(optimizer)
        self.compiled = True
        if self.built and self.trainable_weights:     # none: fit warns (Keras 3)
            self.optimizer.build(self.trainable_weights)

    def _outputs_known(self):
        return True

    def _build_heads_if_pending(self):
        """The per-output settings of compile, once the model's outputs are known."""
        if self.heads or getattr(self, "_compile_args", None) is None:
            return
        self.heads = compile_utils.build_heads(self, *self._compile_args)
        single = len(self.heads) == 1
        self.loss = self.heads[0].loss if single else [h.loss for h in self.heads]
        self.compiled_metrics = compile_utils.CompileMetrics(self.heads)
        self._trackers = [self._loss_mean] + compile_utils.trackers(self.heads)

    @property
    def metrics_names(self):
        """``['loss', <the outputs' losses>, <metric names>]`` (``[]`` before compile):
        for one output ``['loss', 'accuracy']`` (the metrics as named in compile), for
        several ``['loss', 'a_loss', 'b_loss', 'a_accuracy', …]``."""
        if not self.compiled:
            return []
        return [compile_utils.key(t) for t in self._trackers]

    @property
    def metrics(self):
        """Keras 3's ``model.metrics``: the loss tracker (``loss``), the compiled
        metrics as one ``compile_metrics`` object, then the ``keras.metrics.Metric``
        objects the model holds as attributes (a custom ``train_step``'s trackers).
        ``fit`` and ``evaluate`` reset them all at the start of each epoch."""
        out = []
        if self.compiled:
            out.append(self._loss_mean)
            args = getattr(self, "_compile_args", None)
            if self.compiled_metrics or (args and (args[2] or args[3])):
                out.append(self.compiled_metrics)
        return out + self._attribute_metrics()

    def _attribute_metrics(self):
        from .metrics import Metric
        return [v for v in vars(self).values() if isinstance(v, Metric)]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of a batch, a Tensor to call ``backward()`` on: the compiled
        loss(es) Σₖ λₖ ℓₖ(yₖ, ŷₖ) (weighted by ``sample_weight``) plus ``model.losses``
        (``add_loss`` values, weight penalties), as Keras 3's ``compute_loss``. ``x``
        and ``training`` are accepted for overrides and unused here."""
        self._build_heads_if_pending()
        total = None
        if len(self.heads) == 1 and self.heads[0].loss is not None:
            h = self.heads[0]
            total = compile_utils.call_loss(h.loss, y, y_pred, sample_weight)
            if h.weight != 1.0:
                total = total * h.weight
        elif len(self.heads) > 1:
            names = list(self.output_names)
            def per(v):
                if isinstance(v, dict):
                    return [v.get(n) for n in names]
                return list(v) if isinstance(v, (list, tuple)) else [v] * len(names)
            for h, yk, pk, wk in zip(self.heads, per(y), per(y_pred), per(sample_weight)):
                if h.loss is not None:
                    part = compile_utils.call_loss(h.loss, yk, pk, wk) * h.weight
                    total = part if total is None else total + part
        # Decided at each call, not from fit's flag (_setup_step): layers may have been
        # added since, and one walk of the modules is small beside a custom step.
        extra = self.regularization_loss() if any(
            getattr(m, "has_penalties", False) for m in self.modules()) else None
        if extra is not None:
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("compute_loss: no loss to compute. Provide a `loss` argument in "
                             "`compile()`")
        return total

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """Keras 2's ``self.compiled_loss(y, y_pred)``: ``compute_loss`` (which adds
        ``model.losses`` itself; ``regularization_losses`` is ignored)."""
        return self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)

    # -- custom steps (Keras 3's train_step / test_step / predict_step) ------------------
    def train_step(self, data):
        """One training step on ``data`` = ``(x, y)`` or ``(x, y, sample_weight)``
        (retrograd Tensors); returns the logs (a dict of numbers).

        Override it in a subclassed ``Model`` to change what ``fit`` does per batch;
        ``fit`` then calls it and logs what it returns (Keras 3). Gradients are
        retrograd's own autograd, as in the PyTorch-backend version of Keras's
        guide::

            def train_step(self, data):
                x, y = data
                self.zero_grad()                          # clear the .grad of the weights
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
                loss.backward()                           # fills each weight's .grad
                self.optimizer.apply()                    # one update from the .grad
                for metric in self.metrics:
                    if metric.name == "loss":
                        metric.update_state(loss)
                    else:
                        metric.update_state(y, y_pred)
                return {m.name: m.result() for m in self.metrics}

        ``self.optimizer.apply()`` updates every trainable weight from its ``.grad``
        (clipping and schedules included). The default step (this method) does the
        same with the compiled loss and metrics."""
        x, y, sw = unpack_x_y_sample_weight(data)
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sw)
        loss.backward()
        self.optimizer.apply()
        self._track(float(_host_value(loss)), None, _batch_len(x))    # Keras: by batch size
        self.compiled_metrics.update_state(y, y_pred, sw)
        return self._logs()

    def test_step(self, data):
        """One evaluation step on ``data`` (as ``train_step``'s), under no_grad;
        returns the logs. Override it to change what ``evaluate`` and validation
        do per batch."""
        x, y, sw = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sw, training=False)
        self._track(float(_host_value(loss)), None, _batch_len(x))
        self.compiled_metrics.update_state(y, y_pred, sw)
        return self._logs()

    def predict_step(self, data):
        """The outputs for one batch ``data`` = ``(x,)`` (or x); override it to change
        what ``predict`` returns per batch."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _custom(self, hook):
        """Whether the model's class overrides ``hook`` (then the loops call it)."""
        return getattr(type(self), hook) is not getattr(Trainer, hook)

    def _data_of(self, xb, yb, wb):
        """A batch as a custom step receives it: Tensors, in Keras's tuple."""
        def wrap(a):
            return None if a is None else self._wrap_inputs(a)
        x = self._wrap_inputs(xb)
        if yb is None:
            return (x,)
        return (x, wrap(yb)) if wb is None else (x, wrap(yb), wrap(wb))

    def _require_compiled(self, who, need_loss=True):
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before calling `{who}()`, e.g. "
                             "model.compile(optimizer='sgd', loss='categorical_crossentropy', "
                             "metrics=['accuracy'])")
        if need_loss and (all(h.loss is None for h in self.heads) if self.heads
                else self._compile_args[0] is None):
            raise ValueError(f"{who}: the model was compiled without a loss; give "
                             "compile(loss=...)")

    # -- the step --------------------------------------------------------------------
    def _setup_step(self):
        """Decide once what every step does: fused losses or not, penalties, device."""
        for head, last in zip(self.heads, self._output_layers()):
            # last is None where unknown (a subclassed model's call) or not fusable
            act = None if last is None else last.output_activation
            loss = head.loss
            head.fused = loss is not None and loss.logits_of is not None and \
                act is not None and act is _activation(loss.logits_of)
        fused = tuple(h.fused for h in self.heads)
        self._fused = fused[0] if len(fused) == 1 else fused
        # model.losses: add_loss values, activity and weight penalties (Layer.penalties)
        self._penalized = any(getattr(m, "has_penalties", False) for m in self.modules())
        self._sync_trainable()
        self._place_data()

    def _place_data(self):
        """Batches go to the weights' device, outputs come back to the host."""
        p = next(self.parameters(), None)
        cuda = p is not None and p.device == "cuda"
        self._to_device = (lambda a: backend.to_device(a, "cuda")) if cuda else _same
        self._to_host = (lambda a: backend.to_device(a, "cpu")) if cuda else _same

    def _sync_trainable(self):
        """Train exactly the trainable weights: the frozen ones (``trainable = False``
        on a layer or a nested model) get no gradient, and the optimizer is rebuilt
        over the new set when it changed since compile or the last fit (keeping the
        slots of the weights still trained; Keras 3 asks to compile again)."""
        params = self.trainable_weights
        trained = {id(p) for p in params}
        for p in self.weights:
            p.requires_grad = id(p) in trained
        opt = self.optimizer
        if not params:      # every weight frozen: fit only computes the losses
            return
        if not opt.built:
            opt.build(params)
        elif [id(p) for p in opt._params] != [id(p) for p in params]:
            state = opt.inner.state
            opt.build(params)
            opt.inner.state = {p: state[p] for p in opt._params if p in state}

    def _wrap_inputs(self, x):
        if isinstance(x, Columns):
            return [Tensor._wrap(self._to_device(a)) for a in x.arrays]
        return Tensor._wrap(self._to_device(x))

    def _update_metrics(self, y, out, w=None):
        """Feed the batch's outputs (arrays: logits on the fused paths) to the metrics
        (the weighted ones with the sample weights ``w``). An output that carried a
        mask weighs the mean metrics (accuracy, …) by it, as Keras 3's
        ``MeanMetricWrapper``: the mean over the real steps."""
        masks = self.__dict__.get("_batch_masks")
        self._batch_masks = None
        if len(self.heads) == 1:
            self._update_head(self.heads[0], y, out, w, masks and masks[0])
            return
        for k, head in enumerate(self.heads):
            if head.all_metrics and y.arrays[k] is not None:
                self._update_head(head, y.arrays[k], out[k],
                                  None if w is None else w.arrays[k],
                                  masks[k] if masks else None)

    def _update_head(self, head, y, out, w, mask=None):
        out = self._to_host(out)
        probs = None
        if mask is not None:
            mask = self._to_host(mask).astype(np.float64)
        for weighted, group in ((None, head.metrics), (w, head.weighted_metrics)):
            for m in group:
                fused = head.fused and not m.needs_probabilities
                pred = out
                if head.fused and m.needs_probabilities:
                    if probs is None:
                        probs = _probabilities(head.loss, out)
                    pred = probs
                if mask is not None and isinstance(m, metrics_module.MeanMetricWrapper):
                    # Keras's per-step values weighed by the mask: the steps as samples
                    yy, pred, wm = _steps_as_samples(y, pred, mask, weighted)
                    m._feed(yy, pred, wm, fused)
                else:
                    m._feed(y, pred, weighted, fused)

    def _head_loss(self, head, y, out, w):
        yt = Tensor._wrap(self._to_device(y))
        mask = getattr(out, "_keras_mask", None)
        if mask is not None:        # Keras 3: the output's mask weighs the loss
            return compile_utils.masked_loss(
                head.loss, yt, out, mask,
                None if w is None else Tensor._wrap(self._to_device(w)), head.fused)
        if w is not None:
            return head.loss.weighted(yt, out, Tensor._wrap(self._to_device(w)), head.fused)
        return head.loss.from_logits_loss(yt, out) if head.fused else \
            head.loss.compute(yt, out)

    def _loss_of(self, y, out, w=None):
        """The loss (a Tensor) and, with several outputs, each output's λₖ ℓₖ (floats)."""
        if len(self.heads) == 1:
            loss, parts = self._head_loss(self.heads[0], y, out, w), None
        else:
            loss, parts = None, []
            for k, head in enumerate(self.heads):
                if head.loss is None:
                    continue
                part = self._head_loss(head, y.arrays[k], out[k],
                                       None if w is None else w.arrays[k]) * head.weight
                parts.append(float(part.array))
                loss = part if loss is None else loss + part
        extra = self._extra_loss()
        if extra is not None:
            loss = extra if loss is None else loss + extra
        return loss, parts

    def _extra_loss(self):
        """Σ ``model.losses`` (the values of ``add_loss`` and the penalties, as Keras
        adds them to the compiled loss: ``Module.regularization_loss`` sums the same
        terms), or None when no layer has any."""
        return self.regularization_loss() if self._penalized else None

    def _track(self, loss_value, parts, n):
        """Add a batch's loss (and its outputs' parts) to the running means."""
        self._loss_mean.add(loss_value, n)
        if parts:
            means = [h.loss_mean for h in self.heads if h.loss is not None]
            for mean, v in zip(means, parts):
                mean.add(v, n)

    def _make_train_step(self, strategy=None):
        """The step as one closure over what ``_setup_step`` decided: per batch it
        runs only the forward pass, the loss, backward and the optimizer update.
        With a ``strategy`` (data parallelism) the gradients are averaged over the
        ranks between backward and the update, weighted by each rank's samples.
        It returns (loss, outputs' arrays, each output's λₖ ℓₖ or None)."""
        penalized = self._penalized     # decided once per fit (_setup_step)
        opt = self.optimizer
        zero_grad, apply = opt.zero_grad, opt.apply
        sync = None if strategy is None else strategy.sync
        params = self.trainable_weights
        wrap = Tensor._wrap

        if params:
            def update(loss, n):
                zero_grad()
                loss.backward()
                if sync is not None:
                    sync(params, n)
                apply()
        else:
            warnings.warn(f"model {self.name!r} does not have any trainable weights (it, or "
                          "each of its layers, has trainable=False): training computes the "
                          "loss and changes nothing", UserWarning, stacklevel=3)

            def update(loss, n):
                pass

        if len(self.heads) > 1 or len(self._input_names()) > 1:
            logits = self._fused

            def multi_step(xb, yb, wb=None):
                outs = self._forward(self._wrap_inputs(xb), logits=logits)
                self._batch_masks = _masks_of(outs)
                loss, parts = self._loss_of(yb, outs, wb)
                update(loss, len(xb))
                single = not isinstance(outs, list)
                return float(loss.array), outs.array if single else [o.array for o in outs], \
                    parts
            return multi_step

        body, head = self._step_layers(self._fused)
        h0 = self.heads[0]
        loss_fn = h0.loss.from_logits_loss if self._fused else h0.loss.compute
        to_dev = None if self._to_device is _same else self._to_device
        weighted, fused = h0.loss.weighted, self._fused
        masked_loss = compile_utils.masked_loss

        def train_step(xb, yb, wb=None):
            if to_dev is not None:
                xb, yb = to_dev(xb), to_dev(yb)
                wb = None if wb is None else to_dev(wb)
            h = wrap(xb)
            for layer in body:
                h = layer(h)
            out = head(h)
            mask = getattr(out, "_keras_mask", None)
            self._batch_masks = None if mask is None else [mask.array]
            if mask is not None:    # Keras 3: the output's mask weighs the loss
                loss = masked_loss(h0.loss, wrap(yb), out, mask,
                                   None if wb is None else wrap(wb), fused)
            elif wb is None:
                loss = loss_fn(wrap(yb), out)
            else:       # Σᵢ wᵢ ℓᵢ / N (weighting.py)
                loss = weighted(wrap(yb), out, wrap(wb), fused)
            if penalized:
                loss = loss + self.regularization_loss()
            update(loss, len(xb))
            return float(loss.array), out.array, None
        return train_step

    def _test_step(self, xb, yb, wb):
        """A batch's loss and metrics added to the running means, without training
        (under ``no_grad``, in eval mode)."""
        out = self._forward(self._wrap_inputs(xb), logits=self._fused)
        self._batch_masks = _masks_of(out)
        loss, parts = self._loss_of(yb, out, wb)
        self._track(float(loss.array), parts, len(xb))
        self._update_metrics(yb, _data(out), wb)

    # -- logs ------------------------------------------------------------------------
    def _reset_trackers(self):
        """Every metric back to its start (Keras resets ``model.metrics`` at each
        epoch and before evaluating): the compiled ones and those the model holds as
        attributes."""
        for t in self._trackers:
            t.reset_state()
        for m in self._attribute_metrics():
            m.reset_state()

    def _logs(self, strategy=None):
        """Keras's logs, keys sorted: each tracker's ``result()``, read from its
        running total and count where it keeps them; with a ``strategy``, those are
        summed over the ranks first (a metric of one's own without them gives its
        rank's value)."""
        states = [compile_utils.mean_state(t) for t in self._trackers]
        if strategy is not None:
            means = [st for st in states if st is not None]
            totals, counts = data_parallel.sum_over_ranks(
                strategy, [st[0] for st in means], [st[1] for st in means])
            summed = iter(zip(totals, counts))
            states = [None if st is None else next(summed) for st in states]
        logs = {}
        for t, st in zip(self._trackers, states):
            if st is None:
                logs[compile_utils.key(t)] = t._value()
                continue
            total, count = st
            empty = float("nan") if isinstance(t, compile_utils.Mean) else 0.0
            logs[compile_utils.key(t)] = total / count if count else empty
        return dict(sorted(logs.items()))

    # -- fit -------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, distributed=False):
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size``
        (default 32); returns a ``History`` whose ``.history`` maps ``loss``, the
        metrics and their ``val_`` versions to one value per epoch.

        Several inputs: x is a list (the model's input order) or a dict by input
        name; several outputs: y likewise by output.

        ``validation_split`` ∈ [0, 1): the last fraction of x, y (before shuffling)
        is held out for validation (with its sample weights);
        ``validation_data=(x_val, y_val)`` or ``(x_val, y_val, val_sample_weight)``
        gives it.

        x may instead yield whole batches, (x, y) or (x, y, sample_weight) tuples: a
        Python generator or iterator, a ``keras.utils.PyDataset``, a
        ``retrograd.data.DataLoader`` or another iterable (then y, sample_weight,
        batch_size and validation_split are not given; ``shuffle`` shuffles only a
        PyDataset's batch order; see ``data_adapters.SourceBatches``);
        ``validation_data`` likewise.

        ``steps_per_epoch``: an epoch is that many batches, the next epoch continuing
        where the previous one stopped (Keras 3's semantics, see ``BatchPlan``);
        ``validation_steps``: validate on the first that many batches.

        ``sample_weight`` (one weight per sample; with several outputs also a list or
        dict per output) or ``class_weight`` ({class: weight}) weigh the loss as Keras
        does, Σᵢ wᵢ ℓᵢ / N per batch (``keras/weighting.py``), and the
        ``weighted_metrics``.

        ``distributed=True`` (or a ``retrograd.distributed.DataParallelStrategy``):
        data-parallel training over the MPI ranks (``mpirun -n p``, after
        ``retrograd.distributed.init()``), every rank calling ``fit`` on the same
        data. ``batch_size`` is the global batch, split over the ranks; the weights
        are those one process would compute with that batch size; only rank 0 prints
        and runs ``ModelCheckpoint``/``CSVLogger`` (see ``keras/data_parallel.py``)."""
        keras_device.follow(self)
        who = "fit"
        custom = self._custom("train_step") or self._custom("test_step")
        self._raw_targets = custom      # a custom step reads y as given (data_adapters)
        self._require_compiled(who, need_loss=not self._custom("train_step"))
        verbose = _verbosity(verbose)
        if not isinstance(initial_epoch, (int, np.integer)) or isinstance(initial_epoch, bool) \
                or initial_epoch < 0:
            raise ValueError(f"fit: initial_epoch must be an integer >= 0 (the epoch to start "
                             f"from), got initial_epoch={initial_epoch!r}")
        steps_per_epoch = positive(steps_per_epoch, who, "steps_per_epoch")
        validation_steps = positive(validation_steps, who, "validation_steps")
        if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or epochs < 0:
            raise ValueError(f"fit: epochs must be a non-negative integer, got epochs={epochs!r}")
        cap = keras_config.max_epochs()         # keras.config.set_max_epochs, as Keras
        if cap and cap < epochs:
            warnings.warn("Limiting epochs to %d" % cap)
            epochs = cap
        if not isinstance(validation_split, (int, float)) or isinstance(validation_split, bool) \
                or not 0 <= validation_split < 1:
            raise ValueError(f"fit: validation_split must be a float in [0, 1), got "
                             f"validation_split={validation_split!r}")
        if not isinstance(validation_freq, int) or validation_freq < 1:
            raise ValueError(f"fit: validation_freq must be a positive integer, got "
                             f"validation_freq={validation_freq!r}")
        strategy = data_parallel.resolve(distributed)
        if is_batch_source(x):
            refuse_with_source(who, x, y=y, sample_weight=sample_weight, batch_size=batch_size,
                               validation_split=validation_split, distributed=strategy)
            train = SourceBatches(self, x, who, class_weight=class_weight, shuffle=shuffle,
                                  steps=steps_per_epoch)
            if not self.built:
                train.peek()
            batch_size = None
        else:
            batch_size = batch_size_or_default(batch_size, who)
            x, y = prepare(self, x, y, who)
            sw = sample_weights(self, y, sample_weight, class_weight, who)
        val = None
        if validation_data is not None:
            who_val = "fit (validation_data)"
            if is_batch_source(validation_data):
                refuse_with_source(who_val, validation_data,
                                   validation_batch_size=validation_batch_size,
                                   distributed=strategy)
                val = SourceBatches(self, validation_data, who_val, steps=validation_steps,
                                    resume=False, steps_arg="validation_steps")
            elif isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
                xv, yv = prepare(self, validation_data[0], validation_data[1], who_val)
                wv = None if len(validation_data) == 2 else \
                    sample_weights(self, yv, validation_data[2], None, who_val)
                val = (xv, yv, wv)
            else:
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, val_sample_weight), or a generator, "
                                 "PyDataset or DataLoader of such batches, got "
                                 f"{describe(validation_data)}")
        elif validation_split:
            split = int(len(x) * (1 - validation_split))
            if split == 0 or split == len(x):
                raise ValueError(f"fit: validation_split={validation_split} of {len(x)} "
                                 "samples leaves no training or no validation samples")
            head = slice(0, split)
            tail = slice(split, None)
            val = (x[tail], None if y is None else y[tail], None if sw is None else sw[tail])
            x, y, sw = x[head], None if y is None else y[head], None if sw is None else sw[head]
        if batch_size is not None:      # arrays
            n = len(x)
            if n == 0:
                raise ValueError("fit: x is empty (0 samples)")
            if strategy is None:
                plan = BatchPlan(n, batch_size, shuffle, default_generator(), steps_per_epoch)
            else:
                n_batches, verbose, callbacks = data_parallel.prepare(
                    self, strategy, n, batch_size, verbose, callbacks)
                plan = BatchPlan(n, batch_size, shuffle, data_parallel.shuffler(strategy),
                                 steps_per_epoch, local=strategy.local, n_batches=n_batches)
            train = ArrayBatches(x, y, sw, plan)
        self._setup_step()
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_history=True,
                                            add_progbar=verbose > 0, verbose=verbose,
                                            epochs=epochs, steps=train.steps_per_epoch)
        batch_begin = cbs.wants("on_train_batch_begin")
        batch_end = cbs.wants("on_train_batch_end")
        if custom:
            if strategy is not None:
                raise ValueError("fit: distributed training runs the built-in step; a model "
                                 "that overrides train_step/test_step trains in one process")
            train_step = None
        else:
            train_step = self._make_train_step(strategy)
        metrics = self.compiled_metrics
        if strategy is not None:
            # Any rank with batch callbacks (the chief's progress bar) makes every rank
            # compute the global logs at each step, in the same collectives.
            batch_end = strategy.mean(float(batch_end)) > 0
            batch_begin = strategy.mean(float(batch_begin)) > 0
            cbs = data_parallel.AgreedCallbacks(cbs, self, strategy)
        val_batch = batch_size_or_default(validation_batch_size or batch_size, who)
        val_plan = None     # the validation batches, the same at every epoch
        track = self._track
        self.stop_training = False
        self.train()
        cbs.on_train_begin({})
        # BackupAndRestore resumes after the epochs its backup holds
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        logs = epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self._reset_trackers()
            train.on_epoch_begin()
            cbs.on_epoch_begin(epoch, {})
            step = -1
            for step, (xb, yb, wb) in enumerate(train.epoch()):
                if batch_begin:
                    cbs.batch("on_train_batch_begin", step, {})
                if custom:      # the model's own step: its returned logs are the logs
                    logs = flat_logs(self.train_step(self._data_of(xb, yb, wb)),
                                     "train_step")
                    if batch_end:
                        cbs.batch("on_train_batch_end", step, dict(logs))
                else:
                    loss_value, out, parts = train_step(xb, yb, wb)
                    track(loss_value, parts, len(xb))
                    if metrics:
                        self._update_metrics(yb, out, wb)
                    if batch_end:
                        cbs.batch("on_train_batch_end", step, self._logs(strategy))
                if self.stop_training:
                    break
            train.on_epoch_end()
            if step < 0:
                if not (train.exhausted and epoch > initial_epoch):
                    train.no_batch()
                warnings.warn(f"fit: your input ran out of data: the {train.kind} yielded no "
                              f"batch in epoch {epoch + 1}; interrupting training. A "
                              f"{train.kind} can be read only once: give steps_per_epoch and "
                              "make it yield at least steps_per_epoch × epochs batches, or "
                              "use a PyDataset or a DataLoader", UserWarning, stacklevel=2)
                break
            if cbs.params.get("steps") is None:     # a source of unknown length
                cbs.params["steps"] = step + 1
            if not custom:
                logs = self._logs(strategy)
            epoch_logs = dict(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                if isinstance(val, SourceBatches):
                    val_logs = self._evaluate_source(val, cbs)
                else:
                    if val_plan is None:
                        val_plan = eval_batches(len(val[0]), val_batch, strategy,
                                                validation_steps, who)
                    val_logs = self._evaluate_batches(slices(*val, val_plan), cbs,
                                                      strategy=strategy)
                epoch_logs.update(("val_" + k, v) for k, v in val_logs.items())
                self.train()
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if epochs > 0 and hasattr(self.optimizer, "finalize_variable_values"):  # Keras: EMA
            self.optimizer.finalize_variable_values(self.trainable_weights)
        cbs.on_train_end(epoch_logs)
        self.eval()
        self._reset_trackers()      # train_on_batch then starts afresh
        return cbs.history

    # -- evaluate / predict ------------------------------------------------------------
    def _evaluate_batches(self, batches, cbs=None, strategy=None):
        """{"loss": …, metric: …} over the (x, y, sample_weight) ``batches`` in eval
        mode, without gradients (the loss and the weighted metrics weighted by the
        sample weights where given). With a ``strategy`` every rank evaluates its share
        of each batch and the logs are those of all the samples, the same on every
        rank."""
        self._reset_trackers()
        self.eval()
        batch_begin = cbs is not None and cbs.wants("on_test_batch_begin")
        batch_end = cbs is not None and cbs.wants("on_test_batch_end")
        if strategy is not None:
            batch_end = strategy.mean(float(batch_end)) > 0
        if cbs is not None:
            cbs.on_test_begin({})
        custom = self._raw_targets
        step, logs = -1, {}
        with no_grad():
            for step, (xb, yb, wb) in enumerate(batches):
                if batch_begin:
                    cbs.batch("on_test_batch_begin", step, {})
                if custom:      # the model's own test_step: its logs are the logs
                    logs = flat_logs(self.test_step(self._data_of(xb, yb, wb)), "test_step")
                elif len(xb):     # a rank may have no share of a last small batch
                    self._test_step(xb, yb, wb)
                if batch_end:
                    cbs.batch("on_test_batch_end", step,
                              dict(logs) if custom else self._logs(strategy))
        if not custom:
            logs = self._logs(strategy)
        if cbs is not None:
            if cbs.params.get("steps") is None:     # a source of unknown length
                cbs.params["steps"] = step + 1
            cbs.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, distributed=False):
        """The loss and metrics over (x, y): a scalar when there are no metrics (and one
        output), else a list aligned with ``metrics_names`` (a dict with
        ``return_dict=True``). ``sample_weight`` weighs the loss and the weighted
        metrics, as in ``fit``; ``steps``: only the first that many batches.

        x may also yield its batches, (x, y) or (x, y, sample_weight) tuples, as in
        ``fit``: a generator, a ``keras.utils.PyDataset``, a ``retrograd.data.DataLoader``
        (then without y, sample_weight or batch_size); without ``steps`` it is read to
        its end.

        ``distributed=True`` (under ``mpirun``, every rank calling ``evaluate`` on the
        same data with the same weights): each rank evaluates an interleaved share
        of every batch and the results are the sums over all the ranks' samples, so
        every rank gets what one process gets on the whole data; only rank 0 prints."""
        keras_device.follow(self)
        who = "evaluate"
        self._raw_targets = self._custom("test_step")
        self._require_compiled(who, need_loss=not self._raw_targets)
        verbose = _verbosity(verbose)
        steps = positive(steps, who, "steps")
        strategy = data_parallel.resolve(distributed, who)
        if is_batch_source(x):
            refuse_with_source(who, x, y=y, sample_weight=sample_weight,
                               batch_size=batch_size, distributed=strategy)
            source = SourceBatches(self, x, who, steps=steps, resume=False, steps_arg="steps")
            if not self.built:
                source.peek()
            n_steps = source.steps_per_epoch
        else:
            batch_size = batch_size_or_default(batch_size, who)
            x, y = prepare(self, x, y, who)
            sw = sample_weights(self, y, sample_weight, None, who)
            n_steps = math.ceil(len(x) / batch_size)
            n_steps = n_steps if steps is None else min(steps, n_steps)
        self._setup_step()
        if strategy is not None and not strategy.is_chief:
            verbose, callbacks = 0, data_parallel.not_chief(callbacks)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_progbar=verbose > 0,
                                            verbose=verbose, epochs=1, steps=n_steps)
        if batch_size is None:
            logs = self._evaluate_source(source, cbs)
        else:
            logs = self._evaluate_batches(
                slices(x, y, sw, eval_batches(len(x), batch_size, strategy, steps, who)),
                cbs, strategy=strategy)
        self._reset_trackers()
        if self._raw_targets:       # Keras: the model's metrics first, then the rest
            names = [k for k in self.metrics_names if k in logs]
            names += sorted(k for k in logs if k not in names)
            return _result(logs, names, return_dict)
        return _result(logs, self.metrics_names, return_dict)

    def _evaluate_source(self, source, cbs):
        """``_evaluate_batches`` over one pass of a batch source (refused if it yields
        none)."""
        source.on_epoch_begin()
        logs = self._evaluate_batches(source.epoch(), cbs)
        source.on_epoch_end()
        if not source.last_count:
            source.no_batch()
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                distributed=False):
        """The model's outputs for x, computed in batches without gradients, in
        inference mode (dropout off): an array, or with several outputs a list (a dict
        when the model's outputs were given as a dict). ``steps``: only the first that
        many batches.

        x may also yield its batches (x, ``(x,)``, or the tuples of ``fit``, whose
        targets are ignored): a generator, a ``keras.utils.PyDataset``, a
        ``retrograd.data.DataLoader`` (then without batch_size); without ``steps`` it
        is read to its end.

        ``distributed=True`` (under ``mpirun``, every rank calling ``predict`` on the
        same x): each rank computes an interleaved share of the rows and every rank
        returns the whole predictions, in x's order (as TensorFlow's multi-worker
        strategies return them); only rank 0 prints."""
        keras_device.follow(self)
        who = "predict"
        verbose = _verbosity(verbose)
        steps = positive(steps, who, "steps")
        strategy = data_parallel.resolve(distributed, who)
        source = None
        if is_batch_source(x):
            refuse_with_source(who, x, batch_size=batch_size, distributed=strategy)
            source = SourceBatches(self, x, who, needs_y=False, steps=steps, resume=False,
                                   steps_arg="steps")
            if not self.built:
                source.peek()
            source.on_epoch_begin()
            batches, n_steps = source.epoch(), source.steps_per_epoch
        else:
            batch_size = batch_size_or_default(batch_size, who)
            x = inputs_of(self, x, who)
            self._ensure_built(x, who)
            n = len(x)
            plan = eval_batches(n, batch_size, strategy, steps, who)
            batches, n_steps = (x[idx] for idx in plan), len(plan)
        if strategy is not None and not strategy.is_chief:
            verbose, callbacks = 0, data_parallel.not_chief(callbacks)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_progbar=verbose > 0,
                                            verbose=verbose, epochs=1, steps=n_steps)
        batch_begin = cbs.wants("on_predict_batch_begin")
        batch_end = cbs.wants("on_predict_batch_end")
        self._place_data()
        self.eval()
        outs = None
        cbs.on_predict_begin({})
        custom = self._custom("predict_step")
        step = -1
        with no_grad():
            for step, xb in enumerate(batches):
                if batch_begin:
                    cbs.batch("on_predict_batch_begin", step, {})
                if len(xb):
                    if custom:
                        out = self.predict_step((self._wrap_inputs(xb),))
                        out = list(out) if isinstance(out, (list, tuple)) else [out]
                        out = [_host_value(o) for o in out]
                    else:
                        out = self._forward(self._wrap_inputs(xb))
                        out = [o.numpy() for o in (out if isinstance(out, list) else [out])]
                    if outs is None:
                        outs = [[] for _ in out]
                    for k, o in enumerate(out):
                        outs[k].append(o)
                if batch_end:
                    cbs.batch("on_predict_batch_end", step,
                              {"outputs": None if outs is None else
                               [o[-1] for o in outs] if len(outs) > 1 else outs[0][-1]})
        if source is not None:
            source.on_epoch_end()
            if step < 0:
                source.no_batch()
        if cbs.params.get("steps") is None:     # a source of unknown length
            cbs.params["steps"] = step + 1
        cbs.on_predict_end({})
        shapes = self._output_shapes()
        outs = outs or [[] for _ in shapes]
        results = [np.concatenate(o) if o else
                   np.zeros((0,) + tuple(s[1:]), dtype=np.float32) for o, s in zip(outs, shapes)]
        if strategy is not None:
            rows = min(n, len(plan) * batch_size)
            results = [data_parallel.gather_rows(strategy, r, plan, rows) for r in results]
        return self._structure_outputs(results)

    def _structure_outputs(self, arrays):
        """The outputs as the model was defined: one array, a list or a dict."""
        return arrays[0] if len(arrays) == 1 else arrays

    # -- single batches ------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One optimizer step on (x, y); returns the loss (and the metrics) of this
        batch: Keras 3 resets the metrics at each call."""
        keras_device.follow(self)
        who = "train_on_batch"
        self._raw_targets = self._custom("train_step")
        self._require_compiled(who, need_loss=not self._raw_targets)
        x, y = prepare(self, x, y, who)
        sw = sample_weights(self, y, sample_weight, class_weight, who)
        self._setup_step()
        self.reset_metrics()
        self.train()
        if self._raw_targets:
            logs = flat_logs(self.train_step(self._data_of(x, y, sw)), "train_step")
            self.eval()
            return logs if return_dict else _result(logs, list(logs), False)
        loss_value, out, parts = self._make_train_step()(x, y, sw)
        self.eval()
        self._track(loss_value, parts, len(x))
        self._update_metrics(y, out, sw)
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on one batch, without training (the metrics reset
        first, as Keras 3's)."""
        keras_device.follow(self)
        who = "test_on_batch"
        self._raw_targets = False
        self._require_compiled(who)
        x, y = prepare(self, x, y, who)
        sw = sample_weights(self, y, sample_weight, None, who)
        self._setup_step()
        self.reset_metrics()
        self.eval()
        with no_grad():
            self._test_step(x, y, sw)
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(len(inputs_of(self, x, "predict_on_batch")), 1),
                            verbose=0)

    def reset_metrics(self):
        if self.compiled:
            self._reset_trackers()

    def _batch_result(self, return_dict):
        return _result(self._logs(), self.metrics_names, return_dict)


def _result(logs, names, return_dict):
    """Keras's return value: the logs, or their values in ``metrics_names`` order (a
    scalar when there is only the loss)."""
    if return_dict:
        return logs
    values = [logs[k] for k in names]
    return values[0] if len(values) == 1 else values




def _batch_len(x):
    first = x[0] if isinstance(x, (list, tuple)) else \
        next(iter(x.values())) if isinstance(x, dict) else x
    return len(first)


def flat_logs(logs, where):
    """A step's returned logs as Keras passes them on: nested dicts (``compile_metrics``)
    flattened, every value a float."""
    if not isinstance(logs, dict):
        raise TypeError(f"{where} must return a dict of metric values (e.g. "
                        f"{{'loss': loss}}), got {type(logs).__name__}")
    out = {}
    for k, v in logs.items():
        if isinstance(v, dict):
            out.update(flat_logs(v, where))
        else:
            try:
                out[k] = float(_host_value(v))
            except (TypeError, ValueError):
                out[k] = v
    return out


def _host_value(v):
    from .metrics import _host
    return _host(v) if not isinstance(v, (int, float)) else v


def _masks_of(out):
    """The masks (arrays) the outputs carry (None when none has one)."""
    outs = out if isinstance(out, list) else [out]
    masks = [getattr(o, "_keras_mask", None) for o in outs]
    return None if all(m is None for m in masks) else \
        [None if m is None else m.array for m in masks]


def _steps_as_samples(y, pred, mask, w):
    """A masked output's (y, ŷ, weights) for a mean metric, as Keras 3's
    ``MeanMetricWrapper`` with ``apply_mask(w, mask, reduction="sum")``: each step
    of the mask (N, T…) becomes a sample, weighted by the mask (times its sample's
    weight), so that the metric is the mean of its per-step values over the real
    steps."""
    if w is not None:
        w = np.asarray(w, dtype=np.float64)
        mask = mask * w.reshape(w.shape + (1,) * (mask.ndim - w.ndim))
    k, n = mask.ndim, mask.size
    if tuple(pred.shape[:k]) != mask.shape:
        return y, pred, mask
    pred = pred.reshape(n, *pred.shape[k:])
    if tuple(y.shape[:k]) == mask.shape:
        y = y.reshape(n, *y.shape[k:])
    return y, pred, mask.reshape(n)


def _data(out):
    return [o.array for o in out] if isinstance(out, list) else out.array


def _probabilities(loss, logits):
    if loss.logits_of == "softmax":
        return stable_softmax(logits, -1)
    return 0.5 * (1 + np.tanh(0.5 * logits))    # σ(s), without overflow


def _same(a):
    return a


def _activation(name):
    from ..nn import activations
    return activations.get(name)
