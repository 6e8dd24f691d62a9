"""Datasets: indexable collections of samples (map-style: ``__len__`` and
``__getitem__``), streams (``IterableDataset``: ``__iter__``) and their combinations
(``ChainDataset`` joins streams; ``StackDataset`` zips datasets sample by sample)."""
from ..tensor import Tensor


class Dataset:
    """A collection of samples: subclasses define ``__len__`` and
    ``__getitem__(i)`` (a sample, or a tuple such as (x, y))."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} does not define __len__")


class TensorDataset(Dataset):
    """Samples are the rows of arrays (or tensors) sharing their first dimension:
    sample i is ``(a[i] for a in arrays)``. The arrays are kept, not copied, and
    the ``DataLoader`` indexes them with a whole batch at once.

    >>> ds = TensorDataset(X, y)          # X: (N, D), y: (N,)
    >>> x0, y0 = ds[0]
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: expected at least one array or tensor")
        self.arrays = tuple(a.array if isinstance(a, Tensor) else a for a in arrays)
        for i, a in enumerate(self.arrays):
            if not hasattr(a, "shape") or len(a.shape) == 0:
                raise ValueError(f"TensorDataset: argument {i} must be an array or tensor "
                                 f"with a first (sample) dimension, got "
                                 f"{type(a).__name__} of shape {getattr(a, 'shape', None)}")
        n = self.arrays[0].shape[0]
        for i, a in enumerate(self.arrays):
            if a.shape[0] != n:
                shapes = [tuple(x.shape) for x in self.arrays]
                raise ValueError(f"TensorDataset: every array needs the same number of "
                                 f"samples (first dimension); got shapes {shapes}")

    def __len__(self):
        return self.arrays[0].shape[0]

    def __getitem__(self, index):
        return tuple(Tensor._wrap(a[index]) for a in self.arrays)


class IterableDataset(Dataset):
    """A dataset read by iterating over it: subclasses define ``__iter__``.

    >>> class Counter(IterableDataset):
    ...     def __iter__(self): return iter(range(10))
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} does not define __iter__")

    def __len__(self):
        # PyTorch's streams have no length: TypeError, which len() callers (tqdm,
        # DataLoader.__len__) catch, where Dataset's NotImplementedError would escape
        raise TypeError(f"object of type '{type(self).__name__}' has no len()")

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
