"""The safetensors format: ``retrograd.save(state_dict, "w.safetensors")`` and
``retrograd.load("w.safetensors")``, readable by ``safetensors.torch.load_file``
and by Hugging Face tools, and reading what they write.

A safetensors file (https://github.com/huggingface/safetensors) is::

    bytes 0–7    N, the length of the header (uint64, little-endian)
    next N bytes a JSON object {name: {"dtype": "F32", "shape": [...],
                 "data_offsets": [begin, end]}, …, "__metadata__": {str: str}}
    then         the data: each tensor's bytes, C order, little-endian, at
                 [begin, end) from the start of the data

It holds a flat dict of named arrays and nothing else: no code, no nesting, which
is why a ``state_dict`` (names → tensors) is what it stores. Reading and writing
go through the ``safetensors`` library (its NumPy API, an optional dependency:
``pip install retrograd[interop]``); before the library sees a file, its header is
checked here against the file's size (each tensor's bytes inside the data, no two
tensors on the same bytes, sizes that match the shapes), so a hostile header never
makes anything allocate beyond the file.
"""
import json
import math
import os
import struct

import numpy as np

from . import backend
from .serialization import ModelFileError, atomic_write, read_source
from .tensor import Tensor

EXTENSION = ".safetensors"
MAX_HEADER = 100_000_000          # the safetensors library's own limit on the header
# safetensors' dtype names → NumPy's (BF16 and the 8-bit floats have no NumPy dtype).
DTYPES = {"BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "U32": "<u4",
          "I32": "<i4", "U64": "<u8", "I64": "<i8", "F16": "<f2", "F32": "<f4",
          "F64": "<f8", "C64": "<c8"}


def _library():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("safetensors files need the safetensors library: pip install "
                          "retrograd[interop] (or pip install safetensors)") from None
    return safetensors.numpy


def is_safetensors(f, format):
    """Whether ``save``/``load`` should use this format: ``format="safetensors"``,
    or no format and a path ending in ``.safetensors``."""
    if format is None:
        return isinstance(f, (str, os.PathLike)) and os.fspath(f).endswith(EXTENSION)
    if format == "safetensors":
        return True
    if format == "retrograd":
        return False
    raise ValueError(f"format must be 'retrograd' or 'safetensors', got {format!r}")


# -- save -----------------------------------------------------------------------------
def save(state_dict, f, metadata=None):
    """Write ``state_dict`` (a dict of names → tensors or arrays) to ``f`` (a path,
    written atomically, or a binary file object) in the safetensors format.
    ``metadata``: an optional dict of str → str stored in the header."""
    if not isinstance(state_dict, dict):
        raise TypeError(f"save (safetensors): expected a dict of names → tensors, such as "
                        f"model.state_dict(), got {type(state_dict).__name__}")
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save (safetensors): key {key!r} is a {type(key).__name__}; "
                            "safetensors names tensors with strings")
        arrays[key] = _array(key, value)
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("save (safetensors): metadata must be a dict of str → str")
    data = _library().save(arrays, metadata=metadata)

    if isinstance(f, (str, os.PathLike)):
        atomic_write(f, lambda out: out.write(data))
    elif hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(f"save: f must be a path or a binary file object, got "
                        f"{type(f).__name__}")


def _array(key, value):
    if isinstance(value, Tensor):
        value = value.array
    elif isinstance(value, np.generic):
        value = np.asarray(value)
    if not (isinstance(value, np.ndarray) or type(value).__module__.startswith("cupy")):
        raise TypeError(f"save (safetensors): state_dict[{key!r}] is a "
                        f"{type(value).__name__}; a safetensors file holds only tensors "
                        "(save other values with the retrograd format: a path not ending "
                        "in .safetensors)")
    a = np.asarray(backend.to_device(value, "cpu"), order="C")   # 0-d stays 0-d
    if a.dtype.newbyteorder("<") not in [np.dtype(d) for d in DTYPES.values()]:
        raise TypeError(f"save (safetensors): state_dict[{key!r}] has dtype {a.dtype}, "
                        "which safetensors does not store")
    return a.astype(a.dtype.newbyteorder("<"), copy=False)


# -- load -----------------------------------------------------------------------------
def load(f, map_location=None):
    """The dict of names → tensors stored in the safetensors file ``f`` (a path or a
    binary file object), on the CPU or on ``map_location``'s device."""
    name, raw = read_source(f)
    check_header(name, raw)
    library = _library()
    try:
        arrays = library.load(raw)
    except Exception as e:      # the library's SafetensorError and friends: a bad file
        raise ModelFileError(f"{name}: not a readable safetensors file "
                             f"({type(e).__name__}: {str(e)[:200]})") from None
    device = _device(map_location)
    return {k: Tensor._wrap(backend.to_device(np.array(a), device)) for k, a in arrays.items()}


def _device(map_location):
    if map_location is None:
        return "cpu"
    from . import devices
    if isinstance(map_location, dict):     # saved device → device: the file's are CPU
        map_location = map_location.get("cpu", "cpu")
    return devices.resolve(map_location)


def check_header(name, raw):
    """Raise ModelFileError unless ``raw``'s header describes tensors that lie,
    without overlapping, inside its data, with sizes that match their shapes."""
    if len(raw) < 8:
        raise ModelFileError(f"{name}: truncated: {len(raw)} bytes, not even the length "
                             "of a safetensors header")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > len(raw) - 8 or length > MAX_HEADER:
        raise ModelFileError(f"{name}: the safetensors header announces {length} bytes, "
                             f"the file holds {len(raw) - 8} after its length: truncated "
                             "or altered")
    try:
        header = json.loads(bytes(raw[8:8 + length]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ModelFileError(f"{name}: the safetensors header is not JSON "
                             f"({str(e)[:100]})") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"{name}: the safetensors header is not a JSON object")
    data_size = len(raw) - 8 - length
    spans = []
    for key, e in header.items():
        if key == "__metadata__":
            continue
        what = f"{name}: tensor {key[:80]!r}"
        if not isinstance(e, dict):
            raise ModelFileError(f"{what}: malformed entry")
        dtype, shape, offsets = e.get("dtype"), e.get("shape"), e.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in DTYPES:    # a list is unhashable
            raise ModelFileError(f"{what}: dtype {str(dtype)[:20]!r} is not one NumPy "
                                 f"holds ({', '.join(DTYPES)})")
        if not isinstance(shape, list) or len(shape) > 64 or not all(
                _is_int(n) and n >= 0 for n in shape):
            raise ModelFileError(f"{what}: invalid shape {str(shape)[:80]}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(
                _is_int(o) for o in offsets) and 0 <= offsets[0] <= offsets[1]):
            raise ModelFileError(f"{what}: invalid data_offsets {str(offsets)[:80]}")
        begin, end = offsets
        if end > data_size:
            raise ModelFileError(f"{what} lies at bytes {begin}–{end} of a data section of "
                                 f"{data_size} bytes: truncated or altered")
        if math.prod(shape) * np.dtype(DTYPES[dtype]).itemsize != end - begin:
            raise ModelFileError(f"{what}: {end - begin} bytes do not hold a {dtype} array "
                                 f"of shape {tuple(shape)[:8]}")
        spans.append((begin, end, key))
    spans.sort()
    for (b0, e0, k0), (b1, e1, k1) in zip(spans, spans[1:]):
        if b1 < e0:
            raise ModelFileError(f"{name}: tensors {k0[:80]!r} and {k1[:80]!r} overlap "
                                 f"(bytes {b0}–{e0} and {b1}–{e1})")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


__all__ = ["save", "load", "check_header", "is_safetensors", "EXTENSION"]
