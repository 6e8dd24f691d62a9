"""``keras.initializers``: Keras's initialiser classes and names (``retrograd.nn.init``)."""
from ..nn.init import (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity,
                       Initializer, LecunNormal, LecunUniform, Ones, Orthogonal, RandomNormal,
                       RandomUniform, TruncatedNormal, VarianceScaling, Zeros, get)

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal",
           "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity",
           "get"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
