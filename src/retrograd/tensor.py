"""The Tensor: an n-dimensional array that remembers how it was computed.

A tensor holds its ``data`` (a NumPy or CuPy array), whether it ``requires_grad``,
its gradient ``grad`` once ``backward`` has run, and ``_op``, the operation that
made it (``None`` for a leaf). The methods below only name the operations; each
operation's forward and backward live together in ``retrograd.ops``.
"""
import numpy as np

from . import backend

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
        data = data.data
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
    # Class-level defaults keep node creation cheap: an op's output sets only data.
    requires_grad = False
    grad = None
    _op = None
    _hooks = None
    _retain = False
    _tangent = None
    name = None

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        if device is None:
            xp = backend.array_module(data.data if isinstance(data, Tensor) else data)
        else:
            xp = backend.module_for(device)
        self.data = _to_array(data, _as_dtype(dtype), xp)
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _wrap(array):
        """A new leaf around ``array`` (no copy, no checks): the fast constructor."""
        return _make(array)

    # -- properties ---------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        return backend.device_of(self.data)

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
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def numel(self):
        return int(self.data.size)

    def dim(self):
        return self.data.ndim

    # -- conversion ---------------------------------------------------------
    def numpy(self):
        """The data as a NumPy array (copied from the GPU when needed)."""
        return backend.to_device(self.data, "cpu")

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item(): tensor of shape {self.shape} has {self.size} "
                             "elements; expected exactly one")
        return self.data.reshape(()).item()

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
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is "
                             "ambiguous; use .any() or .all()")
        return bool(self.item())

    def to(self, device=None, dtype=None):
        """A copy on ``device`` and/or in ``dtype`` (self when nothing changes).
        Differentiable: the gradient flows back to the original device.
        A dtype may come first, as in PyTorch: ``x.to("float64")``."""
        if dtype is None and device is not None and \
                str(device).split(":")[0] not in backend.DEVICES:
            try:
                device, dtype = None, _as_dtype(device)
            except TypeError:
                pass  # neither a dtype nor a device: check_device says so
        t = self
        if dtype is not None and _as_dtype(dtype) != self.dtype:
            dtype = _as_dtype(dtype)
            # Only a float result carries a gradient (x.long() is a constant).
            t = _ops.shape.Cast(dtype).apply(t) if dtype.kind in "fc" else \
                _make(t.data.astype(dtype))
        if device is not None and backend.check_device(device) != t.device:
            t = _ops.shape.ToDevice(backend.check_device(device)).apply(t)
        return t

    def astype(self, dtype):
        return self.to(dtype=dtype)

    def float(self):
        return self.to(dtype=np.float32)

    def double(self):
        return self.to(dtype=np.float64)

    def long(self):
        return self.to(dtype=np.int64)

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def __repr__(self):
        body = np.array2string(self.numpy(), separator=", ", precision=4,
                               prefix="tensor(", threshold=200)
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
    def backward(self, gradient=None, retain_graph=False):
        """Compute ∂self/∂leaf for every leaf that requires grad, into ``leaf.grad``.

        ``gradient`` is ∂ℓ/∂self (defaults to 1 for a scalar)."""
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: this tensor (shape {self.shape}, dtype {self.dtype}) does "
                "not require grad and has no graph "
                "(did you create it inside no_grad(), or forget requires_grad=True "
                "on the inputs?)")
        xp = backend.array_module(self.data)
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: output of shape {self.shape} is not a scalar; pass "
                    "gradient= (∂loss/∂output, same shape) or reduce it first (e.g. .sum())")
            g = xp.ones_like(self.data)
        else:
            g = gradient.data if isinstance(gradient, Tensor) else gradient
            g = xp.array(g, dtype=self.dtype)   # a copy: the engine's own (engine.py)
            if g.shape != self.shape:
                raise ValueError(f"backward: gradient has shape {g.shape}, expected "
                                 f"{self.shape} (the output's shape)")
        _engine.backward(self, g, retain_graph=retain_graph)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.data.dtype.kind not in "fc":
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
        """The same data, cut from the graph (shares memory)."""
        return _make(self.data)

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

    def zero_(self):
        self.data[...] = 0
        return self

    # -- arithmetic ---------------------------------------------------------
    def __add__(self, other):
        return _ops.arithmetic.add(self, other)

    def __radd__(self, other):
        return _ops.arithmetic.add(other, self)

    def __sub__(self, other):
        return _ops.arithmetic.sub(self, other)

    def __rsub__(self, other):
        return _ops.arithmetic.sub(other, self)

    def __mul__(self, other):
        return _ops.arithmetic.mul(self, other)

    def __rmul__(self, other):
        return _ops.arithmetic.mul(other, self)

    def __truediv__(self, other):
        return _ops.arithmetic.div(self, other)

    def __rtruediv__(self, other):
        return _ops.arithmetic.div(other, self)

    def __pow__(self, other):
        return _ops.arithmetic.pow(self, other)

    def __rpow__(self, other):
        return _ops.arithmetic.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul.matmul(other, self)

    def __neg__(self):
        return _ops.arithmetic.Neg().apply(self)

    def __pos__(self):
        return self

    def __iadd__(self, other):
        raise TypeError("in-place += on a tensor would break its graph; write "
                        "x = x + y, or update .data under no_grad()")

    __isub__ = __imul__ = __itruediv__ = __iadd__

    # -- comparisons (no gradient) -------------------------------------------
    def _compare(self, other, fn):
        other = other.data if isinstance(other, Tensor) else other
        return _make(fn(self.data, other))

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    __hash__ = object.__hash__

    def argmax(self, axis=None, keepdims=False):
        return _make(self.data.argmax(axis=axis, keepdims=keepdims))

    def argmin(self, axis=None, keepdims=False):
        return _make(self.data.argmin(axis=axis, keepdims=keepdims))

    def any(self, axis=None):
        return _make(self.data.any(axis=axis))

    def all(self, axis=None):
        return _make(self.data.all(axis=axis))

    # -- elementwise functions ------------------------------------------------
    def exp(self):
        return _ops.elementwise.Exp().apply(self)

    def log(self):
        return _ops.elementwise.Log().apply(self)

    def sqrt(self):
        return _ops.elementwise.Sqrt().apply(self)

    def abs(self):
        return _ops.elementwise.Abs().apply(self)

    def sin(self):
        return _ops.elementwise.Sin().apply(self)

    def cos(self):
        return _ops.elementwise.Cos().apply(self)

    def tanh(self):
        return _ops.activations.Tanh().apply(self)

    def sigmoid(self):
        return _ops.activations.Sigmoid().apply(self)

    def relu(self):
        return _ops.activations.ReLU().apply(self)

    def clip(self, min=None, max=None):
        return _ops.elementwise.clip(self, min, max)

    clamp = clip

    def maximum(self, other):
        return _ops.elementwise.maximum(self, other)

    def minimum(self, other):
        return _ops.elementwise.minimum(self, other)

    # -- reductions -----------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        return _ops.reductions.Sum(axis, keepdims).apply(self)

    def mean(self, axis=None, keepdims=False):
        return _ops.reductions.Mean(axis, keepdims).apply(self)

    def max(self, axis=None, keepdims=False):
        return _ops.reductions.Max(axis, keepdims).apply(self)

    def min(self, axis=None, keepdims=False):
        return _ops.reductions.Min(axis, keepdims).apply(self)

    def var(self, axis=None, keepdims=False, ddof=0):
        return _ops.reductions.Var(axis, keepdims, ddof).apply(self)

    def std(self, axis=None, keepdims=False, ddof=0):
        return self.var(axis, keepdims, ddof).sqrt()

    def logsumexp(self, axis=None, keepdims=False):
        return _ops.reductions.LogSumExp(axis, keepdims).apply(self)

    def softmax(self, axis=-1):
        return _ops.softmax.Softmax(axis).apply(self)

    def log_softmax(self, axis=-1):
        return _ops.softmax.LogSoftmax(axis).apply(self)

    # -- shape ----------------------------------------------------------------
    def reshape(self, *shape):
        return _ops.shape.reshape(self, *shape)

    view = reshape

    def transpose(self, *axes):
        return _ops.shape.transpose(self, *axes)

    def permute(self, *axes):
        return _ops.shape.permute(self, *axes)

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.shape.flatten(self, start_dim, end_dim)

    def squeeze(self, axis=None):
        return _ops.shape.squeeze(self, axis)

    def unsqueeze(self, axis):
        return _ops.shape.unsqueeze(self, axis)

    def expand(self, *shape):
        return _ops.shape.expand(self, *shape)

    def broadcast_to(self, shape):
        return _ops.shape.BroadcastTo(tuple(shape)).apply(self)

    def __getitem__(self, index):
        return _ops.indexing.getitem(self, index)

    def __setitem__(self, index, value):
        if self.requires_grad and state.grad_enabled:
            raise RuntimeError("item assignment on a tensor that requires grad would "
                               "break its graph; assign under no_grad() or to .data")
        self.data[_ops.indexing.to_index(index)] = (
            value.data if isinstance(value, Tensor) else value)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def _make(data):
    """Wrap an op's output array: the cheapest possible node."""
    t = _new(Tensor)
    if data.__class__ is not np.ndarray and isinstance(data, np.generic):
        data = np.asarray(data)  # NumPy reductions return scalars, not 0-d arrays
    t.data = data
    return t


_new = object.__new__

from .function import state  # noqa: E402  (function and the ops import Tensor)
from . import ops as _ops  # noqa: E402
from . import engine as _engine  # noqa: E402
