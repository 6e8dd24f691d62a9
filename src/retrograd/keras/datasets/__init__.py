"""``keras.datasets``: ``mnist`` and ``fashion_mnist`` (see ``retrograd.datasets``)."""
from ...datasets import fashion_mnist, mnist

__all__ = ["mnist", "fashion_mnist"]

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
