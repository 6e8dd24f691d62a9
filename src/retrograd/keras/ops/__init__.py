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

# keras.ops.gelu is keras.ops.nn.gelu; control flow and slicing are keras.ops.core's.
from . import core, image  # noqa: E402
from .core import *  # noqa: F401,F403,E402
from .nn import *  # noqa: F401,F403,E402
__all__ += ["core", "image", *core.__all__, *(n for n in nn.__all__ if n not in __all__)]

# keras.ops.det is keras.ops.linalg.det (and norm, solve, svd… with slogdet, cdist).
from . import linalg  # noqa: E402
globals().update({_n: getattr(linalg, _n) for _n in linalg.TOP_LEVEL})
__all__ += ["linalg", *linalg.TOP_LEVEL]

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
