"""Reverse-mode automatic differentiation (backpropagation) over the graph.

The graph is built while the forward pass runs (define-by-run): each tensor made
by an op keeps that op in ``_op``, and the op keeps its inputs in ``parents``.
``backward`` visits the tensors from the output down, in reverse topological
order, applying the chain rule ∂ℓ/∂x = Σ_y ∂ℓ/∂y · ∂y/∂x one op at a time.

Gradients are arrays. Those handed to an op's ``backward`` are the engine's own
(a gradient given by the caller or returned by a hook is copied first), so an op
may keep them; one stored in a ``.grad`` belongs to that ``.grad`` alone (a copy,
unless nothing else can refer to it: an op said its gradients are new arrays,
``fresh_grads``, or the engine made it as a sum), so updating a ``.grad`` in place
(clipping, weight decay) never changes another.
"""
from .backend import array_module
from .function import state
from .tensor import Tensor


def sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` — the one place where
    broadcasting is undone (∂ℓ/∂x sums over every axis x was broadcast along)."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if lead else g


def _created(t):
    return t._op.seq


def graph_nodes(root):
    """The tensors computed by ops that lead to ``root``, each before its inputs.

    A tensor is always created after the inputs of its op, so the creation order
    (``Function.seq``) is a topological order: the nodes found by an iterative
    depth-first search (no recursion limit for a chain of 100,000 ops), sorted
    newest first, come out ready for backpropagation. Leaves are not listed: they
    have nothing to pass on, and receive their gradients at the end."""
    if root._op is None:
        return []
    nodes, seen, stack = [], {root}, [root]
    while stack:
        t = stack.pop()
        op = t._op
        if op.freed:
            raise RuntimeError(
                f"backward: the graph through {op.name} was already freed by an "
                "earlier backward(); pass retain_graph=True to the first backward "
                "to backpropagate through it twice")
        nodes.append(t)
        for p in op.parents:
            if p._op is not None and p not in seen:
                seen.add(p)
                stack.append(p)
    nodes.sort(key=_created, reverse=True)
    return nodes


def backward(root, gradient, retain_graph=False, inputs=None):
    """Backpropagate ``gradient`` (∂ℓ/∂root, an array) through the graph.

    Without ``inputs``, gradients accumulate into the ``.grad`` of leaves (and of
    tensors that called ``retain_grad``). With ``inputs`` (a list of tensors), their
    gradients are returned instead and no ``.grad`` is touched."""
    previous = state.backward_into_grad
    state.backward_into_grad = inputs is None
    try:
        return _backpropagate(root, gradient, retain_graph, inputs)
    finally:
        state.backward_into_grad = previous


def _backpropagate(root, gradient, retain_graph, inputs):
    wanted = None if inputs is None else {t: i for i, t in enumerate(inputs)}
    found = [None] * (0 if inputs is None else len(inputs))
    anomaly = state.anomaly
    # ∂ℓ/∂t summed so far over the consumers of t already visited; a tensor's
    # total is complete when it is reached, all of its consumers being newer.
    pending, leaves = {}, {}
    (pending if root._op is not None else leaves)[root] = gradient
    owned = set()   # leaves whose gradient array is the engine's alone: stored uncopied
    for t in graph_nodes(root):
        g = pending.pop(t, None)
        if g is None:
            continue
        if t._hooks:
            g = _run_hooks(t, g)
        if wanted is not None and t in wanted:
            found[wanted[t]] = g
        if t._retain and wanted is None:
            accumulate(t, g)
        op = t._op
        op.check_saved(t)                        # no saved value changed in place since
        gs = op.backward(g)                      # ∂ℓ/∂x for each input x of op
        if gs.__class__ is not tuple:
            gs = (gs,)
        if anomaly:
            op.check_backward(gs)
        for p, gp in zip(op.parents, gs):        # the chain rule's sum over consumers
            if gp is None or not p.requires_grad:
                continue
            if gp.shape != p.array.shape:
                gp = sum_to(gp, p.array.shape)
            into = leaves if p._op is None else pending
            prev = into.get(p)
            into[p] = gp if prev is None else prev + gp
            if into is leaves and (prev is not None or op.fresh_grads):
                owned.add(p)
        if not retain_graph:
            op.free()
    for t, g in leaves.items():
        if t._hooks:
            g = _run_hooks(t, g)
            owned.discard(t)   # the hook saw the array: it may keep it
        if wanted is None:
            accumulate(t, g, t in owned)
        elif t in wanted:
            found[wanted[t]] = g
    return found


def _run_hooks(t, g):
    """A tensor's hooks see its gradient in turn; one may return a replacement, of
    the gradient's shape and dtype (else a RuntimeError, as in PyTorch)."""
    for hook in t._hooks:
        r = hook(Tensor._wrap(g))
        if r is None:
            continue
        r = r.array if isinstance(r, Tensor) else array_module(g).asarray(r)
        if r.shape != g.shape or r.dtype != g.dtype:
            what = "size" if r.shape != g.shape else "type"
            raise RuntimeError(
                f"hook {getattr(hook, '__name__', hook)!r} has changed the {what} of the "
                f"gradient of {_name(t)}: was {g.dtype} of shape {g.shape}, got {r.dtype} "
                f"of shape {r.shape}")
        g = r.copy()        # the hook's own array: a copy for the engine
    return g


def _name(t):
    return f"the output of {t._op.name}" if t._op is not None else \
        f"a leaf tensor of shape {tuple(t.shape)}"


def accumulate(t, g, owned=False):
    """t.grad ← t.grad + g, in t's dtype. A first gradient is stored as a copy unless
    the engine owns it: the array may be shared (Add hands the same one to both
    inputs, a reshape returns a view of it) or kept by an op."""
    if t.grad is None:
        if not owned or g.dtype != t.array.dtype:
            g = g.astype(t.array.dtype)   # astype copies
        t.grad = Tensor._wrap(g)
    else:
        t.grad.array += g
