"""Picking parts of a tensor: narrow, select, unbind, take, take_along_dim,
masked_select, diagonal, and their opposites that place values: diag_embed,
masked_scatter, index_add/index_copy/index_fill; plus the index lists tril_indices
and triu_indices.

Almost all are compositions of ops that already exist (indexing's ``GetItem`` and
``Gather``, scatter's ``Scatter``, ``where``), so their gradients are those ops':
∂ℓ/∂x is ∂ℓ/∂y put back where each value was taken from (added where an index
repeats). Only ``diag_embed`` writes values into zeros and has an op of its own."""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor, _make
from . import elementwise, indexing, scatter, shape
from .sorting import _dim


def _tensor(x, who, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument '{arg}' must be Tensor, not "
                        f"{type(x).__name__}")


def _axis(ndim, d, who):
    """``d`` as a non-negative axis of an ``ndim``-dimensional result (sorting's _dim
    checks the axes of a tensor one has; diag_embed's result is yet to be made)."""
    d = _int(d, who, "dim")
    if not -ndim <= d < ndim:
        raise IndexError(f"{who}(): Dimension out of range (expected to be in range of "
                         f"[{-ndim}, {ndim - 1}], but got {d})")
    return d % ndim


def _int(v, who, arg):
    """An int, a NumPy integer or a one-element integer tensor as an int."""
    if isinstance(v, Tensor) and v.numel() == 1 and v.dtype.kind in "iu":
        return int(v.item())
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{who}(): argument '{arg}' must be int, not {type(v).__name__}")
    return int(v)


def narrow(input, dim, start, length):
    """The ``length`` entries of ``input`` from ``start`` along ``dim`` (torch.narrow;
    a negative start counts from the end); a differentiable slice."""
    _tensor(input, "narrow")
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _dim(input, dim, "narrow")
    start, length = _int(start, "narrow", "start"), _int(length, "narrow", "length")
    n = input.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"narrow(): start out of range (expected to be in range of "
                         f"[{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative, got {length}")
    if start + length > n:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds "
                           f"dimension size ({n}) of dimension {d} of a tensor of shape "
                           f"{tuple(input.shape)}.")
    return input[(slice(None),) * d + (slice(start, start + length),)]


def select(input, dim, index):
    """``input`` taken at ``index`` along ``dim``, that dimension removed
    (torch.select, ``x[:, i]`` for dim 1); a differentiable view."""
    _tensor(input, "select")
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _dim(input, dim, "select")
    i = _int(index, "select", "index")
    n = input.shape[d]
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return input[(slice(None),) * d + (i % n,)]


def unbind(input, dim=0):
    """The slices of ``input`` along ``dim``, as a tuple (torch.unbind;
    ``torch.stack(x.unbind(d), d)`` gives x back)."""
    _tensor(input, "unbind")
    if input.ndim == 0:
        raise IndexError("unbind(): Dimension specified as 0 but tensor has no dimensions")
    d = _dim(input, dim, "unbind")
    return tuple(select(input, d, i) for i in range(input.shape[d]))


def _index_array(x, index, who, arg="index"):
    """``index`` (a tensor, array or list of ints) as an int64 array on x's device."""
    xp = array_module(x.array)
    a = index.array if isinstance(index, Tensor) else np.asarray(index)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{who}(): Expected a long tensor for {arg} but got {a.dtype}")
    if a.__class__ is not x.array.__class__:
        if isinstance(index, Tensor):
            raise RuntimeError(f"{who}(): {arg} is on {index.device} and the input on "
                               f"{x.device}; Expected all tensors to be on the same device")
        a = xp.asarray(a)
    return a.astype(np.int64, copy=False)


def take(input, index):
    """The elements of ``input`` seen as 1-D at the positions ``index`` (any shape,
    negative counts from the end): the result has index's shape (torch.take)."""
    _tensor(input, "take")
    idx = _index_array(input, index, "take")
    n = input.numel()
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        bad = int(idx.max()) if int(idx.max()) >= n else int(idx.min())
        raise IndexError(f"take(): out of range: tried to access index {bad} on a tensor "
                         f"of {n} elements (shape {tuple(input.shape)}).")
    return input.reshape(-1)[_make(idx % max(n, 1))]


def take_along_dim(input, indices, dim=None):
    """``input``'s entries picked along ``dim`` by ``indices`` (torch.take_along_dim,
    NumPy's take_along_axis): input and indices broadcast against each other except
    along ``dim``; without ``dim`` both are flattened."""
    _tensor(input, "take_along_dim")
    idx = _index_array(input, indices, "take_along_dim", "indices")
    if dim is None:
        return take(input.reshape(-1), _make(idx.reshape(-1)))
    d = _dim(input, dim, "take_along_dim")
    if idx.ndim != input.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the "
                           f"same number of dimensions, but got {input.ndim} dimensions "
                           f"for input, and {idx.ndim} dimensions for indices")
    xs, ids = list(input.shape), list(idx.shape)
    xs[d] = ids[d] = 1
    try:
        common = np.broadcast_shapes(tuple(xs), tuple(ids))
    except ValueError:
        raise RuntimeError(f"take_along_dim(): shapes {tuple(input.shape)} (input) and "
                           f"{tuple(idx.shape)} (indices) cannot be broadcast apart from "
                           f"dimension {d}") from None
    n = input.shape[d]
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"take_along_dim(): index out of range for dimension {d} of "
                         f"size {n} (indices from {int(idx.min())} to {int(idx.max())})")
    xshape = tuple(n if k == d else c for k, c in enumerate(common))
    ishape = tuple(idx.shape[d] if k == d else c for k, c in enumerate(common))
    x = input if tuple(input.shape) == xshape else shape.broadcast_to(input, xshape)
    xp = array_module(idx)
    return indexing.Gather(d, xp.broadcast_to(idx % max(n, 1), ishape)).apply(x)


def _broadcast_mask(input, mask, who):
    _tensor(mask, who, "mask")
    if mask.dtype.kind != "b":
        raise RuntimeError(f"{who}(): expected BoolTensor for mask, got {mask.dtype}")
    try:
        common = np.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    except ValueError:
        raise RuntimeError(f"{who}(): the shape of the mask {tuple(mask.shape)} and the "
                           f"input {tuple(input.shape)} cannot be broadcast") from None
    xp = array_module(input.array)
    return common, xp.broadcast_to(mask.array, common)


def masked_select(input, mask):
    """The elements of ``input`` where the boolean ``mask`` (broadcast against it) is
    True, as a 1-D tensor in row-major order (torch.masked_select)."""
    _tensor(input, "masked_select")
    common, m = _broadcast_mask(input, mask, "masked_select")
    x = input if tuple(input.shape) == common else shape.broadcast_to(input, common)
    if x.ndim == 0:
        x, m = x.reshape(1), m.reshape(1)
    return indexing.GetItem(array_module(m).nonzero(m)).apply(x)


def masked_scatter(input, mask, source):
    """``input`` with the positions where ``mask`` is True filled, in row-major
    order, with the first elements of ``source`` (torch.masked_scatter);
    differentiable in input and source."""
    _tensor(input, "masked_scatter")
    _tensor(source, "masked_scatter", "source")
    common, m = _broadcast_mask(input, mask, "masked_scatter")
    if common != tuple(input.shape):
        raise RuntimeError(f"masked_scatter(): mask {tuple(mask.shape)} must broadcast to "
                           f"the input's shape {tuple(input.shape)}")
    xp = array_module(m)
    count = int(m.sum())
    if count > source.numel():
        raise RuntimeError(f"masked_scatter(): Number of elements of source < number of "
                           f"ones in mask ({source.numel()} < {count})")
    # Position k of the mask's True entries reads source element k.
    k = xp.cumsum(m.reshape(-1)) - 1
    picked = source.reshape(-1)[_make(xp.maximum(k, 0).reshape(m.shape))]
    return elementwise.where(m, picked, input)


def _diagonal_dims(ndim, dim1, dim2, who):
    """dim1 and dim2 as distinct non-negative axes of an ``ndim``-dimensional tensor."""
    d1, d2 = (_axis(ndim, d, who) for d in (dim1, dim2))
    if d1 == d2:
        raise RuntimeError(f"{who}(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diagonal_places(xp, rows, cols, offset):
    """The (row, column) places of diagonal ``offset`` in a rows × cols matrix."""
    n = max(0, min(rows, cols - offset) if offset >= 0 else min(rows + offset, cols))
    i = xp.arange(n)
    return (i, i + offset) if offset >= 0 else (i - offset, i)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal ``offset`` of the matrices that ``dim1`` and ``dim2`` index, as a
    new last dimension, those two removed (torch.diagonal); ∂ℓ/∂x: ∂ℓ/∂y put back on
    that diagonal."""
    _tensor(input, "diagonal")
    if input.ndim < 2:
        raise RuntimeError(f"diagonal(): expected a tensor with at least 2 dimensions, "
                           f"got shape {tuple(input.shape)}")
    offset = _int(offset, "diagonal", "offset")
    d1, d2 = _diagonal_dims(input.ndim, dim1, dim2, "diagonal")
    rest = [k for k in range(input.ndim) if k not in (d1, d2)]
    x = shape.permute(input, *rest, d1, d2)
    rows, cols = _diagonal_places(array_module(input.array), input.shape[d1],
                                  input.shape[d2], offset)
    return indexing.GetItem((Ellipsis, rows, cols)).apply(x)


class DiagEmbed(Function):
    """y[…, r, c] = x[…, i] on diagonal ``offset`` of new last two dims, 0 elsewhere;
    ∂ℓ/∂x = ∂ℓ/∂y read on that diagonal."""

    def __init__(self, offset):
        self.offset = offset

    def _embed(self, a):
        xp = array_module(a)
        n = a.shape[-1]
        m = n + abs(self.offset)
        y = xp.zeros(a.shape[:-1] + (m, m), dtype=a.dtype)
        rows, cols = _diagonal_places(xp, m, m, self.offset)
        y[..., rows, cols] = a
        return y

    def forward(self, x):
        return self._embed(x)

    def backward(self, gy):
        m = gy.shape[-1]
        rows, cols = _diagonal_places(array_module(gy), m, m, self.offset)
        return gy[..., rows, cols]

    def jvp(self, dx):
        return self._embed(dx)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose matrices (at dims ``dim1``, ``dim2`` of the result) hold the
    last dimension of ``input`` on diagonal ``offset`` (torch.diag_embed)."""
    _tensor(input, "diag_embed")
    offset = _int(offset, "diag_embed", "offset")
    d1, d2 = _diagonal_dims(input.ndim + 1, dim1, dim2, "diag_embed")
    x = input if input.ndim else input.reshape(1)
    y = DiagEmbed(offset).apply(x)
    # y's matrices are its last two dims; move them to d1 and d2.
    order = [None] * y.ndim
    order[d1], order[d2] = y.ndim - 2, y.ndim - 1
    rest = iter(range(y.ndim - 2))
    return shape.permute(y, *[o if o is not None else next(rest) for o in order])


def _triangle_indices(row, col, offset, dtype, device, lower):
    who = "tril_indices" if lower else "triu_indices"
    row, col, offset = (_int(v, who, a) for v, a in ((row, "row"), (col, "col"),
                                                     (offset, "offset")))
    if row < 0 or col < 0:
        raise RuntimeError(f"{who}(): row must be non-negative, got {row}; col must be "
                           f"non-negative, got {col}")
    rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    from ..creation import tensor
    return tensor(np.stack([rows, cols]).astype(np.int64),
                  dtype=np.int64 if dtype is None else dtype, device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) int64 indices of the lower triangle (column − row ≤ ``offset``) of a
    row × col matrix, row by row (torch.tril_indices)."""
    return _triangle_indices(row, col, offset, dtype, device, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) int64 indices of the upper triangle (column − row ≥ ``offset``)."""
    return _triangle_indices(row, col, offset, dtype, device, False)


def _index_places(input, dim, index, source_shape, who):
    """index_add/index_copy's 1-D ``index`` along ``dim`` as scatter's full index of
    ``source_shape`` (it names the slice of input each slice of source goes to)."""
    d = _dim(input, dim, who)
    idx = _index_array(input, index, who)
    if idx.ndim > 1:
        raise IndexError(f"{who}(): Index is supposed to be a vector, got shape "
                         f"{tuple(idx.shape)}")
    idx = idx.reshape(-1)
    n = input.shape[d] if input.ndim else 1
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"{who}(): index out of range for dimension {d} of size {n} "
                         f"(indices from {int(idx.min())} to {int(idx.max())})")
    idx = idx % max(n, 1)
    if source_shape is None:
        source_shape = tuple(idx.size if k == d else s for k, s in enumerate(input.shape))
    expected = tuple(idx.size if k == d else s for k, s in enumerate(input.shape))
    if tuple(source_shape) != expected:
        raise RuntimeError(f"{who}(): source/tensor shape {tuple(source_shape)} does not "
                           f"match: expected {expected} (input {tuple(input.shape)} with "
                           f"{idx.size} index entries along dimension {d})")
    xp = array_module(idx)
    lead = (1,) * d + (idx.size,) + (1,) * (input.ndim - d - 1)
    return d, xp.broadcast_to(idx.reshape(lead), expected) if input.ndim else idx.reshape(())


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha · source``'s slices added to the slices ``index`` names
    along ``dim`` (torch.index_add; repeated indices add up)."""
    _tensor(input, "index_add")
    _tensor(source, "index_add", "source")
    d, places = _index_places(input, dim, index, source.shape, "index_add")
    src = source if alpha == 1 else source * alpha
    return scatter.Scatter(d, places, True).apply(input, src.reshape(places.shape))


def index_copy(input, dim, index, source):
    """``input`` with the slices ``index`` names along ``dim`` replaced by
    ``source``'s (torch.index_copy)."""
    _tensor(input, "index_copy")
    _tensor(source, "index_copy", "source")
    d, places = _index_places(input, dim, index, source.shape, "index_copy")
    return scatter.Scatter(d, places, False).apply(input, source.reshape(places.shape))


def index_fill(input, dim, index, value):
    """``input`` with the slices ``index`` names along ``dim`` set to ``value``
    (torch.index_fill)."""
    _tensor(input, "index_fill")
    d, places = _index_places(input, dim, index, None, "index_fill")
    v = value.item() if isinstance(value, Tensor) else value
    src = _make(array_module(input.array).full(places.shape, v, dtype=input.dtype))
    return scatter.Scatter(d, places, False).apply(input, src)
