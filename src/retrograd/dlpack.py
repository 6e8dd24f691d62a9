"""DLPack: tensors shared, without a copy, with NumPy, PyTorch, CuPy, JAX…

DLPack (https://dmlc.github.io/dlpack/) is the array libraries' common way to hand
memory to each other: the producer's ``__dlpack__()`` returns a capsule describing
its buffer (pointer, shape, strides, dtype, device) and ``__dlpack_device__()``
says where the buffer lives; the consumer's ``from_dlpack(x)`` wraps the same
memory. A retrograd tensor's storage is a NumPy array (CPU) or a CuPy array (GPU),
both DLPack producers and consumers, so this module only routes:

* ``Tensor.__dlpack__`` / ``Tensor.__dlpack_device__`` are the tensor's array's:
  ``np.from_dlpack(t)``, ``torch.from_dlpack(t)``, ``cupy.from_dlpack(t)`` see the
  tensor's memory, and a write through either side is seen by the other;
* ``from_dlpack(x)`` wraps any DLPack producer — a PyTorch tensor, a NumPy or CuPy
  array — as a retrograd tensor without a copy: NumPy takes a CPU buffer, CuPy a
  CUDA one (so CuPy is needed only for GPU memory).

As in PyTorch, a tensor that requires grad is not exported (BufferError: the other
library would not see its graph); export ``t.detach()``. The result of
``from_dlpack`` is a leaf that does not require grad.
"""
import numpy as np

from . import backend
from .tensor import Tensor

# DLDeviceType codes (dlpack.h): where the buffer lives.
CPU, CUDA, CUDA_HOST, CUDA_MANAGED = 1, 2, 3, 13
_NAMES = {1: "CPU", 2: "CUDA", 3: "CUDA host", 4: "OpenCL", 7: "Vulkan", 8: "Metal",
          9: "VPI", 10: "ROCm", 11: "ROCm host", 13: "CUDA managed", 14: "oneAPI"}


def dlpack(t, stream=None, max_version=None, dl_device=None, copy=None):
    """``t.__dlpack__(…)``: a DLPack capsule of ``t``'s memory (its array's own).
    ``stream``: the consumer's CUDA stream (CuPy synchronises with it)."""
    if t.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use "
                          "tensor.detach() (retrograd's graph does not travel with the "
                          f"memory; tensor of shape {tuple(t.shape)}, {t.dtype})")
    producer = getattr(t.array, "__dlpack__", None)
    if producer is None:
        raise BufferError(f"__dlpack__: the {type(t.array).__module__} array behind this "
                          f"{t.device} tensor does not export DLPack")
    # Only the arguments given: older NumPy/CuPy take stream alone.
    kwargs = {k: v for k, v in (("max_version", max_version), ("dl_device", dl_device),
                                ("copy", copy)) if v is not None}
    if stream is not None:
        kwargs["stream"] = stream
    return producer(**kwargs)


def dlpack_device(t):
    """``t.__dlpack_device__()``: (device type, device index), (1, 0) on the CPU."""
    own = getattr(t.array, "__dlpack_device__", None)
    if own is not None:
        kind, index = own()
        return int(kind), int(index)
    return (CPU, 0) if t.device == "cpu" else (CUDA, 0)


def from_dlpack(x):
    """A retrograd tensor sharing the memory of ``x``, a DLPack producer (a PyTorch,
    NumPy, CuPy or JAX array: anything with ``__dlpack__``), or a legacy DLPack
    capsule of CPU memory (``torch.utils.dlpack.to_dlpack``; read-only there).

    >>> t = retrograd.from_dlpack(torch.arange(3.0))   # no copy
    """
    if isinstance(x, Tensor):
        return Tensor._wrap(x.array)
    if type(x).__name__ == "PyCapsule":
        return Tensor._wrap(np.from_dlpack(_Capsule(x)))
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__ (a PyTorch, "
                        f"NumPy, CuPy or JAX array) or a DLPack capsule, got "
                        f"{type(x).__name__}")
    kind = int(x.__dlpack_device__()[0]) if hasattr(x, "__dlpack_device__") else CPU
    if kind in (CPU, CUDA_HOST):
        return Tensor._wrap(np.from_dlpack(x))
    if kind in (CUDA, CUDA_MANAGED):
        return Tensor._wrap(backend.module_for("cuda").from_dlpack(x))
    raise BufferError(f"from_dlpack: the buffer lives on a {_NAMES.get(kind, kind)} "
                      "device; retrograd's devices are the CPU and CUDA GPUs")


class _Capsule:
    """A bare capsule as a DLPack producer, for np.from_dlpack (CPU only)."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (CPU, 0)


def to_dlpack(t):
    """PyTorch's legacy ``torch.utils.dlpack.to_dlpack``: ``t.__dlpack__()``."""
    return dlpack(t)


__all__ = ["from_dlpack", "to_dlpack", "dlpack", "dlpack_device"]
