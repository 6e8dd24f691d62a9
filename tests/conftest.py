"""Shared fixtures: the device matrix, the MNIST location, deterministic seeds."""
import os
from pathlib import Path

import pytest

import retrograd as rg

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("RETROGRAD_DATA", ROOT.parent / "shared" / "data"))
MNIST = DATA / "mnist"

CUDA = pytest.param("cuda", marks=pytest.mark.skipif(
    not rg.cuda_available(), reason="CuPy with a GPU is not available on this machine"))
DEVICES = ["cpu", CUDA, "fake-cuda"]


@pytest.fixture(params=DEVICES)
def device(request):
    """Run a test once per device; CUDA is skipped where there is no GPU.
    "fake-cuda" runs the test on device "cuda" under tests/fake_cupy.py (NumPy with
    CuPy's host/device strictness): it catches host/device mix-ups on any machine,
    it does not replace the real GPU run (benchmarks/gpu_check.sh)."""
    if request.param == "fake-cuda":
        request.getfixturevalue("fake_cuda")
        return "cuda"
    return request.param


@pytest.fixture(params=["fake-cuda", CUDA])
def gpu(request):
    """The CuPy module behind device "cuda": the fake of tests/fake_cupy.py on every
    machine ("fake-cuda"), and the real one where CuPy sees a GPU ("cuda", run by
    benchmarks/gpu_check.sh)."""
    if request.param == "fake-cuda":
        return request.getfixturevalue("fake_cuda")
    from retrograd import backend
    return backend.module_for("cuda")


@pytest.fixture
def fake_cuda(monkeypatch):
    """Device "cuda" backed by the fake CuPy of tests/fake_cupy.py, for one test."""
    import fake_cupy
    return fake_cupy.install(monkeypatch)


@pytest.fixture
def mnist_dir():
    if not (MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found in {MNIST} (set RETROGRAD_DATA)")
    return MNIST


@pytest.fixture(autouse=True)
def _seed():
    rg.manual_seed(0)
