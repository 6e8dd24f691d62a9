"""``Embedding``: a learned vector per token, looked up by integer index."""
import numpy as np

from ..ops.embedding import _padding, embedding
from . import init
from .module import Module
from .parameter import Parameter


class Embedding(Module):
    """A table W (num_embeddings, embedding_dim) of learned vectors: y = W[i] for
    integer indices i of any shape → i.shape + (embedding_dim,). W starts as N(0, 1)
    (PyTorch's initialisation), the ``padding_idx`` row as zeros, and that row gets no
    gradient. ``max_norm``: rows used are renormalised in place to at most that norm.

    >>> emb = Embedding(10_000, 64); y = emb(tokens)      # tokens (N, T) → (N, T, 64)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None, generator=None):
        super().__init__()
        for name, v in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {v!r}")
        n = int(num_embeddings)
        padding_idx = _padding(padding_idx, n, "Embedding")
        self.num_embeddings, self.embedding_dim = n, int(embedding_dim)
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = bool(scale_grad_by_freq), bool(sparse)
        shape = (n, self.embedding_dim)
        if _weight is None:
            w = init.normal_(Parameter(np.empty(shape, dtype=dtype or np.float32)),
                             generator=generator).array
            if padding_idx is not None:
                w[padding_idx] = 0
        else:
            w = np.asarray(_weight.numpy() if hasattr(_weight, "numpy") else _weight)
            if w.shape != shape:
                raise ValueError(f"Embedding: _weight of shape {w.shape} does not match "
                                 f"(num_embeddings, embedding_dim) = {shape}")
            w = w.astype(dtype or w.dtype, copy=True)
        self.weight = Parameter(w, requires_grad=not _freeze)
        if device is not None:
            self.to(device)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding holding a copy of ``embeddings`` (a 2-D tensor or array);
        ``freeze``: the table is not trained (requires_grad False)."""
        shape = tuple(np.shape(embeddings.numpy() if hasattr(embeddings, "numpy")
                               else embeddings))
        if len(shape) != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D "
                             f"(num_embeddings, embedding_dim), got shape {shape}")
        device = getattr(embeddings, "device", None)
        device = device if isinstance(device, str) else None
        return cls(shape[0], shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   sparse, _weight=embeddings, _freeze=freeze, device=device)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s
