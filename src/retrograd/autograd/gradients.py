"""``autograd.grad`` and ``autograd.backward``: PyTorch's calls into the engine.

``grad(outputs, inputs)`` returns ∂(Σ outputs)/∂inputs without touching any
``.grad``; ``backward(tensors)`` accumulates into the leaves' ``.grad`` (only into
``inputs``' when given). Gradients are computed, as everywhere in retrograd, as
arrays: the gradient of a gradient (``create_graph=True``) is not available.
"""
from .. import engine
from ..backend import array_module
from ..tensor import Tensor


def _tensors(x, what):
    if isinstance(x, Tensor):
        return [x]
    if x is None:
        return []
    x = list(x)
    for t in x:
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"autograd: {what} must be tensors, got {type(t).__name__}")
    return x


def _no_create_graph(create_graph, where):
    if create_graph:
        raise NotImplementedError(
            f"{where}(create_graph=True): higher-order gradients (differentiating a "
            "gradient) are not in retrograd, whose backward computes arrays, not a graph; "
            "for a Hessian-vector product use finite differences of gradients, or "
            "retrograd.autodiff.jvp over a gradient written by hand")


def _seed(out, g, k):
    """∂ℓ/∂out for output k: the given gradient (copied, as the engine wants its own
    arrays) or 1 for a scalar."""
    if not out.requires_grad:
        raise RuntimeError(f"element {k} of tensors does not require grad and does not "
                           "have a grad_fn")
    xp = array_module(out.array)
    if g is None:
        if out.array.size != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs "
                               f"(output {k} has shape {tuple(out.shape)}); pass its "
                               "gradient in grad_outputs")
        return xp.ones_like(out.array)
    g = xp.array(g.array if isinstance(g, Tensor) else g, dtype=out.dtype)
    if g.shape != out.shape:
        raise RuntimeError(f"grad_outputs[{k}] has shape {tuple(g.shape)}, output {k} has "
                           f"shape {tuple(out.shape)}")
    return g


def _per_output(outputs, gradients, retain_graph, inputs):
    """Σ over the outputs of their gradients w.r.t. ``inputs`` (arrays or None)."""
    if len(gradients) not in (0, len(outputs)):
        raise RuntimeError(f"autograd: {len(outputs)} outputs but {len(gradients)} "
                           "gradients for them")
    total = [None] * len(inputs)
    for k, out in enumerate(outputs):
        g = _seed(out, gradients[k] if gradients else None, k)
        keep = retain_graph or k < len(outputs) - 1   # the next output may share nodes
        found = engine.backward(out, g, retain_graph=keep, inputs=inputs)
        total = [f if t is None else (t if f is None else t + f)
                 for t, f in zip(total, found)]
    return total


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """The gradients of ``outputs`` (Σ of them, weighted by ``grad_outputs``) with
    respect to each of ``inputs``, as a tuple of tensors; no ``.grad`` changes."""
    _no_create_graph(create_graph, "autograd.grad")
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) (vmap over "
                                  "grad_outputs) is not in retrograd; loop over them")
    outputs, inputs = _tensors(outputs, "outputs"), _tensors(inputs, "inputs")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"autograd.grad: input {i} (shape {tuple(t.shape)}) does not "
                               "require grad")
    total = _per_output(outputs, _tensors(grad_outputs, "grad_outputs"),
                        bool(retain_graph), inputs)
    result = []
    for i, (t, g) in enumerate(zip(inputs, total)):
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError(
                    f"autograd.grad: input {i} (shape {tuple(t.shape)}) was not used to "
                    "compute the outputs; pass allow_unused=True to get None for it")
            result.append(Tensor._wrap(array_module(t.array).zeros_like(t.array))
                          if materialize_grads else None)
        else:
            result.append(Tensor._wrap(g.astype(t.dtype, copy=False)))
    return tuple(result)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None):
    """Accumulate the gradients of ``tensors`` (Σ, weighted by ``grad_tensors``) into
    the ``.grad`` of the leaves, or of ``inputs`` only."""
    _no_create_graph(create_graph, "autograd.backward")
    tensors = _tensors(tensors, "tensors")
    gradients = _tensors(grad_tensors, "grad_tensors")
    if inputs is None:
        for k, t in enumerate(tensors):
            g = gradients[k] if gradients else None
            keep = bool(retain_graph) or k < len(tensors) - 1
            engine.backward(t, _seed(t, g, k), retain_graph=keep)
        return
    inputs = _tensors(inputs, "inputs")
    for t, g in zip(inputs, _per_output(tensors, gradients, bool(retain_graph), inputs)):
        if g is not None:
            engine.accumulate(t, g)
