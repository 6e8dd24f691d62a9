"""``keras.activations``: the activations by Keras name (``retrograd.nn.activations``)."""
from ..nn.activations import *  # noqa: F401,F403
from ..nn.activations import get, serialize  # noqa: F401
