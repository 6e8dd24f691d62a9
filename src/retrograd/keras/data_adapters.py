"""Turning the user's data into batches: what ``fit``, ``evaluate`` and ``predict``
are given (arrays, lists or dicts of them) checked and converted once, then cut into
batches (Keras 3's ``trainers/data_adapters``).

* ``inputs_of``, ``prepare``, ``sample_weights``: x as float32 arrays (``Columns`` of
  them for several inputs), y in the form each output's loss takes, the per-sample
  weights; every refusal names the method, the argument, its shape and what was
  expected.
* ``BatchPlan``: the batches of each epoch of ``fit`` (shuffled, ``steps_per_epoch``);
  ``eval_batches``: those of ``evaluate``/``predict``; ``ArrayBatches`` serves them.
* ``SourceBatches``: the batches of what yields them (a generator, an iterator, a
  ``keras.utils.PyDataset``, a ``retrograd.data.DataLoader``, any iterable), read
  lazily and checked one by one, with Keras 3's epoch semantics.
"""
import itertools
import math
import types
import warnings

import numpy as np

from .. import backend
from ..backend import array_module
from ..random import default_generator
from ..tensor import Tensor
from . import losses as losses_module
from . import weighting
from .utils import PyDataset


def positive(value, who, arg, default=None):
    if value is None:
        return default
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{who}: {arg} must be a positive integer, got {arg}={value!r}")
    return int(value)


def batch_size_or_default(batch_size, who):
    return positive(batch_size, who, "batch_size", 32)


def as_array(a, who, arg, device_ok=False):
    """``a`` as a NumPy array; with ``device_ok``, a GPU array (CuPy, or a tensor's
    data) is left on its device, where its batches are then sliced. Targets and
    weights come to the host: they are small and checked with NumPy."""
    if isinstance(a, Tensor):
        a = a.array
    if a is None:
        raise ValueError(f"{who}: {arg} is None; expected an array")
    if not isinstance(a, np.ndarray) and backend.device_of(a) != "cpu":
        if not device_ok:
            a = backend.to_device(a, "cpu")
    else:
        try:
            a = np.asarray(a)
        except (TypeError, ValueError) as e:      # ragged lists
            raise ValueError(f"{who}: {arg} must be a numeric array, got "
                             f"{type(a).__name__} ({e})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {arg} must hold numbers, got dtype {a.dtype} "
                        f"({type(a).__name__})")
    if a.ndim == 0:
        raise ValueError(f"{who}: {arg} must have a batch axis, got a single value")
    return a


def float_inputs(x, who, arg="x"):
    """x as a C-contiguous float32 array (copied only when it is not one), checked
    for NaN/inf."""
    x = as_array(x, who, arg, device_ok=True)
    xp = array_module(x)
    x = xp.ascontiguousarray(x, dtype=np.float32)
    flat = x.reshape(-1)
    # x·x is finite iff every value is (short of overflow, which the exact check
    # below then clears): one pass, no temporary array.
    if x.size and not bool(xp.isfinite(xp.dot(flat, flat))):
        h = backend.to_device(x, "cpu")   # a refusal, or x·x overflowed: read it here
        finite = np.isfinite(h.reshape(len(h), -1)).all(axis=1)
        if not finite.all():
            i = int(np.argmin(finite))
            bad = "NaN" if np.isnan(h[i]).any() else "inf"
            raise ValueError(f"{who}: {arg} contains {bad} values ({int((~finite).sum())} "
                             f"sample(s), the first at index {i}); clean or impute the "
                             "inputs before training")
    return x


class Columns:
    """The arrays of a model's several inputs (or targets, or sample weights), one
    per input, sliced together: ``cols[idx]`` is the batch ``idx`` of each (an
    entry may be None: an output without a loss needs no target)."""

    __slots__ = ("arrays",)

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def __len__(self):
        return next(len(a) for a in self.arrays if a is not None)

    def __getitem__(self, idx):
        return Columns([None if a is None else a[idx] for a in self.arrays])


def describe(v):
    if isinstance(v, dict):
        return f"a dict with keys {list(v)}"
    if isinstance(v, (list, tuple)):
        return f"a {type(v).__name__} of {len(v)}"
    shape = getattr(v, "shape", None)
    return f"one array of shape {tuple(shape)}" if shape is not None else type(v).__name__


def by_name(value, names, who, arg, model, what, required=True):
    """``value`` (a list/tuple in the order of ``names`` or a dict by name) as a list
    aligned with ``names``; refused with what was given and what was expected."""
    k = len(names)
    expected = (f"model {model!r} has {k} {what}s {names}: give {arg} as a list of {k} "
                f"arrays or a dict by {what} name")
    if isinstance(value, dict):
        unknown = [key for key in value if key not in names]
        missing = [n for n in names if n not in value]
        if unknown or (missing and required):
            problem = f"unknown key(s) {unknown}" if unknown else f"missing {missing}"
            raise ValueError(f"{who}: {arg} is a dict with {problem}; {expected}")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(value) == k:
        return list(value)
    raise ValueError(f"{who}: {expected}, got {describe(value)}")


def single(value, names):
    """For a one-input (one-output) model: ``[a]`` or ``{name: a}`` is ``a``, as Keras
    accepts."""
    if isinstance(value, dict) and len(value) == 1 and \
            (next(iter(value)) in names or len(names) == 1):
        return next(iter(value.values()))
    if isinstance(value, (list, tuple)) and len(value) == 1 and \
            isinstance(value[0], (np.ndarray, Tensor)):
        return value[0]
    return value


def steps_warning(who, given, available):
    warnings.warn(f"{who}: your input ran out of data: {available} batch(es) left where "
                  f"{given} were asked (steps); interrupting. With arrays, an epoch of "
                  "steps_per_epoch batches continues where the previous one stopped; make "
                  "sure the data holds at least the batches you ask for", UserWarning,
                  stacklevel=3)


class BatchPlan:
    """The batches of each epoch of ``fit``, as index arrays (slices when unshuffled)
    into the n samples.

    A *pass* is one ordering of the samples (a new permutation when shuffling) cut
    into batches of ``batch_size``. Without ``steps_per_epoch`` an epoch is one pass.
    With it, as Keras 3's epoch iterator, an epoch takes the next ``steps_per_epoch``
    batches of the current pass: the next epoch continues where this one stopped,
    a new pass begins once one is used up, and a pass that runs out in the middle of
    an epoch ends that epoch early (with Keras's "ran out of data" warning).

    ``local`` (data-parallel ``fit``) maps each global batch to this rank's share;
    ``n_batches`` then drops a last batch smaller than the number of ranks."""

    def __init__(self, n, batch_size, shuffle, rng, steps_per_epoch=None, local=None,
                 n_batches=None):
        self.n, self.batch_size, self.shuffle, self.rng = n, batch_size, shuffle, rng
        self.steps, self.local = steps_per_epoch, local
        self.n_batches = math.ceil(n / batch_size) if n_batches is None else n_batches
        self.pending = []

    @property
    def steps_per_epoch(self):
        return self.steps or self.n_batches

    def _new_pass(self):
        b = self.batch_size
        if self.local is not None:
            order = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
            return [self.local(order[s * b:(s + 1) * b]) for s in range(self.n_batches)]
        if self.shuffle:
            order = self.rng.permutation(self.n)
            return [order[lo:lo + b] for lo in range(0, self.n, b)]
        return [slice(lo, lo + b) for lo in range(0, self.n, b)]

    def epoch(self):
        if self.steps is None:
            return self._new_pass()
        if not self.pending:
            self.pending = self._new_pass()
        take, self.pending = self.pending[:self.steps], self.pending[self.steps:]
        if len(take) < self.steps:
            steps_warning("fit", self.steps, len(take))
        return take


def eval_batches(n, batch_size, strategy, steps, who):
    """The batches that evaluate/predict read: the first ``steps`` (all by default)
    of ``batch_size`` rows; with a ``strategy``, this rank's interleaved share
    of each (a view)."""
    total = math.ceil(n / batch_size)
    if steps is not None and steps > total:
        steps_warning(who, steps, total)
    count = total if steps is None else min(steps, total)
    if strategy is None:
        return [slice(s * batch_size, (s + 1) * batch_size) for s in range(count)]
    r, p = strategy.rank, strategy.world_size
    return [slice(s * batch_size + r, min((s + 1) * batch_size, n), p)
            for s in range(count)]


def inputs_of(model, x, who):
    """x as the model takes it: one float32 array, or ``Columns`` of them (several
    inputs, given as a list or a dict by input name), checked."""
    names = model._input_names_for(x)
    if len(names) == 1:
        return _beside(model, float_inputs(single(x, names), who))
    if x is None:
        raise ValueError(f"{who}: x is None; expected the inputs of model {model.name!r} "
                         f"({names})")
    arrays = [float_inputs(a, who, f"x[{n!r}]")
              for n, a in zip(names, by_name(x, names, who, "x", model.name, "input"))]
    sizes = {n: len(a) for n, a in zip(names, arrays)}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"{who}: the inputs of model {model.name!r} must have the same "
                         f"number of samples, got {sizes} (Data cardinality is "
                         "ambiguous)")
    return Columns([_beside(model, a) for a in arrays])


def _beside(model, x):
    """Inputs already on a GPU stay there for a model there (their batches are sliced
    on the device); for a model on the CPU they come to the host, once."""
    if isinstance(x, np.ndarray):
        return x
    p = next(model.parameters(), None)
    placement = model.__dict__.get("_placement") or (None, None)
    device = p.device if p is not None else placement[0] or "cpu"
    return x if device != "cpu" else backend.to_device(x, "cpu")


def prepare(model, x, y, who):
    """(x float32, y in the form the losses take), checked, the model built."""
    x = inputs_of(model, x, who)
    model._ensure_built(x, who)
    return x, targets_of(model, y, len(x), who)


def targets_of(model, y, n_x, who):
    """y in the form the losses take (``Columns`` of them for several outputs),
    checked against the outputs and the n_x samples of x."""
    if getattr(model, "_raw_targets", False):
        return raw_targets(model, y, n_x, who)
    if y is None:
        raise ValueError(f"{who}: y is None; fit and evaluate need targets")
    names, shapes = model.output_names, model._output_shapes()
    if len(model.heads) == 1:
        return target(model, single(y, names), model.heads[0], shapes[0], n_x, who)
    given = by_name(y, names, who, "y", model.name, "output", required=False)
    targets = []
    for head, shape, t in zip(model.heads, shapes, given):
        if head.loss is None:       # an output that is not trained needs no target
            t = None if t is None else as_array(t, who, f"y[{head.name!r}]")
        elif t is None:
            raise ValueError(f"{who}: y has no target for output {head.name!r} of model "
                             f"{model.name!r}, which has a loss")
        else:
            t = target(model, t, head, shape, n_x, who)
        targets.append(t)
    return Columns(targets)


def raw_targets(model, y, n_x, who):
    """y for a model's own ``train_step``/``test_step``: as given (None, one array, or
    ``Columns`` of a list or dict of them), floats as float32, checked for its number
    of samples only; the step's loss checks the rest."""
    if y is None:
        return None
    if isinstance(y, dict):
        y = list(y.values())
    if isinstance(y, (list, tuple)) and not all(np.ndim(a) == 0 for a in y):
        return Columns([raw_targets(model, a, n_x, who) for a in y])
    y = as_array(y, who, "y")
    if len(y) != n_x:
        raise ValueError(f"{who}: x and y must have the same number of samples, got x with "
                         f"{n_x} and y with {len(y)} (Data cardinality is ambiguous)")
    return np.ascontiguousarray(y, dtype=np.float32) if y.dtype.kind == "f" else y


def _finite_targets(y, arg, name, who):
    """Refuse NaN or inf among the targets (every loss would turn them into a NaN
    loss and NaN weights), naming the first bad sample."""
    if y.dtype.kind != "f" or not y.size:
        return
    finite = np.isfinite(y.reshape(len(y), -1)).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        bad = y[i].reshape(-1)[~np.isfinite(y[i].reshape(-1))][0]
        raise ValueError(f"{who}: {arg} contains non-finite targets ({bad} in sample {i}, "
                         f"{int((~finite).sum())} sample(s) in all); loss='{name}' needs "
                         "finite targets: clean or drop those samples")


def _distribution_targets(y, arg, name, who):
    """A cross-entropy's targets are probabilities: every value in [0, 1]."""
    if y.size and (y.min() < 0 or y.max() > 1):
        bad = y.min() if y.min() < 0 else y.max()
        raise ValueError(f"{who}: loss='{name}' expects targets in [0, 1] (one-hot or "
                         f"probabilities), got {arg} with values from {y.min():g} to "
                         f"{y.max():g} (e.g. {bad:g})")


def target(model, y, head, out, n_x, who):
    """One output's targets, checked against its loss and shape."""
    arg = "y" if len(model.heads) == 1 else f"y[{head.name!r}]"
    y = as_array(y, who, arg)
    if len(y) != n_x:
        raise ValueError(f"{who}: x and {arg} must have the same number of samples, got "
                         f"x with {n_x} and {arg} with {len(y)} (Data cardinality is "
                         "ambiguous)")
    loss = head.loss
    name = loss.name
    if not isinstance(loss, losses_module.SparseCategoricalCrossentropy):
        _finite_targets(y, arg, name, who)     # sparse labels are refused below
    c = out[-1]
    n = len(y)
    def integral():     # only asked about label vectors, never one-hot matrices
        return y.dtype.kind in "biu" or (
            y.dtype.kind == "f" and y.size
            and bool(np.all(np.isfinite(y) & (y == np.round(y)))))
    if isinstance(loss, losses_module.SparseCategoricalCrossentropy):
        # One label per output vector: (N,) for outputs (N, C), (N, T) for a sequence
        # of them (N, T, C) — a tagger's, a segmentation's; a trailing 1 is dropped.
        want = (n,) + tuple(out[1:-1])
        shown = ", ".join("…" if d is None else str(d) for d in want)
        if y.ndim == len(out) and y.shape[-1] == c and c > 1:
            raise ValueError(
                f"{who}: loss='{name}' expects integer class labels of shape ({shown}), "
                f"but {arg} has shape {y.shape} (one-hot?). Use "
                "loss='categorical_crossentropy' with one-hot targets, or pass "
                "y.argmax(axis=-1)")
        if y.ndim == len(out) and y.shape[-1] == 1:
            y = y[..., 0]
        if y.ndim != len(want) or any(w is not None and w != d
                                      for w, d in zip(want, y.shape)) or not integral():
            raise ValueError(f"{who}: loss='{name}' expects integer class labels of "
                             f"shape ({shown}), got {arg} of shape {y.shape} and dtype "
                             f"{y.dtype}")
        y = y.astype(np.int64)
        kept = y if loss.ignore_class is None else y[y != loss.ignore_class]
        if kept.size and (kept.min() < 0 or kept.max() >= c):
            bad = int(kept.min()) if kept.min() < 0 else int(kept.max())
            raise ValueError(f"{who}: label {bad} is out of range for a model with {c} "
                             f"outputs (labels must be in 0..{c - 1})")
        return y
    if isinstance(loss, losses_module.CategoricalCrossentropy):
        if (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)) and c > 1:
            kind = "integer class labels" if integral() else "one value per sample"
            raise ValueError(
                f"{who}: loss='{name}' expects one-hot targets of shape ({n}, {c}), but "
                f"{arg} has shape {y.shape} and holds {kind}. Use "
                "loss='sparse_categorical_crossentropy' with integer labels, or one-hot "
                f"encode them: y = keras.utils.to_categorical(y, {c})")
        if y.shape[1:] != tuple(out[1:]):
            raise ValueError(f"{who}: loss='{name}': {arg} has shape {y.shape}, the model "
                             f"outputs {tuple(out)}; expected {arg} of shape "
                             f"({n}, {', '.join(str(d) for d in out[1:])})")
        _distribution_targets(y, arg, name, who)
        return np.ascontiguousarray(y, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    target = (n,) + tuple(out[1:])
    if y.shape != target:
        if None not in target and y.size == math.prod(target):
            y = y.reshape(target)
        elif type(loss) in losses_module.CLASSES.values():     # a user's loss reads it
            raise ValueError(f"{who}: loss='{name}': {arg} has shape {y.shape}, the model "
                             f"outputs {tuple(out)}; expected {arg} of shape {target}")
    if isinstance(loss, losses_module.BinaryCrossentropy):
        _distribution_targets(y, arg, name, who)
    return np.ascontiguousarray(y)


def sample_weights(model, y, sample_weight, class_weight, who):
    """Per-sample weights: an array (one output), ``Columns`` (one entry per output;
    one array given applies to every output, as in Keras) or None."""
    if getattr(model, "_raw_targets", False):       # a model's own step weighs itself
        if class_weight is not None:
            raise ValueError(f"{who}: class_weight needs the built-in train_step; a model "
                             "that overrides it gets sample_weight as given")
        return None if sample_weight is None else \
            np.asarray(as_array(sample_weight, who, "sample_weight"), dtype=np.float32)
    if len(model.heads) == 1:
        return weighting.sample_weights(y, single(sample_weight, model.output_names),
                                        class_weight, who)
    if class_weight is not None:
        raise ValueError(f"{who}: class_weight is only supported for models with one "
                         f"output (Keras too); model {model.name!r} has "
                         f"{len(model.heads)}: give sample_weight per output instead")
    if sample_weight is None:
        return None
    names = model.output_names
    per_output = isinstance(sample_weight, dict) or (
        isinstance(sample_weight, (list, tuple)) and len(sample_weight) == len(names) and
        all(w is None or np.ndim(w) == 1 for w in sample_weight))
    if per_output:
        given = by_name(sample_weight, names, who, "sample_weight", model.name, "output",
                         required=False)
    else:       # one array of weights for every output, as Keras repeats it
        given = [sample_weight] * len(names)
    return Columns([None if w is None or t is None else
                    weighting.sample_weights(t, w, who=f"{who} (output {n!r})")
                    for n, w, t in zip(names, given, y.arrays)])


# -- the batches of an epoch ------------------------------------------------------------
def slices(x, y, sw, plan):
    """The batches ``(x[idx], y[idx], sw[idx])`` (None where y or sw is None) of the
    index arrays or slices in ``plan``."""
    for idx in plan:
        yield x[idx], None if y is None else y[idx], None if sw is None else sw[idx]


class ArrayBatches:
    """``fit``'s batches from checked arrays: each epoch those of ``plan`` (a
    ``BatchPlan``)."""

    one_shot = exhausted = False

    def __init__(self, x, y, sw, plan):
        self.x, self.y, self.sw, self.plan = x, y, sw, plan

    @property
    def steps_per_epoch(self):
        return self.plan.steps_per_epoch

    def epoch(self):
        return slices(self.x, self.y, self.sw, self.plan.epoch())

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


def is_batch_source(x):
    """Whether x yields batches (a generator, an iterator, a ``PyDataset``, a
    ``retrograd.data.DataLoader``, any other iterable) rather than being the data
    itself (arrays, tensors, lists or dicts of them)."""
    if isinstance(x, PyDataset):
        return True
    if x is None or isinstance(x, (np.ndarray, Tensor, list, tuple, dict, str, bytes, Columns)):
        return False
    if hasattr(x, "shape") or hasattr(x, "__array__") or hasattr(x, "__array_interface__"):
        return False        # an array of another library
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def source_kind(x):
    """How errors name a source: ``generator``, ``PyDataset Batches``, ``DataLoader``, …"""
    if isinstance(x, types.GeneratorType):
        return "generator"
    if isinstance(x, PyDataset):
        return f"PyDataset {type(x).__name__}"
    return type(x).__name__


def refuse_with_source(who, x, **given):
    """Keras's refusals of the arguments that make no sense when x yields its batches:
    ``y`` and ``sample_weight`` (the batches hold them), ``batch_size`` (Keras 2
    refuses it, Keras 3 ignores it), ``validation_split``, and, here, ``distributed``
    (data-parallel runs shard arrays)."""
    kind = source_kind(x)
    for arg, value in given.items():
        if value is None or value is False or (arg == "validation_split" and value == 0):
            continue
        if arg in ("y", "sample_weight"):
            what = "the targets" if arg == "y" else "the sample weights"
            raise ValueError(f"{who}: when x is a {kind}, `{arg}` should not be passed: "
                             f"{what} must be part of its batches, (x, y) or (x, y, "
                             f"sample_weight) tuples; got {arg}={describe(value)}")
        if arg in ("batch_size", "validation_batch_size"):
            raise ValueError(f"{who}: the `{arg}` argument must not be specified when x is "
                             f"a {kind}, which yields whole batches; got {arg}={value!r}")
        if arg == "validation_split":
            raise ValueError(f"{who}: validation_split is only supported with arrays (Keras "
                             f"too), not when x is a {kind}; give validation_data instead")
        if arg == "distributed":
            raise ValueError(f"{who}: distributed training/evaluation shards arrays among "
                             f"the ranks; x is a {kind}: give x and y as arrays")
        raise ValueError(f"{who}: {arg}={value!r} is not supported when x is a {kind}")


def _unpack(item, where, needs_y):
    """(x, y, sample_weight) of one item of a source, as Keras reads it: a tuple (a
    list) of 1 to 3 entries, or x alone."""
    batch = tuple(item) if isinstance(item, list) else item
    if not isinstance(batch, tuple):
        batch = (batch,)
    if not 1 <= len(batch) <= 3 or (needs_y and len(batch) == 1):
        expected = "(x, y) or (x, y, sample_weight)" if needs_y else \
            "x, (x,), (x, y) or (x, y, sample_weight)"
        got = f"a {type(item).__name__} of {len(batch)} item(s)" \
            if isinstance(item, (tuple, list)) else describe(item)
        raise ValueError(f"{where}: expected a batch {expected}, got {got}")
    return batch + (None,) * (3 - len(batch))


def _shapes(value):
    arrays = value.arrays if isinstance(value, Columns) else [value]
    return [None if a is None else tuple(a.shape) for a in arrays]


class SourceBatches:
    """The batches of a source (a generator, an iterator, a ``PyDataset``, a
    ``DataLoader`` or any iterable of batches), read lazily and each checked and
    converted as arrays are (``prepare``, ``sample_weights``; ``class_weight`` applied
    to each batch's targets), every batch having the shapes of the first apart from
    its size.

    An epoch, as Keras 3's epoch iterator: without ``steps``, one pass over the source
    (until it is exhausted: an infinite generator runs forever); with ``steps``, the
    next ``steps`` batches, the next epoch continuing where this one stopped
    (``resume``; else each epoch starts a new pass, as validation does), a new pass
    beginning once one is used up, and a pass that ends in the middle of an epoch ends
    it early with Keras's "ran out of data" warning. A generator or iterator can be
    read only once (``one_shot``); a ``PyDataset``, a ``DataLoader`` and other
    iterables are read again at every pass; a ``PyDataset`` in a new order each pass
    with ``shuffle``."""

    def __init__(self, model, source, who, needs_y=True, class_weight=None, shuffle=False,
                 steps=None, resume=True, steps_arg="steps_per_epoch"):
        self.model, self.source, self.who, self.needs_y = model, source, who, needs_y
        self.class_weight, self.steps, self.resume = class_weight, steps, resume
        self.steps_arg, self.kind = steps_arg, source_kind(source)
        self.dataset = source if isinstance(source, PyDataset) else None
        self.shuffle = bool(shuffle) and self.dataset is not None
        if self.dataset is not None:
            n = self.dataset.num_batches
            if n is not None and (not isinstance(n, (int, np.integer)) or n < 0):
                raise ValueError(f"{who}: {self.kind} has {n!r} batches (its __len__ or "
                                 "num_batches); expected a non-negative integer or None")
            self.one_shot, self.num_batches = False, n
        else:
            self.one_shot = iter(source) is source
            self.num_batches = None if self.one_shot or not hasattr(source, "__len__") \
                else len(source)
        self.pending = self.peeked = None
        self.in_pass = self.last_count = 0
        self.exhausted = self.begun = False
        self.first = {}         # arg -> (shapes, where) of the first batch
        self._read = 0          # batches read from a one-shot source

    @property
    def steps_per_epoch(self):
        return self.steps or self.num_batches

    # -- passes and epochs --------------------------------------------------------------
    def _new_pass(self):
        """An iterator of (label, item): a label names the batch in errors."""
        self.in_pass = 0
        ds = self.dataset
        if ds is not None:
            name = type(ds).__name__
            n = ds.num_batches
            order = itertools.count() if n is None else \
                default_generator().permutation(n).tolist() if self.shuffle else range(n)
            return ((f"{name}[{i}]", ds[i]) for i in order)
        if self.one_shot:
            return ((f"batch {self._count()} of the {self.kind}", item)
                    for item in self.source)
        return ((f"batch {i} of the {self.kind}", item)
                for i, item in enumerate(iter(self.source)))

    def _count(self):
        self._read += 1
        return self._read - 1

    def _next(self):
        """The next checked batch of the current pass, or None at its end."""
        if self.peeked is not None:
            batch, self.peeked = self.peeked, None
            return batch
        try:
            label, item = next(self.pending)
        except StopIteration:
            return None
        return self._check(label, item)

    def peek(self):
        """Read and check the first batch now (it builds an unbuilt model from its
        shape), kept for the first epoch."""
        self.on_epoch_begin()
        self.pending = self._new_pass()
        self.peeked = self._next()
        if self.peeked is None:
            self.no_batch()

    def epoch(self):
        """This epoch's checked batches: (x, y, sample_weight), or x alone when the
        source feeds ``predict``."""
        steps, taken, restarted = self.steps, 0, False
        if self.pending is None:
            self.pending, restarted = self._new_pass(), True
        self.last_count = 0
        while steps is None or taken < steps:
            batch = self._next()
            if batch is None:
                self.pending = None
                if self.one_shot:
                    self.exhausted = True
                elif steps is not None and taken == 0 and not restarted:
                    # the last epoch ended with the pass: this one starts a new pass
                    self.pending, restarted = self._new_pass(), True
                    continue
                if steps is not None and (taken or not self.one_shot):
                    self._ran_out(taken)
                break
            taken += 1
            self.in_pass += 1
            self.last_count = taken
            yield batch
        if self.pending is not None and (
                not self.resume or (self.num_batches is not None
                                    and self.in_pass >= self.num_batches)):
            self.pending = None

    def _ran_out(self, taken):
        again = "read only once" if self.one_shot else "read again at each pass"
        warnings.warn(f"{self.who}: your input ran out of data: the {self.kind} yielded "
                      f"{taken} batch(es) where {self.steps} were asked ({self.steps_arg}); "
                      f"interrupting. A {self.kind} is {again}: make sure it yields at least "
                      f"the batches you ask for", UserWarning, stacklevel=4)

    def no_batch(self):
        """Refuse a source that yielded nothing where batches were needed."""
        hint = (f" (a {self.kind} can be read only once: an earlier epoch or validation "
                "used it up; give steps_per_epoch/validation_steps, or use a PyDataset or "
                "a DataLoader, which are read again each epoch)") if self.one_shot else ""
        raise ValueError(f"{self.who}: the {self.kind} yielded no batch{hint}")

    def on_epoch_begin(self):
        if not self.begun and self.dataset is not None:
            self.dataset.on_epoch_begin()
        self.begun = True

    def on_epoch_end(self):
        if self.dataset is not None:
            self.dataset.on_epoch_end()
        self.begun = False

    # -- one batch ------------------------------------------------------------------------
    def _check(self, label, item):
        model, where = self.model, f"{self.who} ({label})"
        x, y, w = _unpack(item, where, self.needs_y)
        x = inputs_of(model, x, where)
        if len(x) == 0:
            raise ValueError(f"{where}: the batch is empty (0 samples)")
        self._same_shapes("x", x, where, label)
        model._ensure_built(x, where)
        if not self.needs_y:
            return x
        y = targets_of(model, y, len(x), where)
        self._same_shapes("y", y, where, label)
        w = sample_weights(model, y, w, self.class_weight, where)
        self._same_shapes("sample_weight", w, where, label)
        return x, y, w

    def _same_shapes(self, arg, value, where, label):
        shapes = _shapes(value)
        first = self.first.setdefault(arg, (shapes, label))
        if [s and s[1:] for s in shapes] != [s and s[1:] for s in first[0]]:
            def show(ss):
                ss = ["none" if a is None else str(a) for a in ss]
                return ss[0] if len(ss) == 1 else "[" + ", ".join(ss) + "]"
            raise ValueError(f"{where}: {arg} has shape {show(shapes)}, but the first batch "
                             f"({first[1]}) had {show(first[0])}: every batch must have "
                             "the same shape apart from its size (axis 0)")
