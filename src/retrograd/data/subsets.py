"""Parts and unions of datasets: ``Subset``, ``random_split``, ``ConcatDataset``."""
import bisect
import math
import warnings

import numpy as np

from ..random import resolve
from .dataset import Dataset


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: sample i is
    ``dataset[indices[i]]``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Cut ``dataset`` into non-overlapping random ``Subset`` s of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1:
    each part then gets ⌊n·fraction⌋ samples and the r left over go one each to
    parts 0, 1, …, r − 1 (PyTorch's rule). The order is a permutation drawn from
    ``generator`` (a ``retrograd.Generator``, NumPy generator or int seed), else
    from the default generator that ``manual_seed`` seeds."""
    n = len(dataset)
    lengths = list(lengths)
    if any(not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, bool)
           or v < 0 for v in lengths):
        raise ValueError(f"random_split: lengths must be counts or fractions >= 0, "
                         f"got {lengths}")
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0 "
                              f"(fraction {lengths[i]} of {n} samples)", stacklevel=2)
        lengths = counts
    if any(not float(v).is_integer() for v in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: the lengths {lengths} must be counts summing to "
                         f"len(dataset) = {n}, or fractions summing to 1")
    order = resolve(generator).permutation(n).tolist()
    parts, start = [], 0
    for length in lengths:
        parts.append(Subset(dataset, order[start:start + int(length)]))
        start += int(length)
    return parts


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other; ``cumulative_sizes[k]``
    is the number of samples in the first k + 1."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expected at least one dataset")
        self.cumulative_sizes, total = [], 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError(f"ConcatDataset: index {idx} is out of range for "
                                 f"{n} samples")
            idx += n
        if idx >= n:
            raise IndexError(f"ConcatDataset: index {idx} is out of range for {n} samples")
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[k - 1] if k else 0
        return self.datasets[k][idx - start]


__all__ = ["Subset", "random_split", "ConcatDataset"]
