"""Tensor's methods: each names an operation (``retrograd.ops``) or the engine.

``tensor.py`` is the data structure; the methods that compute are written here, as
the body of a class, and bound to ``Tensor`` at the end of this module — the one
place where the tensor meets the ops. So the core imports in one direction:
backend → tensor → function → engine → ops → methods.
"""
from collections import namedtuple

import numpy as np

from . import backend, engine, ops
from . import dlpack as _dlpack
from . import random as _random
from .autograd.gradients import backward as autograd_backward   # PyTorch's options
from .function import mark_modified, state
from .missing import tensor_getattr
from . import linalg as _linalg
from .ops import division as _division
from .ops import exponential as _exponential
from .ops import logical as _logical
from .ops import products as _products
from .ops import rearranging as _rearranging
from .ops import rounding as _rounding
from .ops import scan as _scan
from .ops import searching as _searching
from .ops import selecting as _selecting
from .ops import special as _special
from .ops import statistics as _statistics
from .ops import trigonometry as _trigonometry
from .ops.fold import unfold_dim
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
        xp = backend.array_module(self.array)
        if gradient is None:
            if self.array.size != 1:
                raise RuntimeError(
                    f"backward: output of shape {self.shape} is not a scalar; pass "
                    "gradient= (∂loss/∂output, same shape) or reduce it first (e.g. .sum())")
            g = xp.ones_like(self.array)
        else:
            g = gradient.array if isinstance(gradient, Tensor) else gradient
            g = xp.array(g, dtype=self.dtype)   # a copy: the engine's own (engine.py)
            if g.shape != self.shape:
                raise ValueError(f"backward: gradient has shape {g.shape}, expected "
                                 f"{self.shape} (the output's shape)")
        engine.backward(self, g, retain_graph=retain_graph)

    # -- DLPack: the memory shared with NumPy, PyTorch, CuPy (dlpack.py) -------
    def __dlpack__(self, stream=None, *, max_version=None, dl_device=None, copy=None):
        """A DLPack capsule of this tensor's memory: ``np.from_dlpack(t)`` and
        ``torch.from_dlpack(t)`` share it (BufferError if it requires grad)."""
        return _dlpack.dlpack(self, stream, max_version, dl_device, copy)

    def __dlpack_device__(self):
        """(DLPack device type, index): (1, 0) on the CPU, (2, i) on CUDA GPU i."""
        return _dlpack.dlpack_device(self)

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
                _make(t.array.astype(dtype))
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
        return _in_place(self, "add_", other, "add", ops.arithmetic.add)

    def sub_(self, other, alpha=1):
        """self ← self − α·other, in place."""
        if alpha != 1:
            other = _scaled(other, alpha)
        return _in_place(self, "sub_", other, "subtract", ops.arithmetic.sub)

    def mul_(self, other):
        """self ← self · other, in place."""
        return _in_place(self, "mul_", other, "multiply", ops.arithmetic.mul)

    def div_(self, other):
        """self ← self / other, in place."""
        return _in_place(self, "div_", other, "true_divide", ops.arithmetic.div)

    def pow_(self, exponent):
        """self ← self ** exponent, in place."""
        return _in_place(self, "pow_", exponent, "power", ops.arithmetic.pow)

    def __iadd__(self, other):
        return _in_place(self, "+=", other, "add", ops.arithmetic.add)

    def __isub__(self, other):
        return _in_place(self, "-=", other, "subtract", ops.arithmetic.sub)

    def __imul__(self, other):
        return _in_place(self, "*=", other, "multiply", ops.arithmetic.mul)

    def __itruediv__(self, other):
        return _in_place(self, "/=", other, "true_divide", ops.arithmetic.div)

    def clamp_(self, min=None, max=None):
        """self ← clamp(self, min, max), in place."""
        return _in_place(self, "clamp_", None,
                         lambda a, _, out: backend.array_module(a).clip(a, min, max, out=out),
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
        other = value.array if isinstance(value, Tensor) else value
        if _records(self, value, name):
            v = value if isinstance(value, Tensor) else Tensor(value, dtype=self.dtype)
            return _rebase(self, lambda old: ops.indexing.SetItem(index).apply(old, v))
        try:
            self.array[index] = backend.to_device(other, self.device) \
                if hasattr(other, "shape") else other
        except (ValueError, TypeError, IndexError) as e:
            raise _in_place_error(name, self, value, e) from None
        mark_modified(self)
        return self

    # -- comparisons (no gradient) -------------------------------------------
    def _compare(self, other, fn):
        other = other.array if isinstance(other, Tensor) else other
        return _make(fn(self.array, other))

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

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Index of the maximum (no gradient), over ``dim`` (``axis``) or all."""
        return _make(self.array.argmax(axis=_dim(dim, axis), keepdims=_keep(keepdim, keepdims)))

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _make(self.array.argmin(axis=_dim(dim, axis), keepdims=_keep(keepdim, keepdims)))

    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _make(self.array.any(axis=_dim(dim, axis), keepdims=_keep(keepdim, keepdims)))

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _make(self.array.all(axis=_dim(dim, axis), keepdims=_keep(keepdim, keepdims)))

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

    def square(self):
        return ops.arithmetic.pow(self, 2)

    def neg(self):
        return -self

    def pow(self, exponent):
        return ops.arithmetic.pow(self, exponent)

    def add(self, other, alpha=1):
        """self + α·other (PyTorch's add)."""
        return self + (_scaled(other, alpha) if alpha != 1 else other)

    def sub(self, other, alpha=1):
        return self - (_scaled(other, alpha) if alpha != 1 else other)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def clip(self, min=None, max=None):
        return ops.elementwise.clip(self, min, max)

    clamp = clip

    def maximum(self, other):
        return ops.elementwise.maximum(self, other)

    def minimum(self, other):
        return ops.elementwise.minimum(self, other)

    def where(self, condition, other):
        """self where ``condition`` holds, else ``other`` (PyTorch's x.where)."""
        return ops.elementwise.where(condition, self, other)

    def masked_fill(self, mask, value):
        """self with ``value`` where ``mask`` is true (no gradient flows there)."""
        fill = Tensor(value, dtype=self.dtype, device=self.device) \
            if not isinstance(value, Tensor) else value
        return ops.elementwise.where(mask, fill, self)

    def gather(self, dim, index):
        return ops.indexing.gather(self, dim, index)

    # -- reductions: PyTorch's dim/keepdim, NumPy's axis/keepdims ---------------
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        t = self if dtype is None else self.to(dtype=dtype)
        return ops.reductions.Sum(_dim(dim, axis), _keep(keepdim, keepdims)).apply(t)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        t = self if dtype is None else self.to(dtype=dtype)
        return ops.reductions.Mean(_dim(dim, axis), _keep(keepdim, keepdims)).apply(t)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The maximum: over everything; with ``dim`` PyTorch's (values, indices);
        with ``axis=`` (NumPy's word) the values alone; of two tensors, elementwise."""
        return _extreme(self, "max", dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """As ``max``, for the minimum."""
        return _extreme(self, "min", dim, keepdim, axis, keepdims)

    def amax(self, dim=None, keepdim=False):
        return ops.reductions.Max(_dim(dim, None), keepdim).apply(self)

    def amin(self, dim=None, keepdim=False):
        return ops.reductions.Min(_dim(dim, None), keepdim).apply(self)

    def var(self, dim=None, keepdim=False, ddof=None, *, unbiased=None, correction=None,
            axis=None, keepdims=None):
        """Σ (x − x̄)² / (n − c). The correction c is PyTorch's default 1 (unbiased),
        or NumPy's 0 when called NumPy's way (``axis=``); ``correction``, ``ddof`` or
        ``unbiased`` set it."""
        c = _correction(ddof, unbiased, correction, axis)
        return ops.reductions.Var(_dim(dim, axis), _keep(keepdim, keepdims), c).apply(self)

    def std(self, dim=None, keepdim=False, ddof=None, *, unbiased=None, correction=None,
            axis=None, keepdims=None):
        """√var (same correction rule as ``var``); its gradient is 0 where it is 0, as
        PyTorch's."""
        return ops.reductions.StdFromVar().apply(
            self.var(dim, keepdim, ddof, unbiased=unbiased, correction=correction,
                     axis=axis, keepdims=keepdims))

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """‖x‖_p over ``dim`` (all elements by default), torch.norm's rules: p 'fro'
        (the 2-norm of the entries), 'nuc' (Σσᵢ of a matrix), or a number (the vector
        p-norm, inf and -inf included); the gradient is 0 where the norm is 0, as
        PyTorch's."""
        if p == "nuc":
            return _linalg.matrix_norm(self, "nuc", (-2, -1) if dim is None else dim,
                                       keepdim, dtype=dtype)
        if isinstance(p, str) and p != "fro":
            raise RuntimeError(f"norm: p={p!r} is not a norm ('fro', 'nuc' or a number)")
        return _linalg.vector_norm(self, 2 if p in ("fro", None) else p, dim, keepdim,
                                   dtype=dtype)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return ops.reductions.LogSumExp(_dim(dim, axis), _keep(keepdim, keepdims)).apply(self)

    def softmax(self, dim=-1, *, axis=None):
        return ops.softmax.Softmax(_dim(dim, axis)).apply(self)

    def log_softmax(self, dim=-1, *, axis=None):
        return ops.softmax.LogSoftmax(_dim(dim, axis)).apply(self)

    # -- shape ----------------------------------------------------------------
    def reshape(self, *shape):
        return ops.shape.reshape(self, *shape)

    view = reshape

    def view_as(self, other):
        return ops.shape.reshape(self, *other.shape)

    reshape_as = view_as

    def transpose(self, *axes):
        return ops.shape.transpose(self, *axes)

    def t(self):
        """The transpose of a matrix (a vector is returned as is), as PyTorch's t()."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with at most 2 dimensions, got shape "
                             f"{tuple(self.shape)}; use transpose(dim0, dim1)")
        return self if self.ndim < 2 else ops.shape.transpose(self)

    @property
    def mT(self):
        """The last two axes swapped (a batch of matrices transposed)."""
        return ops.shape.transpose(self, -2, -1)

    def permute(self, *axes):
        return ops.shape.permute(self, *axes)

    def flatten(self, start_dim=0, end_dim=-1):
        return ops.shape.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None, *, axis=None):
        return ops.shape.squeeze(self, _dim(dim, axis))

    def unsqueeze(self, dim=None, *, axis=None):
        return ops.shape.unsqueeze(self, _dim(dim, axis))

    def expand(self, *shape):
        return ops.shape.expand(self, *shape)

    def expand_as(self, other):
        return ops.shape.expand(self, *other.shape)

    def unfold(self, dimension, size, step):
        """Windows of ``size`` along ``dimension``, one every ``step``, as a new last axis
        (PyTorch's sliding-window view; here a copy whose gradient adds the windows back)."""
        return unfold_dim(self, dimension, size, step)

    # -- sorting, scans, matrix parts, reordering, scatter (ops/sorting.py, scan.py,
    #    triangular.py, reorder.py, einsum.py, scatter.py, comparison.py, sampling.py) --
    def sort(self, dim=-1, descending=False, stable=False):
        """(values, indices) sorted along ``dim`` (ties keep their order)."""
        return ops.sorting.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return ops.sorting.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """(values, indices) of the k largest (smallest) along ``dim``."""
        return ops.sorting.topk(self, k, dim, largest, sorted)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return ops.sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def cumsum(self, dim, *, dtype=None):
        return ops.scan.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None):
        return ops.scan.cumprod(self, dim, dtype=dtype)

    def flip(self, *dims):
        """Reversed along ``dims``: x.flip(0, 1) or x.flip((0, 1))."""
        if not dims:
            raise TypeError("flip() missing 1 required positional argument: 'dims'")
        return ops.reorder.flip(self, dims[0] if len(dims) == 1 else dims)

    def roll(self, shifts, dims=None):
        return ops.reorder.roll(self, shifts, dims)

    def tril(self, diagonal=0):
        return ops.triangular.tril(self, diagonal)

    def triu(self, diagonal=0):
        return ops.triangular.triu(self, diagonal)

    def diag(self, diagonal=0):
        return ops.triangular.diag(self, diagonal)

    def trace(self):
        return ops.triangular.trace(self)

    def outer(self, vec2):
        return ops.einsum.outer(self, vec2)

    def index_select(self, dim, index):
        return ops.scatter.index_select(self, dim, index)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return ops.scatter.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        return ops.scatter.scatter_add(self, dim, index, src)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """In place: ``src`` (or ``value``) written at ``index`` along ``dim``."""
        s = src if src is not None else value
        if _records(self, s, "scatter_"):
            return _rebase(self, lambda old: ops.scatter.scatter(old, dim, index, s,
                                                                 reduce=reduce))
        return ops.scatter.write_scatter(self, dim, index, s, reduce=reduce)

    def scatter_add_(self, dim, index, src):
        """In place: ``src`` added at ``index`` along ``dim``."""
        if _records(self, src, "scatter_add_"):
            return _rebase(self, lambda old: ops.scatter.scatter_add(old, dim, index, src))
        return ops.scatter.write_scatter(self, dim, index, src, add=True)

    def nonzero(self, *, as_tuple=False):
        return ops.comparison.nonzero(self, as_tuple=as_tuple)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.comparison.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.comparison.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other):
        return ops.comparison.equal(self, other)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return ops.sampling.multinomial(self, num_samples, replacement,
                                        generator=generator)

    def broadcast_to(self, shape):
        return ops.shape.BroadcastTo(tuple(shape)).apply(self)

    def repeat(self, *sizes):
        """The tensor tiled ``sizes[i]`` times along each axis (PyTorch's repeat,
        NumPy's tile): a broadcast of interleaved axes, so the gradient sums the copies."""
        sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) \
            else sizes
        if len(sizes) < self.ndim:
            raise ValueError(f"repeat: {len(sizes)} sizes for a tensor with {self.ndim} "
                             "dimensions; give at least one per dimension")
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        spread = [n for d in shape for n in (1, d)]
        tiled = [n for r, d in zip(sizes, shape) for n in (r, d)]
        x = ops.shape.reshape(self, *spread)
        return ops.shape.reshape(ops.shape.expand(x, *tiled),
                                 *[r * d for r, d in zip(sizes, shape)])

    def split(self, split_size, dim=0, *, axis=None):
        """PyTorch's split: pieces of ``split_size`` (or of the given sizes)."""
        return ops.shape.split(self, split_size, dim, axis=axis)

    def tensor_split(self, indices_or_sections=None, dim=0, *, sections=None, indices=None):
        return ops.shape.tensor_split(self, indices_or_sections, dim, sections=sections,
                                      indices=indices)

    def chunk(self, chunks, dim=0):
        return ops.shape.chunk(self, chunks, dim)

    def hsplit(self, indices_or_sections):
        return ops.shape.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections):
        return ops.shape.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections):
        return ops.shape.dsplit(self, indices_or_sections)

    def ravel(self):
        """The elements as one dimension (a view where the memory allows)."""
        return ops.shape.reshape(self, -1)

    def msort(self):
        return ops.sorting.msort(self)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return ops.sorting.unique_consecutive(self, return_inverse, return_counts, dim)

    def ger(self, vec2):
        """The outer product (PyTorch's old name of ``outer``)."""
        return ops.einsum.outer(self, vec2)

    def bernoulli(self, p=None, *, generator=None):
        return ops.sampling.bernoulli(self, p, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        """self ← 0/1 samples, 1 with probability ``p`` (a number or a tensor)."""
        probs = backend.to_device(p.array, "cpu") if isinstance(p, Tensor) else p
        return _set(self, "bernoulli_", None, lambda shape, dtype:
                    ops.sampling.bernoulli_draws(np, shape, dtype, probs, generator))

    # -- reductions, scans, shape and indexing functions (ops/statistics.py,
    #    selecting.py, rearranging.py, searching.py; cummax… in scan.py) -----------------
    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return _statistics.prod(self, dim, keepdim, dtype=dtype)

    def median(self, dim=None, keepdim=False):
        return _statistics.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _statistics.nanmedian(self, dim, keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _statistics.mode(self, dim, keepdim)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _statistics.kthvalue(self, k, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _statistics.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _statistics.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _statistics.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _statistics.nanmean(self, dim, keepdim, dtype=dtype)

    def count_nonzero(self, dim=None):
        return _statistics.count_nonzero(self, dim)

    def aminmax(self, *, dim=None, keepdim=False):
        return _statistics.aminmax(self, dim=dim, keepdim=keepdim)

    def cummax(self, dim):
        return _scan.cummax(self, dim)

    def cummin(self, dim):
        return _scan.cummin(self, dim)

    def logcumsumexp(self, dim):
        return _scan.logcumsumexp(self, dim)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return _scan.diff(self, n, dim, prepend, append)

    def unbind(self, dim=0):
        return _selecting.unbind(self, dim)

    def narrow(self, dim, start, length):
        return _selecting.narrow(self, dim, start, length)

    def select(self, dim, index):
        return _selecting.select(self, dim, index)

    def take(self, index):
        return _selecting.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _selecting.take_along_dim(self, indices, dim)

    def masked_select(self, mask):
        return _selecting.masked_select(self, mask)

    def masked_scatter(self, mask, source):
        return _selecting.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        return _rewrite(self, "masked_scatter_", source,
                        lambda old: _selecting.masked_scatter(old, mask, source))

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _selecting.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _selecting.diag_embed(self, offset, dim1, dim2)

    def index_add(self, dim, index, source, *, alpha=1):
        return _selecting.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim, index, source, *, alpha=1):
        return _rewrite(self, "index_add_", source,
                        lambda old: _selecting.index_add(old, dim, index, source, alpha=alpha))

    def index_copy(self, dim, index, source):
        return _selecting.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        return _rewrite(self, "index_copy_", source,
                        lambda old: _selecting.index_copy(old, dim, index, source))

    def index_fill(self, dim, index, value):
        return _selecting.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value):
        return _rewrite(self, "index_fill_", None,
                        lambda old: _selecting.index_fill(old, dim, index, value))

    def movedim(self, source, destination):
        return _rearranging.movedim(self, source, destination)

    moveaxis = movedim

    def swapaxes(self, axis0, axis1):
        return _rearranging.swapaxes(self, axis0, axis1)

    def swapdims(self, dim0, dim1):
        return _rearranging.swapdims(self, dim0, dim1)

    def unflatten(self, dim, sizes):
        return _rearranging.unflatten(self, dim, sizes)

    def tile(self, *dims):
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return _rearranging.tile(self, dims)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return _rearranging.repeat_interleave(self, repeats, dim, output_size=output_size)

    def fliplr(self):
        return _rearranging.fliplr(self)

    def flipud(self):
        return _rearranging.flipud(self)

    def rot90(self, k=1, dims=(0, 1)):
        return _rearranging.rot90(self, k, dims)

    def histc(self, bins=100, min=0, max=0):
        return _searching.histc(self, bins, min, max)

    def bincount(self, weights=None, minlength=0):
        return _searching.bincount(self, weights, minlength)

    def argwhere(self):
        return _searching.argwhere(self)

    def clone(self):
        """A copy with its own memory; the gradient flows back to self."""
        return self * 1 if self.requires_grad and state.grad_enabled else \
            _make(self.array.copy())

    def contiguous(self):
        return self

    def mm(self, other):
        if self.ndim != 2 or getattr(other, "ndim", 0) != 2:
            raise ValueError(f"mm: expects two matrices, got shapes {tuple(self.shape)} and "
                             f"{tuple(getattr(other, 'shape', ()))}")
        return ops.matmul.matmul(self, other)

    def bmm(self, other):
        if self.ndim != 3 or getattr(other, "ndim", 0) != 3:
            raise ValueError(f"bmm: expects two batches of matrices (3 dimensions), got "
                             f"shapes {tuple(self.shape)} and "
                             f"{tuple(getattr(other, 'shape', ()))}")
        return ops.matmul.matmul(self, other)

    def matmul(self, other):
        return ops.matmul.matmul(self, other)

    def dot(self, other):
        return ops.matmul.matmul(self, other)

    # -- dtypes and Python numbers -----------------------------------------------------
    def type(self, dtype=None):
        """With no argument, PyTorch's type name ('torch.FloatTensor'); with a dtype,
        the tensor converted to it."""
        if dtype is None:
            return _TYPE_NAMES.get(np.dtype(self.dtype).name, str(self.dtype))
        return self.to(dtype=dtype)

    def int(self):
        return self.to(dtype=np.int32)

    def bool(self):
        return self.to(dtype=np.bool_)

    def half(self):
        return self.to(dtype=np.float16)

    @property
    def is_cuda(self):
        return self.device != "cpu"

    def __index__(self):
        """A one-element integer tensor indexes a list, as in PyTorch."""
        if self.array.size != 1 or self.dtype.kind not in "iub":
            raise TypeError(f"only one-element integer tensors can be used as an index, "
                            f"not one of shape {tuple(self.shape)} and dtype {self.dtype}")
        return int(self.item())

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self.item(), spec)
        if not spec:
            return str(self)
        raise TypeError(f"unsupported format string {spec!r} for a tensor of shape "
                        f"{tuple(self.shape)} (only a 0-d tensor formats as a number)")

    def __getitem__(self, index):
        return ops.indexing.getitem(self, index)

    def __getattr__(self, name):
        # Only when the normal look-up failed: a PyTorch method retrograd lacks is named.
        return tensor_getattr(self, name)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


# -- PyTorch's and NumPy's keywords ---------------------------------------------------

_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
               "float16": "torch.HalfTensor", "int64": "torch.LongTensor",
               "int32": "torch.IntTensor", "int16": "torch.ShortTensor",
               "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
               "bool": "torch.BoolTensor"}


def _dim(dim, axis):
    """The axes of a call that may say ``dim`` (PyTorch) or ``axis`` (NumPy)."""
    if axis is not None:
        if dim is not None and dim != -1:
            raise TypeError(f"give dim or axis, not both (dim={dim!r}, axis={axis!r})")
        return tuple(axis) if isinstance(axis, list) else axis
    return tuple(dim) if isinstance(dim, list) else dim


def _keep(keepdim, keepdims):
    return bool(keepdim if keepdims is None else keepdims)


def _correction(ddof, unbiased, correction, axis):
    """var's divisor n − c: c from correction, ddof or unbiased; else PyTorch's 1, or
    NumPy's 0 for a call written NumPy's way (with axis=)."""
    for c in (correction, ddof):
        if c is not None:
            return int(c)
    if unbiased is not None:
        return int(bool(unbiased))
    return 0 if axis is not None else 1


# What max(dim)/min(dim) return, as PyTorch's torch.return_types.max/min.
_RESULT = {name: namedtuple(name, ["values", "indices"]) for name in ("max", "min")}


def _extreme(t, name, dim, keepdim, axis, keepdims):
    """max/min: of everything; PyTorch's (values, indices) along ``dim``; NumPy's
    values along ``axis``; elementwise against another tensor."""
    op = ops.reductions.Max if name == "max" else ops.reductions.Min
    if isinstance(dim, Tensor):
        return (ops.elementwise.maximum if name == "max" else ops.elementwise.minimum)(t, dim)
    if axis is not None or dim is None:
        return op(_dim(dim, axis), _keep(keepdim, keepdims)).apply(t)
    keep = _keep(keepdim, keepdims)
    if t.ndim == 0:
        index = _make(np.zeros((), dtype=np.int64))
        return _RESULT[name](t * 1 if t.requires_grad else t, index)
    where = getattr(t.array, "argmax" if name == "max" else "argmin")(axis=dim, keepdims=True)
    values = ops.indexing.Gather(dim % t.ndim, where).apply(t)   # ∂ℓ/∂x at that index only
    indices = _make(where)
    if not keep:
        values, indices = ops.shape.squeeze(values, dim), _make(where.squeeze(dim))
    return _RESULT[name](values, indices)


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
            "`with retrograd.no_grad():` (e.g. w -= lr * w.grad), or through w.array")
    return t.requires_grad or (isinstance(other, Tensor) and other.requires_grad)


def _in_place(t, name, other, ufunc, op):
    """t ← op(t, other) in place: one ufunc of the data's array module (by name) or
    function writing into t, or, when the change enters the graph, the op recorded
    and its result written into t."""
    if _records(t, other, name):
        return _rebase(t, lambda old: op(old, other))
    b = other.array if isinstance(other, Tensor) else other
    fn = getattr(backend.array_module(t.array), ufunc) if isinstance(ufunc, str) else ufunc
    try:
        fn(t.array, b, out=t.array)
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
        fill(t.array)
    else:
        t.array[...] = backend.to_device(np.asarray(values(t.shape, t.dtype)), t.device)
    mark_modified(t)
    return t


def _rewrite(t, name, other, compute):
    """t ← compute(t) in place (index_add_, index_copy_, index_fill_,
    masked_scatter_): recorded in t's history when the change enters the graph,
    else the result's values written into t's memory."""
    if _records(t, other, name):
        return _rebase(t, compute)
    t.array[...] = compute(t).array
    mark_modified(t)
    return t


def _rebase(t, compute):
    """PyTorch's in-place change of a tensor with a history: ``compute(old)`` is
    recorded on ``old``, a tensor holding t's former history, and its values are
    written into t's storage; t continues from there (its views see the change)."""
    old = _make(t.array)
    old._base = t._owner
    old._op, old.requires_grad = t._op, t.requires_grad
    new = compute(old)
    if new.shape != t.shape:
        raise RuntimeError(f"in-place change of a tensor of shape {tuple(t.shape)}: the "
                           f"result has shape {tuple(new.shape)} (only the other operand "
                           "may be broadcast)")
    op = new._op
    if op is not None:   # the recorded op keeps old's values, not the ones written below
        for k, v in list(vars(op).items()):
            if v is t.array:
                setattr(op, k, v.copy())
    t.array[...] = new.array
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


# -- elementwise math (ops/rounding.py, exponential.py, trigonometry.py, special.py,
#    logical.py, division.py): x.floor() is rounding.floor(x); x.floor_() changes x in
#    place; the operators & | ^ ~ % // and abs() ----------------------------------------
_CAST_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _math_in_place(fn, name):
    """The method ``x.f_(…)``: x ← f(x, …) in place, under PyTorch's rules (those of
    ``_in_place``: refused on a leaf that requires grad, recorded when in the graph),
    and its refusal of a result x's dtype cannot hold (``int_tensor.sqrt_()``)."""
    def method(self, *args, **kwargs):
        other = next((a for a in (*args, *kwargs.values())
                      if isinstance(a, Tensor) and a.requires_grad), None)
        if _records(self, other, name):
            return _rebase(self, lambda old: fn(old, *args, **kwargs))
        r = fn(_make(self.array), *args, **kwargs).array
        if _CAST_ORDER[r.dtype.kind] > _CAST_ORDER[self.dtype.kind] or \
                (name == "float_power_" and self.dtype != np.float64):
            raise RuntimeError(f"{name}: result type {r.dtype} can't be cast to the "
                               f"desired output type {self.dtype} (as in PyTorch)")
        if r.shape != self.shape:
            raise RuntimeError(f"{name}: output with shape {tuple(self.shape)} doesn't "
                               f"match the broadcast shape {tuple(r.shape)}")
        self.array[...] = r
        mark_modified(self)
        return self
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In place: self ← {fn.__name__}(self, …)."
    return method


def _swapped(fn):
    def method(self, other):
        return fn(other, self)
    return method


for _module in (_rounding, _exponential, _special, _trigonometry, _logical, _division):
    _forms = {name: getattr(_module, name) for name in _module.PUBLIC}
    _forms.update(getattr(_module, "METHODS", {}))   # x.polygamma(n) is polygamma(n, x)
    for _name in _module.PUBLIC:
        if _name not in vars(_Methods):
            setattr(_Methods, _name, _forms[_name])
    for _name in _module.IN_PLACE:
        if _name + "_" not in vars(_Methods):
            setattr(_Methods, _name + "_", _math_in_place(_forms[_name], _name + "_"))
for _name, (_fn, _sign) in {"and": (_logical.bitwise_and, "&"),
                            "or": (_logical.bitwise_or, "|"),
                            "xor": (_logical.bitwise_xor, "^"),
                            "lshift": (_logical.bitwise_left_shift, "<<"),
                            "rshift": (_logical.bitwise_right_shift, ">>"),
                            "mod": (_division.remainder, "%"),
                            "floordiv": (_division.floor_divide, "//")}.items():
    setattr(_Methods, f"__{_name}__", _fn)
    setattr(_Methods, f"__r{_name}__", _swapped(_fn))
    setattr(_Methods, f"__i{_name}__", _math_in_place(_fn, _sign + "="))
_Methods.__invert__ = _logical.bitwise_not
_Methods.__abs__ = _division.absolute
# The in-place forms of the older methods (x.exp_(), x.relu_(), x.masked_fill_(m, v)…).
for _name in ("abs", "cos", "exp", "log", "neg", "relu", "sigmoid", "sin", "sqrt",
              "square", "tanh", "masked_fill", "tril", "triu", "cumsum", "cumprod"):
    if _name + "_" not in vars(_Methods):
        setattr(_Methods, _name + "_", _math_in_place(vars(_Methods)[_name], _name + "_"))
del _module, _forms, _name, _fn, _sign


def _rounding_div(true_div, rounded):
    """x.div(y, rounding_mode=…) (and so retrograd.div): "trunc" or "floor" round the
    quotient, as divide does; without it the method above."""
    def method(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return true_div(self, other)
        return rounded(self, other, rounding_mode=rounding_mode)
    method.__name__ = method.__qualname__ = true_div.__name__
    method.__doc__ = true_div.__doc__
    return method


_Methods.div = _rounding_div(_Methods.div, _division.divide)
_Methods.div_ = _rounding_div(_Methods.div_, _math_in_place(_division.divide, "div_"))


# -- linear algebra (linalg.py, ops/products.py): x.inverse(), x.det(), x.mv(v),
#    c.addmm(a, b, beta=…, alpha=…), x.svd() → (U, S, V), … ---------------------------
for _name, _fn in {
        "inverse": _linalg.inv.__wrapped__, "det": _linalg.det.__wrapped__,
        "logdet": _linalg.logdet, "slogdet": _linalg.slogdet.__wrapped__,
        "svd": _linalg.torch_svd, "matrix_power": _linalg.matrix_power.__wrapped__,
        "pinverse": lambda self, rcond=1e-15: _linalg.pinv.__wrapped__(self, rtol=rcond),
        "cholesky": lambda self, upper=False: _linalg.cholesky.__wrapped__(self, upper=upper),
        "qr": lambda self, some=True: _linalg.qr.__wrapped__(
            self, "reduced" if some else "complete"),
        "matrix_exp": _linalg.matrix_exp, "cholesky_inverse": _linalg.torch_cholesky_inverse,
        "cholesky_solve": _linalg.torch_cholesky_solve, "vdot": _products.vdot,
        "addmm_": _math_in_place(_products.addmm, "addmm_"),
        "addmv_": _math_in_place(_products.addmv, "addmv_"),
        "addr_": _math_in_place(_products.addr, "addr_"),
        "baddbmm_": _math_in_place(_products.baddbmm, "baddbmm_"),
        "addbmm_": _math_in_place(_products.addbmm, "addbmm_"),
        **{n: getattr(_products, n) for n in ("mv", "inner", "kron", "addmm", "addmv",
                                              "addr", "baddbmm", "addbmm", "cross",
                                              "dist")}}.items():
    if _name not in vars(_Methods):
        setattr(_Methods, _name, _fn)
del _name, _fn


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
