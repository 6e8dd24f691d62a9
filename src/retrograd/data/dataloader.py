"""The DataLoader: a dataset cut into batches, in order or shuffled, once per epoch."""
import math

import numpy as np

from .. import random
from ..backend import array_module, to_device
from ..tensor import Tensor
from .dataset import TensorDataset


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    Each epoch (each ``for`` loop) visits every sample once: in order, or in a
    fresh random permutation when ``shuffle`` (drawn from ``generator``, a
    ``numpy.random.Generator`` or an int seed, else the default generator that
    ``retrograd.manual_seed`` seeds). ``drop_last`` drops a final, smaller batch.

    ``batch_size=1`` is online SGD, ``batch_size=len(dataset)`` full-batch
    gradient descent. A ``TensorDataset`` is indexed with the whole batch at
    once: a slice (a view, no copy) in order, an index array when shuffled (a
    copy of the batch only). Other datasets are read sample by sample and the
    samples stacked.

    >>> for x, y in DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True):
    ...     loss = f(x, y)
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None):
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, "
                            f"got {type(dataset).__name__}")
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be an integer >= 1, "
                             f"got batch_size={batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        # An int seed becomes one generator now, so that successive epochs differ
        # while the whole run stays reproducible.
        self.generator = None if generator is None else random.resolve(generator)

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n, bs = len(self.dataset), self.batch_size
        order = None
        if self.shuffle:
            order = random.resolve(self.generator).permutation(n)
        fast = isinstance(self.dataset, TensorDataset)
        if fast and order is not None:
            xp = array_module(self.dataset.arrays[0])
            if xp is not np:
                order = to_device(order, "cuda")
        stop = n - n % bs if self.drop_last else n
        for start in range(0, stop, bs):
            idx = slice(start, min(start + bs, n)) if order is None \
                else order[start:start + bs]
            if fast:
                yield tuple(Tensor._wrap(a[idx]) for a in self.dataset.arrays)
            else:
                rng = range(n)[idx] if order is None else idx.tolist()
                yield collate([self.dataset[i] for i in rng])


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
