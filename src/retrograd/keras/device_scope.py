"""``keras.device(name)``: where Keras models compute, as Keras 3 spells it.

    with keras.device("gpu:0"):
        model.fit(x_train, y_train, epochs=5)

Inside the block, a model whose ``fit``, ``evaluate``, ``predict``, ``*_on_batch``
or ``__call__`` runs is first moved there (``model.to``; the weights it builds
later are made there too); data given as NumPy arrays is moved batch by batch.
Outside any block a model stays where it is (``model.to("cuda")`` moves it for
good). The scope is per thread and only Keras models read it: the array module of
every op is still read off its data.

"gpu" is CuPy's device "cuda" (as Keras maps it for its PyTorch backend). Without a
usable GPU, a "gpu" scope runs on the CPU and says so once, with the reason, as
TensorFlow's soft device placement runs the course's code on a laptop.
"""
import threading
import warnings
from contextlib import contextmanager

from .. import backend

_scope = threading.local()
_warned = set()


def _name(device_name):
    if not isinstance(device_name, str):
        raise TypeError("keras.device: device_name must be a string such as 'cpu:0' or "
                        f"'gpu:0', got {type(device_name).__name__}")
    kind, _, index = device_name.lower().partition(":")
    if kind not in ("cpu", "gpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(f"keras.device: invalid device_name {device_name!r}; expected "
                         "'device_type:device_index' with device_type 'cpu', 'gpu' or "
                         "'cuda', e.g. 'cpu:0', 'gpu:0'")
    if index and int(index) != 0:
        raise ValueError(f"keras.device({device_name!r}): retrograd runs on one GPU per "
                         f"process; start the process with CUDA_VISIBLE_DEVICES={int(index)} "
                         "and use "
                         f"'{kind}:0' (docs/gpu.md, several GPUs)")
    return "cpu" if kind == "cpu" else "cuda"


@contextmanager
def device(device_name):
    """Within the block, Keras models build, train, evaluate and predict on
    ``device_name`` ("cpu", "gpu" or "cuda", optionally ":0": one GPU per process)."""
    dev = _name(device_name)
    if dev == "cuda":
        try:
            backend.module_for("cuda")
        except RuntimeError as e:
            if device_name not in _warned:
                _warned.add(device_name)
                warnings.warn(f"keras.device({device_name!r}): {e}; running on the CPU",
                              RuntimeWarning, stacklevel=3)
            dev = "cpu"
    stack = _scope.__dict__.setdefault("stack", [])
    stack.append(dev)
    try:
        yield
    finally:
        stack.pop()


def current():
    """The device of the innermost ``keras.device`` block of this thread, or None."""
    stack = getattr(_scope, "stack", None)
    return stack[-1] if stack else None


def follow(model):
    """Move ``model`` to the device of the enclosing ``keras.device`` block, if any."""
    dev = current()
    if dev is not None and model.__dict__.get("_placement", (None,))[0] != dev:
        model.to(dev)
