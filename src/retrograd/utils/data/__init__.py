"""``retrograd.utils.data``: PyTorch's ``torch.utils.data`` names.

Everything here is ``retrograd.data``'s own objects: ``Dataset``, ``TensorDataset``,
``DataLoader`` (PyTorch's arguments; loading in the calling process, no worker
processes), ``default_collate``, ``Subset``, ``random_split``, ``ConcatDataset`` and
the samplers. A batch of tuple samples is a tuple (PyTorch: a list).
"""
from ...data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler,
                     Sampler, SequentialSampler, Subset, SubsetRandomSampler,
                     TensorDataset, WeightedRandomSampler, default_collate, random_split)
from ...data import (ChainDataset, IterableDataset, StackDataset, default_convert,
                     get_worker_info)
from ...missing import module_getattr

__getattr__ = module_getattr(__name__, {
    "DistributedSampler": "retrograd.distributed.DistributedSampler shards the data "
                          "over MPI ranks (its own API; docs/distributed.md)",
})

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate", "Subset",
           "random_split", "ConcatDataset", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler"]
