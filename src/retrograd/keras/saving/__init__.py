"""``keras.saving``: Keras 3's files and configurations.

* ``model.save("m.keras")`` / ``load_model("m.keras")``: Keras 3's ``.keras`` zip
  (``keras_file``), which real Keras 3 opens, and which retrograd reads when Keras 3
  wrote it; other file names keep retrograd's own format (``retrograd.serialization``:
  bit-exact resumes, random generators included), and its files stay loadable.
* ``save_weights("x.weights.h5")`` / ``load_weights``: Keras 3's HDF5 layout
  (``h5_weights``).
* ``model.get_config()`` / ``from_config``, ``to_json`` / ``keras.models.model_from_json``,
  ``keras.models.clone_model``, ``serialize_keras_object`` /
  ``deserialize_keras_object``: Keras 3's configurations (``config``).
* ``register_keras_serializable`` and ``custom_objects=``: the custom classes a
  file may name (``object_registration``); nothing else can be.

>>> model.save("m.keras")                         # real Keras 3: keras.saving.load_model
>>> same = keras.saving.load_model("m.keras")
"""
import json

from .object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                  get_registered_name, get_registered_object,
                                  register_keras_serializable)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """``keras.models.load_model``: a ``.keras`` file (Keras 3's) or a retrograd
    model file, told apart by their content."""
    from ..models import load_model as load
    return load(filepath, custom_objects=custom_objects, compile=compile,
                safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """``model.save(filepath)``."""
    model.save(filepath, overwrite=overwrite, include_optimizer=include_optimizer)


def serialize_keras_object(obj):
    """Keras 3's description of a layer or a model (``{"module", "class_name",
    "config", "registered_name", …}``); plain values are returned as they are."""
    from ..layers import Layer
    from ..model import Model
    from .config import layer_to_config
    if isinstance(obj, (Layer, Model)):
        return layer_to_config(obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if hasattr(obj, "get_config"):
        return {"module": type(obj).__module__, "class_name": type(obj).__name__,
                "config": obj.get_config(), "registered_name": get_registered_name(
                    type(obj)) if get_registered_object(get_registered_name(type(obj)))
                else None}
    raise TypeError(f"serialize_keras_object: cannot describe a {type(obj).__name__}")


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The layer or model that ``serialize_keras_object`` described (through the
    allow-list: ``keras.layers``, the models, registered classes and
    ``custom_objects``)."""
    from .config import as_json, layer_from_spec
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"deserialize_keras_object: expected a dict, got "
                        f"{type(config).__name__}")
    obj = layer_from_spec(as_json(config), custom_objects)
    if hasattr(obj, "_build_layers") and getattr(obj, "input_shape_known", None) is not None:
        obj._build_layers()
    return obj


def save_weights(model, filepath, overwrite=True, **kwargs):
    """``keras.saving.save_weights(model, path)``: ``model.save_weights(path)``."""
    model.save_weights(filepath, overwrite=overwrite, **kwargs)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """``keras.saving.load_weights(model, path)``: ``model.load_weights(path)``."""
    model.load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)


def to_json(model, **kwargs):
    """``model.to_json()``: Keras 3's description of the model as JSON text."""
    from .config import model_to_config
    return json.dumps(model_to_config(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """``keras.models.model_from_json``: a new model (fresh weights) from ``to_json``'s
    text, Keras 3's or retrograd's."""
    from .config import layer_from_spec
    try:
        spec = json.loads(json_string)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"model_from_json: not valid JSON ({type(e).__name__}: "
                         f"{str(e)[:100]})") from None
    if not isinstance(spec, dict):
        raise ValueError(f"model_from_json: the JSON holds a {type(spec).__name__}, "
                         "expected an object")
    model = layer_from_spec(spec, custom_objects)
    if getattr(model, "input_shape_known", None) is not None:
        model._build_layers()
    return model


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """``keras.models.clone_model``: the same architecture with fresh weights (made
    by the layers' initializers), from the model's configuration."""
    from ..model import Model
    from .config import layer_from_spec, model_to_config
    for name, value in (("input_tensors", input_tensors), ("clone_function", clone_function),
                        ("call_function", call_function)):
        if value is not None:
            from ...missing import NotSupportedError
            raise NotSupportedError(f"clone_model: {name}= is not supported by "
                                    "retrograd.keras")
    if not isinstance(model, Model) or model._is_subclassed():
        raise ValueError(f"clone_model: expected a Sequential or functional model, got "
                         f"{type(model).__name__} (a subclassed model has no "
                         "configuration to clone)")
    clone = layer_from_spec(model_to_config(model))
    if clone.input_shape_known is not None:
        clone._build_layers()
    return clone


__all__ = ["load_model", "save_model", "register_keras_serializable",
           "get_registered_name", "get_registered_object", "serialize_keras_object",
           "deserialize_keras_object", "clone_model", "model_from_json", "save_weights",
           "load_weights", "get_custom_objects", "custom_object_scope", "CustomObjectScope"]

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
