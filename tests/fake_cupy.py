"""A fake CuPy for machines without a GPU: NumPy underneath, CuPy's strictness on top.

It imitates the part of CuPy's API that retrograd uses, so that the device-generic
code paths (``xp = array_module(x)`` with ``xp`` = CuPy) run on a CPU machine and
every host/device mix-up fails here as it would on a GPU:

* ``ndarray`` wraps a NumPy array and is *not* a ``numpy.ndarray`` subclass, so
  ``isinstance(a, np.ndarray)`` is False, as for a CuPy array;
* implicit conversion to NumPy raises ``TypeError`` (``np.asarray(a)``, ``np.array``,
  NumPy's C functions that coerce): only ``a.get()`` / ``cupy.asnumpy(a)`` copy to
  the host, as in CuPy;
* an operator or a ``cupy.*`` function given a NumPy array (ndim ≥ 1) raises
  ``TypeError`` ("Unsupported type"), as CuPy's ufuncs and routines do; Python and
  NumPy scalars are accepted;
* NumPy functions called on fake arrays dispatch as CuPy's ``__array_ufunc__`` and
  ``__array_function__`` do: to the ``cupy`` function of the same name (and
  module path) when it exists, else NumPy raises ``TypeError``;
* reductions and scalar indexing return 0-d device arrays, never NumPy scalars;
  views record their ``base`` as CuPy does.

What it cannot tell: anything about real GPU execution — kernels, memory, streams,
asynchrony, speed, CuPy's own numerical differences and the exact set of NumPy
features CuPy lacks beyond the ones imitated here. ``bash benchmarks/gpu_check.sh``
on a GPU machine remains the real check.

``install(monkeypatch)`` puts it in ``sys.modules`` as ``cupy`` (and ``cupyx``) for
one test and resets ``retrograd.backend``'s cached module; ``monkeypatch`` undoes
both afterwards.
"""
import math
import sys
import types

import numpy as np

__name__ = "cupy"  # noqa: A001  (what `xp.__name__` says under the fake)
__version__ = "0+fake"

_HOST = ("Implicit conversion to a NumPy array is not allowed. "
         "Please use `.get()` to construct a NumPy array explicitly.")


reads = 0   # device → host reads so far: on a GPU each one waits for the device


def _read():
    global reads
    reads += 1


def _unsupported(x):
    return TypeError(f"Unsupported type {type(x)}")


# -- moving values across the fake device boundary -------------------------------------

def _in(x):
    """An argument of a cupy function or operator as NumPy sees it: fake arrays are
    unwrapped; host arrays (ndim ≥ 1) are refused as CuPy refuses them."""
    cls = x.__class__
    if cls is ndarray:
        return x._a
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return x
        raise _unsupported(x)
    if cls is list or cls is tuple:
        return cls(_in(e) for e in x)
    return x


def _out(r, sources=()):
    """A NumPy result as CuPy would return it: arrays (and NumPy scalars, as 0-d
    arrays) on the device; a view keeps the array it views as its ``base``."""
    if isinstance(r, np.ndarray):
        for s in sources:
            if r is s._a:  # the very array (astype(copy=False), asarray…)
                return s
        base = None
        if r.base is not None:
            for s in sources:
                if s.__class__ is ndarray and np.may_share_memory(r, s._a):
                    base = s if s._base is None else s._base
                    break
        return _wrap(r, base)
    if isinstance(r, np.generic):
        return _wrap(np.asarray(r))
    if isinstance(r, tuple) and hasattr(r, "_fields"):   # NumPy's named results (svd, eigh, qr…)
        return tuple(_out(e, sources) for e in r)
    if r.__class__ in (list, tuple):
        return r.__class__(_out(e, sources) for e in r)
    return r


def _wrap(a, base=None):
    obj = object.__new__(ndarray)
    obj._a = a
    obj._base = base
    return obj


def _rebuild(a):
    return _wrap(a)


def _host_index(index):
    """An index: fake arrays unwrapped; NumPy index arrays and lists are accepted,
    as CuPy copies them to the device."""
    if index.__class__ is ndarray:
        return index._a
    if index.__class__ is tuple:
        return tuple(_host_index(i) for i in index)
    return index


def _is_basic(index):
    items = index if index.__class__ is tuple else (index,)
    return not any(isinstance(i, (np.ndarray, list, bool, np.bool_)) for i in items)


def _check_fill(value):
    if isinstance(value, np.ndarray) and value.shape != ():
        raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
    if isinstance(value, (list, tuple)):
        raise _unsupported(value)


class _Flags:
    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, a, owndata):
        self.c_contiguous = a.flags.c_contiguous
        self.f_contiguous = a.flags.f_contiguous
        self.owndata = owndata

    def __getitem__(self, key):
        return getattr(self, {"C_CONTIGUOUS": "c_contiguous", "F_CONTIGUOUS": "f_contiguous",
                              "OWNDATA": "owndata"}[key])


def _binary(f, a, b):
    """``a f b`` for an operator: NotImplemented for an operand that outranks CuPy
    (``__array_priority__``: a retrograd Tensor), TypeError for host arrays."""
    for x in (a, b):
        if x.__class__ is ndarray or isinstance(x, (int, float, complex, np.generic)):
            continue
        if isinstance(x, np.ndarray):
            if x.ndim == 0:
                continue
            raise _unsupported(x)
        if getattr(x, "__array_priority__", -1) > ndarray.__array_priority__ or \
                not isinstance(x, (list, tuple)):
            return NotImplemented
        raise _unsupported(x)
    return _out(f(_in(a), _in(b)))


def _inplace(f, self, other):
    if isinstance(other, np.ndarray) and other.ndim:
        raise _unsupported(other)
    f(self._a, _in(other), out=self._a)
    return self


class ndarray:
    """A device array (fake): NumPy data that refuses to be taken for NumPy's."""

    __slots__ = ("_a", "_base", "__weakref__")
    __array_priority__ = 100  # CuPy's: below retrograd's Tensor (1000)

    def __init__(self, shape, dtype=float, order="C"):
        self._a = np.empty(shape, dtype=dtype, order=order)
        self._base = None

    # -- conversion to the host: explicit only ------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_HOST)

    def get(self, stream=None, order="C", out=None):
        """The data as a NumPy array (a copy, as a device → host transfer)."""
        _read()
        a = np.array(self._a, order=order)
        if out is not None:
            out[...] = a
            return out
        return a

    def set(self, arr, stream=None):
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray, got {type(arr)}")
        if arr.shape != self._a.shape:
            raise ValueError(f"Shape mismatch. Old shape: {self._a.shape}, new shape: {arr.shape}")
        self._a[...] = arr

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fake = _MODULE.__dict__.get(ufunc.__name__)
        if not isinstance(fake, ufunc_):
            return NotImplemented
        return getattr(fake, method)(*inputs, **kwargs) if method != "__call__" else \
            fake(*inputs, **kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        module = _MODULE
        for part in func.__module__.split(".")[1:]:
            module = getattr(module, part, None)
            if module is None:
                return NotImplemented
        fake = getattr(module, func.__name__, None)
        if fake is None or fake is func:
            return NotImplemented
        return fake(*args, **kwargs)

    # -- attributes ------------------------------------------------------------------
    @property
    def shape(self):
        return self._a.shape

    @shape.setter
    def shape(self, value):
        self._a.shape = value

    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    base = property(lambda self: self._base)
    flags = property(lambda self: _Flags(self._a, self._base is None))
    device = property(lambda self: cuda.Device(0))
    T = property(lambda self: _out(self._a.T, (self,)))
    mT = property(lambda self: _out(self._a.mT, (self,)))
    real = property(lambda self: _out(self._a.real, (self,)))
    imag = property(lambda self: _out(self._a.imag, (self,)))

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._a)))

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        _read()
        return format(self._a.item() if self._a.ndim == 0 else self._a, spec)

    __hash__ = None

    def __bool__(self):
        _read()
        return bool(self._a)

    def __float__(self):
        _read()
        return float(self._a)

    def __int__(self):
        _read()
        return int(self._a)

    def __complex__(self):
        _read()
        return complex(self._a)

    def __reduce__(self):
        return _rebuild, (np.array(self._a),)

    def __copy__(self):
        return _wrap(self._a.copy())

    def __deepcopy__(self, memo):
        return _wrap(self._a.copy())

    # -- indexing ------------------------------------------------------------------
    def __getitem__(self, index):
        return _out(self._a[_host_index(index)], (self,))

    def __setitem__(self, index, value):
        index = _host_index(index)
        if value.__class__ is ndarray:
            value = value._a
        elif _is_basic(index):
            # CuPy fills a basic slice with a host value: a scalar only
            # (cupy/_core/_routines_indexing.pyx, _scatter_op → ndarray.fill).
            _check_fill(value)
        # An advanced index (integer/boolean arrays) copies a host value to the device.
        self._a[index] = value

    # -- methods: forwarded to NumPy, the results put back on the device -------------
    def _call(self, name, *args, **kwargs):
        return _run_on_host(name, getattr(self._a, name), args, kwargs, (self,))

    def astype(self, dtype, order="K", casting=None, subok=None, copy=True):
        return _out(self._a.astype(dtype, order=order, copy=copy), (self,))

    def copy(self, order="C"):
        return _wrap(self._a.copy(order=order))

    def fill(self, value):
        _check_fill(value)
        self._a.fill(value._a if value.__class__ is ndarray else value)

    def item(self):
        _read()
        return self._a.item()

    def tolist(self):
        _read()
        return self._a.tolist()

    def reshape(self, *shape, order="C"):
        return _out(self._a.reshape(*shape, order=order), (self,))

    def view(self, dtype=None):
        return _out(self._a.view() if dtype is None else self._a.view(dtype), (self,))

    def __getattr__(self, name):
        if name in _METHODS:
            return lambda *args, **kwargs: self._call(name, *args, **kwargs)
        raise AttributeError(f"'cupy.ndarray' object has no attribute {name!r}")

    # -- operators -------------------------------------------------------------------
    def __neg__(self):
        return _wrap(-self._a)

    def __pos__(self):
        return _wrap(+self._a)

    def __abs__(self):
        return _wrap(abs(self._a))

    def __invert__(self):
        return _wrap(~self._a)


_METHODS = {
    "sum", "mean", "max", "min", "prod", "var", "std", "argmax", "argmin", "all", "any",
    "cumsum", "cumprod", "clip", "transpose", "swapaxes", "ravel", "flatten", "squeeze",
    "dot", "repeat", "take", "nonzero", "sort", "argsort", "round", "conj", "diagonal",
    "trace", "ptp", "choose", "put", "partition", "argpartition", "searchsorted", "compress",
}

_OPERATORS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power,
    "matmul": np.matmul, "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
    "lshift": np.left_shift, "rshift": np.right_shift,
}


def _operators():
    for name, f in _OPERATORS.items():
        setattr(ndarray, f"__{name}__", lambda a, b, f=f: _binary(f, a, b))
        setattr(ndarray, f"__r{name}__", lambda a, b, f=f: _binary(f, b, a))
        setattr(ndarray, f"__i{name}__", lambda a, b, f=f: _inplace(f, a, b))
    for name, f in {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
                    "gt": np.greater, "ge": np.greater_equal}.items():
        setattr(ndarray, f"__{name}__", lambda a, b, f=f: _binary(f, a, b))


_operators()
ndarray.__module__ = "cupy"  # retrograd.backend recognises CuPy's arrays by their module


# -- module functions ------------------------------------------------------------------

# The ufunc methods CuPy 14 implements, and for which ufuncs (cupy/_core/_kernel.pyx).
_AT = {"add", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor"}
_REDUCE = {"add", "multiply"}


class ufunc_:
    """A cupy ufunc: refuses host arrays, accepts ``out=`` device arrays, has ``at``."""

    def __init__(self, f, module="cupy"):
        self._f = f
        self.__name__, self.module = f.__name__, module
        self.nin, self.nout = f.nin, f.nout

    def __repr__(self):
        return f"<ufunc '{self.module}.{self.__name__}'>"

    def __call__(self, *args, out=None, **kwargs):
        bad = set(kwargs) - {"dtype", "casting"}
        if bad:   # CuPy's ufuncs take out=, dtype=, casting= only (no where=, order=…)
            raise TypeError(f"Wrong arguments {kwargs}")
        if isinstance(out, tuple):
            out = out[0] if len(out) == 1 else out
        if out is not None and out.__class__ is not ndarray:
            raise TypeError(f"output must be a cupy.ndarray, got {type(out)}")
        r = self._f(*_in(args), out=None if out is None else out._a,
                    **{k: _in(v) for k, v in kwargs.items()})
        return out if out is not None else _out(r)

    def at(self, a, indices, b=None):
        if self.__name__ not in _AT:
            raise NotImplementedError(f"`{self.__name__}.at` is not supported yet")
        if a.__class__ is not ndarray:
            raise TypeError(f"{self.__name__}.at: expected a cupy.ndarray, got {type(a)}")
        args = () if b is None else (_in(b),)
        self._f.at(a._a, _host_index(indices), *args)

    def reduce(self, a, *args, **kwargs):
        if self.__name__ not in _REDUCE:
            raise NotImplementedError(f"`{self.__name__}.reduce` is not supported yet")
        return _out(self._f.reduce(_in(a), *_in(args), **kwargs))

    def outer(self, a, b, **kwargs):
        return _out(self._f.outer(_in(a), _in(b), **kwargs))

    def accumulate(self, a, *args, **kwargs):
        if self.__name__ not in _REDUCE:
            raise NotImplementedError(f"`{self.__name__}.accumulate` is not supported yet")
        return _out(self._f.accumulate(_in(a), *_in(args), **kwargs))


def _fakes(args):
    """The fake arrays among (nested) arguments: those a result may view."""
    for a in args:
        if a.__class__ is ndarray:
            yield a
        elif a.__class__ in (list, tuple):
            yield from _fakes(a)


def _run_on_host(name, f, args, kwargs, sources):
    """Call the NumPy ``f`` on the host arrays behind ``args``/``kwargs``; ``out=``
    must be a device array; the result goes back on the device of ``sources``."""
    out = kwargs.pop("out", None)
    kwargs = {k: _in(v) for k, v in kwargs.items()}
    if out is not None:
        if out.__class__ is not ndarray:
            raise TypeError(f"{name}: out must be a cupy.ndarray, got {type(out)}")
        kwargs["out"] = out._a
    r = f(*_in(args), **kwargs)
    return out if out is not None else _out(r, sources)


def _function(f, name):
    """A cupy routine: host arrays refused, results on the device."""
    def routine(*args, **kwargs):
        return _run_on_host(name, f, args, kwargs, tuple(_fakes(args)))
    routine.__name__ = name
    return routine


_UFUNCS = [
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power",
    "float_power", "remainder", "mod", "fmod", "negative", "positive", "absolute", "fabs",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "logaddexp", "logaddexp2",
    "sqrt", "square", "cbrt", "reciprocal", "sign", "tanh", "sinh", "cosh", "tan", "sin",
    "cos", "arcsin", "arccos", "arctan", "arctan2", "arcsinh", "arccosh", "arctanh", "hypot",
    "maximum", "minimum", "fmax", "fmin", "isfinite", "isnan", "isinf", "signbit",
    "greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "floor", "ceil", "trunc", "rint",
    "heaviside", "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift",
    "right_shift", "copysign", "nextafter", "deg2rad", "rad2deg", "conjugate",
]
_ROUTINES = [
    "sum", "mean", "max", "min", "amax", "amin", "prod", "var", "std", "argmax", "argmin",
    "all", "any", "cumsum", "cumprod", "average", "median", "nansum", "nanmax", "nanmin",
    "nanmean", "count_nonzero", "dot", "vdot", "tensordot", "einsum", "outer", "inner",
    "kron", "reshape", "transpose", "swapaxes", "moveaxis", "rollaxis", "expand_dims",
    "squeeze", "broadcast_to", "broadcast_arrays", "concatenate", "stack", "vstack",
    "hstack", "dstack", "column_stack", "split", "array_split", "take", "take_along_axis",
    "put_along_axis", "zeros_like", "ones_like", "empty_like", "full_like", "copy", "ravel",
    "diag", "diagonal", "trace", "tril", "triu", "nonzero", "flatnonzero", "argwhere",
    "unique", "sort", "argsort", "searchsorted", "bincount", "isclose", "allclose",
    "array_equal", "where", "clip", "round", "around", "tile", "repeat", "flip",
    "roll", "pad", "atleast_1d", "atleast_2d", "atleast_3d", "cross", "diff", "ptp",
    "nan_to_num", "real", "imag", "fill_diagonal", "put", "place", "select", "piecewise",
    "logspace", "linspace", "meshgrid", "histogram", "percentile", "quantile", "shape",
    "ndim", "size",
]
_CREATION = ["zeros", "ones", "empty", "full", "arange", "eye", "identity", "tri",
             "indices"]
_PASSTHROUGH = [  # types and dtype helpers: CuPy re-exports NumPy's own
    "dtype", "result_type", "can_cast", "promote_types", "finfo", "iinfo", "issubdtype",
    "float16", "float32", "float64", "complex64", "complex128", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64", "bool_", "intp", "generic", "number",
    "integer", "signedinteger", "unsignedinteger", "floating", "complexfloating", "inexact",
    "pi", "e", "inf", "nan", "newaxis", "euler_gamma",
]


def _result_type(*args):
    return np.result_type(*(a.dtype if a.__class__ is ndarray else a for a in args))


def array(obj, dtype=None, copy=True, order="K", ndmin=0):
    """A new device array from host data (NumPy arrays, lists, scalars) or a device array."""
    a = obj._a if obj.__class__ is ndarray else obj
    if not isinstance(a, np.ndarray) and hasattr(a, "__array__") and \
            not isinstance(a, (list, tuple, np.generic)):
        raise TypeError(f"Unsupported type {type(obj)}")
    return _wrap(np.array(a, dtype=dtype, copy=copy, order=order, ndmin=ndmin))


def asarray(a, dtype=None, order=None):
    """``a`` on the device: the same array when it already is there with ``dtype``."""
    if a.__class__ is ndarray:
        if dtype is None or np.dtype(dtype) == a.dtype:
            return a
        return _wrap(a._a.astype(dtype))
    return array(a, dtype=dtype, copy=True, order=order or "K")


def ascontiguousarray(a, dtype=None):
    if a.__class__ is not ndarray:
        return array(a, dtype=dtype, order="C")
    if a._a.flags.c_contiguous and (dtype is None or np.dtype(dtype) == a.dtype):
        return a
    return _wrap(np.ascontiguousarray(a._a, dtype=dtype))


asanyarray = asarray


def asnumpy(a, stream=None, order="C", out=None):
    """A NumPy array from a device array (a copy), or from anything NumPy takes."""
    if a.__class__ is ndarray:
        return a.get(order=order, out=out)
    return np.asarray(a, order=order)


def get_array_module(*args):
    return _MODULE if any(a.__class__ is ndarray for a in args) else np


def _joined(f, name):
    """concatenate: CuPy refuses host arrays with its own message."""
    def join(arrays, *args, **kwargs):
        for a in arrays:
            if a.__class__ is not ndarray:
                raise TypeError("Only cupy arrays can be concatenated")
        return f(arrays, *args, **kwargs)
    join.__name__ = name
    return join


def _build():
    g = globals()
    for name in _UFUNCS:
        g[name] = ufunc_(getattr(np, name))
    for name in _ROUTINES:
        if name not in g:
            g[name] = _function(getattr(np, name), name)
    for name in _CREATION:
        g[name] = _function(getattr(np, name), name)
    for name in _PASSTHROUGH:
        g[name] = getattr(np, name)
    g["result_type"] = _result_type
    g["matmul"] = _function(np.matmul, "matmul")   # a _GUFunc in CuPy: no .at, .reduce
    g["concatenate"] = _joined(g["concatenate"], "concatenate")
    g["abs"] = g["absolute"]  # aliases of ufuncs, as in CuPy
    g["conj"] = g["conjugate"]
    g["linalg"] = types.SimpleNamespace(**{
        n: _function(getattr(np.linalg, n), n)
        for n in ("norm", "inv", "solve", "det", "qr", "svd", "eigh", "cholesky",
                  "slogdet", "matrix_power", "pinv", "lstsq")})


_build()
_MODULE = sys.modules[__spec__.name] if "__spec__" in globals() and __spec__ else None


# -- ElementwiseKernel: the CUDA C line run as Python on the host ----------------------

class ElementwiseKernel:
    """cupy.ElementwiseKernel(in_params, out_params, operation, name) for the one-line
    operations retrograd writes, which read the same in C and Python ("y += a * x").
    Checks what CuPy checks: the number of arguments, device arrays only, one dtype
    per type placeholder; outputs given are updated in place (read as well as written,
    as CuPy's are), missing ones are allocated with the inputs' broadcast shape."""

    def __init__(self, in_params, out_params, operation, name="kernel"):
        def parse(params):
            return [tuple(p.split()) for p in params.split(",") if p.strip()]
        self.inputs, self.outputs = parse(in_params), parse(out_params)
        self.operation, self.name = operation, name
        compile(operation, name, "exec")   # not Python: not one of ours, refuse now

    def __call__(self, *args):
        n_in, n_all = len(self.inputs), len(self.inputs) + len(self.outputs)
        if len(args) not in (n_in, n_all):
            raise TypeError(f"Wrong number of arguments for {self.name!r}: expected "
                            f"{n_in} or {n_all}, got {len(args)}")
        types_, env = {}, {}
        for (t, name), a in zip(self.inputs + self.outputs, args):
            if isinstance(a, np.ndarray) and a.ndim:
                raise _unsupported(a)
            dtype = a.dtype if a.__class__ is ndarray else None
            if dtype is not None and types_.setdefault(t, dtype) != dtype:
                raise TypeError(f"Type is mismatched. {name} {dtype} {types_[t]}")
            env[name] = a._a if a.__class__ is ndarray else a
        arrays = [env[n] for _, n in self.inputs if isinstance(env[n], np.ndarray)]
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        outs = []
        for t, name in self.outputs:
            if name not in env:
                env[name] = np.empty(shape, dtype=types_.get(t, arrays[0].dtype))
            outs.append(env[name])
        for (t, name) in self.inputs:   # a scalar takes its placeholder's dtype, as in C
            if not isinstance(env[name], np.ndarray) and t in types_:
                env[name] = types_[t].type(env[name])
        exec(self.operation, {}, env)
        for (_, name), out in zip(self.outputs, outs):
            if env[name] is not out:
                out[...] = env[name]
        given = list(args[n_in:]) + [None] * (n_all - len(args))
        result = [g if g is not None else _wrap(o) for g, o in zip(given, outs)]
        return result[0] if len(result) == 1 else tuple(result)


# -- cuda: the bits retrograd and the benchmarks touch ----------------------------------

class _Runtime:
    class CUDARuntimeError(RuntimeError):
        pass

    @staticmethod
    def getDeviceCount():
        return 1

    @staticmethod
    def getDeviceProperties(device):
        return {"name": b"fake GPU (NumPy)", "totalGlobalMem": 0}

    @staticmethod
    def runtimeGetVersion():
        return 0


class _Device:
    def __init__(self, id=0):
        self.id = id

    def synchronize(self):
        pass

    def use(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class _Stream:
    def synchronize(self):
        pass


_Stream.null = _Stream()

cuda = types.SimpleNamespace(runtime=_Runtime(), Device=_Device, Stream=_Stream,
                             is_available=lambda: True, get_device_id=lambda: 0)


# -- random: CuPy's Generator, drawing on the device ------------------------------------

class _Generator:
    """cupy.random.Generator: NumPy's PCG64 underneath (CuPy's own bit generator
    gives other numbers), results on the device."""

    def __init__(self, seed=None):
        self._rng = np.random.default_rng(seed)

    def random(self, size=None, dtype=np.float64, out=None):
        if np.dtype(dtype).char not in "fd":
            raise TypeError(f"Unsupported dtype {np.dtype(dtype)} for random")
        return _wrap(self._rng.random(size, dtype=dtype))

    def uniform(self, low=0.0, high=1.0, size=None, dtype=np.float64):
        return _wrap(self._rng.uniform(low, high, size).astype(dtype))

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        return _wrap(self._rng.standard_normal(size, dtype=dtype))


random = types.SimpleNamespace(default_rng=_Generator, Generator=_Generator)


# -- cupyx: scatter_add and scipy.special.erf ----------------------------------------

def _erf_host(x, out=None, **kwargs):
    try:
        from scipy.special import erf
    except ImportError:
        r = np.vectorize(math.erf, otypes=[x.dtype])(x)
        if out is None:
            return r
        out[...] = r
        return out
    return erf(x, out=out, **kwargs)


_erf_host.nin, _erf_host.nout, _erf_host.__name__ = 1, 1, "erf"
_erf = ufunc_(_erf_host, "cupyx.scipy.special")   # a cupy.ufunc there too


def _scatter_add(a, slices, value):
    _MODULE.add.at(a, slices, value)


cupyx = types.ModuleType("cupyx")
cupyx.scatter_add = _scatter_add
cupyx.scipy = types.ModuleType("cupyx.scipy")
cupyx.scipy.special = types.ModuleType("cupyx.scipy.special")
cupyx.scipy.special.erf = _erf


MODULES = {"cupy": _MODULE, "cupyx": cupyx, "cupyx.scipy": cupyx.scipy,
           "cupyx.scipy.special": cupyx.scipy.special}   # what ``import`` looks up


def install(monkeypatch=None):
    """Make ``import cupy`` give this module: for one test with ``monkeypatch`` (which
    restores ``sys.modules`` and retrograd's cached CuPy afterwards), or for the rest
    of the process without (a script: benchmarks/gpu_launches.py)."""
    from retrograd import backend
    if monkeypatch is None:
        sys.modules.update(MODULES)
        backend._CUPY = None
        return _MODULE
    for name, module in MODULES.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(backend, "_CUPY", None)
    return _MODULE
