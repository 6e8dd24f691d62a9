"""``fit(..., distributed=True)``: Keras-style training on many processes (MPI ranks).

Every rank runs the same ``fit`` on the same data; ``retrograd.distributed``'s
``DataParallelStrategy`` makes them one training run:

* rank 0's weights are broadcast to every rank before the first step;
* every rank draws the same shuffle (from rank 0's seed) and keeps its share,
  ``order[lo:hi][rank::p]``, of each global batch of ``batch_size`` samples;
* after ``backward()`` the gradients are averaged over the ranks, weighted by each
  rank's number of samples, so p ranks take exactly the step one process would take
  on the whole global batch;
* the logs (loss, metrics, ``val_`` ones) are the means over all the ranks' samples,
  identical on every rank, so callbacks such as ``EarlyStopping`` decide the same
  everywhere; only the chief (rank 0) prints and runs the callbacks that write files
  (``ModelCheckpoint``, ``CSVLogger``).

The plain ``fit`` path never comes here.
"""
import numpy as np

from ..random import default_generator
from . import callbacks as callbacks_module

# Callbacks that write files: run by the chief only, or p ranks would write one file.
CHIEF_ONLY = (callbacks_module.ModelCheckpoint, callbacks_module.CSVLogger)


def resolve(distributed):
    """The strategy for ``fit(distributed=...)``: None for a plain fit, a
    ``DataParallelStrategy`` for ``True`` or the strategy given."""
    if distributed is None or distributed is False:
        return None
    from ..distributed import DataParallelStrategy
    if distributed is True:
        return DataParallelStrategy()
    if isinstance(distributed, DataParallelStrategy):
        return distributed
    raise TypeError(f"fit: distributed must be True, False or a "
                    f"retrograd.distributed.DataParallelStrategy, got "
                    f"distributed={distributed!r}")


def prepare(model, strategy, n, batch_size, verbose, callbacks):
    """Share rank 0's weights and decide who prints and writes; returns
    ``(steps per epoch, verbose, callbacks)`` for this rank."""
    p = strategy.world_size
    if batch_size < p:
        raise ValueError(f"fit: with distributed training batch_size is the global batch, "
                         f"split over the {p} ranks; it must be >= {p}, got "
                         f"batch_size={batch_size}")
    steps = strategy.num_batches(n, batch_size)
    if steps == 0:
        raise ValueError(f"fit: {n} training samples are fewer than the {p} ranks")
    # The model is built (``_prepare`` built it from the data's shape); each rank
    # initialised its weights from its own generator: make them rank 0's.
    strategy.broadcast(model)
    if strategy.is_chief:
        return steps, verbose, callbacks
    return steps, 0, [cb for cb in callbacks or () if not isinstance(cb, CHIEF_ONLY)]


def shuffler(strategy):
    """A generator seeded identically on every rank (rank 0's draw from the default
    generator, so that ``keras.utils.set_random_seed`` makes the run reproducible)."""
    seed = int(default_generator().integers(2**31))
    return np.random.default_rng(strategy.shared_seed(seed))


def batches(strategy, order, batch_size, steps):
    """This rank's indices of each of the epoch's ``steps`` global batches."""
    return [strategy.local(order[s * batch_size:(s + 1) * batch_size]) for s in range(steps)]


def global_logs(strategy, logs, count):
    """``logs`` (this rank's means over its ``count`` samples) averaged over the ranks,
    weighted by samples: the means over all the samples, the same on every rank."""
    keys = list(logs)
    values = [logs[k] if count else 0.0 for k in keys]   # a rank with no samples adds 0
    means = strategy.mean(np.asarray(values, dtype=np.float64), weight=count)
    return {k: float(v) for k, v in zip(keys, np.atleast_1d(means))}


class AgreedCallbacks:
    """A rank's callbacks in a data-parallel ``fit``. After each hook that may stop
    training, the ranks agree (one rank stopping stops them all): a rank that left
    the loop alone would leave the others waiting in their next allreduce."""

    def __init__(self, callbacks, model, strategy):
        self.callbacks, self.model, self.strategy = callbacks, model, strategy

    @property
    def history(self):
        return self.callbacks.history

    def wants(self, hook):
        return self.callbacks.wants(hook)

    def batch(self, hook, step, logs=None):
        self.callbacks.batch(hook, step, logs)
        self._agree()

    def on_epoch_end(self, epoch, logs=None):
        self.callbacks.on_epoch_end(epoch, logs)
        self._agree()

    def __getattr__(self, hook):
        return getattr(self.callbacks, hook)

    def _agree(self):
        stop = self.strategy.mean(float(bool(self.model.stop_training)))
        self.model.stop_training = stop > 0
