"""``keras.initializers``: Keras's initialiser classes and names (``retrograd.nn.init``)."""
from ..nn.init import (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity,
                       Initializer, LecunNormal, LecunUniform, Ones, Orthogonal, RandomNormal,
                       RandomUniform, TruncatedNormal, VarianceScaling, Zeros, get)

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal",
           "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity",
           "get"]
