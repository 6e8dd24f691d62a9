"""Ops that move data around without computing: reshape, transpose, broadcast,
concatenate, stack, split (tensor_split, chunk), and dtype/device conversion. Their
backward moves the gradient back the same way."""
import numpy as np

from .. import backend
from ..backend import array_module
from ..function import Function
from ..tensor import Tensor
from .operand import lift_all


class Reshape(Function):
    """y = x viewed with another shape;  ∂ℓ/∂x = ∂ℓ/∂y reshaped back."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        try:
            y = x.reshape(self.shape)
            # NumPy copies when it cannot view: then the output has a memory of its own.
            self.view = y.base is not None and (y.base is x or y.base is x.base)
            return y
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {x.shape} ({x.size} "
                             f"elements) into shape {self.shape}") from None

    def backward(self, gy):
        return gy.reshape(self.in_shape)

    def jvp(self, dx):
        return dx.reshape(self.shape)


class Transpose(Function):
    """y = x with its axes permuted;  ∂ℓ/∂x = ∂ℓ/∂y with the inverse permutation."""

    view = True

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        inverse = [0] * len(self.axes) if self.axes else None
        if self.axes:
            for i, a in enumerate(self.axes):
                inverse[a] = i
        return gy.transpose(inverse)

    def jvp(self, dx):
        return dx.transpose(self.axes)


class BroadcastTo(Function):
    """y = x broadcast to ``shape``;  ∂ℓ/∂x = ∂ℓ/∂y summed back (by the engine)."""

    view = True

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return array_module(x).broadcast_to(x, self.shape)

    def backward(self, gy):
        return gy

    def jvp(self, dx):
        return array_module(dx).broadcast_to(dx, self.shape)


class Concatenate(Function):
    """y = [x₁, x₂, …] joined along ``axis``;  ∂ℓ/∂xᵢ = the matching slice of ∂ℓ/∂y."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        xp = array_module(xs[0])
        self.sizes = [x.shape[self.axis] for x in xs]
        return xp.concatenate(xs, axis=self.axis)

    def backward(self, gy):
        xp = array_module(gy)
        cuts, total = [], 0
        for n in self.sizes[:-1]:
            total += n
            cuts.append(total)
        return tuple(xp.split(gy, cuts, axis=self.axis))

    def jvp(self, *dxs):
        return array_module(dxs[0]).concatenate(dxs, axis=self.axis)


class Stack(Function):
    """y = [x₁, x₂, …] stacked on a new ``axis``;  ∂ℓ/∂xᵢ = ∂ℓ/∂y taken at i."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return array_module(xs[0]).stack(xs, axis=self.axis)

    def backward(self, gy):
        xp = array_module(gy)
        return tuple(xp.take(gy, i, axis=self.axis) for i in range(gy.shape[self.axis]))

    def jvp(self, *dxs):
        return array_module(dxs[0]).stack(dxs, axis=self.axis)


class Cast(Function):
    """y = x in another dtype;  ∂ℓ/∂x = ∂ℓ/∂y cast back."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy.astype(self.in_dtype) if self.in_dtype.kind in "fc" else None

    def jvp(self, dx):
        return dx.astype(self.dtype)


class ToDevice(Function):
    """y = x copied to another device;  ∂ℓ/∂x = ∂ℓ/∂y copied back."""

    def __init__(self, device):
        self.device = device

    def forward(self, x):
        self.origin = backend.device_of(x)
        return backend.to_device(x, self.device)

    def backward(self, gy):
        return backend.to_device(gy, self.origin)

    def jvp(self, dx):
        return backend.to_device(dx, self.device)


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def reshape(x, *shape):
    """x with a new shape (one entry may be −1)."""
    return Reshape(_shape_args(shape)).apply(x)


def transpose(x, *axes):
    """Reverse all axes (no argument), or swap two: ``transpose(dim0, dim1)`` as
    in PyTorch. ``permute`` takes a full permutation."""
    if not axes:
        return Transpose(None).apply(x)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        return permute(x, *axes[0])
    if len(axes) != 2:
        raise ValueError(f"transpose takes no axis or two axes to swap, got {axes}; "
                         "use permute() for a full permutation")
    perm = list(range(x.ndim))
    try:
        i, j = perm[axes[0]], perm[axes[1]]
    except IndexError:
        raise ValueError(f"transpose: axes {axes} out of range for a tensor with "
                         f"{x.ndim} dimensions") from None
    perm[i], perm[j] = perm[j], perm[i]
    return Transpose(tuple(perm)).apply(x)


def permute(x, *axes):
    """x with its axes reordered: y.shape[i] = x.shape[axes[i]]."""
    axes = _shape_args(axes)
    if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
        raise ValueError(f"permute: {axes} is not a permutation of the {x.ndim} axes "
                         f"of a tensor of shape {x.shape}")
    return Transpose(tuple(a % x.ndim for a in axes)).apply(x)


def flatten(x, start_dim=0, end_dim=-1):
    """Merge axes start_dim … end_dim into one."""
    if x.ndim == 0:
        return reshape(x, 1)
    for d in (start_dim, end_dim):
        if not -x.ndim <= d < x.ndim:
            raise IndexError(f"flatten: axis {d} is out of range for an input of shape "
                             f"{tuple(x.shape)} (axes {-x.ndim} … {x.ndim - 1})")
    s, e = start_dim % x.ndim, end_dim % x.ndim
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                         f"for an input of shape {tuple(x.shape)}")
    n = 1
    for k in x.shape[s:e + 1]:
        n *= k
    shape = x.shape[:s] + (n,) + x.shape[e + 1:]
    return reshape(x, shape)


def squeeze(x, axis=None):
    """Drop size-1 axes (all of them, or the given one if it has size 1)."""
    if axis is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = [a % x.ndim for a in axes]
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1))
    return reshape(x, shape)


def unsqueeze(x, axis):
    """Insert a size-1 axis at ``axis``."""
    nd = x.ndim + 1
    if not -nd <= axis < nd:
        raise ValueError(f"unsqueeze: axis {axis} out of range for a result with {nd} dims")
    shape = list(x.shape)
    shape.insert(axis % nd, 1)
    return reshape(x, shape)


def expand(x, *shape):
    """Broadcast x to ``shape`` (−1 keeps an axis), as PyTorch's expand."""
    shape = _shape_args(shape)
    lead = len(shape) - x.ndim
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    return BroadcastTo(shape).apply(x)


def broadcast_to(x, shape):
    """Broadcast x to ``shape`` (NumPy's rules)."""
    return BroadcastTo(tuple(shape)).apply(x)


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis."""
    tensors = lift_all(tensors, "concatenate")
    return Concatenate(axis).apply(*tensors)


def stack(tensors, axis=0):
    """Join tensors along a new axis."""
    tensors = lift_all(tensors, "stack")
    return Stack(axis).apply(*tensors)


def split(x, split_size_or_sections, dim=0, *, axis=None):
    """Split x along ``dim`` as PyTorch does: an int s gives pieces of size s (the
    last one smaller when s does not divide the length), a list gives pieces of those
    sizes (they must add up to the length). Returns a tuple of differentiable slices
    (views of x).

    ``axis=`` (NumPy's word; PyTorch's split has no ``axis``) keeps NumPy's meaning:
    an int n gives n equal pieces, a list gives the indices to cut at, as
    ``numpy.split``. ``tensor_split`` is NumPy's ``array_split`` and ``chunk`` asks
    for a number of pieces, both with ``dim``."""
    if axis is not None:
        return _numpy_split(x, split_size_or_sections, axis)
    d, n = _split_dim(x, dim, "split")
    s = _index_value(split_size_or_sections)
    if isinstance(s, int):
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={s}")
        if s == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s else []
        return _pieces(x, d, sizes or [n])
    sizes = _int_list(s, "split", "split_size_or_sections")
    if any(k < 0 for k in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                           f"(input tensor's size at dimension {d}), but got "
                           f"split_sizes={sizes}")
    return _pieces(x, d, sizes)


def tensor_split(x, indices_or_sections=None, dim=0, *, sections=None, indices=None):
    """Split x along ``dim`` as PyTorch's tensor_split (NumPy's ``array_split``): an
    int n gives n pieces whose sizes differ by at most one (the first ones larger;
    some empty when n exceeds the length), a list of indices cuts before each of them
    (clipped to the length, as slices are). A 0-d integer tensor is an int, a 1-d one
    a list. Returns a tuple of differentiable slices (views of x)."""
    given = [v for v in (indices_or_sections, sections, indices) if v is not None]
    if len(given) != 1:
        raise TypeError("tensor_split: give one of indices_or_sections, sections or "
                        "indices")
    d, n = _split_dim(x, dim, "tensor_split")
    spec = given[0]
    if isinstance(spec, Tensor):
        if spec.dtype.kind not in "iu":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have "
                               f"dtype of long, but got {spec.dtype}")
        if spec.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a "
                               f"tensor with {spec.ndim} dims")
        spec = spec.item() if spec.ndim == 0 else [int(v) for v in spec.tolist()]
    spec = _index_value(spec)
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        q, r = divmod(n, spec)
        return _pieces(x, d, [q + 1] * r + [q] * (spec - r))
    cuts = _int_list(spec, "tensor_split", "indices_or_sections")
    bounds = [0] + [min(max(c + n if c < 0 else c, 0), n) for c in cuts] + [n]
    return _slices(x, d, list(zip(bounds[:-1], bounds[1:])))


def chunk(x, chunks, dim=0):
    """Split x along ``dim`` into ``chunks`` pieces of ⌈length / chunks⌉ (the last
    smaller), as PyTorch's chunk: fewer pieces when the length does not allow that
    many. Returns a tuple of differentiable slices (views of x)."""
    c = _index_value(chunks)
    if not isinstance(c, int):
        raise TypeError(f"chunk(): argument 'chunks' must be int, not "
                        f"{type(chunks).__name__}")
    d, n = _split_dim(x, dim, "chunk")
    if c <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {c}")
    size = -(-n // c)
    if n == 0:
        return _pieces(x, d, [0] * c)
    return split(x, size, d)


def _numpy_split(x, indices_or_sections, axis):
    """NumPy's split: n equal parts, or cuts at the given indices (a list)."""
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(f"split: cannot split an axis of size {n} into "
                             f"{indices_or_sections} equal parts (NumPy's meaning, "
                             "given axis=; tensor_split allows unequal parts)")
        step = n // indices_or_sections
        cuts = list(range(step, n, step))
    else:
        cuts = list(indices_or_sections)
    bounds = [0] + cuts + [n]
    index = [slice(None)] * x.ndim
    pieces = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        index[axis] = slice(lo, hi)
        pieces.append(x[tuple(index)])
    return pieces


def _split_dim(x, dim, who):
    """The dimension to split (checked as PyTorch checks it) and its length."""
    if x.ndim == 0:
        raise RuntimeError(f"{who} expects at least a 1-dimensional tensor")
    d = _index_value(dim)
    if not isinstance(d, int):
        raise TypeError(f"{who}: dim must be an int, got {type(dim).__name__}")
    if not -x.ndim <= d < x.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-x.ndim}, {x.ndim - 1}], but got {d})")
    d %= x.ndim
    return d, x.shape[d]


def _index_value(v):
    """An int, a NumPy integer or a 0-d integer tensor as an int; others unchanged."""
    if isinstance(v, bool):
        raise TypeError(f"expected an int or a list of ints, got {v!r}")
    if isinstance(v, Tensor) and v.ndim == 0 and v.dtype.kind in "iu":
        return int(v.item())
    return int(v) if isinstance(v, (int, np.integer)) else v


def _int_list(v, who, arg):
    if isinstance(v, Tensor):
        v = v.tolist()
    if not isinstance(v, (list, tuple)) or \
            not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in v):
        raise TypeError(f"{who}(): argument '{arg}' must be an int or a list of ints, "
                        f"not {type(v).__name__}")
    return [int(k) for k in v]


def _pieces(x, d, sizes):
    bounds, start = [], 0
    for k in sizes:
        bounds.append((start, start + k))
        start += k
    return _slices(x, d, bounds)


def _slices(x, d, bounds):
    index = [slice(None)] * x.ndim
    pieces = []
    for lo, hi in bounds:
        index[d] = slice(lo, max(lo, hi))
        pieces.append(x[tuple(index)])
    return tuple(pieces)


def _directional_split(x, spec, dim, who, min_ndim):
    """torch.hsplit/vsplit/dsplit: ``tensor_split`` along ``dim``, an int of sections
    having to divide the length (PyTorch's rule)."""
    if x.ndim < min_ndim:
        raise RuntimeError(f"torch.{who} requires a tensor with at least {min_ndim} "
                           f"dimension, but got a tensor with {x.ndim} dimensions!")
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        if spec == 0 or x.shape[dim] % spec:
            raise RuntimeError(f"torch.{who} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {x.shape[dim]} is not divisible "
                               f"by the split_size {spec}!")
        return tensor_split(x, int(spec), dim)
    return tensor_split(x, indices=list(spec), dim=dim)


def hsplit(x, indices_or_sections):
    """Split along the columns: dim 1 (dim 0 of a 1-D tensor), as numpy.hsplit."""
    return _directional_split(x, indices_or_sections, 1 if x.ndim > 1 else 0, "hsplit", 1)


def vsplit(x, indices_or_sections):
    """Split along the rows (dim 0) of a tensor of 2 or more dimensions."""
    return _directional_split(x, indices_or_sections, 0, "vsplit", 2)


def dsplit(x, indices_or_sections):
    """Split along the depth (dim 2) of a tensor of 3 or more dimensions."""
    return _directional_split(x, indices_or_sections, 2, "dsplit", 3)
