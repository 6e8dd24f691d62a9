"""The model file: one NumPy ``.npz`` holding a JSON header and the weights.

* The header (architecture, compile settings, format version) is JSON, stored as
  the UTF-8 bytes of the array ``__header__``; weights are plain numeric arrays
  named ``"<layer>/<weight>"``. Nothing in the file is code, and it is read with
  ``allow_pickle=False``: loading a file never executes anything.
* Writes are atomic: the file is written to a temporary file in the same
  directory, flushed to disk (fsync), then renamed over the target, so a crash
  leaves either the old file or the new one, never half of one. A writer killed
  midway leaves its temporary ``.<name>.<host>.<pid>.<random>.tmp``; the next
  successful save of the same target removes such leftovers of dead writers.
"""
import ast
import json
import math
import os
import re
import socket
import struct
import tempfile
import zlib

import numpy as np

from .safe_zip import STORED, SafeZip, ZipError

HEADER = "__header__"
FORMAT = "retrograd"
VERSION = 1


class ModelFileError(ValueError):
    """The file is not a retrograd model file, or does not fit what it must load into."""


def from_config(spec, classes, kind):
    """An object from its Keras config ``{"class_name": …, "config": {…}}``, the class
    looked up by name in ``classes`` alone (a file names a class, never imports one).
    A refusal names the kind of object, the class asked for and the known ones."""
    name = spec.get("class_name")
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown {kind} class {str(name)[:40]!r}; known: "
                         f"{', '.join(sorted(classes))}")
    config = spec.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"{kind} {name}: its configuration must be a dict, got "
                         f"{type(config).__name__}")
    try:
        return cls(**config)
    except TypeError as e:   # an unknown or missing argument
        raise ValueError(f"{kind} {name}: invalid configuration ({e})") from None


def read_source(f, who="load"):
    """``(name, bytes)`` of ``f``, a path or a binary file object (``retrograd.load``'s
    argument, whatever the format)."""
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file>")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return name, fh.read()
    if hasattr(f, "read"):
        return name, f.read()
    raise TypeError(f"{who}: f must be a path or a binary file object, got "
                    f"{type(f).__name__}")


def atomic_write(path, write):
    """Call ``write(file)`` on a temporary file beside ``path``, fsync, rename; then
    remove the temporaries that killed writers of ``path`` left behind."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=_temporary_prefix(path), suffix=".tmp")
    started = os.fstat(fd).st_mtime     # the file system's clock, as the leftovers' times
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:    # make the rename itself durable (not possible on every platform)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    remove_stale_temporaries(path, before=started)


def _host_tag():
    """8 hex digits naming this machine: a process id means something only on the
    machine that runs it (the directory may be shared, e.g. over NFS)."""
    return f"{zlib.crc32(socket.gethostname().encode()):08x}"


# A name component may hold 255 bytes (NAME_MAX on Linux, macOS, Windows): the
# temporary adds a dot, the host tag, the pid, mkstemp's 8 random characters and
# ".tmp" (at most 42 bytes), so a long target name is shortened to a prefix and a
# hash of the whole name — still one per target, still recognised by its saver.
_NAME_MAX = 255
_ADDED = 1 + 1 + 8 + 1 + 10 + 1 + 8 + 4


def _temporary_name(name):
    """The part of the temporary's name that stands for the target ``name``."""
    if len(os.fsencode(name)) + _ADDED <= _NAME_MAX:
        return name
    digest = f"{zlib.crc32(os.fsencode(name)):08x}"
    keep = _NAME_MAX - _ADDED - len(digest) - 1
    short = os.fsencode(name)[:keep].decode("utf-8", "ignore")
    return f"{short}~{digest}"


def _temporary_prefix(path):
    return f".{_temporary_name(os.path.basename(path))}.{_host_tag()}.{os.getpid()}."


def _alive(pid):
    try:
        os.kill(pid, 0)             # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:                 # it exists but belongs to someone else, or unknown
        return True
    return True


def remove_stale_temporaries(path, before):
    """Delete the temporaries of ``path`` left by writers that were killed midway:
    those named ``.<name>.<host>.<pid>.<random>.tmp`` by a writer on this machine
    whose process no longer exists, last modified no later than ``before`` (the
    start of the write in progress). Anything else — other files, temporaries of other
    targets, of live processes (a save running now), of this process, of other
    machines — is left alone. Returns the names removed. POSIX only (elsewhere
    there is no safe way to ask whether a process exists): a no-op there."""
    if os.name != "posix":
        return []
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    pattern = re.compile(re.escape(f".{_temporary_name(name)}.{_host_tag()}.") +
                         r"(\d+)\.\w+\.tmp")
    removed = []
    try:
        entries = os.listdir(directory)
    except OSError:
        return removed
    for entry in entries:
        m = pattern.fullmatch(entry)
        if m is None or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        full = os.path.join(directory, entry)
        try:
            if os.lstat(full).st_mtime <= before:   # ≤: time stamps are coarse (ms)
                os.unlink(full)
                removed.append(entry)
        except OSError:             # another saver removed it first, or it is not ours
            pass
    return removed


def save(path, header, arrays):
    """Write ``header`` (a JSON-serialisable dict) and ``arrays`` (name → array)."""
    if HEADER in arrays:
        raise ValueError(f"save: {HEADER!r} is a reserved array name")
    payload = {k: np.asarray(v) for k, v in arrays.items()}
    for k, v in payload.items():
        if v.dtype.kind not in "biuf":
            raise TypeError(f"save: array {k!r} has dtype {v.dtype}; only numeric arrays "
                            "can be stored")
    text = json.dumps({"format": FORMAT, "version": VERSION, **header})
    payload[HEADER] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    atomic_write(path, lambda f: np.savez(f, **payload))


def load(path):
    """``(header, arrays)`` from a file written by ``save``. Anything else — a
    truncated, damaged or crafted file — raises ``ModelFileError`` naming the file;
    nothing in the file is ever executed or unpickled."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no model file at {path!r}")
    try:
        header, arrays = _parse(path)
    except ModelFileError:
        raise
    except ZipError as e:       # overlapping, out-of-bounds, duplicated, compressed entries
        raise ModelFileError(str(e)) from None
    except Exception as e:      # hostile input: any failure to parse means a bad file
        raise ModelFileError(f"{path}: not a readable retrograd file "
                             f"({type(e).__name__}: {e})") from None
    return header, arrays


_ENTRY = re.compile(r"[A-Za-z0-9_\-.]+(/[A-Za-z0-9_\-.]+)*\.npy")


def _parse(path):
    """Read the zip through ``SafeZip``: stored entries only, none overlapping (so
    their bytes add up to at most the file's size), each a plain numeric .npy whose
    header is checked against its payload before any array is made."""
    with SafeZip(path, methods=(STORED,)) as z:
        arrays = {}
        for name in z.names:
            if not _ENTRY.fullmatch(name) or ".." in name.split("/"):
                raise ModelFileError(f"{path}: unexpected entry {name[:80]!r} (not an array "
                                     "name)")
            arrays[name[:-4]] = read_npy(z.read(name), f"{path}: entry {name}")
    if HEADER not in arrays:
        raise ModelFileError(f"{path}: not a retrograd model file (no {HEADER} entry)")
    raw = arrays.pop(HEADER)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(f"{path}: the {HEADER} entry is not UTF-8 text")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as e:
        raise ModelFileError(f"{path}: the header is not valid JSON ({type(e).__name__}: "
                             f"{str(e)[:100]})") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"{path}: the header is a {type(header).__name__}, expected a "
                             "JSON object")
    if header.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a retrograd model file (format "
                             f"{str(header.get('format'))[:40]!r})")
    check_version(path, header, VERSION)
    return header, arrays


def check_version(name, header, newest):
    """A file header's format version: an int from 1 to ``newest`` (what this
    retrograd reads), else a ModelFileError naming the file."""
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{name}: invalid file format version {str(version)[:40]!r}")
    if version > newest:
        raise ModelFileError(f"{name}: written by a newer retrograd (file format version "
                             f"{version}, this one reads up to {newest})")


# The header NumPy writes, read without ast (literal_eval costs ~80 µs an entry, most
# of the load of a file of many small arrays); any other form goes through ast.
_NPY_META = re.compile(r"\{'descr': '([<>|=][a-z]\d+|\|b1)', 'fortran_order': (True|False), "
                       r"'shape': \(((?:\d+, )*\d*(?:,)?)\), \} *\n?")


def _npy_meta(text):
    m = _NPY_META.fullmatch(text)
    if m is None:
        return ast.literal_eval(text)
    shape = tuple(int(d) for d in m.group(3).replace(" ", "").split(",") if d)
    return {"descr": m.group(1), "fortran_order": m.group(2) == "True", "shape": shape}


def read_npy(raw, where):
    """A .npy file's bytes (a ``bytearray``) as a native-order, writable array —
    numeric dtypes only, the header's shape and dtype checked against the bytes
    present before anything is allocated (a header declaring 10¹³ elements over
    a few bytes is refused). ``where`` names the entry in errors. The array is a view
    of ``raw`` when its byte order and layout allow (no second copy)."""
    if raw[:6] != b"\x93NUMPY" or len(raw) < 10:
        raise ModelFileError(f"{where} is not a NumPy array")
    major = raw[6]
    if major == 1:
        (length,), start = struct.unpack("<H", raw[8:10]), 10
    elif major in (2, 3) and len(raw) >= 12:
        (length,), start = struct.unpack("<I", raw[8:12]), 12
    else:
        raise ModelFileError(f"{where}: unknown .npy format version {major}")
    if start + length > len(raw) or length > 1 << 16:
        raise ModelFileError(f"{where}: truncated .npy header")
    try:
        meta = _npy_meta(raw[start:start + length].decode("latin1" if major < 3
                                                          else "utf-8"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError,
            UnicodeDecodeError):
        raise ModelFileError(f"{where}: unreadable .npy header") from None
    if not isinstance(meta, dict) or set(meta) != {"descr", "fortran_order", "shape"}:
        raise ModelFileError(f"{where}: malformed .npy header")
    descr, fortran, shape = meta["descr"], meta["fortran_order"], meta["shape"]
    if not isinstance(descr, str) or "O" in descr:
        raise ModelFileError(f"{where} holds Python objects (dtype "
                             f"{str(descr)[:40]}); pickled data is never loaded")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError):
        raise ModelFileError(f"{where}: unknown dtype {descr[:40]!r}") from None
    if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFileError(f"{where} has dtype {descr[:40]}; only plain "
                             "numeric arrays (bool, int, float) are read")
    if not isinstance(fortran, bool):
        raise ModelFileError(f"{where}: fortran_order must be True or False")
    if not isinstance(shape, tuple) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise ModelFileError(f"{where}: invalid shape {str(shape)[:60]}")
    if len(shape) > 64:
        raise ModelFileError(f"{where}: {len(shape)} dimensions, more than NumPy's 64")
    count = math.prod(shape)            # Python ints: no overflow, however large
    if len(raw) - start - length != count * dtype.itemsize:
        raise ModelFileError(f"{where} holds {len(raw) - start - length} bytes "
                             f"of data, its header announces {count * dtype.itemsize} "
                             f"({dtype} {str(shape)[:80]}): truncated or altered")
    a = np.frombuffer(raw, dtype=dtype, count=count, offset=start + length)
    a = a.reshape(shape, order="F" if fortran else "C")
    if isinstance(raw, bytearray) and dtype.isnative and not fortran and a.flags.aligned:
        return a                        # already writable, native and C-ordered
    return np.array(a, dtype=dtype.newbyteorder("="), order="C")
