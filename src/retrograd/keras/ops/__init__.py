"""``keras.ops``: Keras 3's operations on retrograd tensors — the NumPy-like
functions (``ops.numpy``, all of them here too) and the neural-network ones
(``ops.nn``).

Every keras-io guide starts with ``from keras import ops``; with
``from retrograd.keras import ops`` the same calls take retrograd tensors, NumPy
arrays and Python numbers and return retrograd tensors through whose ops
gradients flow. See ``numpy.py`` for the rules (Keras's names, defaults and dtypes;
symbolic ``KerasTensor`` inputs make nodes of a functional model).
"""
from . import nn, numpy
from .numpy import *  # noqa: F401,F403  (keras.ops.matmul is keras.ops.numpy.matmul)
from .numpy import __all__ as _numpy_all

__all__ = ["nn", "numpy", *_numpy_all]

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
