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


class Chain(Function):
    """hᵢ = fᵢ(hᵢ₋₁; θᵢ) for i = 1 … L, h₀ = x, as one node; ``links`` is a list of
    (op, number of parameters θᵢ it takes after its input).

    Backward is the course's backpropagation through the layers, from the output
    down: ∂ℓ/∂hᵢ₋₁, ∂ℓ/∂θᵢ = fᵢ.backward(∂ℓ/∂hᵢ). Forward mode chains the links' jvp."""

    def __init__(self, links):
        self.links = links
        for i, (op, _) in enumerate(links):
            # A link's input is the output of the link before, an array nothing
            # outside the chain can write (ops that keep their input may skip a copy).
            op.input_owned = i > 0
        self.fresh_grads = all(op.fresh_grads for op, _ in links)

    def saved_arrays(self):
        for op, _ in self.links:
            yield from op.saved_arrays()

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
        needs = self.needs_input_grad
        # Link i's input needs a gradient if x or a parameter before it does.
        need_input, need, k = [], needs[0], 1
        for _, n in links:
            need_input.append(need)
            need = need or True in needs[k:k + n]
            k += n
        grads = [None] * len(parents)
        g = gy
        for i in range(len(links) - 1, -1, -1):
            op, n = links[i]
            k -= n
            # What Function.apply records for an op in the graph; a link's input is
            # an array of the chain (no tensor), its parameters the chain's inputs.
            op.parents = (None,) + parents[k:k + n]
            op.needs_input_grad = (need_input[i],) + needs[k:k + n]
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
