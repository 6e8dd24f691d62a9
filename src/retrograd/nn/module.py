"""``Module``: the base of every layer and model.

A module finds its parameters and sub-modules by watching its own attribute
assignments (``self.w = Parameter(...)``, ``self.fc = Linear(...)``): each is
recorded, in definition order, in an ordered dict. That order gives
``parameters()`` (what an optimiser updates) and the keys of ``state_dict()``
(what a checkpoint stores), so neither is ever listed by hand.
"""
from collections import namedtuple

import numpy as np

from .. import backend
from ..devices import DeviceError
from ..dtypes import as_dtype
from ..tensor import Tensor
from .parameter import Parameter


def _move(t, device, dtype, kinds="fc"):
    """Put a tensor's data, and its gradient if any, in place, on ``device`` and/or
    in ``dtype`` (only when its dtype is of one of ``kinds``: floating and complex;
    integer and boolean buffers keep theirs, as in PyTorch)."""
    a = t.array
    if dtype is not None and a.dtype.kind in kinds and a.dtype != dtype:
        a = a.astype(dtype)
    if device is not None:
        a = backend.to_device(a, device)
    t.array = a
    if t.grad is not None:
        _move(t.grad, device, dtype, kinds)


def _to_arguments(args, kwargs):
    """PyTorch's ``Module.to`` arguments as (device, dtype): ``to(device)``,
    ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)`` (its device and dtype), each
    optionally followed by ``non_blocking``, and the keywords ``device=``, ``dtype=``,
    ``non_blocking=``. A dtype may be named by a string (``to("float64")``), as
    ``Tensor.to`` allows."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking"}
    if unknown:
        raise TypeError(f"Module.to() got an unexpected keyword argument "
                        f"{sorted(unknown)[0]!r} (it takes device, dtype, non_blocking)")
    device = dtype = None
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        t = rest.pop(0)
        device, dtype = t.device, t.dtype
    elif rest and rest[0] is not None and _is_dtype(rest[0]):
        dtype = rest.pop(0)
    else:
        if rest:
            device = rest.pop(0)
        if rest and rest[0] is not None and not isinstance(rest[0], bool):
            dtype = rest.pop(0)
            if not _is_dtype(dtype):
                raise TypeError(f"Module.to(device, dtype): {dtype!r} is not a dtype")
        elif rest and rest[0] is None:
            rest.pop(0)
    if len(rest) > 1 or rest and not isinstance(rest[0], bool):
        raise TypeError(f"Module.to() received an invalid combination of arguments "
                        f"{args!r}: expected (device, dtype, non_blocking), (dtype, "
                        "non_blocking) or (tensor, non_blocking)")
    for name, value in (("device", device), ("dtype", dtype)):
        if kwargs.get(name) is not None:
            if value is not None:
                raise TypeError(f"Module.to(): {name} given twice (positionally and as "
                                f"{name}=)")
    device = kwargs.get("device", device)
    dtype = kwargs.get("dtype", dtype)
    if dtype is not None:
        dtype = as_dtype(dtype, "Module.to")
        if dtype.kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, "
                            f"but got desired dtype={dtype}")
    if device is None:
        return None, dtype
    try:
        return backend.check_device(device), dtype
    except ValueError as e:            # PyTorch's type too (RuntimeError)
        raise DeviceError(str(e)) from None


def _is_dtype(x):
    """Does ``x`` name a dtype rather than a device? (A device name is never one.)"""
    if isinstance(x, str) and x.partition(":")[0] in backend.DEVICES:
        return False
    if isinstance(x, (str, np.dtype, type)):
        try:
            as_dtype(x)
            return True
        except TypeError:
            return False
    return False


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class of layers and models: subclass it, assign parameters and
    sub-modules in ``__init__``, compute in ``forward``; call the module to run it.

    >>> class MLP(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden, self.out = Linear(2, 4), Linear(4, 1)
    ...     def forward(self, x):
    ...         return self.out(relu(self.hidden(x)))
    >>> [n for n, _ in MLP().named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    def __init__(self):
        d = self.__dict__
        d["_parameters"] = {}
        d["_modules"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["training"] = True

    # -- registration ----------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if params is None:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError(
                    f"cannot assign {type(value).__name__} {name!r} before Module.__init__(): "
                    f"call super().__init__() first in {type(self).__name__}.__init__")
            object.__setattr__(self, name, value)
            return
        modules, buffers = d["_modules"], d["_buffers"]
        if isinstance(value, Parameter):
            modules.pop(name, None)
            buffers.pop(name, None)
            params[name] = self._placed(value)
        elif isinstance(value, Module):
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = self._placed(value)
        elif name in params:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a parameter: assign a "
                                f"Parameter or None, not {type(value).__name__}")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a sub-module: assign a "
                                f"Module or None, not {type(value).__name__}")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"{type(self).__name__}.{name} is a buffer: assign a Tensor "
                                f"or None, not {type(value).__name__}")
            buffers[name] = value if value is None else self._placed(value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for k in ("_parameters", "_modules", "_buffers"):
            self.__dict__[k].pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter or None) under ``name``."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, "
                            f"got {type(param).__name__}")
        self._parameters[name] = param if param is None else self._placed(param)
        object.__setattr__(self, name, param)

    def add_module(self, name, module):
        """Register ``module`` (a Module or None) under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got "
                            f"{type(module).__name__}")
        setattr(self, name, module)

    def register_buffer(self, name, tensor, persistent=True):
        """State that is not learned (e.g. running statistics): moved by ``to()`` and,
        if ``persistent``, saved in ``state_dict()``."""
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        if tensor is not None:
            self._placed(tensor)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    # -- discovery -------------------------------------------------------------
    def named_modules(self, prefix="", memo=None):
        """(name, module) for this module and every sub-module, depth first, each once."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, Parameter) in definition order; a shared parameter once."""
        seen = set()
        mods = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mp, m in mods:
            for name, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mp}.{name}" if mp else name), p

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix=""):
        for mp, m in self.named_modules(prefix):
            for name, b in m._buffers.items():
                if b is not None:
                    yield (f"{mp}.{name}" if mp else name), b

    def buffers(self):
        for _, b in self.named_buffers():
            yield b

    def get_submodule(self, target):
        m = self
        for part in target.split(".") if target else []:
            if part not in m._modules:
                raise AttributeError(f"{type(m).__name__} has no sub-module {part!r} "
                                     f"(looking up {target!r})")
            m = m._modules[part]
        return m

    # -- modes and gradients -----------------------------------------------------
    def train(self, mode=True):
        """Training mode (dropout active) for this module and all sub-modules."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self):
        """Evaluation mode: dropout is the identity, RReLU uses its mean slope."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of every parameter (``None``, or zeros in place)."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.array[...] = 0

    def apply(self, fn):
        """Call ``fn(m)`` on every sub-module, then on this one (e.g. to initialise)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- regularisation ------------------------------------------------------------
    def penalties(self):
        """This module's own regularisation terms (tensors to add to the loss)."""
        return []

    def regularization_loss(self):
        """Σ of the penalties of this module and all its sub-modules (Keras's
        ``model.losses`` summed): add it to the training loss."""
        total = None
        for m in self.modules():
            for t in m.penalties():
                total = t if total is None else total + t
        if total is None:
            p = next(self.parameters(), None)
            xp = backend.array_module(p.array) if p is not None else np
            return Tensor._wrap(xp.zeros((), dtype=np.float32))
        return total

    # -- devices and dtypes -----------------------------------------------------------
    def to(self, *args, **kwargs):
        """Move every parameter and buffer, in place, to a device and/or a floating
        dtype, with PyTorch's arguments: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, ``to(tensor)``, ``to(device=…, dtype=…)``
        (``non_blocking`` is accepted and changes nothing). Only floating and complex
        parameters and buffers change dtype (an int64 step count stays int64), and
        only a floating or complex dtype is accepted (TypeError otherwise, as in
        PyTorch). Gradients move with their parameters.

        The Parameter objects stay the same, so an optimiser built before still holds
        them. Returns self. The module remembers where it was put: whatever is
        assigned to it later (the weights of a layer built at its first call, as Keras
        layers and ``Dense`` are; a new parameter, buffer or sub-module) is moved there
        too, a sub-module shared with another model included."""
        dev, dt = _to_arguments(args, kwargs)
        return self._convert(dev, dt, "fc")

    def _convert(self, dev, dt, kinds):
        for m in self.modules():
            old_dev, old_dt = m.__dict__.get("_placement", (None, None))
            # `is None`, not `or`: NumPy 1.x dtypes are falsy (len() counts fields)
            m.__dict__["_placement"] = (old_dev if dev is None else dev,
                                        old_dt if dt is None else dt)
        for p in self.parameters():
            _move(p, dev, dt, kinds)
        for b in self.buffers():
            _move(b, dev, dt, kinds)
        return self

    def _placed(self, value):
        """A parameter, buffer or sub-module registered after ``to()``: moved where
        ``to()`` put this module."""
        placement = self.__dict__.get("_placement")
        if placement is not None:
            if isinstance(value, Module):
                value._convert(*placement, "fc")
            else:
                _move(value, *placement)
        return value

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        """To the GPU (``device``: None, 0, "cuda", "cuda:0": one GPU per process)."""
        return self.to("cuda" if device is None else device)

    def float(self):
        """Floating parameters and buffers to float32 (complex ones are kept)."""
        return self._convert(None, np.dtype(np.float32), "f")

    def double(self):
        """Floating parameters and buffers to float64 (complex ones are kept)."""
        return self._convert(None, np.dtype(np.float64), "f")

    def half(self):
        """Floating parameters and buffers to float16 (complex ones are kept)."""
        return self._convert(None, np.dtype(np.float16), "f")

    # -- checkpoints ---------------------------------------------------------------
    def _state_items(self, prefix=""):
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                yield prefix + name, b
        for name, m in self._modules.items():
            if m is not None:
                yield from m._state_items(f"{prefix}{name}.")

    def state_dict(self, keep_vars=False):
        """{dotted name: tensor} for every parameter and persistent buffer, in
        definition order; the tensors share memory with the module's."""
        return {k: (t if keep_vars else Tensor._wrap(t.array)) for k, t in self._state_items()}

    def load_state_dict(self, state_dict, strict=True):
        """Copy ``state_dict`` into the parameters and buffers, in place.

        ``strict``: every key must match (no missing or unexpected key). A shape
        mismatch is always an error. Lazy layers (``Dense``) that have not been
        built yet are built from the checkpoint's shapes."""
        for prefix, m in self.named_modules():
            materialize = getattr(m, "_materialize", None)
            if materialize is not None:
                materialize(state_dict, f"{prefix}." if prefix else "")
        own = dict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and missing:
            errors.append("missing keys: " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            errors.append("unexpected keys: " + ", ".join(map(repr, unexpected)))
        for k, t in own.items():
            if k in state_dict:
                shape = tuple(np.shape(_data(state_dict[k])))
                if shape != tuple(t.shape):
                    errors.append(f"size mismatch for {k!r}: the checkpoint has shape {shape}, "
                                  f"the model's has shape {tuple(t.shape)}")
        if errors:
            raise RuntimeError(f"load_state_dict: error(s) loading into {type(self).__name__}:"
                               "\n  " + "\n  ".join(errors))
        for k, t in own.items():
            if k in state_dict:
                a = backend.to_device(_data(state_dict[k]), t.device)
                t.array[...] = a
        return IncompatibleKeys(missing, unexpected)

    # -- calling and printing ----------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        if args and not isinstance(args[0], Tensor):
            x = as_input(args[0], type(self).__name__, floating=True)
            p = next(self.parameters(), None)   # host data goes where the weights are
            args = (x if p is None else x.to(p.device), *args[1:])
        return self.forward(*args, **kwargs)

    def extra_repr(self):
        """The configuration shown inside the parentheses of ``repr``."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        children = [f"({name}): " + repr(m).replace("\n", "\n  ")
                    for name, m in self._modules.items() if m is not None]
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = (extra.split("\n") if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def as_input(x, who, arg="input", floating=False):
    """``x`` (an array, a list or a number) as a Tensor; anything that is not
    numeric data is refused with an error naming ``who`` and ``arg``. Modules call it
    once at their entry, so the ops inside only ever see tensors; with ``floating``
    (a module's input) integers and booleans become float32, as Keras casts inputs
    to the layer's dtype (pass a Tensor to keep integers)."""
    try:
        t = Tensor(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{who}: {arg} must be a Tensor or numeric array-like, got "
                        f"{type(x).__name__} ({e})") from None
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {arg} must hold numbers, got dtype {t.dtype} "
                        f"({type(x).__name__} of shape {tuple(t.shape)})")
    if floating and t.dtype.kind != "f":
        t = Tensor._wrap(t.array.astype(np.float32))
    return t


def _data(x):
    """The array behind a checkpoint entry (a tensor, an array or a list)."""
    if isinstance(x, Tensor):
        return x.array
    return x if hasattr(x, "shape") else np.asarray(x)
