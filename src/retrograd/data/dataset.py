"""Datasets: indexable collections of samples."""
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
