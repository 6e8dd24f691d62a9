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

from .. import backend
from ..missing import NotSupportedError
from ..ops import activations as act
from ..ops import (arithmetic, chain, conv, elementwise, embedding, indexing, matmul,
                   normalization, padding, pooling, reductions, shape, softmax)

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
            "no ONNX converter (retrograd/onnx/converters.py lists those that have one; "
            "register one with retrograd.onnx.converts)")
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
    """Sequential's fused run of layers: each link in turn (ops/chain.py). The links
    (Linear and pointwise activations) keep the rank and dtype of the chain's output
    ``y``, all that their converters read from it."""
    h, k = xs[0], 1
    for link, n in op.links:
        h = convert(g, link, [h, *xs[k:k + n]], y)
        k += n
    return h


# -- arithmetic and elementwise functions -------------------------------------------------
for _cls, _name in ((arithmetic.Add, "Add"), (arithmetic.Sub, "Sub"), (arithmetic.Mul, "Mul"),
                    (arithmetic.Div, "Div"), (arithmetic.Neg, "Neg"), (arithmetic.Pow, "Pow"),
                    (elementwise.Exp, "Exp"), (elementwise.Log, "Log"),
                    (elementwise.Sqrt, "Sqrt"), (reductions.StdFromVar, "Sqrt"),
                    (elementwise.Abs, "Abs"),
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


@converts(reductions.Var)
def _var(g, op, xs, y):
    """Σ (x − x̄)² / (n − ddof), n the reduced count of the traced shape."""
    axes = g.const(list(op.axes), np.int64)
    c = g.node("Sub", [xs[0], g.node("ReduceMean", [xs[0], axes], keepdims=1)]
               if g.opset >= 18 else [xs[0], g.node("ReduceMean", xs, axes=list(op.axes),
                                                    keepdims=1)])
    ss = g.node("ReduceSum", [g.node("Mul", [c, c]), axes], keepdims=int(bool(op.keepdims)))
    return g.node("Mul", [ss, g.const(op.scale / 2, y.dtype)])


@converts(reductions.LogSumExp)
def _logsumexp(g, op, xs, y):
    keep = int(bool(op.keepdims))
    if g.opset >= 18:
        return g.node("ReduceLogSumExp", [xs[0], g.const(list(op.axes), np.int64)],
                      keepdims=keep)
    return g.node("ReduceLogSumExp", xs, axes=list(op.axes), keepdims=keep)


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


@converts(indexing.GetItem)
def _getitem(g, op, xs, y):
    """Basic indexing x[i, a:b:s, None, ...]: Slice on the sliced axes (open ends
    stay open: a dynamic batch is kept whole), Gather for the integers (from the
    last axis, so the others keep their numbers), Unsqueeze for the new axes."""
    items = op.index if isinstance(op.index, tuple) else (op.index,)
    if not indexing._is_basic(items):
        raise NotSupportedError("onnx.export: indexing with arrays or masks (advanced "
                                "indexing); only integers, slices, None and ... export")
    nd = len(op.in_shape)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        fill = nd - sum(i is not None and i is not Ellipsis for i in items)
        items = items[:at] + (slice(None),) * fill + items[at + 1:]
    items = items + (slice(None),) * (nd - sum(i is not None for i in items))
    big, axis, out_axis = 2**63 - 1, 0, 0
    starts, ends, axes, steps, ints, new = [], [], [], [], [], []
    for item in items:
        if item is None:
            new.append(out_axis)
            out_axis += 1
            continue
        if isinstance(item, slice) and item != slice(None):
            step = 1 if item.step is None else item.step
            lo, hi = (0, big) if step > 0 else (-1, -big - 1)
            starts.append(lo if item.start is None else item.start)
            ends.append(hi if item.stop is None else item.stop)
            axes.append(axis)
            steps.append(step)
        if isinstance(item, slice):
            out_axis += 1
        else:
            ints.append((axis, int(item)))
        axis += 1
    h = xs[0]
    if axes:
        h = g.node("Slice", [h] + [g.const(v, np.int64) for v in (starts, ends, axes, steps)])
    for a, i in reversed(ints):
        h = g.node("Gather", [h, g.const(i, np.int64)], axis=a)
    if new:
        h = g.node("Unsqueeze", [h, g.const(new, np.int64)])
    return h if h != xs[0] else g.node("Identity", [h])


@converts(embedding.EmbeddingLookup)
def _embedding(g, op, xs, y):
    """W[i]: Gather of the table's rows, the indices being one of the model's inputs
    (integers do not take part in the graph: the op keeps them as an array)."""
    indices = g.input_arrays.get(id(op.indices))
    if indices is None:
        raise NotSupportedError(
            "onnx.export: an embedding whose indices are not one of the model's inputs "
            "as given (computed in forward, or converted there: give the example as "
            "integers of the dtype the model uses)")
    return g.node("Gather", [xs[0], indices], axis=0)


@converts(shape.Cast)
def _cast(g, op, xs, y):
    return g.node("Cast", xs, to=g.onnx_type(op.dtype))


@converts(shape.ToDevice)
def _to_device(g, op, xs, y):
    return g.node("Identity", xs)


# -- convolution, pooling, padding, normalisation (NCHW, as in PyTorch) -------------------
def _batched(op, what):
    if len(op.x_shape) == op.spatial + 1:
        raise NotSupportedError(f"onnx.export: {what} of an unbatched input (shape "
                                f"{tuple(op.x_shape)}); export with a batch axis")


def _window(spatial, kernel, stride, dilation, pads):
    """ONNX's attributes of a window over the last ``spatial`` axes; ``pads`` is
    ((lo, hi), …); a 1-D op's geometry carries a leading unit axis, dropped."""
    kernel, stride, dilation, pads = (tuple(v)[-spatial:] for v in
                                      (kernel, stride, dilation, pads))
    return dict(kernel_shape=[int(k) for k in kernel], strides=[int(s) for s in stride],
                dilations=[int(d) for d in dilation],
                pads=[int(lo) for lo, _ in pads] + [int(hi) for _, hi in pads])


@converts(conv.Conv)
def _conv(g, op, xs, y):
    _batched(op, op.op)
    geo = op.geo
    return g.node("Conv", xs, group=int(geo.groups),
                  **_window(op.spatial, geo.kernel, geo.stride, geo.dilation, geo.pads))


@converts(conv.ConvTranspose)
def _conv_transpose(g, op, xs, y):
    _batched(op, op.op)
    geo = op.geo
    return g.node("ConvTranspose", xs, group=int(geo.groups),
                  output_padding=[int(p) for p in op.output_padding],
                  **_window(op.spatial, geo.kernel, geo.stride, geo.dilation, geo.pads))


@converts(pooling.MaxPool, pooling.AvgPool)
def _pool(g, op, xs, y):
    _batched(op, op.op)
    kernel, stride, padding, dilation, ceil_mode = op.args
    attrs = _window(op.spatial, kernel, stride, dilation, [(p, p) for p in padding])
    if isinstance(op, pooling.MaxPool):
        return g.node("MaxPool", xs, ceil_mode=int(ceil_mode), **attrs)
    if op.divisor_override:
        raise NotSupportedError("onnx.export: avg_pool2d with divisor_override has no "
                                "ONNX AveragePool equivalent")
    if any(d != 1 for d in attrs.pop("dilations")):
        raise NotSupportedError("onnx.export: a dilated average pooling")
    return g.node("AveragePool", xs, ceil_mode=int(ceil_mode),
                  count_include_pad=int(op.count_include_pad), **attrs)


@converts(pooling.AdaptiveAvgPool)
def _adaptive_avg_pool(g, op, xs, y):
    """Global average pooling for output size 1; an AveragePool when each output
    cell averages a window of the same size (the input divisible by the output)."""
    h, w = y.shape[-2:]
    x_hw = (int(op.ah.shape[1]), int(op.aw.shape[1]))
    if y.ndim != 4:
        raise NotSupportedError("onnx.export: adaptive average pooling of an unbatched "
                                "input; export with a batch axis")
    if (h, w) == (1, 1):
        return g.node("GlobalAveragePool", xs)
    if x_hw[0] % h or x_hw[1] % w:
        raise NotSupportedError(f"onnx.export: adaptive average pooling from {x_hw} to "
                                f"{(h, w)}: windows of unequal sizes have no ONNX operator")
    k = [x_hw[0] // h, x_hw[1] // w]
    return g.node("AveragePool", xs, kernel_shape=k, strides=k)


@converts(padding.ConstantPad)
def _constant_pad(g, op, xs, y):
    pads = [int(b) for b, _ in op.pads] + [int(a) for _, a in op.pads]
    return g.node("Pad", [xs[0], g.const(pads, np.int64), g.const(op.value, y.dtype)],
                  mode="constant")


@converts(padding.IndexPad)
def _index_pad(g, op, xs, y):
    mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[op.mode]
    if mode == "wrap" and g.opset < 19:
        raise NotSupportedError("onnx.export: circular padding needs opset_version ≥ 19")
    before, after = [0] * y.ndim, [0] * y.ndim
    for axis, (b, a) in op.pads.items():
        before[axis], after[axis] = int(b), int(a)
    return g.node("Pad", [xs[0], g.const(before + after, np.int64)], mode=mode)


def _affine_params(g, op, xs, y):
    """γ and β (when the op has them) broadcastable against x: shape ``bshape``."""
    shape = g.const(list(op.bshape), np.int64)
    k, w, b = 1, None, None
    if op.has_weight:
        w, k = g.node("Reshape", [xs[1], shape]), 2
    if op.has_bias:
        b = g.node("Reshape", [xs[k], shape])
    return w, b


@converts(normalization.Normalize)
def _normalize(g, op, xs, y):
    """Statistics of x over ``axes`` (layer norm; batch norm in training mode):
    ONNX's LayerNormalization for trailing axes (opset ≥ 17), else the formula."""
    axes, nd = sorted(a % y.ndim for a in op.axes), y.ndim
    trailing = axes == list(range(nd - len(axes), nd))
    if trailing and g.opset >= 17 and tuple(op.bshape[:nd - len(axes)]) == \
            (1,) * (nd - len(axes)):
        scale = xs[1] if op.has_weight else g.const(np.ones(op.bshape[axes[0]:]), y.dtype)
        inputs = [xs[0], scale] + ([xs[-1]] if op.has_bias else [])
        return g.node("LayerNormalization", inputs, axis=axes[0], epsilon=float(op.eps))
    keep = g.const(axes, np.int64)
    xc = g.node("Sub", [xs[0], g.node("ReduceMean", [xs[0], keep], keepdims=1)])
    var = g.node("ReduceMean", [g.node("Mul", [xc, xc]), keep], keepdims=1)
    h = g.node("Div", [xc, g.node("Sqrt", [g.node("Add", [var, g.const(op.eps, y.dtype)])])])
    w, b = _affine_params(g, op, xs, y)
    h = h if w is None else g.node("Mul", [h, w])
    return h if b is None else g.node("Add", [h, b])


@converts(normalization.NormalizeFixed)
def _normalize_fixed(g, op, xs, y):
    """Batch norm in evaluation mode: with the running statistics m, v, ONNX's
    BatchNormalization (channels on axis 1); the op keeps them as ``m``, ``v`` when
    it has them, otherwise it is the affine map y = x·s + t it computed, s = γ r
    (kept by the op) and t = β − m s, read off the traced values."""
    m, v = getattr(op, "m", None), getattr(op, "v", None)
    channel_first = len(op.bshape) > 1 and all(
        d == 1 for i, d in enumerate(op.bshape) if i != 1)
    if m is not None and v is not None and channel_first:
        c = op.bshape[1]
        w, b = (xs[1] if op.has_weight else g.const(np.ones(c), y.dtype),
                xs[-1] if op.has_bias else g.const(np.zeros(c), y.dtype))
        m, v = (np.ravel(backend.to_device(a, "cpu")) for a in (m, v))
        return g.node("BatchNormalization", [xs[0], w, b, g.const(m, y.dtype),
                                             g.const(v, y.dtype)], epsilon=float(op.eps))
    x = np.asarray(backend.to_device(op.parents[0].array, "cpu"), dtype=np.float64)
    out = np.asarray(backend.to_device(y.array, "cpu"), dtype=np.float64)
    s = np.asarray(backend.to_device(op.scale, "cpu"), dtype=np.float64)
    axes = tuple(i for i, d in enumerate(op.bshape) if d == 1)
    t = (out - x * s).mean(axis=axes, keepdims=True)
    return g.node("Add", [g.node("Mul", [xs[0], g.const(s, y.dtype)]), g.const(t, y.dtype)])
