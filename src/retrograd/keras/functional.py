"""The functional API: ``keras.Model(inputs, outputs)``, a model made of the layer
calls that lead from ``keras.Input`` to the output.

    inputs = keras.Input(shape=(784,))
    h = layers.Dense(64, activation="relu")(inputs)
    h = layers.Add()([h, layers.Dense(64, activation="relu")(h)])     # a skip connection
    outputs = layers.Dense(10, activation="softmax")(h)
    model = keras.Model(inputs, outputs)

The model walks the graph back from its output once, when it is made, and keeps
the layer calls in an order where every call comes after the calls it reads: a
*plan* of (layer, input slots, output slot). Running the model runs the plan over
a list of values; a layer called twice (shared) appears twice in the plan with the
same weights. One input and one output (a KerasTensor each).
"""
from ..nn.containers import ModuleList
from . import summary as summary_module
from .keras_tensor import KerasTensor, symbolic_call
from .layers import InputLayer
from .model import Model


def _single(tensors, what):
    """One KerasTensor from ``x``, ``[x]`` or ``{"name": x}``."""
    if isinstance(tensors, dict):
        tensors = list(tensors.values())
    if isinstance(tensors, (list, tuple)):
        if len(tensors) != 1:
            raise NotImplementedError(f"Model: {len(tensors)} {what}s given; functional models "
                                      f"with several {what}s are not supported (one {what} "
                                      "tensor; merge or split inside the model with layers)")
        tensors = tensors[0]
    if not isinstance(tensors, KerasTensor):
        raise TypeError(f"Model: {what}s must be KerasTensors (keras.Input(...) and the "
                        f"outputs of layers called on it), got {type(tensors).__name__}")
    return tensors


def _plan(inp, out):
    """The nodes from ``inp`` to ``out`` in execution order (each after its inputs),
    found by an iterative depth-first walk back from ``out``."""
    order, done = [], set()
    stack = [(out.node, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
            continue
        if not node.inputs:             # an Input
            if node is not inp.node:
                raise ValueError(
                    f"Graph disconnected: the output depends on a keras.Input of shape "
                    f"{node.output.shape} that is not the model's input (the model's is "
                    f"{inp.shape}); build the graph from the model's input (functional "
                    "models take one input)")
            done.add(id(node))
            continue
        stack.append((node, True))
        for t in reversed(node.inputs):
            if id(t.node) not in done:
                stack.append((t.node, False))
    return order


class Functional(Model):
    """A model defined by ``keras.Model(inputs, outputs, name=None)``: the layer calls
    that lead from the input (``keras.Input``) to the output. Trained, evaluated,
    summarised and saved like a ``Sequential`` (the same training engine).

    >>> x = keras.Input(shape=(4,))
    >>> y = layers.Dense(3, activation="softmax")(layers.Dense(8, activation="relu")(x))
    >>> model = keras.Model(x, y)
    """

    _file_class = "Functional"

    def __init__(self, inputs, outputs, name=None, trainable=True):
        Model.__init__(self, name=name or "functional", trainable=trainable)
        self.auto_name = name is None
        self._init_graph(_single(inputs, "input"), _single(outputs, "output"))

    def _init_graph(self, inp, out):
        if not isinstance(inp.node.layer, InputLayer) or inp.node.inputs:
            raise ValueError(f"Model: the input must come from keras.Input(...), got the output "
                             f"of layer {inp.node.layer.name!r}")
        self.input, self.output = inp, out
        self._nodes = _plan(inp, out)
        layers = [inp.node.layer]
        for node in self._nodes:
            if all(node.layer is not l for l in layers):
                layers.append(node.layer)
        self.stack = ModuleList(layers)
        self._unique_layer_names()
        # Slots: 0 holds the input; each node writes one slot.
        slot = {id(inp): 0}
        steps = []
        for i, node in enumerate(self._nodes):
            slot[id(node.output)] = i + 1
            steps.append((node.layer, [slot[id(t)] for t in node.inputs], i + 1, node.multi))
        self._steps = steps
        self._n_slots = len(steps) + 1
        self._out_slot = slot[id(out)]
        self.input_shape_known = tuple(inp.shape[1:])
        self.output_shape = tuple(out.shape)
        self.built = all(layer.built for layer in layers)
        if self.built:
            self._compile_plans()

    @property
    def inputs(self):
        return [self.input]

    @property
    def outputs(self):
        return [self.output]

    @property
    def layers(self):
        """The layers, the InputLayer first, each once (as Keras 3 lists them)."""
        return list(self.stack)

    def _build_layers(self):
        """Create the weights of every layer (after a model file was checked)."""
        for node in self._nodes:
            node.layer.build_for(node.input_shapes())
        self.built = True
        self._compile_plans()
        if self.compiled and not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)

    def _ensure_built(self, x, who):
        if not self.built:
            self._build_layers()
        self._check_input_shape(x, who, self.stack[0].name)

    # -- computing ----------------------------------------------------------------------
    def _compile_plans(self):
        """Two plans of (function, input slots, output slot, multi): one ending in the
        output layer, one in its logits (for the fused loss)."""
        self._plan = [(layer, ins, out, multi) for layer, ins, out, multi in self._steps]
        self._plan_logits = list(self._plan)
        if self._steps and self._out_slot == len(self._steps):
            layer, ins, out, multi = self._steps[-1]
            if layer.output_activation is not None:
                self._plan_logits[-1] = (layer.logits, ins, out, multi)

    def _output_layer(self):
        return self.output.node.layer if self._steps else None

    def _run(self, x, plan):
        values = [None] * self._n_slots
        values[0] = x
        for fn, ins, out, multi in plan:
            values[out] = fn([values[i] for i in ins]) if multi else fn(values[ins[0]])
        return values[self._out_slot]

    def _forward(self, x, logits=False):
        """The output; with ``logits``, the output layer's pre-activation scores."""
        return self._run(x, self._plan_logits if logits else self._plan)

    def _step_layers(self, fused):
        plan = self._plan_logits if fused else self._plan
        run = self._run
        return (), (lambda x: run(x, plan))

    # -- summary ------------------------------------------------------------------------
    def _node_index(self):
        """Each node's index among its layer's calls in this model."""
        count, index = {}, {}
        for node in [self.input.node] + self._nodes:
            k = count.get(id(node.layer), 0)
            index[id(node)] = k
            count[id(node.layer)] = k + 1
        return index, count

    def _summary_rows(self):
        index, count = self._node_index()
        # Keras 3 adds "Connected to" unless the graph is a plain chain: no layer
        # with several inputs, none called twice.
        chain = all(len(n.inputs) <= 1 for n in self._nodes) and \
            all(c == 1 for c in count.values())
        nodes_of = {}
        for node in [self.input.node] + self._nodes:
            nodes_of.setdefault(id(node.layer), []).append(node)
        rows = []
        for layer in self.layers:
            nodes = nodes_of[id(layer)]
            cells = [f"{layer.name} ({type(layer).__name__})",
                     summary_module.format_shape(nodes[-1].output.shape),
                     f"{layer.count_params():,}"]
            if not chain:
                links = [f"{t.node.layer.name}[{index[id(t.node)]}][0]"
                         for node in nodes for t in node.inputs]
                cells.append(", ".join(links) or "-")
            rows.append(tuple(cells))
        return rows, not chain

    # -- configuration ------------------------------------------------------------------
    def get_config(self):
        """The layers, each with its calls ("inbound_nodes": per call, the
        [layer, node index, 0] of each input), and the input and output layers."""
        index, _ = self._node_index()
        nodes_of = {}
        for node in self._nodes:
            nodes_of.setdefault(id(node.layer), []).append(node)
        layers = []
        for layer in self.layers:
            layers.append({
                "class_name": type(layer).__name__, "name": layer.name,
                "config": layer.get_config(),
                "inbound_nodes": [[[t.node.layer.name, index[id(t.node)], 0]
                                   for t in node.inputs]
                                  for node in nodes_of.get(id(layer), [])]})
        out = self.output.node
        return {"name": self.name, "layers": layers,
                "input_layers": [[self.input.node.layer.name, 0, 0]],
                "output_layers": [[out.layer.name, index[id(out)], 0]]}

    @classmethod
    def from_config(cls, config, custom_objects=None, build=True):
        """A model from ``get_config()``'s dict. Only the classes of ``keras.layers``
        (and ``custom_objects``) can be named; ``build=False`` creates no weights
        (the shapes are computed, so a file's weights can be checked first)."""
        from .models import layer_from_spec
        if not isinstance(config, dict):
            raise ValueError(f"the model configuration is a {type(config).__name__}, "
                             "expected a dict")
        specs = config.get("layers")
        if not isinstance(specs, list) or not specs or not all(isinstance(s, dict)
                                                               for s in specs):
            raise ValueError("the model configuration's 'layers' must be a non-empty list of "
                             "{'class_name', 'config', 'inbound_nodes'} dicts")
        by_name, calls = {}, []
        for spec in specs:
            layer = layer_from_spec(spec, custom_objects)
            if layer.name in by_name:
                raise ValueError(f"layer name {layer.name!r} appears twice")
            nodes = spec.get("inbound_nodes", [])
            if not isinstance(nodes, list) or not all(
                    isinstance(n, list) and n and all(_is_ref(r) for r in n) for n in nodes):
                raise ValueError(f"layer {layer.name!r}: inbound_nodes must be a list of "
                                 "calls, each a non-empty list of [layer name, node index, 0]")
            if isinstance(layer, InputLayer) and nodes:
                raise ValueError(f"InputLayer {layer.name!r} has no inbound nodes")
            by_name[layer.name] = layer
            calls.append((layer, nodes))
        outputs = {name: [layer.output] for name, layer in by_name.items()
                   if isinstance(layer, InputLayer)}
        # Replay the calls: each as soon as the tensors it reads exist (a shared
        # layer's later call may wait for layers listed after it).
        pending = [(layer, list(nodes)) for layer, nodes in calls if nodes]
        while pending:
            progress, still = False, []
            for layer, nodes in pending:
                while nodes:
                    refs = nodes[0]
                    if not all(r[0] in outputs and r[1] < len(outputs[r[0]]) for r in refs):
                        break
                    inputs = [outputs[r[0]][r[1]] for r in refs]
                    out = symbolic_call(layer, inputs if layer.multi_input else inputs[0],
                                        build=build)
                    outputs.setdefault(layer.name, []).append(out)
                    nodes.pop(0)
                    progress = True
                if nodes:
                    still.append((layer, nodes))
            if not progress:
                layer, refs = still[0][0], still[0][1][0]
                missing = ", ".join(f"{r[0]}[{r[1]}][{r[2]}]" for r in refs
                                    if r[0] not in outputs or r[1] >= len(outputs[r[0]]))
                raise ValueError(f"layer {layer.name!r} reads {missing}, which no layer of "
                                 "the configuration produces")
            pending = still
        ends = []
        for key in ("input_layers", "output_layers"):
            refs = config.get(key)
            if not isinstance(refs, list) or len(refs) != 1 or not _is_ref(refs[0]) or \
                    refs[0][0] not in outputs or refs[0][1] >= len(outputs[refs[0][0]]):
                raise ValueError(f"the model configuration's {key!r} must be one "
                                 "[layer name, node index, 0] of a layer it lists")
            ends.append(outputs[refs[0][0]][refs[0][1]])
        name = config.get("name")
        model = cls.__new__(cls)
        Model.__init__(model, name=name if isinstance(name, str) else None)
        model._init_graph(*ends)
        if len(model.layers) != len(by_name):
            unused = sorted(set(by_name) - {l.name for l in model.layers})
            raise ValueError(f"layers {unused} are not on the path from the input to the "
                             "output")
        if build and not model.built:
            model._build_layers()
        return model

    def expected_weight_shapes(self):
        """{"<layer>/<weight>": shape} that building would create, computed from the
        shapes alone (nothing allocated): what a file must hold to fit."""
        out = {}
        for node in self._nodes:
            for n, s in node.layer.weight_shapes(node.input_shapes()).items():
                out.setdefault(f"{node.layer.name}/{n}", tuple(s))
        return out


def _is_ref(r):
    return isinstance(r, list) and len(r) == 3 and isinstance(r[0], str) and \
        all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in r[1:])
