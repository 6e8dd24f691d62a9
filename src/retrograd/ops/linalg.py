"""Linear algebra as differentiable ops: inverse, determinant, solve, Cholesky,
symmetric eigendecomposition, SVD, QR, LU and the vector norm.

Every op works on batches of matrices (the last two axes; leading axes are the batch,
as in PyTorch) and runs NumPy's or CuPy's ``linalg`` on the data's array module. The
gradients are the standard matrix-calculus ones (real matrices, G = ∂ℓ/∂output,
Aᵀ the transpose of the last two axes), the formulas PyTorch's own backward uses:

    Y = A⁻¹          ∂ℓ/∂A = −A⁻ᵀ G A⁻ᵀ                 Ẏ = −A⁻¹ Ȧ A⁻¹
    y = det A        ∂ℓ/∂A = g · adj(A)ᵀ  (= g det A · A⁻ᵀ)   ẏ = tr(adj(A) Ȧ)
    y = log|det A|   ∂ℓ/∂A = g · A⁻ᵀ                     ẏ = tr(A⁻¹ Ȧ)
    X = A⁻¹B         ∂ℓ/∂B = A⁻ᵀ G,  ∂ℓ/∂A = −(∂ℓ/∂B) Xᵀ  Ẋ = A⁻¹(Ḃ − Ȧ X)

and, for the factorisations, the formulas written on each class. A decomposition with
several outputs (eigh → w, V; svd → U, S, Vh; qr → Q, R; lu → LU or L, U) is computed
once and each output is its own op on A, so the engine adds up the parts of ∂ℓ/∂A that
come through each output (the backward formulas are linear in the outputs' gradients).

A singular or non-positive-definite input raises ``LinAlgError`` (a ``RuntimeError``,
as ``torch.linalg.LinAlgError``) naming the op and the batch element.
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..missing import NotSupportedError


class LinAlgError(RuntimeError):
    """A matrix the op cannot handle: singular (inv, solve) or not positive-definite
    (cholesky). A ``RuntimeError``, as PyTorch's ``torch.linalg.LinAlgError``."""


def _T(a):
    return a.swapaxes(-1, -2)


def _sym(a):
    return (a + _T(a)) / 2


def _diag_embed(v):
    """(…, n) → (…, n, n) with v on the diagonal."""
    xp = array_module(v)
    out = xp.zeros(v.shape + v.shape[-1:], dtype=v.dtype)
    n = v.shape[-1]
    out[..., xp.arange(n), xp.arange(n)] = v
    return out


def _diagonal(a):
    return a.diagonal(axis1=-2, axis2=-1)


def _batch(a, b=None):
    """The matrices of ``a`` (and ``b``) as flat lists over the batch."""
    flat = a.reshape((-1,) + a.shape[-2:])
    if b is None:
        return [(m,) for m in flat]
    return list(zip(flat, b.reshape((-1,) + b.shape[-2:])))


def _where(a, i):
    return f"(Batch element {i}): " if a.ndim > 2 else ""


def _run(fn, op, what, a, b=None):
    """``fn(a[, b])``, NumPy's/CuPy's routine; a failure (NumPy raises, CuPy returns
    NaN/Inf) becomes ``LinAlgError(f"{op}: (Batch element i): {what}")``."""
    xp = array_module(a)
    args = (a,) if b is None else (a, b)
    try:
        out = fn(*args)
        bad = xp is not np and not bool(xp.isfinite(out).all()) and \
            all(bool(xp.isfinite(x).all()) for x in args)
    except np.linalg.LinAlgError:
        bad = True
    if not bad:
        return out
    for i, pair in enumerate(_batch(a, b)):   # the first matrix that fails
        try:
            r = fn(*pair)
            if xp is np or bool(xp.isfinite(r).all()):
                continue
        except np.linalg.LinAlgError:
            pass
        raise LinAlgError(f"{op}: {_where(a, i)}{what(pair[0]) if callable(what) else what}")
    raise LinAlgError(f"{op}: {what if isinstance(what, str) else 'failed'}")


_SINGULAR = ("the input matrix is singular, the inversion could not be completed "
             "(its determinant is 0)")


class Inv(Function):
    """Y = A⁻¹;  ∂ℓ/∂A = −A⁻ᵀ G A⁻ᵀ;  Ẏ = −A⁻¹ Ȧ A⁻¹."""

    def forward(self, a):
        self.y = _run(array_module(a).linalg.inv, "linalg.inv", _SINGULAR, a)
        return self.y

    def backward(self, g):
        yt = _T(self.y)
        return -(yt @ g @ yt)

    def jvp(self, da):
        return -(self.y @ da @ self.y)


class Pinv(Function):
    """P = A⁺, given (computed by ``linalg.pinv`` from the SVD or eigh, its small σ
    cut). PyTorch's derivative of the pseudo-inverse at constant rank, defined at
    rank-deficient A too (where the SVD's backward divides 0 by 0):

        Ṗ = −P Ȧ P + P Pᵀ Ȧᵀ (I − A P) + (I − P A) Ȧᵀ Pᵀ P,
        ∂ℓ/∂A = −Pᵀ G Pᵀ + (I − A P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I − P A)."""

    def __init__(self, p):
        self.p = p

    def forward(self, a):
        self.a = a
        return self.p

    def backward(self, g):
        p, a, gt = self.p, self.a, _T(g)
        left = gt @ p @ _T(p)                      # Gᵀ P Pᵀ          (m × n)
        right = _T(p) @ p @ gt                     # Pᵀ P Gᵀ          (m × n)
        return -(_T(p) @ g @ _T(p)) + left - a @ (p @ left) + right - (right @ p) @ a

    def jvp(self, da):
        p, a, dat = self.p, self.a, _T(da)
        left = p @ _T(p) @ dat                     # P Pᵀ Ȧᵀ          (n × m)
        right = dat @ _T(p) @ p                    # Ȧᵀ Pᵀ P          (n × m)
        return -(p @ da @ p) + left - (left @ a) @ p + right - p @ (a @ right)


def adjugate(a):
    """adj(A), with adj(A) = det(A)·A⁻¹ where A is invertible and continuous where it
    is not: from A = U Σ Vᵀ, adj(A) = det(U)det(V) · V diag(Πⱼ≠ᵢ sⱼ) Uᵀ (the products
    of all singular values but one, taken without dividing by a zero one)."""
    xp = array_module(a)
    u, s, vh = xp.linalg.svd(a)
    ones = xp.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    before = xp.cumprod(xp.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = xp.cumprod(xp.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    return sign[..., None, None] * ((_T(vh) * (before * after)[..., None, :]) @ _T(u))


class Det(Function):
    """y = det A;  ∂ℓ/∂A = g · adj(A)ᵀ (= g det(A) A⁻ᵀ);  ẏ = tr(adj(A) Ȧ).

    adj(A)ᵀ is the derivative at a singular A too (rank n − 1: not 0), where PyTorch's
    det(A)·A⁻ᵀ gives 0; elsewhere both agree."""

    def forward(self, a):
        self.a = a
        return array_module(a).linalg.det(a)

    def backward(self, g):
        return g[..., None, None] * _T(adjugate(self.a))

    def jvp(self, da):
        return (_T(adjugate(self.a)) * da).sum(axis=(-2, -1))


class LogAbsDet(Function):
    """y = log|det A| (slogdet's second output);  ∂ℓ/∂A = g A⁻ᵀ;  ẏ = tr(A⁻¹ Ȧ)."""

    def forward(self, a):
        self.a = a
        self.sign, y = array_module(a).linalg.slogdet(a)
        return y

    def _inv(self):
        return array_module(self.a).linalg.inv(self.a)

    def backward(self, g):
        return g[..., None, None] * _T(self._inv())

    def jvp(self, da):
        return (_T(self._inv()) * da).sum(axis=(-2, -1))


class Solve(Function):
    """X = A⁻¹B for B of shape (…, n, k) (batch axes broadcast);
    ∂ℓ/∂B = A⁻ᵀ G,  ∂ℓ/∂A = −(∂ℓ/∂B) Xᵀ;  Ẋ = A⁻¹(Ḃ − Ȧ X)."""

    def forward(self, a, b):
        xp = array_module(a)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        self.a = a
        self.x = _run(xp.linalg.solve, "linalg.solve",
                      "The solver failed because the input matrix is singular.", a, b)
        return self.x

    def backward(self, g):
        gb = array_module(g).linalg.solve(_T(self.a), g)
        ga = -(gb @ _T(self.x)) if self.needs_input_grad[0] else None
        return ga, gb

    def jvp(self, da, db):
        return array_module(da).linalg.solve(self.a, db - da @ self.x)


def not_pd_order(a):
    """The order of the first leading minor of the matrix ``a`` that is not
    positive-definite (0 if ``a`` is positive-definite)."""
    xp = array_module(a)
    for k in range(1, a.shape[-1] + 1):
        try:
            r = xp.linalg.cholesky(a[:k, :k])
            if xp is np or bool(xp.isfinite(r).all()):
                continue
        except np.linalg.LinAlgError:
            pass
        return k
    return 0


def _not_pd(a):
    """PyTorch's message for a matrix that is not positive-definite."""
    return ("The factorization could not be completed because the input is not "
            f"positive-definite (the leading minor of order {not_pd_order(a)} is not "
            "positive-definite).")


def _phi(x):
    """The lower triangle of x with its diagonal halved."""
    xp = array_module(x)
    y = xp.tril(x)
    n = x.shape[-1]
    y[..., xp.arange(n), xp.arange(n)] *= 0.5
    return y


class Cholesky(Function):
    """L with A = L Lᵀ, L lower triangular (A's lower triangle is read);
    ∂ℓ/∂A = sym(L⁻ᵀ Φ(Lᵀ G) L⁻¹), Φ = lower triangle with the diagonal halved,
    sym(X) = (X + Xᵀ)/2;  L̇ = L Φ(L⁻¹ sym(Ȧ) L⁻ᵀ)."""

    def forward(self, a):
        self.l = _run(array_module(a).linalg.cholesky, "linalg.cholesky", _not_pd, a)
        return self.l

    def _linv(self):
        xp = array_module(self.l)
        return xp.linalg.inv(self.l)

    def backward(self, g):
        li = self._linv()
        return _sym(_T(li) @ _phi(_T(self.l) @ g) @ li)

    def jvp(self, da):
        li = self._linv()
        return self.l @ _phi(li @ _sym(da) @ _T(li))


def _gaps(w):
    """E with Eᵢⱼ = wⱼ − wᵢ, and 1 on the diagonal (never divided by there)."""
    e = w[..., None, :] - w[..., :, None]
    n = w.shape[-1]
    xp = array_module(w)
    e[..., xp.arange(n), xp.arange(n)] = 1
    return e


def _zero_diag(m):
    n = m.shape[-1]
    xp = array_module(m)
    m = m.copy()
    m[..., xp.arange(n), xp.arange(n)] = 0
    return m


class EighPart(Function):
    """One output of A = V diag(w) Vᵀ (A symmetric): ``part`` 0 the eigenvalues w,
    1 the eigenvectors V (computed once, by ``eigh``, for both).

    ∂ℓ/∂A = V (diag(ḡw) + skew(Vᵀ G_V) / E) Vᵀ,  Eᵢⱼ = wⱼ − wᵢ, skew(X) = (X − Xᵀ)/2
    (with distinct eigenvalues; PyTorch's formula, which reads A as the whole
    symmetric matrix);  with M = Vᵀ sym(Ȧ) V:  ẇ = diag(M),  V̇ = V (M / E, diagonal 0)."""

    def __init__(self, w, v, part):
        self.w, self.v, self.part = w, v, part

    def forward(self, a):
        return self.w if self.part == 0 else self.v

    def backward(self, g):
        v = self.v
        if self.part == 0:
            return (v * g[..., None, :]) @ _T(v)
        x = _T(v) @ g
        return v @ (_zero_diag((x - _T(x)) / 2) / _gaps(self.w)) @ _T(v)

    def jvp(self, da):
        v = self.v
        m = _T(v) @ _sym(da) @ v
        if self.part == 0:
            return _diagonal(m).copy()
        return v @ (_zero_diag(m) / _gaps(self.w))


def eigh(a, uplo="L"):
    """(w, V) of symmetric matrices, ascending eigenvalues (differentiable)."""
    xp = array_module(a.array)
    w, v = xp.linalg.eigh(a.array, UPLO=uplo)
    return EighPart(w, v, 0).apply(a), EighPart(w, v, 1).apply(a)


class SvdPart(Function):
    """One output of A = U diag(S) Vh (U: m×k, Vh: k×n, k = min(m, n)): ``part`` 0 U,
    1 S, 2 Vh, computed once by ``svd``. PyTorch's backward (distinct singular values),
    with Eᵢⱼ = sⱼ² − sᵢ², skew(X) = X − Xᵀ, V = Vhᵀ:

        inner = (skew(Uᵀ G_U) S + S skew(Vᵀ G_V)) / E + diag(G_S)
        ∂ℓ/∂A = U inner Vh + (I − UUᵀ) G_U S⁻¹ Vh + U S⁻¹ G_Vᵀ (I − VVᵀ)

    forward mode, with P = Uᵀ Ȧ V, F = 1/E off the diagonal (0 on it):
        Ṡ = diag(P),  U̇ = U (F∘(P S + S Pᵀ)) + (I − UUᵀ) Ȧ V S⁻¹,
        V̇ = V (F∘(S P + Pᵀ S)) + (I − VVᵀ) Ȧᵀ U S⁻¹.
    With ``full_matrices`` and m ≠ n, the columns beyond k get no gradient (PyTorch's)
    and a zero tangent."""

    def __init__(self, u, s, vh, part):
        self.u, self.s, self.vh, self.part = u, s, vh, part

    def forward(self, a):
        return (self.u, self.s, self.vh)[self.part]

    def _reduced(self):
        k = self.s.shape[-1]
        return self.u[..., :, :k], self.s, self.vh[..., :k, :]

    def backward(self, g):
        u, s, vh = self._reduced()
        k = s.shape[-1]
        m, n = u.shape[-2], vh.shape[-1]
        if self.part == 1:
            return (u * g[..., None, :]) @ vh
        e = _gaps(s * s)
        if self.part == 0:
            g = g[..., :, :k]
            x = _T(u) @ g
            inner = ((x - _T(x)) * s[..., None, :]) / e
            ga = u @ inner @ vh
            if m > k:
                gs = g / s[..., None, :]
                ga = ga + (gs - u @ (_T(u) @ gs)) @ vh
            return ga
        v, gv = _T(vh), _T(g[..., :k, :])
        x = _T(v) @ gv
        inner = (s[..., :, None] * (x - _T(x))) / e
        ga = u @ inner @ vh
        if n > k:
            gs = gv / s[..., None, :]
            ga = ga + u @ _T(gs - v @ (_T(v) @ gs))
        return ga

    def jvp(self, da):
        # With full_matrices and m ≠ n, the columns beyond k (any orthonormal completion)
        # have no defined derivative: their tangent is given as 0.
        t = self._jvp(da)
        full = (self.u, self.s, self.vh)[self.part]
        if t.shape == full.shape:
            return t
        xp = array_module(t)
        out = xp.zeros(full.shape, dtype=t.dtype)
        out[tuple(slice(0, n) for n in t.shape)] = t
        return out

    def _jvp(self, da):
        u, s, vh = self._reduced()
        v = _T(vh)
        p = _T(u) @ da @ v
        if self.part == 1:
            return _diagonal(p).copy()
        f = _zero_diag(1 / _gaps(s * s))
        if self.part == 0:
            du = u @ (f * (p * s[..., None, :] + s[..., :, None] * _T(p)))
            return du + (da @ v - u @ (_T(u) @ da @ v)) / s[..., None, :]
        dv = v @ (f * (s[..., :, None] * p + _T(p) * s[..., None, :]))
        dat_u = _T(da) @ u
        dv = dv + (dat_u - v @ (_T(v) @ dat_u)) / s[..., None, :]
        return _T(dv)


def svd(a, full_matrices=True):
    """(U, S, Vh), each differentiable (see ``SvdPart``)."""
    xp = array_module(a.array)
    u, s, vh = xp.linalg.svd(a.array, full_matrices=full_matrices)
    return tuple(SvdPart(u, s, vh, i).apply(a) for i in range(3))


def svdvals(a):
    """The singular values S (descending), differentiable: ∂ℓ/∂A = U diag(G) Vh."""
    xp = array_module(a.array)
    u, s, vh = xp.linalg.svd(a.array, full_matrices=False)
    return SvdPart(u, s, vh, 1).apply(a)


def _copyltu(m):
    """The symmetric matrix whose lower triangle is m's."""
    low = array_module(m).tril(m, -1)
    return low + _T(low) + _diag_embed(_diagonal(m))


class QrPart(Function):
    """One output of A = QR (``part`` 0 Q, 1 R), computed once by ``qr``.

    m ≥ n (Q: m×n, R: n×n upper triangular), M = R G_Rᵀ − G_Qᵀ Q:
        ∂ℓ/∂A = (G_Q + Q copyltu(M)) R⁻ᵀ   (copyltu: the lower triangle mirrored)
    m < n, A = [X | Y], R = [U | V] with X = QU square:  ∂ℓ/∂Y = Q G_V, and ∂ℓ/∂X by
    the square formula with G_Q + Y G_Vᵀ in place of G_Q.
    Forward mode (m ≥ n): C = Qᵀ Ȧ R⁻¹, Ω = tril(C, −1) − tril(C, −1)ᵀ,
        Ṙ = (C − Ω) R,  Q̇ = Ȧ R⁻¹ − Q (C − Ω)."""

    def __init__(self, a, q, r, part):
        self.a, self.q, self.r, self.part = a, q, r, part

    def forward(self, a):
        return self.q if self.part == 0 else self.r

    def _check(self):
        m, n = self.a.shape[-2:]
        if self.q.shape[-1] != min(m, n):
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")

    def backward(self, g):
        self._check()
        xp = array_module(g)
        q, r, a = self.q, self.r, self.a
        m, n = a.shape[-2:]
        gq = g if self.part == 0 else xp.zeros_like(q)
        gr = g if self.part == 1 else xp.zeros_like(r)
        if m >= n:
            return _qr_square_grad(q, r, gq, gr)
        y = a[..., :, m:]
        gu, gv = gr[..., :, :m], gr[..., :, m:]
        gx = _qr_square_grad(q, r[..., :, :m], gq + y @ _T(gv), gu)
        return xp.concatenate([gx, q @ gv], axis=-1)

    def jvp(self, da):
        self._check()
        xp = array_module(da)
        q, r = self.q, self.r
        m, n = self.a.shape[-2:]
        if m >= n:
            dq, dr = _qr_square_jvp(q, r, da)
        else:
            dq, du = _qr_square_jvp(q, r[..., :, :m], da[..., :, :m])
            y, dy = self.a[..., :, m:], da[..., :, m:]
            dr = xp.concatenate([du, _T(dq) @ y + _T(q) @ dy], axis=-1)
        return dq if self.part == 0 else dr


def _qr_square_grad(q, r, gq, gr):
    m = r @ _T(gr) - _T(gq) @ q
    b = gq + q @ _copyltu(m)
    # B R⁻ᵀ: solve R Xᵀ = Bᵀ
    return _T(array_module(r).linalg.solve(r, _T(b)))


def _qr_square_jvp(q, r, da):
    xp = array_module(r)
    rinv = xp.linalg.inv(r)
    c = _T(q) @ da @ rinv
    low = xp.tril(c, -1)
    upper = c - (low - _T(low))
    return da @ rinv - q @ upper, upper @ r


def qr(a, mode="reduced"):
    """(Q, R) of A = QR, each differentiable (see ``QrPart``)."""
    xp = array_module(a.array)
    q, r = xp.linalg.qr(a.array, mode=mode)
    return QrPart(a.array, q, r, 0).apply(a), QrPart(a.array, q, r, 1).apply(a)


class VectorNorm(Function):
    """y = ‖x‖_p over ``axis`` (an int or a tuple): (Σ |xᵢ|^p)^{1/p};  p = ∞: max |xᵢ|,
    p = −∞: min |xᵢ|, p = 0: #{xᵢ ≠ 0}.

    ∂y/∂xᵢ = sign(xᵢ) |xᵢ|^{p−1} / y^{p−1}, 0 where y = 0 (PyTorch's subgradient, where
    √ would give 0/0) and where xᵢ = 0 (PyTorch's, for p < 1 too); p = ±∞ shares the gradient evenly among the tied extremes;
    p = 0 has none. Forward mode: ẏ = Σ (∂y/∂xᵢ) ẋᵢ."""

    fresh_grads = True

    def __init__(self, p, axis, keepdim=False):
        self.p, self.axis, self.keepdim = float(p), axis, keepdim

    def forward(self, x):
        xp = array_module(x)
        a, p, ax = xp.abs(x), self.p, self.axis
        if p == float("inf"):
            y = a.max(axis=ax, keepdims=True)
        elif p == -float("inf"):
            y = a.min(axis=ax, keepdims=True)
        elif p == 0:
            y = (a != 0).sum(axis=ax, keepdims=True).astype(a.dtype)
        elif p == 1:
            y = a.sum(axis=ax, keepdims=True)
        elif p == 2:
            y = xp.sqrt((a * a).sum(axis=ax, keepdims=True))
        else:
            y = (a ** p).sum(axis=ax, keepdims=True) ** (1 / p)
        self.x, self.y = x, y
        return y if self.keepdim else y.squeeze(ax)

    def _slope(self):
        xp = array_module(self.x)
        x, y, p = self.x, self.y, self.p
        if p == 0:
            return xp.zeros_like(x)
        if p in (float("inf"), -float("inf")):
            hit = (xp.abs(x) == y) & (y != 0)
            count = hit.sum(axis=self.axis, keepdims=True)
            return xp.sign(x) * hit / xp.maximum(count, 1)
        if p == 1:
            return xp.sign(x)
        safe = xp.where(y == 0, 1, y)
        if p == 2:
            return xp.where(y == 0, 0, x / safe)
        # p < 1: |xᵢ|^{p−1} is infinite at xᵢ = 0, where PyTorch's gradient is 0
        a = xp.abs(x)
        a_safe = xp.where(a == 0, 1, a)
        return xp.where((y == 0) | (a == 0), 0, xp.sign(x) * a_safe ** (p - 1) / safe ** (p - 1))

    def backward(self, g):
        if not self.keepdim:
            g = array_module(g).expand_dims(g, self.axis)
        return g * self._slope()

    def jvp(self, dx):
        return (self._slope() * dx).sum(axis=self.axis, keepdims=self.keepdim)


def lu_factor(a):
    """(LU, pivots, perm) of A = P L U by Gaussian elimination with partial pivoting
    (LAPACK's getrf, vectorised over the batch): LU packs L's strict lower triangle
    (its diagonal is 1) and U; pivots (int32, 1-based) says that row j was swapped with
    row pivots[j] − 1 at step j; perm the resulting order of A's rows (L U = A[perm])."""
    xp = array_module(a)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    lu = a.reshape((-1, m, n)).copy()
    perm = xp.broadcast_to(xp.arange(m), (lu.shape[0], m)).copy()
    piv = xp.zeros((lu.shape[0], k), dtype=np.int32)
    rows = xp.arange(lu.shape[0])
    for j in range(k):
        p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=-1)
        piv[:, j] = p + 1
        for arr in (lu, perm):           # swap rows j and p, matrix by matrix
            top = arr[rows, j].copy()
            arr[rows, j] = arr[rows, p]
            arr[rows, p] = top
        pivot = lu[:, j, j]
        safe = xp.where(pivot == 0, 1, pivot)   # a zero pivot: column left as is
        lu[:, j + 1:, j] = xp.where((pivot == 0)[:, None], lu[:, j + 1:, j],
                                    lu[:, j + 1:, j] / safe[:, None])
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    return (lu.reshape(batch + (m, n)), piv.reshape(batch + (k,)),
            perm.reshape(batch + (m,)))


def permutation(perm, dtype):
    """P with P[perm[i], i] = 1, so that A = P L U when L U = A[perm]."""
    xp = array_module(perm)
    m = perm.shape[-1]
    return (perm[..., :, None] == xp.arange(m)).swapaxes(-1, -2).astype(dtype)


class LuPart(Function):
    """One output of A = P L U (square A), computed once by ``lu_factor``: ``part`` 0
    the packed LU (L − I + U), 1 L, 2 U.  With G_L (strict lower part) and G_U:

        ∂ℓ/∂A = P L⁻ᵀ (tril(Lᵀ G_L, −1) + triu(G_U Uᵀ)) U⁻ᵀ
    forward mode, X = L⁻¹ Pᵀ Ȧ U⁻¹:  L̇ = L tril(X, −1),  U̇ = triu(X) U."""

    def __init__(self, lu, perm, part):
        self.lu, self.perm, self.part = lu, perm, part

    def _factors(self):
        xp = array_module(self.lu)
        n = self.lu.shape[-1]
        low = xp.tril(self.lu, -1) + xp.eye(n, dtype=self.lu.dtype)
        return low, xp.triu(self.lu), permutation(self.perm, self.lu.dtype)

    def forward(self, a):
        if a.shape[-1] != a.shape[-2]:
            raise RuntimeError("linalg.lu: the gradient is for square matrices only in "
                               "retrograd")
        low, up, _ = self._factors()
        return (self.lu.copy(), low, up)[self.part]

    def backward(self, g):
        xp = array_module(g)
        low, up, p = self._factors()
        gl = xp.tril(g, -1) if self.part != 2 else xp.zeros_like(g)
        gu = xp.triu(g) if self.part != 1 else xp.zeros_like(g)
        phi = xp.tril(_T(low) @ gl, -1) + xp.triu(gu @ _T(up))
        inner = _T(xp.linalg.solve(up, _T(phi)))          # phi U⁻ᵀ
        return p @ xp.linalg.solve(_T(low), inner)        # P L⁻ᵀ (…)

    def jvp(self, da):
        xp = array_module(da)
        low, up, p = self._factors()
        x = xp.linalg.solve(low, _T(p) @ da)
        x = _T(xp.linalg.solve(_T(up), _T(x)))           # L⁻¹ Pᵀ Ȧ U⁻¹
        dl, du = low @ xp.tril(x, -1), xp.triu(x) @ up
        return (dl + du, dl, du)[self.part]


class EigPart(Function):
    """One output of A V = V diag(w) for a general square A (``part`` 0 the eigenvalues
    w, 1 the eigenvectors V, unit columns), complex as PyTorch's; computed once by
    ``eig``. Values only: the gradient of a complex decomposition is not in retrograd
    (backward and forward mode raise; a symmetric matrix has ``eigh``)."""

    def __init__(self, w, v, part):
        self.w, self.v, self.part = w, v, part

    def forward(self, a):
        return self.w if self.part == 0 else self.v

    def _refuse(self):
        raise NotSupportedError("linalg.eig: the gradient of a complex eigendecomposition "
                                "is not in retrograd; for a symmetric matrix use "
                                "linalg.eigh, whose gradient is (PyTorch compatibility: "
                                "docs/pytorch.md)")

    def backward(self, g):
        self._refuse()

    def jvp(self, da):
        self._refuse()


def eig(a):
    """(w, V) of a general square matrix, complex (complex64 for float32 input)."""
    xp = array_module(a.array)
    if not hasattr(xp.linalg, "eig"):    # CuPy before 14 has no general eig
        raise NotSupportedError(f"linalg.eig: {xp.__name__} {xp.__version__} has no "
                                "eig; compute it on the CPU (A.cpu())")
    w, v = xp.linalg.eig(a.array)
    kind = np.result_type(a.array.dtype, np.complex64)
    w, v = w.astype(kind), v.astype(kind)
    return EigPart(w, v, 0).apply(a), EigPart(w, v, 1).apply(a)
