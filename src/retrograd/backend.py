"""The array module behind a tensor: NumPy on "cpu", CuPy on "cuda".

The module is always read off the data (``array_module(x)``), never from global
state, so one op body serves both devices. CuPy is imported only when a CUDA
tensor is asked for.
"""
import numpy as np

DEVICES = ("cpu", "cuda")


def array_module(x):
    """Return ``numpy`` or ``cupy``, whichever owns the array ``x``."""
    if isinstance(x, np.ndarray) or isinstance(x, np.generic):
        return np
    if type(x).__module__.startswith("cupy"):
        return _cupy()
    return np


def device_of(x):
    """Return the device name ("cpu" or "cuda") of an array."""
    return "cpu" if array_module(x) is np else "cuda"


def check_device(device):
    """Validate a device name; 'cuda:0' style names map to 'cuda'."""
    if device is None:
        return "cpu"
    name = str(device).split(":")[0]
    if name not in DEVICES:
        raise ValueError(f"unknown device {device!r}; expected one of {DEVICES}")
    return name


def module_for(device):
    """Return the array module that stores tensors on ``device``."""
    return np if check_device(device) == "cpu" else _cupy()


def to_device(array, device):
    """Move an array to ``device`` (a no-op when it is already there)."""
    device = check_device(device)
    if device == device_of(array):
        return array
    if device == "cpu":
        return array.get()
    return _cupy().asarray(array)


_CUPY = None


def _cupy():
    global _CUPY
    if _CUPY is None:
        try:
            import cupy
        except ImportError as e:
            raise RuntimeError(
                "device 'cuda' needs CuPy, which is not installed: "
                "pip install 'retrograd[gpu]' (or cupy-cuda12x)") from e
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as e:  # CuPy raises its own CUDARuntimeError here
            raise RuntimeError(f"device 'cuda': CuPy found no usable GPU ({e})") from None
        if count == 0:
            raise RuntimeError("device 'cuda': CuPy found no GPU on this machine")
        _CUPY = cupy
    return _CUPY


def cuda_available():
    """True when CuPy is installed and sees at least one GPU."""
    try:
        _cupy()
        return True
    except RuntimeError:
        return False
