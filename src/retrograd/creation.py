"""Functions that make tensors: from data, filled, ranges, random — PyTorch's.

Every function takes ``dtype=`` (a retrograd dtype such as ``retrograd.float64``,
or its name), ``device=`` ("cpu", "cuda", a ``retrograd.device``; default: the
default device, see ``set_default_device``) and ``requires_grad=``; a shape is
given as integers or as one tuple: ``zeros(2, 3)`` or ``zeros((2, 3))``.

Dtypes follow PyTorch: Python floats give float32 (the default float), ints int64,
bools bool; ``arange`` of ints is int64, of any float float32. Random numbers come
from retrograd's generator (``manual_seed``) or ``generator=``, drawn on the CPU so
that a seed gives the same numbers on every device (not PyTorch's numbers).
"""
import math

import numpy as np

from . import backend
from .devices import resolve as _device
from .dtypes import DtypeError, as_dtype, get_default_dtype
from .random import resolve as _generator
from .tensor import Tensor


class ShapeError(ValueError, RuntimeError):
    """An impossible shape or range (negative size, step 0): a ValueError in
    retrograd, a RuntimeError in PyTorch; both catch it."""


# -- helpers --------------------------------------------------------------------------
def _leaf(array, requires_grad, where):
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind not in "fc":
            raise DtypeError(f"{where}: only floating-point (and complex) tensors can require "
                             f"gradients, got dtype {array.dtype}")
        t.requires_grad_(True)
    return t


def _shape(size, where):
    """``(2, 3)`` from ``(2, 3)``, ``((2, 3),)`` or ``([2, 3],)``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for n in size:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"{where}: a size must be integers, got {n!r} in {tuple(size)}")
        if n < 0:
            raise ShapeError(f"{where}: sizes must be >= 0, got {tuple(size)}")
    return tuple(int(n) for n in size)


def _size(args, size, where):
    if size is not None:
        if args:
            raise TypeError(f"{where}: the size is given twice (as {args} and size={size})")
        args = (size,)
    return _shape(args, where)


def _scalar(v):
    """A Python number from a number or a one-element tensor (e.g. ``arange(t)``)."""
    if isinstance(v, Tensor):
        return v.item()
    return v.item() if isinstance(v, np.generic) else v


def _number_dtype(v):
    """PyTorch's dtype for a Python scalar: bool, int64, float32 (default), complex64."""
    if isinstance(v, Tensor) or isinstance(v, np.generic):
        return np.dtype(v.dtype)
    if isinstance(v, bool):
        return np.dtype(bool)
    if isinstance(v, int):
        return np.dtype(np.int64)
    if isinstance(v, complex):
        return np.dtype(np.complex64)
    return get_default_dtype()


def _floating(dtype, where):
    dt = as_dtype(dtype, where) or get_default_dtype()
    if dt.kind != "f":
        raise DtypeError(f"{where}: random floats need a floating dtype, got {dt}")
    return dt


def _filled(make, shape, dtype, device, requires_grad, where):
    xp = backend.module_for(_device(device))
    return _leaf(make(xp, shape, dtype), requires_grad, where)


def _placed(array, device, requires_grad, where):
    """A host array (a range, or random numbers drawn on the CPU so that a seed gives
    the same numbers on every device) as a leaf on ``device``."""
    return _leaf(backend.to_device(array, _device(device)), requires_grad, where)


# -- from data ------------------------------------------------------------------------
def _python_data(data, dtype=None):
    """Python numbers or nested lists as an array with PyTorch's dtypes: Python
    floats become float32 and complex complex64; NumPy scalars or tensors in a list
    keep their dtype (as judged by the first one). A ``dtype`` given is used directly:
    Python floats asked for in float64 never pass through float32."""
    probe = np.asarray(data)
    if probe.dtype.kind not in "biufc":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} "
                        "(expected numbers, nested lists of numbers or an array)")
    if dtype is not None:
        return probe.astype(dtype, copy=False)
    first = data
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if hasattr(first, "dtype"):
        return probe
    if probe.dtype.kind == "f":
        return probe.astype(get_default_dtype(), copy=False)
    return probe.astype(np.complex64) if probe.dtype.kind == "c" else probe


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, an array or a
    tensor). Python floats become float32, ints int64, bools bool; an array keeps
    its dtype (float64 stays float64). A tensor or GPU array stays on its device
    unless ``device=`` is given."""
    src = data.array if isinstance(data, Tensor) else data
    dt = as_dtype(dtype, "tensor")
    fresh = False
    if not hasattr(src, "dtype"):
        src, fresh = _python_data(src, dt), True
    if device is None and backend.device_of(src) != "cpu":
        device = backend.device_of(src)
    t = Tensor(src, dtype=dt, device=_device(device))
    if not fresh and (t.array is src or t.array.base is src):
        t.array = t.array.copy()
    return _leaf(t.array, requires_grad, "tensor")


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory where it can: a tensor of the asked
    dtype and device is returned itself, a NumPy array of the asked dtype on the CPU
    is wrapped without a copy; anything else is converted as ``tensor`` does."""
    dt = as_dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data.to(device=None if device is None else _device(device), dtype=dt)
    if not (hasattr(data, "dtype") and hasattr(data, "shape")):
        return tensor(data, dtype=dt, device=device)
    if device is None and backend.device_of(data) != "cpu":
        device = backend.device_of(data)
    dev = _device(device)
    a = backend.module_for(dev).asarray(backend.to_device(data, dev), dtype=dt)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"as_tensor: dtype {a.dtype} is not a tensor dtype (expected bool, "
                        "integers, floats or complex)")
    return Tensor._wrap(a)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (its dtype is kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biufc":
        raise TypeError(f"from_numpy: dtype {array.dtype} is not a tensor dtype (expected "
                        "bool, integers, floats or complex)")
    return Tensor._wrap(array)


# -- filled ---------------------------------------------------------------------------
def zeros(*shape, size=None, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros (float32 by default)."""
    shape = _size(shape, size, "zeros")
    dt = as_dtype(dtype, "zeros") or get_default_dtype()
    return _filled(lambda xp, s, d: xp.zeros(s, dtype=d), shape, dt, device, requires_grad,
                   "zeros")


def ones(*shape, size=None, dtype=None, device=None, requires_grad=False):
    """A tensor of ones (float32 by default)."""
    shape = _size(shape, size, "ones")
    dt = as_dtype(dtype, "ones") or get_default_dtype()
    return _filled(lambda xp, s, d: xp.ones(s, dtype=d), shape, dt, device, requires_grad,
                   "ones")


def empty(*shape, size=None, dtype=None, device=None, requires_grad=False):
    """A tensor whose values are not set (whatever the memory held): fill it before
    reading it."""
    shape = _size(shape, size, "empty")
    dt = as_dtype(dtype, "empty") or get_default_dtype()
    return _filled(lambda xp, s, d: xp.empty(s, dtype=d), shape, dt, device, requires_grad,
                   "empty")


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor filled with ``fill_value``, of its dtype unless ``dtype`` is given:
    ``full((2,), 7)`` is int64, ``full((2,), 7.0)`` float32, ``full((2,), True)`` bool."""
    shape = _shape((size,), "full")
    dt = as_dtype(dtype, "full") or _number_dtype(fill_value)
    value = _scalar(fill_value)
    return _filled(lambda xp, s, d: xp.full(s, value, dtype=d), shape, dt, device,
                   requires_grad, "full")


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The n×m identity matrix (ones on the diagonal; m = n by default)."""
    shape = _shape((n, n if m is None else m), "eye")
    dt = as_dtype(dtype, "eye") or get_default_dtype()
    return _filled(lambda xp, s, d: xp.eye(s[0], s[1], dtype=d), shape, dt, device,
                   requires_grad, "eye")


# -- ranges ---------------------------------------------------------------------------
def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """start, start + step, … up to ``end`` excluded: ``ceil((end − start)/step)``
    values, each start + i·step computed in float64. int64 when every argument is
    an integer, else float32."""
    if end is None:
        start, end = 0, start
    args = [start, end, step]
    dt = as_dtype(dtype, "arange")
    if dt is None:
        floating = any(_number_dtype(v).kind in "fc" for v in args)
        dt = get_default_dtype() if floating else np.dtype(np.int64)
    start, end, step = (_scalar(v) for v in args)
    if step == 0:
        raise ShapeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ShapeError(f"arange: the bounds and the step disagree in sign: start={start}, "
                         f"end={end}, step={step}")
    n = max(math.ceil((end - start) / step), 0)
    if dt.kind in "iu" and all(isinstance(v, (int, np.integer)) for v in (start, step)):
        values = start + step * np.arange(n, dtype=np.int64)
    else:
        values = start + step * np.arange(n, dtype=np.float64)
    return _placed(values.astype(dt), device, requires_grad, "arange")


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included:
    with δ = (end − start)/(steps − 1), value i is start + i·δ in the first half
    and end − (steps − 1 − i)·δ in the second (PyTorch's formula, in float64)."""
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace: steps must be an integer, got {steps!r}")
    if steps < 0:
        raise ShapeError(f"linspace: number of steps must be non-negative, got {steps}")
    start, end = float(_scalar(start)), float(_scalar(end))
    dt = as_dtype(dtype, "linspace") or get_default_dtype()
    i = np.arange(steps, dtype=np.float64)
    if steps == 1:
        values = np.full(1, start)
    else:
        delta = (end - start) / max(steps - 1, 1)
        half = steps // 2
        values = np.where(i < half, start + i * delta, end - (steps - 1 - i) * delta)
    return _placed(values.astype(dt), device, requires_grad, "linspace")


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """``base`` to the powers ``linspace(start, end, steps)``, computed in float64."""
    exponents = linspace(start, end, steps, dtype=np.float64).array
    dt = as_dtype(dtype, "logspace") or get_default_dtype()
    values = np.power(float(base), exponents)
    if dt.kind in "iu":
        values = np.round(values)   # powers of an integer base are integers
    return _placed(values.astype(dt), device, requires_grad, "logspace")


# -- random ---------------------------------------------------------------------------
def rand(*shape, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples of the uniform distribution U[0, 1)."""
    shape = _size(shape, size, "rand")
    dt = _floating(dtype, "rand")
    return _placed(_generator(generator).random(shape).astype(dt, copy=False), device,
                  requires_grad, "rand")


def randn(*shape, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples of the standard normal distribution N(0, 1)."""
    shape = _size(shape, size, "randn")
    dt = _floating(dtype, "randn")
    return _placed(_generator(generator).standard_normal(shape).astype(dt, copy=False), device,
                  requires_grad, "randn")


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Samples of N(mean, std²): mean + std·z, z ~ N(0, 1).

    With numbers ``mean`` and ``std``, ``size`` gives the shape (float32 unless
    ``dtype``). With a tensor for either, the shape is theirs, broadcast together,
    and ``size`` must not be given: each element has its own mean and std."""
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        if size is not None:
            raise TypeError("normal: size= is for numeric mean and std; with a tensor mean "
                            "or std the shape is the tensors'")
        m, s = (v.numpy() if isinstance(v, Tensor) else v for v in (mean, std))
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = as_dtype(dtype, "normal") or np.result_type(*(t.dtype for t in tensors))
        if device is None:
            device = tensors[0].device
    else:
        if size is None:
            raise TypeError("normal: with numbers for mean and std, give size= (the shape), "
                            "e.g. normal(0.0, 1.0, size=(3,))")
        m, s = _scalar(mean), _scalar(std)
        shape = _shape((size,), "normal")
        dt = as_dtype(dtype, "normal") or get_default_dtype()
    if dt.kind != "f":
        raise DtypeError(f"normal: samples need a floating dtype, got {dt}")
    if np.any(np.asarray(s) < 0):
        raise ShapeError(f"normal: std must be >= 0, got std={np.min(s)}")
    z = _generator(generator).standard_normal(shape)
    return _placed((m + s * z).astype(dt, copy=False), device, requires_grad, "normal")


def randint(*args, generator=None, dtype=None, device=None, requires_grad=False, **kw):
    """Uniform integers in [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)`` (keywords ``low=``, ``high=``, ``size=`` too);
    int64 unless ``dtype``."""
    names = ("low", "high", "size") if len(args) + len(kw) >= 3 or "low" in kw \
        else ("high", "size")
    given = dict(zip(names, args))
    for k, v in kw.items():
        if k in given or k not in ("low", "high", "size"):
            raise TypeError(f"randint() got an unexpected or repeated argument {k!r}")
        given[k] = v
    if "high" not in given or "size" not in given:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size), "
                        f"got {len(args)} positional argument(s) and {sorted(kw)}")
    low, high = _scalar(given.get("low", 0)), _scalar(given["high"])
    shape = _shape((given["size"],), "randint")
    if not low < high:
        raise ShapeError(f"randint: low must be less than high, got low={low} >= high={high}")
    dt = as_dtype(dtype, "randint") or np.dtype(np.int64)
    values = _generator(generator).integers(low, high, size=shape, dtype=np.int64)
    return _placed(values.astype(dt), device, requires_grad, "randint")


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0, 1, …, n − 1 (int64 unless ``dtype``)."""
    (n,) = _shape((n,), "randperm")
    dt = as_dtype(dtype, "randperm") or np.dtype(np.int64)
    return _placed(_generator(generator).permutation(n).astype(dt), device, requires_grad,
                  "randperm")


# -- like another tensor --------------------------------------------------------------
def _like(t, dtype, device, where):
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(t).__name__}")
    return t.shape, as_dtype(dtype, where) or t.dtype, t.device if device is None else device


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    shape, dt, dev = _like(input, dtype, device, "zeros_like")
    return zeros(shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    shape, dt, dev = _like(input, dtype, device, "ones_like")
    return ones(shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    shape, dt, dev = _like(input, dtype, device, "empty_like")
    return empty(shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    """Filled with ``fill_value``, in ``input``'s dtype (``full_like(ints, 2.7)`` is 2)."""
    shape, dt, dev = _like(input, dtype, device, "full_like")
    return full(shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False, generator=None):
    shape, dt, dev = _like(input, dtype, device, "rand_like")
    return rand(shape, dtype=dt, device=dev, requires_grad=requires_grad, generator=generator)


def randn_like(input, dtype=None, device=None, requires_grad=False, generator=None):
    shape, dt, dev = _like(input, dtype, device, "randn_like")
    return randn(shape, dtype=dt, device=dev, requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, dtype=None, device=None, requires_grad=False,
                 generator=None):
    """Integers in [low, high) (``randint_like(x, high)`` or ``(x, low, high)``), in
    ``input``'s dtype: a float tensor gets whole-number floats."""
    if high is None:
        low, high = 0, low
    shape, dt, dev = _like(input, dtype, device, "randint_like")
    return randint(low, high, shape, dtype=dt, device=dev, requires_grad=requires_grad,
                   generator=generator)


__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "eye",
           "arange", "linspace", "logspace", "rand", "randn", "normal", "randint", "randperm",
           "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
           "randint_like", "ShapeError"]
