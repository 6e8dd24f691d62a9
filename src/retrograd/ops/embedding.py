"""Embeddings: a lookup table W (num_embeddings, dim) read at integer indices.

y[…] = W[i[…]] is a one-hot vector times W, so ∂ℓ/∂W is zero except on the rows used,
where the gradients of every position holding that index add up (a scatter-add):
∂ℓ/∂W_k = Σ_{p : i_p = k} ∂ℓ/∂y_p.
"""
from ..backend import array_module
from ..function import Function, mark_modified, no_grad
from ..missing import NotSupportedError
from ..tensor import Tensor


class EmbeddingLookup(Function):
    """y = W[i];  ∂ℓ/∂W = scatter-add of ∂ℓ/∂y onto the rows i (repeated indices add
    up). The ``padding_idx`` row gets no gradient; ``scale`` (per position, or None)
    divides each position's gradient by its index's count in the batch
    (``scale_grad_by_freq``)."""

    def __init__(self, indices, padding_idx=None, scale=None):
        self.indices, self.padding_idx, self.scale = indices, padding_idx, scale

    def forward(self, w):
        self.w_shape = w.shape
        return w[self.indices]

    def backward(self, gy):
        xp = array_module(gy)
        d = self.w_shape[1]
        g = gy.reshape(-1, d)
        if self.scale is not None:
            g = g * self.scale.reshape(-1, 1)
        gw = xp.zeros(self.w_shape, dtype=gy.dtype)
        xp.add.at(gw, self.indices.reshape(-1), g)
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw

    def jvp(self, dw):
        return dw[self.indices]


def _index_array(input, weight, name):
    """The indices as an integer array on the weight's device, checked to lie in
    [0, num_embeddings)."""
    a = input.array if isinstance(input, Tensor) else input
    xp = array_module(weight.array)
    a = xp.asarray(a)
    if a.dtype.kind not in "iu":        # RuntimeError: PyTorch's type for both
        raise RuntimeError(f"{name}: indices must be integers (int32 or int64), got a tensor of "
                        f"dtype {a.dtype} and shape {tuple(a.shape)}; convert it with .long()")
    n = weight.shape[0]
    if a.size:
        lo, hi = int(a.min()), int(a.max())
        if lo < 0 or hi >= n:
            raise IndexError(f"{name}: index out of range: indices must lie in [0, {n}) for "
                             f"a table of {n} embeddings, got values from {lo} to {hi}")
    return a


def _padding(padding_idx, n, name):
    if padding_idx is None:
        return None
    if not -n <= padding_idx < n:
        raise ValueError(f"{name}: padding_idx must be within num_embeddings: it must lie in "
                         f"[-{n}, {n}), got padding_idx={padding_idx}")
    return int(padding_idx) % n


def renorm_rows_(weight, indices, max_norm, norm_type=2.0):
    """Rescale, in place and outside the graph, the rows of ``weight`` used by
    ``indices`` whose ``norm_type``-norm exceeds ``max_norm`` to norm max_norm (as
    PyTorch: factor max_norm / (norm + 1e-7))."""
    xp = array_module(weight.array)
    rows = xp.unique(indices.reshape(-1))
    with no_grad():
        w = weight.array
        sel = w[rows]
        norms = (xp.abs(sel) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        big = norms > max_norm
        scale = xp.where(big, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        w[rows] = sel * scale[:, None]
    mark_modified(weight)   # an op that saved the table before now refuses to use it


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) at the integer ``input`` (any shape):
    output shape input.shape + (dim,). The ``padding_idx`` row gets no gradient;
    ``max_norm`` renormalises the rows used, in place, before the lookup (as PyTorch);
    ``scale_grad_by_freq`` divides each gradient by its index's count in the batch.

    >>> emb = embedding(tokens, W)          # tokens (N, T) → (N, T, dim)
    """
    name = "embedding"
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise RuntimeError(f"{name}: weight must be a 2-D tensor (num_embeddings, "
                         f"embedding_dim), got "
                         f"{tuple(weight.shape) if isinstance(weight, Tensor) else type(weight)}")
    if sparse:
        raise NotSupportedError(f"{name}: sparse=True (sparse gradients) is not supported: "
                                "retrograd's gradients are dense arrays; use sparse=False")
    if isinstance(input, Tensor) and input.device != weight.device:
        raise RuntimeError(f"{name}: indices are on {input.device} but weight is on "
                           f"{weight.device}; move one with .to()")
    n = weight.shape[0]
    pad = _padding(padding_idx, n, name)
    idx = _index_array(input, weight, name)
    if max_norm is not None:
        renorm_rows_(weight, idx, float(max_norm), float(norm_type))
    scale = None
    if scale_grad_by_freq and idx.size:
        xp = array_module(idx)
        counts = xp.bincount(idx.reshape(-1), minlength=n)
        scale = xp.reciprocal(counts[idx.reshape(-1)], dtype=weight.dtype)   # no float64
    return EmbeddingLookup(idx, pad, scale).apply(weight)

