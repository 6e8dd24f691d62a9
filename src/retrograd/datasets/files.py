"""Where a dataset's files come from, and how they are fetched.

The search order (first directory holding every file wins):

1. the ``path=`` / ``data_dir=`` argument (then nothing else is searched);
2. ``$RETROGRAD_DATA/<name>/``;
3. the user cache, ``$XDG_CACHE_HOME/retrograd/<name>/`` (``~/.cache/retrograd/<name>/``);
4. in a development checkout, ``../shared/data/<name>/`` beside the repository;
5. the system's dataset packages (e.g. Debian's ``/usr/share/datasets/fashion-mnist``);
6. a download from the dataset's public mirrors into the user cache, with a
   progress bar, written to a temporary file and moved into place only once it has
   passed its checksum.

Every file is checked on its decompressed content (SHA-256), so any faithful copy
is accepted however it was compressed. A corrupt file ends the search with a
``CorruptFileError`` (a later copy is not silently used instead) whose advice depends
on where the file was found: a download in the user cache can be repeated, a file of
a system package is restored by reinstalling the package.
"""
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..safe_zip import SafeZip
from ..serialization import read_npy
from .idx import CorruptFileError, idx_bytes, idx_size, read_idx, sha256


class DatasetNotFoundError(FileNotFoundError):
    """The files are nowhere on this machine and could not be downloaded.

    The message says where they were looked for and why no download helped; the
    details are attributes: ``dataset`` (the catalog name), ``searched`` (the
    ``Place`` objects looked in), ``download`` (``"disabled"``, ``"failed"``, or None
    when only ``data_dir`` was searched) and ``download_errors`` (``(url, reason)``
    for every mirror tried; the last error is also the ``__cause__``)."""

    def __init__(self, message, dataset=None, searched=(), download=None,
                 download_errors=()):
        super().__init__(message)
        self.dataset, self.searched = dataset, tuple(searched)
        self.download, self.download_errors = download, tuple(download_errors)


@dataclass(frozen=True)
class IdxFile:
    """One IDX file of a dataset: its name, shape and the checksum we trust."""
    name: str                    # without .gz
    shape: tuple
    sha256: str = None           # of the decompressed content


@dataclass(frozen=True)
class SystemDir:
    """A directory that a system package fills, e.g. Debian's dataset-fashion-mnist."""
    path: str
    package: str                 # as named to the user: "Debian's dataset-fashion-mnist"
    reinstall: str               # the command that restores its files


@dataclass(frozen=True)
class Catalog:
    """A dataset made of IDX files: the four of MNIST-like sets, and where to get them."""
    name: str                    # "mnist", "fashion_mnist": the directory name
    files: tuple
    mirrors: tuple
    system_dirs: tuple = field(default_factory=tuple)    # of SystemDir


@dataclass(frozen=True)
class Place:
    """A directory searched for a dataset: where it is, how to name it to the user,
    and what to do with a corrupt file found there (which depends on who put it
    there: retrograd's own download can be repeated, a package's file cannot)."""
    path: Path
    label: str                   # "$RETROGRAD_DATA/mnist", "~/.cache/retrograd/mnist", …
    fix: str


def cache_dir(name):
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "retrograd" / name


def cache_label(name):
    """The user cache as written for people: ``~/.cache/retrograd/<name>`` (or with
    ``$XDG_CACHE_HOME``), rather than a long absolute path."""
    if os.environ.get("XDG_CACHE_HOME"):
        return f"$XDG_CACHE_HOME/retrograd/{name}"
    return f"~/.cache/retrograd/{name}"


def checkout_dir(name):
    """``../shared/data/<name>`` beside a development checkout (None when retrograd
    is installed from a wheel): src/retrograd/datasets/files.py → root is parents[3]."""
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file():
        return root.parent / "shared" / "data" / name
    return None


def system_dirs(catalog):
    """The catalog's system directories (a function so that tests can hide the
    system's packages, as ``checkout_dir`` hides the checkout's copy)."""
    return catalog.system_dirs


_REPLACE = "replace it with a good copy"


def candidate_dirs(catalog, data_dir=None):
    """The ``Place`` objects searched, in order (see the module docstring); only
    ``data_dir`` when it is given."""
    if data_dir is not None:
        return [Place(Path(data_dir), str(data_dir), _REPLACE)]
    name = catalog.name
    places = []
    if os.environ.get("RETROGRAD_DATA"):
        places.append(Place(Path(os.environ["RETROGRAD_DATA"]) / name,
                            f"$RETROGRAD_DATA/{name}", _REPLACE))
    places.append(Place(cache_dir(name), cache_label(name),
                        "delete it: the next load downloads it again"))
    shared = checkout_dir(name)
    if shared is not None:
        places.append(Place(shared, str(shared), _REPLACE))
    for d in system_dirs(catalog):
        places.append(Place(Path(d.path), d.path,
                            f"it belongs to {d.package}: reinstall it ({d.reinstall}), "
                            f"or put a good copy in {cache_label(name)}"))
    return places


def _find_file(directory, name):
    for candidate in (directory / (name + ".gz"), directory / name):
        if candidate.is_file():
            return candidate
    return None


def locate(catalog, data_dir=None):
    """``(place, paths)``: the first ``Place`` holding every file of ``catalog`` and
    their paths, or None."""
    for place in candidate_dirs(catalog, data_dir):
        found = [_find_file(place.path, f.name) for f in catalog.files]
        if all(found):
            return place, found
    return None


def load_arrays(catalog, data_dir=None, download=True, opener=None, progress=True):
    """The arrays of every file of ``catalog``, checked, in catalog order."""
    if data_dir is not None and not Path(data_dir).is_dir():
        raise DatasetNotFoundError(f"{catalog.name}: data_dir={str(data_dir)!r} is not a "
                                   "directory", catalog.name, candidate_dirs(catalog, data_dir))
    found = locate(catalog, data_dir)
    if found is None:
        searched = candidate_dirs(catalog, data_dir)
        if data_dir is not None:
            missing = [f.name + ".gz" for f in catalog.files
                       if _find_file(Path(data_dir), f.name) is None]
            raise DatasetNotFoundError(f"{catalog.name}: {data_dir} lacks "
                                       f"{', '.join(missing)}", catalog.name, searched)
        if not download:
            raise DatasetNotFoundError(
                f"{catalog.name} not found: {_nowhere(searched)}, and downloads are disabled; "
                f"{_how_to_provide(catalog)}",
                catalog.name, searched, "disabled")
        paths = fetch(catalog, opener=opener, progress=progress)
        place = next(p for p in searched if p.path == cache_dir(catalog.name))
    else:
        place, paths = found
    arrays = []
    for path, spec in zip(paths, catalog.files):
        try:
            # every catalog file is uint8: its exact size is the cap on what is read
            arrays.append(read_idx(path, spec.sha256, spec.shape, idx_size(spec.shape)))
        except CorruptFileError as e:
            raise CorruptFileError(f"{e}; {place.fix}", path) from None
    return arrays


def _nowhere(places):
    return "no complete set of its IDX files in " + ", ".join(p.label for p in places)


def _how_to_provide(catalog):
    return (f"put its {len(catalog.files)} IDX files in $RETROGRAD_DATA/{catalog.name} or "
            f"{cache_label(catalog.name)}, or pass data_dir")


def fetch(catalog, opener=None, progress=True):
    """Download every file of ``catalog`` into the user cache; return their paths.

    Each file is streamed into a temporary file in the cache directory, checked
    (checksum and IDX structure), then renamed into place: an interrupted or
    corrupted download never leaves a file that looks complete."""
    import urllib.error
    import urllib.request  # only when downloading: it is slow to import
    opener = opener or urllib.request.urlopen
    target = cache_dir(catalog.name)
    paths = []
    for f in catalog.files:
        existing = _find_file(target, f.name)
        if existing is not None:
            paths.append(existing)
            continue
        errors, last = [], None
        for mirror in catalog.mirrors:
            url = mirror + f.name + ".gz"
            try:
                paths.append(_download(url, target / (f.name + ".gz"), f, opener, progress))
                break
            except (OSError, urllib.error.URLError, CorruptFileError) as e:
                errors.append((url, " ".join(str(getattr(e, "reason", e)).split())))
                last = e
        else:
            searched = candidate_dirs(catalog)
            # One reason in the message (the mirrors usually fail alike: offline); every
            # mirror's is in download_errors, the last exception in __cause__.
            raise DatasetNotFoundError(
                f"{catalog.name} not found: {_nowhere(searched)}, and the download of "
                f"{f.name}.gz failed ({errors[0][1]}; {len(errors)} mirror(s) tried); "
                f"{_how_to_provide(catalog)}",
                catalog.name, searched, "failed", errors) from last
    return paths


def _download(url, dest, spec, opener, progress):
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part.gz")
    try:
        with os.fdopen(fd, "wb") as out, opener(url, timeout=30) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            bar = _ByteProgress(url, total) if progress else None
            done = 0
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if bar:
                    bar.update(done)
            out.flush()
            os.fsync(out.fileno())
        if bar:
            bar.finish(done)
        read_idx(tmp, spec.sha256, spec.shape, idx_size(spec.shape))
        os.replace(tmp, dest)
        return dest
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class _ByteProgress:
    """``Downloading data from URL`` then a Keras-style byte counter on stderr."""

    def __init__(self, url, total):
        self.total, self.start, self.last = total, time.time(), 0.0
        self.tty = sys.stderr.isatty()
        print(f"Downloading data from {url}", file=sys.stderr)

    def update(self, done):
        now = time.time()
        if self.tty and now - self.last > 0.1:
            self.last = now
            sys.stderr.write("\r" + self._line(done))
            sys.stderr.flush()

    def finish(self, done):
        sys.stderr.write(("\r" if self.tty else "") + self._line(done) + "\n")
        sys.stderr.flush()

    def _line(self, done):
        if not self.total:
            return f"{done}/Unknown {time.time() - self.start:.0f}s"
        width = len(str(self.total))
        filled = int(20 * min(done, self.total) / self.total)
        return (f"{done:{width}d}/{self.total} {'━' * filled}{'─' * (20 - filled)} "
                f"{time.time() - self.start:.0f}s")


_NPY_HEADER = 12 + (1 << 16)     # the longest .npy header read_npy accepts


def load_npz(path, catalog):
    """A Keras-style ``.npz`` (x_train, y_train, x_test, y_test), pickles refused,
    shapes checked against the catalog."""
    path = Path(path)
    if not path.is_file():
        raise DatasetNotFoundError(f"{catalog.name}: path={str(path)!r} does not exist")
    keys = ("x_train", "y_train", "x_test", "y_test")
    arrays = []
    try:
        with SafeZip(path) as z:
            missing = [k for k in keys if k + ".npy" not in z.entries]
            if missing:
                raise CorruptFileError(f"{path}: lacks {', '.join(missing)} (expected the "
                                       f"arrays {', '.join(keys)})")
            for k, f in zip(keys, catalog.files):
                # At most the known size of the array (uint8) and a .npy header.
                raw = z.read(k + ".npy", limit=math.prod(f.shape) + _NPY_HEADER)
                arrays.append(read_npy(raw, f"{path}: {k}"))
    except (OSError, ValueError) as e:
        if isinstance(e, (CorruptFileError, FileNotFoundError, PermissionError)):
            raise
        if str(e).startswith(str(path)):        # SafeZip's and read_npy's name the file
            raise CorruptFileError(str(e), path) from None
        raise CorruptFileError(f"{path}: not a readable .npz ({e})", path) from None
    for a, f, k in zip(arrays, catalog.files, keys):
        if a.shape != f.shape or a.dtype != np.uint8:
            raise CorruptFileError(f"{path}: {k} has shape {a.shape} and dtype {a.dtype}, "
                                   f"expected {f.shape} uint8")
        if f.sha256 is not None and sha256(idx_bytes(a)) != f.sha256:
            raise CorruptFileError(f"{path}: {k} differs from the original {f.name} (SHA-256 "
                                   "mismatch); replace the file with a good copy", path)
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])
