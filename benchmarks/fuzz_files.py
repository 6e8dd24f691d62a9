"""Fuzz every file loader with mutated files (issue 17): none may run code, raise
anything but the library's own errors, hold more memory than the stated bound
before validation, or take more than 5 s.

    python benchmarks/fuzz_files.py --cases 10000            # the campaign in the docs
    python benchmarks/fuzz_files.py --cases 40 --json        # a smoke run (the tests)

Seed files (small, valid) of every format are written once; each case takes one,
mutates it with a seeded generator (bit flips, overwrites with boundary values,
truncation, insertions and deletions, edits of the zip central directory, hostile
values in the JSON header rewritten into a valid archive, .npy entries replaced by
a pickle payload or by a header declaring 10¹³ elements, IDX dimensions and type
codes, a gzip bomb, the safetensors/retrograd.save header) and runs its loader in a
worker process whose address space is capped (``RLIMIT_AS``: the worker's size at
start + ``--mem-mib``) and whose allocations are traced (``tracemalloc``: the
peak per case). A worker that dies is counted and replaced.

Reported: code executed (a pickle payload that creates a marker file when
unpickled, and ``os.system``/``os.popen``/``subprocess.Popen`` called), foreign
exceptions (any type but ``ModelFileError``/``CorruptFileError``), peak memory per
case against the bound ``4 × file size + 40 × its JSON bytes + 8 MiB`` (the
dataset loaders: ``2 × the known size + 8 MiB``), the slowest case.
"""
import argparse
import copy
import gzip
import hashlib
import io
import json
import multiprocessing as mp
import os
import random
import resource
import struct
import sys
import tempfile
import time
import traceback
import zipfile
import zlib

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")     # RLIMIT_AS counts thread stacks
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

MIB = 1 << 20
CONSTANT = 8 * MIB
HOSTILE_JSON = [None, True, False, 0, -1, 1.5, 10 ** 15, -(10 ** 15), 2 ** 70, 1e308,
                float("nan"), float("inf"), float("-inf"), "", "0.1", "os.system",
                "builtins.exec", "__import__", "subprocess.Popen", "../../etc/passwd",
                [], [1, 2, 3], [[[]]], {}, {"class_name": "os.system", "config": {}},
                {"a": None}, "x" * 1000]


# -- seed files ---------------------------------------------------------------------------
def _keras_model(inputs=8, width=16):
    from retrograd import keras
    m = keras.Sequential([keras.layers.Input((inputs,)), keras.layers.Dense(
        width, activation="relu", kernel_regularizer=keras.regularizers.L1L2(0.01, 0.01)),
        keras.layers.Dropout(0.1), keras.layers.Dense(4, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def _nn_model():
    import retrograd as rg
    from retrograd import nn, optim
    rg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 4))
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    sched = optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
    return model, opt, sched


TINY = None     # the catalog of the dataset seeds, made in make_seeds


def _tiny_catalog(sha=None):
    from retrograd.datasets.files import Catalog, IdxFile
    shapes = ((20, 4, 4), (20,), (10, 4, 4), (10,))
    names = ("train-images", "train-labels", "t10k-images", "t10k-labels")
    return Catalog("tiny", tuple(IdxFile(n, s, sha[i] if sha else None)
                                 for i, (n, s) in enumerate(zip(names, shapes))), mirrors=())


def make_seeds(directory, kinds=None):
    """{kind: bytes} — one valid file of each format (of ``kinds``, default all)."""
    import retrograd as rg
    from retrograd.checkpoint import save_checkpoint
    from retrograd.datasets.idx import idx_bytes
    want = (lambda k: True) if kinds is None else (lambda k: k in kinds)
    seeds = {}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 8)).astype(np.float32)
    y = rng.integers(0, 4, 32)
    if want("model") or want("weights") or want("keras3"):
        m = _keras_model()
        m.fit(x, y, epochs=1, verbose=0, batch_size=16)
        for kind, name in (("model", "seed.retrograd"), ("weights", "seed.weights.retrograd"),
                           ("keras3", "seed.keras")):
            if not want(kind):
                continue
            path = os.path.join(directory, name)
            try:           # .keras: Keras 3's layout (keras/saving/), h5py needed
                m.save_weights(path) if kind == "weights" else m.save(path)
            except Exception as e:            # noqa: BLE001 — said in the report
                print(f"no {kind} seed ({type(e).__name__}: {e})", file=sys.stderr)
                continue
            seeds[kind] = open(path, "rb").read()
    if want("model_big"):         # ~1.6 MB: the memory bound's factor shows on it
        m = _keras_model(256, 512)
        m.fit(rng.normal(size=(32, 256)).astype(np.float32), y, epochs=1, verbose=0)
        path = os.path.join(directory, "seed_big.retrograd")
        m.save(path)
        seeds["model_big"] = open(path, "rb").read()
    if want("checkpoint") or want("tensor") or want("safetensors"):
        model, opt, sched = _nn_model()
        xt = rg.tensor(x)
        for _ in range(3):
            opt.zero_grad()
            (model(xt) ** 2).mean().backward()
            opt.step()
            sched.step()
        path = os.path.join(directory, "seed.ckpt")
        save_checkpoint(path, model, opt, sched, epoch=3, extra={"best": 0.5})
        seeds["checkpoint"] = open(path, "rb").read()
        buf = io.BytesIO()
        rg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, buf)
        seeds["tensor"] = buf.getvalue()
        try:
            from retrograd import safetensors_files
            buf = io.BytesIO()
            safetensors_files.save(dict(model.state_dict()), buf)
            seeds["safetensors"] = buf.getvalue()
        except Exception as e:                # noqa: BLE001
            print(f"no safetensors seed ({type(e).__name__}: {e})", file=sys.stderr)
    arrays = [rng.integers(0, 255, s, dtype=np.uint8) for s in
              ((20, 4, 4), (20,), (10, 4, 4), (10,))]
    seeds["idx"] = idx_bytes(arrays[0])
    seeds["idx_gz"] = gzip.compress(idx_bytes(arrays[0]))
    buf = io.BytesIO()
    np.savez_compressed(buf, x_train=arrays[0], y_train=arrays[1], x_test=arrays[2],
                        y_test=arrays[3])
    seeds["npz"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez(buf, x_train=arrays[0], y_train=arrays[1], x_test=arrays[2], y_test=arrays[3])
    seeds["npz_stored"] = buf.getvalue()
    return {k: v for k, v in seeds.items() if want(k)}


# -- mutations ------------------------------------------------------------------------------
class Evil:
    """Unpickling it runs code: it writes the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


def _npy(a, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=allow_pickle)
    return buf.getvalue()


def _npy_header(shape, descr="<f8"):
    text = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def _byte_mutation(data, r):
    data = bytearray(data)
    for _ in range(r.randint(1, 4)):
        op = r.randrange(5)
        if not data:
            break
        i = r.randrange(len(data))
        if op == 0:
            data[i] ^= 1 << r.randrange(8)
        elif op == 1:
            value = r.choice([b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff\xff\xff\xff",
                              b"\x00\x00\x00\x00", b"\xff\xff\xff\x7f"])
            data[i:i + len(value)] = value
        elif op == 2:
            del data[r.randrange(len(data)):]
        elif op == 3:
            data[i:i] = bytes(r.randrange(256) for _ in range(r.randint(1, 64)))
        else:
            del data[i:i + r.randint(1, 64)]
    return bytes(data)


def _central_entries(raw):
    eocd = raw.rfind(b"PK\x05\x06")
    if eocd < 0:
        return eocd, []
    count, _, start = struct.unpack_from("<HII", raw, eocd + 10)
    offsets, pos = [], start
    for _ in range(count):
        if pos + 46 > len(raw):
            break
        offsets.append(pos)
        n, m, k = struct.unpack_from("<HHH", raw, pos + 28)
        pos += 46 + n + m + k
    return eocd, offsets


def _zip_mutation(data, r):
    raw = bytearray(data)
    eocd, entries = _central_entries(raw)
    if not entries:
        return _byte_mutation(data, r)
    for _ in range(r.randint(1, 3)):
        pos = r.choice(entries)
        field = r.choice(["offset", "csize", "usize", "name", "method", "count", "cd",
                          "flags", "other_offset"])
        big = r.choice([0, 1, 30, len(raw), len(raw) * 1000, 2 ** 31, 2 ** 32 - 1,
                        r.randrange(2 ** 32)])
        if field == "count":
            struct.pack_into("<HH", raw, eocd + 8, big % 2 ** 16, big % 2 ** 16)
        elif field == "cd":
            struct.pack_into("<I", raw, eocd + 16, big % 2 ** 32)
        elif field == "name":
            raw[pos + 46] = r.randrange(256)
        elif field == "method":
            struct.pack_into("<H", raw, pos + 10, r.choice([0, 8, 12, 14, 99]))
        elif field == "flags":
            struct.pack_into("<H", raw, pos + 8, r.choice([1, 8, 0x800, 0xFFFF]))
        elif field == "other_offset":            # point at another entry's header
            other = r.choice(entries)
            struct.pack_into("<I", raw, pos + 42, struct.unpack_from("<I", raw, other + 42)[0])
        else:
            at = {"offset": 42, "csize": 20, "usize": 24}[field]
            struct.pack_into("<I", raw, pos + at, big % 2 ** 32)
    return bytes(raw)


def _overlap_bomb(r):
    n = r.randint(2, 300)
    tail = _npy(np.zeros(r.randint(1, 512)))
    names = [f"e{i:04d}.npy".encode() for i in range(n)]
    sizes = []
    for name in reversed(names):
        sizes.append(len(tail))
        tail = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(tail),
                           len(tail), len(tail), len(name), 0) + name + tail
    sizes.reverse()
    directory, offset = b"", 0
    for name, size in zip(names, sizes):
        start = offset + 30 + len(name)
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0,
                                 zlib.crc32(tail[start:start + size]), size, size,
                                 len(name), 0, 0, 0, 0, 0, offset) + name
        offset += 30 + len(name)
    return tail + directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n,
                                          len(directory), len(tail), 0)


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, path + (i,))
    yield path, node


def _set(tree, path, value):
    node = tree
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def _json_mutation(tree, r):
    for _ in range(r.randint(1, 3)):
        paths = [p for p, _ in _leaves(tree) if p and p[0] not in ("format", "version")]
        if not paths:
            break
        _set(tree, r.choice(paths), copy.deepcopy(r.choice(HOSTILE_JSON)))  # no cycles
    return tree


def _rezip(entries, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def _retrograd_zip_mutation(data, r, marker):
    """Rewrite a valid retrograd zip with hostile content: the JSON header's values,
    an entry replaced (pickle payload, a lying shape, another dtype), an extra one."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    op = r.randrange(4)
    names = [n for n, _ in entries]
    if op == 0:
        i = names.index("__header__.npy")
        raw = entries[i][1]
        length = struct.unpack("<H", raw[8:10])[0]
        tree = json.loads(raw[10 + length:].decode())
        text = json.dumps(_json_mutation(tree, r)).encode()
        entries[i] = (names[i], _npy(np.frombuffer(text, np.uint8)))
    else:
        i = r.randrange(len(entries))
        if op == 1:
            payload = _npy(np.array([Evil(marker)], dtype=object), allow_pickle=True)
        elif op == 2:
            shape = r.choice([(10 ** 13,), (2 ** 40, 2 ** 40), (65536,) * 4, (3, 10 ** 9)])
            payload = _npy_header(shape, r.choice(["<f8", "<f4", "|u1"])) + bytes(
                r.randint(0, 64))
        else:
            payload = _npy(np.zeros(r.randint(0, 8), dtype=r.choice(
                [np.int64, np.float16, np.complex64, np.bool_])))
        if r.random() < 0.3:
            entries.append((f"extra{r.randrange(9)}.npy", payload))
        else:
            entries[i] = (names[i], payload)
    return _rezip(entries)


def _length_json_mutation(data, r, width):
    """retrograd.save (8-byte magic + u64) or safetensors (u64): the JSON header's
    values replaced, the length prefix rewritten to match."""
    start = 16 if width == 16 else 8
    (length,) = struct.unpack("<Q", data[start - 8:start])
    tree = json.loads(data[start:start + length].decode())
    text = json.dumps(_json_mutation(tree, r)).encode()
    if width == 8:
        text += b" " * (-len(text) % 8)
    return data[:start - 8] + struct.pack("<Q", len(text)) + text + data[start + length:]


def _idx_mutation(data, r):
    data = bytearray(data)
    op = r.randrange(3)
    if op == 0:
        ndim = data[3]
        if ndim:
            i = r.randrange(ndim)
            data[4 + 4 * i:8 + 4 * i] = struct.pack(">I", r.choice(
                [0, 1, 65536, 2 ** 31, 2 ** 32 - 1, r.randrange(2 ** 32)]))
    elif op == 1:
        data[2] = r.choice([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF])
    else:
        data[3] = r.randrange(256)
    return bytes(data)


_BOMB = None


def _gzip_bomb():
    global _BOMB
    if _BOMB is None:
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = bytes(MIB)
        _BOMB = b"".join([c.compress(chunk) for _ in range(256)] + [c.flush()])   # 256 MB
    return _BOMB


def mutate(kind, seed_bytes, r, marker):
    op = r.random()
    if kind in ("model", "model_big", "weights", "checkpoint"):
        if op < 0.35:
            return _retrograd_zip_mutation(seed_bytes, r, marker)
        if op < 0.6:
            return _zip_mutation(seed_bytes, r)
        if op < 0.63:
            return _overlap_bomb(r)
        return _byte_mutation(seed_bytes, r)
    if kind in ("npz", "npz_stored", "keras3"):
        if op < 0.4:
            return _zip_mutation(seed_bytes, r)
        if op < 0.5 and kind != "keras3":
            with zipfile.ZipFile(io.BytesIO(seed_bytes)) as z:
                entries = [(i.filename, z.read(i)) for i in z.infolist()]
            i = r.randrange(len(entries))
            entries[i] = (entries[i][0], r.choice([
                _npy(np.array([Evil(marker)], dtype=object), allow_pickle=True),
                _npy_header((10 ** 13,), "|u1") + bytes(16)]))
            return _rezip(entries, r.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
        if op < 0.53:
            return _overlap_bomb(r)
        return _byte_mutation(seed_bytes, r)
    if kind == "tensor" and op < 0.5:
        return _length_json_mutation(seed_bytes, r, 16)
    if kind == "safetensors" and op < 0.5:
        return _length_json_mutation(seed_bytes, r, 8)
    if kind == "idx" and op < 0.5:
        return _idx_mutation(seed_bytes, r)
    if kind == "idx_gz" and op < 0.5:
        if op < 0.05:
            return _gzip_bomb()
        return gzip.compress(_idx_mutation(gzip.decompress(seed_bytes), r))
    return _byte_mutation(seed_bytes, r)


# -- loaders ---------------------------------------------------------------------------------
def load(kind, path, sha):
    from retrograd import keras
    from retrograd.checkpoint import load_checkpoint
    if kind in ("model", "model_big", "keras3"):
        return keras.models.load_model(path)
    if kind == "weights":
        m = _keras_model()
        return m.load_weights(path)
    if kind == "checkpoint":
        model, opt, sched = _nn_model()
        return load_checkpoint(path, model, opt, sched)
    if kind == "tensor":
        import retrograd as rg
        return rg.load(path, map_location="cpu")
    if kind == "safetensors":
        from retrograd import safetensors_files
        return safetensors_files.load(path)
    if kind == "idx":
        from retrograd.datasets.idx import read_idx
        return read_idx(path, shape=(20, 4, 4))
    if kind == "idx_gz":
        from retrograd.datasets.files import load_arrays
        catalog = _tiny_catalog()
        directory = os.path.dirname(path)
        first = catalog.files[0]
        from retrograd.datasets.files import Catalog
        one = Catalog("tiny", (type(first)(os.path.basename(path)[:-3], first.shape,
                                           sha),), mirrors=())
        return load_arrays(one, directory, download=False)
    if kind in ("npz", "npz_stored"):
        from retrograd.datasets.files import load_npz
        return load_npz(path, _tiny_catalog())
    raise ValueError(kind)


KNOWN_SIZE = {"idx": 4 + 12 + 320, "idx_gz": 4 + 12 + 320,
              "npz": 320 + 20 + 160 + 10, "npz_stored": 320 + 20 + 160 + 10}
SUFFIX = {"model": ".retrograd", "model_big": ".retrograd", "weights": ".weights.retrograd", "checkpoint": ".ckpt",
          "tensor": ".pt", "safetensors": ".safetensors", "keras3": ".keras", "idx": ".idx",
          "idx_gz": ".gz", "npz": ".npz", "npz_stored": ".npz"}


def json_bytes(kind, data):
    """The bytes of JSON the file holds: JSON becomes Python objects of up to ~32 ×
    its size (measured: 1 MB of [{"":{}}, …] takes 32 MB), so the bound counts them
    apart from the array bytes."""
    if kind in ("tensor", "safetensors"):
        at = 8 if kind == "tensor" else 0
        return min(struct.unpack("<Q", data[at:at + 8])[0], len(data)) \
            if len(data) >= at + 8 else 0
    if kind in ("model", "model_big", "weights", "checkpoint", "keras3"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return min(len(data), sum(i.file_size for i in z.infolist() if i.filename in
                                          ("__header__.npy", "config.json", "metadata.json")))
        except Exception:                     # noqa: BLE001 — unreadable: no JSON parsed
            return 0
    return 0


def bound(kind, data):
    """The memory bound of docs/reliability.md: 4 × the file's size + 40 × its JSON
    + 8 MiB; for the dataset loaders, 2 × the dataset's known size + 8 MiB."""
    if kind in KNOWN_SIZE:
        return 2 * KNOWN_SIZE[kind] + CONSTANT
    return 4 * len(data) + 40 * json_bytes(kind, data) + CONSTANT


# -- workers -----------------------------------------------------------------------------------
def _vm_size():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def worker(conn, seeds, workdir, mem_cap, marker, sha):
    import retrograd  # noqa: F401 — imported before the cap
    if {"model", "weights", "keras3"} & set(seeds):
        from retrograd import keras  # noqa: F401
    import subprocess

    from retrograd.datasets.idx import CorruptFileError
    from retrograd.serialization import ModelFileError
    calls = []
    for mod, name in ((os, "system"), (os, "popen"), (subprocess, "Popen")):
        setattr(mod, name, lambda *a, _n=name, **k: calls.append(_n))
    own = os.path.join(workdir, f"w{os.getpid()}")
    os.makedirs(own, exist_ok=True)
    if "idx_gz" in seeds:
        _gzip_bomb()
    for kind, data in seeds.items():        # warm up (lazy imports), and check the seeds
        path = os.path.join(own, "train-images" + SUFFIX[kind] if kind == "idx_gz"
                            else "case" + SUFFIX[kind])
        with open(path, "wb") as f:
            f.write(data)
        load(kind, path, sha)
    limit = _vm_size() + mem_cap
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import tracemalloc
    while True:
        job = conn.recv()
        if job is None:
            return
        case, kind, seed = job
        r = random.Random(seed)
        try:
            data = mutate(kind, seeds[kind], r, marker)
        except Exception as e:                # noqa: BLE001 — the fuzzer's own fault
            conn.send((case, kind, "mutation_error", f"{type(e).__name__}: {e}", 0.0, 0, 0,
                       1, False))
            continue
        path = os.path.join(own, "train-images" + SUFFIX[kind] if kind == "idx_gz"
                            else "case" + SUFFIX[kind])
        with open(path, "wb") as f:
            f.write(data)
        del calls[:]
        tracemalloc.start()
        t0 = time.perf_counter()
        outcome, detail = "loaded", ""
        try:
            load(kind, path, sha)
        except (ModelFileError, CorruptFileError):
            outcome = "refused"
        except BaseException as e:            # noqa: BLE001 — what the campaign counts
            outcome = "foreign"
            detail = f"{type(e).__name__}: {str(e)[:200]} | " + \
                " / ".join(traceback.format_exc().strip().splitlines()[-3:])[:400]
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        ran = os.path.exists(marker) or bool(calls)
        if os.path.exists(marker):
            os.unlink(marker)
        conn.send((case, kind, outcome, detail, elapsed, peak, len(data),
                   bound(kind, data), ran))


def campaign(cases, workers, workdir, mem_mib, seed=0, verbose=True, kinds=None):
    seeds = make_seeds(workdir, kinds)
    sha = hashlib.sha256(gzip.decompress(seeds.get("idx_gz", gzip.compress(b"")))).hexdigest()
    marker = os.path.join(workdir, "CODE_RAN")
    kinds = sorted(seeds)
    ctx = mp.get_context("fork")
    jobs = [(i, kinds[i % len(kinds)], seed * 10 ** 7 + i) for i in range(cases)]
    stats = {"cases": 0, "code_executed": 0, "foreign_exceptions": 0, "crashed_workers": 0,
             "over_bound": 0, "max_peak_mib": 0.0, "max_peak_over_bound": 0.0,
             "slowest_s": 0.0, "max_peak_per_byte_over_256kib": 0.0, "by_kind": {}, "foreign": [], "seeds": {
                 k: len(v) for k, v in seeds.items()}}
    pool = []

    def spawn():
        parent, child = ctx.Pipe()
        p = ctx.Process(target=worker, args=(child, seeds, workdir, mem_mib * MIB, marker,
                                             sha), daemon=True)
        p.start()
        return [p, parent, None]

    pool = [spawn() for _ in range(workers)]
    pending = list(reversed(jobs))
    start = time.time()
    while pending or any(w[2] is not None for w in pool):
        for w in pool:
            if w[2] is None and pending:
                w[2] = pending.pop()
                w[1].send(w[2])
        ready = mp.connection.wait([w[1] for w in pool if w[2] is not None], timeout=30)
        for w in pool:
            if w[2] is None:
                continue
            if w[1] in ready:
                try:
                    result = w[1].recv()
                except EOFError:
                    result = None
            elif not w[0].is_alive():
                result = None
            else:
                continue
            if result is None:               # the worker died (killed, crashed)
                stats["crashed_workers"] += 1
                stats["foreign"].append(f"case {w[2][0]} ({w[2][1]}): worker died, exit "
                                        f"{w[0].exitcode}")
                w[0].join()
                w[:] = spawn()
                continue
            w[2] = None
            _record(stats, *result)
        if verbose and stats["cases"] and stats["cases"] % 1000 == 0:
            print(f"{stats['cases']} cases, {time.time() - start:.0f} s", file=sys.stderr)
    for w in pool:
        w[1].send(None)
        w[0].join(5)
    stats["seconds"] = round(time.time() - start, 1)
    stats["foreign"] = stats["foreign"][:20]
    return stats


def _record(stats, case, kind, outcome, detail, elapsed, peak, size, limit, ran):
    stats["cases"] += 1
    k = stats["by_kind"].setdefault(kind, {"cases": 0, "loaded": 0, "refused": 0,
                                           "foreign": 0, "max_peak_mib": 0.0,
                                           "slowest_s": 0.0})
    k["cases"] += 1
    k[outcome] = k.get(outcome, 0) + 1
    k["max_peak_mib"] = max(k["max_peak_mib"], round(peak / MIB, 2))
    k["slowest_s"] = max(k["slowest_s"], round(elapsed, 3))
    stats["code_executed"] += bool(ran)
    if outcome == "mutation_error":          # a bug of this script, not of a loader
        stats["mutation_errors"] = stats.get("mutation_errors", 0) + 1
        stats["foreign"].append(f"case {case} ({kind}): mutation failed: {detail}")
    if outcome == "foreign":
        stats["foreign_exceptions"] += 1
        stats["foreign"].append(f"case {case} ({kind}): {detail}")
    stats["over_bound"] += peak > limit
    stats["max_peak_mib"] = max(stats["max_peak_mib"], round(peak / MIB, 2))
    stats["max_peak_over_bound"] = max(stats["max_peak_over_bound"], round(peak / limit, 3))
    stats["slowest_s"] = max(stats["slowest_s"], round(elapsed, 3))
    if size >= 256 * 1024:                  # where the factor, not the constant, shows
        stats["max_peak_per_byte_over_256kib"] = max(stats["max_peak_per_byte_over_256kib"],
                                                     round(peak / size, 3))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mem-mib", type=int, default=1024,
                        help="address space each worker may add to its size at start")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--kinds", default=None,
                        help="comma-separated file kinds (default: all): " + ", ".join(SUFFIX))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        stats = campaign(args.cases, args.workers, args.workdir or tmp, args.mem_mib,
                         args.seed, verbose=not args.json,
                         kinds=None if args.kinds is None else args.kinds.split(","))
    if args.json:
        print(json.dumps(stats))
    else:
        print(json.dumps(stats, indent=1))
    ok = stats["code_executed"] == 0 and stats["foreign_exceptions"] == 0 and \
        not stats.get("mutation_errors") and \
        stats["over_bound"] == 0 and stats["slowest_s"] <= 5 and stats["crashed_workers"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
