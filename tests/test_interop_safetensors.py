"""safetensors files: retrograd.save/load ⇄ PyTorch's safetensors.torch, and hostile
headers refused fast, before anything is allocated (safetensors_files.py)."""
import json
import struct
import tracemalloc

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.serialization import ModelFileError

pytest.importorskip("safetensors", reason="safetensors not installed (pip install "
                    "retrograd[interop])")


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the oracle")


def _mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def test_pytorch_state_dict_loads_into_the_same_retrograd_model(tmp_path):
    torch = _torch()
    from safetensors.torch import save_file
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(),
                                 torch.nn.Linear(8, 3))
    save_file(theirs.state_dict(), tmp_path / "w.safetensors")
    ours = _mlp()
    state = rg.load(tmp_path / "w.safetensors")
    assert set(state) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert all(isinstance(t, rg.Tensor) and t.dtype == np.float32 for t in state.values())
    ours.load_state_dict(state)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(rg.tensor(x)).numpy(), expected, rtol=1e-6, atol=1e-6)


def test_retrograd_state_dict_loads_into_pytorch(tmp_path):
    torch = _torch()
    from safetensors.torch import load_file
    ours = _mlp()
    path = tmp_path / "w.safetensors"
    rg.save(ours.state_dict(), path)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(),
                                 torch.nn.Linear(8, 3))
    theirs.load_state_dict(load_file(path))
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(rg.tensor(x)).numpy(), expected, rtol=1e-6, atol=1e-6)


def test_a_cnn_with_batch_norm_statistics_both_ways(tmp_path):
    torch = _torch()
    from safetensors.torch import load_file, save_file

    from retrograd.nn.conv import Conv2d
    from retrograd.nn.normalization import BatchNorm2d
    from retrograd.nn.pooling import MaxPool2d
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4),
                                 torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                 torch.nn.Linear(16, 2))
    theirs(torch.randn(8, 3, 4, 4))              # running statistics and the batch count
    theirs.eval()
    ours = nn.Sequential(Conv2d(3, 4, 3, padding=1), BatchNorm2d(4), nn.ReLU(), MaxPool2d(2),
                         nn.Flatten(), nn.Linear(16, 2))
    ours.eval()
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 4)).astype(np.float32)
    save_file(theirs.state_dict(), tmp_path / "t.safetensors")
    state = rg.load(tmp_path / "t.safetensors")
    assert state["1.num_batches_tracked"].dtype == np.int64
    ours.load_state_dict(state)
    with torch.no_grad():
        np.testing.assert_allclose(ours(rg.tensor(x)).numpy(),
                                   theirs(torch.from_numpy(x)).numpy(), atol=1e-5)
    with rg.no_grad():                            # change ours, send it back
        ours[1].running_mean.array[...] = 0.25
    rg.save(ours.state_dict(), tmp_path / "r.safetensors")
    theirs.load_state_dict(load_file(tmp_path / "r.safetensors"))
    assert torch.all(theirs[1].running_mean == 0.25)
    with torch.no_grad():
        np.testing.assert_allclose(ours(rg.tensor(x)).numpy(),
                                   theirs(torch.from_numpy(x)).numpy(), atol=1e-5)


def test_format_argument_dtypes_and_file_objects(tmp_path):
    import io

    from safetensors.numpy import load_file
    state = {"f64": rg.tensor(np.arange(6.0).reshape(2, 3)),
             "i64": rg.tensor(np.arange(4)), "b": np.array([True, False]),
             "f16": np.ones(3, np.float16), "scalar": rg.tensor(np.float32(2.5))}
    path = tmp_path / "weights.bin"                 # no extension: format= picks it
    rg.save(state, path, format="safetensors")
    assert {k: v.dtype for k, v in load_file(path).items()} == {
        "f64": np.float64, "i64": np.int64, "b": np.bool_, "f16": np.float16,
        "scalar": np.float32}
    back = rg.load(path, format="safetensors")
    for k, v in state.items():
        expected = v.numpy() if isinstance(v, rg.Tensor) else v
        assert back[k].dtype == expected.dtype and back[k].shape == expected.shape
        np.testing.assert_array_equal(back[k].numpy(), expected)
    back["f64"][0, 0] = 7.0                         # loaded tensors are writable
    buf = io.BytesIO()
    rg.save({"w": rg.ones(2)}, buf, format="safetensors")
    buf.seek(0)
    np.testing.assert_array_equal(rg.load(buf, format="safetensors")["w"].numpy(), [1, 1])
    # Without format=, a file not named .safetensors is read as retrograd's own format,
    # whose error says how to read it.
    with pytest.raises(ModelFileError, match="format='safetensors'"):
        rg.load(path)
    with pytest.raises(ValueError, match="format must be"):
        rg.save(state, path, format="pickle")


def test_non_tensor_values_are_refused_naming_the_key(tmp_path):
    path = tmp_path / "w.safetensors"
    with pytest.raises(TypeError, match=r"state_dict\['step'\] is a int"):
        rg.save({"w": rg.ones(2), "step": 3}, path)
    with pytest.raises(TypeError, match=r"state_dict\['nested'\] is a dict"):
        rg.save({"nested": {"w": rg.ones(2)}}, path)
    with pytest.raises(TypeError, match="key 0 is a int"):
        rg.save({0: rg.ones(2)}, path)
    with pytest.raises(TypeError, match="expected a dict"):
        rg.save([rg.ones(2)], path)
    assert not path.exists()                        # nothing half-written


def _file(header, data=b""):
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


@pytest.mark.parametrize("raw,message", [
    (_file({"w": {"dtype": "F32", "shape": [10**9, 10**9], "data_offsets": [0, 8]}},
           bytes(8)), "do not hold"),
    (_file({"w": {"dtype": "F32", "shape": [2**40], "data_offsets": [0, 2**42]}},
           bytes(8)), "data section of 8 bytes"),
    (_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)),
     "overlap"),
    (_file(b"{not json", bytes(8)), "not JSON"),
    (_file(b"[1, 2]"), "not a JSON object"),
    (struct.pack("<Q", 2**60) + b"{}", "announces"),
    (b"\x01\x02", "truncated"),
    (_file({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, bytes(4)),
     "dtype 'BF16'"),
    (_file({"w": {"dtype": ["F32"], "shape": [1], "data_offsets": [0, 4]}}, bytes(4)),
     r"dtype \"\['F32'\]\" is not"),                  # unhashable: found by benchmarks/fuzz_files.py
    (_file({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, bytes(4)),
     "invalid shape"),
    (_file({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, bytes(4)),
     "invalid data_offsets"),
    # a hole between tensors: the header checks pass, the library refuses it
    (_file({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8)),
     "not a readable safetensors file"),
])
def test_hostile_headers_are_refused_fast_with_bounded_memory(tmp_path, raw, message):
    path = tmp_path / "evil.safetensors"
    path.write_bytes(raw)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=message):
            rg.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000 + 10 * len(raw)


def _valid_file():
    import io
    buf = io.BytesIO()
    rg.save({"w": rg.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3)),
             "b": rg.tensor(np.arange(3))}, buf, format="safetensors")
    return buf.getvalue()


VALID = _valid_file()


def test_fuzzed_files_load_or_raise_the_library_error(tmp_path):
    """Byte changes anywhere (the header's digits, brackets, the data) and cuts: the
    file loads (a change in the data) or raises ModelFileError, nothing else."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    path = tmp_path / "fuzz.safetensors"

    @settings(max_examples=25, deadline=None, database=None)
    @given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)),
                    min_size=1, max_size=3), st.integers(1, len(VALID)))
    def check(changes, keep):
        raw = bytearray(VALID)
        for i, b in changes:
            raw[i] = b
        path.write_bytes(bytes(raw[:keep]))
        try:
            state = rg.load(path)
        except ModelFileError:
            return
        assert all(isinstance(k, str) and isinstance(v, rg.Tensor) for k, v in state.items())
    check()


def test_cuda_tensors_are_saved_from_and_loaded_to_the_device(gpu, tmp_path):
    path = tmp_path / "w.safetensors"
    rg.save({"w": rg.tensor([[1.0, 2.0]], device="cuda")}, path)
    from safetensors.numpy import load_file
    np.testing.assert_array_equal(load_file(path)["w"], [[1.0, 2.0]])
    assert rg.load(path)["w"].device == "cpu"
    back = rg.load(path, map_location="cuda")["w"]
    assert back.device == "cuda" and back.to("cpu").numpy().tolist() == [[1.0, 2.0]]


def test_without_the_safetensors_library_the_error_names_the_extra(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"pip install retrograd\[interop\]"):
        rg.save({"w": rg.ones(2)}, tmp_path / "w.safetensors")
