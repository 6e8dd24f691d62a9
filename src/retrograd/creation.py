"""Functions that make tensors: from data, filled, ranges, random."""
import numpy as np

from . import backend
from .random import resolve
from .tensor import Tensor, _as_dtype


def _make_leaf(array, requires_grad):
    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def _float(dtype):
    return _as_dtype(dtype) or np.dtype(np.float32)


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A tensor from data (copied). Python floats become float32."""
    t = Tensor(data, dtype=dtype, device=device)
    if t.data is (data.data if isinstance(data, Tensor) else data):
        t.data = t.data.copy()
    return t.requires_grad_(True) if requires_grad else t


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (its dtype is kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros (float32 by default)."""
    xp = backend.module_for(device)
    return _make_leaf(xp.zeros(_shape(shape), dtype=_float(dtype)), requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of ones (float32 by default)."""
    xp = backend.module_for(device)
    return _make_leaf(xp.ones(_shape(shape), dtype=_float(dtype)), requires_grad)


def full(shape, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor filled with ``fill_value``."""
    xp = backend.module_for(device)
    return _make_leaf(xp.full(_shape((shape,)), fill_value, dtype=_float(dtype)),
                      requires_grad)


def arange(start, stop=None, step=1, dtype=None, device=None, requires_grad=False):
    """Evenly spaced values in [start, stop), as NumPy's arange (ints stay int64)."""
    xp = backend.module_for(device)
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        floating = any(isinstance(v, float) for v in (start, stop, step))
        dtype = np.float32 if floating else np.int64
    return _make_leaf(xp.arange(start, stop, step, dtype=_as_dtype(dtype)), requires_grad)


def _random(fill, shape, dtype, device, requires_grad):
    # Drawn on the CPU from the NumPy generator so that a seed gives the same
    # numbers on every device.
    a = fill(_shape(shape)).astype(_float(dtype), copy=False)
    return _make_leaf(backend.to_device(a, backend.check_device(device)), requires_grad)


def randn(*shape, dtype=None, device=None, requires_grad=False, generator=None):
    """Samples of the standard normal N(0, 1)."""
    rng = resolve(generator)
    return _random(rng.standard_normal, shape, dtype, device, requires_grad)


def rand(*shape, dtype=None, device=None, requires_grad=False, generator=None):
    """Samples of the uniform U[0, 1)."""
    rng = resolve(generator)
    return _random(rng.random, shape, dtype, device, requires_grad)


def _like(fn, t, dtype, kw):
    return fn(t.shape, dtype=dtype or t.dtype, device=kw.pop("device", t.device), **kw)


def zeros_like(t, dtype=None, **kw):
    return _like(zeros, t, dtype, kw)


def ones_like(t, dtype=None, **kw):
    return _like(ones, t, dtype, kw)


def full_like(t, fill_value, dtype=None, **kw):
    return full(t.shape, fill_value, dtype=dtype or t.dtype,
                device=kw.pop("device", t.device), **kw)


def randn_like(t, dtype=None, **kw):
    return _like(randn, t, dtype, kw)


def rand_like(t, dtype=None, **kw):
    return _like(rand, t, dtype, kw)
