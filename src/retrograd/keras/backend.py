"""``keras.backend``: the few functions of Keras 3's backend module that user code
calls (``backend()``, ``floatx()``, ``epsilon()``, ``clear_session()``…); the
settings themselves live in ``keras.config``."""
from .config import backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx


def clear_session(free_memory=True):
    """Keras resets its global state (layer-name counters, the graph). retrograd
    keeps no global graph and names layers per model, so there is nothing to
    reset; it returns None, as Keras's does."""
    return None


def is_keras_tensor(x):
    """Whether ``x`` is a symbolic ``KerasTensor``."""
    from .keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)


__all__ = ["backend", "floatx", "set_floatx", "epsilon", "set_epsilon",
           "image_data_format", "clear_session", "is_keras_tensor"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
