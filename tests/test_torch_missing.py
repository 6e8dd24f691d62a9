"""The PyTorch namespaces around the tensors: cuda, backends, accelerator report
what PyTorch reports on a machine without a GPU; PyTorch features that retrograd
lacks raise NotSupportedError naming them, and hasattr() stays truthful."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import backend, missing

torch = pytest.importorskip("torch")


@pytest.fixture
def no_gpu(monkeypatch):
    """This machine as retrograd sees it without CuPy or a GPU, whatever it has."""
    def refuse(device):
        if backend.check_device(device) == "cuda":
            raise RuntimeError("device 'cuda' needs CuPy, which is not installed")
        return np
    monkeypatch.setattr(backend, "cuda_available", lambda: False)
    monkeypatch.setattr(backend, "module_for", refuse)


@pytest.mark.skipif(torch.cuda.is_available(), reason="the oracle must see no GPU")
def test_without_a_gpu_the_answers_are_pytorchs(no_gpu):
    for name in ("cuda.is_available", "cuda.device_count", "cuda.is_bf16_supported",
                 "cuda.memory_allocated", "backends.mps.is_available",
                 "backends.mps.is_built", "accelerator.is_available",
                 "accelerator.current_accelerator", "accelerator.device_count"):
        ours, theirs = rg, torch
        for part in name.split("."):
            ours, theirs = getattr(ours, part), getattr(theirs, part)
        assert ours() == theirs(), name
    for T in (rg, torch):                      # silently ignored without a GPU
        T.cuda.manual_seed(1), T.cuda.manual_seed_all(1), T.cuda.empty_cache()
    with pytest.raises(RuntimeError, match="CuPy"):
        rg.cuda.current_device()
    with pytest.raises(RuntimeError, match="CuPy"):
        rg.cuda.synchronize()


def test_the_quickstart_device_line(no_gpu):
    """PyTorch's quickstart picks its device so; it must give "cpu" here."""
    for T in (rg, torch):
        device = T.accelerator.current_accelerator().type \
            if T.accelerator.is_available() else "cpu"
        assert device == "cpu"
        assert T.zeros(2, device=device).device == T.device("cpu")


def test_with_a_gpu_the_answers_name_it(fake_cuda):
    assert rg.cuda.is_available() and rg.accelerator.is_available()
    assert rg.cuda.device_count() == rg.accelerator.device_count() == 1
    assert rg.accelerator.current_accelerator() == rg.device("cuda")
    assert rg.accelerator.current_accelerator().index is None
    assert rg.cuda.current_device() == rg.accelerator.current_device_index() == 0
    assert rg.cuda.get_device_name(0) == "fake GPU (NumPy)"
    rg.cuda.synchronize()
    rg.cuda.set_device(0)
    with pytest.raises(ValueError, match="one GPU per process"):
        rg.cuda.set_device(1)


def test_cuda_manual_seed_seeds_the_gpu_generator_only(fake_cuda):
    from retrograd.nn import functional as F
    x = rg.ones(1000, device="cuda")

    def masks():
        return F.dropout(x, 0.5, training=True).numpy()

    rg.cuda.manual_seed(3)
    cpu_before = rg.randn(3).numpy()
    first = masks()
    rg.cuda.manual_seed(3)
    np.testing.assert_array_equal(masks(), first)
    rg.cuda.manual_seed(4)
    assert not np.array_equal(masks(), first)
    assert not np.array_equal(rg.randn(3).numpy(), cpu_before)   # the CPU stream ran on
    with pytest.raises(ValueError, match="non-negative integer"):
        rg.cuda.manual_seed(-1)


def test_seed_device_seeds_the_generator_that_gpu_draws_use(fake_cuda):
    from retrograd import random
    g = random.seed_device(7)
    assert random.generator_for(fake_cuda) is g
    a = random.generator_for(fake_cuda).random(4).get()
    random.seed_device(7)
    np.testing.assert_array_equal(random.generator_for(fake_cuda).random(4).get(), a)
    with pytest.raises(ValueError, match="non-negative integer"):
        random.seed_device(-3)


def test_device_errors_print_the_device_as_a_string(fake_cuda):
    """check_device names a device object as PyTorch prints it: 'cuda:1'."""
    with pytest.raises(ValueError, match="device 'cuda:1': retrograd runs on one GPU"):
        rg.zeros(2).to(rg.device("cuda", 1))
    with pytest.raises(ValueError, match="unknown device 'foo'"):
        rg.backend.check_device(type("Named", (), {"__str__": lambda self: "foo"})())


def test_cudnn_switches_are_accepted():
    for T in (rg, torch):
        T.backends.cudnn.benchmark = True
        T.backends.cudnn.deterministic = True
        T.backends.cudnn.benchmark = False
    assert rg.backends.cudnn.is_available() is False


@pytest.mark.parametrize("module,name", [
    (rg, "compile"), (rg, "jit"), (rg, "sparse_coo_tensor"), (rg, "amp"), (rg, "bfloat16"),
    (rg, "fft"), (rg.cuda, "amp"), (rg.cuda, "Stream"), (rg.optim, "SparseAdam"),
    (rg.utils, "checkpoint"), (rg.utils.data, "DistributedSampler"), (rg.backends, "cuda"),
])
def test_pytorch_features_retrograd_lacks_are_named(module, name):
    assert hasattr(torch if module is rg else _theirs(module), name)
    assert not hasattr(module, name)            # so `if hasattr(torch, "compile")` works
    with pytest.raises(NotImplementedError, match=rf"PyTorch's torch\.\S*{name} is not in "
                                                  "retrograd: .*docs/pytorch.md") as e:
        getattr(module, name)
    assert isinstance(e.value, rg.NotSupportedError) and isinstance(e.value, AttributeError)


def _theirs(module):
    found = torch
    for part in module.__name__.split(".")[1:]:
        found = getattr(found, part)
    return found


def test_names_neither_has_are_plain_attribute_errors():
    for module in (rg, rg.cuda, rg.optim, rg.utils.data):
        with pytest.raises(AttributeError, match="has no attribute 'no_such_name'") as e:
            module.no_such_name
        assert not isinstance(e.value, NotImplementedError)


def test_the_table_names_only_what_pytorch_has():
    for name in missing.TOP_LEVEL:
        assert hasattr(torch, name), name
        assert name not in vars(rg), name        # retrograd has it after all: drop the row


def test_compile_guard_idiom():
    model = rg.nn.Linear(2, 1)
    if hasattr(rg, "compile"):
        model = rg.compile(model)
    assert isinstance(model, rg.nn.Linear)


@pytest.mark.parametrize("name", ["share_memory_", "put_", "pin_memory", "to_sparse"])
def test_missing_tensor_methods_are_named(name):
    import torch
    x = rg.tensor([1.0, 2.0])
    assert hasattr(torch.tensor([1.0]), name)          # PyTorch has it
    assert not hasattr(x, name)                         # hasattr guards keep working
    with pytest.raises(NotImplementedError, match=f"Tensor.{name} is not in retrograd"):
        getattr(x, name)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        x.nope
