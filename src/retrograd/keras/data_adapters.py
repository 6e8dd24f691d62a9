"""Turning the user's data into batches: what ``fit``, ``evaluate`` and ``predict``
are given (arrays, lists or dicts of them) checked and converted once, then cut into
batches (Keras 3's ``trainers/data_adapters``).

* ``inputs_of``, ``prepare``, ``sample_weights``: x as float32 arrays (``Columns`` of
  them for several inputs), y in the form each output's loss takes, the per-sample
  weights; every refusal names the method, the argument, its shape and what was
  expected.
* ``BatchPlan``: the batches of each epoch of ``fit`` (shuffled, ``steps_per_epoch``);
  ``eval_batches``: those of ``evaluate``/``predict``.
"""
import math
import warnings

import numpy as np

from ..tensor import Tensor
from . import losses as losses_module
from . import weighting


def positive(value, who, arg, default=None):
    if value is None:
        return default
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{who}: {arg} must be a positive integer, got {arg}={value!r}")
    return int(value)


def batch_size_or_default(batch_size, who):
    return positive(batch_size, who, "batch_size", 32)


def as_array(a, who, arg):
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


def float_inputs(x, who, arg="x"):
    """x as a C-contiguous float32 array (copied only when it is not one), checked
    for NaN/inf."""
    x = as_array(x, who, arg)
    x = np.ascontiguousarray(x, dtype=np.float32)
    flat = x.reshape(-1)
    # x·x is finite iff every value is (short of overflow, which the exact check
    # below then clears): one pass, no temporary array.
    if x.size and not np.isfinite(np.dot(flat, flat)):
        finite = np.isfinite(x.reshape(len(x), -1)).all(axis=1)
        if not finite.all():
            i = int(np.argmin(finite))
            bad = "NaN" if np.isnan(x[i]).any() else "inf"
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
    names = model._input_names()
    if len(names) == 1:
        return float_inputs(single(x, names), who)
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
    return Columns(arrays)

def prepare(model, x, y, who):
    """(x float32, y in the form the losses take), checked, the model built."""
    x = inputs_of(model, x, who)
    model._ensure_built(x, who)
    if y is None:
        raise ValueError(f"{who}: y is None; fit and evaluate need targets")
    names, shapes = model.output_names, model._output_shapes()
    if len(model.heads) == 1:
        return x, target(model, single(y, names), model.heads[0], shapes[0], len(x), who)
    given = by_name(y, names, who, "y", model.name, "output", required=False)
    targets = []
    for head, shape, t in zip(model.heads, shapes, given):
        if head.loss is None:       # an output that is not trained needs no target
            t = None if t is None else as_array(t, who, f"y[{head.name!r}]")
        elif t is None:
            raise ValueError(f"{who}: y has no target for output {head.name!r} of model "
                             f"{model.name!r}, which has a loss")
        else:
            t = target(model, t, head, shape, len(x), who)
        targets.append(t)
    return x, Columns(targets)

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
    c = out[-1]
    n = len(y)
    def integral():     # only asked about label vectors, never one-hot matrices
        return y.dtype.kind in "biu" or (
            y.dtype.kind == "f" and y.size
            and bool(np.all(np.isfinite(y) & (y == np.round(y)))))
    if isinstance(loss, losses_module.SparseCategoricalCrossentropy):
        if y.ndim == 2 and y.shape[1] == c and c > 1:
            raise ValueError(
                f"{who}: loss='{name}' expects integer class labels of shape ({n},), "
                f"but {arg} has shape {y.shape} (one-hot?). Use "
                "loss='categorical_crossentropy' with one-hot targets, or pass "
                "y.argmax(axis=1)")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or not integral():
            raise ValueError(f"{who}: loss='{name}' expects integer class labels of "
                             f"shape ({n},), got {arg} of shape {y.shape} and dtype "
                             f"{y.dtype}")
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
                f"{arg} has shape {y.shape} and holds {kind}. Use "
                "loss='sparse_categorical_crossentropy' with integer labels, or one-hot "
                f"encode them: y = keras.utils.to_categorical(y, {c})")
        if y.shape[1:] != tuple(out[1:]):
            raise ValueError(f"{who}: loss='{name}': {arg} has shape {y.shape}, the model "
                             f"outputs {tuple(out)}; expected {arg} of shape "
                             f"({n}, {', '.join(str(d) for d in out[1:])})")
        return np.ascontiguousarray(y, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    target = (n,) + tuple(out[1:])
    if y.shape != target:
        if None not in target and y.size == math.prod(target):
            y = y.reshape(target)
        elif not isinstance(loss, losses_module.LossFunctionWrapper):
            raise ValueError(f"{who}: loss='{name}': {arg} has shape {y.shape}, the model "
                             f"outputs {tuple(out)}; expected {arg} of shape {target}")
    if isinstance(loss, losses_module.BinaryCrossentropy) and y.size and \
            (y.min() < 0 or y.max() > 1):
        raise ValueError(f"{who}: loss='{name}' expects targets in [0, 1], got values "
                         f"from {y.min():g} to {y.max():g}")
    return np.ascontiguousarray(y)

def sample_weights(model, y, sample_weight, class_weight, who):
    """Per-sample weights: an array (one output), ``Columns`` (one entry per output;
    one array given applies to every output, as in Keras) or None."""
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
