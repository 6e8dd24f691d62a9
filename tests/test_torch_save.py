"""retrograd.save / retrograd.load against torch.save / torch.load: the same objects
come back (structure, types, shapes, dtypes, values), files are written
atomically, and hostile or foreign files are refused without unpickling anything
or allocating beyond their size."""
import io
import json
import math
import os
import struct
import tracemalloc
from collections import Counter, OrderedDict

import numpy as np
import pytest

import retrograd as rg
from retrograd import backend, nn, optim, tensor_files
from retrograd.serialization import ModelFileError

torch = pytest.importorskip("torch")


def round_trip(T, obj, **load_args):
    buf = io.BytesIO()
    T.save(obj, buf)
    buf.seek(0)
    return T.load(buf, **load_args)


def same_structure(ours, theirs, path="obj"):
    """The two loaded objects are alike: containers, keys, scalars, tensors."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, rg.Tensor), path
        assert tuple(ours.shape) == tuple(theirs.shape), path
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch."), path
        assert ours.requires_grad == theirs.requires_grad, path
        np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy(), err_msg=path)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs), path
        for k in theirs:
            same_structure(ours[k], theirs[k], f"{path}[{k!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same_structure(a, b, f"{path}[{i}]")
    elif isinstance(theirs, float) and math.isnan(theirs):
        assert isinstance(ours, float) and math.isnan(ours), path
    else:
        assert type(ours) is type(theirs) and ours == theirs, path


def sample(T):
    return {"w": T.arange(6.0).reshape(2, 3), "ints": T.tensor([1, 2, 3]),
            "flags": T.tensor([True, False]), "half": T.ones(2, dtype=T.float16),
            "scalar": T.tensor(2.5), "empty": T.zeros(0, 3), "leaf": T.ones(2, requires_grad=True),
            "epoch": 3, "lr": 0.1, "nan": float("nan"), "inf": -math.inf, "name": "run",
            "none": None, "ok": True, "big": 2 ** 70, 7: "int key", (1, 2): "tuple key",
            "nested": [1, (2.0, [T.zeros(1, dtype=T.int8)]), {"deep": {"er": T.eye(2)}}],
            "ordered": OrderedDict(b=1, a=T.ones(1, dtype=T.float64))}


@pytest.mark.parametrize("weights_only", [True, False, None])
def test_round_trip_equals_pytorchs(weights_only):
    same_structure(round_trip(rg, sample(rg), weights_only=weights_only),
                   round_trip(torch, sample(torch), weights_only=weights_only))


def test_a_tensor_saved_twice_is_loaded_once():
    for T in (rg, torch):
        t = T.ones(3)
        back = round_trip(T, {"a": t, "b": t, "c": [t]})
        assert back["a"] is back["b"] is back["c"][0]


def test_numpy_data_round_trips():
    back = round_trip(rg, {"a": np.arange(6, dtype=np.int16).reshape(3, 2),
                           "s": np.float32(1.5), "n": np.int64(4)})
    assert back["a"].dtype == np.int16 and back["a"].shape == (3, 2)
    assert isinstance(back["s"], np.float32) and back["s"] == 1.5
    assert isinstance(back["n"], np.int64)


def test_model_and_optimizer_state_dicts_round_trip_through_a_path(tmp_path):
    """The quickstart's idiom: save model.state_dict(), load it into a fresh model;
    the optimiser's slots too, so training continues as if never stopped."""
    def make():
        rg.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
        return model, optim.Adam(model.parameters(), lr=0.01)

    x, y = rg.randn(8, 3), rg.randn(8, 1)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            opt.step()

    model, opt = make()
    train(model, opt, 2)
    path = tmp_path / "model.pth"
    rg.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    train(model, opt, 3)

    model2, opt2 = make()
    state = rg.load(path, weights_only=True)
    model2.load_state_dict(state["model"])
    opt2.load_state_dict(state["optimizer"])
    train(model2, opt2, 3)
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert os.listdir(tmp_path) == ["model.pth"]        # no temporary left behind


def test_scheduler_state_dicts_round_trip():
    opt = optim.SGD([rg.zeros(1, requires_grad=True)], lr=0.1)
    sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4, 4], gamma=0.5)
    for _ in range(3):
        sched.step()
    state = round_trip(rg, sched.state_dict())
    opt2 = optim.SGD([rg.zeros(1, requires_grad=True)], lr=0.1)
    sched2 = optim.lr_scheduler.MultiStepLR(opt2, milestones=[2, 4, 4], gamma=0.5)
    sched2.load_state_dict(state)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    assert sched2.milestones == Counter([2, 4, 4])
    sched.step(), sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr() == [0.1 * 0.5 ** 3]


def test_a_failed_save_leaves_the_previous_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    rg.save({"w": rg.ones(2)}, path)
    with pytest.raises(TypeError, match=r"obj\['model'\], of type Sequential.*state_dict"):
        rg.save({"model": nn.Sequential(nn.Linear(1, 1))}, path)
    with pytest.raises(TypeError, match=r"obj\['f'\]\[0\], of type function"):
        rg.save({"f": [lambda: 0]}, path)
    np.testing.assert_array_equal(rg.load(path)["w"].numpy(), [1, 1])
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_unsaveable_containers_are_named():
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        rg.save(loop, io.BytesIO())
    with pytest.raises(TypeError, match="dtype"):
        rg.save(np.array(["a"]), io.BytesIO())
    with pytest.raises(TypeError, match="path or a binary file object"):
        rg.save(rg.ones(1), 3)


def test_map_location(fake_cuda, monkeypatch):
    buf = io.BytesIO()
    rg.save({"w": rg.ones(2, device="cuda"), "b": rg.zeros(1)}, buf)
    raw = buf.getvalue()
    back = rg.load(io.BytesIO(raw))
    assert back["w"].device == "cuda" and back["b"].device == "cpu"
    for where in ("cpu", rg.device("cpu"), {"cuda:0": "cpu"}):
        assert rg.load(io.BytesIO(raw), map_location=where)["w"].device == "cpu"
    assert rg.load(io.BytesIO(raw), map_location="cuda")["b"].device == "cuda"
    monkeypatch.setattr(backend, "cuda_available", lambda: False)
    with pytest.raises(RuntimeError, match="saved on a CUDA device.*map_location='cpu'"):
        rg.load(io.BytesIO(raw))
    with pytest.raises(NotImplementedError, match="map_location as a function"):
        rg.load(io.BytesIO(raw), map_location=lambda storage, loc: storage)


def test_missing_files_raise_what_pytorch_raises(tmp_path):
    for T in (rg, torch):
        with pytest.raises(FileNotFoundError):
            T.load(tmp_path / "nope.pt")


# -- files that are not retrograd.save files ---------------------------------------
@pytest.mark.parametrize("zipped", [True, False])
def test_pytorch_files_are_named_not_unpickled(tmp_path, zipped):
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=zipped)
    with pytest.raises(ModelFileError, match="PyTorch's.*never unpickles.*numpy.savez"):
        rg.load(path)


def test_other_formats_are_named(tmp_path):
    npy = tmp_path / "a.npy"
    np.save(npy, np.ones(2))
    with pytest.raises(ModelFileError, match="NumPy .npy file"):
        rg.load(npy)
    model_file = tmp_path / "m.keras"
    from retrograd import serialization
    serialization.save(model_file, {"kind": "model"}, {"w": np.ones(1)})
    with pytest.raises(ModelFileError, match="retrograd model or checkpoint file"):
        rg.load(model_file)
    with pytest.raises(ModelFileError, match="not a retrograd.save file"):
        rg.load(io.BytesIO(b"hello world, not a tensor file"))


def forged(header, data=b""):
    """A file with a hand-made header."""
    text = json.dumps(header).encode()
    pad = -(16 + len(text)) % 64
    return io.BytesIO(b"RGTENSOR" + struct.pack("<Q", len(text)) + text + bytes(pad) + data)


def entry(**kw):
    e = {"kind": "tensor", "dtype": "<f4", "shape": [2], "offset": 0, "nbytes": 8,
         "device": "cpu", "requires_grad": False}
    return {**e, **kw}


@pytest.mark.parametrize("header,data,match", [
    (entry(shape=[10 ** 6, 10 ** 6], nbytes=4 * 10 ** 12), bytes(8), "truncated or altered"),
    (entry(shape=[3]), bytes(8), "do not hold"),
    (entry(dtype="|O"), bytes(8), "not one of retrograd's"),
    (entry(dtype="<V8"), bytes(8), "not one of retrograd's"),
    (entry(kind="pickle"), bytes(8), "unknown kind"),
    (entry(shape=[-1], nbytes=-4), bytes(8), "invalid shape"),
    (entry(offset=-8), bytes(16), "invalid offset"),
    (entry(device="tpu"), bytes(8), "unknown device"),
])
def test_forged_array_entries_are_refused(header, data, match):
    f = forged({"format": "retrograd.save", "version": 1, "arrays": [header],
                "object": {"array": 0}}, data)
    with pytest.raises(ModelFileError, match=match):
        rg.load(f)


@pytest.mark.parametrize("obj,match", [
    ({"array": 1}, "reference to array"), ({"pickle": "cos\nsystem"}, "unknown object node"),
    ({"dict": [[1]]}, "malformed dict item"), ({"a": 1, "b": 2}, "malformed object node"),
    ({"dict": [[{"list": []}, 1]]}, "not a readable"),          # unhashable key
])
def test_forged_objects_are_refused(obj, match):
    f = forged({"format": "retrograd.save", "version": 1, "arrays": [entry()],
                "object": obj}, bytes(8))
    with pytest.raises(ModelFileError, match=match):
        rg.load(f)


def test_headers_and_versions_are_checked():
    with pytest.raises(ModelFileError, match="newer retrograd"):
        rg.load(forged({"format": "retrograd.save", "version": 99, "arrays": [],
                        "object": None}))
    with pytest.raises(ModelFileError, match="header announces"):
        rg.load(io.BytesIO(b"RGTENSOR" + struct.pack("<Q", 10 ** 9) + b"{}"))
    deep = {"list": []}
    for _ in range(tensor_files.MAX_DEPTH + 5):
        deep = {"list": [deep]}
    with pytest.raises(ModelFileError, match="nested more than|not a readable"):
        rg.load(forged({"format": "retrograd.save", "version": 1, "arrays": [],
                        "object": deep}))


def test_every_truncation_of_a_real_file_is_refused_cleanly():
    buf = io.BytesIO()
    rg.save({"w": rg.ones(4, 4), "b": rg.zeros(3)}, buf)
    raw = buf.getvalue()
    for n in range(0, len(raw) - 1, 7):
        with pytest.raises(ModelFileError):
            rg.load(io.BytesIO(raw[:n]))


def test_overlapping_entries_cannot_multiply_the_allocation():
    """1,000 entries all naming the same 1 MB: loading must refuse, not allocate 1 GB."""
    n = 2 ** 18
    arrays = [entry(shape=[n], nbytes=4 * n) for _ in range(1000)]
    f = forged({"format": "retrograd.save", "version": 1, "arrays": arrays,
                "object": {"list": [{"array": i} for i in range(1000)]}}, bytes(4 * n))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="more bytes than the data section"):
            rg.load(f)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(f.getvalue())
