"""``retrograd.vision``: the part of torchvision that the course's next steps use —
``datasets.MNIST`` / ``datasets.FashionMNIST`` and the ``transforms`` that prepare
them (``Compose``, ``ToTensor``, ``Normalize``, ``Lambda``), so that PyTorch's MNIST
example runs with ``from retrograd.vision import datasets, transforms`` in place of
``from torchvision import datasets, transforms``.
"""
from . import datasets, transforms

__all__ = ["datasets", "transforms"]
