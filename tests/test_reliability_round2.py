"""Reliability, round 2 (issue 17): what a hostile file, a corrupted checkpoint or a
misused hook must never do — allocate far beyond the file's size before it is
checked, slip a value past validation, leave a half-restored model, or leave a
wrong-shaped gradient. Properties where they can be (hypothesis over malformed
zip/npz/IDX/JSON structures), each case checking the library's own error type.
``benchmarks/fuzz_files.py`` runs the same loaders on ≥ 10,000 mutated files."""
import gzip
import io
import json
import math
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import nn, optim, serialization
from retrograd.checkpoint import load_checkpoint, save_checkpoint
from retrograd.datasets.files import Catalog, IdxFile, load_arrays, load_npz
from retrograd.datasets.idx import CorruptFileError, idx_bytes, parse_idx, read_idx
from retrograd.optim import lr_scheduler, schedules
from retrograd.safe_zip import SafeZip, ZipError
from retrograd.serialization import ModelFileError

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
ROOT = Path(__file__).resolve().parents[1]


def peak_bytes(fn):
    """(result or exception, peak bytes Python allocated while fn ran)."""
    tracemalloc.start()
    try:
        try:
            out = fn()
        except Exception as e:      # noqa: BLE001 — returned for the caller to judge
            out = e
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- zip archives: overlapping, out-of-bounds, duplicated entries --------------------------
def _npy(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def _archive(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return bytearray(buf.getvalue())


def _central_entries(raw):
    """Offsets of the central directory's entries (46-byte fixed part each)."""
    eocd = raw.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", raw, eocd + 10)
    offsets, pos = [], start
    for _ in range(count):
        offsets.append(pos)
        n, m, k = struct.unpack_from("<HHH", raw, pos + 28)
        pos += 46 + n + m + k
    return offsets


def overlapping_bomb(n=200, payload=4096):
    """The attack of issue 17: n stored entries, each one's data holding the local
    headers and data of all the next ones (each "contains" the next). zipfile reads
    them all: n × the file, from one file."""
    tail = _npy(np.zeros(payload // 8))
    names = [f"e{i:04d}.npy".encode() for i in range(n)]
    sizes = []
    for name in reversed(names):            # wrap from the innermost entry outwards
        sizes.append(len(tail))
        crc = zlib.crc32(tail)
        tail = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, len(tail),
                           len(tail), len(name), 0) + name + tail
    sizes.reverse()
    directory, offset = b"", 0
    for name, size in zip(names, sizes):
        crc = zlib.crc32(tail[offset + 30 + len(name):offset + 30 + len(name) + size])
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc,
                                 size, size, len(name), 0, 0, 0, 0, 0, offset) + name
        offset += 30 + len(name)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(directory), len(tail), 0)
    return tail + directory + eocd


def test_overlapping_entries_are_refused_before_any_is_read(tmp_path):
    path = tmp_path / "bomb.retrograd"
    path.write_bytes(overlapping_bomb())
    size = path.stat().st_size
    out, peak = peak_bytes(lambda: serialization.load(path))
    assert isinstance(out, ModelFileError) and "overlaps" in str(out), out
    assert peak < 2 * size + (1 << 20)
    # zipfile itself hands out each entry, holding all the next ones: ~n²/2 headers
    with zipfile.ZipFile(path) as z:
        assert sum(len(z.read(i)) for i in z.infolist()[:20]) > 19 * size // 2


@settings(max_examples=25, **SETTINGS)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=5),
       st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
       st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
           ["offset", "csize", "usize", "name", "method", "cd_offset"]),
           st.integers(-2 ** 31, 2 ** 32 - 1)), min_size=1, max_size=3))
def test_mutated_central_directories_are_refused_or_read_within_the_file(
        tmp_path_factory, payloads, method, edits):
    """Any edit of the central directory's fields (entry offsets, sizes, names,
    method, the directory's own offset): SafeZip refuses it with ZipError, or every
    member it reads is at most its declared size, the declared sizes add up to at
    most 1032 × the file, and the stored bytes of all entries to at most the file."""
    raw = _archive([(f"m{i}.npy", p) for i, p in enumerate(payloads)], method)
    entries = _central_entries(raw)
    for which, field, value in edits:
        pos = entries[which % len(entries)]
        if field == "cd_offset":
            struct.pack_into("<I", raw, raw.rfind(b"PK\x05\x06") + 16, value % 2 ** 32)
        elif field == "name":
            raw[pos + 46] = value % 256
        elif field == "method":
            struct.pack_into("<H", raw, pos + 10, value % 2 ** 16)
        else:
            at = {"offset": 42, "csize": 20, "usize": 24}[field]
            struct.pack_into("<I", raw, pos + at, value % 2 ** 32)
    path = tmp_path_factory.mktemp("z") / "f.zip"
    path.write_bytes(raw)
    try:
        with SafeZip(path) as z:
            total, stored = 0, 0
            for name in z.names:
                start, info = z.entries[name]
                stored += info.compress_size
                try:
                    data = z.read(name)
                except ZipError:
                    continue
                assert len(data) == info.file_size
                total += len(data)
            assert stored <= len(raw) and total <= 1032 * len(raw) + 1024 * len(z.names)
    except ZipError:
        pass


def test_zip_tricks_each_refused(tmp_path):
    good = _archive([("a.npy", _npy(np.arange(4.0))), ("b.npy", _npy(np.ones(3)))])
    cases = {}
    dup = bytearray(good)
    e = _central_entries(dup)
    dup[e[1] + 46] = ord("a")                 # two entries named a.npy
    cases["twice"] = dup
    past = bytearray(good)
    struct.pack_into("<I", past, _central_entries(past)[1] + 20, 10 ** 6)   # csize
    cases["overlaps|past the end"] = past
    into_cd = bytearray(good)
    struct.pack_into("<I", into_cd, _central_entries(into_cd)[0] + 42, len(good) - 30)
    cases["local header"] = into_cd
    for match, raw in cases.items():
        path = tmp_path / "t.zip"
        path.write_bytes(raw)
        with pytest.raises(ZipError, match=match):
            SafeZip(path)


def test_a_deflate_bomb_stops_at_its_cap(tmp_path):
    """10 MB of zeros deflated to ~10 kB: with a 1 MB cap the read stops at the cap."""
    path = tmp_path / "bomb.npz"
    path.write_bytes(bytes(_archive([("x_train.npy", bytes(10 ** 7))], zipfile.ZIP_DEFLATED)))
    assert path.stat().st_size < 20_000
    with SafeZip(path) as z:
        out, peak = peak_bytes(lambda: z.read("x_train.npy", limit=10 ** 6))
    assert isinstance(out, ZipError) and "more than" in str(out)
    assert peak < 3 * 10 ** 6


# -- .npy headers that declare more than the file holds --------------------------------------
def _npy_header(shape, descr="<f8"):
    text = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


DIMS = st.lists(st.integers(0, 10 ** 13), min_size=0, max_size=4)


@settings(max_examples=25, **SETTINGS)
@given(DIMS, st.integers(0, 256))
def test_npy_declared_shape_never_allocates_beyond_the_bytes(shape, extra):
    raw = bytearray(_npy_header(shape) + bytes(extra))
    out, peak = peak_bytes(lambda: serialization.read_npy(raw, "entry"))
    fits = math.prod(shape) * 8 == extra
    assert isinstance(out, np.ndarray) if fits else isinstance(out, ModelFileError)
    assert peak < 64 * 1024


def test_a_931_byte_npz_declaring_1e13_elements(tmp_path):
    """issue 17: a bare MemoryError before; now the library's CorruptFileError."""
    catalog = Catalog("tiny", (IdxFile("a", (2, 2)), IdxFile("b", (2,)), IdxFile("c", (2, 2)),
                               IdxFile("d", (2,))), mirrors=())
    members = [(f"{k}.npy", _npy_header((10 ** 13,), "|u1") + bytes(16))
               for k in ("x_train", "y_train", "x_test", "y_test")]
    path = tmp_path / "lie.npz"
    path.write_bytes(bytes(_archive(members, zipfile.ZIP_DEFLATED)))
    assert path.stat().st_size < 1500
    out, peak = peak_bytes(lambda: load_npz(path, catalog))
    assert isinstance(out, CorruptFileError), out
    assert "announces" in str(out) or "more than" in str(out)
    assert peak < 1 << 20


# -- IDX and gzip in a dataset directory -------------------------------------------------------
@settings(max_examples=25, **SETTINGS)
@given(st.lists(st.sampled_from([0, 1, 2, 3, 65536, 2 ** 31, 2 ** 32 - 1]), max_size=5),
       st.sampled_from([0x08, 0x0D, 0x0E]), st.integers(0, 64))
def test_idx_dims_are_multiplied_without_overflow(dims, code, payload):
    data = bytes([0, 0, code, len(dims)]) + np.asarray(dims, ">u4").tobytes() + bytes(payload)
    itemsize = {0x08: 1, 0x0D: 4, 0x0E: 8}[code]
    try:
        a = parse_idx(data)
    except CorruptFileError as e:
        assert math.prod(dims) * itemsize != payload, e
    else:
        assert a.shape == tuple(dims) and a.nbytes == payload


def test_four_dims_of_65536_do_not_wrap_to_zero():
    data = bytes([0, 0, 8, 4]) + np.full(4, 65536, ">u4").tobytes()
    with pytest.raises(CorruptFileError, match="announces"):
        parse_idx(data)


def test_a_gzip_bomb_in_a_dataset_directory_is_capped_before_the_checksum(tmp_path):
    """A gzip inflating to 64 MB: the catalog file's size (10 values + 8 bytes of header)
    (18 bytes) caps what is read; the checksum never sees the rest."""
    catalog = Catalog("tiny", (IdxFile("a", (10,), sha256="0" * 64),), mirrors=())
    with gzip.open(tmp_path / "a.gz", "wb", compresslevel=1) as f:
        chunk = bytes(1 << 20)
        for _ in range(64):                 # 64 MB of content from ~64 kB of gzip
            f.write(chunk)
    out, peak = peak_bytes(lambda: load_arrays(catalog, tmp_path, download=False))
    assert isinstance(out, CorruptFileError) and "exceeds 18 bytes" in str(out), out
    assert peak < 4 << 20


def test_a_good_idx_gz_still_loads_with_the_exact_cap(tmp_path):
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    with gzip.open(tmp_path / "a.gz", "wb") as f:
        f.write(idx_bytes(a))
    (b,) = load_arrays(Catalog("tiny", (IdxFile("a", (3, 4)),), mirrors=()), tmp_path,
                       download=False)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(CorruptFileError, match="exceeds"):
        read_idx(tmp_path / "a.gz", max_bytes=10)


# -- values read from checkpoints: validated, named, all or nothing ----------------------------
def _net():
    rg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _train(model, opt, sched, steps=2):
    x = rg.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    for _ in range(steps):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
        if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
            sched.step(1.0)
        elif sched is not None:
            sched.step()


OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Adam": lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.01),
    "Adadelta": lambda p: optim.Adadelta(p),
    "NAdam": lambda p: optim.NAdam(p),
}
SCHEDULERS = {
    "StepLR": lambda o: lr_scheduler.StepLR(o, 2, gamma=0.5),
    "exponential": lambda o: schedules.LRScheduler(o, schedules.exponential, lam=0.1),
    "MultiStepLR": lambda o: lr_scheduler.MultiStepLR(o, [1, 3]),
    "ReduceLROnPlateau": lambda o: lr_scheduler.ReduceLROnPlateau(o),
    "SequentialLR": lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o, total_iters=2), lr_scheduler.ExponentialLR(o, 0.9)], [2]),
}


def _setup(opt_name="Adam", sched_name="StepLR"):
    model = _net()
    opt = OPTIMIZERS[opt_name](model.parameters())
    sched = SCHEDULERS[sched_name](opt)
    return model, opt, sched


def _snapshot(model, opt, sched):
    """Everything a restore may touch, as bytes and plain values."""
    weights = {k: t.array.tobytes() for k, t in model.state_dict().items()}
    slots = {i: {n: v.tobytes() if hasattr(v, "tobytes") else v for n, v in s.items()}
             for i, s in opt.state_dict()["state"].items()}
    groups = repr(opt.param_groups)
    return (weights, slots, groups, repr(sched.state_dict()), repr(rg.random.get_rng_state()))


def _rewrite(path, change):
    header, arrays = serialization.load(path)
    change(header, arrays)
    serialization.save(path, header, arrays)


BAD_HYPER = {   # (field, bad value, words the message must hold)
    "lr": [float("nan"), -1.0, 1e308, "0.1", None, [0.1], True],
    "momentum": [5, -0.1, float("inf")], "betas": [[2, -1], [0.9], "ab"],
    "eps": [float("nan"), -1.0], "weight_decay": [float("inf"), -2],
    "alpha": [7], "rho": [1.5], "lr_decay": [-1], "momentum_decay": [float("nan")],
    "amsgrad": ["yes", 1], "centered": [2], "nesterov": ["no"],
}


@settings(max_examples=25, **SETTINGS)
@given(st.sampled_from(sorted(OPTIMIZERS)), st.data())
def test_bad_hyper_parameters_in_a_checkpoint_are_refused_naming_them(tmp_path_factory,
                                                                      opt_name, data):
    model, opt, sched = _setup(opt_name)
    _train(model, opt, sched)
    path = tmp_path_factory.mktemp("c") / "run.ckpt"
    save_checkpoint(path, model, opt, sched, epoch=2)
    fields = [f for f in opt.defaults if f in BAD_HYPER]
    field = data.draw(st.sampled_from(fields))
    value = data.draw(st.sampled_from(BAD_HYPER[field]))
    _rewrite(path, lambda h, a: h["optimizer"]["param_groups"][0].__setitem__(field, value))
    model2, opt2, sched2 = _setup(opt_name)
    before = _snapshot(model2, opt2, sched2)
    with pytest.raises(ModelFileError) as e:
        load_checkpoint(path, model2, opt2, sched2)
    name = {"betas": "betas"}.get(field, field)
    assert name in str(e.value) and str(path) in str(e.value), e.value
    assert _snapshot(model2, opt2, sched2) == before


@pytest.mark.parametrize("slot, value", [("step", float("nan")), ("step", -3),
                                         ("step", "1"), ("step", 1.5)])
def test_adam_step_count_is_validated(tmp_path, slot, value):
    model, opt, sched = _setup("Adam")
    _train(model, opt, sched)
    path = tmp_path / "run.ckpt"
    save_checkpoint(path, model, opt, sched)
    _rewrite(path, lambda h, a: h["optimizer"]["state"]["0"].__setitem__(slot, value))
    model2, opt2, sched2 = _setup("Adam")
    before = _snapshot(model2, opt2, sched2)
    with pytest.raises(ModelFileError, match="slot 'step' of parameter 0") as e:
        load_checkpoint(path, model2, opt2, sched2)
    assert str(value) in str(e.value)
    assert _snapshot(model2, opt2, sched2) == before


def test_scheduler_t_infinity_is_the_librarys_error():
    """issue 17: {"t": Infinity} raised a bare OverflowError."""
    model, opt, _ = _setup()
    sched = schedules.LRScheduler(opt, schedules.exponential, lam=0.1)
    lr = opt.param_groups[0]["lr"]
    for t in (math.inf, -1, float("nan"), "3", 2 ** 60):
        with pytest.raises(ValueError, match="t must be an integer"):
            sched.load_state_dict({"t": t})
    assert opt.param_groups[0]["lr"] == lr and sched.t == 0


def _leaves(node, path=()):
    """Every (path, value) of a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, path + (i,))
    else:
        yield path, node


BAD_JSON = st.sampled_from([None, True, -1, -3.5, 0, 1e308, float("nan"), float("inf"),
                            "0.1", "x", [], [1, 2], {}, {"a": 1}, 2 ** 70])


@settings(max_examples=25, **SETTINGS)
@given(st.sampled_from(sorted(OPTIMIZERS)), st.sampled_from(sorted(SCHEDULERS)), st.data())
def test_any_corrupted_field_leaves_everything_as_it_was(tmp_path_factory, opt_name,
                                                         sched_name, data):
    """Corrupt one field of a checkpoint at random (a header value, or an array:
    NaN in it, another shape or dtype): load_checkpoint loads it or raises
    ModelFileError — never another type — and a refusal leaves the model, the
    optimiser, the scheduler and the default generator exactly as they were."""
    model, opt, sched = _setup(opt_name, sched_name)
    _train(model, opt, sched, steps=3)
    path = tmp_path_factory.mktemp("c") / "run.ckpt"
    save_checkpoint(path, model, opt, sched, epoch=3, extra={"note": 1})
    header, arrays = serialization.load(path)
    if data.draw(st.booleans()):
        leaves = [p for p, _ in _leaves(header) if p[0] not in ("format", "version")]
        where = data.draw(st.sampled_from(leaves))
        node = header
        for k in where[:-1]:
            node = node[k]
        node[where[-1]] = data.draw(BAD_JSON)
    else:
        name = data.draw(st.sampled_from(sorted(arrays)))
        a = arrays[name]
        arrays[name] = data.draw(st.sampled_from([
            np.full_like(a, np.nan), a.astype(np.int64), a.reshape(-1)[:-1] if a.size else a,
            np.concatenate([a.reshape(-1), a.reshape(-1)]), -np.abs(a) - 1]))
    serialization.save(path, header, arrays)
    rg.manual_seed(1234)
    model2, opt2, sched2 = _setup(opt_name, sched_name)
    _train(model2, opt2, sched2, steps=1)
    before = _snapshot(model2, opt2, sched2)
    try:
        load_checkpoint(path, model2, opt2, sched2)
    except ModelFileError:
        assert _snapshot(model2, opt2, sched2) == before


def test_a_failure_while_assigning_rolls_everything_back(tmp_path, monkeypatch):
    """Even an exception of another type, raised after the weights were copied
    (here: the scheduler's load), puts every part back."""
    model, opt, sched = _setup()
    _train(model, opt, sched, steps=3)
    path = tmp_path / "run.ckpt"
    save_checkpoint(path, model, opt, sched, epoch=3)
    model2, opt2, sched2 = _setup()
    before = _snapshot(model2, opt2, sched2)
    calls = []

    def boom(self, state):
        calls.append(1)
        if len(calls) == 2:                 # the probe passes; the real load fails
            raise KeyboardInterrupt
        return original(self, state)
    original = type(sched2).load_state_dict
    monkeypatch.setattr(type(sched2), "load_state_dict", boom)
    with pytest.raises(KeyboardInterrupt):
        load_checkpoint(path, model2, opt2, sched2)
    assert _snapshot(model2, opt2, sched2) == before


def test_a_checkpoint_loads_into_lazy_layers(tmp_path):
    rg.manual_seed(0)
    model = nn.Sequential(nn.Dense(4), nn.ReLU(), nn.Dense(2))
    x = rg.tensor(np.ones((2, 3), np.float32))
    model(x)
    path = tmp_path / "lazy.ckpt"
    save_checkpoint(path, model, epoch=1)
    rg.manual_seed(5)
    lazy = nn.Sequential(nn.Dense(4), nn.ReLU(), nn.Dense(2))
    state = rg.random.get_rng_state()
    assert load_checkpoint(path, lazy, restore_rng=False)["epoch"] == 1
    assert repr(rg.random.get_rng_state()) == repr(state)   # building drew nothing
    np.testing.assert_array_equal(lazy(x).numpy(), model(x).numpy())
    # a file that does not fit leaves the lazy layers unbuilt
    other = nn.Sequential(nn.Dense(5), nn.ReLU(), nn.Dense(2))
    with pytest.raises(ModelFileError, match="weight"):
        load_checkpoint(path, other)
    assert not other[0].built


def test_names_up_to_255_bytes_can_be_saved(tmp_path):
    for name in ("a" * 255, "é" * 127, "x" * 200 + ".ckpt"):
        path = tmp_path / name
        save_checkpoint(path, _net(), epoch=1)
        assert load_checkpoint(path, _net())["epoch"] == 1
        assert os.listdir(tmp_path) == [name]
        os.unlink(path)


# -- Keras files: optimizer configuration and state, regularizers -------------------------------
def _keras_file(tmp_path):
    from retrograd import keras
    m = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(
        2, kernel_regularizer=keras.regularizers.L1L2(l1=0.01))])
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    m.fit(np.ones((4, 3), np.float32), np.ones((4, 2), np.float32), epochs=1, verbose=0)
    path = tmp_path / "m.retrograd"
    m.save(path)
    return path


@pytest.mark.parametrize("where, value, words", [
    (("optimizer_state", "param_groups", 0, "lr"), float("nan"), "lr"),
    (("optimizer_state", "param_groups", 0, "betas"), [2, -1], "betas"),
    (("optimizer_state", "param_groups", 0, "eps"), float("nan"), "eps"),
    (("optimizer_state", "state", "0", "step"), -3, "step"),
    (("compile", "optimizer", "config", "learning_rate"), "0.1", "learning_rate"),
    (("compile", "optimizer", "config", "beta_1"), 2, "beta_1"),
    (("compile", "optimizer", "config", "epsilon"), float("nan"), "epsilon"),
    (("config", "layers", 1, "config", "kernel_regularizer", "config", "l1"), float("inf"),
     "l1"),
])
def test_keras_model_files_validate_what_they_hold(tmp_path, where, value, words):
    from retrograd import keras
    path = _keras_file(tmp_path)

    def change(header, arrays):
        node = header
        for k in where[:-1]:
            node = node[k]
        node[where[-1]] = value
    _rewrite(path, change)
    with pytest.raises(ModelFileError, match=words):
        keras.models.load_model(path)


def test_regularizers_refuse_non_finite_factors():
    from retrograd import keras
    for value in (math.inf, math.nan, "0.1", -1, None):
        with pytest.raises(ValueError, match="l1"):
            keras.regularizers.get({"class_name": "L1L2", "config": {"l1": value}})
    assert keras.regularizers.L1L2(l1=0.5, l2=0).l1 == 0.5


# -- autodiff misuse ------------------------------------------------------------------------------
def test_a_hook_changing_the_shape_or_dtype_raises_as_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the message")
    tw = torch.zeros(3, requires_grad=True)
    tw.register_hook(lambda g: torch.zeros(4))
    with pytest.raises(RuntimeError, match="has changed the size"):
        (tw * 2).sum().backward()
    for fake, what in ((np.zeros(4, np.float32), "size"), (np.zeros(3), "type"),
                       (np.zeros((1, 3), np.float32), "size")):
        w = rg.tensor(np.zeros(3, np.float32), requires_grad=True)
        w.register_hook(lambda g, fake=fake: rg.tensor(fake))
        with pytest.raises(RuntimeError, match=f"has changed the {what}") as e:
            (w * 2).sum().backward()
        assert "(3,)" in str(e.value) and str(fake.shape) in str(e.value)
        assert w.grad is None                    # no wrong-shaped gradient left behind
        y = rg.tensor(np.ones(3, np.float32), requires_grad=True) * 2   # a non-leaf
        y.register_hook(lambda g, fake=fake: rg.tensor(fake))
        with pytest.raises(RuntimeError, match="Mul"):
            y.sum().backward()
    w = rg.tensor(np.ones(3, np.float32), requires_grad=True)
    w.register_hook(lambda g: g * 3)             # a good replacement still works
    (w * 2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full(3, 6, np.float32))


def test_in_place_change_of_a_saved_tensor_is_detected():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle")
    for lib in (torch, rg):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        y = a.exp()                          # saves its output
        y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an (inplace|in-place) operation"):
            y.sum().backward()
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        loss = (w * w).sum()                 # saves w
        with lib.no_grad():
            w.add_(1)                        # what an optimiser step does
        with pytest.raises(RuntimeError, match="modified by an (inplace|in-place) operation"):
            loss.backward()


# -- the fuzz script, a handful of cases -----------------------------------------------------------
def test_fuzz_script_smoke(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz_files.py"),
                          "--cases", "24", "--workers", "1", "--kinds",
                          "checkpoint,idx,npz", "--workdir", str(tmp_path), "--json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["cases"] == 24 and report["crashed_workers"] == 0
    assert report["code_executed"] == 0 and report["foreign_exceptions"] == 0
