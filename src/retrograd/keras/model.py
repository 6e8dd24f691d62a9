"""``keras.Model``: what every Keras model shares, and the subclassing API.

A model is made in one of three ways, as in Keras 3, and trained by the same
``compile``/``fit``/``evaluate``/``predict`` (``trainer.Trainer``):

* ``keras.Sequential([...])``, a stack of layers (``models.Sequential``);
* ``keras.Model(inputs, outputs)``, a graph of layer calls on ``keras.Input``
  (``functional.Functional``; ``Model(...)`` with inputs returns one);
* a subclass that creates its layers in ``__init__`` and computes in ``call``::

    class MLP(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(64, activation="relu")
            self.out = layers.Dense(10, activation="softmax")
        def call(self, x):
            return self.out(self.hidden(x))

  A subclassed model is built by its first batch (or ``build((None, n))``); its
  ``call`` may take and return a list or a dict of tensors (several inputs/outputs).
  It can save its weights (``save_weights``), not its architecture (``call`` is code,
  which model files never hold).

Every model is also a layer of another: called on a symbolic tensor it adds one node
to a functional graph (``out = base(inputs, training=False)``), and it can be put in
a ``Sequential``; ``base.trainable = False`` freezes all its layers.
"""
import os

import numpy as np

from .. import serialization
from ..backend import to_device
from ..checkpoint import optimizer_to_file, rng_state
from ..function import no_grad
from ..nn.module import Module
from ..tensor import Tensor
from . import compile_utils
from . import device_scope as keras_device
from . import optimizers as optimizers_module
from . import summary as summary_module
from .data_adapters import Columns
from .data_adapters import by_name as _by_name
from .keras_tensor import KerasTensor, symbolic_call
from .layers.layer import Layer, entry_call, losses_of, to_snake_case
from .trainer import Trainer


def _functional_arguments(args, kwargs):
    """Keras's rule for a call of the functional API: (inputs, outputs) given."""
    return len(args) == 2 or (len(args) == 1 and "outputs" in kwargs) or \
        ("inputs" in kwargs and "outputs" in kwargs)


def _is_functional(model):
    from .functional import Functional
    return isinstance(model, Functional)


_FUNCTIONAL_SUBCLASSES = {}


def _functional_subclass(cls, functional):
    """``cls`` (a Model subclass) with Functional among its bases, made once per class."""
    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, functional),
                                           {"__module__": cls.__module__,
                                            "__qualname__": cls.__qualname__})
    return _FUNCTIONAL_SUBCLASSES[cls]


class Model(Trainer, Module):
    """A Keras model: layers, weights, ``summary``, saving, and the training methods.

    ``keras.Model(inputs, outputs, name=None)`` makes a functional model; a subclass
    defines ``call(inputs)`` (see the module docstring). It is an ``nn.Module``:
    ``model.parameters()`` works with ``retrograd.optim`` too."""

    _file_class = None      # the class name written in model files (None: cannot be saved)
    # As a layer of another model: a model never ends in an activation the outer loss
    # could fuse, and takes one input unless it is a functional model with several.
    output_activation = None

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, name=None, trainable=True, **kwargs):
        if _functional_arguments(args, kwargs) and not _is_functional(self):
            # Keras 3: a subclass built as CustomModel(inputs, outputs) is a functional
            # model that keeps the subclass's methods (train_step, …): its class is
            # rebased on Functional, as Keras's inject_functional_model_class does.
            from .functional import Functional
            self.__class__ = _functional_subclass(type(self), Functional)
            Functional.__init__(self, *args, name=name, trainable=trainable, **kwargs)
            return
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}: keras.Model() takes inputs and outputs "
                            "(the functional API) or, in a subclass, only name=/trainable=; "
                            f"got {len(args)} positional and {sorted(kwargs)} keyword "
                            "argument(s)")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, got name={name!r}")
        Module.__init__(self)
        self.training = False       # Keras: inference unless training=True (fit's steps)
        self.name = name or to_snake_case(type(self).__name__)
        self.auto_name = name is None       # may be renamed (name_1) inside another model
        self.built = False
        self.input_shape_known = None       # without the batch axis
        self.output_shape = None
        self.history = None
        # Set directly: the layers are not known yet (see the ``trainable`` setter).
        self.__dict__["_trainable"] = bool(trainable)
        self._inbound_nodes = []     # this model's calls as a layer of another model
        self._call_inputs = self._call_outputs = None    # a subclass's call structure

    _placed = Layer._placed        # its layers take its mode (inference until fit)

    # -- a model used as a layer ---------------------------------------------------------
    @property
    def trainable(self):
        """Whether ``fit`` trains the model's weights. Setting it sets every layer's
        (as Keras 3 does), so ``base.trainable = False`` freezes a whole model used
        as a layer of another, and ``base.trainable = True`` then
        ``base.layers[0].trainable = False`` freezes one of its layers."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self.__dict__["_trainable"] = value
        for layer in self.layers:
            layer.trainable = value

    def __call__(self, *args, **kwargs):
        keras_device.follow(self)
        x = args[0] if args else None
        if isinstance(x, dict) and x and all(isinstance(t, KerasTensor) for t in x.values()):
            x = _by_name(x, self._input_names(), f"{self._who()} (called on a dict)", "x",
                         self.name, "input")
        if isinstance(x, KerasTensor) or (isinstance(x, (list, tuple)) and x and any(
                isinstance(t, KerasTensor) for t in x)):
            training = kwargs.pop("training", None)
            if len(args) > 1 or kwargs:
                raise TypeError(f"{self._who()}: called on a symbolic input, it takes only "
                                f"training=; got {len(args) - 1} more positional and "
                                f"{sorted(kwargs)} keyword argument(s)")
            return self._symbolic_call(x, training)
        return self._eager_call(*args, **kwargs)

    def _who(self):
        return f"{type(self).__name__} {self.name!r}"

    def _symbolic_call(self, x, training):
        """``out = model(inputs)`` in a functional graph: one node, as a layer's call
        (its weights are shared by every call)."""
        tensors = list(x) if isinstance(x, (list, tuple)) else [x]
        names = self._input_names() if self.built or self._call_inputs is not None \
            or not type(self)._is_subclassed() else None
        if names is not None and len(tensors) != len(names):
            raise ValueError(f"{self._who()} has {len(names)} input(s) {names}, but it was "
                             f"called on {len(tensors)} symbolic tensor(s) of shapes "
                             f"{[getattr(t, 'shape', None) for t in tensors]}")
        if training is not None and not isinstance(training, bool):
            raise TypeError(f"{self._who()}: training must be True, False or None, got "
                            f"training={training!r}")
        return symbolic_call(self, tensors if self.multi_input else tensors[0],
                             training=training)

    @classmethod
    def _is_subclassed(cls):
        return cls._file_class is None

    @property
    def multi_input(self):
        """Whether the model, as a layer, takes a list of inputs."""
        return len(self._input_names()) > 1

    @property
    def input_shape_hint(self):
        """The input size (without the batch axis) a model used as the first layer of a
        ``Sequential`` gives it."""
        return None if self.multi_input or self.input_shape_known is None \
            else tuple(self.input_shape_known)

    def _expected_input_shapes(self):
        """The input shapes ``(None, …)`` the model was built for, or None."""
        shapes = getattr(self, "_in_shapes", None)
        if shapes is not None:
            return list(shapes)
        if self.input_shape_known is None:
            return None
        return [(None,) + tuple(self.input_shape_known)]

    def check_weights_fit(self, input_shape):
        """Refuse input shapes the model was not built for (a model called on
        symbolic tensors, as a layer)."""
        expected = self._expected_input_shapes()
        given = [tuple(s) for s in input_shape] if self.multi_input else [tuple(input_shape)]
        if expected is None:
            return
        for i, (e, g) in enumerate(zip(expected, given)):
            if len(e) != len(g) or any(a is not None and b is not None and a != b
                                       for a, b in zip(e[1:], g[1:])):
                raise ValueError(f'Input {i} of {type(self).__name__} model "{self.name}" is '
                                 f"incompatible with the model: expected shape={e}, found "
                                 f"shape={g}")

    def build_for(self, input_shape):
        """Build (if needed) for inputs of ``input_shape`` (a list of shapes for
        several inputs) and return the output shape: the model as a layer."""
        self.check_weights_fit(input_shape)
        if not self.built:
            self.build(input_shape)
        return self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        """The output shape; a subclass whose ``call`` returns a list (a dict) of
        tensors: a list (a dict by key) of shapes, one symbolic output each."""
        if not self.built:
            raise ValueError(self._unbuilt_message(f"{self._who()} (called as a layer)"))
        self.check_weights_fit(input_shape)
        structure = self._call_outputs
        if structure is None or not type(self)._is_subclassed():
            return tuple(self.output_shape)
        shapes = [tuple(s) for s in self._out_shapes]
        return shapes if isinstance(structure, int) else dict(zip(structure, shapes))

    def weight_shapes(self, input_shape):
        """{"<layer>/<weight>": shape} that building for ``input_shape`` creates."""
        return {n: tuple(p.shape) for n, p in self.named_weights()}

    # -- structure ---------------------------------------------------------------------
    @property
    def layers(self):
        """The layers the model holds (a subclass: those assigned as attributes, or in
        lists assigned as attributes, in order)."""
        found, seen = [], set()

        def visit(module):
            for m in module._modules.values():
                if m is None or id(m) in seen:
                    continue
                seen.add(id(m))
                if isinstance(m, (Layer, Model)):
                    found.append(m)
                else:           # a container (ModuleList, …): the layers it holds
                    visit(m)
        visit(self)
        return found

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: "
                         f"{[l.name for l in self.layers]}")

    @property
    def input_shape(self):
        return None if self.input_shape_known is None else (None,) + tuple(self.input_shape_known)

    def _unbuilt_message(self, who):
        return (f"{who}: this model has not yet been built (its input size is unknown). "
                "Build the model first by calling `build((None, n_features))` or by calling "
                "the model on a batch of data, or give the first layer its input size: "
                "Dense(10, input_dim=784), or start with keras.Input(shape=(784,))")

    def _check_input_shape(self, x, who, first, index=0, arg="x", expected=None):
        """x's shape (after the batch axis) against the model's input shape
        (``expected``: that of input ``index``, ``(None, …)``)."""
        expected = tuple(self.input_shape_known) if expected is None else tuple(expected[1:])
        got = tuple(x.shape[1:])
        if len(got) != len(expected) or any(e is not None and e != g
                                            for e, g in zip(expected, got)):
            axis = next((i for i, (e, g) in enumerate(zip(expected, got)) if e != g), None)
            detail = (f"expected axis {axis - len(expected)} of input shape to have value "
                      f"{expected[axis]}" if axis is not None and len(got) == len(expected)
                      else f"expected inputs of shape (None, "
                      f"{', '.join(str(d) for d in expected)})")
            raise ValueError(f'{who}: Input {index} of layer "{first}" is incompatible with the '
                             f"layer: {detail}, but received input with shape "
                             f"{(None,) + got} (argument {arg})")

    # -- a subclassed model: built by running call() once ---------------------------------
    def build(self, input_shape=None):
        """Create the weights for inputs of shape ``(None, …)`` (a subclass: by running
        ``call`` once on a batch of zeros). Several inputs: a list of shapes, or a
        dict of them by name (``call`` then receives a list, or a dict)."""
        if input_shape is None:
            raise ValueError(self._unbuilt_message("build"))
        if isinstance(input_shape, dict):
            keys = sorted(input_shape)
            shapes, structure = [input_shape[k] for k in keys], tuple(keys)
        elif isinstance(input_shape, (list, tuple)) and input_shape and \
                all(isinstance(s, (list, tuple)) for s in input_shape):
            shapes, structure = list(input_shape), len(input_shape)
        else:
            shapes, structure = [input_shape], None
        arrays = []
        for shape in shapes:
            shape = tuple(shape)[1:]
            if any(d is None for d in shape):
                raise ValueError(f"build: every feature size must be known, got "
                                 f"{tuple(input_shape)}")
            arrays.append(np.zeros((1,) + shape, dtype=np.float32))
        self._call_inputs = structure
        self._build_from(arrays[0] if structure is None else Columns(arrays))

    def _ensure_built(self, x, who):
        if not self.built:
            self._build_from(x)
        arrays = x.arrays if isinstance(x, Columns) else [x]
        names = self._input_names()
        shapes = self._in_shapes
        for i, (a, shape, name) in enumerate(zip(arrays, shapes, names)):
            self._check_input_shape(a, who, self.layers[0].name if self.layers else self.name,
                                    index=i, arg="x" if len(names) == 1 else f"x[{name!r}]",
                                    expected=shape)

    # How a subclass's call takes its inputs and returns its outputs (``_call_inputs``,
    # ``_call_outputs``): None (one tensor), k (a list of k) or a tuple of names (a dict,
    # its keys sorted as Keras 3 flattens it). The inputs' is read from the first data.
    @staticmethod
    def _structure_of(x):
        if isinstance(x, dict):
            return tuple(sorted(x))
        if isinstance(x, (list, tuple)) and len(x) > 1 and \
                all(isinstance(a, (np.ndarray, Tensor)) for a in x):
            return len(x)
        return None

    @staticmethod
    def _names_of(structure, prefix):
        if structure is None:
            return [prefix]
        if isinstance(structure, int):
            return [f"{prefix}_{i + 1}" for i in range(structure)]
        return list(structure)

    def _input_names_for(self, x):
        """The input names for data ``x``: a subclassed model not yet built takes the
        structure of its first data (a list or a dict of arrays: several inputs)."""
        if not self.built and type(self)._is_subclassed():
            self._call_inputs = self._structure_of(x)
        return self._input_names()

    def _pack(self, xs, structure):
        """A flat list of tensors as ``call`` takes them (one, a list, a dict)."""
        if structure is None:
            return xs[0]
        if isinstance(structure, int):
            return list(xs)
        return dict(zip(structure, xs))

    def _flatten_outputs(self, out):
        """``call``'s result as a flat list (in ``output_names`` order), checked
        against the structure it had at build time."""
        structure = self._call_outputs
        who = f"{type(self).__name__}.call"
        if structure is None:
            if not isinstance(out, Tensor):
                raise TypeError(f"{who} returned {_kind(out)}; at build time it returned "
                                "one tensor")
            return [out]
        if isinstance(structure, int):
            if not isinstance(out, (list, tuple)) or len(out) != structure:
                raise TypeError(f"{who} returned {_kind(out)}; at build time it returned a "
                                f"list of {structure} tensors")
            return list(out)
        if not isinstance(out, dict) or sorted(out) != list(structure):
            raise TypeError(f"{who} returned {_kind(out)}; at build time it returned a dict "
                            f"with keys {list(structure)}")
        return [out[k] for k in structure]

    def _build_from(self, x):
        """Run ``call`` once, in inference mode and without gradients, on x's first
        sample: every lazily built layer creates its weights; the structure of its
        inputs and outputs (one tensor, a list, a dict) is recorded."""
        if type(self).call is Model.call:
            raise NotImplementedError(f"{type(self).__name__}: a subclass of keras.Model must "
                                      "define call(self, inputs) (or use keras.Model(inputs, "
                                      "outputs) or keras.Sequential)")
        arrays = x.arrays if isinstance(x, Columns) else [x]
        if isinstance(x, Columns) and self._call_inputs is None:
            self._call_inputs = len(arrays)
        names = self._names_of(self._call_inputs, "input")
        if len(names) != len(arrays):
            raise ValueError(f"{self._who()}: {len(names)} input(s) {names} expected, got "
                             f"{len(arrays)}")
        xs = [Tensor(np.asarray(_host(a)[:1], dtype=np.float32)) for a in arrays]
        training = self.training
        self.eval()
        try:
            with no_grad():
                out = self.call(self._pack(xs, self._call_inputs))
        finally:
            self.train(training)
        who = f"{type(self).__name__}.call"
        structure = self._structure_of(out) if isinstance(out, (list, tuple, dict)) else None
        if isinstance(out, (list, tuple)) and len(out) == 1:
            out, structure = out[0], None
        if structure is None and not isinstance(out, Tensor):
            raise TypeError(f"{who} must return a tensor, a list of tensors or a dict of "
                            f"them, got {_kind(out)}")
        self._call_outputs = structure
        outs = self._flatten_outputs(out)
        for k, o in enumerate(outs):
            if not isinstance(o, Tensor):
                raise TypeError(f"{who} must return tensors; output {k} is {_kind(o)}")
        self._in_shapes = [(None,) + tuple(a.shape[1:]) for a in arrays]
        self.input_shape_known = tuple(arrays[0].shape[1:])
        self._out_shapes = [(None,) + tuple(o.shape[1:]) for o in outs]
        self.output_shape = self._out_shapes[0]
        self._unique_layer_names()
        self.built = True
        self._on_built()

    def _on_built(self):
        """Compile's per-output settings wait for the outputs to be known (a subclass);
        the optimizer for the weights."""
        if self.compiled:
            self._build_heads_if_pending()
            if not self.optimizer.built and self.trainable_weights:
                self.optimizer.build(self.trainable_weights)

    def _unique_layer_names(self):
        """Default names made unique (``dense``, ``dense_1``, …); a name given twice by
        the user is an error, since weights are saved under the layers' names."""
        names, counters = set(), {}
        for layer in self.layers:
            if layer.name in names:
                if not getattr(layer, "auto_name", False):
                    raise ValueError(f"The name {layer.name!r} is used 2 times in the model "
                                     f"{self.name!r}. All layer names should be unique.")
                layer.name = free_name(layer.name, names, counters)
            names.add(layer.name)

    # -- inputs and outputs ----------------------------------------------------------------
    @property
    def output_names(self):
        """The outputs' names (Keras: those of the layers that produce them), which
        name their losses and metrics in the logs and key the dicts of compile/fit.
        A subclass: the keys of the dict its ``call`` returns, ``output_1``, … for a
        list, the last layer's name for one tensor."""
        if self._call_outputs is not None:
            return self._names_of(self._call_outputs, "output")
        layers = self.layers
        return [layers[-1].name] if layers else ["output"]

    def _outputs_known(self):
        """Whether the number of outputs is known (a subclass: once built)."""
        return self.built or not type(self)._is_subclassed()

    def _input_names(self):
        return self._names_of(self._call_inputs, "input")

    @property
    def input_names(self):
        return self._input_names()

    def _output_shapes(self):
        return list(getattr(self, "_out_shapes", [self.output_shape]))

    def _output_layers(self):
        """Per output, the layer whose activation ends it (a loss may fuse it)."""
        if self._call_outputs is not None:
            return [None] * len(self.output_names)
        return [self._output_layer()]

    def _structure_outputs(self, arrays):
        if self._call_outputs is None or not type(self)._is_subclassed():
            return Trainer._structure_outputs(self, arrays)
        return self._pack(arrays, self._call_outputs)

    # -- computing ----------------------------------------------------------------------
    def _output_layer(self):
        """The layer whose activation ends the model (its logits can feed the fused
        loss), or None when that is not known (a subclass's call)."""
        return None

    def _step_layers(self, fused):
        """(body, head) of a training step: ``head(body[-1](… body[0](x)))``."""
        return (), self._forward

    def _forward(self, x, logits=False):
        """A subclass: ``call`` on x (a tensor, or a list of them: several inputs),
        its outputs flat (a list with several)."""
        xs = x if isinstance(x, list) else [x]
        with entry_call(self):      # the losses its layers add are this call's
            outs = self._flatten_outputs(self.call(self._pack(xs, self._call_inputs)))
        return outs[0] if len(outs) == 1 else outs

    def _eager_call(self, *args, **kwargs):
        """``model(x)`` on arrays or tensors; a subclass gets x as given (a list or a
        dict of tensors for several inputs) and returns what its call returns."""
        x = args[0] if args else None
        if type(self)._is_subclassed() and isinstance(x, (list, tuple, dict)) and \
                self._structure_of(x) is not None:
            return self.forward(x, *args[1:], **kwargs)
        return Module.__call__(self, *args, **kwargs)

    def forward(self, x, training=None):
        """``model(x)``: the output tensor (x: a Tensor or an array; a subclass with
        several inputs: a list or dict of them, as its ``call`` takes); ``training``
        runs it in training (True) or inference (False) mode for this call."""
        if isinstance(x, (list, tuple, dict)) and self._structure_of(x) is not None:
            return self._forward_structured(x, training)
        if not isinstance(x, Tensor):
            x = self._as_input(x)
        if not self.built:
            self._input_names_for(x)
            self._ensure_built(x, "call")
        else:
            self._ensure_built(x, f"call of {self._who()}")
        if type(self)._is_subclassed():     # the user's call, its own structure
            with entry_call(self):          # the losses its layers add are this call's
                return self._in_mode(training, self.call, self._pack([x], self._call_inputs))
        return self._in_mode(training, self._forward, x)

    def _as_input(self, a):
        """An array given to ``model(x)`` as a float32 tensor on the model's device
        (Keras takes NumPy inputs whatever the device)."""
        p = next(self.parameters(), None)
        return Tensor(a, dtype=np.float32, device=None if p is None else p.device)

    def _in_mode(self, training, fn, x):
        """fn(x) with the model in training/inference mode when ``training`` is given,
        the previous mode restored after."""
        if training is None:
            return fn(x)
        previous = self.training
        self.train(bool(training))
        try:
            return fn(x)
        finally:
            self.train(previous)

    def _forward_structured(self, x, training):
        structure = self._structure_of(x)
        keys = list(structure) if isinstance(structure, tuple) else None
        values = [x[k] for k in keys] if keys else list(x)
        xs = [t if isinstance(t, Tensor) else self._as_input(t) for t in values]
        if not self.built:
            self._call_inputs = structure
            self._ensure_built(Columns([t.array for t in xs]), "call")
        elif structure != self._call_inputs:
            raise ValueError(f"call of {self._who()}: it was built for inputs "
                             f"{self._input_names()} ({_describe(self._call_inputs)}), got "
                             f"{_describe(structure)}")
        else:
            self._ensure_built(Columns([t.array for t in xs]), f"call of {self._who()}")
        return self._in_mode(training, self.call, self._pack(xs, structure))

    def call(self, inputs, training=None):
        return self.forward(inputs, training)

    # -- weights ------------------------------------------------------------------------
    def _own_weights(self):
        """Parameters the model holds itself, outside its layers (a subclass's)."""
        return [p for p in self._parameters.values() if p is not None]

    def _collect(self, per_layer):
        """Per layer (``per_layer(layer)``), then the model's own, each weight once (a
        layer may be reached twice: shared by a nested model and the outer one)."""
        out, seen = [], set()
        for layer in self.layers:
            for w in per_layer(layer):
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    # Keras's model.losses: the losses its layers added at the last call (add_loss,
    # activity regularizers), then its trainable weights' regularizer penalties.
    losses = property(losses_of)

    @property
    def weights(self):
        """Every weight, layer by layer (a model used as a layer: its weights in its
        place), then the model's own: the order of ``get_weights``."""
        return self._collect(lambda l: l.weights) + self._own_weights()

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self._collect(lambda l: l.trainable_weights) + self._own_weights()

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return self._collect(lambda l: l.non_trainable_weights)

    def count_params(self):
        return int(sum(p.size for p in self.weights))

    def get_weights(self):
        """Every weight, layer by layer, as NumPy arrays (copies)."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"set_weights: the model has {len(own)} weight arrays, got "
                             f"{len(weights)}")
        for i, (p, w) in enumerate(zip(own, weights)):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"set_weights: weight {i} of the model has shape {p.shape}, "
                                 f"got an array of shape {w.shape}")
        for p, w in zip(own, weights):
            p.array[...] = np.asarray(w)

    def named_weights(self):
        """("<layer>/<weight>", parameter) for every weight: the names in model files
        (a model used as a layer: ``<model>/<layer>/<weight>``)."""
        out, seen = [], set()
        for layer in self.layers:
            for n, p in layer.named_weights():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{layer.name}/{n}", p))
        return out + [(n, p) for n, p in self._parameters.items() if p is not None]

    def _named_arrays(self):
        return dict(self.named_weights())

    # -- summary ------------------------------------------------------------------------
    def _summary_rows(self):
        """(cells per row, whether there is a "Connected to" column)."""
        rows = [(f"{layer.name} ({type(layer).__name__})",
                 summary_module.format_shape(layer.output_shape),
                 f"{layer.count_params():,}") for layer in self.layers]
        return rows, False

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print Keras 3's summary table (Layer (type) · Output Shape · Param #, and
        Connected to for a functional model that is not a plain chain), then Total /
        Trainable / Non-trainable params with their sizes."""
        if not self.built:
            raise ValueError(self._unbuilt_message("summary"))
        rows, connections = self._summary_rows()
        trainable = sum(p.size for p in self.trainable_weights)
        frozen = sum(p.size for p in self.non_trainable_weights)
        opt = None
        if self.compiled and self.optimizer.built and self.optimizer.inner.state:
            opt = sum(int(v.size) for s in self.optimizer.inner.state.values()
                      for v in s.values() if hasattr(v, "size"))
        lines = summary_module.render(self.name, rows, int(trainable), int(frozen),
                                      optimizer_count=opt, line_length=line_length,
                                      positions=positions, connections=connections)
        if print_fn is None:
            print("\n".join(lines))
        else:
            for line in lines:
                print_fn(line)

    # -- files ----------------------------------------------------------------------------
    def get_config(self):
        raise NotImplementedError(
            f"{type(self).__name__}: a subclassed model has no configuration to save (its "
            "call() is Python code, which model files never hold); save its weights with "
            "model.save_weights(path) and rebuild the model in code before load_weights")

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """``keras.Model.from_config(config)``: the Sequential or functional model a
        configuration describes (Keras 3's or retrograd's earlier one); a subclass
        without its own ``from_config``: ``cls(**config)``, as Keras 3."""
        if cls is Model:
            from .saving.config import as_json, model_from_config
            return model_from_config(as_json(config), custom_objects, build=True)
        return cls(**config)

    def _compile_header(self):
        if not self.compiled:
            return None
        return {"optimizer": optimizers_module.serialize(self.optimizer),
                **compile_utils.serialize(self.heads)}

    def _optimizer_state(self):
        """The optimizer's slots as (JSON header, arrays) — empty before training."""
        opt = self.optimizer
        if not self.compiled or not opt.built:
            return None, {}
        spec, arrays = optimizer_to_file(opt.inner.state_dict())
        spec["iterations"] = opt.iterations
        return spec, arrays

    def to_json(self, **kwargs):
        """Keras 3's description of the model (architecture only) as JSON text;
        ``keras.models.model_from_json`` makes a model from it."""
        if self._file_class is None:
            self.get_config()       # raises, saying what to do instead
        from .saving import to_json
        return to_json(self, **kwargs)

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Write the architecture, the weights and the compile settings (with the
        optimizer's state) to one file, atomically. A name ending in ``.keras`` gets
        Keras 3's format (real Keras 3 opens it; the optimizer's state where it maps
        onto Keras's); any other keeps retrograd's (``retrograd.serialization``:
        the random generators too, for bit-exact resumes)."""
        filepath = os.fspath(filepath)
        if self._file_class is None:
            self.get_config()       # raises, saying what to do instead
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save: {filepath} exists and overwrite=False")
        if not self.built:
            raise ValueError(self._unbuilt_message("save"))
        if filepath.endswith(".keras"):
            from .saving import keras_file
            keras_file.save_model(self, filepath, include_optimizer)
            return
        arrays = {k: _host(p) for k, p in self._named_arrays().items()}
        header = {"kind": "model", "class_name": self._file_class, "config": self.get_config(),
                  "compile": self._compile_header(), "weights": list(arrays)}
        if include_optimizer:
            opt_header, opt_arrays = self._optimizer_state()
            header["optimizer_state"] = opt_header
            arrays.update(opt_arrays)
            # The generators' states too (shuffling, dropout masks), so that a run
            # resumed from this file continues exactly as if it had never stopped.
            header["rng"] = rng_state(self)
        serialization.save(filepath, header, arrays)

    def save_weights(self, filepath, overwrite=True):
        """Write only the weights, atomically: a name ending in ``.weights.h5`` gets
        Keras 3's HDF5 layout (real Keras 3's ``load_weights`` reads it), any other
        retrograd's format (named ``<layer>/<weight>``)."""
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save_weights: {filepath} exists and overwrite=False")
        if not self.built:
            raise ValueError(self._unbuilt_message("save_weights"))
        if filepath.endswith(".h5"):
            from .saving import h5_weights
            self._keras_layout("save_weights")
            groups = [(path, [_host(p) for p in params], name)
                      for path, params, name in h5_weights.model_groups(self)]
            data = h5_weights.write(groups)
            serialization.atomic_write(filepath, lambda f: f.write(data))
            return
        arrays = {k: _host(p) for k, p in self._named_arrays().items()}
        serialization.save(filepath, {"kind": "weights", "weights": list(arrays)}, arrays)

    def load_weights(self, filepath):
        """Load weights saved by ``save_weights`` or ``save``: Keras 3's HDF5 weights
        (``.weights.h5``, told by its content), a ``.keras`` file, or retrograd's
        format. Every weight must be in the file with this model's shape; nothing is
        written unless all fit."""
        from .saving import h5_weights, keras_file
        filepath = os.fspath(filepath)
        if not self.built:
            raise ValueError(self._unbuilt_message("load_weights"))
        with open(filepath, "rb") as f:
            signature = f.read(8)
        if signature == b"\x89HDF\r\n\x1a\n":
            self._keras_layout("load_weights")
            with open(filepath, "rb") as f:
                data = f.read()
            h5_weights.assign(self, h5_weights.read(data, filepath), filepath)
            return
        if keras_file.is_keras_zip(filepath):
            self._keras_layout("load_weights")
            entries = keras_file.read_zip(filepath)
            data = entries.get(keras_file.WEIGHTS)
            if data is None:
                raise serialization.ModelFileError(f"{filepath}: no "
                                                   f"{keras_file.WEIGHTS} in the file")
            where = f"{filepath}: {keras_file.WEIGHTS}"
            h5_weights.assign(self, h5_weights.read(data, where), filepath)
            return
        _, arrays = serialization.load(filepath)
        assign(self, arrays, filepath)

    def _keras_layout(self, who):
        if self._file_class is None:
            from ..missing import NotSupportedError
            raise NotSupportedError(
                f"{who}: Keras 3's HDF5 layout names a subclassed model's weights by its "
                "attributes, which retrograd does not reproduce; use a file name without "
                ".h5 (retrograd's format) for a subclassed model")


def free_name(base, taken, counters=None):
    """The first of ``base_1``, ``base_2``, … not in ``taken`` (Keras's default names).
    ``counters`` ({base: next k to try}), kept by the caller across calls, makes
    naming n layers alike linear instead of quadratic."""
    k = 1 if counters is None else counters.get(base, 1)
    while f"{base}_{k}" in taken:
        k += 1
    if counters is not None:
        counters[base] = k + 1
    return f"{base}_{k}"


def _kind(v):
    if isinstance(v, Tensor):
        return f"a tensor of shape {tuple(v.shape)}"
    if isinstance(v, dict):
        return f"a dict with keys {sorted(v)}"
    if isinstance(v, (list, tuple)):
        return f"a {type(v).__name__} of {len(v)}"
    return f"a {type(v).__name__}"


def _describe(structure):
    if structure is None:
        return "one tensor"
    if isinstance(structure, int):
        return f"a list of {structure}"
    return f"a dict with keys {list(structure)}"


def _host(a):
    """a (an array or a tensor, on any device) as a NumPy array."""
    return np.asarray(to_device(a.array if isinstance(a, Tensor) else a, "cpu"))


def check_fit(expected, arrays, filepath, what="model"):
    """Refuse a file whose weights (``arrays``, beside the optimizer's) are not
    exactly ``expected`` ({"<layer>/<weight>": shape}), naming the file."""
    stored = {k: a for k, a in arrays.items() if not k.startswith("optimizer/")}
    missing = [k for k in expected if k not in stored]
    extra = [k for k in stored if k not in expected]
    if missing or extra:
        raise serialization.ModelFileError(
            f"{filepath}: the weights do not fit the {what}: "
            + (f"missing {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {', '.join(extra[:10])}" if extra else ""))
    for k, shape in expected.items():
        if stored[k].shape != tuple(shape):
            raise serialization.ModelFileError(
                f"{filepath}: weight {k} has shape {stored[k].shape} in the file, the "
                f"{what} needs {tuple(shape)}")


def assign(model, arrays, filepath):
    """Check that the file's weights fit the model exactly, then copy them in."""
    own = model._named_arrays()
    check_fit({k: tuple(p.shape) for k, p in own.items()}, arrays, filepath)
    for k, p in own.items():
        check_kind(arrays[k], p.array.dtype, f"{filepath}: weight {k}")
    for k, p in own.items():
        p.array[...] = arrays[k]


def check_kind(a, dtype, who):
    """A file's array fits a weight of ``dtype``: floating point for a floating weight;
    integers within the weight's range for an integer one (Normalization's count)."""
    if dtype.kind == "f":
        if a.dtype.kind != "f":
            raise serialization.ModelFileError(f"{who} has dtype {a.dtype}, expected "
                                               "floating point")
        return
    info = np.iinfo(dtype)
    if a.dtype.kind not in "iu" or a.size and (int(a.min()) < info.min or
                                               int(a.max()) > info.max):
        raise serialization.ModelFileError(
            f"{who} has dtype {a.dtype}{' and values' if a.dtype.kind in 'iu' else ''} "
            f"not fitting the model's {dtype} weight")
