"""Tensor's methods: each names an operation (``retrograd.ops``) or the engine.

``tensor.py`` is the data structure; the methods that compute are written here, as
the body of a class, and bound to ``Tensor`` at the end of this module — the one
place where the tensor meets the ops. So the core imports in one direction:
backend → tensor → function → engine → ops → methods.
"""
import numpy as np

from . import backend, engine, ops
from .function import state
from .tensor import Tensor, _as_dtype, _make


class _Methods:
    """The body of Tensor's computing methods (bound to Tensor below)."""

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
        engine.backward(self, g, retain_graph=retain_graph)

    # -- conversion between dtypes and devices -------------------------------
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
            t = ops.shape.Cast(dtype).apply(t) if dtype.kind in "fc" else \
                _make(t.data.astype(dtype))
        if device is not None and backend.check_device(device) != t.device:
            t = ops.shape.ToDevice(backend.check_device(device)).apply(t)
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

    # -- arithmetic ---------------------------------------------------------
    def __add__(self, other):
        return ops.arithmetic.add(self, other)

    def __radd__(self, other):
        return ops.arithmetic.add(other, self)

    def __sub__(self, other):
        return ops.arithmetic.sub(self, other)

    def __rsub__(self, other):
        return ops.arithmetic.sub(other, self)

    def __mul__(self, other):
        return ops.arithmetic.mul(self, other)

    def __rmul__(self, other):
        return ops.arithmetic.mul(other, self)

    def __truediv__(self, other):
        return ops.arithmetic.div(self, other)

    def __rtruediv__(self, other):
        return ops.arithmetic.div(other, self)

    def __pow__(self, other):
        return ops.arithmetic.pow(self, other)

    def __rpow__(self, other):
        return ops.arithmetic.pow(other, self)

    def __matmul__(self, other):
        return ops.matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul.matmul(other, self)

    def __neg__(self):
        return ops.arithmetic.Neg().apply(self)

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
        return ops.elementwise.Exp().apply(self)

    def log(self):
        return ops.elementwise.Log().apply(self)

    def sqrt(self):
        return ops.elementwise.Sqrt().apply(self)

    def abs(self):
        return ops.elementwise.Abs().apply(self)

    def sin(self):
        return ops.elementwise.Sin().apply(self)

    def cos(self):
        return ops.elementwise.Cos().apply(self)

    def tanh(self):
        return ops.activations.Tanh().apply(self)

    def sigmoid(self):
        return ops.activations.Sigmoid().apply(self)

    def relu(self):
        return ops.activations.ReLU().apply(self)

    def clip(self, min=None, max=None):
        return ops.elementwise.clip(self, min, max)

    clamp = clip

    def maximum(self, other):
        return ops.elementwise.maximum(self, other)

    def minimum(self, other):
        return ops.elementwise.minimum(self, other)

    # -- reductions -----------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        return ops.reductions.Sum(axis, keepdims).apply(self)

    def mean(self, axis=None, keepdims=False):
        return ops.reductions.Mean(axis, keepdims).apply(self)

    def max(self, axis=None, keepdims=False):
        return ops.reductions.Max(axis, keepdims).apply(self)

    def min(self, axis=None, keepdims=False):
        return ops.reductions.Min(axis, keepdims).apply(self)

    def var(self, axis=None, keepdims=False, ddof=0):
        return ops.reductions.Var(axis, keepdims, ddof).apply(self)

    def std(self, axis=None, keepdims=False, ddof=0):
        return self.var(axis, keepdims, ddof).sqrt()

    def logsumexp(self, axis=None, keepdims=False):
        return ops.reductions.LogSumExp(axis, keepdims).apply(self)

    def softmax(self, axis=-1):
        return ops.softmax.Softmax(axis).apply(self)

    def log_softmax(self, axis=-1):
        return ops.softmax.LogSoftmax(axis).apply(self)

    # -- shape ----------------------------------------------------------------
    def reshape(self, *shape):
        return ops.shape.reshape(self, *shape)

    view = reshape

    def transpose(self, *axes):
        return ops.shape.transpose(self, *axes)

    def permute(self, *axes):
        return ops.shape.permute(self, *axes)

    def flatten(self, start_dim=0, end_dim=-1):
        return ops.shape.flatten(self, start_dim, end_dim)

    def squeeze(self, axis=None):
        return ops.shape.squeeze(self, axis)

    def unsqueeze(self, axis):
        return ops.shape.unsqueeze(self, axis)

    def expand(self, *shape):
        return ops.shape.expand(self, *shape)

    def broadcast_to(self, shape):
        return ops.shape.BroadcastTo(tuple(shape)).apply(self)

    def __getitem__(self, index):
        return ops.indexing.getitem(self, index)

    def __setitem__(self, index, value):
        if self.requires_grad and state.grad_enabled:
            raise RuntimeError("item assignment on a tensor that requires grad would "
                               "break its graph; assign under no_grad() or to .data")
        self.data[ops.indexing.to_index(index)] = (
            value.data if isinstance(value, Tensor) else value)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def _bind():
    for name, value in vars(_Methods).items():
        if not (name.startswith("__") and name.endswith("__")) or name in _DUNDERS:
            setattr(Tensor, name, value)


# The special methods of _Methods that are Tensor's (not the class's own __dict__,
# __module__, __doc__, …).
_DUNDERS = {name for name in vars(_Methods) if name.startswith("__") and name not in
            ("__dict__", "__module__", "__doc__", "__weakref__", "__qualname__",
             "__firstlineno__", "__static_attributes__")}
_bind()
