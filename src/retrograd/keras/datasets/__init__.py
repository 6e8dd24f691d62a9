"""``keras.datasets``: ``mnist`` and ``fashion_mnist`` (see ``retrograd.datasets``)."""
from ...datasets import fashion_mnist, mnist

__all__ = ["mnist", "fashion_mnist"]
