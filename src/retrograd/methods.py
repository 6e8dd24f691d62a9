"""Tensor's methods: each names an operation (``retrograd.ops``) or the engine.

``tensor.py`` is the data structure; the methods that compute are written here, as
the body of a class, and bound to ``Tensor`` at the end of this module — the one
place where the tensor meets the ops. So the core imports in one direction:
backend → tensor → function → engine → ops → methods.
"""
import numpy as np

from . import backend, engine, ops
from . import random as _random
from .autograd.gradients import backward as autograd_backward   # PyTorch's options
from .function import mark_modified, state
from .tensor import Tensor, _as_dtype, _make


class _Methods:
    """The body of Tensor's computing methods (bound to Tensor below)."""

    # -- autodiff -----------------------------------------------------------
    def backward(self, gradient=None, retain_graph=False, create_graph=False, inputs=None):
        """Compute ∂self/∂leaf for every leaf that requires grad, into ``leaf.grad``
        (only into ``inputs``' when given, as PyTorch's ``inputs=``).

        ``gradient`` is ∂ℓ/∂self (defaults to 1 for a scalar)."""
        if create_graph or inputs is not None:
            return autograd_backward(self, gradient, retain_graph, create_graph, inputs)
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

    # -- in-place changes: PyTorch's rules --------------------------------------
    # Allowed on a tensor that needs no gradient and, inside no_grad(), on any
    # tensor; refused on a leaf that requires grad outside no_grad(). A tensor with
    # a history (or changed by one that requires grad) takes the operation into its
    # history, as PyTorch does. Every change bumps the version counter, so that
    # backward refuses values changed after an op saved them (Function.check_saved).
    def add_(self, other, alpha=1):
        """self ← self + α·other, in place."""
        if alpha != 1:
            other = _scaled(other, alpha)
        return _in_place(self, "add_", other, np.add, ops.arithmetic.add)

    def sub_(self, other, alpha=1):
        """self ← self − α·other, in place."""
        if alpha != 1:
            other = _scaled(other, alpha)
        return _in_place(self, "sub_", other, np.subtract, ops.arithmetic.sub)

    def mul_(self, other):
        """self ← self · other, in place."""
        return _in_place(self, "mul_", other, np.multiply, ops.arithmetic.mul)

    def div_(self, other):
        """self ← self / other, in place."""
        return _in_place(self, "div_", other, np.true_divide, ops.arithmetic.div)

    def pow_(self, exponent):
        """self ← self ** exponent, in place."""
        return _in_place(self, "pow_", exponent, np.power, ops.arithmetic.pow)

    def __iadd__(self, other):
        return _in_place(self, "+=", other, np.add, ops.arithmetic.add)

    def __isub__(self, other):
        return _in_place(self, "-=", other, np.subtract, ops.arithmetic.sub)

    def __imul__(self, other):
        return _in_place(self, "*=", other, np.multiply, ops.arithmetic.mul)

    def __itruediv__(self, other):
        return _in_place(self, "/=", other, np.true_divide, ops.arithmetic.div)

    def clamp_(self, min=None, max=None):
        """self ← clamp(self, min, max), in place."""
        return _in_place(self, "clamp_", None, lambda a, _, out: _clip(a, min, max, out),
                         lambda a, _: ops.elementwise.clip(a, min, max))

    clip_ = clamp_

    def zero_(self):
        """self ← 0, in place."""
        return self.fill_(0)

    def fill_(self, value):
        """self ← value everywhere, in place."""
        value = value.item() if isinstance(value, Tensor) else value
        return _set(self, "fill_", lambda a: a.fill(value), lambda shape, dtype: value)

    def copy_(self, src):
        """self ← src (broadcast to self's shape, cast to self's dtype), in place;
        the gradient flows to ``src``."""
        if not isinstance(src, Tensor):
            src = Tensor(src)
        return self.__setitem__(Ellipsis, src, "copy_")

    def normal_(self, mean=0.0, std=1.0, generator=None):
        """self ← samples of N(mean, std²), in place."""
        rng = _random.resolve(generator)
        return _set(self, "normal_", None,
                    lambda shape, dtype: rng.normal(mean, std, shape).astype(dtype))

    def uniform_(self, a=0.0, b=1.0, generator=None):
        """self ← samples of U[a, b), in place."""
        rng = _random.resolve(generator)
        return _set(self, "uniform_", None,
                    lambda shape, dtype: rng.uniform(a, b, shape).astype(dtype))

    def __setitem__(self, index, value, name="item assignment"):
        index = ops.indexing.to_index(index)
        other = value.data if isinstance(value, Tensor) else value
        if _records(self, value, name):
            v = value if isinstance(value, Tensor) else Tensor(value, dtype=self.dtype)
            return _rebase(self, lambda old: ops.indexing.SetItem(index).apply(old, v))
        try:
            self.data[index] = backend.to_device(other, self.device) \
                if hasattr(other, "shape") else other
        except (ValueError, TypeError, IndexError) as e:
            raise _in_place_error(name, self, value, e) from None
        mark_modified(self)
        return self

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

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


# -- in-place changes ----------------------------------------------------------------

def _records(t, other, name):
    """Does an in-place change of ``t`` enter the graph? Refuse it on a leaf that
    requires grad outside no_grad() (PyTorch's rule: the leaf's value is what the
    gradient is taken at)."""
    if not state.grad_enabled:
        return False
    if t.requires_grad and t._op is None:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad (shape {tuple(t.shape)}) cannot be "
            "changed in place outside no_grad(), as in PyTorch; update it inside "
            "`with retrograd.no_grad():` (e.g. w -= lr * w.grad), or through w.data")
    return t.requires_grad or (isinstance(other, Tensor) and other.requires_grad)


def _in_place(t, name, other, ufunc, op):
    """t ← op(t, other) in place: one NumPy/CuPy ufunc writing into t, or, when the
    change enters the graph, the op recorded and its result written into t."""
    if _records(t, other, name):
        return _rebase(t, lambda old: op(old, other))
    b = other.data if isinstance(other, Tensor) else other
    try:
        ufunc(t.data, b, out=t.data)
    except (ValueError, TypeError) as e:   # NumPy's casting errors are TypeErrors
        raise _in_place_error(name, t, other, e) from None
    mark_modified(t)
    return t


def _set(t, name, fill, values):
    """t ← values(shape, dtype) in place (a constant or random samples): no gradient
    flows to t's former value."""
    if _records(t, None, name):
        v = Tensor(values(t.shape, t.dtype), dtype=t.dtype, device=t.device)
        return _rebase(t, lambda old: old * 0 + v)
    if fill is not None:
        fill(t.data)
    else:
        t.data[...] = backend.to_device(np.asarray(values(t.shape, t.dtype)), t.device)
    mark_modified(t)
    return t


def _rebase(t, compute):
    """PyTorch's in-place change of a tensor with a history: ``compute(old)`` is
    recorded on ``old``, a tensor holding t's former history, and its values are
    written into t's storage; t continues from there (its views see the change)."""
    old = _make(t.data)
    old._base = t._base if t._base is not None else t
    old._op, old.requires_grad = t._op, t.requires_grad
    new = compute(old)
    if new.shape != t.shape:
        raise RuntimeError(f"in-place change of a tensor of shape {tuple(t.shape)}: the "
                           f"result has shape {tuple(new.shape)} (only the other operand "
                           "may be broadcast)")
    op = new._op
    if op is not None:   # the recorded op keeps old's values, not the ones written below
        for k, v in list(vars(op).items()):
            if v is t.data:
                setattr(op, k, v.copy())
    t.data[...] = new.data
    mark_modified(t)
    t._op, t.requires_grad = op, new.requires_grad
    return t


def _in_place_error(name, t, other, e):
    shape = tuple(other.shape) if hasattr(other, "shape") else type(other).__name__
    kind = getattr(other, "dtype", "")
    return RuntimeError(f"{name}: cannot write into a tensor of shape {tuple(t.shape)}, "
                        f"{t.dtype}, from {shape} {kind}: {e}")


def _scaled(other, alpha):
    return other * alpha if isinstance(other, Tensor) else np.multiply(other, alpha)


def _clip(a, low, high, out):
    xp = backend.array_module(a)
    return xp.clip(a, low, high, out=out)


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
