"""``fit(..., distributed=True)``: Keras-style training on many processes (MPI ranks).

Every rank runs the same ``fit`` on the same data; ``retrograd.distributed``'s
``DataParallelStrategy`` makes them one training run:

* rank 0's weights are broadcast to every rank before the first step;
* every rank draws the same shuffle (from rank 0's seed) and keeps its share,
  ``order[lo:hi][rank::p]``, of each global batch of ``batch_size`` samples;
* after ``backward()`` the gradients are averaged over the ranks, weighted by each
  rank's number of samples, so p ranks take exactly the step one process would take
  on the whole global batch;
* the logs (loss, metrics, ``val_`` ones) are the means over all the ranks' samples
  (their running totals and counts summed over the ranks), identical on every rank, so callbacks such as ``EarlyStopping`` decide the same
  everywhere; only the chief (rank 0) prints and runs the callbacks that write files
  (``ModelCheckpoint``, ``CSVLogger``).

``evaluate(..., distributed=True)`` sums the same totals over the ranks, each rank
evaluating an interleaved share of every batch; ``predict(..., distributed=True)``
computes a share of the rows on each rank and gathers the whole predictions on
every rank. The plain paths never come here.
"""
import numpy as np

from ..random import default_generator
from . import callbacks as callbacks_module

# Callbacks that write files: run by the chief only, or p ranks would write one file.
CHIEF_ONLY = (callbacks_module.ModelCheckpoint, callbacks_module.CSVLogger)


def resolve(distributed, who="fit"):
    """The strategy for ``fit``/``evaluate``/``predict(distributed=...)``: None for a
    plain run, a ``DataParallelStrategy`` for ``True`` or the strategy given."""
    if distributed is None or distributed is False:
        return None
    from ..distributed import DataParallelStrategy
    if distributed is True:
        return DataParallelStrategy()
    if isinstance(distributed, DataParallelStrategy):
        return distributed
    raise TypeError(f"{who}: distributed must be True, False or a "
                    f"retrograd.distributed.DataParallelStrategy, got "
                    f"distributed={distributed!r}")


def not_chief(callbacks):
    """A non-chief rank's callbacks: those that write files are the chief's alone."""
    return [cb for cb in callbacks or () if not isinstance(cb, CHIEF_ONLY)]


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
    # The model is built (``data_adapters.prepare`` built it from the data's shape); each rank
    # initialised its weights from its own generator: make them rank 0's.
    strategy.broadcast(model)
    if strategy.is_chief:
        return steps, verbose, callbacks
    return steps, 0, not_chief(callbacks)


def shuffler(strategy):
    """A generator seeded identically on every rank (rank 0's draw from the default
    generator, so that ``keras.utils.set_random_seed`` makes the run reproducible)."""
    seed = int(default_generator().integers(2**31))
    return np.random.default_rng(strategy.shared_seed(seed))


def sum_over_ranks(strategy, totals, counts):
    """The running means' totals and counts summed over the ranks (one allreduce):
    each log is then Σ_r total_r / Σ_r count_r, the mean over every rank's samples
    (or sample weights), exactly as one process computes it on all the data."""
    from ..distributed.collectives import allreduce_
    k = len(totals)
    buf = np.asarray(list(totals) + list(counts), dtype=np.float64)
    allreduce_(buf, what="keras logs", world=strategy.world)
    return buf[:k].tolist(), buf[k:].tolist()


def gather_rows(strategy, local, plan, rows):
    """The whole (``rows``, …) predictions on every rank from each rank's ``local``
    rows, those of the slices of ``plan`` (this rank's share of each batch): each
    rank writes its rows into zeros and one allreduce sums them (x + 0 = x)."""
    from ..distributed.collectives import allreduce_
    index = np.arange(rows)
    mine = np.concatenate([index[s] for s in plan]) if plan else index[:0]
    full = np.zeros((rows,) + local.shape[1:], dtype=local.dtype)
    full[mine] = local
    allreduce_(full, what="predict (gathering the rows)", world=strategy.world)
    return full


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
