"""The model file: one NumPy ``.npz`` holding a JSON header and the weights.

* The header (architecture, compile settings, format version) is JSON, stored as
  the UTF-8 bytes of the array ``__header__``; weights are plain numeric arrays
  named ``"<layer>/<weight>"``. Nothing in the file is code, and it is read with
  ``allow_pickle=False``: loading a file never executes anything.
* Writes are atomic: the file is written to a temporary file in the same
  directory, flushed to disk (fsync), then renamed over the target, so a crash
  leaves either the old file or the new one, never half of one.
"""
import json
import os
import tempfile
import zipfile

import numpy as np

HEADER = "__header__"
FORMAT = "retrograd"
VERSION = 1


class ModelFileError(ValueError):
    """The file is not a retrograd model file, or does not fit what it must load into."""


def atomic_write(path, write):
    """Call ``write(file)`` on a temporary file beside ``path``, fsync, rename."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
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
    """``(header, arrays)`` from a file written by ``save``; raises
    ``ModelFileError`` for anything else."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no model file at {path!r}")
    try:
        with np.load(path, allow_pickle=False) as z:
            if HEADER not in z.files:
                raise ModelFileError(f"{path}: not a retrograd model file (no {HEADER} entry)")
            header = json.loads(z[HEADER].tobytes().decode("utf-8"))
            arrays = {k: z[k] for k in z.files if k != HEADER}
    except ModelFileError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, json.JSONDecodeError,
            UnicodeDecodeError, EOFError) as e:
        raise ModelFileError(f"{path}: not a readable retrograd model file ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a retrograd model file (format "
                             f"{header.get('format') if isinstance(header, dict) else header!r})")
    if header.get("version", 0) > VERSION:
        raise ModelFileError(f"{path}: written by a newer retrograd (file format version "
                             f"{header['version']}, this one reads up to {VERSION})")
    return header, arrays
