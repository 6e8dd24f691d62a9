"""The matrix product and the fused affine map of a layer, s = xW + b."""
from .. import fast_paths
from ..backend import array_module
from ..function import Function
from .operand import lift, pair


def _swap(a):
    return a.swapaxes(-1, -2)


def _batch_sum(gy):
    """∂ℓ/∂b = Σ over every row of ∂ℓ/∂s; a single row is copied rather than
    summed (a reduction costs ~2 µs of NumPy's Python-level dispatch)."""
    g2 = gy.reshape(-1, gy.shape[-1])
    return g2[0].copy() if len(g2) == 1 else g2.sum(axis=0)


class MatMul(Function):
    """Y = A @ B (NumPy's matmul: 1-D operands, batched leading axes);
    ∂ℓ/∂A = ∂ℓ/∂Y @ Bᵀ,  ∂ℓ/∂B = Aᵀ @ ∂ℓ/∂Y."""

    fresh_grads = True

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
        if self.needs_input_grad[0]:
            ga = gy @ _swap(b2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if self.needs_input_grad[1]:
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

    # True when nothing outside the graph can write the input array (inside a
    # Chain, the output of the layer before): it may then be kept without a copy.
    input_owned = False
    fresh_grads = True   # products and sums: new arrays (Function.fresh_grads)

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
        needs = self.needs_input_grad
        gx = gy @ self.w if needs[0] else None
        gw = gb = None
        if needs[1]:
            x, g2 = _rows(self.x), _rows(gy)
            if not (fast_paths.low_rank(len(x), self.w) and fast_paths.offer_outer(
                    self.parents[1], g2, _kept(x, self.input_owned))):
                gw = array_module(x).dot(g2.T, x)
        if len(needs) == 3 and needs[2]:
            gb = _batch_sum(gy)
        return gx, gw, gb

    def jvp(self, dx, dw, db=None):
        ds = dx @ self.w.T + self.x @ dw.T
        return ds if db is None else ds + db


class Affine(Function):
    """The course's perceptron layout, fused: s = xW + b  (W of shape (in, out),
    the Keras kernel).  ∂ℓ/∂x = ∂ℓ/∂s Wᵀ,  ∂ℓ/∂W = xᵀ ∂ℓ/∂s,  ∂ℓ/∂b = Σ_batch ∂ℓ/∂s."""

    input_owned = False   # as in Linear
    fresh_grads = True

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
        needs = self.needs_input_grad
        gx = gy @ self.w.T if needs[0] else None
        gw = gb = None
        if needs[1]:
            x, g2 = _rows(self.x), _rows(gy)
            if not (fast_paths.low_rank(len(x), self.w) and fast_paths.offer_outer(
                    self.parents[1], _kept(x, self.input_owned), g2)):
                gw = x.T.dot(g2)
        if len(needs) == 3 and needs[2]:
            gb = _batch_sum(gy)
        return gx, gw, gb

    def jvp(self, dx, dw, db=None):
        ds = dx @ self.w + self.x @ dw
        return ds if db is None else ds + db


def _rows(a):
    """A batch of any rank as rows: (…, n) → (k, n)."""
    return a if a.ndim == 2 else a.reshape(-1, a.shape[-1])


def _kept(x, owned):
    """The input rows as a factor of a weight gradient kept factored (fast_paths.py),
    which lives until the optimiser reads it: copied, since the caller may overwrite
    its data before then, unless the op owns them."""
    return x if owned else x.copy()


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
