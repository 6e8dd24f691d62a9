"""Weight gradients kept factored: ∂ℓ/∂W = Σᵢ gᵢ xᵢᵀ, a sum of outer products.

A linear layer's weight gradient over a batch of k samples is Gᵀ X, with G (k, m)
the gradients of its outputs and X (k, n) its inputs, one outer product gᵢ xᵢᵀ
per sample. When k < min(m, n) (online SGD's k = 1, a batch of 128 against
512-wide layers) the factors are smaller than the matrix, and building the
matrix, then reading it back in the update, is memory traffic that plain SGD
need not pay: it applies W ← W − η Gᵀ X as one BLAS call (``ger`` for k = 1,
``gemm`` with β = 1 otherwise) that writes W once. So ``Linear.backward``
returns the gradient factored, the engine keeps it so as a leaf's ``.grad``
until someone reads it, and ``.grad.data`` builds the matrix at the first read.
"""
from .backend import array_module, gemm_tn, ger
from .tensor import Tensor


class Outer:
    """∂ℓ/∂W = Uᵀ V = Σᵢ uᵢ vᵢᵀ for W of shape (m, n), kept as U (k, m) and V (k, n).

    The arrays are the op's own (its saved input, the gradient flowing back):
    nothing else writes them, so they can wait for the optimiser."""

    __slots__ = ("u", "v")

    def __init__(self, u, v):
        self.u, self.v = u, v

    @property
    def shape(self):
        return self.u.shape[1:] + self.v.shape[1:]

    @property
    def dtype(self):
        return self.u.dtype

    def dense(self):
        """The matrix Uᵀ V."""
        return array_module(self.u).dot(self.u.T, self.v)

    def add_to(self, alpha, a):
        """a ← a + α Uᵀ V in place, in one pass over a (BLAS ger or gemm)."""
        if len(self.u) == 1:
            ger(alpha, self.u[0], self.v[0], a)
        else:
            gemm_tn(alpha, self.u, self.v, a)


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
