"""``keras.regularizers``: ``L1``, ``L2``, ``L1L2`` (``retrograd.nn.regularizers``)."""
from ..nn.regularizers import L1, L1L2, L2, Regularizer, get

l1, l2, l1_l2 = L1, L2, L1L2


def serialize(regularizer):
    """Keras 3's description of a regularizer: {"module", "class_name", "config",
    "registered_name"}."""
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """The regularizer ``serialize`` described (or a name, as ``get``)."""
    if isinstance(config, dict) and custom_objects and \
            config.get("class_name") in custom_objects:
        return custom_objects[config["class_name"]](**config.get("config", {}))
    return get(config)


__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize",
           "deserialize"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
