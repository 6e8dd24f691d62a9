"""Parametrizations, as ``torch.nn.utils.parametrize``: a module's tensor computed
from others on every access, ``weight = f(original)``.

``register_parametrization(module, "weight", f)`` moves the parameter to
``module.parametrizations.weight.original`` (or ``original0``, ``original1``… when
``f.right_inverse`` splits it, as weight normalisation does into g and v) and
gives the module's class a property ``weight`` that returns f(original). The
optimiser trains the originals; the graph runs through f. Assigning
``module.weight = W`` stores ``f.right_inverse(W)``.

>>> class Symmetric(nn.Module):
...     def forward(self, X): return X.triu() + X.triu(1).mT
>>> register_parametrization(layer, "weight", Symmetric())
"""
import contextlib

from ...function import no_grad
from ...tensor import Tensor
from ..containers import ModuleList
from ..containers_dict import ModuleDict
from ..module import Module
from ..parameter import Parameter

_cache_enabled = 0
_cache = {}


@contextlib.contextmanager
def cached():
    """Inside, each parametrized tensor is computed once and reused (a recurrent
    loop reading the weight at every step computes it once)."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _copy_into(target, value):
    # In place, so the Parameter an optimiser holds stays the same object.
    if tuple(target.shape) == tuple(value.shape) and target.dtype == value.dtype:
        target.array[...] = value.array
    else:
        target.data = value.array.copy()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor (applied in order) and its originals."""

    def __init__(self, modules, original, unsafe=False):
        if not modules:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        object.__setattr__(self, "unsafe", unsafe)
        original_shape, original_dtype = tuple(original.shape), original.dtype
        with no_grad():
            new = original.detach()
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    new = module.right_inverse(new)
        if not isinstance(new, Tensor) and not isinstance(new, (tuple, list)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f"(list, tuple...). Got {type(new).__name__}")
        object.__setattr__(self, "is_tensor", isinstance(new, Tensor))
        object.__setattr__(self, "ntensors", 1 if self.is_tensor else len(new))
        if self.is_tensor:
            if not unsafe and (tuple(new.shape) != original_shape or
                               new.dtype != original_dtype):
                raise ValueError("When `right_inverse` outputs one tensor, it may not change "
                                 f"the dtype or shape.\noriginal.dtype: {original_dtype}\n"
                                 f"right_inverse(original).dtype: {new.dtype}\n"
                                 f"original.shape: {original_shape}\n"
                                 f"right_inverse(original).shape: {tuple(new.shape)}\n")
            _copy_into(original, new)
            if not isinstance(original, Parameter):
                original = Parameter(original, requires_grad=original.requires_grad)
            self.register_parameter("original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError("'right_inverse' must return a sequence of tensors. "
                                     f"Got {type(t).__name__}.")
                self.register_parameter(f"original{i}", Parameter(
                    t.detach().array.copy(), requires_grad=original.requires_grad))
        if not unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError("A parametrization must return a tensor. Got "
                                 f"{type(z).__name__}.")
            if tuple(z.shape) != original_shape or z.dtype != original_dtype:
                raise ValueError("Registering a parametrization may not change the shape "
                                 f"or dtype of the tensor: {original_shape} {original_dtype}"
                                 f" → {tuple(z.shape)} {z.dtype}")

    def right_inverse(self, value):
        """Store ``value`` as the parametrized tensor: originals ← the right inverses."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got "
                                     f"{type(value).__name__}")
                _copy_into(self.original, value)
            else:
                if len(value) != self.ntensors:
                    raise ValueError(f"'right_inverse' must return a sequence of tensors of "
                                     f"length {self.ntensors}. Got a sequence of length "
                                     f"{len(value)}")
                for i, t in enumerate(value):
                    _copy_into(getattr(self, f"original{i}"), t)

    def forward(self):
        modules = list(self)
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _inject_new_class(module):
    """Give ``module`` its own subclass, ``Parametrized<Class>``, to hold the properties."""
    cls = module.__class__
    new = type(f"Parametrized{cls.__name__}", (cls,), {"__module__": cls.__module__})
    new._parametrized_base = cls
    module.__class__ = new


def _inject_property(module, tensor_name):
    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if _cache_enabled:
            key = (id(self), tensor_name)
            if key not in _cache:
                _cache[key] = parametrization()
            return _cache[key]
        return parametrization()

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def is_parametrized(module, tensor_name=None):
    """Whether ``module`` has a parametrization (on ``tensor_name``, if given)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Compute ``module.<tensor_name>`` as ``parametrization(original)`` from now on
    (a second registration on the same name chains after the first). Returns ``module``."""
    if not isinstance(parametrization, Module):
        raise TypeError(f"register_parametrization: the parametrization must be an "
                        f"nn.Module, got {type(parametrization).__name__}")
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            Y = getattr(module, tensor_name)
            X = parametrization(Y)
            if not isinstance(X, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got "
                                 f"{type(X).__name__}.")
            if tuple(X.shape) != tuple(Y.shape) or X.dtype != Y.dtype:
                raise ValueError("Registering a parametrization may not change the shape "
                                 f"or dtype of the tensor: {tuple(Y.shape)} {Y.dtype} → "
                                 f"{tuple(X.shape)} {X.dtype}")
        module.parametrizations[tensor_name].append(parametrization)
        object.__setattr__(module.parametrizations[tensor_name], "unsafe",
                           module.parametrizations[tensor_name].unsafe or unsafe)
        return module
    if tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
        return module
    raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                     f"parametrized element with name '{tensor_name}'")


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo ``register_parametrization``: ``tensor_name`` is a parameter again, holding
    the current parametrized value (``leave_parametrized=True``) or the original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
            _copy_into(original, t)
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a "
                             "tensor that is parametrized in terms of a sequence of tensors.")
        with no_grad():
            t = getattr(module, tensor_name)
        original = Parameter(t.array.copy(), requires_grad=parametrizations.original0
                             .requires_grad)
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    module.register_parameter(tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__._parametrized_base
    return module


def type_before_parametrizations(module):
    """The module's class before ``register_parametrization`` swapped it."""
    return getattr(module.__class__, "_parametrized_base", module.__class__) \
        if is_parametrized(module) else module.__class__


__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "cached", "ParametrizationList", "type_before_parametrizations"]
