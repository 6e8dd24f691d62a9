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
from .layers import Input, InputSpec, Layer
from .models import Model, Sequential, load_model
from .utils import set_random_seed, to_categorical
from .variables import Variable
from . import constraints, tree  # noqa: E402  (keras.constraints, keras.tree)
from .initializers import Initializer  # noqa: E402  (Keras 3's top-level base classes)
from .losses import Loss  # noqa: E402
from .metrics import Metric  # noqa: E402
from .optimizers import Optimizer  # noqa: E402
from .regularizers import Regularizer  # noqa: E402


def version():
    """The version of Keras 3 whose API ``retrograd.keras`` follows (Keras's
    ``keras.version()`` returns its own)."""
    return "3.15.1"


__all__ = ["Sequential", "Model", "Input", "InputSpec", "KerasTensor", "Layer", "load_model",
           "layers",
           "losses", "metrics", "optimizers", "callbacks", "utils", "datasets", "activations",
           "initializers", "regularizers", "models", "to_categorical", "set_random_seed",
           "device", "ops", "random", "config", "backend", "saving", "Variable",
           "preprocessing"]
__all__ += ["constraints", "tree", "version", "Loss", "Metric", "Optimizer", "Initializer",
            "Regularizer"]
