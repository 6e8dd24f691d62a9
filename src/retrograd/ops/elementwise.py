"""The elementary functions (exp, log, sqrt, |·|, sin, cos) and the piecewise
selections (maximum, minimum, clip, where)."""
from ..backend import array_module
from ..function import Function
from ..tensor import Tensor
from .operand import as_float, pair


class Exp(Function):
    """y = eˣ;  ∂ℓ/∂x = ∂ℓ/∂y · eˣ = ∂ℓ/∂y · y."""

    def forward(self, x):
        x = as_float(x)
        self.y = array_module(x).exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y

    def jvp(self, dx):
        return dx * self.y


class Log(Function):
    """y = ln x;  ∂ℓ/∂x = ∂ℓ/∂y / x."""

    def forward(self, x):
        x = as_float(x)
        self.x = x
        return array_module(x).log(x)

    def backward(self, gy):
        return gy / self.x

    def jvp(self, dx):
        return dx / self.x


class Sqrt(Function):
    """y = √x;  ∂ℓ/∂x = ∂ℓ/∂y / (2√x)."""

    def forward(self, x):
        x = as_float(x)
        self.y = array_module(x).sqrt(x)
        return self.y

    def backward(self, gy):
        return gy / (2 * self.y)

    def jvp(self, dx):
        return dx / (2 * self.y)


class Abs(Function):
    """y = |x|;  ∂ℓ/∂x = ∂ℓ/∂y · sign(x)  (0 at x = 0, as PyTorch)."""

    def forward(self, x):
        xp = array_module(x)
        self.sign = xp.sign(x)
        return xp.abs(x)

    def backward(self, gy):
        return gy * self.sign

    def jvp(self, dx):
        return dx * self.sign


class Sin(Function):
    """y = sin x;  ∂ℓ/∂x = ∂ℓ/∂y · cos x."""

    def forward(self, x):
        x = as_float(x)
        self.x = x
        return array_module(x).sin(x)

    def backward(self, gy):
        return gy * array_module(gy).cos(self.x)

    def jvp(self, dx):
        return dx * array_module(dx).cos(self.x)


class Cos(Function):
    """y = cos x;  ∂ℓ/∂x = −∂ℓ/∂y · sin x."""

    def forward(self, x):
        x = as_float(x)
        self.x = x
        return array_module(x).cos(x)

    def backward(self, gy):
        return -gy * array_module(gy).sin(self.x)

    def jvp(self, dx):
        return -dx * array_module(dx).sin(self.x)


class Where(Function):
    """y = a where cond else b;  the gradient goes to the branch that was taken."""

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        return array_module(a).where(self.cond, a, b)

    def backward(self, gy):
        xp = array_module(gy)
        zero = xp.zeros((), dtype=gy.dtype)
        return xp.where(self.cond, gy, zero), xp.where(self.cond, zero, gy)

    def jvp(self, da, db):
        return array_module(da).where(self.cond, da, db)


class Maximum(Function):
    """y = max(a, b) elementwise; at ties each input gets half the gradient
    (as PyTorch does)."""

    def forward(self, a, b):
        xp = array_module(a)
        self.wa = (a > b) + 0.5 * (a == b)   # weight of a in ∂y: 1, ½ or 0
        self.wa = self.wa.astype(xp.result_type(a, b), copy=False)
        return xp.maximum(a, b)

    def backward(self, gy):
        return gy * self.wa, gy * (1 - self.wa)

    def jvp(self, da, db):
        return da * self.wa + db * (1 - self.wa)


class Minimum(Maximum):
    """y = min(a, b) elementwise; at ties each input gets half the gradient."""

    def forward(self, a, b):
        xp = array_module(a)
        self.wa = ((a < b) + 0.5 * (a == b)).astype(xp.result_type(a, b), copy=False)
        return xp.minimum(a, b)


class Clip(Function):
    """y = min(max(x, lo), hi);  ∂ℓ/∂x = ∂ℓ/∂y where lo ≤ x ≤ hi, else 0."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        inside = True
        if self.lo is not None:
            inside = x >= self.lo
        if self.hi is not None:
            inside = inside & (x <= self.hi)
        self.inside = inside
        return array_module(x).clip(x, self.lo, self.hi)

    def backward(self, gy):
        return gy * self.inside

    def jvp(self, dx):
        return dx * self.inside


def maximum(a, b):
    """max(a, b) elementwise, with broadcasting."""
    return Maximum().apply(*pair(a, b, "maximum"))


def minimum(a, b):
    """min(a, b) elementwise, with broadcasting."""
    return Minimum().apply(*pair(a, b, "minimum"))


def clip(x, min=None, max=None):
    """Clamp x into [min, max] (either bound may be None; bounds get no gradient)."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    min = min.array if isinstance(min, Tensor) else min
    max = max.array if isinstance(max, Tensor) else max
    return Clip(min, max).apply(x)


def where(cond, a, b):
    """Select a where ``cond`` is true, else b (cond carries no gradient)."""
    if isinstance(cond, Tensor):
        cond = cond.array
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    a, b = pair(a, b, "where")
    cond = array_module(a.array).asarray(cond)  # on a's device, as a boolean mask
    if cond.dtype.kind != "b":
        cond = cond.astype(bool)
    return Where(cond).apply(a, b)


def exp(x):
    """eˣ elementwise."""
    return Exp().apply(x)


def log(x):
    """ln x elementwise."""
    return Log().apply(x)


def sqrt(x):
    """√x elementwise."""
    return Sqrt().apply(x)


def abs(x):
    """|x| elementwise."""
    return Abs().apply(x)


def sin(x):
    """sin x elementwise."""
    return Sin().apply(x)


def cos(x):
    """cos x elementwise."""
    return Cos().apply(x)
