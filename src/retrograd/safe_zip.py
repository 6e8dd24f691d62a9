"""Reading ZIP archives (``.npz`` files, retrograd's model files) from hostile hands.

Python's ``zipfile`` trusts the archive: entries may overlap (each one containing
the next, so a 1 MB file yields gigabytes of "members"), point past the file's end
or into the central directory, repeat a name, or declare any uncompressed size.
``SafeZip`` reads the central directory with ``zipfile`` (its size is the file's),
then refuses all of these **before** any member is read:

* every entry's local header and data lie inside the file, before the central
  directory, and no two entries share a byte (so the stored bytes of all members
  add up to at most the file's size);
* names are unique; entries are stored or deflated, never encrypted;
* an entry's declared size is at most ``max_ratio`` × its compressed size
  (deflate's own maximum is 1032:1, so a larger claim is a lie);
* the declared sizes add up to at most ``max_total`` bytes.

``read(name, limit)`` then decompresses in chunks and stops with an error as soon
as the output exceeds the declared size or ``limit``: memory stays bounded by the
caller's limit, whatever the archive claims, and the CRC is checked at the end.
"""
import struct
import zipfile
import zlib

STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
DEFLATE_MAX_RATIO = 1032       # deflate cannot expand one byte into more than ~1032
_LOCAL = struct.Struct("<4s2B4HL2L2H")       # a local file header: 30 bytes
_CHUNK = 1 << 16


class ZipError(ValueError):
    """The archive is damaged or crafted: overlapping or out-of-bounds entries,
    a size beyond the bound, a duplicate name, a bad CRC."""


class SafeZip:
    """A checked, read-only view of a ZIP archive at ``path``.

    ``methods``: the compression methods allowed (default: stored and deflated);
    ``max_ratio``: the largest uncompressed/compressed ratio an entry may claim;
    ``max_total``: the largest sum of the uncompressed sizes (default: ``max_ratio``
    × the file's size). ``names`` lists the entries in archive order.

    >>> with SafeZip("weights.npz", methods=(STORED,)) as z:
    ...     raw = z.read("w.npy", limit=1 << 20)
    """

    def __init__(self, path, methods=(STORED, DEFLATED), max_ratio=DEFLATE_MAX_RATIO,
                 max_total=None):
        self.path = path
        self._file = open(path, "rb")
        try:
            self._check(methods, max_ratio, max_total)
        except BaseException:
            self._file.close()
            raise

    def _check(self, methods, max_ratio, max_total):
        f, path = self._file, self.path
        size = f.seek(0, 2)
        try:
            with zipfile.ZipFile(f) as z:
                infos, directory = z.infolist(), z.start_dir
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError,
                OSError, EOFError, struct.error, UnicodeDecodeError) as e:
            raise ZipError(f"{path}: not a readable ZIP archive ({type(e).__name__}: "
                           f"{str(e)[:100]})") from None
        if not 0 <= directory <= size:
            raise ZipError(f"{path}: the central directory lies outside the file")
        self.entries, end, total = {}, 0, 0
        limit = max_ratio * size if max_total is None else max_total
        for info in sorted(infos, key=lambda i: i.header_offset):
            name = info.filename
            if name in self.entries:
                raise ZipError(f"{path}: entry {name[:80]} appears twice in the archive")
            if info.flag_bits & 0x1:
                raise ZipError(f"{path}: entry {name[:80]} is encrypted")
            if info.compress_type not in methods:
                raise ZipError(f"{path}: entry {name[:80]} is compressed with method "
                               f"{info.compress_type}; allowed: {list(methods)}")
            start = self._data_start(info, size)
            stop = start + info.compress_size
            if info.header_offset < end or stop > directory:
                raise ZipError(f"{path}: entry {name[:80]} (bytes {info.header_offset}–"
                               f"{stop}) overlaps another entry or the central directory, "
                               "or lies past the end of the file")
            ratio = 1 if info.compress_type == STORED else max_ratio
            if info.file_size > ratio * info.compress_size + (ratio > 1) * 1024:
                raise ZipError(f"{path}: entry {name[:80]} claims {info.file_size} bytes "
                               f"from {info.compress_size} compressed ones (ratio above "
                               f"{ratio})")
            total += info.file_size
            if total > limit:
                raise ZipError(f"{path}: the entries claim more than {limit} bytes in all "
                               f"(the bound for a file of {size} bytes)")
            end = stop
            self.entries[name] = (start, info)
        self.names = [i.filename for i in infos]

    def _data_start(self, info, size):
        """Where the entry's data begins: after its local header, read from the file."""
        head = b""
        if 0 <= info.header_offset <= size:
            self._file.seek(info.header_offset)
            head = self._file.read(_LOCAL.size)
        if len(head) < _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise ZipError(f"{self.path}: entry {info.filename[:80]} has no local header at "
                           f"offset {info.header_offset}")
        name_length, extra_length = _LOCAL.unpack(head)[-2:]
        raw_name = self._file.read(name_length)
        expected = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437",
                                             "replace")
        if raw_name != expected:
            raise ZipError(f"{self.path}: entry {info.filename[:80]}: its local header "
                           "names another file")
        return info.header_offset + _LOCAL.size + name_length + extra_length

    def read(self, name, limit=None):
        """The member's bytes (a ``bytearray``), at most ``limit`` of them: a member
        that decompresses to more than its declared size or ``limit`` is refused
        as soon as it does, before the excess is held."""
        start, info = self.entries[name]
        cap = info.file_size if limit is None else min(info.file_size, limit)
        if info.file_size > cap:
            raise ZipError(f"{self.path}: entry {name[:80]} holds {info.file_size} bytes, "
                           f"more than the {limit} allowed")
        self._file.seek(start)
        if info.compress_type == STORED:
            out = bytearray(info.file_size)
            if self._file.readinto(out) != len(out):
                raise ZipError(f"{self.path}: entry {name[:80]} is truncated")
        else:
            out = self._inflate(name, info, cap)
        if zlib.crc32(out) != info.CRC:
            raise ZipError(f"{self.path}: entry {name[:80]} fails its CRC check: damaged")
        return out

    def _inflate(self, name, info, cap):
        inflate, out, left = zlib.decompressobj(-15), bytearray(), info.compress_size
        try:
            while left > 0 and not inflate.eof:
                chunk = self._file.read(min(_CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                while chunk:
                    out += inflate.decompress(chunk, cap + 1 - len(out))
                    if len(out) > cap:
                        raise ZipError(f"{self.path}: entry {name[:80]} decompresses to "
                                       f"more than its declared {cap} bytes")
                    chunk = inflate.unconsumed_tail
        except zlib.error as e:
            raise ZipError(f"{self.path}: entry {name[:80]}: damaged deflate data "
                           f"({e})") from None
        if not inflate.eof or len(out) != info.file_size:
            raise ZipError(f"{self.path}: entry {name[:80]} decompresses to {len(out)} "
                           f"bytes, its header declares {info.file_size}")
        return out

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = ["SafeZip", "ZipError", "STORED", "DEFLATED"]
