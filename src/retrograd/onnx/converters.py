"""Each retrograd op (a ``Function`` class) as ONNX nodes: the registry the exporter
reads (``export.py`` walks the graph of one forward pass and calls, for each op,
the converter registered for its class).

A converter is ``convert(g, op, xs, y)``: ``g`` the graph being built
(``export.Graph``: ``g.node``, ``g.const``), ``op`` the recorded op with the
attributes its ``forward`` used (a slope, an axis, a shape…), ``xs`` the ONNX names
of its inputs, ``y`` the traced output tensor (its shape and dtype). It adds the
nodes and returns the name of the output. To export a new op, register one:

    @converts(MyOp)
    def _my_op(g, op, xs, y):
        return g.node("Relu", xs)
"""
import math

import numpy as np

from ..missing import NotSupportedError
from ..ops import activations as act
from ..ops import arithmetic, chain, elementwise, matmul, reductions, shape, softmax

CONVERTERS = {}


def converts(*classes):
    """Register the decorated function as the converter of ``classes``."""
    def register(fn):
        for cls in classes:
            CONVERTERS[cls] = fn
        return fn
    return register


def convert(g, op, xs, y):
    """The ONNX output name of ``op`` applied to the ONNX values ``xs``."""
    fn = CONVERTERS.get(type(op))
    if fn is None:
        raise NotSupportedError(
            f"onnx.export: the operation {type(op).__name__} ({type(op).__module__}) has "
            f"no ONNX converter (registered: {', '.join(sorted(c.__name__ for c in CONVERTERS))}"
            "); register one with retrograd.onnx.converters.converts")
    return fn(g, op, xs, y)


def _unary(onnx_op, **attrs):
    return lambda g, op, xs, y: g.node(onnx_op, xs, **attrs)


# -- the affine maps ---------------------------------------------------------------------
@converts(matmul.Linear)
def _linear(g, op, xs, y):
    """s = x Wᵀ + b: Gemm(transB=1) on a batch of rows, else MatMul(x, Wᵀ) + b."""
    if y.ndim == 2:
        return g.node("Gemm", xs, transB=1)
    s = g.node("MatMul", [xs[0], g.node("Transpose", [xs[1]], perm=[1, 0])])
    return g.node("Add", [s, xs[2]]) if len(xs) == 3 else s


@converts(matmul.Affine)
def _affine(g, op, xs, y):
    """s = xW + b (the Keras kernel layout)."""
    if y.ndim == 2:
        return g.node("Gemm", xs)
    s = g.node("MatMul", xs[:2])
    return g.node("Add", [s, xs[2]]) if len(xs) == 3 else s


CONVERTERS[matmul.MatMul] = _unary("MatMul")


@converts(chain.Chain)
def _chain(g, op, xs, y):
    """Sequential's fused run of layers: each link in turn (ops/chain.py)."""
    h, k = xs[0], 1
    for link, n in op.links:
        h = convert(g, link, [h, *xs[k:k + n]], y)
        k += n
    return h


# -- arithmetic and elementwise functions -------------------------------------------------
for _cls, _name in ((arithmetic.Add, "Add"), (arithmetic.Sub, "Sub"), (arithmetic.Mul, "Mul"),
                    (arithmetic.Div, "Div"), (arithmetic.Neg, "Neg"), (arithmetic.Pow, "Pow"),
                    (elementwise.Exp, "Exp"), (elementwise.Log, "Log"),
                    (elementwise.Sqrt, "Sqrt"), (elementwise.Abs, "Abs"),
                    (elementwise.Sin, "Sin"), (elementwise.Cos, "Cos"),
                    (elementwise.Maximum, "Max"), (elementwise.Minimum, "Min"),
                    (act.Tanh, "Tanh"), (act.ReLU, "Relu"), (act.Softsign, "Softsign")):
    CONVERTERS[_cls] = _unary(_name)


@converts(arithmetic.PowConst)
def _pow_const(g, op, xs, y):
    return g.node("Pow", [xs[0], g.const(op.p, y.dtype)])


@converts(elementwise.Clip, act.Hardtanh)
def _clip(g, op, xs, y):
    lo, hi = (op.lo, op.hi)
    return g.node("Clip", [xs[0], "" if lo is None else g.const(lo, y.dtype),
                           "" if hi is None else g.const(hi, y.dtype)])


@converts(elementwise.Where)
def _where(g, op, xs, y):
    raise NotSupportedError(
        "onnx.export: where(cond, a, b) with a condition computed outside the graph (an "
        "array, not a tensor of the traced pass) would be frozen to the example's values; "
        "such a model cannot be exported (Keras's relu with threshold= uses it)")


# -- activations --------------------------------------------------------------------------
@converts(act.Heaviside)
def _heaviside(g, op, xs, y):
    """H(x) = 1 if x ≥ 0 else 0: GreaterOrEqual, cast back to x's type."""
    return g.node("Cast", [g.node("GreaterOrEqual", [xs[0], g.const(0, y.dtype)])],
                  to=g.onnx_type(y.dtype))


@converts(act.Sigmoid)
def _sigmoid(g, op, xs, y):
    x = xs[0] if op.a == 1 else g.node("Mul", [xs[0], g.const(op.a, y.dtype)])
    return g.node("Sigmoid", [x])


@converts(act.LeakyReLU)
def _leaky_relu(g, op, xs, y):
    return g.node("LeakyRelu", xs, alpha=float(op.slope))


@converts(act.PReLU)
def _prelu(g, op, xs, y):
    """One slope per channel (axis 1): ONNX's PRelu broadcasts its slope from the
    right, so it is given the shape (C, 1, …, 1)."""
    slopes = g.node("Reshape", [xs[1], g.const(
        [-1] + [1] * (y.ndim - 2) if y.ndim > 1 else [-1], np.int64)])
    return g.node("PRelu", [xs[0], slopes])


@converts(act.ELU)
def _elu(g, op, xs, y):
    """ELU, or s·ELU_α (SELU and any other scale): ONNX's Selu(alpha, gamma)."""
    if op.scale == 1:
        return g.node("Elu", xs, alpha=float(op.alpha))
    return g.node("Selu", xs, alpha=float(op.alpha), gamma=float(op.scale))


@converts(act.GELU)
def _gelu(g, op, xs, y):
    """x Φ(x): ONNX's Gelu from opset 20, before it x·½(1 + erf(x/√2)) (or the tanh
    form, ½x(1 + tanh(√(2/π)(x + 0.044715x³))))."""
    x, dt = xs[0], y.dtype
    if g.opset >= 20:
        return g.node("Gelu", xs, approximate=op.approximate)
    if op.approximate == "tanh":
        cube = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [cube, g.const(0.044715, dt)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.const(math.sqrt(2 / math.pi), dt)])])
    else:
        t = g.node("Erf", [g.node("Div", [x, g.const(math.sqrt(2), dt)])])
    half_x = g.node("Mul", [x, g.const(0.5, dt)])
    return g.node("Mul", [half_x, g.node("Add", [t, g.const(1, dt)])])


@converts(act.SiLU)
def _silu(g, op, xs, y):
    return g.node("Mul", [xs[0], g.node("Sigmoid", xs)])


@converts(act.Softplus)
def _softplus(g, op, xs, y):
    """(1/β) log(1 + e^{βx}), and x where βx > threshold (as PyTorch)."""
    x, dt = xs[0], y.dtype
    bx = x if op.beta == 1 else g.node("Mul", [x, g.const(op.beta, dt)])
    s = g.node("Softplus", [bx])
    if op.beta != 1:
        s = g.node("Div", [s, g.const(op.beta, dt)])
    if op.threshold is None:
        return s
    return g.node("Where", [g.node("Greater", [bx, g.const(op.threshold, dt)]), x, s])


@converts(act.Hardsigmoid)
def _hardsigmoid(g, op, xs, y):
    return g.node("HardSigmoid", xs, alpha=1 / 6, beta=0.5)


@converts(act.Hardswish)
def _hardswish(g, op, xs, y):
    return g.node("HardSwish", xs)


@converts(act.Mish)
def _mish(g, op, xs, y):
    return g.node("Mul", [xs[0], g.node("Tanh", [g.node("Softplus", xs)])])


@converts(act.LogSigmoid)
def _logsigmoid(g, op, xs, y):
    """log σ(x) = −softplus(−x)."""
    return g.node("Neg", [g.node("Softplus", [g.node("Neg", xs)])])


@converts(softmax.Softmax)
def _softmax(g, op, xs, y):
    return g.node("Softmax", xs, axis=int(op.axis))


@converts(softmax.LogSoftmax)
def _log_softmax(g, op, xs, y):
    return g.node("LogSoftmax", xs, axis=int(op.axis))


# -- reductions ---------------------------------------------------------------------------
@converts(reductions.Sum, reductions.Mean, reductions.Max, reductions.Min)
def _reduce(g, op, xs, y):
    """ReduceSum takes its axes as an input from opset 13, the others from 18."""
    name = {reductions.Sum: "ReduceSum", reductions.Mean: "ReduceMean",
            reductions.Max: "ReduceMax", reductions.Min: "ReduceMin"}[type(op)]
    axes, keep = list(op.axes), int(bool(op.keepdims))
    if name == "ReduceSum" or g.opset >= 18:
        return g.node(name, [xs[0], g.const(axes, np.int64)], keepdims=keep)
    return g.node(name, xs, axes=axes, keepdims=keep)


# -- shapes -------------------------------------------------------------------------------
@converts(shape.Reshape)
def _reshape(g, op, xs, y):
    """The traced output shape; with a dynamic batch, 0 (ONNX: "the input's size")
    for a batch axis kept in place, −1 for one merged into the first axis."""
    target = list(y.shape)
    if g.dynamic_batch and target and op.in_shape:
        target[0] = 0 if target[0] == op.in_shape[0] else -1
    return g.node("Reshape", [xs[0], g.const(target, np.int64)])


@converts(shape.Transpose)
def _transpose(g, op, xs, y):
    perm = list(op.axes) if op.axes else list(range(y.ndim))[::-1]
    return g.node("Transpose", xs, perm=[int(a) % max(y.ndim, 1) for a in perm])


@converts(shape.BroadcastTo)
def _broadcast_to(g, op, xs, y):
    target = list(y.shape)
    if g.dynamic_batch and target:
        target[0] = 1          # Expand broadcasts: 1 keeps the input's batch
    return g.node("Expand", [xs[0], g.const(target, np.int64)])


@converts(shape.Concatenate)
def _concatenate(g, op, xs, y):
    return g.node("Concat", xs, axis=int(op.axis))


@converts(shape.Stack)
def _stack(g, op, xs, y):
    axis = g.const([int(op.axis) % y.ndim], np.int64)
    return g.node("Concat", [g.node("Unsqueeze", [x, axis]) for x in xs],
                  axis=int(op.axis))


@converts(shape.Cast)
def _cast(g, op, xs, y):
    return g.node("Cast", xs, to=g.onnx_type(op.dtype))


@converts(shape.ToDevice)
def _to_device(g, op, xs, y):
    return g.node("Identity", xs)
