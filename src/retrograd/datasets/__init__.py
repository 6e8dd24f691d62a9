"""Datasets of the course, read from local files or downloaded and checked.

* ``mnist.load_data()``, ``fashion_mnist.load_data()``: Keras's arrays, from the
  four IDX files (see ``files`` for where they are searched);
* ``digits()``: scikit-learn's bundled 8×8 digits, always available offline.
"""
from . import fashion_mnist, mnist
from .digits import digits
from .files import DatasetNotFoundError
from .idx import CorruptFileError, read_idx

__all__ = ["mnist", "fashion_mnist", "digits", "read_idx", "CorruptFileError",
           "DatasetNotFoundError"]
