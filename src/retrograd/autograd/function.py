"""``autograd.Function``: a differentiable function written on tensors, PyTorch's way.

    class LegendreP3(Function):
        @staticmethod
        def forward(ctx, x):                 # P₃(x) = ½ (5x³ − 3x)
            ctx.save_for_backward(x)
            return 0.5 * (5 * x ** 3 - 3 * x)

        @staticmethod
        def backward(ctx, g):                # ∂ℓ/∂x = ∂ℓ/∂y · P₃′(x) = g · 1.5 (5x² − 1)
            x, = ctx.saved_tensors
            return g * 1.5 * (5 * x ** 2 - 1)

    y = LegendreP3.apply(x)

``apply`` runs ``forward`` without recording (its ops are not in the graph) and
links one node, ``_Node``, between the inputs and the output: the engine calls its
``backward`` as any op's, and it hands the user's ``backward`` tensors. PyTorch 2's
form, ``forward(*args)`` with a separate ``setup_context(ctx, inputs, output)``, works
too.
"""
from ..backend import array_module
from ..function import Function as _Op
from ..function import _creation_order, mark_modified, no_grad, state
from ..tensor import Tensor, _make


class FunctionCtx:
    """The ``ctx`` of ``forward`` and ``backward``: what forward keeps for backward.

    ``save_for_backward(*tensors)`` / ``saved_tensors`` (refused if one was changed
    in place since), ``needs_input_grad`` (one bool per argument of forward),
    ``mark_non_differentiable(*outputs)``, ``set_materialize_grads(flag)``; any other
    attribute may be set (``ctx.k = 3``)."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._non_differentiable = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward takes tensors (or None), got "
                                f"{type(t).__name__}; keep other values as ctx attributes")
        self._saved = tuple((t, t._owner._version if t is not None else 0) for t in tensors)

    @property
    def saved_tensors(self):
        for i, (t, version) in enumerate(self._saved):
            if t is not None and t._owner._version != version:
                raise RuntimeError(
                    f"saved_tensors: tensor {i} (shape {tuple(t.shape)}) was modified by an "
                    f"in-place operation after save_for_backward (version "
                    f"{t._owner._version}, saved at {version})")
        return tuple(t for t, _ in self._saved)

    def mark_non_differentiable(self, *outputs):
        self._non_differentiable = outputs

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        """Tensors forward changed in place: their version counters go up."""
        for t in tensors:
            mark_modified(t)


class Function:
    """Base class of PyTorch-style functions: subclass it with static ``forward`` and
    ``backward`` and call ``apply`` (see the module docstring)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("autograd.Function subclasses define a static "
                                  "forward(ctx, *args)")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError   # only PyTorch 2's form, forward(*args), defines it

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("autograd.Function subclasses define a static "
                                  "backward(ctx, *grad_outputs)")

    @staticmethod
    def jvp(ctx, *tangents):
        raise NotImplementedError("this autograd.Function has no jvp (forward mode)")

    @classmethod
    def apply(cls, *args, **kwargs):
        recording = state.grad_enabled
        needs = tuple(recording and isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        separate = cls.setup_context is not Function.setup_context   # PyTorch 2's form
        with no_grad():
            out = cls.forward(*args, **kwargs) if separate else \
                cls.forward(ctx, *args, **kwargs)
            if separate:
                cls.setup_context(ctx, args, out)
        if isinstance(out, (tuple, list)):
            tensors = [o for o in out if isinstance(o, Tensor)]
            if len(tensors) > 1 and True in needs:
                raise NotImplementedError(
                    f"{cls.__name__}.forward returned {len(tensors)} tensors: "
                    "autograd.Function with several differentiable outputs is not "
                    "supported by retrograd yet; return one tensor (or concatenate them)")
            return type(out)(_link(cls, ctx, args, o) if isinstance(o, Tensor) else o
                             for o in out)
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a tensor, got "
                            f"{type(out).__name__}")
        return _link(cls, ctx, args, out)


def _link(cls, ctx, args, out):
    """The output of ``apply``: ``out``'s values with a node linking it to the inputs."""
    res = _make(out.array)
    res._base = out._owner if out._base is not None or any(out is a for a in args) \
        else None
    if state.forward_level and any(isinstance(a, Tensor) and a._tangent is not None
                                   for a in args):
        res._tangent = _tangent(cls, ctx, args)
    if True not in ctx.needs_input_grad or \
            any(out is o for o in ctx._non_differentiable):
        return res
    node = _Node(cls, ctx, args)
    node.parents = tuple(a for a in args if isinstance(a, Tensor))
    node.needs_input_grad = tuple(a.requires_grad for a in node.parents)
    node.seq = next(_creation_order)
    res._op, res.requires_grad = node, True
    return res


class _Node(_Op):
    """The graph node of one call of an ``autograd.Function``: its backward calls the
    user's, on tensors, and checks what comes back."""

    def __init__(self, cls, ctx, args):
        self.fn, self.ctx = cls, ctx
        self.positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_args = len(args)

    @property
    def name(self):
        return self.fn.__name__ + "Backward"

    def saved_arrays(self):
        return [t.array for t, _ in self.ctx._saved if t is not None]

    def backward(self, gy):
        with no_grad():
            grads = self.fn.backward(self.ctx, Tensor._wrap(gy))
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != self.n_args:
            raise RuntimeError(
                f"{self.fn.__name__}.backward returned {len(grads)} gradient(s), expected "
                f"{self.n_args}: one per argument of forward (None for those without one)")
        out = []
        for i, p in zip(self.positions, self.parents):
            g = grads[i]
            if g is None:
                out.append(None)
                continue
            g = g.array if isinstance(g, Tensor) else \
                array_module(p.array).asarray(g, dtype=p.dtype)
            if g.shape != p.shape and not _broadcasts(g.shape, p.shape):
                raise RuntimeError(
                    f"{self.fn.__name__}.backward returned a gradient of shape "
                    f"{tuple(g.shape)} for argument {i}, of shape {tuple(p.shape)}")
            out.append(g)
        return tuple(out)



def _broadcasts(shape, target):
    """Can a gradient of ``shape`` be summed back to ``target`` (engine.sum_to)?"""
    if len(shape) < len(target):
        return False
    return all(a == b or b == 1 for a, b in zip(shape[len(shape) - len(target):], target))


def _tangent(cls, ctx, args):
    """Forward mode: the user's ``jvp(ctx, *tangents)``, one tangent per argument of
    forward (zeros for a tensor without one, None for other arguments)."""
    tangents = [None if not isinstance(a, Tensor) else Tensor._wrap(
        a._tangent if a._tangent is not None else array_module(a.array).zeros_like(a.array))
        for a in args]
    with no_grad():
        dy = cls.jvp(ctx, *tangents)
    return dy.array if isinstance(dy, Tensor) else dy
