"""Datasets: the IDX reader, MNIST/Fashion-MNIST search order, checksums, downloads
(from local file:// mirrors and a fake opener: never the network), digits."""
import dataclasses
import gzip
import io
import os
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from retrograd.datasets import (CorruptFileError, DatasetNotFoundError, digits,
                                fashion_mnist, mnist)
from retrograd.datasets import files
from retrograd.datasets.files import Catalog, IdxFile, SystemDir, fetch, load_arrays
from retrograd.datasets.idx import idx_bytes, parse_idx, read_idx, sha256, write_idx

LABELS = "train-labels-idx1-ubyte.gz"


DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """A machine with no dataset anywhere: no RETROGRAD_DATA, a private empty cache, no
    checkout copy and no system package (whether or not Debian's is installed here)."""
    monkeypatch.delenv("RETROGRAD_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(files, "checkout_dir", lambda name: None)
    monkeypatch.setattr(files, "system_dirs", lambda catalog: ())
    return tmp_path


def _copy_mnist(src, dst, skip=()):
    dst.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(src):
        if name.endswith(".gz") and name not in skip:
            os.symlink(src / name, dst / name)
    return dst


def test_mnist_matches_keras_arrays(mnist_dir):
    (x_train, y_train), (x_test, y_test) = mnist.load_data(mnist_dir)
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert list(y_train[:5]) == [5, 0, 4, 1, 9]
    assert list(x_train[0, 5, 12:24]) == [3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127]
    assert abs(x_train.mean() / 255 - 0.130660) < 1e-5
    assert x_train.flags.writeable


def test_checkout_layout_found():
    d = files.checkout_dir("mnist")
    assert d is not None and d.parts[-3:] == ("shared", "data", "mnist")


def test_search_order_env_then_cache(mnist_dir, clean_env, monkeypatch):
    with pytest.raises(DatasetNotFoundError):
        mnist.load_data(download=False)
    monkeypatch.setenv("RETROGRAD_DATA", str(mnist_dir.parent))
    (_, y), _ = mnist.load_data(download=False)
    assert len(y) == 60000
    monkeypatch.delenv("RETROGRAD_DATA")
    _copy_mnist(mnist_dir, clean_env / "cache" / "retrograd" / "mnist")
    (_, y), _ = mnist.load_data(download=False)
    assert len(y) == 60000


def test_corrupted_file_detected_by_checksum(mnist_dir, tmp_path):
    d = _copy_mnist(mnist_dir, tmp_path / "m", skip={LABELS})
    raw = bytearray(gzip.decompress((mnist_dir / LABELS).read_bytes()))
    raw[100] = (raw[100] + 1) % 10          # one label changed: still a valid IDX file
    (d / LABELS).write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(CorruptFileError, match="SHA-256"):
        mnist.load_data(d)


def test_truncated_file_never_half_loaded(mnist_dir, tmp_path):
    d = _copy_mnist(mnist_dir, tmp_path / "m", skip={LABELS})
    data = (mnist_dir / LABELS).read_bytes()
    (d / LABELS).write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="truncated"):
        mnist.load_data(d)


def test_missing_file_named(mnist_dir, tmp_path):
    d = _copy_mnist(mnist_dir, tmp_path / "m", skip={LABELS})
    with pytest.raises(DatasetNotFoundError, match=LABELS):
        mnist.load_data(d)


def test_idx_structure_checks():
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    header = bytes([0, 0, 0x0C, 2]) + np.asarray([3, 4], ">u4").tobytes()
    data = header + a.astype(">i4").tobytes()
    np.testing.assert_array_equal(parse_idx(data), a)
    with pytest.raises(CorruptFileError, match="magic"):
        parse_idx(b"\x01" + data[1:])
    with pytest.raises(CorruptFileError, match="type code"):
        parse_idx(data[:2] + b"\x42" + data[3:])
    with pytest.raises(CorruptFileError, match="announces"):
        parse_idx(data[:-4])
    with pytest.raises(CorruptFileError, match="announces"):
        parse_idx(data + b"\0")


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64])
def test_idx_roundtrip(tmp_path, dtype):
    a = (np.arange(24) - 5).astype(dtype).reshape(2, 3, 4) if dtype != np.uint8 else \
        np.arange(24, dtype=dtype).reshape(2, 3, 4)
    for name in ("a.idx", "a.idx.gz"):
        write_idx(tmp_path / name, a)
        b = read_idx(tmp_path / name, shape=(2, 3, 4))
        assert b.dtype == a.dtype
        np.testing.assert_array_equal(a, b)
    with pytest.raises(CorruptFileError, match="shape"):
        read_idx(tmp_path / "a.idx", shape=(6, 4))


def test_download_from_file_url(mnist_dir, clean_env, capsys):
    catalog = dataclasses.replace(mnist.CATALOG, mirrors=(mnist_dir.as_uri() + "/",))
    x_train, y_train, x_test, y_test = load_arrays(catalog)
    assert x_train.shape == (60000, 28, 28) and list(y_test[:3]) == [7, 2, 1]
    cached = clean_env / "cache" / "retrograd" / "mnist"
    assert sorted(os.listdir(cached)) == sorted(f.name + ".gz" for f in catalog.files)
    err = capsys.readouterr().err
    assert "Downloading data from file://" in err and "━" in err


def test_download_corrupted_leaves_nothing(mnist_dir, clean_env):
    bad = clean_env / "mirror"
    _copy_mnist(mnist_dir, bad, skip={LABELS})
    raw = bytearray(gzip.decompress((mnist_dir / LABELS).read_bytes()))
    raw[-1] ^= 1
    (bad / LABELS).write_bytes(gzip.compress(bytes(raw)))
    catalog = dataclasses.replace(mnist.CATALOG, mirrors=(bad.as_uri() + "/",))
    with pytest.raises(DatasetNotFoundError, match="SHA-256"):
        fetch(catalog, progress=False)
    cached = clean_env / "cache" / "retrograd" / "mnist"
    assert LABELS not in os.listdir(cached)
    assert not [n for n in os.listdir(cached) if n.endswith(".part.gz")]


def test_offline_error_is_one_line(clean_env):
    """Short, on one line, without URLs: every mirror's error is in the attributes."""
    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    with pytest.raises(DatasetNotFoundError) as e:
        load_arrays(mnist.CATALOG, opener=offline, progress=False)
    msg = str(e.value)
    assert "\n" not in msg and "://" not in msg and len(msg) < 400, msg
    assert msg.startswith("mnist not found: no complete set of its IDX files in "
                          "$XDG_CACHE_HOME/retrograd/mnist, and the download of "
                          "train-images-idx3-ubyte.gz failed ("), msg
    assert "$RETROGRAD_DATA/mnist" in msg and "name resolution" in msg
    assert e.value.download == "failed" and e.value.dataset == "mnist"
    assert [url for url, _ in e.value.download_errors] == [
        m + "train-images-idx3-ubyte.gz" for m in mnist.CATALOG.mirrors]
    assert isinstance(e.value.__cause__, urllib.error.URLError)


def test_downloads_disabled_error(clean_env, monkeypatch):
    monkeypatch.setenv("RETROGRAD_DATA", str(clean_env / "data"))
    with pytest.raises(DatasetNotFoundError) as e:
        mnist.load_data(download=False)
    assert str(e.value) == (
        "mnist not found: no complete set of its IDX files in $RETROGRAD_DATA/mnist, "
        "$XDG_CACHE_HOME/retrograd/mnist, and downloads are disabled; put its 4 IDX files "
        "in $RETROGRAD_DATA/mnist or $XDG_CACHE_HOME/retrograd/mnist, or pass data_dir")
    assert e.value.download == "disabled" and e.value.download_errors == ()
    assert [p.path for p in e.value.searched] == [
        clean_env / "data" / "mnist", clean_env / "cache" / "retrograd" / "mnist"]


def test_fake_opener_with_progress(mnist_dir, clean_env, capsys):
    class Response(io.BytesIO):
        headers = {}

    def opener(url, timeout=None):
        name = url.rsplit("/", 1)[1]
        r = Response((mnist_dir / name).read_bytes())
        r.headers = {"Content-Length": str(len(r.getvalue()))}
        return r
    catalog = dataclasses.replace(mnist.CATALOG, mirrors=("https://example.invalid/",))
    paths = fetch(catalog, opener=opener)
    assert all(p.exists() for p in paths)
    assert "https://example.invalid/t10k-labels-idx1-ubyte.gz" in capsys.readouterr().err


def test_keras_npz(mnist_dir, tmp_path):
    (x, y), (xt, yt) = mnist.load_data(mnist_dir)
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)
    (x2, _), (_, yt2) = mnist.load_data(tmp_path / "mnist.npz")
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(yt, yt2)
    np.savez(tmp_path / "bad.npz", x_train=x[:5], y_train=y, x_test=xt, y_test=yt)
    with pytest.raises(CorruptFileError, match="x_train has shape"):
        mnist.load_data(tmp_path / "bad.npz")
    y2 = y.copy()
    y2[0] = 3
    np.savez(tmp_path / "bad.npz", x_train=x, y_train=y2, x_test=xt, y_test=yt)
    with pytest.raises(CorruptFileError, match="y_train differs"):
        mnist.load_data(tmp_path / "bad.npz")


def test_keras_default_npz_name(mnist_dir, clean_env, monkeypatch):
    """load_data(path="mnist.npz") as written for Keras: looked up in ~/.keras/datasets,
    else the usual search."""
    monkeypatch.setenv("HOME", str(clean_env))
    monkeypatch.setenv("RETROGRAD_DATA", str(mnist_dir.parent))
    (_, y), _ = mnist.load_data("mnist.npz")
    assert len(y) == 60000
    (x, y), (xt, yt) = mnist.load_data(mnist_dir)
    cache = clean_env / ".keras" / "datasets"
    cache.mkdir(parents=True)
    np.savez(cache / "mnist.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)
    monkeypatch.delenv("RETROGRAD_DATA")
    (x2, _), _ = mnist.load_data("mnist.npz", download=False)
    np.testing.assert_array_equal(x, x2)


def test_fashion_mnist_checks_the_content(tmp_path, clean_env):
    d = tmp_path / "f"
    d.mkdir()
    for f in fashion_mnist.CATALOG.files:
        write_idx(d / (f.name + ".gz"), np.zeros(f.shape, np.uint8))
    with pytest.raises(CorruptFileError, match="content differs from the original"):
        fashion_mnist.load_data(d)
    with pytest.raises(DatasetNotFoundError, match="fashion_mnist"):
        fashion_mnist.load_data(download=False)


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(),
                    reason=f"Debian's dataset-fashion-mnist is not installed ({DEBIAN_FASHION})")
def test_debian_fashion_mnist_accepted(clean_env, monkeypatch):
    """Debian recompresses the files (other .gz MD5s than the published ones): found in
    /usr/share/datasets by the search, and accepted on its content."""
    monkeypatch.setattr(files, "system_dirs", lambda catalog: catalog.system_dirs)
    (x, y), (xt, yt) = fashion_mnist.load_data(download=False)
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert list(y[:5]) == [9, 0, 0, 3, 0] and list(yt[:5]) == [9, 2, 1, 1, 6]


def _small_catalog(tmp_path, arrays, **kwargs):
    """A catalog of two small IDX files whose SHA-256 is that of ``arrays``'s IDX bytes."""
    specs = tuple(IdxFile(f"part{i}-idx{a.ndim}-ubyte", a.shape, sha256=sha256(idx_bytes(a)))
                  for i, a in enumerate(arrays))
    return Catalog(name="small", files=specs, mirrors=(), **kwargs)


def test_recompressed_faithful_copy_accepted_changed_byte_refused(tmp_path, clean_env):
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (20, 7, 7), dtype=np.uint8),
              rng.integers(0, 10, 20, dtype=np.uint8)]
    catalog = _small_catalog(tmp_path, arrays)
    original = [idx_bytes(a) for a in arrays]
    digests = set()
    for level, mtime in ((9, 0), (1, 1_700_000_000), (6, 42)):
        d = tmp_path / f"gz{level}"
        d.mkdir()
        for spec, body in zip(catalog.files, original):
            (d / (spec.name + ".gz")).write_bytes(gzip.compress(body, level, mtime=mtime))
        digests.add(sha256((d / (catalog.files[0].name + ".gz")).read_bytes()))
        got = load_arrays(catalog, d)
        for a, b in zip(arrays, got):
            np.testing.assert_array_equal(a, b)
    assert len(digests) == 3            # three different .gz files, one content
    raw = tmp_path / "raw"               # and uncompressed
    raw.mkdir()
    for spec, body in zip(catalog.files, original):
        (raw / spec.name).write_bytes(body)
    np.testing.assert_array_equal(load_arrays(catalog, raw)[0], arrays[0])
    changed = bytearray(original[0])
    changed[-1] ^= 1                     # one pixel: still a well-formed IDX file
    (raw / catalog.files[0].name).write_bytes(bytes(changed))
    with pytest.raises(CorruptFileError, match="content differs from the original") as e:
        load_arrays(catalog, raw)
    assert e.value.path == raw / catalog.files[0].name


def test_corrupt_file_advice_depends_on_where_it_was_found(tmp_path, clean_env,
                                                           monkeypatch):
    """A package's file is not ours to delete and download again: the error names the
    package and how to restore it; a corrupt file in the cache can be downloaded again."""
    monkeypatch.setattr(files, "system_dirs", lambda catalog: catalog.system_dirs)
    arrays = [np.arange(12, dtype=np.uint8).reshape(3, 4)]
    system = tmp_path / "usr-share"
    catalog = _small_catalog(tmp_path, arrays, system_dirs=(
        SystemDir(str(system), "Debian's package dataset-small",
                  "apt-get install --reinstall dataset-small"),))
    name = catalog.files[0].name + ".gz"
    system.mkdir()
    write_idx(system / name, arrays[0] + 1)
    with pytest.raises(CorruptFileError) as e:
        load_arrays(catalog, download=False)
    msg = str(e.value)
    assert msg.startswith(f"{system / name}: content differs from the original"), msg
    assert msg.endswith("; it belongs to Debian's package dataset-small: reinstall it "
                        "(apt-get install --reinstall dataset-small), or put a good copy in "
                        "$XDG_CACHE_HOME/retrograd/small"), msg
    assert "download" not in msg
    cache = clean_env / "cache" / "retrograd" / "small"
    cache.mkdir(parents=True)
    (cache / name).write_bytes((system / name).read_bytes()[:-8])     # truncated
    with pytest.raises(CorruptFileError) as e:
        load_arrays(catalog, download=False)
    assert str(e.value).startswith(f"{cache / name}: truncated or corrupted gzip data")
    assert str(e.value).endswith("; delete it: the next load downloads it again")


def test_digits():
    (x, y), (xt, yt) = digits()
    assert x.shape[1:] == (8, 8) and x.dtype == np.uint8 and y.dtype == np.uint8
    assert len(x) + len(xt) == 1797 and len(xt) == 359
    assert x.max() == 16 and set(np.unique(y)) == set(range(10))
    (x2, _), _ = digits()
    np.testing.assert_array_equal(x, x2)
    with pytest.raises(ValueError, match="test_fraction"):
        digits(test_fraction=1.5)
