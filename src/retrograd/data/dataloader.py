"""The DataLoader: a dataset cut into batches, in order or shuffled, once per epoch."""
import collections.abc
import warnings

import numpy as np

from .. import backend, random
from ..backend import array_module, to_device
from ..tensor import Tensor
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples, with PyTorch's
    arguments (in PyTorch's order).

    Each epoch (each ``for`` loop) visits every sample once: in order, or in a
    fresh random permutation when ``shuffle`` (drawn from ``generator``, a
    ``retrograd.Generator``, a ``numpy.random.Generator`` or an int seed, else the
    default generator that ``retrograd.manual_seed`` seeds). ``drop_last`` drops a
    final, smaller batch. ``sampler`` (an iterable of indices, e.g. a
    ``SubsetRandomSampler``) sets the order instead of ``shuffle``;
    ``batch_sampler`` (an iterable of lists of indices) gives the batches
    themselves. ``collate_fn(list of samples)`` makes a batch (default:
    ``default_collate``, which stacks them).

    retrograd loads in the calling process: ``num_workers`` is 0 (more is refused),
    and the worker options (``timeout``, ``multiprocessing_context``,
    ``prefetch_factor``, ``persistent_workers``) keep their defaults, as PyTorch
    wants them with ``num_workers=0``; ``worker_init_fn`` is accepted and, as in
    PyTorch without workers, never called. ``pin_memory=True`` is accepted and does
    nothing: batches stay in ordinary host memory (``.to("cuda")`` copies them).

    ``batch_size=1`` is online SGD, ``batch_size=len(dataset)`` full-batch
    gradient descent. A ``TensorDataset`` with the default collation is indexed
    with the whole batch at once: a slice (a view, no copy) in order, an index
    array otherwise (a copy of the batch only). Other datasets are read sample by
    sample and the samples collated. An ``IterableDataset`` (a stream) is cut into
    batches of consecutive samples as it comes (``batch_size=None``: the samples one
    by one); no shuffle or sampler with it, as in PyTorch.

    >>> for x, y in DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True):
    ...     loss = f(x, y)
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if isinstance(dataset, IterableDataset):
            self._stream(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers,
                         collate_fn, pin_memory, drop_last, timeout, worker_init_fn,
                         pin_memory_device, in_order)
            return
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, "
                            f"got {type(dataset).__name__}")
        _check_workers(num_workers, timeout, multiprocessing_context, prefetch_factor,
                       persistent_workers)
        if batch_size is None:
            raise ValueError("DataLoader: batch_size=None (PyTorch's loading without "
                             "batches) is not in retrograd; use batch_size=1, or index "
                             "the dataset directly (dataset[i])")
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be an integer >= 1, "
                             f"got batch_size={batch_size!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle "
                             "(the sampler sets the order)")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last (its lists of "
                             "indices are the batches)")
        if pin_memory and not backend.cuda_available():
            warnings.warn("DataLoader: 'pin_memory' argument is set as true but no "
                          "accelerator is found; retrograd never pins memory, so it does "
                          "nothing", UserWarning, stacklevel=2)
        self.dataset = dataset
        self.batch_size = int(batch_size) if batch_sampler is None else None
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        # An int seed becomes one generator now, so that successive epochs differ
        # while the whole run stays reproducible.
        self.generator = None if generator is None else random.resolve(generator)
        self.collate_fn = collate if collate_fn is None else collate_fn
        self.num_workers, self.timeout, self.worker_init_fn = 0, timeout, worker_init_fn
        self.pin_memory, self.pin_memory_device = bool(pin_memory), pin_memory_device
        self.prefetch_factor, self.persistent_workers = None, False
        self.multiprocessing_context, self.in_order = None, in_order
        # The loader's own order (shuffle or not) is read straight from the dataset;
        # a sampler's or a batch sampler's indices are read as they come.
        self._own_order = sampler is None and batch_sampler is None
        if sampler is None:
            sampler = RandomSampler(dataset, generator=self.generator) if shuffle \
                else SequentialSampler(dataset)
        if batch_sampler is None:
            batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)          # TypeError for a stream without a length
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            yield from self._stream_batches()
            return
        if not self._own_order:
            for indices in self.batch_sampler:
                yield self._fetch(list(indices))
            return
        n, bs = len(self.dataset), self.batch_size
        order = self.sampler.indices() if self.shuffle else None
        if order is not None and self._fast() and array_module(self.dataset.arrays[0]) \
                is not np:
            order = to_device(order, "cuda")
        stop = n - n % bs if self.drop_last else n
        for start in range(0, stop, bs):
            yield self._fetch(slice(start, min(start + bs, n)) if order is None
                              else order[start:start + bs])

    def _stream_batches(self):
        """Batches of consecutive samples of the stream, collated (the last one
        smaller unless ``drop_last``); the samples themselves without a batch size."""
        if self.batch_size is None:
            yield from (self.collate_fn(sample) for sample in self.dataset)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def _stream(self, dataset, batch_size, shuffle, sampler, batch_sampler, num_workers,
                collate_fn, pin_memory, drop_last, timeout, worker_init_fn,
                pin_memory_device, in_order):
        """An ``IterableDataset``: its stream cut into batches of ``batch_size``
        consecutive samples (``None``: the samples one by one, converted by
        ``default_convert``); ``shuffle``, ``sampler`` and ``batch_sampler`` are
        refused with it, as PyTorch refuses them."""
        for name, value in (("shuffle", shuffle), ("sampler", sampler),
                            ("batch_sampler", batch_sampler)):
            if value not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"{name} option, but got {name}={value}")
        if num_workers:
            _check_workers(num_workers, timeout, None, None, False)   # refused
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or
                                       isinstance(batch_size, bool) or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be an integer >= 1 or None, "
                             f"got batch_size={batch_size!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, bool(drop_last)
        self.shuffle, self.generator, self.sampler, self.batch_sampler = False, None, None, \
            None
        self.collate_fn = collate_fn if collate_fn is not None else \
            collate if batch_size is not None else default_convert
        self.num_workers, self.timeout, self.worker_init_fn = 0, timeout, worker_init_fn
        self.pin_memory, self.pin_memory_device = bool(pin_memory), pin_memory_device
        self.prefetch_factor, self.persistent_workers = None, False
        self.multiprocessing_context, self.in_order = None, in_order
        self._own_order = False

    def _fast(self):
        """A TensorDataset with the default collation: indexed a whole batch at once."""
        return isinstance(self.dataset, TensorDataset) and self.collate_fn is collate

    def _fetch(self, indices):
        """The batch of the samples at ``indices`` (a slice, an index array or a list)."""
        if self._fast():
            if isinstance(indices, list):
                xp = array_module(self.dataset.arrays[0])
                indices = xp.asarray(indices, dtype=np.int64)
            return tuple(Tensor._wrap(a[indices]) for a in self.dataset.arrays)
        if isinstance(indices, slice):
            indices = range(len(self.dataset))[indices]
        elif not isinstance(indices, list):
            indices = indices.tolist()
        return self.collate_fn([self.dataset[i] for i in indices])


def _check_workers(num_workers, timeout, multiprocessing_context, prefetch_factor,
                   persistent_workers):
    """The worker-process options: refused unless they say "no workers"."""
    if not isinstance(num_workers, (int, np.integer)) or isinstance(num_workers, bool):
        raise TypeError(f"DataLoader: num_workers must be an integer, got "
                        f"{type(num_workers).__name__}")
    if num_workers < 0:
        raise ValueError("DataLoader: num_workers option should be non-negative; use "
                         "num_workers=0 to disable multiprocessing")
    if num_workers > 0:
        raise NotImplementedError(
            f"DataLoader: num_workers={num_workers} is not supported: retrograd loads "
            "every batch in the main process (num_workers=0); drop the argument")
    if timeout < 0:
        raise ValueError("DataLoader: timeout option should be non-negative")
    if timeout > 0:
        raise ValueError(f"DataLoader: timeout={timeout!r} applies to worker processes; "
                         "retrograd loads in the main process (timeout=0)")
    if multiprocessing_context is not None:
        raise ValueError("DataLoader: multiprocessing_context can only be used with "
                         "multi-process loading (num_workers > 0); retrograd loads in the "
                         "main process")
    if prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                         "multiprocessing (num_workers > 0); retrograd loads in the main "
                         "process: leave prefetch_factor=None")
    if persistent_workers:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0; "
                         "retrograd loads in the main process")


def collate(samples):
    """Stack a list of samples into a batch: tuples position by position,
    tensors and arrays along a new first axis, numbers into an array."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(collate([s[k] for s in samples]) for k in range(len(first)))
    if isinstance(first, dict):
        return {k: collate([s[k] for s in samples]) for k in first}
    arrays = [s.array if isinstance(s, Tensor) else s for s in samples]
    xp = array_module(arrays[0])
    return Tensor._wrap(xp.stack([xp.asarray(a) for a in arrays]))


def get_worker_info():
    """Information about the loader's worker process: None, since retrograd loads
    in the calling process (PyTorch returns None in its main process too)."""
    return None


def default_convert(data):
    """NumPy arrays (not of strings/objects) and NumPy scalars in ``data`` become
    tensors; tuples, lists, dicts and named tuples keep their structure."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) or isinstance(data, np.generic) and \
            not isinstance(data, (np.str_, np.bytes_)):
        if data.dtype.kind in "SaUO":
            return data
        return Tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(converted)         # keep an OrderedDict, a defaultdict…
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):     # a named tuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return tuple(default_convert(d) for d in data)
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data
