"""``keras.ops.core``: control flow, slicing and scattering, and the questions about a
tensor (``dtype``, ``size``, ``is_tensor``), with Keras 3's names and arguments.

retrograd runs eagerly, so control flow is Python's: ``cond`` calls one branch,
``scan``/``fori_loop``/``while_loop``/``map`` loop and stack; gradients flow through
whatever the loop computed. ``slice_update``/``scatter_update`` return a new tensor
(the input is not changed) with gradients to both the input and the updates;
``scatter`` adds values that land on the same place, as Keras does.
``custom_gradient`` turns a function returning ``(y, grad_fn)`` into an autograd
``Function`` whose backward is ``grad_fn``.
"""
import builtins
import functools
import inspect

import numpy as np

from ... import creation
from ...backend import array_module
from ...function import Function
from ...ops import elementwise as _elementwise
from ...ops import indexing as _indexing
from ...ops import scatter as _scatter
from ...ops import shape as _shape
from ...tensor import Tensor
from ..keras_tensor import KerasTensor
from .numpy import _eager, _tensor, ndim, size  # size, ndim: keras.ops.core's too
from ...function import no_grad
from ...missing import NotSupportedError
from .numpy import pad
from .numpy import prod

__all__ = ["stop_gradient", "cond", "switch", "scan", "fori_loop", "while_loop", "map",
           "vectorized_map", "slice", "slice_update", "scatter", "scatter_update",
           "is_tensor", "dtype", "size", "ndim", "custom_gradient", "unstack"]


@_eager
def stop_gradient(variable):
    """``variable``'s values, cut from the graph (no gradient flows back)."""
    return _tensor(variable, "stop_gradient").detach()


def _truth(pred, who):
    if isinstance(pred, KerasTensor):
        raise NotImplementedError(f"keras.ops.{who}: a symbolic (KerasTensor) predicate "
                                  "is not supported: retrograd runs eagerly; call it inside "
                                  "a layer's call() on values")
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise ValueError(f"keras.ops.{who}: the predicate must be a scalar, got shape "
                             f"{tuple(pred.shape)}")
        return builtins.bool(pred.item())
    return builtins.bool(pred)


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` holds, else ``false_fn()`` (only one runs)."""
    return true_fn() if _truth(pred, "cond") else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, the index clamped to the branches' range."""
    i = int(_tensor(index, "switch").item()) if not isinstance(index, int) else index
    operands = [_tensor(o, "switch") for o in operands]
    return branches[builtins.min(builtins.max(i, 0), len(branches) - 1)](*operands)


def _stack_tree(items):
    """Stack a list of results (tensors, or tuples/lists/dicts of them) on axis 0."""
    first = items[0]
    if isinstance(first, dict):
        return {k: _stack_tree([it[k] for it in items]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack_tree(list(col)) for col in zip(*items))
    if first is None:
        return None
    return _shape.stack([_tensor(t, "scan") for t in items], 0)


def _rows(xs, who):
    """The slices of ``xs`` (a tensor or a tuple/list/dict of them) along axis 0."""
    if isinstance(xs, dict):
        cols = {k: _rows(v, who) for k, v in xs.items()}
        n = len(next(iter(cols.values())))
        return [{k: v[i] for k, v in cols.items()} for i in range(n)]
    if isinstance(xs, (tuple, list)):
        cols = [_rows(v, who) for v in xs]
        lengths = {len(c) for c in cols}
        if len(lengths) > 1:
            raise ValueError(f"keras.ops.{who}: the inputs must have the same length on "
                             f"axis 0, got {sorted(lengths)}")
        return [type(xs)(c[i] for c in cols) for i in range(lengths.pop() if cols else 0)]
    t = _tensor(xs, who)
    if t.ndim == 0:
        raise ValueError(f"keras.ops.{who}: the input must have at least one dimension, "
                         "got a scalar")
    return [t[i] for i in range(t.shape[0])]


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """carry, y = f(carry, x) for each x of ``xs`` (rows on axis 0, or ``length``
    steps with x = None); returns (the last carry, the ys stacked on axis 0).
    ``reverse`` runs from the last row to the first (ys keep the rows' order)."""
    if xs is None:
        if length is None:
            raise ValueError("keras.ops.scan: give xs or length")
        rows = [None] * int(length)
    else:
        rows = _rows(xs, "scan")
        if length is not None and length != len(rows):
            raise ValueError(f"keras.ops.scan: length={length} does not match xs's "
                             f"length {len(rows)} on axis 0")
    carry, ys = init, [None] * len(rows)
    order = range(len(rows) - 1, -1, -1) if reverse else range(len(rows))
    for i in order:
        carry, ys[i] = f(carry, rows[i])
    return carry, (_stack_tree(ys) if ys else None)


def fori_loop(lower, upper, body_fun, init_val):
    """val = body_fun(i, val) for i from ``lower`` to ``upper`` − 1; returns val."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """loop_vars = body(*loop_vars) while cond(*loop_vars) holds (at most
    ``maximum_iterations`` times); a tuple/list of variables, or one."""
    several = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if several else (loop_vars,)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and \
            _truth(cond(*state), "while_loop"):
        out = body(*state)
        state = tuple(out) if several else (out,)
        if len(state) != (len(loop_vars) if several else 1):
            raise ValueError(f"keras.ops.while_loop: body returned {len(state)} values for "
                             f"{len(loop_vars) if several else 1} loop variables")
        steps += 1
    return type(loop_vars)(state) if several else state[0]


def map(f, xs):
    """f applied to each row of ``xs`` (axis 0), the results stacked."""
    rows = _rows(xs, "map")
    return _stack_tree([f(x) for x in rows])


def vectorized_map(function, elements):
    """``function`` on each row of ``elements``, stacked (a loop: retrograd has no
    vectorizing transform, the result is the same)."""
    return map(function, elements)


def _start(start_indices, t, who):
    start = [int(i) for i in (start_indices.tolist() if isinstance(start_indices, Tensor)
                              else np.asarray(start_indices).tolist())]
    if len(start) != t.ndim:
        raise ValueError(f"keras.ops.{who}: start_indices has {len(start)} entries for "
                         f"an input of shape {tuple(t.shape)} ({t.ndim} dimensions)")
    return start


@_eager
def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` from ``start_indices`` (−1 in shape:
    to the end)."""
    t = _tensor(inputs, "slice")
    start = _start(start_indices, t, "slice")
    sizes = [int(n) for n in shape]
    if len(sizes) != t.ndim:
        raise ValueError(f"keras.ops.slice: shape {tuple(sizes)} has {len(sizes)} entries "
                         f"for an input of shape {tuple(t.shape)}")
    index = tuple(builtins.slice(s, None if n == -1 else s + n) for s, n in zip(start, sizes))
    return t[index]


@_eager
def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block from ``start_indices`` replaced by ``updates``."""
    t = _tensor(inputs, "slice_update")
    u = _tensor(updates, "slice_update", dtype=t.dtype)
    start = _start(start_indices, t, "slice_update")
    if u.ndim != t.ndim or builtins.any(s < 0 or s + n > m for s, n, m in
                                        zip(start, u.shape, t.shape)):
        raise ValueError(f"keras.ops.slice_update: updates of shape {tuple(u.shape)} from "
                         f"{tuple(start)} do not fit inside inputs of shape "
                         f"{tuple(t.shape)}")
    index = tuple(builtins.slice(s, s + n) for s, n in zip(start, u.shape))
    return _indexing.SetItem(index).apply(t, u)


def _index_tuple(indices, shape, who):
    """Keras's ``indices`` (…, k): k coordinates per update, as an index tuple."""
    idx = np.asarray(indices.detach().cpu().array if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"keras.ops.{who}: indices must be integers, got dtype {idx.dtype}")
    if idx.ndim == 0 or idx.shape[-1] > len(shape):
        raise ValueError(f"keras.ops.{who}: indices of shape {idx.shape} must end with one "
                         f"coordinate per leading axis of shape {tuple(shape)} (at most "
                         f"{len(shape)})")
    for a in range(idx.shape[-1]):
        col = idx[..., a]
        if col.size and (col.min() < -shape[a] or col.max() >= shape[a]):
            raise IndexError(f"keras.ops.{who}: index {int(col.max())} is out of bounds "
                             f"for axis {a} of size {shape[a]}")
    return tuple(idx[..., a] % shape[a] for a in range(idx.shape[-1]))


@_eager
def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices`` (…, k): each row of k
    coordinates names a place (or a slice, k < len(shape)); repeats add up."""
    v = _tensor(values, "scatter")
    shape = tuple(int(n) for n in shape)
    index = _index_tuple(indices, shape, "scatter")
    k = len(index)
    lead = index[0].shape
    rest = shape[k:]
    if tuple(v.shape) != tuple(lead) + rest:
        raise ValueError(f"keras.ops.scatter: values of shape {tuple(v.shape)} do not fit "
                         f"indices {tuple(lead) + (k,)} into shape {shape}; expected "
                         f"{tuple(lead) + rest}")
    # Flatten the k indexed axes into one and add with scatter_add along it.
    flat = np.ravel_multi_index(index, shape[:k]).reshape(-1) if k else np.zeros(0, int)
    src = v.reshape(-1, *rest)
    where = np.broadcast_to(flat.reshape(-1, *(1,) * len(rest)), src.shape)
    xp = array_module(v.array)
    out = creation.as_tensor(xp.zeros((int(np.prod(shape[:k])),) + rest, dtype=v.dtype))
    return _scatter.scatter_add(out, 0, xp.asarray(where), src).reshape(*shape)


@_eager
def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with ``updates`` written at ``indices`` (…, k); ``reduction="add"``
    adds them instead."""
    t = _tensor(inputs, "scatter_update")
    u = _tensor(updates, "scatter_update", dtype=t.dtype)
    index = _index_tuple(indices, tuple(t.shape), "scatter_update")
    if reduction is None:
        xp = array_module(t.array)
        return _indexing.SetItem(tuple(xp.asarray(i) for i in index)).apply(t, u)
    if reduction == "add":
        return t + scatter(indices, u, t.shape)
    raise NotSupportedError(f"keras.ops.scatter_update: reduction={reduction!r}; retrograd "
                            "has None and 'add'")


def is_tensor(x):
    """Whether ``x`` is a tensor of this backend (a retrograd Tensor)."""
    return isinstance(x, Tensor)


def dtype(x):
    """The dtype's name ("float32"), of a tensor, an array or Python numbers."""
    if isinstance(x, KerasTensor):
        return x.dtype
    return str(_tensor(x, "dtype").dtype)


@_eager
def unstack(x, num=None, axis=0):
    """The slices of ``x`` along ``axis``, a list."""
    t = _tensor(x, "unstack")
    if not -t.ndim <= axis < t.ndim:
        raise ValueError(f"keras.ops.unstack: axis {axis} is out of range for a tensor of "
                         f"shape {tuple(t.shape)}")
    n = t.shape[axis]
    if num is not None and num != n:
        raise ValueError(f"keras.ops.unstack: num={num} but axis {axis} has size {n}")
    lead = (builtins.slice(None),) * (axis % t.ndim)
    return [t[lead + (i,)] for i in range(n)]


class _Custom(Function):
    """The forward of a ``custom_gradient`` function; backward calls its grad_fn."""

    def __init__(self, f, args, kwargs):
        self.f, self.args, self.kwargs = f, args, kwargs

    def forward(self, *arrays):
        self.inputs = [creation.as_tensor(a) for a in arrays]
        with no_grad():
            y, self.grad_fn = self.f(*self.inputs, *self.args, **self.kwargs)
        return _tensor(y, "custom_gradient").array

    def backward(self, gy):
        upstream = creation.as_tensor(gy)
        with no_grad():
            # Keras's PyTorch backend calls grad_fn(*inputs, upstream=g); TensorFlow
            # and JAX code writes grad_fn(g): both are taken.
            try:
                params = inspect.signature(self.grad_fn).parameters.values()
            except (TypeError, ValueError):
                params = ()
            keyword = builtins.any(p.name == "upstream" or p.kind is p.VAR_KEYWORD
                                   for p in params)
            grads = self.grad_fn(*self.inputs, upstream=upstream) if keyword else \
                self.grad_fn(upstream)
        grads = grads if isinstance(grads, (tuple, list)) else (grads,)
        if len(grads) != len(self.needs_input_grad):
            raise ValueError(f"keras.ops.custom_gradient: grad_fn returned {len(grads)} "
                             f"gradients for {len(self.needs_input_grad)} tensor inputs")
        return tuple(None if g is None or not need else _tensor(g, "custom_gradient").array
                     for g, need in zip(grads, self.needs_input_grad))


def custom_gradient(f):
    """Decorator: ``f(*tensors)`` returns ``(y, grad_fn)``; the decorated function
    returns y, and backward gives the tensors ``grad_fn(upstream)`` (one gradient
    per tensor argument, in order; other arguments pass through)::

        @ops.custom_gradient
        def log1pexp(x):
            e = ops.exp(x)
            return ops.log(1 + e), lambda g: g * (1 - 1 / (1 + e))
    """
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        tensors = [_tensor(a, "custom_gradient") for a in args]
        return _Custom(f, (), kwargs).apply(*tensors)
    return wrapper


# -- scans, vectorize, segments, frames -------------------------------------------------

__all__ += ["associative_scan", "vectorize", "segment_sum", "segment_max", "segment_min",
            "segment_prod", "extract_sequences"]


def associative_scan(f, elems, reverse=False, axis=0):
    """The running ``f``-reduction along ``axis``: out[i] = f(out[i − 1], elems[i])
    (f associative, as Keras requires; it runs as a loop here)."""
    t = _tensor(elems, "associative_scan")
    rows = unstack(t, axis=axis)
    if reverse:
        rows = rows[::-1]
    out = [rows[0]] if rows else []
    for r in rows[1:]:
        out.append(f(out[-1], r))
    if reverse:
        out = out[::-1]
    return _shape.stack(out, axis % builtins.max(t.ndim, 1))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` applied to each element of its (broadcast) tensor arguments, the
    results assembled in their shape (NumPy's vectorize without ``signature``)."""
    if signature is not None:
        raise NotSupportedError("keras.ops.vectorize: signature= is not in retrograd; "
                                "vectorize maps over single elements")
    excluded = set(excluded or ())

    def function(*args, **kwargs):
        positions = [i for i, a in enumerate(args) if i not in excluded]
        tensors = [_tensor(args[i], "vectorize") for i in positions]
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors)) if tensors else ()
        tensors = [_shape.broadcast_to(t, shape).reshape(-1) for t in tensors]
        n = int(np.prod(shape))
        results = []
        for k in range(n):
            call = list(args)
            for i, t in zip(positions, tensors):
                call[i] = t[k]
            results.append(_tensor(pyfunc(*call, **kwargs), "vectorize"))
        if not results:
            return _tensor(np.zeros(shape, np.float32), "vectorize")
        return _shape.stack(results, 0).reshape(*shape, *results[0].shape)
    return function


def _segments(name, data, segment_ids, num_segments):
    t = _tensor(data, name)
    ids = np.asarray(segment_ids.detach().cpu().array if isinstance(segment_ids, Tensor)
                     else segment_ids)
    if ids.dtype.kind not in "iu" or ids.ndim != 1 or ids.shape[0] != t.shape[0]:
        raise ValueError(f"keras.ops.{name}: segment_ids must be 1-D integers, one per row "
                         f"of data of shape {tuple(t.shape)}; got shape {ids.shape}, dtype "
                         f"{ids.dtype}")
    n = int(ids.max()) + 1 if num_segments is None and ids.size else int(num_segments or 0)
    keep = (ids >= 0) & (ids < n)          # ids beyond num_segments are dropped
    return t, ids, n, keep


@_eager
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Σ of the rows of ``data`` sharing a segment id: out[s] = Σ_{ids[i] = s} data[i]."""
    t, ids, n, keep = _segments("segment_sum", data, segment_ids, num_segments)
    rows = np.nonzero(keep)[0]
    return scatter(ids[rows].reshape(-1, 1), t[rows], (n, *t.shape[1:]))


def _segment_reduce(name, data, segment_ids, num_segments, reduce, fill):
    t, ids, n, keep = _segments(name, data, segment_ids, num_segments)
    member = (ids[None, :] == np.arange(n)[:, None]) & keep[None, :]       # (S, N)
    mask = creation.as_tensor(member.reshape(member.shape + (1,) * (t.ndim - 1)),
                              device=t.device)
    filled = _elementwise.where(mask, _shape.broadcast_to(t.reshape(1, *t.shape),
                                                          (n, *t.shape)), fill)
    return reduce(filled)


@_eager
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """The maximum of the rows of each segment (−∞ for an empty one, as Keras's torch and
    JAX backends; an integer dtype's lowest value)."""
    t = _tensor(data, "segment_max")
    low = -np.inf if t.dtype.kind == "f" else int(np.iinfo(t.dtype).min)
    return _segment_reduce("segment_max", t, segment_ids, num_segments,
                           lambda a: a.max(axis=1), low)


@_eager
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """The minimum of the rows of each segment (+∞ for an empty one, as Keras's torch and
    JAX backends; an integer dtype's largest value)."""
    t = _tensor(data, "segment_min")
    high = np.inf if t.dtype.kind == "f" else int(np.iinfo(t.dtype).max)
    return _segment_reduce("segment_min", t, segment_ids, num_segments,
                           lambda a: a.min(axis=1), high)


@_eager
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """The product of the rows of each segment (1 for an empty one)."""
    return _segment_reduce("segment_prod", data, segment_ids, num_segments,
                           lambda a: prod(a, axis=1), 1)


@_eager
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last
    axis: (…, frames, sequence_length)."""
    t = _tensor(x, "extract_sequences")
    n = t.shape[-1]
    if sequence_length > n or sequence_length < 1 or sequence_stride < 1:
        raise ValueError(f"keras.ops.extract_sequences: sequence_length="
                         f"{sequence_length} and sequence_stride={sequence_stride} do not "
                         f"frame a last axis of size {n}")
    frames = 1 + (n - sequence_length) // sequence_stride
    index = (np.arange(frames)[:, None] * sequence_stride + np.arange(sequence_length))
    xp = array_module(t.array)
    picked = t.index_select(t.ndim - 1, xp.asarray(index.reshape(-1)))
    return picked.reshape(*t.shape[:-1], frames, sequence_length)



# -- discrete Fourier transforms on (real, imaginary) pairs -------------------------------
# Keras passes complex values as a (real, imag) tuple of real tensors, so the transforms
# are products with the DFT's cosine and sine matrices: X = Σ x·e^{−2πijk/n} gives
# Re X = xr·C + xi·S and Im X = xi·C − xr·S (C = cos 2πjk/n, S = sin 2πjk/n), which
# differentiate as matmuls do. O(n²) per axis: for the short signals of layers.

__all__ += ["fft", "fft2", "ifft2", "rfft", "irfft"]


def _dft(n_in, n_out, dtype, device, inverse=False, scale=1.0):
    j = np.arange(n_in)[:, None]
    k = np.arange(n_out)[None, :]
    angle = 2 * np.pi * ((j * k) % builtins.max(n_in, n_out)) / builtins.max(n_in, n_out)
    c = creation.as_tensor((np.cos(angle) * scale).astype(dtype), device=device)
    s_ = creation.as_tensor((np.sin(angle) * scale * (-1 if inverse else 1)).astype(dtype),
                            device=device)
    return c, s_


def _pair(x, who):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"keras.ops.{who}: x must be a tuple (real, imag) of two tensors, "
                         f"got {type(x).__name__}")
    real, imag = (_tensor(v, who) for v in x)
    real = real if real.dtype.kind == "f" else real.to(dtype=np.float32)
    imag = imag.to(dtype=real.dtype)
    if tuple(real.shape) != tuple(imag.shape):
        raise ValueError(f"keras.ops.{who}: the real and imaginary parts must have the same "
                         f"shape, got {tuple(real.shape)} and {tuple(imag.shape)}")
    return real, imag


def _along(t, axis, fn):
    """fn on t with ``axis`` moved last, moved back after."""
    nd = t.ndim
    axis %= nd
    order = [a for a in range(nd) if a != axis] + [axis]
    back = list(np.argsort(order))
    return _shape.permute(fn(_shape.permute(t, *order)), *back)


def _complex_dft(real, imag, axis, inverse=False):
    n = real.shape[axis]
    c, s_ = _dft(n, n, real.dtype, real.device, inverse, 1.0 / n if inverse else 1.0)
    re = _along(real, axis, lambda v: v @ c) + _along(imag, axis, lambda v: v @ s_)
    im = _along(imag, axis, lambda v: v @ c) - _along(real, axis, lambda v: v @ s_)
    return re, im


@_eager
def fft(x):
    """The DFT along the last axis of x = (real, imag); returns (real, imag)."""
    return _complex_dft(*_pair(x, "fft"), -1)


@_eager
def fft2(x):
    """The DFT along the last two axes of x = (real, imag)."""
    re, im = _complex_dft(*_pair(x, "fft2"), -1)
    return _complex_dft(re, im, -2)


@_eager
def ifft2(x):
    """The inverse DFT along the last two axes of x = (real, imag) (scaled by 1/n)."""
    re, im = _complex_dft(*_pair(x, "ifft2"), -1, inverse=True)
    return _complex_dft(re, im, -2, inverse=True)


@_eager
def rfft(x, fft_length=None):
    """The DFT of a real signal along its last axis, bins 0 … n/2: (real, imag);
    ``fft_length`` zero-pads or truncates the signal first."""
    t = _tensor(x, "rfft")
    t = t if t.dtype.kind == "f" else t.to(dtype=np.float32)
    n = t.shape[-1] if fft_length is None else int(fft_length)
    t = _fit_length(t, n)
    c, s_ = _dft(n, n // 2 + 1, t.dtype, t.device)
    return t @ c, -(t @ s_)


def _fit_length(t, n):
    if t.shape[-1] > n:
        return t[..., :n]
    if t.shape[-1] < n:
        return pad(t, [(0, 0)] * (t.ndim - 1) + [(0, n - t.shape[-1])])
    return t


@_eager
def irfft(x, fft_length=None):
    """The real signal whose rfft is x = (real, imag) (bins 0 … n/2), of length
    ``fft_length`` (2·(bins − 1) by default); the imaginary parts of bin 0 (and of
    the Nyquist bin) are ignored, as NumPy's."""
    real, imag = _pair(x, "irfft")
    n = 2 * (real.shape[-1] - 1) if fft_length is None else int(fft_length)
    bins = n // 2 + 1
    real, imag = _fit_length(real, bins), _fit_length(imag, bins)
    k = np.arange(bins)
    weight = np.where((k == 0) | ((n % 2 == 0) & (k == n // 2)), 1.0, 2.0) / n
    angle = 2 * np.pi * ((k[:, None] * np.arange(n)[None, :]) % n) / n
    c = creation.as_tensor((np.cos(angle) * weight[:, None]).astype(real.dtype),
                           device=real.device)
    s_ = creation.as_tensor((np.sin(angle) * weight[:, None]).astype(real.dtype),
                            device=real.device)
    return real @ c - imag @ s_



__all__ += ["stft"]


def _window(window, n, dtype, who):
    if window is None:
        return np.ones(n, dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"keras.ops.{who}: if a string is passed to `window`, it must "
                             f"be one of \"hann\", \"hamming\". Received: window={window}")
        a = 0.5 if window == "hann" else 0.54      # periodic windows, as PyTorch's
        return (a - (1 - a) * np.cos(2 * np.pi * np.arange(n) / n)).astype(dtype)
    w = np.asarray(window.detach().cpu().array if isinstance(window, Tensor) else window,
                   dtype=dtype)
    if w.shape != (n,):
        raise ValueError(f"keras.ops.{who}: the shape of `window` must be equal to "
                         f"[sequence_length]. Received: window shape={w.shape}")
    return w


@_eager
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform along the last axis: frames of ``fft_length``
    every ``sequence_stride`` samples (the signal reflect-padded by fft_length/2 on
    both sides when ``center``), times the window (``sequence_length`` long, centred),
    through rfft; returns (real, imag) of shape (…, frames, fft_length/2 + 1)."""
    t = _tensor(x, "stft")
    if t.dtype not in (np.float32, np.float64):
        raise TypeError(f"keras.ops.stft: invalid input type. Expected `float32` or "
                        f"`float64`. Received: input type={t.dtype}")
    if fft_length < sequence_length:
        raise ValueError(f"keras.ops.stft: `fft_length` must equal or larger than "
                         f"`sequence_length`. Received: sequence_length={sequence_length}, "
                         f"fft_length={fft_length}")
    win = _window(window, sequence_length, t.dtype, "stft")
    left = (fft_length - sequence_length) // 2
    win = np.pad(win, (left, fft_length - sequence_length - left))
    if center:
        half = fft_length // 2
        t = pad(t, [(0, 0)] * (t.ndim - 1) + [(half, half)], mode="reflect")
    frames = extract_sequences(t, fft_length, sequence_stride)
    return rfft(frames * creation.as_tensor(win, device=t.device), fft_length)



__all__ += ["istft"]


@_eager
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """The inverse of stft for x = (real, imag) of shape (…, frames, bins), PyTorch's
    istft: each frame's irfft times the window, overlap-added (a product with the
    0/1 placement matrix), divided by the overlap-added squared window, the centre
    padding cut off; ``length`` trims or zero-pads the result. Retrograd has the case
    Keras hands to torch.istft: sequence_length == fft_length, center=True, a window."""
    if not (sequence_length == fft_length and center and window is not None):
        raise NotSupportedError("keras.ops.istft: retrograd inverts only with "
                                "sequence_length == fft_length, center=True and a window "
                                f"(got sequence_length={sequence_length}, fft_length="
                                f"{fft_length}, center={center}, window={window!r})")
    real, imag = _pair(x, "istft")
    frames = irfft((real, imag), fft_length)                # (…, N, n)
    win = _window(window, sequence_length, real.dtype, "istft")
    n_frames, n = frames.shape[-2], fft_length
    total = n + sequence_stride * (n_frames - 1)
    place = np.zeros((n_frames * n, total), real.dtype)
    rows = np.arange(n_frames * n)
    place[rows, (rows // n) * sequence_stride + rows % n] = 1
    wsum = (np.tile(win ** 2, n_frames) @ place).astype(np.float64)
    start = n // 2
    end = total - n // 2 if length is None else builtins.min(start + int(length), total)
    norm = wsum[start:end]
    if norm.size and norm.min() < 1e-11:
        raise RuntimeError("keras.ops.istft: window overlap add min: "
                           f"{norm.min():g}; the window and stride do not satisfy the "
                           "nonzero overlap-add constraint")
    windowed = frames * creation.as_tensor(win, device=real.device)
    flat = windowed.reshape(*windowed.shape[:-2], n_frames * n)
    y = (flat @ creation.as_tensor(place, device=real.device))[..., start:end]
    y = y * creation.as_tensor((1.0 / norm).astype(real.dtype), device=real.device)
    if length is not None and end - start < int(length):
        y = pad(y, [(0, 0)] * (y.ndim - 1) + [(0, int(length) - (end - start))])
    return y


from ..missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)
