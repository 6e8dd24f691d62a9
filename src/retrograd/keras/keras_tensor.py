"""Symbolic tensors: what ``keras.Input`` returns, and what a layer returns when it is
called on one.

A ``KerasTensor`` holds no values: only the shape (batch axis ``None``) of the value
that will be computed, and the ``Node`` that computes it — one call of a layer on
other KerasTensors. ``keras.Model(inputs, outputs)`` walks the nodes back from the
outputs to the inputs to find which layers to run, in which order::

    x = keras.Input(shape=(784,))                       # KerasTensor shape=(None, 784)
    h = layers.Dense(64, activation="relu")(x)          # node: dense(x)
    y = layers.Dense(10, activation="softmax")(layers.Add()([h, layers.Dense(64)(x)]))
    model = keras.Model(x, y)

Calling a layer on a KerasTensor builds the layer's weights for that shape (as
Keras does), so the model is ready to train once it is made. A layer that does not
give its output shape by a formula (``compute_output_shape``) gets it by running its
``call`` on stand-in values of the input shapes (Keras's ``compute_output_spec``):
``infer_output``. Python operators and ``keras.ops`` on KerasTensors (``x + y``,
``x[:, :2]``, ``ops.concatenate([a, b])``) record a node too (``symbolic_op``).
"""
import operator

import numpy as np

from .. import backend
from ..function import no_grad
from ..tensor import Tensor
from .input_spec import assert_input_compatibility


class Node:
    """One call of ``layer`` on symbolic inputs: ``output = layer(inputs)``.

    ``multi``: the layer was given a list (merge layers such as ``Add``, a model with
    several inputs); ``training``: a model used as a layer was called with
    ``training=True``/``False`` (None: the outer model's mode). ``outputs``: the
    KerasTensors it produces, in order — one, or several for a model with several
    outputs (``keys``: their names when the model returns a dict). Each node is
    appended to ``layer._inbound_nodes``; ``index`` is its position there."""

    def __init__(self, layer, inputs, multi=False, training=None):
        self.layer, self.inputs, self.multi = layer, list(inputs), multi
        self.training = training    # a model called with training=True/False
        self.outputs, self.keys = [], None
        self.rebuild = None         # (args, kwargs) of a protocol layer's call
        layer._inbound_nodes.append(self)
        self.index = len(layer._inbound_nodes) - 1

    @property
    def output(self):
        """The output KerasTensor (a list of them for a node with several)."""
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    @output.setter
    def output(self, tensor):
        self.outputs = [tensor]

    def make_outputs(self, shape, dtypes=None):
        """The node's KerasTensors for the output shape the layer computed: one shape
        (a tuple), or for a model with several outputs a list of shapes (a dict by
        output name, as Keras's ``compute_output_shape``). Returns them in that
        structure."""
        if isinstance(shape, dict):
            self.keys = list(shape)
            dt = dtypes or {k: "float32" for k in shape}
            self.outputs = [KerasTensor(s, self, index=i, name=f"{self.layer.name}_{k}",
                                        dtype=dt[k])
                            for i, (k, s) in enumerate(shape.items())]
            return dict(zip(self.keys, self.outputs))
        if isinstance(shape, list) and shape and all(isinstance(s, (tuple, list))
                                                     for s in shape):
            dt = dtypes or ["float32"] * len(shape)
            self.outputs = [KerasTensor(s, self, index=i, dtype=dt[i])
                            for i, s in enumerate(shape)]
            return list(self.outputs)
        self.outputs = [KerasTensor(shape, self, dtype=dtypes or "float32")]
        return self.outputs[0]

    def input_shapes(self):
        """The shape (or list of shapes) the layer sees at this node."""
        shapes = [t.shape for t in self.inputs]
        return shapes if self.multi else (shapes[0] if shapes else None)

    def __repr__(self):
        return f"<Node {self.layer.name}[{self.index}] of {len(self.inputs)} input(s)>"


class KerasTensor:
    """A placeholder for a batch of values: ``shape`` (``None`` for the batch axis),
    ``dtype``, ``node``, the layer call that produces it, and ``index``, which of
    that call's outputs it is (0 but for a model with several outputs)."""

    def __init__(self, shape, node=None, dtype="float32", name=None, index=0):
        self.shape = tuple(shape)
        self.node, self.index = node, index
        self.dtype = str(getattr(dtype, "name", dtype))
        self.name = name if name is not None else "keras_tensor" if node is None else \
            f"keras_tensor_{node.layer.name}" + (f"_{index}" if index else "")
        self._keras_mask = None     # the mask the value will carry (a bool KerasTensor)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(f"{self!r} is a placeholder with no values: it cannot become a "
                        "NumPy array; compute with layers or keras.ops on it, and give "
                        "values to the model built from it")

    def __bool__(self):
        raise TypeError(f"{self!r} is a placeholder with no values: it has no truth value")

    # Python operators record a node, as keras.ops does (``x += y`` rebinds x).
    def _op(name, fn, swap=False):
        def method(self, *other):
            args = (other[0], self) if swap else (self, *other)
            return symbolic_op(fn, name, args, {})
        method.__name__ = f"__{'r' if swap else ''}{name}__"
        return method

    __add__, __radd__ = _op("add", operator.add), _op("add", operator.add, True)
    __sub__, __rsub__ = _op("subtract", operator.sub), _op("subtract", operator.sub, True)
    __mul__, __rmul__ = _op("multiply", operator.mul), _op("multiply", operator.mul, True)
    __truediv__ = _op("divide", operator.truediv)
    __rtruediv__ = _op("divide", operator.truediv, True)
    __matmul__ = _op("matmul", operator.matmul)
    __rmatmul__ = _op("matmul", operator.matmul, True)
    __pow__, __rpow__ = _op("power", operator.pow), _op("power", operator.pow, True)
    __neg__, __abs__ = _op("negative", operator.neg), _op("absolute", operator.abs)
    __getitem__ = _op("get_item", operator.getitem)
    del _op
    __array_priority__ = 2000       # numpy_array + x → x.__radd__
    __hash__ = object.__hash__


def KerasSpec(shape, dtype="float32"):
    """A KerasTensor of no graph: a shape and a dtype to run ``call`` on."""
    return KerasTensor(shape, None, dtype)


def _is_shape(s):
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer))
                                                for d in s)


def map_shapes(fn, shapes):
    """``fn`` on each shape of a shape, a list of shapes or a dict of them."""
    if isinstance(shapes, dict):
        return {k: map_shapes(fn, v) for k, v in shapes.items()}
    if _is_shape(shapes):
        return fn(tuple(shapes))
    return [map_shapes(fn, s) for s in shapes]


def flatten(structure):
    """The KerasTensors of nested lists, tuples and dicts, in order."""
    if isinstance(structure, KerasTensor):
        return [structure]
    if isinstance(structure, (list, tuple)):
        return [t for v in structure for t in flatten(v)]
    if isinstance(structure, dict):
        return [t for v in structure.values() for t in flatten(v)]
    return []


def map_structure(fn, structure):
    """``structure`` with ``fn`` applied to each KerasTensor (the rest kept)."""
    if isinstance(structure, KerasTensor):
        return fn(structure)
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return structure


def _refill(structure, values):
    """``structure`` with its KerasTensors replaced by ``values`` in order."""
    it = iter(values)
    return map_structure(lambda t: next(it), structure)


_PROBE_SIZES = (2, 3)       # the sizes an unknown axis takes in the two runs


def _stand_in(t, n, device):
    shape = tuple(n if d is None else d for d in t.shape)
    value = Tensor._wrap(backend.to_device(np.ones(shape, dtype=t.dtype), device))
    mask = t._keras_mask
    if mask is not None:        # a masked input's stand-in carries an all-True mask
        value._keras_mask = _stand_in(mask, n, device)
    return value


def _mask_leaves(out):
    if isinstance(out, dict):
        out = list(out.values())
    if not isinstance(out, (list, tuple)):
        out = [out]
    return [getattr(o, "_keras_mask", None) if isinstance(o, Tensor) else None for o in out]


def _mask_shapes(runs):
    """The shapes of the masks of the runs' outputs (None where there is none), the
    axes that follow the probe sizes unknown."""
    shapes = []
    for k, first in enumerate(runs[0]):
        if first is None or not isinstance(first, Tensor):
            shapes.append(None)
            continue
        shape = tuple(first.shape)
        for run in runs[1:]:
            other = run[k]
            if other is None or other.ndim != len(shape):
                shape = None
                break
            shape = tuple(a if a == b else None for a, b in zip(shape, other.shape))
        shapes.append(shape)
    return shapes


def set_symbolic_masks(node, mask_runs):
    """Give the node's output KerasTensors the masks (bool KerasTensors) that the
    probe runs' outputs carried."""
    if not mask_runs:
        return
    for kt, shape in zip(node.outputs, _mask_shapes(mask_runs)):
        if shape is not None:
            kt._keras_mask = KerasTensor(shape, None, "bool",
                                         name=f"{kt.name}_mask")


def probe_masks(layer, args, kwargs=None):
    """The output masks of ``layer`` (one list per probe size) for symbolic ``args``:
    its ``compute_mask`` on stand-in values carrying stand-in masks. [] when no mask
    can come out (no input mask and a layer that makes none)."""
    from .layers.layer import keras_mask
    tensors = flatten(args)
    has_mask = any(t._keras_mask is not None for t in tensors)
    if not getattr(layer, "supports_masking", False) or \
            not (has_mask or getattr(layer, "_makes_mask", False)):
        return []
    unknown = any(d is None for t in tensors for d in t.shape)
    runs = []
    with no_grad():
        for n in _PROBE_SIZES if unknown else _PROBE_SIZES[:1]:
            values = _refill(args, [_stand_in(t, n, "cpu") for t in tensors])
            x = values[0] if isinstance(values, (list, tuple)) and \
                not getattr(layer, "multi_input", False) or \
                isinstance(values, tuple) else values
            mask = (kwargs or {}).get("mask")
            if mask is None:
                mask = keras_mask(x)
                if isinstance(mask, list) and all(m is None for m in mask):
                    mask = None
            try:
                out = layer.compute_mask(x, mask)
                out = list(out) if isinstance(out, (list, tuple)) else [out]
                runs.append([m if isinstance(m, Tensor) else None for m in out])
            except Exception:   # noqa: BLE001 - computed again when the model runs
                return []
    return runs


def infer_output(who, fn, args, kwargs, state=(), masks=None):
    """The output shapes and dtypes of ``fn(*args, **kwargs)`` for KerasTensors in
    ``args``: ``fn`` runs (without gradients) on stand-in values, unknown axes
    (``None``) of size 2 then 3; an output axis that follows them is unknown, the
    others are known. ``state``: tensors restored after the runs (a layer's
    weights: a call that updates them leaves them as they were). Returns (shapes,
    dtypes) in the output's structure: one, a list, or a dict."""
    leaves = flatten(args)
    unknown = any(d is None for t in leaves for d in t.shape)
    saved = [(t, t.array.copy()) for t in state]
    device = state[0].device if state else "cpu"      # the layer's weights' device
    runs = []
    try:
        with no_grad():
            for n in _PROBE_SIZES if unknown else _PROBE_SIZES[:1]:
                values = [_stand_in(t, n, device) for t in leaves]
                try:
                    runs.append(fn(*_refill(args, values), **kwargs))
                    if masks is not None:
                        masks.append(_mask_leaves(runs[-1]))
                except Exception as e:
                    shapes = [t.shape for t in leaves]
                    msg = (f"{who}: could not compute its output for symbolic inputs of "
                           f"shape {shapes[0] if len(shapes) == 1 else shapes}: running "
                           f"call() on stand-in values (unknown sizes set to {n}) raised "
                           f"{type(e).__name__}: {e}")
                    try:
                        error = type(e)(msg)
                    except Exception:
                        error = ValueError(msg)
                    raise error from e
    finally:
        for t, a in saved:
            t.array[...] = a
    return _combine(who, runs)


def _combine(who, runs):
    first = runs[0]

    def leaves(out):
        if isinstance(out, dict):
            return list(out.values()), list(out)
        if isinstance(out, (list, tuple)):
            return list(out), None
        return [out], None
    outs, keys = leaves(first)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"{who}: call() must return a tensor, or a list or dict of "
                            f"tensors, got {type(o).__name__}")
    shapes = []
    for k, o in enumerate(outs):
        shape = tuple(o.shape)
        for run in runs[1:]:
            other = tuple(leaves(run)[0][k].shape)
            if len(other) != len(shape):
                raise ValueError(f"{who}: the rank of output {k} changes with the input "
                                 f"sizes ({shape} vs {other}); its shape cannot be inferred")
            shape = tuple(a if a == b else None for a, b in zip(shape, other))
        shapes.append(shape)
    dtypes = [str(o.dtype) for o in outs]
    if keys is not None:
        return dict(zip(keys, shapes)), dict(zip(keys, dtypes))
    if isinstance(first, (list, tuple)):
        return shapes, dtypes
    return shapes[0], dtypes[0]


def layer_symbolic_call(layer, args, kwargs, build=True):
    """``layer(*args, **kwargs)`` with KerasTensors in ``args`` (one, a list, a dict,
    several arguments), for a layer that follows Keras 3's call protocol: built for
    the input shapes, its output shapes from ``compute_output_shape`` when it defines
    one, else from ``infer_output``; a Node that runs it on values later."""
    from .layers.layer import Layer, clear_losses
    who = f"{type(layer).__name__} {layer.name!r}"
    kwargs = dict(kwargs)
    training = kwargs.pop("training", None)
    for k, v in kwargs.items():
        if flatten(v):
            raise TypeError(f"{who}: a symbolic keyword argument ({k}=) is not supported; "
                            "give symbolic inputs positionally")
    _check_no_values(who, args)
    spec = layer.__dict__.get("input_spec")
    if spec is not None:            # Keras's InputSpec, checked on the first argument
        assert_input_compatibility(spec, args[0], layer.name)
    tensors = flatten(args)
    if not layer.built and build:
        layer._build_from(list(args))
    first = map_shapes(tuple, _shapes(args[0]))
    mask_runs = []
    if type(layer).compute_output_shape is not Layer.compute_output_shape:
        shapes, dtypes = layer.compute_output_shape(first), None
        mask_runs = probe_masks(layer, args, kwargs)
    else:
        call = layer._protocol_call
        extra = dict(kwargs, training=training) if training is not None else kwargs
        shapes, dtypes = infer_output(who, call, args, extra, state=layer.weights,
                                      masks=mask_runs)
        clear_losses(layer)         # a symbolic call adds no loss (Keras 3)
    layer.input_shape = first
    layer.output_shape = shapes
    node = Node(layer, tensors, multi=len(tensors) > 1, training=training)
    node.rebuild = (args, kwargs)
    out = node.make_outputs(shapes, dtypes)
    set_symbolic_masks(node, mask_runs)
    return out


def _shapes(x):
    if isinstance(x, KerasTensor):
        return x.shape
    if isinstance(x, dict):
        return {k: _shapes(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_shapes(v) for v in x]
    return getattr(x, "shape", None)


def _check_no_values(who, args):
    def values(x):
        if isinstance(x, (list, tuple)):
            return any(values(v) for v in x)
        if isinstance(x, dict):
            return any(values(v) for v in x.values())
        return isinstance(x, (Tensor, np.ndarray))
    if any(values(a) for a in args):
        raise TypeError(f"{who}: some inputs are symbolic (KerasTensors) and others hold "
                        "values; every input of a layer in a functional model must come "
                        "from keras.Input(...) or from another layer")


def symbolic_op(fn, name, args, kwargs):
    """``fn(*args, **kwargs)`` with KerasTensors among the arguments (a Python
    operator, a ``keras.ops`` function): a node of an ``OpLayer`` that calls ``fn``,
    and its output KerasTensor(s), their shapes found by ``infer_output``."""
    from .layers.layer import op_layer_class
    leaves = flatten((args, kwargs))
    layer = op_layer_class(name)(fn, name, (args, kwargs))
    return layer_symbolic_call(layer, tuple(leaves), {})


def is_symbolic(x):
    """Whether ``x`` is a KerasTensor or a list/tuple holding one."""
    if isinstance(x, KerasTensor):
        return True
    return isinstance(x, (list, tuple)) and any(isinstance(t, KerasTensor) for t in x)


def symbolic_call(layer, inputs, build=True, training=None):
    """``layer(inputs)`` on KerasTensors: a new Node and its output KerasTensor (a
    list, or dict, of them for a model with several outputs).

    With ``build`` the layer creates its weights for the input shape at its first
    call (a later call must fit them: that is layer sharing); without, only the
    output shape is computed (a model file is checked before any weight exists)."""
    who = f"{type(layer).__name__} {layer.name!r}"
    if getattr(layer, "_protocol", False):
        return layer_symbolic_call(layer, (inputs,), {"training": training}, build=build)
    multi = isinstance(inputs, (list, tuple))
    tensors = list(inputs) if multi else [inputs]
    for i, t in enumerate(tensors):
        if not isinstance(t, KerasTensor):
            raise TypeError(f"{who}: input {i} is a {type(t).__name__}, but the others are "
                            "symbolic: every input of a layer in a functional model must come "
                            "from keras.Input(...) or from another layer")
    if multi and not layer.multi_input and len(tensors) == 1:
        multi = False       # layer([x]) is layer(x), as Keras accepts
    if multi != layer.multi_input:
        source = tensors[0].node
        if not layer.multi_input and len(source.outputs) == len(tensors) > 1 and \
                all(t.node is source for t in tensors):
            model = f"{type(source.layer).__name__} {source.layer.name!r}"
            raise ValueError(f"{who} takes one input, got the {len(tensors)} outputs of "
                             f"{model} (shapes {[t.shape for t in tensors]}); unpack them, "
                             f"e.g. a, b = {source.layer.name}(x), and give it one, or "
                             "merge them first (keras.layers.Concatenate, Add, ...)")
        if layer.multi_input:
            raise ValueError(f"{who} merges several inputs: call it on a list, e.g. "
                             f"{type(layer).__name__}()([a, b]); got one tensor of shape "
                             f"{tensors[0].shape}")
        raise ValueError(f"{who} takes one input, got a list of {len(tensors)}; merge them "
                         "first (keras.layers.Concatenate, Add, ...)")
    if multi and len(tensors) < 2:
        raise ValueError(f"{who} needs at least 2 inputs, got {len(tensors)}")
    shapes = [t.shape for t in tensors]
    shape = shapes if multi else shapes[0]
    if build:
        if layer.built:
            layer.check_weights_fit(shape)
        out_shape = layer.build_for(shape)
    else:
        out_shape = layer.compute_output_shape(shape)
    node = Node(layer, tensors, multi, training)
    out = node.make_outputs(out_shape)
    set_symbolic_masks(node, probe_masks(layer, (inputs,)))
    return out
