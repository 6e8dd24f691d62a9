"""Data iteration: a ``Dataset`` of samples and a ``DataLoader`` of batches.

The course's three modes of gradient descent are one parameter of the loader:
``batch_size=1`` is online SGD, ``batch_size=len(data)`` full-batch gradient
descent, anything between is mini-batch SGD. The names are PyTorch's
(``torch.utils.data``): ``retrograd.utils.data`` is this module.
"""
from .dataloader import DataLoader
from .dataloader import collate as default_collate
from .dataset import Dataset, TensorDataset
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
from .subsets import ConcatDataset, Subset, random_split
from .iterable import (ChainDataset, IterableDataset, StackDataset, default_convert,  # noqa: E402
                       get_worker_info)
from .iterable import DataLoader  # noqa: E402,F811  (the loader, also over an IterableDataset)

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate", "Subset",
           "random_split", "ConcatDataset", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler"]
