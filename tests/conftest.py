"""Shared fixtures: the device matrix, the MNIST location, deterministic seeds."""
import os
from pathlib import Path

import pytest

import retrograd as rg

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("RETROGRAD_DATA", ROOT.parent / "shared" / "data"))
MNIST = DATA / "mnist"

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not rg.cuda_available(), reason="CuPy with a GPU is not available on this machine"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Run a test once per device; CUDA is skipped where there is no GPU."""
    return request.param


@pytest.fixture
def mnist_dir():
    if not (MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found in {MNIST} (set RETROGRAD_DATA)")
    return MNIST


@pytest.fixture(autouse=True)
def _seed():
    rg.manual_seed(0)
