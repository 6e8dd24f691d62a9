"""``retrograd.accelerator``: the device-neutral view of the GPU (PyTorch 2.6+).

PyTorch's tutorials pick their device with
``torch.accelerator.current_accelerator().type if torch.accelerator.is_available()
else "cpu"``. retrograd's one accelerator is CUDA through CuPy.
"""
from . import cuda
from .devices import device
from .missing import module_getattr


def is_available():
    """True when a GPU is usable (``retrograd.cuda.is_available()``)."""
    return cuda.is_available()


def current_accelerator(check_available=False):
    """``device(type='cuda')`` when a GPU is usable, else None. PyTorch returns the
    accelerator it was built for even when no device is present (unless
    ``check_available``); retrograd has no build-time accelerator, so it always
    checks."""
    return device("cuda") if cuda.is_available() else None


def device_count():
    """The number of GPUs CuPy sees; 0 without one."""
    return cuda.device_count()


def synchronize(d=None):
    """Wait for the GPU's queued kernels (RuntimeError without a GPU)."""
    cuda.synchronize(d)


def current_device_index():
    """The index of the GPU retrograd runs on (RuntimeError without a GPU)."""
    return cuda.current_device()


def empty_cache():
    """Give CuPy's cached, unused GPU memory back (nothing without a GPU)."""
    cuda.empty_cache()


__getattr__ = module_getattr(__name__, {
    name: "retrograd has one GPU per process and no streams; see retrograd.cuda"
    for name in ("set_device_index", "current_stream", "set_stream", "device_index", "Graph",
                 "memory_stats", "get_memory_info")})

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "synchronize", "empty_cache"]
