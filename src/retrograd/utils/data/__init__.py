"""``retrograd.utils.data``: PyTorch's ``torch.utils.data`` names.

``Dataset``, ``TensorDataset``, ``DataLoader`` and ``default_collate`` are
``retrograd.data``'s own objects; ``Subset``, ``random_split`` and
``ConcatDataset`` are in ``subsets.py``. The loader reads in the calling process
(no worker processes) and batches a tuple sample into a tuple (PyTorch: a list).
"""
from ...data import DataLoader, Dataset, TensorDataset
from ...data.dataloader import collate as default_collate
from ...missing import module_getattr
from .subsets import ConcatDataset, Subset, random_split

_SAMPLERS = ("no samplers: DataLoader(shuffle=True, generator=…) draws a fresh "
             "permutation each epoch; for a subset use Subset or random_split")
__getattr__ = module_getattr(__name__, {
    "IterableDataset": "no iterable-style datasets; a Dataset defines __len__ and "
                       "__getitem__, or iterate over your own generator",
    "ChainDataset": "no iterable-style datasets; use ConcatDataset",
    "StackDataset": "no StackDataset; TensorDataset(x, y) pairs arrays sample by sample",
    "get_worker_info": "the DataLoader has no worker processes",
    "default_convert": "no default_convert; default_collate batches samples",
    "Sampler": _SAMPLERS, "SequentialSampler": _SAMPLERS, "RandomSampler": _SAMPLERS,
    "SubsetRandomSampler": _SAMPLERS, "WeightedRandomSampler": _SAMPLERS,
    "BatchSampler": _SAMPLERS,
    "DistributedSampler": "retrograd.distributed.DistributedSampler shards the data "
                          "over MPI ranks (its own API; docs/distributed.md)",
})

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate", "Subset",
           "random_split", "ConcatDataset"]
