"""``keras.utils``: one-hot encoding, seeding, the progress bar, ``PyDataset``,
``plot_model``, ``unpack_x_y_sample_weight``."""
import random

import numpy as np

from .. import random as rg_random
from .progbar import Progbar
from .sequence_utils import pad_sequences
from ..tensor import Tensor
import random as _random


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encoding: class k ↦ the k-th unit vector of length ``num_classes``.

    ``y`` holds integer labels (a trailing axis of size 1 is dropped, as Keras
    does); the result has shape ``y.shape + (num_classes,)``.

    >>> to_categorical([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if y.size and not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("to_categorical: y must hold integer class labels, got "
                             "non-integer values")
    elif y.dtype.kind not in "iub":
        raise TypeError(f"to_categorical: y must hold integer class labels, got dtype {y.dtype}")
    y = y.astype(np.int64)
    shape = y.shape[:-1] if y.ndim > 1 and y.shape[-1] == 1 else y.shape
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(y.min())}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(f"to_categorical: label {int(y.max())} does not fit "
                         f"num_classes={num_classes} (labels must be in 0..{num_classes - 1})")
    out = np.zeros((y.size, num_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (num_classes,))


def set_random_seed(seed):
    """Seed every generator a run draws from (Python's ``random``, NumPy's global
    one, retrograd's default generator: initialisers, dropout, shuffling), so that
    a whole ``fit`` is reproducible."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"set_random_seed: seed must be a non-negative integer, got "
                         f"seed={seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    rg_random.manual_seed(int(seed))


class PyDataset:
    """A dataset of whole batches written in Python (Keras 3's ``keras.utils.PyDataset``,
    Keras 2's ``Sequence``), for data that do not fit in one array or are made on the
    fly: ``__getitem__(i)`` returns batch i as ``(x, y)`` or ``(x, y, sample_weight)``
    (``x`` alone is enough for ``predict``), ``__len__`` the number of batches.

    ``fit(dataset)`` reads batches 0, 1, …, len − 1 each epoch, in a new random order
    every epoch when ``shuffle=True`` (``fit``'s default, as in Keras; drawn from the
    generator ``set_random_seed`` seeds), and calls ``on_epoch_begin()`` before and
    ``on_epoch_end()`` after every epoch (and around every ``evaluate``/``predict``
    and validation). A subclass whose ``num_batches`` property returns None is
    infinite: ``fit`` then needs ``steps_per_epoch``.

    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are Keras's and are
    kept but not used: retrograd reads the batches one after the other, in this
    process (one step's NumPy work already uses the BLAS threads).

    >>> class Batches(keras.utils.PyDataset):
    ...     def __init__(self, x, y, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y, self.batch_size = x, y, batch_size
    ...     def __len__(self):
    ...         return math.ceil(len(self.x) / self.batch_size)
    ...     def __getitem__(self, i):
    ...         rows = slice(i * self.batch_size, (i + 1) * self.batch_size)
    ...         return self.x[rows], self.y[rows]
    >>> model.fit(Batches(x, y, 128), epochs=5)
    """

    # Class defaults, so that a subclass that skips super().__init__() still works.
    workers, use_multiprocessing, max_queue_size = 1, False, 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), "
                                  "returning batch `index` as (x, y) or (x, y, sample_weight)")

    @property
    def num_batches(self):
        """The number of batches (``len(self)``), or None for an infinite dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number "
                                  "of batches) or a num_batches property (None: infinite)")

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch (e.g. to reshuffle the samples)."""


Sequence = PyDataset        # Keras 2's name, kept by Keras 3


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) of a batch as ``train_step`` receives it: ``(x,)``,
    ``(x, y)``, ``(x, y, sample_weight)`` or x alone (missing entries None)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if not 1 <= len(data) <= 3:
        raise ValueError(f"unpack_x_y_sample_weight: data must be a tuple (x,), (x, y) or "
                         f"(x, y, sample_weight), got a tuple of {len(data)}")
    return tuple(data) + (None,) * (3 - len(data))


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of ``unpack_x_y_sample_weight``: (x,), (x, y) or (x, y, w)."""
    if y is None:
        return (x,)
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draw the model's layers into ``to_file`` (PNG or SVG) through ``retrograd.viz``,
    no Graphviz needed; see ``keras/plot.py``."""
    from .plot import plot_model as draw      # viz is imported only to draw
    return draw(model, to_file, show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names, rankdir=rankdir,
                expand_nested=expand_nested, dpi=dpi,
                show_layer_activations=show_layer_activations,
                show_trainable=show_trainable, **kwargs)


def model_to_dot(model, **kwargs):
    """The diagram of ``plot_model`` as Graphviz DOT text."""
    from .plot import model_to_dot as dot
    return dot(model, **kwargs)

# -- custom objects, configurations (keras.saving's, under Keras's utils names too) --------

from .backend import clear_session, is_keras_tensor  # noqa: E402
from .backend import get_source_inputs  # noqa: E402
from .config import (Config, disable_interactive_logging,  # noqa: E402
                     enable_interactive_logging, is_interactive_logging_enabled)
from .saving import (CustomObjectScope, custom_object_scope,  # noqa: E402
                     deserialize_keras_object, get_custom_objects, get_registered_name,
                     get_registered_object, register_keras_serializable,
                     serialize_keras_object)




# -- arrays ---------------------------------------------------------------------------------

def normalize(x, axis=-1, order=2):
    """x / ‖x‖_order along ``axis`` (zero norms left as 1), Keras's ``utils.normalize``
    for arrays; a retrograd Tensor goes through ``keras.ops.normalize``-style
    x / max(‖x‖, ε) and keeps its graph."""
    if isinstance(x, Tensor):
        norm = (x.abs() ** order).sum(axis=axis, keepdims=True) ** (1.0 / order)
        return x / norm.clip(1e-7, None)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def standardize_dtype(dtype):
    """Keras's dtype name ("float32", "int64", "bool"…) of a name, a NumPy/torch/
    retrograd dtype or a Python type (``float`` → "float32", ``int`` and "int" →
    "int32", as Keras's; None → "float32")."""
    if dtype is None:
        return "float32"
    python = {float: "float32", int: "int32", bool: "bool", "int": "int32"}
    if isinstance(dtype, (str, type)) and dtype in python:
        return python[dtype]
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        name = np.dtype(dtype).name
    if not isinstance(name, str):
        name = str(dtype)
    name = name.replace("torch.", "")
    if name == "float":
        raise ValueError(f"Invalid dtype: {dtype}")
    try:
        return np.dtype(name).name
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype}") from None


class _Timeseries(PyDataset):
    """The batches of ``timeseries_dataset_from_array`` (a ``PyDataset``: ``fit``
    reads it directly)."""

    def __init__(self, data, targets, starts, offsets, batch_size):
        super().__init__()
        self.data, self.targets, self.starts, self.offsets = data, targets, starts, offsets
        self.batch_size = batch_size

    def __len__(self):
        if self.batch_size is None:
            return len(self.starts)
        return -(-len(self.starts) // self.batch_size)

    def __getitem__(self, i):
        if not -len(self) <= i < len(self):
            raise IndexError(f"timeseries dataset: batch {i} of {len(self)}")
        if self.batch_size is None:
            rows = self.starts[i:i + 1 or None]
        else:
            i = i % len(self)
            rows = self.starts[i * self.batch_size:(i + 1) * self.batch_size]
        x = self.data[rows[:, None] + self.offsets[None, :]]
        y = None if self.targets is None else self.targets[rows]
        if self.batch_size is None:
            x, y = x[0], None if y is None else y[0]
        return x if y is None else (x, y)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def take(self, count):
        """The first ``count`` batches (all of them for count = −1), as tf.data's
        ``dataset.take`` that Keras's examples iterate: ``for x, y in ds.take(1):``."""
        n = len(self) if count is None or count < 0 else min(int(count), len(self))
        return [self[i] for i in range(n)]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Sliding windows over a time series, as Keras's: window k starts at
    sₖ = k·``sequence_stride`` (from ``start_index``) and holds the
    ``sequence_length`` steps sₖ, sₖ + ``sampling_rate``, …; its target is
    ``targets[start_index + sₖ]`` (None: windows only). ``shuffle`` permutes the
    windows with ``numpy.random.RandomState(seed)``. Returns a ``PyDataset`` of
    batches (x of shape (batch, sequence_length, …), y) that ``fit`` takes and that
    can be iterated; Keras returns a ``tf.data.Dataset`` of the same batches."""
    data = np.asarray(data)
    n = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= n:
            raise ValueError(f"`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= n:
            raise ValueError(f"`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {n}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: "
                             f"end_index={end_index}")
    for arg, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{arg}` must be higher than 0. Received: {arg}={value}")
        if value >= n:
            raise ValueError(f"`{arg}` must be lower than the length of the data. Received: "
                             f"{arg}={value}, for data of length {n}")
    start_index = start_index or 0
    end_index = n if end_index is None else end_index
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets))
    starts = np.arange(0, max(count, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(starts)
    offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate, dtype=np.int64)
    return _Timeseries(data[start_index:end_index], None if targets is None else
                       targets[start_index:end_index], starts, offsets, batch_size)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Two parts of a dataset of samples (an array, a tuple/list of arrays or a dict
    of arrays, all of the same length): the first ``left_size`` samples and the last
    ``right_size`` (a fraction in (0, 1) or a count; one may be None: the rest),
    after a shuffle of the samples by Python's ``random`` seeded with ``seed``, as
    Keras's. Each part has the structure of ``dataset`` (Keras returns
    ``tf.data.Dataset``s of the same samples)."""
    if isinstance(dataset, dict):
        arrays = {k: np.asarray(v) for k, v in dataset.items()}
        lengths = {len(v) for v in arrays.values()}
    elif isinstance(dataset, (tuple, list)):
        arrays = [np.asarray(v) for v in dataset]
        lengths = {len(v) for v in arrays}
    else:
        arrays = np.asarray(dataset)
        lengths = {len(arrays)}
    if len(lengths) != 1:
        raise ValueError(f"split_dataset: the arrays of the dataset must have the same "
                         f"length, got lengths {sorted(lengths)}")
    total = lengths.pop()
    if left_size is None and right_size is None:
        raise ValueError("split_dataset: you must specify either `left_size` or `right_size`")
    for arg, v in (("left_size", left_size), ("right_size", right_size)):
        if v is None:
            continue
        if type(v) not in (int, float):
            raise TypeError(f"Invalid `{arg}` type. Expected one of (int, float). Received: "
                            f"{arg}={v} of type {type(v)}")
        if type(v) is int and not 0 < v < total or type(v) is float and not 0 < v < 1:
            raise ValueError(f"`{arg}` should be either a positive integer smaller than "
                             f"{total}, or a float within the range `[0, 1]`. Received: "
                             f"{arg}={v}")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than "
                         f"the {total} samples. Received: left_size + right_size = "
                         f"{left + right}")
    if left == 0 or right == 0:
        raise ValueError(f"split_dataset: with left_size={left_size!r}, "
                         f"right_size={right_size!r} one part of the {total} samples is empty")
    order = list(range(total))
    if shuffle:
        _random.seed(_random.randint(0, int(1e6)) if seed is None else seed)
        _random.shuffle(order)
    parts = np.asarray(order[:left], dtype=np.int64), np.asarray(order[total - right:],
                                                                  dtype=np.int64)

    def take(rows):
        if isinstance(arrays, dict):
            return {k: v[rows] for k, v in arrays.items()}
        if isinstance(arrays, list):
            return type(dataset)(v[rows] for v in arrays)
        return arrays[rows]
    return take(parts[0]), take(parts[1])


__all__ = ["to_categorical", "set_random_seed", "Progbar", "PyDataset", "Sequence",
           "unpack_x_y_sample_weight", "pack_x_y_sample_weight", "plot_model", "model_to_dot",
           "pad_sequences", "get_custom_objects", "custom_object_scope", "CustomObjectScope",
           "register_keras_serializable", "serialize_keras_object", "deserialize_keras_object",
           "get_registered_name", "get_registered_object", "normalize", "standardize_dtype",
           "timeseries_dataset_from_array", "split_dataset", "is_keras_tensor",
           "clear_session", "image_dataset_from_directory", "text_dataset_from_directory",
           "load_img", "img_to_array", "array_to_img", "save_img", "get_source_inputs",
           "Config", "enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)

# Image files and folder datasets (keras/image_utils.py, keras/dataset_utils.py).
from .dataset_utils import (image_dataset_from_directory,  # noqa: E402
                            text_dataset_from_directory)
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: E402
