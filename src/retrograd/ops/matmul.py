"""The matrix product and the fused affine map of a layer, s = xW + b."""
from ..backend import array_module
from ..factored import Outer
from ..function import Function
from .operand import lift, pair


def _swap(a):
    return a.swapaxes(-1, -2)


def _factors(x, p):
    """The input rows ``x`` as a factor of the weight gradient, which lives until the
    optimiser reads it: copied, since the caller may overwrite its data before then,
    unless ``x`` is known to be the graph's own (a layer inside a ``Chain``)."""
    return x if getattr(p, "owned", False) else x.copy()


def _low_rank(k, w):
    """Is Σ over k samples of an outer product better kept factored? When its rank k
    is below both sides of W, the factors are smaller than the matrix."""
    return k < w.shape[0] and k < w.shape[1]


def _batch_sum(gy):
    """∂ℓ/∂b = Σ over every row of ∂ℓ/∂s; a single row is copied rather than
    summed (a reduction costs ~2 µs of NumPy's Python-level dispatch)."""
    g2 = gy.reshape(-1, gy.shape[-1])
    return g2[0].copy() if len(g2) == 1 else g2.sum(axis=0)


class MatMul(Function):
    """Y = A @ B (NumPy's matmul: 1-D operands, batched leading axes);
    ∂ℓ/∂A = ∂ℓ/∂Y @ Bᵀ,  ∂ℓ/∂B = Aᵀ @ ∂ℓ/∂Y."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs operands with at least one dimension; "
                             "use * for a scalar product")
        ka, kb = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
        if ka != kb:
            raise ValueError(f"shapes {a.shape} @ {b.shape}: inner dimensions "
                             f"{ka} and {kb} differ")
        self.a, self.b = a, b
        return a @ b

    def backward(self, gy):
        a, b = self.a, self.b
        # Treat 1-D operands as a row (a) or a column (b) matrix, then drop that axis.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            gy = gy[..., None, :] if b.ndim > 1 else gy[..., None]
        if b.ndim == 1:
            gy = gy[..., None]
        ga = gb = None
        if self.parents[0].requires_grad:
            ga = gy @ _swap(b2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if self.parents[1].requires_grad:
            gb = _swap(a2) @ gy
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb

    def jvp(self, da, db):
        return da @ self.b + self.a @ db


class Linear(Function):
    """The affine map of a layer, fused: s = x Wᵀ + b  (W of shape (out, in)).

    ∂ℓ/∂x = ∂ℓ/∂s W,  ∂ℓ/∂W = (∂ℓ/∂s)ᵀ x,  ∂ℓ/∂b = Σ_batch ∂ℓ/∂s.
    One node instead of three (matmul, transpose, add) and no transposed copy."""

    def forward(self, x, w, b=None):
        if x.shape[-1] != w.shape[1]:
            raise ValueError(f"input of shape {x.shape} has {x.shape[-1]} features, "
                             f"the weight of shape {w.shape} expects {w.shape[1]}")
        self.x, self.w = x, w
        s = x @ w.T
        if b is not None:
            s += b
        return s

    def backward(self, gy):
        p = self.parents
        gx = gy @ self.w if p[0].requires_grad else None
        gw = gb = None
        if p[1].requires_grad:
            x, g2 = self.x, gy
            if x.ndim != 2:
                x, g2 = x.reshape(-1, x.shape[-1]), gy.reshape(-1, gy.shape[-1])
            if _low_rank(len(x), self.w):
                # ∂ℓ/∂W = Σᵢ gᵢ xᵢᵀ = Gᵀ X, left factored (factored.py); the gradient
                # arrays handed to backward are the engine's own.
                gw = Outer(g2, _factors(x, p[0]))
            else:
                gw = array_module(x).dot(g2.T, x)
        if len(p) == 3 and p[2].requires_grad:
            gb = _batch_sum(gy)
        return gx, gw, gb

    def jvp(self, dx, dw, db=None):
        ds = dx @ self.w.T + self.x @ dw.T
        return ds if db is None else ds + db


class Affine(Function):
    """The course's perceptron layout, fused: s = xW + b  (W of shape (in, out),
    the Keras kernel).  ∂ℓ/∂x = ∂ℓ/∂s Wᵀ,  ∂ℓ/∂W = xᵀ ∂ℓ/∂s,  ∂ℓ/∂b = Σ_batch ∂ℓ/∂s."""

    def forward(self, x, w, b=None):
        if x.shape[-1] != w.shape[0]:
            raise ValueError(f"input of shape {x.shape} has {x.shape[-1]} features, "
                             f"the kernel of shape {w.shape} expects {w.shape[0]}")
        self.x, self.w = x, w
        s = x @ w
        if b is not None:
            s += b
        return s

    def backward(self, gy):
        p = self.parents
        gx = gy @ self.w.T if p[0].requires_grad else None
        gw = gb = None
        if p[1].requires_grad:
            x, g2 = self.x, gy
            if x.ndim != 2:
                x, g2 = x.reshape(-1, x.shape[-1]), gy.reshape(-1, gy.shape[-1])
            if _low_rank(len(x), self.w):   # Xᵀ G, left factored as in Linear
                gw = Outer(_factors(x, p[0]), g2)
            else:
                gw = x.T.dot(g2)
        if len(p) == 3 and p[2].requires_grad:
            gb = _batch_sum(gy)
        return gx, gw, gb

    def jvp(self, dx, dw, db=None):
        ds = dx @ self.w + self.x @ dw
        return ds if db is None else ds + db


def affine(x, kernel, bias=None):
    """s = xW + b with the kernel W of shape (in, out), as ``nn.Dense``."""
    kernel = lift(kernel, x, "affine")  # one device: a clear error, not the array library's
    if bias is None:
        return Affine().apply(x, kernel)
    return Affine().apply(x, kernel, bias)


def matmul(a, b):
    """Matrix product a @ b (batched, with 1-D operands as in NumPy)."""
    return MatMul().apply(*pair(a, b, "matmul"))


def linear(x, weight, bias=None):
    """s = x Wᵀ + b, the affine map of ``nn.Linear`` (weight of shape (out, in))."""
    weight = lift(weight, x, "linear")  # one device, one float dtype
    if bias is None:
        return Linear().apply(x, weight)
    return Linear().apply(x, weight, lift(bias, x, "linear"))
