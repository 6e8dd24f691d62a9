"""``keras.activations``: the activations by Keras name (``retrograd.nn.activations``)."""
from ..nn.activations import *  # noqa: F401,F403
from ..nn.activations import get, serialize  # noqa: F401

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
