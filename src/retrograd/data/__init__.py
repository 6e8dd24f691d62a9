"""Data iteration: a ``Dataset`` of samples and a ``DataLoader`` of batches.

The course's three modes of gradient descent are one parameter of the loader:
``batch_size=1`` is online SGD, ``batch_size=len(data)`` full-batch gradient
descent, anything between is mini-batch SGD. The names are PyTorch's
(``torch.utils.data``): ``retrograd.utils.data`` is this module.
"""
from .dataloader import DataLoader, default_convert, get_worker_info
from .dataloader import collate as default_collate
from .dataset import ChainDataset, Dataset, IterableDataset, StackDataset, TensorDataset
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
from .subsets import ConcatDataset, Subset, random_split

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate", "Subset",
           "random_split", "ConcatDataset", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "IterableDataset", "ChainDataset", "StackDataset", "default_convert",
           "get_worker_info"]
