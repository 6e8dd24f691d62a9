"""The functional API: ``keras.Model(inputs, outputs)``, a model made of the layer
calls that lead from ``keras.Input`` to the output.

    inputs = keras.Input(shape=(784,))
    h = layers.Dense(64, activation="relu")(inputs)
    h = layers.Add()([h, layers.Dense(64, activation="relu")(h)])     # a skip connection
    outputs = layers.Dense(10, activation="softmax")(h)
    model = keras.Model(inputs, outputs)

The model walks the graph back from its outputs once, when it is made, and keeps
the layer calls in an order where every call comes after the calls it reads: a
*plan* of (layer, input slots, output slot). Running the model runs the plan over
a list of values (the inputs first); a layer called twice (shared) appears twice
in the plan with the same weights. A model with several outputs, called as a layer,
is one node whose outputs fill consecutive slots: ``o1, o2 = base(inputs)``. Inputs and outputs are one KerasTensor each, or
lists (dicts by name) of them: a model with several inputs and outputs::

    a, b = keras.Input(shape=(8,), name="a"), keras.Input(shape=(4,), name="b")
    h = layers.Dense(16, activation="relu")(layers.Concatenate()([a, b]))
    model = keras.Model([a, b], [layers.Dense(3, activation="softmax", name="cls")(h),
                                 layers.Dense(1, name="reg")(h)])
"""
import functools

from ..nn.containers import ModuleList
from ..tensor import Tensor
from . import summary as summary_module
from .data_adapters import by_name as _by_name
from .keras_tensor import KerasTensor, _refill
from .layers import InputLayer
from .layers.layer import OpLayer, entry_call, losses_of
from .model import Model, free_name


def _tensors(tensors, what):
    """(list of KerasTensors, dict keys or None) from ``x``, ``[x, …]`` or
    ``{"name": x, …}``; one tensor in a list or a dict counts as one."""
    keys = None
    if isinstance(tensors, dict):
        keys = list(tensors)
        if not all(isinstance(k, str) for k in keys):
            raise TypeError(f"Model: the keys of a dict of {what}s must be names (strings), "
                            f"got {keys}")
        tensors = list(tensors.values())
    elif not isinstance(tensors, (list, tuple)):
        tensors = [tensors]
    if not tensors:
        raise ValueError(f"Model: no {what}s given")
    for t in tensors:
        if not isinstance(t, KerasTensor):
            raise TypeError(f"Model: {what}s must be KerasTensors (keras.Input(...) and the "
                            f"outputs of layers called on it), got {type(t).__name__}")
    if len({id(t) for t in tensors}) != len(tensors):
        raise ValueError(f"Model: the same tensor is given twice as an {what}")
    return list(tensors), (keys if keys is not None and len(keys) > 1 else None)


def _plan(inputs, outputs):
    """The nodes from ``inputs`` to ``outputs`` in execution order (each after its
    inputs), found by an iterative depth-first walk back from the outputs."""
    order, done = [], set()
    allowed = {id(t.node) for t in inputs}
    stack = [(t.node, False) for t in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
            continue
        if not node.inputs:             # an Input
            if id(node) not in allowed:
                raise ValueError(
                    f"Graph disconnected: an output depends on keras.Input "
                    f"{node.layer.name!r} of shape {node.output.shape}, which is not among "
                    f"the model's inputs {[t.node.layer.name for t in inputs]}; give it in "
                    "keras.Model(inputs=[...], ...)")
            done.add(id(node))
            continue
        stack.append((node, True))
        for t in reversed(node.inputs):
            if id(t.node) not in done:
                stack.append((t.node, False))
    return order


class Functional(Model):
    """A model defined by ``keras.Model(inputs, outputs, name=None)``: the layer calls
    that lead from the inputs (``keras.Input``) to the outputs. Trained, evaluated,
    summarised and saved like a ``Sequential`` (the same training engine).

    ``inputs`` and ``outputs`` are one KerasTensor, a list of them or a dict by
    name; with several, x (and y) are given to ``fit``/``predict`` as lists in that
    order or as dicts by input (output) name: an input's name is its
    ``keras.Input(name=...)``, an output's the layer that produces it.

    >>> x = keras.Input(shape=(4,))
    >>> y = layers.Dense(3, activation="softmax")(layers.Dense(8, activation="relu")(x))
    >>> model = keras.Model(x, y)
    >>> a, b = keras.Input(shape=(4,), name="a"), keras.Input(shape=(2,), name="b")
    >>> h = layers.Concatenate()([a, b])
    >>> two = keras.Model([a, b], [layers.Dense(3, name="cls")(h), layers.Dense(1, name="reg")(h)])
    """

    _file_class = "Functional"

    def __init__(self, inputs, outputs, name=None, trainable=True):
        Model.__init__(self, name=name or "functional", trainable=trainable)
        self.auto_name = name is None
        ins, in_keys = _tensors(inputs, "input")
        outs, out_keys = _tensors(outputs, "output")
        # trainable=False is the model's flag alone (its layers keep theirs), as Keras 3.
        self._init_graph(ins, outs, in_keys, out_keys)

    def _init_graph(self, inputs, outputs, in_keys=None, out_keys=None):
        for t in inputs:
            if not isinstance(t.node.layer, InputLayer) or t.node.inputs:
                raise ValueError(f"Model: the inputs must come from keras.Input(...), got the "
                                 f"output of layer {t.node.layer.name!r}")
        self._inputs, self._outputs = inputs, outputs
        self._in_keys, self._out_keys = in_keys, out_keys
        self._nodes = _plan(inputs, outputs)
        layers = [t.node.layer for t in inputs]
        listed = {id(layer) for layer in layers}    # a set: linear in the graph's size
        for node in self._nodes:
            if id(node.layer) not in listed:
                listed.add(id(node.layer))
                layers.append(node.layer)
        self.stack = ModuleList(layers)
        self._unique_layer_names()
        names = [t.node.layer.name for t in inputs]
        if len(set(names)) != len(names):
            raise ValueError(f"Model {self.name!r}: two inputs are named alike {names}; name "
                             "them with keras.Input(name=...)")
        # Slots: the inputs first, then one per node's output (a node with several
        # outputs writes a slice of consecutive slots).
        slot = {id(t): i for i, t in enumerate(inputs)}
        n = len(inputs)
        steps, self._step_of_slot = [], {}
        for k, node in enumerate(self._nodes):
            fn = node.layer if node.training is None else \
                functools.partial(node.layer, training=node.training)
            multi = node.multi
            if node.rebuild is not None:    # a protocol layer: its call's structure
                fn, multi = _restructured(fn, *node.rebuild), True
            first = n
            for t in node.outputs:
                slot[id(t)], self._step_of_slot[n] = n, k
                n += 1
            if len(node.outputs) > 1:
                fn, out = _several(fn, node), slice(first, n)
            else:
                out = first
            steps.append((fn, [slot[id(t)] for t in node.inputs], out, multi))
        self._steps = steps
        # Only a layer with Keras 3's call protocol may add losses (add_loss).
        self._tracks_losses = any(getattr(layer, "_protocol", False) for layer in layers)
        self._n_slots = n
        self._out_slots = [slot[id(t)] for t in outputs]
        self.input_shape_known = tuple(inputs[0].shape[1:])
        self.output_shape = tuple(outputs[0].shape)
        self.built = all(layer.built for layer in layers)
        if self.built:
            self._compile_plans()

    @property
    def input(self):
        """The input KerasTensor (a list, or dict, of them for several inputs)."""
        return self._structure(self._inputs, self._in_keys)

    @property
    def output(self):
        return self._structure(self._outputs, self._out_keys)

    @staticmethod
    def _structure(items, keys):
        if keys is not None:
            return dict(zip(keys, items))
        return items[0] if len(items) == 1 else list(items)

    @property
    def losses(self):
        """The losses its layers added at the last call (``add_loss``), then the
        penalties of the trainable weights' regularizers (Keras's ``model.losses``)."""
        return losses_of(self)

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    def _input_names(self):
        """The inputs' names: the dict's keys when the inputs were given as a dict
        (as Keras 3), else the names of their keras.Input."""
        if self._in_keys is not None:
            return list(self._in_keys)
        return [t.node.layer.name for t in self._inputs]

    @property
    def output_names(self):
        """The outputs' names: the dict's keys when the outputs were given as a dict,
        else the names of the layers that produce them (made unique)."""
        if self._out_keys is not None:
            return list(self._out_keys)
        names, used = [], set()
        for t in self._outputs:
            name = t.node.layer.name
            if name in used:
                name = free_name(name, used)
            used.add(name)
            names.append(name)
        return names

    def _output_shapes(self):
        return [tuple(t.shape) for t in self._outputs]

    @property
    def input_shape(self):
        shapes = [tuple(t.shape) for t in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def layers(self):
        """The layers, the InputLayers first, each once (as Keras 3 lists them: the
        operations on KerasTensors, ``x + y``, are nodes but not layers)."""
        return [layer for layer in self.stack if not isinstance(layer, OpLayer)]

    def _build_layers(self):
        """Create the weights of every layer (after a model file was checked)."""
        for node in self._nodes:
            node.layer.build_for(node.input_shapes())
        self.built = True
        self._compile_plans()
        if self.compiled and not self.optimizer.built and self.trainable_weights:
            self.optimizer.build(self.trainable_weights)

    def _ensure_built(self, x, who):
        if not self.built:
            self._build_layers()
        one = len(self._inputs) == 1
        for i, (t, a) in enumerate(zip(self._inputs, [x] if one else x.arrays)):
            name = t.node.layer.name
            self._check_input_shape(a, who, name, index=i,
                                    arg="x" if one else f"x[{name!r}]", expected=t.shape)

    # -- computing ----------------------------------------------------------------------
    def _compile_plans(self):
        """Per output, the layer whose logits a fused loss may read instead of the
        output (only where no other layer reads that output); ``_plan_for`` makes each
        plan from ``_steps`` on demand."""
        read = {i for _, ins, _, _ in self._steps for i in ins}
        self._logit_layers = []
        for out_slot in self._out_slots:
            layer = None
            step = self._step_of_slot.get(out_slot)
            if step is not None and out_slot not in read and \
                    self._out_slots.count(out_slot) == 1 and \
                    len(self._nodes[step].outputs) == 1:
                layer = self._nodes[step].layer
                if layer.output_activation is None:
                    layer = None
            self._logit_layers.append(layer)
        self._plans = {}

    def _plan_for(self, logits):
        """The plan where the outputs flagged in ``logits`` end in their logits."""
        flags = (logits,) * len(self._outputs) if isinstance(logits, bool) else tuple(logits)
        plan = self._plans.get(flags)
        if plan is None:
            plan = list(self._steps)
            for flag, layer, out_slot in zip(flags, self._logit_layers, self._out_slots):
                if flag and layer is not None:
                    step = self._step_of_slot[out_slot]
                    _, ins, out, multi = plan[step]
                    plan[step] = (getattr(layer, "masked_logits", layer.logits), ins, out,
                                  multi)
            self._plans[flags] = plan
        return plan

    def _output_layer(self):
        return self._logit_layers[0] if self._steps else None

    def _output_layers(self):
        return list(self._logit_layers)

    def _run(self, xs, plan):
        if self._tracks_losses:     # the layers' losses become this call's
            with entry_call(self):
                return self._run_plan(xs, plan)
        return self._run_plan(xs, plan)

    def _run_plan(self, xs, plan):
        values = [None] * self._n_slots
        values[:len(xs)] = xs
        for fn, ins, out, multi in plan:
            values[out] = fn([values[i] for i in ins]) if multi else fn(values[ins[0]])
        outs = [values[i] for i in self._out_slots]
        return outs[0] if len(outs) == 1 else outs

    def _forward(self, x, logits=False):
        """The output (a list of them with several outputs); with ``logits`` (a flag,
        or one per output), the output layers' pre-activation scores."""
        xs = x if isinstance(x, list) else [x]
        return self._run(xs, self._plan_for(logits))

    def _step_layers(self, fused):
        plan = self._plan_for(fused)
        run = self._run
        return (), (lambda x: run([x], plan))

    def _eager_call(self, *args, **kwargs):
        if len(self._inputs) > 1 and args and isinstance(args[0], (list, tuple, dict)):
            return self.forward(*args, **kwargs)
        return Model._eager_call(self, *args, **kwargs)

    def forward(self, x, training=None):
        """``model(x)``: the output tensor(s); x is one tensor/array, or with several
        inputs a list (or a dict by input name) of them; ``training`` runs it in
        training (True) or inference (False) mode for this call."""
        if len(self._inputs) == 1:
            return Model.forward(self, x, training)
        who = f"call of {self._who()}"
        if isinstance(x, dict):
            x = _by_name(x, self._input_names(), who, "x", self.name, "input")
        if not isinstance(x, (list, tuple)) or len(x) != len(self._inputs):
            raise ValueError(f"{who}: model {self.name!r} has {len(self._inputs)} inputs "
                             f"{self._input_names()}; give a list of {len(self._inputs)} "
                             "tensors or a dict by input name")
        xs = [t if isinstance(t, Tensor) else self._as_input(t) for t in x]
        if not self.built:
            self._build_layers()
        for i, (t, a) in enumerate(zip(self._inputs, xs)):
            self._check_input_shape(a, who, t.node.layer.name, index=i,
                                    arg=f"x[{t.node.layer.name!r}]", expected=t.shape)
        return self._in_mode(training, self._forward, xs)

    # -- as a layer of another model ------------------------------------------------------
    def _expected_input_shapes(self):
        return [tuple(t.shape) for t in self._inputs]

    def build(self, input_shape=None):
        """Create every layer's weights (the input shapes are the graph's)."""
        if input_shape is not None:
            self.check_weights_fit(input_shape)
        if not self.built:
            self._build_layers()

    def compute_output_shape(self, input_shape):
        """The output shape; with several outputs a list of them (a dict by name when
        the outputs were given as a dict), as Keras."""
        self.check_weights_fit(input_shape)
        shapes = [tuple(t.shape) for t in self._outputs]
        if len(shapes) == 1:
            return shapes[0]
        return shapes if self._out_keys is None else dict(zip(self._out_keys, shapes))

    def weight_shapes(self, input_shape):
        return self.expected_weight_shapes()

    def _structure_outputs(self, arrays):
        return self._structure(arrays, self._out_keys)

    # -- summary ------------------------------------------------------------------------
    def _input_nodes(self):
        return [t.node for t in self._inputs]

    def _node_index(self):
        """Each node's index among its layer's calls in this model."""
        count, index = {}, {}
        for node in self._input_nodes() + self._nodes:
            k = count.get(id(node.layer), 0)
            index[id(node)] = k
            count[id(node.layer)] = k + 1
        return index, count

    def _summary_rows(self):
        index, count = self._node_index()
        # Keras 3 adds "Connected to" unless the graph is a plain chain: one input and
        # one output, no layer with several inputs, none called twice.
        chain = len(self._inputs) == 1 and len(self._outputs) == 1 and \
            all(len(n.inputs) <= 1 for n in self._nodes) and \
            all(c == 1 for c in count.values())
        nodes_of = {}
        for node in self._input_nodes() + self._nodes:
            nodes_of.setdefault(id(node.layer), []).append(node)
        rows = []
        for layer in self.stack:
            nodes = nodes_of[id(layer)]
            last = nodes[-1]
            cells = [f"{layer.name} ({type(layer).__name__})",
                     summary_module.format_shapes([t.shape for t in last.outputs],
                                                  last.keys),
                     f"{layer.count_params():,}"]
            if not chain:
                links = [f"{t.node.layer.name}[{index[id(t.node)]}][{t.index}]"
                         for node in nodes for t in node.inputs]
                cells.append(", ".join(links) or "-")
            rows.append(tuple(cells))
        return rows, not chain

    # -- configuration ------------------------------------------------------------------
    def get_config(self):
        """Keras 3's configuration of the model: its layers, each with its calls
        (``inbound_nodes``: the KerasTensors each call read, as [layer, node index,
        tensor index] references) and the input and output layers
        (``saving/config.functional_config``, the same dict real Keras 3 writes)."""
        from .saving.config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None, build=True):
        """A model from a configuration: Keras 3's (``get_config()``, a ``.keras``
        file's) or the one retrograd wrote before. Only the classes of
        ``keras.layers`` (and ``custom_objects``) can be named; ``build=False``
        creates no weights (the shapes are computed, so a file's weights can be
        checked first)."""
        from .saving.config import as_json, functional_from_config
        return functional_from_config(as_json(config), custom_objects, build=build)

    def expected_weight_shapes(self):
        """{"<layer>/<weight>": shape} that building would create, computed from the
        shapes alone (nothing allocated): what a file must hold to fit."""
        out = {}
        for node in self._nodes:
            for n, s in node.layer.weight_shapes(node.input_shapes()).items():
                out.setdefault(f"{node.layer.name}/{n}", tuple(s))
        return out


def _restructured(layer, args, kwargs):
    """A step for a protocol layer's node: the values, in the order of the node's
    inputs, put back in the call's structure (a list, a dict, several arguments)."""
    def call(values):
        return layer(*_refill(args, values), **kwargs)
    return call


def _several(fn, node):
    """A step for a node with several outputs: ``fn``'s outputs as a flat list in the
    node's order (a dict's by its keys), checked against their number."""
    keys, n, who = node.keys, len(node.outputs), f"{type(node.layer).__name__} " \
        f"{node.layer.name!r}"

    def call(x):
        out = fn(x)
        flat = out
        if isinstance(out, dict):
            flat = [out[k] for k in keys] if keys is not None and set(out) == set(keys) \
                else None
        if not isinstance(flat, (list, tuple)) or len(flat) != n:
            got = f"a dict with keys {sorted(out)}" if isinstance(out, dict) else \
                f"a {type(out).__name__}" + (f" of {len(out)}" if isinstance(
                    out, (list, tuple)) else "")
            raise ValueError(f"{who} returned {got}, but its node in the graph has {n} "
                             "outputs" + (f" {keys}" if keys else ""))
        return list(flat)
    return call
