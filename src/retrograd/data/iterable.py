"""Iterable-style datasets and the small helpers of ``torch.utils.data``.

An ``IterableDataset`` is a stream: it defines ``__iter__`` (lines of a file, a
simulator, a generator), not ``__len__``/``__getitem__``. ``ChainDataset`` joins
streams; ``StackDataset`` zips map-style datasets sample by sample (a tuple or a
dict per sample); ``get_worker_info()`` is None (retrograd loads in the calling
process, as PyTorch's main process); ``default_convert`` turns NumPy arrays
inside a sample into tensors, leaving the structure as it is.

``iterable_batches`` cuts a stream into collated batches: what a ``DataLoader``
does with an ``IterableDataset`` (no sampler, no shuffle).
"""
import collections.abc

import numpy as np

from ..tensor import Tensor
from .dataloader import DataLoader as _MapDataLoader
from .dataloader import collate
from .dataset import Dataset


class IterableDataset(Dataset):
    """A dataset read by iterating over it: subclasses define ``__iter__``.

    >>> class Counter(IterableDataset):
    ...     def __iter__(self): return iter(range(10))
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} does not define __iter__")

    def __add__(self, other):
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The streams of ``datasets`` one after the other."""

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class StackDataset(Dataset):
    """Map-style datasets of one length, zipped: ``StackDataset(a, b)[i] ==
    (a[i], b[i])``, ``StackDataset(image=a, text=b)[i] == {"image": a[i], "text": b[i]}``."""

    def __init__(self, *args, **kwargs):
        if args:
            if kwargs:
                raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- "
                                 "(via ``kwargs``) like input/output, but both types are "
                                 "given.")
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets = args
        elif kwargs:
            values = list(kwargs.values())
            self._length = len(values[0])
            if any(self._length != len(d) for d in values):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


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


def iterable_batches(dataset, batch_size, drop_last, collate_fn):
    """Batches of ``batch_size`` consecutive samples of the stream ``dataset``,
    collated (the last one smaller unless ``drop_last``)."""
    batch = []
    for sample in dataset:
        batch.append(sample)
        if len(batch) == batch_size:
            yield collate_fn(batch)
            batch = []
    if batch and not drop_last:
        yield collate_fn(batch)


class DataLoader(_MapDataLoader):
    """``retrograd.data.DataLoader``, which also reads an ``IterableDataset``: its
    stream is cut into batches of ``batch_size`` consecutive samples (``None``: the
    samples one by one, converted by ``default_convert``); ``shuffle``, ``sampler``
    and ``batch_sampler`` are refused with it, as PyTorch refuses them.
    Map-style datasets are loaded exactly as by the base class."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if not isinstance(dataset, IterableDataset):
            super().__init__(dataset, batch_size, shuffle, sampler, batch_sampler,
                             num_workers, collate_fn, pin_memory, drop_last, timeout,
                             worker_init_fn, multiprocessing_context, generator,
                             prefetch_factor=prefetch_factor,
                             persistent_workers=persistent_workers,
                             pin_memory_device=pin_memory_device, in_order=in_order)
            return
        for name, value in (("shuffle", shuffle), ("sampler", sampler),
                            ("batch_sampler", batch_sampler)):
            if value not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"{name} option, but got {name}={value}")
        if num_workers:
            super().__init__([0], num_workers=num_workers)      # the base's refusal
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

    def __len__(self):
        if not isinstance(self.dataset, IterableDataset):
            return super().__len__()
        n = len(self.dataset)          # TypeError for a stream without a length
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        if not isinstance(self.dataset, IterableDataset):
            return super().__iter__()
        if self.batch_size is None:
            return (self.collate_fn(sample) for sample in self.dataset)
        return iterable_batches(self.dataset, self.batch_size, self.drop_last,
                                self.collate_fn)


__all__ = ["DataLoader", "IterableDataset", "ChainDataset", "StackDataset", "get_worker_info",
           "default_convert", "iterable_batches"]
