"""Rearranging a tensor's dimensions and copies of its entries: movedim/moveaxis,
swapaxes/swapdims, unflatten, atleast_1d/2d/3d, tile, repeat_interleave, fliplr,
flipud, rot90.

Each is a composition of ops that already exist (permute, reshape, repeat's
broadcast, index_select, flip), so its gradient is theirs: entries are moved back,
and the gradients of repeated copies are added."""
import numpy as np

from ..backend import array_module
from ..tensor import Tensor, _make
from . import reorder, scatter, shape
from .sorting import _dim


def _tensor(x, who):
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument 'input' must be Tensor, not {type(x).__name__}")


def _ints(v, who, arg):
    items = (v,) if isinstance(v, (int, np.integer)) else v
    if not isinstance(items, (tuple, list)) or not all(
            isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in items):
        raise TypeError(f"{who}(): argument '{arg}' must be int or tuple of ints, not "
                        f"{type(v).__name__}")
    return [int(k) for k in items]


def movedim(input, source, destination):
    """``input`` with its dimensions ``source`` moved to the places ``destination``,
    the others keeping their order (torch.movedim; NumPy's moveaxis)."""
    _tensor(input, "movedim")
    src, dst = _ints(source, "movedim", "source"), _ints(destination, "movedim",
                                                         "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} "
                           f"dims) should contain the same number of dims as destination "
                           f"({dst} dims)")
    src = [_dim(input, d, "movedim") for d in src]
    dst = [_dim(input, d, "movedim") for d in dst]
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    if input.ndim == 0:
        return shape.reshape(input, ())
    order = [None] * input.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(k for k in range(input.ndim) if k not in src)
    return shape.permute(input, *[o if o is not None else next(rest) for o in order])


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    """``input`` with two dimensions exchanged (torch.swapaxes = transpose)."""
    _tensor(input, "swapaxes")
    a, b = _dim(input, axis0, "swapaxes"), _dim(input, axis1, "swapaxes")
    if input.ndim == 0:
        return shape.reshape(input, ())
    return shape.transpose(input, a, b)


def swapdims(input, dim0, dim1):
    """``input`` with two dimensions exchanged (torch.swapdims = transpose)."""
    return swapaxes(input, dim0, dim1)


def unflatten(input, dim, sizes):
    """``input`` with dimension ``dim`` split into ``sizes`` (one may be −1), as
    torch.unflatten: (2, 12) with dim 1, sizes (3, -1) gives (2, 3, 4)."""
    _tensor(input, "unflatten")
    if input.ndim == 0:
        raise RuntimeError("unflatten: input must have at least one dimension (got a 0-d "
                           "tensor)")
    d = _dim(input, dim, "unflatten")
    sizes = _ints(sizes, "unflatten", "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input.shape[d] if input.ndim else 1
    known = 1
    for k in sizes:
        known *= k if k != -1 else 1
    free = sizes.count(-1)
    if free > 1 or (free == 0 and known != n) or (free == 1 and (known == 0 or n % known)):
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor")
    sizes = [n // known if k == -1 else k for k in sizes]
    return shape.reshape(input, *input.shape[:d], *sizes, *input.shape[d + 1:])


def _atleast(tensors, nd, place):
    who = f"atleast_{nd}d"
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        _tensor(t, who)
        out.append(t if t.ndim >= nd else shape.reshape(t, *place(tuple(t.shape))))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """Each tensor with at least one dimension (a 0-d one as shape (1,))."""
    return _atleast(tensors, 1, lambda s: (1,))


def atleast_2d(*tensors):
    """Each tensor with at least two dimensions: () → (1, 1), (n,) → (1, n)."""
    return _atleast(tensors, 2, lambda s: (1,) * (2 - len(s)) + s)


def atleast_3d(*tensors):
    """Each tensor with at least three dimensions: () → (1, 1, 1), (n,) → (1, n, 1),
    (m, n) → (m, n, 1), as torch.atleast_3d."""
    return _atleast(tensors, 3, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,),
                                           2: s + (1,)}[len(s)])


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along each dimension (torch.tile: fewer
    dims than the input's are padded with 1s in front, unlike ``repeat``)."""
    _tensor(input, "tile")
    reps = _ints(dims, "tile", "dims")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"tile(): Trying to create tensor with negative dimension: "
                           f"dims {reps}")
    reps = [1] * (input.ndim - len(reps)) + reps
    return input.repeat(*reps)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each entry of ``input`` repeated ``repeats`` times (an int, or one count per
    entry along ``dim``) in place: [a, b] → [a, a, b, b] (torch.repeat_interleave;
    without ``dim`` the flattened input). With a tensor alone,
    ``repeat_interleave(r)`` is the index i repeated r[i] times."""
    if repeats is None:                       # the one-argument form: indices
        _tensor(input, "repeat_interleave")
        return _make(_repeated_places(_counts(input, input, 0, "repeat_interleave")))
    _tensor(input, "repeat_interleave")
    if input.ndim == 0 and dim is not None:
        raise IndexError(f"repeat_interleave(): Dimension out of range (a 0-d input has "
                         f"no dimension {dim}; leave dim out)")
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else _dim(input, dim, "repeat_interleave")
    if x.ndim == 0:
        x = x.reshape(1)
    index = _repeated_places(_counts(x, repeats, d, "repeat_interleave"))
    if output_size is not None and output_size != index.size:
        raise RuntimeError(f"repeat_interleave(): output_size {output_size} is not the "
                           f"total of repeats ({index.size})")
    return scatter.IndexSelect(d, index).apply(x)


def _repeated_places(counts):
    """i repeated counts[i] times, in order: the place k of the result belongs to the
    first i whose running total of counts exceeds k (CuPy's repeat takes no array of
    counts, so a search does it on either library)."""
    xp = array_module(counts)
    ends = xp.cumsum(counts)
    total = int(ends[-1]) if counts.size else 0
    return xp.searchsorted(ends, xp.arange(total), side="right").astype(np.int64)


def _counts(x, repeats, d, who):
    """The repeat count of each entry along ``d`` as an int64 array on x's device."""
    xp = array_module(x.array)
    n = x.shape[d]
    if isinstance(repeats, Tensor):
        if repeats.dtype.kind not in "iu":
            raise RuntimeError(f"{who}(): repeats has to be Long or Int tensor, got "
                               f"{repeats.dtype}")
        if repeats.ndim > 1:
            raise RuntimeError(f"{who}(): repeats must be 0-dim or 1-dim tensor, got "
                               f"shape {tuple(repeats.shape)}")
        counts = xp.asarray(repeats.array).reshape(-1).astype(np.int64)
        if repeats is not x and counts.size == 1:
            counts = xp.full(n, int(counts[0]), dtype=np.int64)
    elif isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        counts = xp.full(n, int(repeats), dtype=np.int64)
    else:
        raise TypeError(f"{who}(): argument 'repeats' must be int or Tensor, not "
                        f"{type(repeats).__name__}")
    if repeats is not x and counts.size != n:
        raise RuntimeError(f"{who}(): repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {counts.size} and input.size({d}) = {n}")
    if counts.size and int(counts.min()) < 0:
        raise RuntimeError(f"{who}(): repeats can not be negative (got {counts.tolist()})")
    return counts


def fliplr(input):
    """``input`` reversed left to right: along dimension 1 (torch.fliplr, ≥ 2-D)."""
    _tensor(input, "fliplr")
    if input.ndim < 2:
        raise RuntimeError(f"fliplr(): Input must be >= 2-d, got shape "
                           f"{tuple(input.shape)}")
    return reorder.flip(input, 1)


def flipud(input):
    """``input`` reversed upside down: along dimension 0 (torch.flipud, ≥ 1-D)."""
    _tensor(input, "flipud")
    if input.ndim < 1:
        raise RuntimeError("flipud(): Input must be >= 1-d, got a 0-d tensor")
    return reorder.flip(input, 0)


def rot90(input, k=1, dims=(0, 1)):
    """``input`` rotated by 90° ``k`` times in the plane of ``dims``, from the first
    towards the second (torch.rot90): a flip and a transpose."""
    _tensor(input, "rot90")
    dims = _ints(dims, "rot90", "dims")
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = _dim(input, dims[0], "rot90"), _dim(input, dims[1], "rot90")
    if a == b:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {a} "
                           f"and dim1 = {b}")
    k = int(k) % 4
    if k == 1:
        return shape.transpose(reorder.flip(input, b), a, b)
    if k == 2:
        return reorder.flip(input, (a, b))
    if k == 3:
        return shape.transpose(reorder.flip(input, a), a, b)
    return input * 1 if input.requires_grad else input.clone()
