"""Devices: the array module comes from the data, so every op runs unchanged on
NumPy ("cpu") and CuPy ("cuda"). Tests take the ``device`` fixture; CUDA is
skipped with a reason where CuPy or a GPU is missing."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import backend
from retrograd.ops.matmul import linear


def test_creation_on_a_device(device):
    for t in (rg.zeros(2, 3, device=device), rg.ones(2, device=device),
              rg.full((2,), 3.0, device=device), rg.arange(3, device=device),
              rg.randn(2, device=device), rg.rand(2, device=device),
              rg.tensor([1.0, 2.0], device=device), rg.Tensor([1.0], device=device),
              rg.zeros_like(rg.ones(2, device=device))):
        assert t.device == device
        assert isinstance(t.numpy(), np.ndarray)  # .numpy() always lands on the CPU


def test_seeded_random_numbers_are_the_same_on_every_device(device):
    rg.manual_seed(11)
    a = rg.randn(4, device=device).numpy()
    rg.manual_seed(11)
    np.testing.assert_array_equal(a, rg.randn(4).numpy())


def test_a_graph_runs_and_differentiates_on_a_device(device):
    """One small network, forward and backward, gives the CPU's numbers."""
    rg.manual_seed(0)
    data = [rg.randn(*s, dtype="float64").numpy() for s in [(4, 3), (5, 3), (5,), (4,)]]

    def run(dev):
        x, w, b = (rg.tensor(a, device=dev, requires_grad=True) for a in data[:3])
        labels = rg.tensor((data[3] > 0).astype(np.int64), device=dev)
        h = linear(x, w, b).tanh()
        h = rg.concatenate([h[:, :2], h[:, 2:] * 2], axis=1)
        loss = (h.log_softmax(1)[rg.arange(4, device=dev), labels].mean()
                + h.var(0).sum() + rg.maximum(h, 0.1).max() + (h @ h.T).logsumexp())
        loss.backward()
        return [loss.numpy()] + [t.grad.numpy() for t in (x, w, b)]

    for ours, cpu in zip(run(device), run("cpu")):
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours, cpu, rtol=1e-12)


def test_to_device_round_trip_is_differentiable(device):
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(device)
    assert y.device == device
    (y * y).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    assert y.to("cpu").device == "cpu"
    assert x.to(device=device, dtype="float64").dtype == np.float64


def test_array_module_is_read_from_the_data(device):
    t = rg.ones(2, device=device)
    xp = backend.array_module(t.array)
    assert (xp is np) == (device == "cpu")
    assert backend.device_of(t.array) == device


@pytest.mark.parametrize("bad", ["tpu", "gpu", "mps:0"])
def test_unknown_device_names_are_refused(bad):
    for make in (lambda: rg.zeros(2, device=bad), lambda: rg.tensor([1.0], device=bad),
                 lambda: rg.randn(2, device=bad), lambda: rg.ones(2).to(bad)):
        with pytest.raises(ValueError, match=f"unknown device '{bad}'.*'cpu', 'cuda'"):
            make()


def test_device_names_with_an_index_map_to_the_device():
    assert backend.check_device("cpu:0") == "cpu" and backend.check_device(None) == "cpu"
    assert backend.check_device("cuda:0") == "cuda"
    # One GPU per process: another index is refused, not silently run on GPU 0.
    for make in (lambda: rg.zeros(2, device="cuda:1"), lambda: rg.ones(2).to("cuda:2")):
        with pytest.raises(ValueError, match=r"device 'cuda:\d': retrograd runs on one GPU "
                                             r"per process.*CUDA_VISIBLE_DEVICES=\d"):
            make()


@pytest.mark.skipif(rg.cuda_available(), reason="this machine has CuPy and a GPU")
def test_cuda_without_cupy_or_gpu_raises_a_clear_error():
    for make in (lambda: rg.zeros(2, device="cuda"), lambda: rg.tensor([1.0], device="cuda"),
                 lambda: rg.ones(2).to("cuda"), lambda: rg.ones(2).cuda()):
        with pytest.raises(RuntimeError, match="device 'cuda'.*(CuPy|GPU)"):
            make()
    assert rg.cuda_available() is False


class OtherDeviceArray(np.ndarray):
    """Stands in for an array of another device: a different array class, which
    is exactly what separates a CuPy array from a NumPy one."""


@pytest.fixture
def other_device(monkeypatch):
    real = backend.device_of
    monkeypatch.setattr(backend, "device_of",
                        lambda a: "cuda" if isinstance(a, OtherDeviceArray) else real(a))
    return lambda *shape: rg.Tensor._wrap(np.ones(shape).view(OtherDeviceArray))


def test_mixing_devices_in_one_op_raises(other_device):
    cpu, gpu = rg.ones(2, dtype="float64"), other_device(2)
    assert gpu.device == "cuda"
    for op, name in [(lambda: cpu + gpu, "add"), (lambda: gpu * cpu, "mul"),
                     (lambda: cpu @ gpu, "matmul"), (lambda: rg.maximum(cpu, gpu), "maximum"),
                     (lambda: rg.where(cpu > 0, cpu, gpu), "where"),
                     (lambda: rg.concatenate([cpu, gpu]), "concatenate"),
                     (lambda: rg.stack([gpu, cpu]), "stack")]:
        with pytest.raises(RuntimeError, match=f"{name}: operands are on different "
                                               r"devices \((cpu and cuda|cuda and cpu)\)"):
            op()
    with pytest.raises(RuntimeError, match="linear: operands are on different devices"):
        linear(rg.ones(3, 2, dtype="float64"), other_device(4, 2))


@pytest.mark.skipif(not rg.cuda_available(), reason="needs CuPy and a GPU")
def test_mixing_cpu_and_cuda_raises():
    with pytest.raises(RuntimeError, match="different devices"):
        rg.ones(2) + rg.ones(2, device="cuda")


def test_tensor_device_has_torch_devices_type_and_index(device):
    """``x.device`` is the device's name (a string, compared and printed as one) with
    torch.device's ``type`` and ``index``: PyTorch code reading ``x.device.type``
    runs; on the CPU the values are PyTorch's."""
    x = rg.ones(2, device=device)
    kind = "cpu" if device == "cpu" else "cuda"
    assert x.device == kind and str(x.device) == kind and f"{x.device}" == kind
    assert x.device.type == kind and x.device.index == (None if kind == "cpu" else 0)
    assert x.device == rg.device(kind) and rg.device(x.device) == x.device
    assert rg.zeros(1, device=x.device).device == x.device
    torch = pytest.importorskip("torch")
    t = torch.ones(2)
    y = rg.ones(2)
    assert (y.device.type, y.device.index) == (t.device.type, t.device.index)
