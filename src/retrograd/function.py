"""Operations in the computational graph, and the scoped modes that govern them.

An op is a small class with three methods side by side:

* ``forward(*arrays)``  computes the output array and saves, as attributes on
  ``self``, exactly what the other two need;
* ``backward(gy)``      reverse mode: from ∂ℓ/∂y returns ∂ℓ/∂x for each input
  (a tuple, or a single array for one-input ops; ``None`` for no gradient);
  ``self.needs_input_grad[i]`` says whether input i needs one, so an op need
  not compute what nobody asked for;
* ``jvp(*dxs)``          forward mode: from input tangents returns the output
  tangent ẏ = Σ ∂y/∂xᵢ · ẋᵢ.

Users add an op the same way (see ``docs/extending.md``)::

    class Square(Function):
        def forward(self, x):
            self.x = x
            return x * x
        def backward(self, gy):
            return 2 * self.x * gy
        def jvp(self, dx):
            return 2 * self.x * dx

    y = Square().apply(t)

Broadcast gradients are reduced back to each input's shape by the engine, so
``backward`` may return a gradient of the broadcast shape.
"""
import itertools
import os
import threading
import traceback

from .backend import array_module
from .tensor import _make


class _State(threading.local):
    def __init__(self):
        self.grad_enabled = True
        self.forward_level = 0  # > 0 while jvp() pushes tangents through ops
        self.anomaly = False
        # True while backward() adds leaves' gradients into their .grad; False
        # while autodiff.grad returns them instead (engine.backward sets it).
        self.backward_into_grad = False


state = _State()
_creation_order = itertools.count()  # next() is atomic under the GIL


class _InPlace:
    """When the latest in-place change happened, on the clock of ``Function.seq``:
    an op recorded after it cannot have seen a change, and backward skips the check."""
    last = -1


in_place = _InPlace()


def mark_modified(t, when=None):
    """Record that ``t``'s values were changed in place (``x += 1``, ``x[0] = 2``,
    ``x.zero_()``): its version counter, shared with the tensors that view its storage,
    goes up, and ops recorded before now may no longer use the values they saved
    (``Function.check_saved``), as PyTorch's version counters guarantee. ``when``:
    one ``now()`` for several tensors changed together (an optimiser's step)."""
    root = t._owner
    root._version += 1
    root._modified_at = in_place.last = next(_creation_order) if when is None else when


def now():
    """A time on the clock of ``Function.seq`` (for ``mark_modified(t, when)``)."""
    return next(_creation_order)


class _Mode:
    """Base of the scoped modes: a context manager and a decorator."""

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args):
                return fn(*args, **kwargs)
        return wrapper

    _args = ()


class no_grad(_Mode):
    """``with no_grad():`` ops record no graph (inference, parameter updates)."""

    def __enter__(self):
        self._prev = state.grad_enabled
        state.grad_enabled = False

    def __exit__(self, *exc):
        state.grad_enabled = self._prev


class inference_mode(_Mode):
    """``with inference_mode():`` PyTorch's faster no_grad; here the same as
    ``no_grad`` (``inference_mode(False)`` records the graph as usual)."""

    def __init__(self, mode=True):
        self._args = (mode,)
        self._mode = bool(mode)

    def __enter__(self):
        self._prev = state.grad_enabled
        if self._mode:
            state.grad_enabled = False

    def __exit__(self, *exc):
        state.grad_enabled = self._prev


class enable_grad(_Mode):
    """``with enable_grad():`` turns graph recording back on inside ``no_grad``."""

    def __enter__(self):
        self._prev = state.grad_enabled
        state.grad_enabled = True

    def __exit__(self, *exc):
        state.grad_enabled = self._prev


class set_grad_enabled(_Mode):
    """``with set_grad_enabled(flag):`` records the graph iff ``flag``."""

    def __init__(self, mode):
        self._args = (mode,)
        self._mode = bool(mode)

    def __enter__(self):
        self._prev = state.grad_enabled
        state.grad_enabled = self._mode

    def __exit__(self, *exc):
        state.grad_enabled = self._prev


def is_grad_enabled():
    return state.grad_enabled


class AnomalyError(FloatingPointError):
    """A forward or backward pass produced NaN or Inf under ``detect_anomaly``."""


class detect_anomaly(_Mode):
    """``with detect_anomaly():`` raises at the first op whose forward or backward
    produces NaN/Inf, naming the op and the line of user code that created it."""

    def __enter__(self):
        self._prev = state.anomaly
        state.anomaly = True

    def __exit__(self, *exc):
        state.anomaly = self._prev


# The package's folder, ending with a separator: a user file in ``…/retrograd_x/`` is
# not retrograd's.
_PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")


def _user_frame(stack):
    """The innermost frame outside retrograd: where the user created the op."""
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f'{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}'
    return "<unknown>"


def _nonfinite(a):
    return a.dtype.kind in "fc" and not bool(array_module(a).isfinite(a).all())


class _Every:
    """``needs_input_grad`` of an op outside any graph (forward mode): every input."""

    def __getitem__(self, i):
        return True


class Function:
    """Base class of every differentiable operation (see the module docstring)."""

    freed = False      # set once backward has released the saved state
    parents = ()       # the input tensors, set when the op joins the graph
    needs_input_grad = _Every()   # per input: does it need ∂ℓ/∂input? Set with parents
    seq = -1           # when it joined the graph: a topological order for backward
    created_at = None  # user code line, recorded only under detect_anomaly

    def forward(self, *xs):
        raise NotImplementedError

    def backward(self, gy):
        raise NotImplementedError(f"{type(self).__name__} has no backward rule")

    def jvp(self, *dxs):
        raise NotImplementedError(f"{type(self).__name__} has no forward-mode (jvp) rule")

    @property
    def name(self):
        return type(self).__name__

    def apply(self, *inputs):
        """Run ``forward`` on the inputs' arrays and link the output into the graph."""
        # This runs once per op: its cost is the framework's per-op overhead, so
        # the common one- and two-input cases skip building an argument list.
        try:
            if len(inputs) == 1:
                y = self.forward(inputs[0].array)
            elif len(inputs) == 2:
                y = self.forward(inputs[0].array, inputs[1].array)
            else:
                y = self.forward(*[t.array for t in inputs])
        except (ValueError, TypeError, IndexError) as e:
            raise self.error(e, inputs) from None
        out = _make(y)
        if self.view:
            out._base = inputs[0]._owner
        if state.grad_enabled:
            if len(inputs) == 1:
                needs = (inputs[0].requires_grad,)
            elif len(inputs) == 2:
                needs = (inputs[0].requires_grad, inputs[1].requires_grad)
            else:
                needs = tuple(t.requires_grad for t in inputs)
            if True in needs:
                out.requires_grad = True
                out._op = self
                self.parents = inputs
                self.needs_input_grad = needs
                self.seq = next(_creation_order)
        if state.forward_level:
            self._push_tangent(inputs, out)
        if state.anomaly:
            self._check_forward(out)
        return out

    # Whether the output may share the input's memory (reshape, transpose, basic
    # slicing): it then shares the input's version counter (mark_modified).
    view = False
    # Whether every gradient backward returns is a new array, returned once and kept
    # by nobody: the engine may then store it as a leaf's .grad without a copy.
    fresh_grads = False

    def saved_arrays(self):
        """The arrays this op keeps for its backward (an op that runs other ops
        inside it adds theirs)."""
        return self.__dict__.values()

    def check_saved(self, out):
        """Refuse to differentiate with values changed in place after this op saved
        them (PyTorch: "modified by an inplace operation"); ``out`` is its output."""
        if in_place.last < self.seq:
            return   # nothing was changed in place since this op ran
        for i, t in enumerate(self.parents + (out,)):
            root = t._owner
            if root._modified_at > self.seq and _kept(t.array, self.saved_arrays()):
                what = "its output" if i == len(self.parents) else f"its input {i}"
                raise RuntimeError(
                    f"backward through {self.name}: {what} (shape {tuple(t.shape)}, "
                    f"{t.dtype}) was modified by an in-place operation after {self.name} "
                    f"saved it for the gradient (version {root._version}); modify a copy "
                    "(x.clone()) or make the change after backward()")

    def error(self, exc, inputs):
        """Turn an array-library error into one naming the op, shapes and dtypes."""
        seen = ", ".join(f"{tuple(t.shape)} {t.dtype}" for t in inputs)
        # The base class: NumPy's own subclasses need extra constructor arguments.
        kind = next((k for k in (TypeError, IndexError) if isinstance(exc, k)), ValueError)
        return kind(f"{self.name}: {exc} (inputs: {seen})")

    def _push_tangent(self, inputs, out):
        if all(t._tangent is None for t in inputs):
            return
        tangents = [t._tangent if t._tangent is not None
                    else array_module(t.array).zeros_like(t.array) for t in inputs]
        out._tangent = self.jvp(*tangents)

    def _check_forward(self, out):
        self.created_at = _user_frame(traceback.extract_stack()[:-2])
        if _nonfinite(out.array):
            raise AnomalyError(
                f"{self.name} produced NaN/Inf in its forward pass "
                f"(output shape {out.shape}); created at {self.created_at}")

    def check_backward(self, grads):
        for i, g in enumerate(grads):
            if g is not None and _nonfinite(g):
                raise AnomalyError(
                    f"{self.name} produced NaN/Inf in its backward pass "
                    f"(gradient of input {i}, shape {tuple(g.shape)}); "
                    f"created at {self.created_at or '<unknown>'}")

    def free(self):
        """Release saved arrays; a second backward through this op then fails clearly."""
        self.__dict__.clear()
        self.freed = True


def _kept(a, saved):
    """Is the array ``a`` (or a view of its memory) among ``saved``?"""
    base = a if a.base is None else a.base
    for v in saved:
        if v is a or (getattr(v, "base", None) is not None and
                      (v.base is base or v.base is a)) or v is base:
            return True
    return False
