"""The IDX file format of MNIST (LeCun et al.), read whole or not at all.

An IDX file is a 4-byte magic number — two zero bytes, a type code, the number of
dimensions d — then d big-endian uint32 sizes, then the values in C order,
big-endian. The file is read and checked completely (checksum, magic, sizes,
length) before an array is returned, so a truncated or corrupted download raises
``CorruptFileError`` and never yields a half-filled array.
"""
import gzip
import hashlib
import math
import os
import zlib

import numpy as np

# type code → big-endian dtype
_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class CorruptFileError(ValueError):
    """A dataset file failed its checksum or is not a well-formed IDX file.

    ``path``: the file (None for bytes checked in memory)."""

    def __init__(self, message, path=None):
        super().__init__(message)
        self.path = path


DEFAULT_MAX_BYTES = 1 << 30    # read_idx without a shape: at most 1 GiB of content


def read_bytes(path, limit=DEFAULT_MAX_BYTES, expected="the limit"):
    """The file's content, decompressed when its name ends in ``.gz`` — at most
    ``limit`` bytes: a gzip that inflates beyond it (a "zip bomb": 1 MB can hold
    1 GB of zeros) is refused as soon as it does, so memory stays within the limit
    before any checksum or structure is checked."""
    path = str(path)
    try:
        if path.endswith(".gz"):
            data = bytearray()
            with gzip.open(path, "rb") as f:
                while len(data) <= limit:
                    chunk = f.read(min(1 << 20, limit + 1 - len(data)))
                    if not chunk:
                        return data
                    data += chunk
        else:
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size <= limit:
                    return f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as e:
        if isinstance(e, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        # No advice here: what to do depends on where the file came from (the caller
        # knows: a download can be repeated, a system package's file cannot).
        raise CorruptFileError(f"{path}: truncated or corrupted gzip data ({e})",
                               path) from None
    raise CorruptFileError(f"{path}: the content exceeds {limit} bytes ({expected}); "
                           "refused before reading further", path)


def idx_size(shape, itemsize=1):
    """The size in bytes of an IDX file holding an array of ``shape``."""
    return 4 + 4 * len(shape) + math.prod(shape) * itemsize


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def parse_idx(data, name="<bytes>"):
    """Decode IDX bytes into a NumPy array (native byte order, writable)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise CorruptFileError(f"{name}: not an IDX file (magic number "
                               f"{data[:4].hex() or 'missing'}, expected 0000TTDD)")
    code, ndim = data[2], data[3]
    if code not in _TYPES:
        raise CorruptFileError(f"{name}: unknown IDX type code 0x{code:02x} "
                               f"(expected one of {', '.join(hex(c) for c in _TYPES)})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise CorruptFileError(f"{name}: truncated header ({len(data)} bytes, "
                               f"{ndim} dimensions need {header})")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", ndim, 4))
    dtype = np.dtype(_TYPES[code])
    if ndim > 64:
        raise CorruptFileError(f"{name}: {ndim} dimensions, more than NumPy's 64")
    # Python ints: four dimensions of 65,536 multiply to 2⁶⁴, not to a wrapped 0.
    expected = header + math.prod(dims) * dtype.itemsize
    if len(data) != expected:
        raise CorruptFileError(
            f"{name}: {len(data)} bytes, but the header {str(dims)[:120]} of {dtype.name} "
            f"announces {expected}: the file is truncated or corrupted")
    values = np.frombuffer(data, dtype, offset=header).reshape(dims)
    return values.astype(dtype.newbyteorder("="))  # native order, and a writable copy


def read_idx(path, sha256_hex=None, shape=None, max_bytes=None):
    """Read an IDX file (``.gz`` or raw), checking it before returning anything.

    ``sha256_hex``: expected SHA-256 of the decompressed content. Only the content
    is checked, never the compressed bytes: gzip's output depends on its version,
    level and the stored timestamp, so a faithful copy recompressed elsewhere (e.g. by
    Debian's packagers) has another ``.gz`` checksum but the same content.
    ``shape``: the expected array shape. ``max_bytes``: the most content read (and
    decompressed) before anything is checked: by default the size of ``shape`` at
    8 bytes a value (the widest IDX type) with any number of dimensions, or 1 GiB
    without a shape."""
    name = str(path)
    if max_bytes is None:       # any number of dimensions, the widest type
        max_bytes = DEFAULT_MAX_BYTES if shape is None else idx_size(shape, 8) + 4 * 255
    expected = "the limit" if shape is None else f"an array of shape {tuple(shape)}"
    data = read_bytes(name, max_bytes, expected)
    if sha256_hex is not None:
        got = sha256(data)
        if got != sha256_hex:
            # 16 hex digits tell the two apart; the full values are in any sha256sum.
            raise CorruptFileError(f"{name}: content differs from the original (SHA-256 of "
                                   f"the content {got[:16]}…, expected {sha256_hex[:16]}…)",
                                   path)
    try:
        array = parse_idx(data, name)
    except CorruptFileError as e:
        e.path = path
        raise
    if shape is not None and array.shape != tuple(shape):
        raise CorruptFileError(f"{name}: array of shape {array.shape}, expected "
                               f"{tuple(shape)}", path)
    return array


def idx_bytes(array):
    """The IDX encoding of ``array`` (so arrays can be checked against an IDX file's
    SHA-256 even when they come from another container, e.g. Keras's mnist.npz)."""
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in _TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"IDX: dtype {array.dtype} has no IDX type code")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array):
    """Write ``array`` as an IDX file (gzip-compressed when ``path`` ends in .gz)."""
    body = idx_bytes(array)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(body)
