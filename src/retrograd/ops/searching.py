"""Finding places and counting: searchsorted, bucketize (where values fall among
sorted boundaries), histc and bincount (how many fall in each bin), argwhere.
None is differentiable: their results are int64 positions or counts (histc and a
weighted bincount give floats, as PyTorch's, also without a gradient)."""
import numpy as np

from ..backend import array_module
from ..tensor import Tensor, _make


def _tensor(x, who, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _positions(seq, values, side, out_int32):
    """searchsorted of the arrays ``values`` in ``seq`` (1-D, or rows matching
    values' leading dims), one row at a time (NumPy's searchsorted is 1-D)."""
    xp = array_module(seq)
    if seq.ndim == 1:
        out = xp.searchsorted(seq, values, side=side)
    else:
        rows = seq.reshape(-1, seq.shape[-1])
        vals = values.reshape(rows.shape[0], -1)
        out = xp.stack([xp.searchsorted(r, v, side=side) for r, v in zip(rows, vals)])
        out = out.reshape(values.shape)
    return out.astype(np.int32 if out_int32 else np.int64)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` (its
    last dimension sorted ascending) to keep it sorted (torch.searchsorted):
    the first such place, or the last with ``right=True`` / ``side="right"``.
    ``sorter``: the indices that sort an unsorted sequence."""
    _tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' "
                               f"but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
    side = side or ("right" if right else "left")
    seq = sorted_sequence.array
    xp = array_module(seq)
    scalar = not isinstance(input, Tensor)
    values = xp.asarray(input, dtype=seq.dtype) if scalar else input.array
    if sorter is not None:
        order = sorter.array if isinstance(sorter, Tensor) else xp.asarray(sorter)
        if order.shape != seq.shape:
            raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the "
                               f"same size, but got boundary tensor {list(seq.shape)} and "
                               f"got sorter tensor {list(order.shape)}")
        seq = xp.take_along_axis(seq, order.astype(np.int64), axis=-1)
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension "
                           "or the first N-1 dimensions of boundaries tensor and input "
                           "value tensor must match, but we got a 0-d boundaries tensor")
    if seq.ndim > 1 and (scalar or seq.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension "
                           f"or the first N-1 dimensions of boundaries tensor and input "
                           f"value tensor must match, but we got boundaries tensor "
                           f"{list(seq.shape)} and input value tensor "
                           f"{list(values.shape)}")
    return _make(_positions(seq, values, side, out_int32))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of ``input`` among the 1-D sorted ``boundaries``
    (torch.bucketize): i with boundaries[i−1] < x ≤ boundaries[i], or
    boundaries[i−1] ≤ x < boundaries[i] with ``right=True``."""
    _tensor(boundaries, "bucketize", "boundaries")
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize(): boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def histc(input, bins=100, min=0, max=0):
    """The histogram of ``input`` in ``bins`` equal bins over [min, max] (torch.histc;
    min = max: the data's range), in input's dtype; values outside are ignored."""
    _tensor(input, "histc")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"histc(): \"histogram_cpu\" not implemented for "
                                  f"'{input.dtype}' (histc takes floating point input)")
    if not isinstance(bins, (int, np.integer)) or bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for bins")
    a = input.array
    xp = array_module(a)
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min, but got min {lo} "
                           f"max {hi}")
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    # PyTorch's rule, in the input's dtype: bin ⌊(x − min)·bins / (max − min)⌋, x = max
    # in the last. NumPy's histogram compares with computed edges instead, which puts
    # some values on an edge one bin lower (0.6 with 5 bins over [0, 1]: bin 2, not 3).
    t = a.dtype.type
    lo, hi = t(lo), t(hi)
    flat = a.reshape(-1)
    v = flat[(flat >= lo) & (flat <= hi)]           # NaN and values outside: ignored
    place = ((v - lo) * t(bins) / (hi - lo)).astype(np.int64)
    counts = xp.bincount(xp.minimum(place, int(bins) - 1), minlength=int(bins))
    return _make(counts.astype(a.dtype))


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, … occurs in the 1-D non-negative integer ``input``
    (torch.bincount), or the sum of ``weights`` there; at least ``minlength`` bins."""
    _tensor(input, "bincount")
    a = input.array
    xp = array_module(a)
    if input.ndim != 1 or a.dtype.kind not in "iu" or (a.size and int(a.min()) < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs "
                           f"(got shape {tuple(input.shape)}, {input.dtype})")
    if minlength < 0:
        raise RuntimeError(f"bincount(): minlength should be >= 0, got {minlength}")
    if weights is None:
        return _make(xp.bincount(a, minlength=minlength).astype(np.int64))
    w = weights.array if isinstance(weights, Tensor) else xp.asarray(weights)
    if w.shape != a.shape:
        raise RuntimeError(f"bincount(): weights should be 1-d and have the same length as input "
                           f"(got {tuple(w.shape)} for input {tuple(a.shape)})")
    dt = w.dtype if w.dtype.kind == "f" else np.float64
    return _make(xp.bincount(a, weights=w, minlength=minlength).astype(dt))


def argwhere(input):
    """The (n, ndim) int64 indices of the non-zero entries (torch.argwhere)."""
    _tensor(input, "argwhere")
    return _make(array_module(input.array).argwhere(input.array).astype(np.int64))
