"""Samplers: the order in which a ``DataLoader`` visits a dataset, as PyTorch's.

A sampler is an iterable of indices (a ``BatchSampler`` one of lists of indices) with
a ``len``; ``DataLoader(ds, sampler=…)`` batches the indices it yields,
``DataLoader(ds, batch_sampler=…)`` takes its batches as they come. Any iterable of
indices will do (a list, a ``range``); the classes below are PyTorch's. The random
ones draw from ``generator`` (a ``retrograd.Generator``, a NumPy generator or an int
seed) or else from the default generator that ``retrograd.manual_seed`` seeds: the
same seed gives the same order in every retrograd run, not PyTorch's order.
"""
import numpy as np

from .. import random


class Sampler:
    """Base class of samplers: subclasses define ``__iter__`` (indices) and, usually,
    ``__len__``."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} does not define __iter__")


class SequentialSampler(Sampler):
    """0, 1, …, len(data_source) − 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation of the indices at each pass; with ``replacement``,
    ``num_samples`` indices drawn uniformly with replacement. Without replacement,
    ``num_samples`` > len(data_source) chains whole permutations, as PyTorch does."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = _generator(generator)
        # (An empty data source gives an empty pass; PyTorch refuses it.)
        if num_samples is not None and not _positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples!r}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def indices(self):
        """One pass's indices, as an int64 array."""
        n, k = len(self.data_source), self.num_samples
        rng = random.resolve(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=k, dtype=np.int64)
        if n == 0:
            return np.zeros(0, np.int64)
        parts = [rng.permutation(n) for _ in range(k // n)]
        if k % n:
            parts.append(rng.permutation(n)[:k % n])
        return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a fresh random order at each pass."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = _generator(generator)

    def __iter__(self):
        order = random.resolve(self.generator).permutation(len(self.indices))
        return (self.indices[i] for i in order.tolist())

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices of ``range(len(weights))`` drawn with probabilities
    proportional to ``weights`` (with or without ``replacement``)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement!r}")
        w = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights,
                       dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have "
                             f"shape {tuple(w.shape)}")
        self.weights, self.num_samples, self.replacement = w, int(num_samples), replacement
        self.generator = _generator(generator)

    def __iter__(self):
        w = self.weights
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: the weights must be finite, >= 0, "
                               "and not all zero")
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {self.num_samples} "
                               f"samples without replacement from "
                               f"{np.count_nonzero(w)} non-zero weights")
        rng = random.resolve(self.generator)
        return iter(rng.choice(len(w), size=self.num_samples, replace=self.replacement,
                               p=w / w.sum()).tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices of ``sampler`` (the last one shorter unless
    ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        if not _positive_int(batch_size):
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _positive_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0


def _generator(generator):
    """A generator kept by a sampler: an int seed becomes one generator now, so that
    successive passes differ while the whole run stays reproducible."""
    return None if generator is None else random.resolve(generator)


__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]
