"""Rank-one gradients: online SGD's weight gradients, kept as two vectors.

At batch size one a linear layer's weight gradient is an outer product u vᵀ:
m·n numbers that carry only m + n. Materialising it and reading it back in the
update is what bounds online SGD (memory traffic), so ``Linear.backward``
returns it factored, the engine keeps it so as a leaf's ``.grad`` until someone
reads it, and plain SGD applies θ ← θ − η u vᵀ as one BLAS ``ger`` pass.
"""
from .backend import array_module
from .tensor import Tensor

class Outer:
    """A rank-one gradient ∂ℓ/∂W = u vᵀ (W: (m, n)), kept as its factors u (m,), v (n,).

    At batch size one a linear layer's weight gradient is an outer product:
    m·n numbers that carry only m + n. ``Linear.backward`` returns it factored;
    the engine builds the matrix (``dense``) wherever an array is needed, and
    otherwise stores it as the leaf's ``.grad`` (an ``OuterGrad``) still factored.
    SGD then applies θ ← θ − η u vᵀ in one pass over θ (BLAS ger), instead of
    writing the matrix and reading it back: online SGD is bound by that traffic."""

    __slots__ = ("u", "v")

    def __init__(self, u, v):
        self.u, self.v = u, v

    @property
    def shape(self):
        return self.u.shape + self.v.shape

    @property
    def dtype(self):
        return self.u.dtype

    def dense(self):
        """The matrix u vᵀ (dot, not matmul: matmul's outer product is ~10× slower)."""
        return array_module(self.u).dot(self.u[:, None], self.v[None, :])


def dense(g):
    """A gradient as an array (an ``Outer`` is built; an array is returned as is)."""
    return g.dense() if g.__class__ is Outer else g


class OuterGrad(Tensor):
    """A leaf's ``.grad`` holding an ``Outer``: its ``data``, the matrix, is built at
    the first read (and kept), so ``.grad`` behaves as any gradient; an optimiser
    that can use the factors checks ``factored`` and reads ``outer`` instead."""

    def __init__(self, outer):
        self.outer, self._dense = outer, None

    @property
    def data(self):
        if self._dense is None:
            self._dense = self.outer.dense()
        return self._dense

    @data.setter
    def data(self, value):
        self._dense = value

    @property
    def factored(self):
        """True while nobody has read (or replaced) the matrix."""
        return self._dense is None
