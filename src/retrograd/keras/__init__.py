"""``retrograd.keras``: the Keras 3 API over ``retrograd.nn`` and ``retrograd.optim``.

Keras code written for TensorFlow runs with only its imports changed::

    from retrograd import keras                         # was: from tensorflow import keras
    from retrograd.keras.datasets import mnist          # was: from keras.datasets import mnist
    from retrograd.keras import Sequential              # was: from tensorflow.keras import …
    from retrograd.keras.layers import Dense, Activation

See ``docs/keras.md`` for the course's script and the differences from Keras.
"""
from . import (activations, backend, callbacks, config, datasets, initializers, layers, losses,
               metrics, models, ops, optimizers, preprocessing, random, regularizers, saving,
               utils)
from .device_scope import device
from .keras_tensor import KerasTensor
from .layers import Input, Layer
from .models import Model, Sequential, load_model
from .utils import set_random_seed, to_categorical
from .variables import Variable

__all__ = ["Sequential", "Model", "Input", "KerasTensor", "Layer", "load_model", "layers",
           "losses", "metrics", "optimizers", "callbacks", "utils", "datasets", "activations",
           "initializers", "regularizers", "models", "to_categorical", "set_random_seed",
           "device", "ops", "random", "config", "backend", "saving", "Variable",
           "preprocessing"]
