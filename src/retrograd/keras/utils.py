"""``keras.utils``: one-hot encoding, seeding, the progress bar, ``PyDataset``,
``plot_model``, ``unpack_x_y_sample_weight``."""
import random

import numpy as np

from .. import random as rg_random
from .progbar import Progbar
from .sequence_utils import pad_sequences


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

__all__ = ["to_categorical", "set_random_seed", "Progbar", "PyDataset", "Sequence",
           "unpack_x_y_sample_weight", "pack_x_y_sample_weight", "plot_model", "model_to_dot",
           "pad_sequences"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
