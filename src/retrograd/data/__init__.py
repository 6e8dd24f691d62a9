"""Data iteration: a ``Dataset`` of samples and a ``DataLoader`` of batches.

The course's three modes of gradient descent are one parameter of the loader:
``batch_size=1`` is online SGD, ``batch_size=len(data)`` full-batch gradient
descent, anything between is mini-batch SGD.
"""
from .dataloader import DataLoader
from .dataset import Dataset, TensorDataset

__all__ = ["Dataset", "TensorDataset", "DataLoader"]
