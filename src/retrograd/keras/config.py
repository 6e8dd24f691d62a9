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
import difflib
import json
import os

from ..missing import NotSupportedError
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

# -- logging, tracebacks, flash attention: flags code sets and reads -------------------
_FLAGS = {"interactive_logging": True, "traceback_filtering": True, "flash_attention": None}


def enable_interactive_logging():
    """Messages of ``fit`` and the callbacks ("Epoch 1/3", early stopping, …) go
    to stdout (the default)."""
    _FLAGS["interactive_logging"] = True


def disable_interactive_logging():
    """Messages go to the ``logging`` module at INFO level instead of stdout (Keras
    sends them to absl's): by default nothing is printed — but, as Keras 3.15's
    verbose=1 progress bar, retrograd's still is; verbose=2's epoch lines are not."""
    _FLAGS["interactive_logging"] = False


def is_interactive_logging_enabled():
    """Whether messages go to stdout (True by default)."""
    return _FLAGS["interactive_logging"]


def enable_traceback_filtering():
    """Stored for Keras code that sets it; retrograd's tracebacks are not filtered
    (they are short: no compiled graph frames)."""
    _FLAGS["traceback_filtering"] = True


def disable_traceback_filtering():
    """Stored flag (see ``enable_traceback_filtering``)."""
    _FLAGS["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """The stored flag (True by default, as Keras)."""
    return _FLAGS["traceback_filtering"]


def enable_flash_attention():
    """Stored flag: retrograd has no flash-attention kernel, so it changes nothing.
    As Keras, enabling stores None ("use it where possible")."""
    _FLAGS["flash_attention"] = None


def disable_flash_attention():
    """Stored flag (False)."""
    _FLAGS["flash_attention"] = False


def is_flash_attention_enabled():
    """The stored flag: None (Keras's default, "where possible") or False."""
    return _FLAGS["flash_attention"]


def is_nnx_enabled():
    """False: Flax NNX is a JAX backend's option, never on here."""
    return False


# -- fit caps (Keras's debugging limits; also read from the environment) -----------------
def _cap_from_env(name):
    value = os.environ.get(name)
    return int(value) if value else None


_CAPS = {"max_epochs": _cap_from_env("KERAS_MAX_EPOCHS"),
         "max_steps_per_epoch": _cap_from_env("KERAS_MAX_STEPS_PER_EPOCH")}


def _set_cap(key, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"keras.config.set_{key}: expected an int or None, got {value!r}")
    _CAPS[key] = value


def set_max_epochs(max_epochs):
    """Cap the epochs of every ``fit`` (None: no cap); ``KERAS_MAX_EPOCHS`` sets it
    from the environment."""
    _set_cap("max_epochs", max_epochs)


def max_epochs():
    """The cap on the epochs of ``fit``, or None."""
    return _CAPS["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the steps of each epoch of fit/evaluate/predict (None: no cap);
    ``KERAS_MAX_STEPS_PER_EPOCH`` sets it from the environment."""
    _set_cap("max_steps_per_epoch", max_steps_per_epoch)


def max_steps_per_epoch():
    """The cap on the steps per epoch, or None."""
    return _CAPS["max_steps_per_epoch"]


# -- dtype policy, backend ---------------------------------------------------------------
class DTypePolicy:
    """Keras's dtype policy, float32 only here: weights and computations in
    ``variable_dtype`` = ``compute_dtype`` = "float32"."""

    def __init__(self, name="float32"):
        self.name = name
        self.compute_dtype = self.variable_dtype = name
        self.quantization_mode = None

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'

    def get_config(self):
        return {"name": self.name}


_POLICY = DTypePolicy()


def dtype_policy():
    """The global dtype policy: ``<DTypePolicy "float32">``."""
    return _POLICY


def set_dtype_policy(policy):
    """Keras's ``set_dtype_policy``: "float32" (or its policy) is accepted; mixed
    precision, float16/bfloat16/float64 and quantized policies raise
    NotSupportedError (retrograd.keras's layers hold float32 weights)."""
    name = getattr(policy, "name", policy)
    if not isinstance(name, str):
        raise ValueError(f"Invalid `policy` argument. Expected the string name of a policy "
                         f"(such as 'mixed_float16') or a `DTypePolicy` instance. Received: "
                         f"policy={policy!r} (of type {type(policy)})")
    if name != "float32":
        raise NotSupportedError(f"keras.config.set_dtype_policy({name!r}): retrograd.keras "
                                f"runs in float32 only (its layers hold float32 weights)")


def set_backend(backend):
    """Keras reloads itself on another backend. retrograd.keras is one backend
    (NumPy/CuPy arrays, PyTorch-like autograd): "numpy" and "torch" (the backend a
    Keras 3 script written for PyTorch names) are accepted and change nothing;
    "jax", "tensorflow", "openvino" raise NotSupportedError."""
    if backend not in ("numpy", "torch"):
        raise NotSupportedError(f"keras.config.set_backend({backend!r}): retrograd.keras "
                                f"has one backend (NumPy/CuPy arrays; 'numpy' and 'torch' "
                                f"are accepted)")


class Config:
    """Keras's ``keras.utils.Config``: a dict of named values read and set as
    attributes or items (``c.lr = 0.1``, ``c["lr"]``), ``freeze()``-able (then any
    change raises ValueError), ``as_dict()``, ``to_json()``; iterates over its
    keys in sorted order."""

    __attrs__ = None

    def __init__(self, **kwargs):
        self._config = kwargs
        self._frozen = False
        self.__attrs__ = set(dir(self))

    @property
    def frozen(self):
        """Whether the config refuses changes."""
        return self._frozen

    def freeze(self):
        self._frozen = True

    def unfreeze(self):
        self._frozen = False

    def _raise_if_frozen(self):
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    def as_dict(self):
        return dict(self._config)

    def to_json(self):
        return json.dumps(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def pop(self, *args):
        self._raise_if_frozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        self._raise_if_frozen()
        return self._config.update(*args, **kwargs)

    def get(self, keyname, value=None):
        return self._config.get(keyname, value)

    def __setattr__(self, name, value):
        attrs = object.__getattribute__(self, "__attrs__")
        if attrs is None or name in attrs:     # the object's own attributes
            return object.__setattr__(self, name, value)
        self._raise_if_frozen()
        self._config[name] = value

    def __getattr__(self, name):
        attrs = object.__getattribute__(self, "__attrs__")
        if attrs is None or name in attrs:
            return object.__getattribute__(self, name)
        if name in self._config:
            return self._config[name]
        msg = f"Unknown attribute: '{name}'."
        close = difflib.get_close_matches(name, self._config.keys(), n=1, cutoff=0.7)
        if close:
            msg += f" Did you mean '{close[0]}'?"
        raise AttributeError(msg)

    def __setitem__(self, key, item):
        self._raise_if_frozen()
        self._config[key] = item

    def __getitem__(self, key):
        return self._config[key]

    def __delitem__(self, key):
        self._raise_if_frozen()
        del self._config[key]

    def __contains__(self, item):
        return item in self._config

    def __iter__(self):
        return iter(sorted(self._config))

    def __len__(self):
        return len(self._config)

    def __repr__(self):
        return f"<Config {self._config}>"


from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
