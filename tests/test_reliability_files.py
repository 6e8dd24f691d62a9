"""Guarantee 3 — hostile files: loading a model, weights or checkpoint file never runs
code, and every crafted or damaged file raises the library's own error
(``retrograd.serialization.ModelFileError``, a ``ValueError``) with a message that
names the file and what is wrong. A fuzz test mutates valid files (hypothesis)."""
import io
import json
import os
import signal
import struct
import time
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import keras, nn, optim, serialization
from retrograd.checkpoint import load_checkpoint, save_checkpoint
from retrograd.keras import layers
from retrograd.serialization import ModelFileError


# -- valid files to start from -------------------------------------------------------------
def small_model():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="tanh",
                                                                 name="hidden"),
                          layers.Dropout(0.1), layers.Dense(2, activation="softmax")],
                         name="net")
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    m.fit(x, np.arange(8) % 2, epochs=1, verbose=0)
    return m


def plain_model():
    m = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    return m, optim.SGD(m.parameters(), lr=0.1, momentum=0.9)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("valid")
    m = small_model()
    m.save(d / "model.retrograd")
    m.save_weights(d / "weights.retrograd")
    pm, opt = plain_model()
    pm(rg.tensor(np.ones((2, 4), np.float32))).sum().backward()
    opt.step()
    save_checkpoint(d / "run.ckpt", pm, opt, epoch=3, extra={"step": 7})
    return {k: (d / name).read_bytes() for k, name in
            (("model", "model.retrograd"), ("weights", "weights.retrograd"),
             ("checkpoint", "run.ckpt"))}


def _load_model(p):
    return keras.models.load_model(p)


_weights_target = []


def _load_weights(p):
    if not _weights_target:               # built once: the fuzz loads thousands of files
        _weights_target.append(small_model())
    _weights_target[0].load_weights(p)


def _load_checkpoint(p):
    m, opt = plain_model()
    load_checkpoint(p, m, opt)


LOADERS = {"model": _load_model, "weights": _load_weights, "checkpoint": _load_checkpoint}
ALL_LOADERS = [serialization.load, _load_model, _load_weights, _load_checkpoint]


def _entries(data):
    """{name: npy bytes} of a file, and a writer for a changed copy."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)
    return buf.getvalue()


def _npy(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(array), allow_pickle=True)
    return buf.getvalue()


def _with_header(data, change):
    entries = _entries(data)
    header = json.loads(np.lib.format.read_array(io.BytesIO(entries["__header__.npy"]))
                        .tobytes())
    header = change(header) or header
    entries["__header__.npy"] = _npy(np.frombuffer(json.dumps(header).encode(), np.uint8))
    return _zip(entries)


def _refused(tmp_path, data, loaders=ALL_LOADERS, match=None):
    path = tmp_path / "crafted.retrograd"
    path.write_bytes(data)
    for load in loaders:
        with pytest.raises(ModelFileError, match=match) as e:
            load(path)
        assert str(path) in str(e.value)          # the message names the file
    return e.value


# -- a pickle payload never runs ---------------------------------------------------------------
class Payload:
    """Unpickling this runs ``exec(code)``: here, creating a marker file."""

    def __init__(self, marker):
        self.code = f"open({str(marker)!r}, 'w').close()"

    def __reduce__(self):
        return exec, (self.code,)


def test_pickle_payload_in_npz_is_never_executed(tmp_path, files):
    live = tmp_path / "live"
    payload = _npy(np.array([Payload(live)], dtype=object))
    np.lib.format.read_array(io.BytesIO(payload), allow_pickle=True)
    assert live.exists()                      # the payload is real: unpickling runs it
    marker = tmp_path / "pwned"
    payload = _npy(np.array([Payload(marker)], dtype=object))
    for kind, data in files.items():
        for entry in list(_entries(data)):
            entries = _entries(data)
            entries[entry] = payload          # as a weight, a slot, or the header
            _refused(tmp_path, _zip(entries), [serialization.load, LOADERS[kind]],
                     match="object|pickle")
        entries = _entries(data)
        entries["extra.npy"] = payload        # an extra entry the loader never asked for
        _refused(tmp_path, _zip(entries), [serialization.load], match="object|pickle")
    assert not marker.exists()


# -- the architecture cannot name code ---------------------------------------------------------
@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "__import__", "Model",
                                  "subprocess.Popen", "Layer", "", None, 3])
def test_layer_class_must_be_a_known_layer(tmp_path, files, name):
    def change(h):
        h["config"]["layers"][1]["class_name"] = name
    _refused(tmp_path, _with_header(files["model"], change), [_load_model],
             match="unknown layer class")


@pytest.mark.parametrize("field, value, match", [
    ("activation", "os.system", "activation"),
    ("kernel_initializer", "builtins.exec", "initializer"),
    ("kernel_regularizer", {"class_name": "os.system", "config": {}}, "regularizer"),
    ("units", "__import__('os').system('true')", "units"),
    ("units", 10 ** 12, "hidden/kernel"),
    ("name", {"$ne": 1}, "name"),
    ("no_such_argument", 1, "no_such_argument"),
])
def test_layer_configuration_is_validated(tmp_path, files, field, value, match):
    def change(h):
        h["config"]["layers"][1]["config"][field] = value
    _refused(tmp_path, _with_header(files["model"], change), [_load_model], match=match)


@pytest.mark.parametrize("path, value", [
    (("compile", "optimizer"), {"class_name": "os.system", "config": {}}),
    (("compile", "optimizer", "config"), {"learning_rate": "eval('1')"}),
    (("compile", "loss"), "os.system"),
    (("compile", "metrics"), ["__import__"]),
    (("class_name",), "Functional"),
    (("config",), ["not", "a", "dict"]),
    (("config", "layers"), "Dense"),
    (("config", "build_input_shape"), [None, -4]),
    (("config", "build_input_shape"), [None, 10 ** 15]),
    (("optimizer_state", "state"), {"x": {}}),
    (("optimizer_state", "param_groups"), [{"params": "all"}]),
    (("version",), 99),
    (("version",), "1"),
    (("format",), "keras"),
])
def test_header_fields_are_validated(tmp_path, files, path, value):
    def change(h):
        target = h
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    _refused(tmp_path, _with_header(files["model"], change), [_load_model])


def test_header_that_is_not_an_object(tmp_path, files):
    for header in (b"[1, 2]", b"null", b"\xff\xfe", b"{" * 100000, b"[" * 100000 + b"]" * 100000,
                   b'{"format": "retrograd", "version": 1e400}'):
        entries = _entries(files["model"])
        entries["__header__.npy"] = _npy(np.frombuffer(header, np.uint8))
        _refused(tmp_path, _zip(entries))


# -- lying npy headers -------------------------------------------------------------------------
def _npy_with(header_dict, payload):
    """An .npy entry whose header says ``header_dict`` over ``payload`` bytes."""
    text = repr(header_dict).encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + payload


@pytest.mark.parametrize("header", [
    {"descr": "<f4", "fortran_order": False, "shape": (10 ** 12,)},      # far larger
    {"descr": "<f4", "fortran_order": False, "shape": (2 ** 40, 2 ** 40)},
    {"descr": "<f4", "fortran_order": False, "shape": (4, 300)},         # a little larger
    {"descr": "<f4", "fortran_order": False, "shape": (1,)},             # smaller
    {"descr": "<f8", "fortran_order": False, "shape": (4, 3)},           # wrong dtype
    {"descr": "|O", "fortran_order": False, "shape": (4, 3)},
    {"descr": "<U3", "fortran_order": False, "shape": (4,)},
    {"descr": [("a", "<f4"), ("b", "<i4")], "fortran_order": False, "shape": (6,)},
    {"descr": "<c8", "fortran_order": False, "shape": (6,)},
    {"descr": "<f4", "fortran_order": False, "shape": (-1,)},
    {"descr": "<f4", "fortran_order": "yes", "shape": (4, 3)},
    {"descr": "<f4", "shape": (4, 3)},
    {"descr": "V1000000000", "fortran_order": False, "shape": (1,)},
])
def test_npy_headers_that_lie(tmp_path, files, header):
    payload = np.zeros((4, 3), np.float32).tobytes()
    for kind, key in (("model", "hidden/kernel.npy"), ("weights", "hidden/kernel.npy"),
                      ("checkpoint", "model/0.weight.npy")):
        entries = _entries(files[kind])
        entries[key] = _npy_with(header, payload)
        _refused(tmp_path, _zip(entries), [serialization.load, LOADERS[kind]])


def test_zip_tricks(tmp_path, files):
    entries = _entries(files["model"])
    # A deflated entry (a zip bomb would be one): retrograd writes stored entries only.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, b in entries.items():
            z.writestr(n, b + (b"\0" * 10_000_000 if n.startswith("hidden") else b""))
    _refused(tmp_path, buf.getvalue(), match="compress")
    # Two entries with the same name.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)
        with pytest.warns(UserWarning):
            z.writestr("hidden/kernel.npy", _npy(np.ones((4, 3), np.float32)))
    _refused(tmp_path, buf.getvalue(), match="twice")
    # An entry whose name is not an array name.
    entries2 = dict(entries)
    entries2["../../etc/passwd"] = b"root"
    _refused(tmp_path, _zip(entries2))


# -- truncated files and random bytes ------------------------------------------------------------
def test_truncated_files(tmp_path, files):
    for kind, data in files.items():
        cuts = sorted({0, 1, 4, 30, 100, len(data) // 3, len(data) // 2, len(data) - 22,
                       len(data) - 1})
        for n in cuts:
            _refused(tmp_path, data[:n], [serialization.load, LOADERS[kind]])


def test_random_bytes(tmp_path):
    rng = np.random.default_rng(0)
    for n in (1, 10, 100, 1000, 10000):
        _refused(tmp_path, rng.bytes(n))
        _refused(tmp_path, b"PK\x03\x04" + rng.bytes(n))        # looks like a zip
        _refused(tmp_path, b"\x93NUMPY\x01\x00" + rng.bytes(n))  # looks like an .npy
    _refused(tmp_path, b"")


def test_a_directory_or_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        serialization.load(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(tmp_path)


def test_a_model_file_is_not_a_checkpoint_and_back(tmp_path, files):
    _refused(tmp_path, files["model"], [_load_checkpoint], match="not a training checkpoint")
    _refused(tmp_path, files["checkpoint"], [_load_model])


# -- fuzzing -------------------------------------------------------------------------------------
class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang("a load took more than 5 s")


FUZZ = {}        # kind -> [cases, seconds]: printed for docs/reliability.md


def _check_mutant(tmp_path, kind, data):
    path = tmp_path / f"fuzz-{kind}"
    path.write_bytes(data)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        LOADERS[kind](path)
    except ModelFileError:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _mutations(data):
    n = len(data)
    pos = st.integers(0, n - 1)
    return st.one_of(
        st.tuples(st.just("flip"), st.lists(st.tuples(pos, st.integers(1, 255)),
                                            min_size=1, max_size=8)),
        st.tuples(st.just("cut"), pos),
        st.tuples(st.just("overwrite"), pos, st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("insert"), pos, st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("delete"), pos, st.integers(1, 64)),
    )


def _apply(data, m):
    b = bytearray(data)
    if m[0] == "flip":
        for i, x in m[1]:
            b[i] ^= x
    elif m[0] == "cut":
        del b[m[1]:]
    elif m[0] == "overwrite":
        b[m[1]:m[1] + len(m[2])] = m[2]
    elif m[0] == "insert":
        b[m[1]:m[1]] = m[2]
    else:
        del b[m[1]:m[1] + m[2]]
    return bytes(b)


# Structure-aware mutations: the JSON header's values replaced by random JSON.
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() |
                           st.text(max_size=8),
                           lambda c: st.lists(c, max_size=3) |
                           st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=6)

BYTE_CASES = int(os.environ.get("RG_FUZZ_BYTES", 1100))       # per file kind
JSON_CASES = int(os.environ.get("RG_FUZZ_JSON", 600))       # per file kind


@pytest.mark.parametrize("kind", ["model", "weights", "checkpoint"])
def test_fuzz_byte_mutations(tmp_path, files, kind):
    data = files[kind]
    start = time.perf_counter()

    @settings(max_examples=BYTE_CASES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(_mutations(data))
    def run(m):
        _check_mutant(tmp_path, kind, _apply(data, m))
    run()
    FUZZ[f"bytes/{kind}"] = (BYTE_CASES, time.perf_counter() - start)
    print(f"\nfuzz bytes/{kind}: {BYTE_CASES} cases in {FUZZ[f'bytes/{kind}'][1]:.1f} s")


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


@pytest.mark.parametrize("kind", ["model", "weights", "checkpoint"])
def test_fuzz_header_values(tmp_path, files, kind):
    entries = _entries(files[kind])
    header = json.loads(np.lib.format.read_array(io.BytesIO(entries["__header__.npy"]))
                        .tobytes())
    paths = [p for p in _paths(header) if p]
    start = time.perf_counter()

    @settings(max_examples=JSON_CASES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(paths), json_values), min_size=1, max_size=3))
    def run(changes):
        h = json.loads(json.dumps(header))
        for path, value in changes:
            target = h
            try:
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                continue            # an earlier change removed the path
        e = dict(entries)
        e["__header__.npy"] = _npy(np.frombuffer(json.dumps(h).encode(), np.uint8))
        _check_mutant(tmp_path, kind, _zip(e))
    run()
    FUZZ[f"header/{kind}"] = (JSON_CASES, time.perf_counter() - start)
    print(f"\nfuzz header/{kind}: {JSON_CASES} cases in {FUZZ[f'header/{kind}'][1]:.1f} s")
