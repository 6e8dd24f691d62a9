"""``retrograd.cuda``: the GPU as ``torch.cuda`` reports it, through CuPy.

retrograd runs device "cuda" on CuPy's current GPU, one per process
(``backend.py``; choose it with ``CUDA_VISIBLE_DEVICES``). Without CuPy or a GPU,
``is_available()`` is False, ``device_count()`` 0, the seeding, cache and memory
functions do nothing (as in PyTorch), and what needs a GPU raises a RuntimeError
saying why.
"""
from . import backend, random
from .devices import device
from .missing import module_getattr


def is_available():
    """True when CuPy is installed and sees a GPU."""
    return backend.cuda_available()


def device_count():
    """How many GPUs CuPy sees (0 without one); retrograd uses the current one."""
    if not is_available():
        return 0
    return int(_cupy().cuda.runtime.getDeviceCount())


def current_device():
    """The index of the GPU retrograd runs on (CuPy's current device)."""
    return int(_cupy().cuda.get_device_id())


def set_device(d):
    """Accepts the current GPU only: one GPU per process (``backend.check_device``)."""
    index = d if isinstance(d, int) and not isinstance(d, bool) else device(d).index
    _cupy()
    backend.check_device(str(device("cuda", index)))


def get_device_name(d=None):
    """The name of the current GPU (``d``: None, 0, "cuda", "cuda:0")."""
    if d is not None:
        set_device(d)
    name = _cupy().cuda.runtime.getDeviceProperties(current_device())["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(d=None):
    """Wait for every kernel queued on the GPU to finish."""
    if d is not None:
        set_device(d)
    _cupy().cuda.Device().synchronize()


def empty_cache():
    """Give CuPy's cached, unused GPU memory back to the driver (nothing without a GPU)."""
    if is_available():
        _cupy().get_default_memory_pool().free_all_blocks()


def memory_allocated(d=None):
    """Bytes of GPU memory held by tensors (CuPy's pool in use); 0 without a GPU."""
    if not is_available():
        return 0
    if d is not None:
        set_device(d)
    return int(_cupy().get_default_memory_pool().used_bytes())


def is_bf16_supported():
    """False: NumPy and CuPy have no bfloat16."""
    return False


def manual_seed(seed):
    """Seed the current GPU's generator (what is drawn on the GPU: dropout masks).
    Ignored without a GPU, as in PyTorch. ``retrograd.manual_seed`` seeds every
    device; this one leaves the CPU's numbers alone."""
    _check_seed(seed, "cuda.manual_seed")
    if not is_available():
        return
    random.seed_device(int(seed), _cupy())


def manual_seed_all(seed):
    """The same as ``manual_seed``: retrograd uses one GPU per process."""
    manual_seed(seed)


def _check_seed(seed, where):
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"{where}: seed must be a non-negative integer, got {seed!r}")


def _cupy():
    """CuPy, or the RuntimeError saying why there is no GPU."""
    return backend.module_for("cuda")


_MISSING = {
    "amp": "no automatic mixed precision; tensors keep the dtype they are given",
    "Stream": "no CUDA streams; CuPy's current stream runs every kernel",
    "Event": "no CUDA events; time with retrograd.cuda.synchronize() and time.perf_counter",
    "graphs": "no CUDA graphs", "CUDAGraph": "no CUDA graphs",
    "nvtx": "no NVTX ranges", "nccl": "no NCCL; retrograd.distributed uses MPI",
    "get_device_properties": "use get_device_name(), or CuPy's "
                             "cupy.cuda.runtime.getDeviceProperties",
    "max_memory_allocated": "CuPy's memory pool keeps no peak; use memory_allocated()",
    "memory_reserved": "use CuPy's cupy.get_default_memory_pool().total_bytes()",
    "reset_peak_memory_stats": "CuPy's memory pool keeps no peak",
    "set_per_process_memory_fraction": "use CuPy's memory pool set_limit",
}
__getattr__ = module_getattr(__name__, _MISSING)

__all__ = ["is_available", "device_count", "current_device", "set_device", "get_device_name",
           "synchronize", "empty_cache", "memory_allocated", "is_bf16_supported",
           "manual_seed", "manual_seed_all"]
