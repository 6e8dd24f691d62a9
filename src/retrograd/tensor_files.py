"""``save`` and ``load``: tensors and nested containers of them in a file, safely.

``save(obj, f)`` stores a tensor, or dicts/lists/tuples nesting tensors, NumPy
arrays, numbers, strings, booleans and None — what ``model.state_dict()`` and
``optimizer.state_dict()`` return — in ``f``, a path or a binary file object.
``load(f)`` gives the same structure back. Nothing is pickled: loading a file never
runs code, and never allocates more than the file's size, whatever it declares.

The file (all integers little-endian)::

    bytes 0–7    b"RGTENSOR"
    bytes 8–15   H, the length of the header (uint64)
    next H bytes the header: UTF-8 JSON (below)
    then         zero padding to a multiple of 64 bytes, where the data section
                 starts; each array's bytes, C order, little-endian, at its offset
                 (a multiple of 64) from the start of the data section; the file
                 ends with the last array's last byte

The header is ``{"format": "retrograd.save", "version": 1, "arrays": [...],
"object": node}``. Each entry of ``arrays`` is ``{"kind", "dtype", "shape",
"offset", "nbytes", "device", "requires_grad"}``, ``kind`` being "tensor",
"parameter", "ndarray" or "numpy_scalar" and ``dtype`` a NumPy type string such as
"<f4". A node is JSON null, true/false, an integer, a float, a string, or an object
with one key: ``{"array": i}`` (entry i of ``arrays``; an object saved twice is
one entry, loaded as one object), ``{"list": [node, …]}``, ``{"tuple": […]}``,
``{"dict": [[key node, value node], …]}`` (keys of any of these types, in order),
``{"ordered_dict": […]}``, ``{"float": "nan" | "inf" | "-inf"}``.

Writes to a path are atomic (a temporary file beside it, then a rename:
``serialization.atomic_write``). A file written by PyTorch's ``torch.save`` is a
pickle: ``load`` names it and says how to convert it, and does not unpickle it.
"""
import json
import math
import os
import struct
import zipfile
from collections import OrderedDict
from io import BytesIO

import numpy as np

from . import backend, devices, dtypes, safetensors_files
from .serialization import ModelFileError, atomic_write, check_version, read_source
from .tensor import Tensor

MAGIC = b"RGTENSOR"
FORMAT = "retrograd.save"
VERSION = 1
ALIGN = 64
MAX_DEPTH = 100        # nesting of containers, in save and in load
_DTYPES = {dtypes.as_dtype(n).newbyteorder("<").str for n in dtypes.NAMES}


# -- save -----------------------------------------------------------------------------
def save(obj, f, *, format=None):
    """Write ``obj`` (a tensor, an array, a number, a string, None, or dicts, lists
    and tuples of these) to ``f``: a path (written atomically) or a binary file
    object. Anything else — a module, an optimiser, a function — raises TypeError
    naming where it is in ``obj``: save its ``state_dict()`` instead.

    A path ending in ``.safetensors``, or ``format="safetensors"``, writes the
    safetensors format instead (a flat dict of names → tensors; safetensors_files.py)."""
    if safetensors_files.is_safetensors(f, format):
        return safetensors_files.save(obj, f)
    arrays, entries = [], []
    node = _encode(obj, "obj", {}, arrays, entries, set(), 0)
    offset = 0
    for a, e in zip(arrays, entries):
        e["offset"] = offset
        offset += a.nbytes + _pad(a.nbytes)
    header = json.dumps({"format": FORMAT, "version": VERSION, "arrays": entries,
                         "object": node}, allow_nan=False).encode("utf-8")

    def write(out):
        out.write(MAGIC + struct.pack("<Q", len(header)) + header)
        out.write(bytes(_pad(16 + len(header))))
        for i, a in enumerate(arrays):
            out.write(a.reshape(-1).view(np.uint8).data)
            if i < len(arrays) - 1:       # no padding after the last: a cut loses data
                out.write(bytes(_pad(a.nbytes)))

    if isinstance(f, (str, os.PathLike)):
        atomic_write(f, write)
    elif hasattr(f, "write"):
        write(f)
    else:
        raise TypeError(f"save: f must be a path or a binary file object, got "
                        f"{type(f).__name__}")


def _pad(n):
    return -n % ALIGN


def _encode(x, path, seen, arrays, entries, active, depth):
    if depth > MAX_DEPTH:
        raise ValueError(f"save: {path} is nested more than {MAX_DEPTH} containers deep")
    if x is None or isinstance(x, (str, bool, int)):
        return x
    if isinstance(x, float) and not isinstance(x, np.generic):
        return x if math.isfinite(x) else {"float": repr(x)}
    if isinstance(x, Tensor) or isinstance(x, np.generic) or _is_array(x):
        if id(x) not in seen:
            seen[id(x)] = (len(entries), x)      # x kept alive: ids stay unique
            entries.append(_entry(x, path, arrays))
        return {"array": seen[id(x)][0]}
    if isinstance(x, (dict, list, tuple)):
        if id(x) in active:
            raise ValueError(f"save: {path} contains itself")
        active.add(id(x))
        try:
            if isinstance(x, dict):
                items = [[_encode(k, f"{path} key {k!r}", seen, arrays, entries, active,
                                  depth + 1),
                          _encode(v, f"{path}[{k!r}]", seen, arrays, entries, active,
                                  depth + 1)] for k, v in x.items()]
                return {"ordered_dict" if isinstance(x, OrderedDict) else "dict": items}
            items = [_encode(v, f"{path}[{i}]", seen, arrays, entries, active, depth + 1)
                     for i, v in enumerate(x)]
            return {"tuple" if isinstance(x, tuple) else "list": items}
        finally:
            active.discard(id(x))
    hint = " (save its .state_dict() instead)" if hasattr(x, "state_dict") else ""
    raise TypeError(f"save: cannot store {path}, of type {type(x).__name__}{hint}: "
                    "retrograd.save stores tensors, NumPy arrays, numbers, strings, None "
                    "and dicts, lists and tuples of them, and never pickles")


def _is_array(x):
    return isinstance(x, np.ndarray) or type(x).__module__.startswith("cupy")


def _entry(x, path, arrays):
    if isinstance(x, Tensor):
        from .nn.parameter import Parameter
        kind = "parameter" if isinstance(x, Parameter) else "tensor"
        data, grad = x.array, bool(x.requires_grad)
    else:
        kind = "numpy_scalar" if isinstance(x, np.generic) else "ndarray"
        data, grad = x, False
    device = backend.device_of(data)
    a = np.asarray(backend.to_device(data, "cpu"), order="C")   # 0-d stays 0-d
    if a.dtype.newbyteorder("<").str not in _DTYPES:
        raise TypeError(f"save: {path} has dtype {a.dtype}; retrograd.save stores bool, "
                        "integer, float and complex arrays")
    a = a.astype(a.dtype.newbyteorder("<"), copy=False)
    arrays.append(a)
    return {"kind": kind, "dtype": a.dtype.str, "shape": list(a.shape), "offset": None,
            "nbytes": a.nbytes, "device": device, "requires_grad": grad}


# -- load -----------------------------------------------------------------------------
def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         format=None):
    """Read what ``save`` wrote to ``f`` (a path or a binary file object).

    ``map_location`` puts the tensors elsewhere: a device ("cpu", "cuda",
    ``retrograd.device``) for all, or a dict ``{"cuda:0": "cpu"}`` from saved device
    to device. By default each goes back to the device it was saved from (a
    RuntimeError if that is a GPU and none is available). ``weights_only`` is
    accepted for PyTorch's sake: a retrograd file holds nothing but data, so True
    and False load the same things. A path ending in ``.safetensors``, or
    ``format="safetensors"``, reads a safetensors file (a dict of names → tensors)."""
    if safetensors_files.is_safetensors(f, format) and pickle_module is None and not mmap:
        return safetensors_files.load(f, map_location)
    if pickle_module is not None:
        raise TypeError("load: retrograd.load never unpickles, so it takes no pickle_module")
    if mmap:
        raise NotImplementedError("load: mmap=True is not supported; the file is read "
                                  "into memory")
    name, raw = read_source(f)
    where = _placement(map_location)
    try:
        header, data = _parse(name, raw)
        arrays, total = [], 0
        for i, e in enumerate(header["arrays"]):
            total += e.get("nbytes", 0) if isinstance(e, dict) else 0
            if total > len(data):     # entries overlap: each byte is read once at most
                raise ModelFileError(f"{name}: the arrays announce more bytes than the data "
                                     f"section's {len(data)}: truncated or altered")
            arrays.append(_read(name, i, e, data, where))
        return _decode(name, header["object"], arrays, 0)
    except (ModelFileError, RuntimeError):
        raise
    except Exception as e:       # hostile input: any failure to parse means a bad file
        raise ModelFileError(f"{name}: not a readable retrograd.save file "
                             f"({type(e).__name__}: {str(e)[:200]})") from None


def _placement(map_location):
    """saved device name → device name to load it to."""
    if map_location is None:
        return lambda saved: saved
    if isinstance(map_location, dict):
        table = [(devices.device(k), devices.resolve(v)) for k, v in map_location.items()]
        return lambda saved: next((v for k, v in table if k == saved), saved)
    if callable(map_location) and not isinstance(map_location, devices.device):
        raise NotImplementedError("load: map_location as a function is not supported "
                                  "(PyTorch passes it storages); give a device such as "
                                  "'cpu', or a dict {'cuda:0': 'cpu'}")
    target = devices.resolve(map_location)
    return lambda saved: target


def _parse(name, raw):
    if raw[:8] != MAGIC:
        raise ModelFileError(f"{name}: {_foreign(raw)}")
    if len(raw) < 16:
        raise ModelFileError(f"{name}: truncated: {len(raw)} bytes, not even a header")
    (length,) = struct.unpack("<Q", raw[8:16])
    if length > len(raw) - 16:
        raise ModelFileError(f"{name}: the header announces {length} bytes, the file holds "
                             f"{len(raw) - 16} after the magic: truncated or altered")
    header = json.loads(raw[16:16 + length].decode("utf-8"))
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{name}: the header is not a retrograd.save header")
    check_version(name, header, VERSION)
    if not isinstance(header.get("arrays"), list) or "object" not in header:
        raise ModelFileError(f"{name}: the header lacks its 'arrays' or 'object' entry")
    start = 16 + length + _pad(16 + length)
    return header, memoryview(raw)[min(start, len(raw)):]


def _read(name, i, e, data, where):
    """Array entry ``i``, checked against the data section before anything is made."""
    what = f"{name}: array {i}"
    if not isinstance(e, dict):
        raise ModelFileError(f"{what}: malformed entry")
    kind, dtype, shape = e.get("kind"), e.get("dtype"), e.get("shape")
    offset, nbytes = e.get("offset"), e.get("nbytes")
    if kind not in ("tensor", "parameter", "ndarray", "numpy_scalar"):
        raise ModelFileError(f"{what}: unknown kind {str(kind)[:40]!r}")
    if dtype not in _DTYPES:
        raise ModelFileError(f"{what}: dtype {str(dtype)[:40]!r} is not one of retrograd's "
                             "(bool, integers, floats, complex)")
    if not isinstance(shape, list) or len(shape) > 64 or not all(
            _is_int(n) and n >= 0 for n in shape):
        raise ModelFileError(f"{what}: invalid shape {str(shape)[:80]}")
    if not (_is_int(offset) and _is_int(nbytes) and offset >= 0 and nbytes >= 0):
        raise ModelFileError(f"{what}: invalid offset or size")
    dtype = np.dtype(dtype)
    if math.prod(shape) * dtype.itemsize != nbytes:
        raise ModelFileError(f"{what}: {nbytes} bytes do not hold a {dtype} array of shape "
                             f"{tuple(shape)}")
    if offset + nbytes > len(data):
        raise ModelFileError(f"{what} lies at bytes {offset}–{offset + nbytes} of a data "
                             f"section of {len(data)} bytes: truncated or altered")
    a = np.frombuffer(data, dtype=dtype, count=nbytes // dtype.itemsize if nbytes else 0,
                      offset=offset).reshape(shape).astype(dtype.newbyteorder("="))
    saved = e.get("device", "cpu")
    if saved not in backend.DEVICES:
        raise ModelFileError(f"{what}: unknown device {str(saved)[:40]!r}")
    device = where(saved)
    if device == "cuda" and not backend.cuda_available():
        raise RuntimeError(f"{name}: array {i} was saved on a CUDA device, but "
                           "retrograd.cuda.is_available() is False; on a CPU-only machine "
                           "load with map_location='cpu'")
    a = backend.to_device(a, device)
    if kind == "numpy_scalar":
        return a[()] if a.shape == () else a
    if kind == "ndarray":
        return a
    requires_grad = e.get("requires_grad") is True and a.dtype.kind in "fc"
    if kind == "parameter":
        from .nn.parameter import Parameter
        return Parameter(Tensor._wrap(a), requires_grad=requires_grad)
    t = Tensor._wrap(a)
    return t.requires_grad_(True) if requires_grad else t


def _decode(name, node, arrays, depth):
    if depth > MAX_DEPTH:
        raise ModelFileError(f"{name}: the object is nested more than {MAX_DEPTH} deep")
    if node is None or isinstance(node, (str, bool, int, float)):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise ModelFileError(f"{name}: malformed object node {str(node)[:60]}")
    (tag, value), = node.items()
    if tag == "array":
        if not _is_int(value) or not 0 <= value < len(arrays):
            raise ModelFileError(f"{name}: reference to array {str(value)[:20]}, the file "
                                 f"has {len(arrays)}")
        return arrays[value]
    if tag == "float" and value in ("nan", "inf", "-inf"):
        return float(value)
    if tag in ("list", "tuple") and isinstance(value, list):
        items = [_decode(name, v, arrays, depth + 1) for v in value]
        return items if tag == "list" else tuple(items)
    if tag in ("dict", "ordered_dict") and isinstance(value, list):
        out = OrderedDict() if tag == "ordered_dict" else {}
        for pair in value:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ModelFileError(f"{name}: malformed dict item {str(pair)[:60]}")
            out[_decode(name, pair[0], arrays, depth + 1)] = \
                _decode(name, pair[1], arrays, depth + 1)
        return out
    raise ModelFileError(f"{name}: unknown object node {str(tag)[:40]!r}")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


# -- files of other formats: name them, never unpickle them ----------------------------
_CONVERT = ("convert it once where PyTorch is installed: sd = torch.load(path, "
            "weights_only=True); numpy.savez('weights.npz', **{k: v.cpu().numpy() for k, v "
            "in sd.items()}); then in retrograd: sd = {k: retrograd.from_numpy(v) for k, v "
            "in numpy.load('weights.npz', allow_pickle=False).items()} (docs/pytorch.md)")


def _foreign(raw):
    """What a file that is not a retrograd.save file seems to be."""
    if raw[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(BytesIO(raw)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            names = []
        if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
            return ("this is PyTorch's torch.save format (a zip archive around a pickle, "
                    "data.pkl); retrograd.load never unpickles, because unpickling can run "
                    "any code; " + _CONVERT)
        if "__header__.npy" in names:
            return ("this is a retrograd model or checkpoint file; read it with "
                    "retrograd.keras.models.load_model or retrograd.checkpoint."
                    "load_checkpoint")
        return "a zip archive, not a retrograd.save file"
    if raw[:1] == b"\x80" and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return ("this is a Python pickle (PyTorch's legacy torch.save format, or "
                "pickle.dump); retrograd.load never unpickles, because unpickling can run "
                "any code; " + _CONVERT)
    if raw[:6] == b"\x93NUMPY":
        return ("this is a NumPy .npy file; read it with numpy.load(path, "
                "allow_pickle=False) and wrap it with retrograd.from_numpy")
    if len(raw) > 8 and raw[8:9] == b"{":
        return ("this looks like a safetensors file; read it with "
                "retrograd.load(path, format='safetensors')")
    return f"not a retrograd.save file (it starts with {raw[:8]!r})"


__all__ = ["save", "load", "MAGIC", "FORMAT", "VERSION"]
