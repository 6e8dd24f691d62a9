"""Einstein summation: ``einsum("ij,jk->ik", a, b)`` is a @ b, ``"bij->bji"`` a
transpose, ``"i,i->"`` a dot product, ``"...ij->...ji"`` batched; and ``outer``.

y = Σ over the letters absent from the output of Π of the operands. The gradient
with respect to one operand is again an einsum: ∂ℓ/∂y and the other operands,
summed down to that operand's letters (a permutation of the equation), then
broadcast along the letters only that operand had (they were summed in y) and,
for a letter repeated in it (a diagonal), put on that diagonal:
∂ℓ/∂A for "ij,jk->ik" is einsum("ik,jk->ij", ∂ℓ/∂y, B) = ∂ℓ/∂y Bᵀ."""
import string

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor
from .scatter import grids


def parse(equation, shapes):
    """The equation with explicit letters: (inputs, output), ``...`` replaced by
    letters of their own and an implicit output made explicit (NumPy's and PyTorch's
    rule: the broadcast dims, then the letters seen once, in alphabetical order)."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not "
                        f"{type(equation).__name__}")
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the "
                           f"equation {equation!r}" if len(shapes) > len(inputs) else
                           f"einsum(): fewer operands were provided than specified in the "
                           f"equation {equation!r}")
    bad = set(eq) - set(string.ascii_letters) - set(",.->")
    if bad or any(s.replace("...", "").count(".") for s in inputs + [out]):
        raise RuntimeError(f"einsum(): invalid subscript in the equation {equation!r} "
                           "(letters a-z, A-Z, ',', '->' and '...' are allowed)")
    free = [c for c in string.ascii_letters if c not in eq]
    n_ell = 0
    for s, shape in zip(inputs, shapes):
        named = len(s.replace("...", ""))
        if "..." not in s and named != len(shape) or named > len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not "
                f"match the number of dimensions ({len(shape)}) for operand "
                f"{inputs.index(s)}" + ("" if "..." in s else " and no ellipsis was given")
                + f" (equation {equation!r}, operand shapes {[tuple(p) for p in shapes]})")
        if "..." in s:
            n_ell = max(n_ell, len(shape) - named)
    ell = "".join(free[:n_ell])
    inputs = [s.replace("...", ell[n_ell - (len(shape) - len(s) + 3):] if n_ell else "")
              if "..." in s else s for s, shape in zip(inputs, shapes)]
    if arrow:
        out = out.replace("...", ell)   # without '...' the broadcast dims are summed
    else:
        counts = {c: "".join(inputs).count(c) for c in set("".join(inputs))}
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    for c in out:
        if c not in "".join(inputs):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                               f"equation for any input operand ({equation!r})")
        if out.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                               f"the output ({equation!r})")
    return inputs, out


def _contract(equation, *arrays):
    """einsum of arrays; two or more are contracted pairwise through matrix products
    (``optimize=True``): "bhqd,bhkd->bhqk" on (16, 4, 64, 32) float32 takes 0.28 ms
    instead of 2.2 ms in NumPy's own loops (256×512 @ 512×256: 0.40 instead of 3.7,
    a @ b 0.36); one array has nothing to contract, and the path search would cost
    more than it saves."""
    return array_module(arrays[0]).einsum(equation, *arrays, optimize=len(arrays) > 1)


class Einsum(Function):
    """y = einsum(equation, x₁, …, xₙ);  ∂ℓ/∂xᵢ = einsum of ∂ℓ/∂y and the other
    operands onto xᵢ's letters, broadcast along the letters only xᵢ has."""

    def __init__(self, inputs, out):
        self.inputs, self.out = inputs, out

    def forward(self, *xs):
        self.xs = xs
        y = _contract(self._equation(self.inputs, self.out), *xs)
        # One operand: NumPy returns a view of it for a transpose or a diagonal
        # ("ij->ji", "ii->i"); an op's output must own its memory, or an in-place
        # change of y would silently change x under the ops that saved it.
        return y.copy() if len(xs) == 1 and (y is xs[0] or y.base is not None) else y

    @staticmethod
    def _equation(inputs, out):
        return ",".join(inputs) + "->" + out

    def _grad(self, i, gy):
        """∂ℓ/∂xᵢ: ∂ℓ/∂y against the other operands."""
        xp = array_module(gy)
        mine, x = self.inputs[i], self.xs[i]
        others = [s for j, s in enumerate(self.inputs) if j != i]
        seen = self.out + "".join(others)
        letters = "".join(dict.fromkeys(mine))       # a repeated letter (diagonal) once
        kept = "".join(c for c in letters if c in seen)
        g = _contract(self._equation([self.out, *others], kept), gy,
                      *(a for j, a in enumerate(self.xs) if j != i))
        own = {c: x.shape[mine.index(c)] for c in letters}
        g = g.reshape(tuple(g.shape[kept.index(c)] if c in seen else 1 for c in letters))
        # A size-1 dimension of xᵢ broadcast against a larger one: sum back to size 1.
        axes = tuple(k for k, c in enumerate(letters) if own[c] == 1 != g.shape[k])
        if axes:
            g = g.sum(axis=axes, keepdims=True)
        # Letters only xᵢ had were summed in y: ∂ℓ/∂y reaches each of their values.
        g = xp.broadcast_to(g, tuple(own[c] for c in letters))
        if len(letters) == len(mine):
            return xp.ascontiguousarray(g)
        # A diagonal ("ii"): ∂ℓ/∂y on it, zeros elsewhere.
        gx = xp.zeros(x.shape, dtype=g.dtype)
        axis = grids(xp, g.shape)
        gx[tuple(axis[letters.index(c)] for c in mine)] = g
        return gx

    def backward(self, gy):
        return tuple(self._grad(i, gy) if self.needs_input_grad[i] else None
                     for i in range(len(self.xs)))

    def jvp(self, *dxs):
        eq = self._equation(self.inputs, self.out)
        return sum(_contract(eq, *(dx if j == i else x for j, x in enumerate(self.xs)))
                   for i, dx in enumerate(dxs))


def einsum(equation, *operands):
    """Einstein summation over ``operands`` as torch.einsum / numpy.einsum (``...``
    and an implicit output included), differentiable with respect to every operand.
    A letter repeated inside one operand takes a diagonal (``"ii->i"``, ``"ii"`` the
    trace); its gradient is ∂ℓ/∂y on that diagonal."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operand {k} must be a Tensor, not "
                            f"{type(t).__name__}")
    if not operands:
        raise ValueError("einsum(): must provide at least one operand")
    inputs, out = parse(equation, [t.shape for t in operands])
    try:
        return Einsum(inputs, out).apply(*operands)
    except ValueError as e:
        raise RuntimeError(f"einsum(): operands do not match the equation {equation!r} "
                           f"(shapes {[tuple(t.shape) for t in operands]}): "
                           f"{str(e).split(': ', 1)[-1]}") from None


def outer(input, vec2):
    """The outer product yᵢⱼ = xᵢ vⱼ of two 1-D tensors (torch.outer)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"outer(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{t.ndim}-D (shape {tuple(t.shape)})")
    return Einsum(["i", "j"], "ij").apply(input, vec2)
