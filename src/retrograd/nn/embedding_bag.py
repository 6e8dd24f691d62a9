"""``EmbeddingBag``: the sum, mean or max of the embeddings of each bag of indices, without
materialising the (bags × length × dim) tensor of ``Embedding`` then a reduction.

Bags are the rows of a 2-D ``input`` (B, L), or the slices
``input[offsets[b]:offsets[b + 1]]`` of a 1-D ``input`` (the last bag runs to the end,
or to the last offset with ``include_last_offset``). With the rows E = W[input]:

* sum:  y_b = Σ_{i ∈ b} wᵢ Eᵢ   (wᵢ = ``per_sample_weights``, else 1)
* mean: y_b = (1/|b|) Σ_{i ∈ b} Eᵢ
* max:  y_b = max_{i ∈ b} Eᵢ, per feature
Entries equal to ``padding_idx`` are left out (and not counted by the mean); an empty
bag gives zeros. sum and mean weigh each picked row and scatter-add it into its bag, so
∂ℓ/∂W gathers each bag's ∂ℓ/∂y back to the rows used, weighted.
"""
import numpy as np

from ..backend import array_module, to_device
from ..missing import NotSupportedError
from ..ops.elementwise import where
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def _positive_int(layer, name, value):
    # (nn/linear.py has the same check; importing it would loop back through functional)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _bags(input, offsets, include_last_offset):
    """The flat indices (host array) and the (start, end) of each bag."""
    idx = np.asarray(to_device(input.array if isinstance(input, Tensor) else np.asarray(input),
                               "cpu"))
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: expected indices of an integer type, got "
                           f"{idx.dtype}")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is "
                             "treated is a mini-batch of fixed length sequences. However, "
                             f"found offsets of type {type(offsets).__name__}")
        b, n = idx.shape
        return idx.reshape(-1), [(i * n, (i + 1) * n) for i in range(b)]
    if idx.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    off = np.asarray(to_device(offsets.array if isinstance(offsets, Tensor)
                               else np.asarray(offsets), "cpu")).astype(np.int64)
    if off.ndim != 1:
        raise ValueError(f"offsets has to be a 1D Tensor, but got Tensor of dimension "
                         f"{off.ndim}")
    if off.size and (off[0] != 0 or (np.diff(off) < 0).any() or off[-1] > idx.size):
        raise RuntimeError(f"embedding_bag: offsets must start at 0, not decrease and not "
                           f"exceed the input's length {idx.size}, got {off.tolist()}")
    ends = list(off[1:]) + ([] if include_last_offset else [idx.size])
    return idx, list(zip(off[:len(ends)].tolist(), [int(e) for e in ends]))


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """The sum, mean or max of the rows of ``weight`` picked by each bag of ``input``."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    for flag, what in ((max_norm is not None, "max_norm"), (scale_grad_by_freq,
                       "scale_grad_by_freq=True"), (sparse, "sparse=True")):
        if flag:
            raise NotSupportedError(f"embedding_bag: {what} is not supported")
    shape = tuple(input.shape) if hasattr(input, "shape") else np.shape(input)
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != shape:
        raise ValueError(f"embedding_bag: If per_sample_weights "
                         f"({tuple(per_sample_weights.shape)}) is not None, then it must have "
                         f"the same shape as the input ({shape})")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    idx, bags = _bags(input, offsets, include_last_offset)
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx[(idx < 0) | (idx >= n)][0])   # PyTorch: a RuntimeError
        raise RuntimeError(f"embedding_bag: an index takes value {bad} which is not in "
                           f"the valid range [0, {n}) of the weight's rows")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    xp = array_module(weight.array)
    rows = weight.index_select(0, xp.asarray(idx))                  # (entries, dim)
    keep = idx != padding_idx if padding_idx is not None else np.ones(idx.size, bool)
    starts = np.array([b[0] for b in bags], dtype=np.int64)
    ends = np.array([b[1] for b in bags], dtype=np.int64)
    bag_of = np.zeros(idx.size, dtype=np.int64)        # entries in no bag keep weight 0
    covered = np.zeros(idx.size, dtype=bool)
    if len(bags):
        lo, hi = int(starts[0]), int(ends[-1])         # the bags tile [lo, hi) in order
        bag_of[lo:hi] = np.repeat(np.arange(len(bags)), ends - starts)
        covered[lo:hi] = True
    if mode == "max":
        return _bag_max(rows, np.nonzero(keep & covered)[0], bag_of, len(bags), weight)
    # y_b = Σ_{i ∈ b} mᵢ Eᵢ: each entry's row, weighted, added into its bag (scatter-add)
    m = (keep & covered).astype(np.float64)
    if mode == "mean":
        count = np.bincount(bag_of, weights=m, minlength=len(bags))
        m = m / np.maximum(count, 1)[bag_of]
    m = Tensor._wrap(xp.asarray(m, dtype=weight.dtype).reshape(-1, 1))
    if per_sample_weights is not None:
        m = m * per_sample_weights.reshape(-1, 1)
    d = weight.shape[1]
    into = Tensor._wrap(xp.broadcast_to(xp.asarray(bag_of)[:, None], (idx.size, d)))
    out = Tensor._wrap(xp.zeros((len(bags), d), dtype=weight.dtype))
    return out.scatter_add(0, into, rows * m)


def _bag_max(rows, entries, bag_of, n_bags, weight):
    """y_b = max over the bag's rows, all bags at once: the rows laid out in a (bags ×
    longest bag) table padded with −∞, its max along the bag; an empty bag gives 0s."""
    xp = array_module(weight.array)
    d = weight.shape[1]
    if entries.size == 0:           # no bag has a row: all zeros
        return Tensor._wrap(xp.zeros((n_bags, d), dtype=weight.dtype))
    b = bag_of[entries]
    counts = np.bincount(b, minlength=n_bags)
    width = max(int(counts.max()), 1)
    slot = np.arange(entries.size) - np.repeat(np.cumsum(counts) - counts, counts)
    table = np.zeros((n_bags, width), dtype=np.int64)   # row (entry) numbers; 0 = padding
    table[b, slot] = entries
    pad = np.full((n_bags, width), -np.inf)
    pad[b, slot] = 0.0
    table_rows = rows[xp.asarray(table)]                               # (bags, width, d)
    best = (table_rows + Tensor._wrap(xp.asarray(pad, dtype=weight.dtype)[..., None])).amax(1)
    full = Tensor._wrap(xp.asarray(counts > 0)[:, None])
    return where(full, best, 0.0)


class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embeddings. ``EmbeddingBag(num_embeddings,
    embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, mode="mean",
    sparse=False, _weight=None, include_last_offset=False, padding_idx=None)``; the
    weight starts as N(0, 1) (its ``padding_idx`` row zero), as PyTorch's."""

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None,
                 generator=None):
        super().__init__()
        self.num_embeddings = _positive_int("EmbeddingBag", "num_embeddings", num_embeddings)
        self.embedding_dim = _positive_int("EmbeddingBag", "embedding_dim", embedding_dim)
        if mode not in ("sum", "mean", "max"):
            raise ValueError("mode has to be one of sum, mean or max")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.mode, self.sparse = scale_grad_by_freq, mode, sparse
        self.include_last_offset, self.padding_idx = include_last_offset, padding_idx
        if _weight is not None:
            self.weight = Parameter(_weight.array if isinstance(_weight, Tensor) else _weight)
        else:
            w = Parameter(np.empty((num_embeddings, embedding_dim),
                                   dtype=np.dtype(dtype or np.float32)))
            self.weight = init.normal_(w, generator=generator)
            if padding_idx is not None:
                self.weight.array[padding_idx] = 0
        if device is not None:
            self.to(device)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse,
                             per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
