"""``export(model, args, path)``: a model as an ONNX file, by tracing one forward pass.

The design: retrograd records every forward pass as a graph of ops (``Function``
objects: ``y._op`` made ``y`` from ``y._op.parents``, each op keeping the
attributes its forward used). The exporter runs the model once, in inference mode,
on inputs that require grad — so every op that depends on them is recorded — then
walks that graph from the outputs back to the inputs and writes each op as ONNX
nodes through the converter registered for its class (``converters.py``). Leaves
that are not inputs (the parameters, constants) become the graph's initializers,
named after ``model.named_parameters()``.

Tracing, rather than a converter per layer class, exports whatever the model's
``forward`` computes — ``nn.Sequential``, nested ``nn.Module``s with a custom
``forward``, ``retrograd.keras`` Sequential and functional models — with one
converter per op. Its limits are those of any trace: Python control flow is fixed
to the branch the example took; values computed outside the graph (under
``no_grad``, through ``.numpy()``, or a ``where`` condition) are frozen as
constants (``where`` is refused for that reason); an op without a converter raises
``NotSupportedError`` naming it. The batch axis can be declared dynamic
(``dynamic_axes``): shapes recorded by reshapes are then written relative to it.
"""
import numpy as np

from .. import backend
from ..function import enable_grad
from ..missing import NotSupportedError
from ..serialization import atomic_write
from ..tensor import Tensor
from . import converters

DEFAULT_OPSET = 18
MIN_OPSET = 13       # Softmax over one axis, ReduceSum's axes as an input


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx library: pip install "
                          "retrograd[interop] (or pip install onnx onnxruntime)") from None
    return onnx


def export(model, args, f, *, input_names=None, output_names=None, dynamic_axes=None,
           opset_version=None, export_params=True, verbose=False, do_constant_folding=True,
           dynamo=False):
    """Write ``model`` (an ``nn.Module`` or a ``retrograd.keras`` model) run on
    ``args`` (an example input — a tensor or an array — or a tuple of them) to ``f``
    (a path, written atomically, or a binary file object) as an ONNX model, as
    ``torch.onnx.export`` does. Returns the ``onnx.ModelProto``.

    ``input_names``/``output_names``: the graph's names (default ``input``,
    ``input_1``…, ``output``…); ``dynamic_axes``: ``{name: {axis: "batch"}}`` or
    ``{name: [axis, …]}``, the axes whose size may differ from the example's (an
    output not named there has a dynamic batch axis when an input has one);
    ``opset_version``: the ONNX opset (default 18). The options after ``f`` are
    keywords, as in PyTorch; ``do_constant_folding`` and ``dynamo`` are accepted for
    PyTorch's sake and change nothing (ops on weights alone, such as ``w.T`` in a
    ``forward``, are written as they ran, not folded).

    >>> retrograd.onnx.export(model, rg.randn(1, 4), "model.onnx",
    ...                       dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    """
    onnx = _onnx()
    if not export_params:
        raise NotSupportedError("onnx.export: export_params=False (a graph without its "
                                "weights) is not supported")
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(f"onnx.export: opset_version={opset_version!r}; expected "
                         f"{MIN_OPSET} to {newest} (the installed onnx's newest)")
    inputs = _example_inputs(args, _device_of(model))
    outputs = _trace(model, inputs)
    input_names = _names(input_names, len(inputs), "input", "input_names")
    output_names = _names(output_names, len(outputs), "output", "output_names")
    axes = _dynamic_axes(dynamic_axes, input_names + output_names)

    batch = next((axes[n][0] for n in input_names if 0 in axes.get(n, {})), None)
    for name, t in zip(output_names, outputs):
        # An output not named in dynamic_axes follows a dynamic batch when it has one
        # (as PyTorch's shape inference gives it).
        if batch is not None and name not in axes and t.ndim and \
                t.shape[0] == inputs[0].shape[0]:
            axes[name] = {0: batch}
    g = Graph(onnx, opset, dynamic_batch=batch is not None)
    params = {id(p): n for n, p in getattr(model, "named_parameters", lambda: [])()}
    for t, name in zip(inputs, input_names):
        g.names[id(t)] = name
        g.input_arrays[id(t.array)] = name     # integer inputs: ops keep their arrays
    for op, out in _ops(outputs, inputs):
        xs = [g.value(t, params) for t in op.parents]
        g.names[id(out)] = converters.convert(g, op, xs, out)
    for t, name in zip(outputs, output_names):
        g.nodes.append(onnx.helper.make_node("Identity", [g.value(t, params)], [name]))
    used = {i for n in g.nodes for i in n.input}     # a converter may leave one unread
    g.initializers = [i for i in g.initializers if i.name in used]

    graph = onnx.helper.make_graph(
        g.nodes, type(model).__name__,
        [g.info(n, t, axes.get(n, {})) for n, t in zip(input_names, inputs)],
        [g.info(n, t, axes.get(n, {})) for n, t in zip(output_names, outputs)],
        g.initializers)
    opsets = [onnx.helper.make_opsetid("", opset)]
    # The oldest IR version the opset allows: runtimes older than this onnx read it.
    proto = onnx.helper.make_model(graph, producer_name="retrograd", opset_imports=opsets,
                                   ir_version=onnx.helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
    else:
        atomic_write(f, lambda out: out.write(data))
    if verbose:
        print(onnx.helper.printable_graph(graph))
    return proto


def _device_of(model):
    """The device of the model's first parameter: arrays given as examples go there."""
    parameters = getattr(model, "parameters", None)
    first = next(iter(parameters()), None) if parameters is not None else None
    return "cpu" if first is None else first.device


def _example_inputs(args, device):
    if not isinstance(args, (tuple, list)):
        args = (args,)
    if not args:
        raise ValueError("onnx.export: args is empty; give an example input (a tensor "
                         "or an array of the model's input shape)")
    inputs = []
    for i, a in enumerate(args):
        if not isinstance(a, Tensor) and not hasattr(a, "__array__") and \
                not isinstance(a, (int, float, list)):
            raise TypeError(f"onnx.export: args[{i}] is a {type(a).__name__}; expected a "
                            "tensor or an array (keyword arguments are not traced)")
        array = a.array if isinstance(a, Tensor) else \
            backend.to_device(np.asarray(a), device)
        t = Tensor._wrap(array.copy())     # a fresh leaf: the trace starts here
        if t.dtype.kind in "fc":
            t.requires_grad_(True)
        inputs.append(t)
    return inputs


def _trace(model, inputs):
    """The model's outputs on ``inputs``, run once in inference mode with the graph
    recorded; the model's training flag is restored afterwards."""
    if not callable(model):
        raise TypeError(f"onnx.export: model must be a retrograd nn.Module or keras "
                        f"model, got {type(model).__name__}")
    training = getattr(model, "training", None)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with enable_grad():
            if _is_keras(model) and len(inputs) > 1:
                out = model(list(inputs))       # a keras model takes its inputs as a list
            else:
                out = model(*inputs)
    finally:
        if training is not None and hasattr(model, "train"):
            model.train(training)
    outputs = list(out) if isinstance(out, (tuple, list)) else \
        list(out.values()) if isinstance(out, dict) else [out]
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(f"onnx.export: output {i} of the model is a "
                            f"{type(o).__name__}; expected tensors")
    return outputs


def _is_keras(model):
    return type(model).__module__.startswith("retrograd.keras")


def _ops(outputs, inputs):
    """The ops between the inputs and the outputs, each with its output tensor, in
    the order they ran (their ``seq``): a topological order, without recursion."""
    stop = {id(t) for t in inputs}
    found, stack = {}, [t for t in outputs]
    while stack:
        t = stack.pop()
        op = t._op
        if op is None or id(t) in stop or id(op) in found:
            continue
        if op.freed:
            raise RuntimeError(f"onnx.export: {op.name} was freed by a backward pass "
                               "during the traced forward")
        found[id(op)] = (op, t)
        stack.extend(op.parents)
    return sorted(found.values(), key=lambda pair: pair[0].seq)


def _names(names, n, stem, what):
    if names is None:
        return [stem if i == 0 else f"{stem}_{i}" for i in range(n)]
    names = list(names)
    if len(names) != n or len(set(names)) != n or not all(isinstance(x, str) for x in names):
        raise ValueError(f"onnx.export: {what}={names!r}; expected {n} distinct strings "
                         f"(the model has {n})")
    return names


def _dynamic_axes(dynamic_axes, names):
    out = {}
    for name, spec in (dynamic_axes or {}).items():
        if name not in names:
            raise ValueError(f"onnx.export: dynamic_axes names {name!r}, which is not an "
                             f"input or output name ({', '.join(names)})")
        if isinstance(spec, dict):
            out[name] = {int(a): str(d) for a, d in spec.items()}
        else:
            out[name] = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(spec)}
    return out


class Graph:
    """The ONNX graph being built: its nodes, its initializers, and the ONNX name of
    each traced tensor (by ``id``)."""

    def __init__(self, onnx, opset, dynamic_batch):
        self.onnx, self.opset, self.dynamic_batch = onnx, opset, dynamic_batch
        self.nodes, self.initializers, self.names, self.input_arrays = [], [], {}, {}
        self._count = 0
        self._keep = []       # the tensors named by id: alive until the export ends

    def fresh(self, stem):
        self._count += 1
        return f"{stem}_{self._count}"

    def node(self, op_type, inputs, **attrs):
        """Add an ``op_type`` node; return its output's name."""
        out = self.fresh(op_type.lower())
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), [out],
                                                     name=f"/{out}", **attrs))
        return out

    def const(self, value, dtype):
        """An initializer holding ``value`` (a number or a list) as ``dtype``."""
        name = self.fresh("const")
        self.initializers.append(self.onnx.numpy_helper.from_array(
            np.asarray(value, dtype=dtype), name))
        return name

    def value(self, t, params):
        """The name of tensor ``t``: an op's output or an input already named, or a
        leaf — a parameter (its name in the model) or a constant — added as an
        initializer."""
        name = self.names.get(id(t))
        if name is None:
            name = params.get(id(t)) or self.fresh("constant")
            array = np.asarray(backend.to_device(t.array, "cpu"))
            self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
            self.names[id(t)] = name
            self._keep.append(t)
        return name

    def onnx_type(self, dtype):
        return self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))

    def info(self, name, t, dynamic):
        shape = [dynamic.get(i, n) for i, n in enumerate(t.shape)]
        return self.onnx.helper.make_tensor_value_info(name, self.onnx_type(t.dtype), shape)
