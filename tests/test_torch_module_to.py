"""``Module.to`` with PyTorch's arguments, and ``double()``, ``float()``, ``half()``:
each call runs on a retrograd and a PyTorch model of the same shape, and the dtypes
of the parameters, buffers and gradients must agree, or both must refuse."""
import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")


def model(lib):
    m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    m.register_buffer("steps", lib.zeros(2, dtype=lib.long))
    m.register_buffer("scale", lib.ones(2))
    with lib.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(lib.tensor(np.linspace(-1, 1, p.numel()).reshape(tuple(p.shape)) * (i + 1)))
    m[0].weight.grad = lib.ones(4, 3)
    return m


def dtypes_of(m):
    name = lambda d: str(d).removeprefix("torch.")
    return ([name(p.dtype) for p in m.parameters()], [name(b.dtype) for b in m.buffers()],
            name(m[0].weight.grad.dtype))


CALLS = {
    "to(float64)": lambda T, m: m.to(T.float64),
    "to(double)": lambda T, m: m.to(T.double),
    "to(dtype=)": lambda T, m: m.to(dtype=T.float64),
    "to(device, dtype)": lambda T, m: m.to("cpu", T.float64),
    "to(device object, dtype, non_blocking)": lambda T, m: m.to(T.device("cpu"), T.float64,
                                                                True),
    "to(device=, dtype=)": lambda T, m: m.to(device="cpu", dtype=T.float16),
    "to(dtype, non_blocking=)": lambda T, m: m.to(T.float64, non_blocking=True),
    "to(tensor)": lambda T, m: m.to(T.zeros(1, dtype=T.float64)),
    "to(float16)": lambda T, m: m.to(T.float16),
    "to(python float)": lambda T, m: m.to(float),
    "to(device)": lambda T, m: m.to("cpu"),
    "to()": lambda T, m: m.to(),
    "double()": lambda T, m: m.double(),
    "double().float()": lambda T, m: m.double().float(),
    "half()": lambda T, m: m.half(),
}


@pytest.mark.parametrize("call", CALLS)
def test_module_to_converts_as_pytorch(call):
    ours, theirs = model(rg), model(torch)
    params = list(ours.parameters())
    assert CALLS[call](rg, ours) is ours and CALLS[call](torch, theirs) is theirs
    assert dtypes_of(ours) == dtypes_of(theirs)
    assert all(a is b for a, b in zip(params, ours.parameters()))   # the same objects
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-3)


@pytest.mark.parametrize("call", [
    lambda T, m: m.to(T.long), lambda T, m: m.to(T.bool), lambda T, m: m.to("cpu", T.int32),
    lambda T, m: m.to(T.zeros(1, dtype=T.long)), lambda T, m: m.to(T.float64, T.float64),
    lambda T, m: m.to(T.float64, "cpu"), lambda T, m: m.to("cpu", device="cpu"),
    lambda T, m: m.to(dtyp=T.float64), lambda T, m: m.to("cpu", T.float64, True, 1),
    lambda T, m: m.to("tpu"),
])
def test_module_to_refuses_what_pytorch_refuses(call):
    with pytest.raises(Exception) as theirs:
        call(torch, model(torch))
    with pytest.raises(type(theirs.value)):
        call(rg, model(rg))


def test_an_optimiser_built_before_the_cast_trains_the_cast_parameters():
    """The tutorial order: model, optimiser, then model.double(); the steps agree
    with PyTorch's in float64."""
    x = np.linspace(-1, 1, 15).reshape(5, 3)
    out = []
    for lib in (rg, torch):
        m = model(lib)
        m[0].weight.grad = None
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        m.to(lib.float64)
        for _ in range(5):
            opt.zero_grad()
            loss = (m(lib.tensor(x, dtype=lib.float64)) ** 2).mean()
            loss.backward()
            opt.step()
        out.append([p.detach().numpy() for p in m.parameters()])
        assert all(p.dtype == lib.float64 for p in m.parameters())
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_a_layer_added_after_to_gets_the_dtype():
    m = model(rg).double()
    m.extra = rg.nn.Linear(2, 2)
    assert m.extra.weight.dtype == rg.float64


def test_to_a_device_and_a_dtype_at_once(fake_cuda):
    m = model(rg)
    assert m.to("cuda", rg.float64) is m
    assert {(p.device, str(p.dtype)) for p in m.parameters()} == {("cuda", "float64")}
    assert m.steps.device == "cuda" and m.steps.dtype == rg.int64
    assert m[0].weight.grad.device == "cuda" and m[0].weight.grad.dtype == rg.float64
    m.to(rg.device("cpu")).float()
    assert {(p.device, str(p.dtype)) for p in m.parameters()} == {("cpu", "float32")}
