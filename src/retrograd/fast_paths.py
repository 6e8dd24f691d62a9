"""Fast paths: where retrograd trades a little generality for speed, in one place.

None of this is needed to understand backpropagation (``engine.py``,
``function.py`` and one op are): each path computes exactly what the plain code
computes, and is taken only when the plain code would give the same result.

1. **Weight gradients kept factored** (``Outer``, ``OuterGrad``, ``offer_outer``).
   A linear layer's weight gradient over a batch of k samples is Gᵀ X, with
   G (k, m) the gradients of its outputs and X (k, n) its inputs: one outer
   product gᵢ xᵢᵀ per sample. When k < min(m, n) (online SGD's k = 1, a batch of
   128 against 512-wide layers) the factors are smaller than the matrix, and
   building the matrix, then reading it back in the update, is memory traffic that
   plain SGD need not pay: it applies W ← W − η Gᵀ X as one BLAS call (``ger`` for
   k = 1, ``gemm`` with β = 1 otherwise) that writes W once. The layer's op
   (``ops.matmul.Linear``/``Affine``) offers its factors here instead of returning
   the matrix to the engine; they are taken only for a leaf weight that
   ``backward()`` accumulates into ``.grad`` (not ``autodiff.grad``), that has no
   hooks, outside anomaly detection. The weight's ``.grad`` is then an
   ``OuterGrad``: any read of its ``data`` builds the matrix (and keeps it), so it
   behaves as any gradient; plain SGD reads the factors instead.
   Measured (docs/performance.md, issue 7): online SGD 2.3× PyTorch's speed and the
   MNIST MLP (batch 128) 1.13× on this machine; without it the weight update costs
   one more pass over every weight matrix per step.

2. **Plain SGD's step** (``sgd_step``). Without momentum, weight decay, a closure
   or the non-finite check, a step is θ ← θ − η g for each parameter: a loop with
   nothing else in it (online SGD's step is a few BLAS calls and this loop), which
   applies factored gradients without building them. It is ``SGD._update`` with
   momentum and weight decay at zero, written out: calling ``_update`` for each
   parameter cost logreg's step 6 µs of its 160 (benchmarks/compare_trees.py).

The third fast path, ``nn.Sequential`` running runs of layers as one graph node,
is an op of its own: ``ops/chain.py``.
"""
from .backend import array_module, axpy, gemm_tn, ger
from .function import mark_modified, now, state
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


class OuterGrad(Tensor):
    """A leaf's ``.grad`` holding an ``Outer``: its ``array``, the matrix, is built at
    the first read (and kept), so ``.grad`` behaves as any gradient; plain SGD
    checks ``factored`` and reads ``outer`` instead."""

    def __init__(self, outer):
        self.outer, self._dense = outer, None

    @property
    def array(self):
        if self._dense is None:
            self._dense = self.outer.dense()
        return self._dense

    @array.setter
    def array(self, value):
        self._dense = value

    @property
    def factored(self):
        """True while nobody has read (or replaced) the matrix."""
        return self._dense is None


def low_rank(k, w):
    """Is Σ over k samples of an outer product better kept factored? When its rank k
    is below both sides of W, the factors are smaller than the matrix."""
    return k < w.shape[0] and k < w.shape[1]


def offer_outer(weight, u, v):
    """Take ∂ℓ/∂W = Uᵀ V into ``weight.grad`` as factors and return True, or return
    False: the op then returns the matrix to the engine as usual.

    Taken only where the engine would have added the matrix to ``weight.grad``
    untouched: during ``backward()`` (not ``autodiff.grad``, which returns
    gradients), for a leaf without hooks, outside anomaly detection, in the
    weight's own dtype. A second gradient (no ``zero_grad`` between two backward
    passes) is added to the matrix in one pass."""
    if not state.backward_into_grad or state.anomaly or weight._op is not None or \
            weight._hooks or u.dtype != weight.array.dtype:
        return False
    outer = Outer(u, v)
    if weight.grad is None:
        weight.grad = OuterGrad(outer)   # built only if someone reads it
    else:
        outer.add_to(1, weight.grad.array)   # .grad += Uᵀ V, in one pass
    return True


def sgd_step(opt):
    """Plain SGD's step, θ ← θ − η g (see the module docstring); returns False, having
    done nothing, when the optimiser needs its general step."""
    if opt.skip_nonfinite or any(g["momentum"] or g["weight_decay"]
                                 for g in opt.param_groups):
        return False
    opt.last_step_skipped = False
    states, when = opt.state, now()
    for group in opt.param_groups:
        alpha = -group["lr"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if p not in states:
                states[p] = {}
            if g.__class__ is OuterGrad and g.factored:
                g.outer.add_to(alpha, p.array)   # θ ← θ − η Uᵀ V, one pass over θ
            else:
                axpy(alpha, g.array, p.array)    # θ ← θ − η g: SGD._update without its
            mark_modified(p, when)               # momentum and decay (zero here)
    return True
