"""Devices as objects, as ``torch.device``: where a tensor's data lives.

retrograd has two devices, "cpu" (NumPy) and "cuda" (CuPy, on the process's
current GPU; ``backend.py``). ``device("cuda:0")`` has ``.type`` "cuda" and
``.index`` 0, prints as ``cuda:0``, and is accepted wherever ``device=`` is, as
the strings are. Two devices are equal as in PyTorch (same type and index, so
``device("cuda") != device("cuda:0")``); a device and a *string* are equal when
they name the same place in retrograd's terms, where "cuda" is the current GPU,
index 0: ``device("cuda:0") == "cuda"``, because ``Tensor.device`` is a string
(``backend.DeviceName``: with ``type`` and ``index``, so ``x.device.type`` works).

``set_default_device`` chooses where the creation functions (``zeros``,
``randn``, ``tensor``…) put a tensor given no ``device=``; a device is also a
context manager that does so for a block, as in PyTorch.
"""
import re

from . import backend

# Device types PyTorch knows and retrograd does not run on.
_OTHER_TYPES = ("mps", "xpu", "hip", "xla", "meta", "mtia", "hpu", "ipu", "vulkan", "mkldnn",
                "opengl", "opencl", "ideep", "ve", "fpga", "maia", "lazy", "privateuseone")
_NAME = re.compile(r"([a-z]+)(?::(\d+))?")


class DeviceError(ValueError, RuntimeError):
    """An invalid device: retrograd raises ValueError for these, PyTorch
    RuntimeError; both catch it."""


class device:
    """``device("cpu")``, ``device("cuda")``, ``device("cuda:0")``,
    ``device("cuda", 0)``, ``device(0)`` (the GPU of index 0).

    >>> d = device("cuda:0"); d.type, d.index
    ('cuda', 0)
    """
    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):
        given = type
        if isinstance(type, device):
            if index is not None:
                raise DeviceError(f"device({type!r}, {index!r}): a device object takes no "
                                  "index")
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            if not backend.cuda_available():
                raise DeviceError(f"device({type}): an index alone names a GPU, and no GPU "
                                  "is available (retrograd.cuda.is_available() is False)")
            type, index = "cuda", type
        elif isinstance(type, str):
            m = _NAME.fullmatch(type)
            if m is None:
                raise DeviceError(f"unknown device {type!r}; expected one of "
                                  f"{backend.DEVICES}, optionally with an index: 'cuda:0'")
            if m.group(2) is not None:
                if index is not None:
                    raise DeviceError(f"device({type!r}, {index!r}): the index is given twice")
                index = int(m.group(2))
            type = m.group(1)
        else:
            raise TypeError(f"device: expected a string such as 'cuda:0', an int or a "
                            f"device, got {type.__class__.__name__}")
        if type not in backend.DEVICES:
            other = f" (PyTorch's device type {type!r}, which retrograd does not run on)" \
                if type in _OTHER_TYPES else ""
            raise DeviceError(f"unknown device {given!r}; expected one of "
                              f"{backend.DEVICES}{other}")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)
                                  or index < 0):
            raise DeviceError(f"device({type!r}, {index!r}): the index must be an integer "
                              ">= 0")
        self._type, self._index = type, index

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __eq__(self, other):
        if isinstance(other, device):
            return (self._type, self._index) == (other._type, other._index)
        if isinstance(other, str):
            try:
                other = device(other)
            except DeviceError:
                return False
            return (self._type, self._index or 0) == (other._type, other._index or 0)
        return NotImplemented

    def __hash__(self):
        return hash((self._type, self._index))

    def __reduce__(self):
        return device, (self._type, self._index)

    # -- a block with this default device ---------------------------------------------
    def __enter__(self):
        global _default
        _stack.append(_default)
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        global _default
        _default = _stack.pop()
        return False


_default = device("cpu")
_stack = []


def set_default_device(d):
    """Where the creation functions put tensors given no ``device=`` (``None``:
    back to the CPU). Layers still make their weights on the CPU: move a model with
    ``model.to(device)``."""
    global _default
    if d is None:
        _default = device("cpu")
        return
    d = device(d) if not isinstance(d, device) else d
    backend.check_device(str(d))  # refuses a GPU other than the current one, early
    _default = d


def get_default_device():
    return _default


def resolve(d):
    """The device name ("cpu" or "cuda") for a ``device=`` argument; None is the
    default device; a bad name raises ``DeviceError``."""
    if d is None:
        d = _default
    elif not isinstance(d, device):
        d = device(d)
    return backend.check_device(str(d))


__all__ = ["device", "DeviceError", "set_default_device", "get_default_device"]
