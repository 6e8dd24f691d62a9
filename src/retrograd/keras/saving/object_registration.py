"""Custom classes a configuration may name: ``@keras.saving.register_keras_serializable``
and ``custom_objects=``, as in Keras 3.

A configuration names a class by ``class_name`` (and, for a registered class,
``registered_name``: ``"package>Name"``). It is looked up in this registry, the
``custom_objects`` given, and the allow-list of built-in classes — never imported
from the ``module`` the file states, so a file cannot reach arbitrary code.

>>> @keras.saving.register_keras_serializable(package="demo")
... class Scale(keras.layers.Layer): ...
>>> keras.saving.get_registered_name(Scale)
'demo>Scale'
"""

_REGISTRY = {}          # "package>Name" -> class or function
_NAMES = {}             # id(class or function) -> "package>Name"


def register_keras_serializable(package="Custom", name=None):
    """A decorator that lets model files name the class (or function) as
    ``"package>name"`` (``name`` defaults to the class's)."""
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"register_keras_serializable: package must be a string without "
                         f"'>', got package={package!r}")

    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: {obj.__name__} cannot be "
                             "registered because it has no get_config()")
        _REGISTRY[key] = obj
        _NAMES[id(obj)] = key
        return obj
    return decorator


def get_registered_name(obj):
    """``"package>Name"`` for a registered object, else its ``__name__``."""
    return _NAMES.get(id(obj), getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered (or given in ``custom_objects``/``module_objects``)
    under ``name``, or None."""
    for table in (custom_objects or {}, _REGISTRY, module_objects or {}):
        if name in table:
            return table[name]
    return None


def registered_name_of(cls):
    """The registered name of ``cls`` or None (built-in classes)."""
    return _NAMES.get(id(cls))


def lookup(class_name, registered_name, custom_objects, allowed):
    """The class a configuration names: by ``registered_name`` in the registry or
    ``custom_objects``, else by ``class_name`` in ``custom_objects`` or ``allowed``.
    None when it is not known (the caller refuses it, naming it)."""
    custom = custom_objects or {}
    if isinstance(registered_name, str):
        for key in (registered_name, registered_name.split(">")[-1]):
            if key in custom:
                return custom[key]
        if registered_name in _REGISTRY:
            return _REGISTRY[registered_name]
    if not isinstance(class_name, str):
        return None
    if class_name in custom:
        return custom[class_name]
    if class_name in allowed:
        return allowed[class_name]
    # A registered class saved without its registered name (older files).
    found = [v for k, v in _REGISTRY.items() if k.split(">")[-1] == class_name]
    return found[0] if len(found) == 1 else None


def get_custom_objects():
    """The global dict of custom objects (Keras's ``GLOBAL_CUSTOM_OBJECTS``): what
    ``register_keras_serializable`` registers ("package>Name"), and what one adds by
    hand (``get_custom_objects()["MyLayer"] = MyLayer``) for files to name."""
    return _REGISTRY


class CustomObjectScope:
    """``with custom_object_scope({"MyLayer": MyLayer}):`` — the objects are known to
    ``load_model``/``from_config`` inside the block only (several dicts may be given)."""

    def __init__(self, *args):
        for a in args:
            if not isinstance(a, dict):
                raise TypeError(f"custom_object_scope: expected dicts of custom objects, got "
                                f"{type(a).__name__}")
        self.custom_objects = {k: v for a in args for k, v in a.items()}
        self._saved = None

    def __enter__(self):
        registry = _REGISTRY
        self._saved = {k: registry[k] for k in self.custom_objects if k in registry}
        registry.update(self.custom_objects)
        return self

    def __exit__(self, *exc):
        registry = _REGISTRY
        for k in self.custom_objects:
            registry.pop(k, None)
        registry.update(self._saved)
        return False


custom_object_scope = CustomObjectScope
