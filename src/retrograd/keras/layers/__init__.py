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
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from .layer import Layer
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
                      add, average, concatenate, dot, maximum, minimum, multiply, subtract)

# The layer classes a model file may name (the allow-list of keras.models.load_model).
CLASSES = {c.__name__: c for c in (Dense, Activation, Dropout, Flatten, Reshape, ReLU,
                                   LeakyReLU, PReLU, ELU, Softmax, InputLayer, Add,
                                   Subtract, Multiply, Average, Maximum, Minimum,
                                   Concatenate, Dot)}

__all__ = ["Layer", "Input", *CLASSES, "add", "subtract", "multiply", "average", "maximum",
           "minimum", "concatenate", "dot"]
