"""A chain of layers run as one node of the graph: the multi-layer perceptron.

``nn.Sequential`` hands its runs of plain layers (``Linear``, ``ReLU``, ``Tanh``,
``Sigmoid``) to ``Chain``: the same ops, with the same forward and backward, but
called in turn inside one node. The graph then pays its bookkeeping (a node, an
engine visit, a module call per layer) once per chain instead of once per layer:
at batch size one (online SGD) that bookkeeping, not the arithmetic, is what a
step costs beyond the matrix-vector products.
"""
from .. import engine
from ..function import Function


class _Input:
    """Stands for a link's input tensor inside the chain in the link's ``backward``:
    whether it needs a gradient, and whether its array is ``owned`` by the chain (the
    output of the link before, which nothing outside the chain can write)."""

    __slots__ = ("requires_grad", "owned")

    def __init__(self, requires_grad, owned):
        self.requires_grad, self.owned = requires_grad, owned


# [owned][needs a gradient]
_INPUTS = ((_Input(False, False), _Input(True, False)), (_Input(False, True), _Input(True, True)))


class Chain(Function):
    """hᵢ = fᵢ(hᵢ₋₁; θᵢ) for i = 1 … L, h₀ = x, as one node; ``links`` is a list of
    (op, number of parameters θᵢ it takes after its input).

    Backward is the course's backpropagation through the layers, from the output
    down: ∂ℓ/∂hᵢ₋₁, ∂ℓ/∂θᵢ = fᵢ.backward(∂ℓ/∂hᵢ). Forward mode chains the links' jvp."""

    def __init__(self, links):
        self.links = links

    @property
    def name(self):
        return "Chain(" + " → ".join(op.name for op, _ in self.links) + ")"

    def forward(self, x, *params):
        shapes, k = [], 0
        for op, n in self.links:
            shapes.append(x.shape)
            if n == 0:
                x = op.forward(x)
            elif n == 2:
                x = op.forward(x, params[k], params[k + 1])
            else:
                x = op.forward(x, *params[k:k + n])
            k += n
        self.shapes = shapes
        return x

    def backward(self, gy):
        parents, links = self.parents, self.links
        # Link i's input needs a gradient if x or a parameter before it does.
        needs, need, k = [], parents[0].requires_grad, 1
        for _, n in links:
            needs.append(need)
            for p in parents[k:k + n]:
                need = need or p.requires_grad
            k += n
        grads = [None] * len(parents)
        g = gy
        for i in range(len(links) - 1, -1, -1):
            op, n = links[i]
            k -= n
            op.parents = (_INPUTS[i > 0][needs[i]],) + parents[k:k + n]
            gs = op.backward(g)
            if gs.__class__ is not tuple:
                gs = (gs,)
            grads[k:k + n] = gs[1:n + 1]
            g = gs[0]
            if g is None:   # nothing below needs ∂ℓ/∂hᵢ₋₁
                break
            if g.shape != self.shapes[i]:
                g = engine.sum_to(g, self.shapes[i])
        grads[0] = g
        return tuple(grads)

    def jvp(self, dx, *dparams):
        k = 0
        for op, n in self.links:
            dx = op.jvp(dx, *dparams[k:k + n])
            k += n
        return dx
