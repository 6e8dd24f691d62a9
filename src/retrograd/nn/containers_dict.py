"""Keyed and listed containers: ``ModuleDict``, ``ParameterList``, ``ParameterDict``.

They only register what they hold, so ``parameters()`` and ``state_dict()`` find it
under the same keys as PyTorch: ``blocks.enc.weight`` for a ModuleDict entry
``"enc"``, ``params.0`` for the first Parameter of a ParameterList, ``params.w``
for a ParameterDict entry ``"w"``. Insertion order is kept everywhere.

>>> heads = ModuleDict({"cls": Linear(8, 3), "box": Linear(8, 4)})
>>> heads["cls"](x)
"""
import collections.abc

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _as_parameter(value):
    # PyTorch: a plain tensor put in a parameter container becomes a Parameter.
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value.array)
    return value


def _describe(p):
    if isinstance(p, Tensor):
        device = "" if p.device == "cpu" else f" ({p.device})"
        return (f"Parameter containing: [{p.dtype} of size "
                f"{'x'.join(map(str, p.shape))}{device}]")
    return f"Object of type: {type(p).__name__}"


def _items(owner, source):
    """(key, value) pairs of a mapping or of an iterable of pairs, as ``dict.update``."""
    if isinstance(source, (collections.abc.Mapping, ModuleDict, ParameterDict)):
        return list(source.items())
    if not isinstance(source, collections.abc.Iterable):
        raise TypeError(f"{owner}.update should be called with an iterable of key/value "
                        f"pairs, but got {type(source).__name__}")
    pairs = []
    for i, kv in enumerate(source):
        if not isinstance(kv, collections.abc.Iterable) or isinstance(kv, (str, bytes)):
            raise TypeError(f"{owner} update sequence element #{i} should be Iterable; is "
                            f"{type(kv).__name__}")
        kv = tuple(kv)
        if len(kv) != 2:
            raise ValueError(f"{owner} update sequence element #{i} has length {len(kv)}; "
                             "2 is required")
        pairs.append(kv)
    return pairs


class ModuleDict(Module):
    """Sub-modules in an ordered dict, registered under their keys.

    ``ModuleDict(modules=None)``: a mapping or an iterable of (key, module) pairs.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        if key not in self._modules:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def add_module(self, name, module):
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {type(name).__name__}")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"ModuleDict: {name!r} must be a Module, got "
                            f"{type(module).__name__}")
        setattr(self, name, module)

    def clear(self):
        for k in list(self._modules):
            del self[k]

    def pop(self, key):
        m = self[key]
        del self[key]
        return m

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules):
        for k, m in _items("ModuleDict", modules):
            self[k] = m


class ParameterList(Module):
    """Parameters in a list, registered as ``"0"``, ``"1"``, …; plain tensors become
    Parameters (as PyTorch). ``ParameterList(values=None)``."""

    def __init__(self, values=None):
        super().__init__()
        object.__setattr__(self, "_size", 0)
        if values is not None:
            self.extend(values)

    def _index(self, idx):
        if not isinstance(idx, int):
            raise TypeError(f"ParameterList indices must be integers, not "
                            f"{type(idx).__name__}")
        n = len(self)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range")
        return str(idx % n)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList([self[i] for i in range(len(self))[idx]])
        return getattr(self, self._index(idx))

    def __setitem__(self, idx, param):
        setattr(self, self._index(idx), _as_parameter(param))

    def __len__(self):
        return self._size

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __iadd__(self, parameters):
        return self.extend(parameters)

    def append(self, value):
        object.__setattr__(self, "_size", self._size + 1)
        self[self._size - 1] = value
        return self

    def extend(self, values):
        if not isinstance(values, collections.abc.Iterable) or isinstance(values, Tensor):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but "
                            f"got {type(values).__name__}")
        for v in values:
            self.append(v)
        return self

    def __repr__(self):
        # PyTorch's layout: one indented line per entry
        lines = [f"    ({i}): " + _describe(p) for i, p in enumerate(self)]
        return "ParameterList(" + ("\n" + "\n".join(lines) + "\n" if lines else "") + ")"


class ParameterDict(Module):
    """Parameters in an ordered dict, registered under their keys; plain tensors
    become Parameters. ``ParameterDict(parameters=None)``."""

    def __init__(self, parameters=None):
        super().__init__()
        object.__setattr__(self, "_keys", {})
        if parameters is not None:
            self.update(parameters)

    def _key(self, key):
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict keys must be strings, got "
                            f"{type(key).__name__}")
        return key

    def __getitem__(self, key):
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key, value):
        self._keys[self._key(key)] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key):
        del self._keys[key]
        delattr(self, key)

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __reversed__(self):
        return reversed(list(self._keys))

    def __contains__(self, key):
        return key in self._keys

    def copy(self):
        return ParameterDict({k: self[k] for k in self._keys})

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        for k in list(self._keys):
            del self[k]

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def popitem(self):
        k = next(reversed(self))
        return k, self.pop(k)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def fromkeys(self, keys, default=None):
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        return self._keys.keys()

    def items(self):
        return ((k, self[k]) for k in self._keys)

    def values(self):
        return (self[k] for k in self._keys)

    def update(self, values):
        for k, v in _items("ParameterDict", values):
            self[k] = v

    def __repr__(self):
        lines = [f"    ({k}): " + _describe(p) for k, p in self.items()]
        return "ParameterDict(" + ("\n" + "\n".join(lines) + "\n" if lines else "") + ")"
