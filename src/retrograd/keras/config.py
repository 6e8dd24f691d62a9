"""``keras.config``: the global settings Keras 3 code reads and sets.

retrograd.keras holds its weights in float32 and its data channels-last, so
``set_floatx`` and ``set_image_data_format`` accept those values and refuse the
others by name. ``epsilon`` is the fuzz factor the probability losses clip with
(``keras.losses`` and ``keras.ops.nn``'s cross-entropies): ``set_epsilon`` changes
both.

``backend()`` returns ``"numpy"``: a retrograd tensor's values are a NumPy array
(``x.array``), and Keras code that branches on the backend
(``if keras.config.backend() == "torch": import torch …``) must take its generic
path, not one that needs TensorFlow, JAX or PyTorch objects. Code that refuses to
train on Keras's NumPy backend will refuse here too.
"""
from . import losses as _losses

_FLOATX = "float32"
_IMAGE_DATA_FORMAT = "channels_last"


def floatx():
    """The default float dtype, as a string: ``"float32"``."""
    return _FLOATX


def set_floatx(value):
    """Keras's ``set_floatx``: only ``"float32"`` is accepted (retrograd.keras's
    layers and ``keras.Input`` hold float32 weights and values)."""
    name = getattr(value, "name", value)
    if name != "float32":
        raise ValueError(f"keras.config.set_floatx: only 'float32' is supported by "
                         f"retrograd.keras (its layers hold float32 weights), got {value!r}")


def epsilon():
    """The fuzz factor (Keras's default 1e-7): probabilities are clipped to
    [ε, 1 − ε] before a logarithm."""
    return _losses.EPSILON


def set_epsilon(value):
    """Set the fuzz factor ``epsilon()`` returns and the losses clip with."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not 0 < float(value) < 0.5:
        raise ValueError(f"keras.config.set_epsilon: expected a number in (0, 0.5), "
                         f"got {value!r}")
    _losses.EPSILON = float(value)


def backend():
    """The backend's name: ``"numpy"`` (see the module's docstring)."""
    return "numpy"


def image_data_format():
    """Where image channels are: ``"channels_last"``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Keras's ``set_image_data_format``: only ``"channels_last"`` is accepted."""
    if data_format != "channels_last":
        raise ValueError(f"keras.config.set_image_data_format: only 'channels_last' is "
                         f"supported by retrograd.keras, got {data_format!r}")


def enable_unsafe_deserialization():
    """Accepted for Keras code that calls it before ``load_model``. retrograd's model
    files hold JSON and arrays, never code (no pickled lambdas), so loading one
    runs nothing and there is nothing to enable."""

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
