"""Keras layers, as thin wrappers over ``retrograd.nn`` modules, one module per family
as in Keras: ``layer`` (the base class), ``core``, ``activations``, ``merging``.

Each layer takes Keras's argument names (``units``, ``activation``,
``input_dim``/``input_shape``, ``name``, ``kernel_initializer``, …), creates its
weights in ``build(input_shape)`` (so ``Dense(10)`` needs no input size until the
model knows it), and computes with the ``nn`` module it wraps.

>>> model = Sequential()
>>> model.add(Dense(10, input_dim=784, name="fc1"))
>>> model.add(Activation("softmax"))
"""
from .activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .convolutional import Conv1D, Conv2D, Conv2DTranspose
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Reshape
from .embedding import Embedding
from .layer import Layer
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                      average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAvgPool1D,
                      GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from .preprocessing import Normalization, Rescaling
from .recurrent import GRU, LSTM, SimpleRNN
from .regularization import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from .reshaping import ZeroPadding2D
from .wrappers import Bidirectional, TimeDistributed

# The layer classes a model file may name (the allow-list of keras.models.load_model).
CLASSES = {c.__name__: c for c in (Dense, Activation, Dropout, Flatten, Reshape, ReLU,
                                   LeakyReLU, PReLU, ELU, Softmax, InputLayer, Add,
                                   Subtract, Multiply, Average, Maximum, Minimum,
                                   Concatenate, Dot)}
CLASSES.update({c.__name__: c for c in (BatchNormalization, LayerNormalization, Embedding,
                                        Normalization, Rescaling, SpatialDropout1D,
                                        SpatialDropout2D, SpatialDropout3D)})
CLASSES.update({c.__name__: c for c in (Conv1D, Conv2D, Conv2DTranspose, MaxPooling1D,
                                        MaxPooling2D, AveragePooling1D, AveragePooling2D,
                                        GlobalAveragePooling1D, GlobalAveragePooling2D,
                                        GlobalMaxPooling1D, GlobalMaxPooling2D, ZeroPadding2D)})
CLASSES.update({c.__name__: c for c in (SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed)})

__all__ = ["Layer", "Input", "Lambda", *CLASSES, "add", "subtract", "multiply", "average",
           "maximum", "minimum", "concatenate", "dot",
           "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D",
           "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D"]

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
