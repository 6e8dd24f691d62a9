"""DLPack: memory shared without a copy with NumPy, PyTorch and CuPy (dlpack.py).
Each test writes through one side and reads the other."""
import numpy as np
import pytest

import retrograd as rg


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the other side of the exchange")


def test_numpy_shares_memory_both_ways():
    t = rg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.__dlpack_device__() == (1, 0)
    a = np.from_dlpack(t)
    a[0, 1] = 20.0                               # numpy writes, retrograd reads
    assert t.numpy()[0, 1] == 20.0
    t.array[1, 2] = 60.0                         # retrograd writes, numpy reads
    assert a[1, 2] == 60.0
    assert np.shares_memory(np.from_dlpack(t.T), t.array)   # strided views too

    b = np.arange(6, dtype=np.int32).reshape(2, 3)
    u = rg.from_dlpack(b)
    assert u.dtype == np.int32 and u.shape == (2, 3) and np.shares_memory(u.array, b)
    b[1, 1] = -7
    assert u.numpy()[1, 1] == -7
    u.array[0, 0] = 99
    assert b[0, 0] == 99
    assert not u.requires_grad and u.is_leaf


def test_pytorch_shares_memory_both_ways():
    torch = _torch()
    t = rg.zeros(2, 3)
    theirs = torch.from_dlpack(t)
    assert theirs.shape == (2, 3) and theirs.dtype == torch.float32
    theirs[1, 2] = 5.0                           # PyTorch writes, retrograd reads
    assert t.numpy()[1, 2] == 5.0
    t.array[0, 0] = 3.0                          # retrograd writes, PyTorch reads
    assert theirs[0, 0].item() == 3.0

    source = torch.arange(6.0, dtype=torch.float64).reshape(2, 3)
    ours = rg.from_dlpack(source)
    assert ours.dtype == np.float64 and ours.shape == (2, 3)
    source[0, 1] = -1.0
    assert ours.numpy()[0, 1] == -1.0
    ours.array[1, 0] = 42.0
    assert source[1, 0].item() == 42.0
    # the result takes part in autodiff like any leaf
    w = rg.from_dlpack(torch.ones(3)).requires_grad_()
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0, 2.0])


def test_dtypes_and_the_legacy_capsule_functions():
    torch = _torch()
    from torch.utils import dlpack as torch_dlpack
    for dtype in (np.float16, np.float32, np.float64, np.int8, np.int64, np.uint8, np.bool_):
        t = rg.tensor(np.array([[1, 0], [0, 1]], dtype=dtype))
        theirs = torch.from_dlpack(t)
        np.testing.assert_array_equal(theirs.numpy(), t.numpy())
        back = rg.from_dlpack(theirs)
        assert back.dtype == dtype and np.shares_memory(back.array, t.array)
    # torch.utils.dlpack's capsules: retrograd's to_dlpack → torch, torch's → retrograd
    t = rg.tensor([1.0, 2.0])
    theirs = torch_dlpack.from_dlpack(rg.utils.dlpack.to_dlpack(t))
    theirs[0] = 10.0
    assert t.numpy()[0] == 10.0
    ours = rg.utils.dlpack.from_dlpack(torch_dlpack.to_dlpack(torch.tensor([3.0, 4.0])))
    np.testing.assert_array_equal(ours.numpy(), [3.0, 4.0])


def test_refusals_name_the_problem():
    torch = _torch()
    w = rg.ones(3, requires_grad=True)
    for consumer in (np.from_dlpack, torch.from_dlpack):
        with pytest.raises(BufferError, match=r"require gradient, use tensor\.detach\(\)"):
            consumer(w)
    np.testing.assert_array_equal(np.from_dlpack(w.detach()), [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="from_dlpack: expected an object with __dlpack__"):
        rg.from_dlpack([1.0, 2.0])

    class OnMetal:
        def __dlpack__(self, **kwargs):
            raise AssertionError("not to be called")

        def __dlpack_device__(self):
            return (8, 0)
    with pytest.raises(BufferError, match="Metal device"):
        rg.from_dlpack(OnMetal())


def test_cuda_tensors_go_through_cupy(gpu, monkeypatch):
    """Device tensors are exchanged through CuPy's own DLPack. Under the fake CuPy
    (NumPy underneath) the fake learns DLPack here, so the routing is checked; the
    real GPU run (benchmarks/gpu_check.sh) checks the real CuPy."""
    if gpu.__version__ == "0+fake":
        class Host:        # the fake's memory is host memory: numpy consumes it
            def __init__(self, x):
                self.x = x

            def __dlpack__(self, **kwargs):
                return self.x.__dlpack__(**kwargs)

            def __dlpack_device__(self):
                return (1, 0)
        monkeypatch.setattr(gpu.ndarray, "__dlpack__",
                            lambda self, **kwargs: self._a.__dlpack__(**kwargs),
                            raising=False)
        monkeypatch.setattr(gpu.ndarray, "__dlpack_device__", lambda self: (2, 0),
                            raising=False)
        monkeypatch.setattr(gpu, "from_dlpack",
                            lambda x: gpu._wrap(np.from_dlpack(Host(x))), raising=False)
    t = rg.tensor([1.0, 2.0, 3.0], device="cuda")
    assert t.__dlpack_device__()[0] == 2
    theirs = gpu.from_dlpack(t)                  # CuPy reads retrograd's memory
    theirs[0] = 10.0
    assert t.numpy()[0] == 10.0
    source = gpu.asarray(np.array([4.0, 5.0], dtype=np.float32))
    ours = rg.from_dlpack(source)                # retrograd reads CuPy's memory
    assert ours.device == "cuda" and ours.dtype == np.float32
    ours.array[1] = -1.0
    assert float(source[1].get()) == -1.0
    assert ours.__dlpack_device__()[0] == 2      # still device memory
