"""The Tensor: an n-dimensional array that remembers how it was computed.

A tensor holds its ``array`` (a NumPy or CuPy array), whether it ``requires_grad``,
its gradient ``grad`` once ``backward`` has run, and ``_op``, the operation that
made it (``None`` for a leaf). This module is the data structure alone: the methods
that compute (``x + y``, ``x.sum()``, ``x.backward()``) only name an operation or
the engine, and are bound to the class in one place, ``methods.py``; each
operation's forward and backward live together in ``retrograd.ops``.
"""
import numpy as np

from . import backend, printing

_DEFAULT_FLOAT = np.float32


def _as_dtype(dtype):
    if dtype is None:
        return None
    if isinstance(dtype, str) and dtype in ("float", "double", "long", "int"):
        dtype = {"float": "float32", "double": "float64", "long": "int64", "int": "int32"}[dtype]
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"Tensor: unknown dtype {dtype!r}") from None


def _to_array(data, dtype, xp):
    """Python data → array: floats become float32 unless a dtype is given,
    float arrays keep their precision (float64 stays float64)."""
    if isinstance(data, Tensor):
        data = data.array
    if dtype is None and not hasattr(data, "dtype"):
        probe = np.asarray(data)
        if probe.dtype == object:
            raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} "
                            "(expected numbers, nested lists of numbers or an array)")
        dtype = _DEFAULT_FLOAT if probe.dtype.kind == "f" else None
        data = probe
    elif hasattr(data, "dtype") and data.dtype == object:
        raise TypeError("Tensor: arrays of Python objects are not supported "
                        "(expected a numeric dtype)")
    if backend.device_of(data) != ("cpu" if xp is np else "cuda"):
        data = backend.to_device(data, "cpu" if xp is np else "cuda")
    return xp.asarray(data, dtype=dtype)


class Tensor:
    """A multi-dimensional array with automatic differentiation.

    ``Tensor(data, requires_grad=False, dtype=None, device="cpu")``. Python floats
    become float32 (the default), ints int64; a NumPy array keeps its dtype.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward(); x.grad        # ∂(Σx²)/∂x = 2x
    tensor([2., 4.])
    """

    __array_priority__ = 1000  # numpy_array * tensor → Tensor.__rmul__
    # Class-level defaults keep node creation cheap: an op's output sets only its array.
    requires_grad = False
    grad = None
    _op = None
    _hooks = None
    _retain = False
    _tangent = None
    name = None
    # In-place changes (function.mark_modified): a count, kept by the tensor that owns
    # the storage, ``_base``, for itself and every tensor viewing it, and when.
    _version = 0
    _modified_at = -1
    _base = None

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        if device is None:
            xp = backend.array_module(data.array if isinstance(data, Tensor) else data)
        else:
            xp = backend.module_for(device)
        self.array = _to_array(data, _as_dtype(dtype), xp)
        if requires_grad:
            self.requires_grad_(True)

    @property
    def data(self):
        """PyTorch's ``x.data``: a tensor sharing x's memory, without x's history and
        with a version counter of its own, so changes made through it are not tracked
        (``p.data -= lr * p.grad``). ``x.data = y`` gives x y's values (its memory).
        The array itself is ``x.array``."""
        return _make(self.array)

    @data.setter
    def data(self, value):
        array = value.array if isinstance(value, Tensor) else value
        if not hasattr(array, "dtype") or not hasattr(array, "shape"):
            raise TypeError(f"x.data = …: expected a tensor or an array, got "
                            f"{type(value).__name__}")
        self.array = array

    @staticmethod
    def _wrap(array):
        """A new leaf around ``array`` (no copy, no checks): the fast constructor."""
        return _make(array)

    # -- properties ---------------------------------------------------------
    @property
    def shape(self):
        return self.array.shape

    @property
    def ndim(self):
        return self.array.ndim

    @property
    def size(self):
        """The number of elements, as NumPy's ``size`` (an int), and PyTorch's
        ``size()`` / ``size(dim)`` when called (the shape as a ``Size``, or one length)."""
        return _Numel(self.array.size, self.array.shape)

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def device(self):
        return backend.device_of(self.array)

    @property
    def _owner(self):
        """The tensor whose memory this one uses (itself, or the base of a view): it
        keeps the version counter of them all."""
        return self._base if self._base is not None else self

    @property
    def is_leaf(self):
        return self._op is None

    @property
    def grad_fn(self):
        return self._op

    @property
    def T(self):
        return self.transpose()

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def numel(self):
        return int(self.array.size)

    def dim(self):
        return self.array.ndim

    # -- conversion ---------------------------------------------------------
    def numpy(self):
        """The data as a NumPy array (copied from the GPU when needed)."""
        return backend.to_device(self.array, "cpu")

    def item(self):
        if self.array.size != 1:
            raise ValueError(f"item(): tensor of shape {self.shape} has {self.size} "
                             "elements; expected exactly one")
        return self.array.reshape(()).item()

    def tolist(self):
        return self.numpy().tolist()

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is "
                             "ambiguous; use .any() or .all()")
        return bool(self.item())

    def __repr__(self):
        body = printing.array_text(self.numpy(), "tensor(")
        extra = ""
        if self.dtype not in (np.float32, np.int64, np.bool_):
            extra += f", dtype={self.dtype}"
        if self.device != "cpu":
            extra += f", device='{self.device}'"
        if self._op is not None:
            extra += f", grad_fn=<{self._op.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # -- autodiff -----------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.array.dtype.kind not in "fc":
            raise TypeError(f"requires_grad: only floating-point tensors can require "
                            f"gradients, got dtype {self.dtype}")
        if not requires_grad and self._op is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaves; "
                               "use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep ∂ℓ/∂self in ``.grad`` after backward although this is not a leaf."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: tensor does not require grad")
        self._retain = True

    def detach(self):
        """The same data, cut from the graph (shares memory and the version counter)."""
        t = _make(self.array)
        t._base = self._owner
        return t

    def register_hook(self, fn):
        """Call ``fn(grad)`` when ∂ℓ/∂self is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor "
                               "that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)

        class _Handle:
            def remove(_):
                self._hooks.remove(fn)
        return _Handle()

class Size(tuple):
    """A shape, as PyTorch's ``torch.Size``: a tuple of ints with ``numel()``."""

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self):
        return f"retrograd.Size({list(self)})"


class _Numel(int):
    """``t.size``: an int (NumPy's number of elements) that PyTorch code calls:
    ``t.size()`` is the shape, ``t.size(dim)`` one length."""

    def __new__(cls, n, shape):
        self = super().__new__(cls, n)
        self.shape = shape
        return self

    def __call__(self, dim=None):
        if dim is None:
            return Size(self.shape)
        try:
            return self.shape[dim]
        except (IndexError, TypeError):
            raise IndexError(f"size({dim!r}): dimension out of range for a tensor with "
                             f"{len(self.shape)} dimensions (shape {self.shape})") from None


def _make(data):
    """Wrap an op's output array: the cheapest possible node."""
    t = _new(Tensor)
    if data.__class__ is not np.ndarray and isinstance(data, np.generic):
        data = np.asarray(data)  # NumPy reductions return scalars, not 0-d arrays
    t.array = data
    return t


_new = object.__new__
