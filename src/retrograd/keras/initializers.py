"""``keras.initializers``: Keras's initialiser classes and names (``retrograd.nn.init``).

As in Keras, the snake_case names (``glorot_uniform``, ``he_normal``…) are the classes
themselves, so ``keras.initializers.he_normal(seed=1)`` makes a ``HeNormal``."""
from ..nn.init import (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity,
                       Initializer, LecunNormal, LecunUniform, Ones, Orthogonal, RandomNormal,
                       RandomUniform, TruncatedNormal, VarianceScaling, Zeros, get)

# Keras's aliases: other names of the same classes
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal = HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


def serialize(initializer):
    """``{"class_name": …, "config": …}`` of a Keras initialiser."""
    if not isinstance(initializer, Initializer):
        raise TypeError(f"keras.initializers.serialize: expected a keras.initializers."
                        f"Initializer, got {type(initializer).__name__}")
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """An initialiser from ``serialize``'s dict (or a name)."""
    if isinstance(config, dict) and custom_objects:
        cls = custom_objects.get(config.get("class_name"))
        if cls is not None:
            return cls(**config.get("config", {}))
    return get(config)


__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal",
           "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity",
           "IdentityInitializer", "OrthogonalInitializer", "zeros", "ones", "constant",
           "random_uniform", "random_normal", "truncated_normal", "variance_scaling",
           "orthogonal", "identity", "glorot_uniform", "glorot_normal", "he_uniform",
           "he_normal", "lecun_uniform", "lecun_normal", "get", "serialize", "deserialize"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
