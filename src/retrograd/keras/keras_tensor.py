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
Keras does), so the model is ready to train once it is made.
"""


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
        layer._inbound_nodes.append(self)
        self.index = len(layer._inbound_nodes) - 1

    @property
    def output(self):
        """The output KerasTensor (a list of them for a node with several)."""
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    @output.setter
    def output(self, tensor):
        self.outputs = [tensor]

    def make_outputs(self, shape):
        """The node's KerasTensors for the output shape the layer computed: one shape
        (a tuple), or for a model with several outputs a list of shapes (a dict by
        output name, as Keras's ``compute_output_shape``). Returns them in that
        structure."""
        if isinstance(shape, dict):
            self.keys = list(shape)
            self.outputs = [KerasTensor(s, self, index=i, name=f"{self.layer.name}_{k}")
                            for i, (k, s) in enumerate(shape.items())]
            return dict(zip(self.keys, self.outputs))
        if isinstance(shape, list) and shape and all(isinstance(s, (tuple, list))
                                                     for s in shape):
            self.outputs = [KerasTensor(s, self, index=i) for i, s in enumerate(shape)]
            return list(self.outputs)
        self.outputs = [KerasTensor(shape, self)]
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

    def __init__(self, shape, node, dtype="float32", name=None, index=0):
        self.shape = tuple(shape)
        self.node, self.index = node, index
        self.dtype = dtype
        self.name = name if name is not None else \
            f"keras_tensor_{node.layer.name}" + (f"_{index}" if index else "")

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def _no_arithmetic(self, *args):
        raise TypeError("a KerasTensor is a placeholder with no values; combine symbolic "
                        "tensors with layers: keras.layers.Add()([a, b]), Subtract, "
                        "Multiply, Average, Concatenate, or keras.layers.Activation(...)")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __matmul__ = \
        __truediv__ = __neg__ = __array__ = _no_arithmetic


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
    return node.make_outputs(out_shape)
