"""Keras models: ``Sequential``, ``Model`` (functional and subclassed), and
loading them from files.

>>> model = Sequential()
>>> model.add(Dense(10, input_dim=784, name="fc1"))
>>> model.add(Activation("softmax"))
>>> model.summary()                                  # 7,850 parameters
>>> model.compile(loss="categorical_crossentropy", optimizer=SGD(learning_rate=0.1),
...               metrics=["accuracy"])
>>> model.fit(X_train, Y_train, batch_size=128, epochs=20)
>>> model.save("logreg.retrograd"); model = load_model("logreg.retrograd")
"""
import os

from .. import serialization
from ..checkpoint import optimizer_from_file, set_rng_state
from ..nn.containers import ModuleList
from ..serialization import ModelFileError
from . import compile_utils
from . import optimizers as optimizers_module
from .functional import Functional
from .keras_tensor import KerasTensor
from .layers import InputLayer, Layer
from .model import Model, assign, check_fit, free_name
from .saving import (  # noqa: F401  (keras.models.clone_model, model_from_json, save_model)
    clone_model, keras_file, model_from_json, save_model)
from .saving import config as saving_config


class Sequential(Model):
    """A stack of layers, each feeding the next: ŷ = f_L(… f_1(x)).

    ``Sequential(layers=None, name=None)``; ``add(layer)``, ``pop()``. The model
    is built (its weights created) as soon as the input shape is known: from the
    first layer's ``input_dim``/``input_shape``, a leading ``keras.Input(shape)``,
    ``build((None, …))``, or the first batch it sees. It is an ``nn.Module``:
    ``model.parameters()`` works with ``retrograd.optim`` too."""

    _file_class = "Sequential"

    def __init__(self, layers=None, name=None, trainable=True):
        Model.__init__(self, name=name or "sequential", trainable=trainable)
        self.auto_name = name is None
        self.stack = ModuleList()
        self.input_layer = None
        self._defer_build = False     # from_config builds only once the weights are checked
        # trainable=False is the model's flag alone, as in Keras 3: the layers (those
        # given here and those added later) keep their own, and while the flag is
        # False the model has no trainable weight (``trainable = …`` later sets all).
        for layer in layers or ():
            self.add(layer)

    # -- structure -------------------------------------------------------------------
    @property
    def layers(self):
        """The layers, without the InputLayer (as Keras 3 lists them)."""
        return list(self.stack)

    def add(self, layer):
        """Append ``layer``; builds it at once when the input shape is known."""
        if isinstance(layer, KerasTensor):
            if not isinstance(layer.node.layer, InputLayer):
                raise ValueError("Sequential.add: a symbolic tensor can only start a "
                                 "Sequential when it is keras.Input(...); got the output of "
                                 f"layer {layer.node.layer.name!r} (use keras.Model(inputs, "
                                 "outputs) for graphs of layers)")
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if len(self.stack) or self.input_layer is not None:
                raise ValueError("Sequential.add: an Input/InputLayer must be the first "
                                 "thing added to the model")
            self.input_layer = layer
            self.input_shape_known = layer.input_shape_hint
            return
        if not isinstance(layer, (Layer, Model)):
            raise TypeError(f"Only instances of `keras.Layer` can be added to a Sequential "
                            f"model. Received: {layer!r} (of type {type(layer).__name__})")
        if layer is self:
            raise ValueError(f"Sequential.add: model {self.name!r} cannot be added to itself")
        if layer.multi_input:
            what = (f"model {layer.name!r} has inputs {layer._input_names()}"
                    if isinstance(layer, Model) else "merges several inputs")
            raise ValueError(f"Sequential.add: {type(layer).__name__} {what}, which a "
                             "Sequential never feeds; use keras.Model(inputs, outputs)")
        if isinstance(layer, Model) and len(layer.output_names) > 1 and layer.built:
            raise ValueError(f"Sequential.add: model {layer.name!r} has "
                             f"{len(layer.output_names)} outputs {layer.output_names}; each "
                             "layer of a Sequential has one")
        names = self._names()
        if layer.name in names:
            if not layer.auto_name:
                raise ValueError(f"All layers added to a Sequential model should have unique "
                                 f"names. Name {layer.name!r} is already the name of a layer "
                                 "in this model. Update the `name` argument to pass a "
                                 "unique name.")
            layer.name = free_name(layer.name, names,
                                   self.__dict__.setdefault("_name_counters", {}))
        if not len(self.stack) and self.input_shape_known is None:
            self.input_shape_known = layer.input_shape_hint
        self.stack.append(layer)
        names.add(layer.name)
        if self.input_shape_known is not None and not self._defer_build:
            if self.built and len(self.stack) > 1:      # only the new layer to build
                self.output_shape = layer.build_for(self.output_shape)
                if self.compiled and self.trainable_weights:
                    self._build_layers()                # the optimizer follows
            else:
                self._build_layers()

    def _names(self):
        """The layers' names, kept as a set beside the stack (one look-up per
        ``add``: a model of n layers is made in time linear in n)."""
        names = self.__dict__.get("_layer_names")
        if names is None or len(names) != len(self.stack):
            names = self.__dict__["_layer_names"] = {l.name for l in self.stack}
        return names

    def pop(self):
        """Remove and return the last layer."""
        if not len(self.stack):
            raise IndexError("Sequential.pop: the model has no layers")
        kept = list(self.stack)
        last = kept.pop()
        self.stack = ModuleList(kept)
        self.__dict__["_layer_names"] = None
        if kept and self.built:
            self.output_shape = kept[-1].output_shape
        return last

    # -- the symbolic view: inputs, outputs, each layer's input and output ------------
    def _symbolic(self):
        """``(input, output)``: KerasTensors of the layers called in turn on
        ``keras.Input`` of the model's input shape, made once (again after ``add``/
        ``pop``), as Keras builds a Sequential as a functional graph."""
        graph = self.__dict__.get("_graph")
        if graph is None or graph[2] != [id(layer) for layer in self.stack]:
            if self.input_shape_known is None or not self.built:
                raise AttributeError(f"Sequential {self.name!r} has no symbolic inputs yet: "
                                     "give it keras.Input(shape) first, or build it")
            from .layers import Input
            x = y = Input(shape=self.input_shape_known)
            for layer in self.stack:
                y = layer(y)
            graph = (x, y, [id(layer) for layer in self.stack])
            self.__dict__["_graph"] = graph
        return graph

    @property
    def inputs(self):
        return [self._symbolic()[0]]

    @property
    def outputs(self):
        return [self._symbolic()[1]]

    @property
    def input(self):
        return self._symbolic()[0]

    @property
    def output(self):
        return self._symbolic()[1]

    def build(self, input_shape=None):
        """Create every layer's weights for inputs of shape ``(None, …)``."""
        if input_shape is not None:
            self.input_shape_known = tuple(input_shape)[1:]
        if self.input_shape_known is None:
            raise ValueError(self._unbuilt_message("build"))
        self._build_layers()

    def _build_layers(self):
        if not len(self.stack):
            return
        shape = (None,) + tuple(self.input_shape_known)
        for layer in self.stack:
            shape = layer.build_for(shape)
        self.output_shape = shape
        self.built = True
        if self.compiled and not self.optimizer.built and self.trainable_weights:
            self.optimizer.build(self.trainable_weights)

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of ``input_shape`` (the model as a layer)."""
        self.check_weights_fit(input_shape)
        shape = tuple(input_shape)
        for layer in self.stack:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def weight_shapes(self, input_shape):
        return self.expected_weight_shapes(input_shape)

    def _ensure_built(self, x, who):
        """Build from the data when needed, then check x's shape against the input."""
        if not len(self.stack):
            raise ValueError(f"{who}: the model has no layers; add some with model.add()")
        if self.input_shape_known is None:
            self.input_shape_known = tuple(x.shape[1:])
        if not self.built:
            self._build_layers()
        self._check_input_shape(x, who, self.layers[0].name)

    # -- computing -----------------------------------------------------------------------
    def _output_layer(self):
        return self.layers[-1]

    def _step_layers(self, fused):
        body, last = self.layers[:-1], self.layers[-1]
        return body, (getattr(last, "masked_logits", last.logits) if fused else last)

    def _forward(self, x, logits=False):
        """The output; with ``logits``, the last layer's pre-activation scores."""
        layers = self.stack._modules
        if logits:
            *body, last = layers.values()
            for layer in body:
                x = layer(x)
            return getattr(last, "masked_logits", last.logits)(x)
        for layer in layers.values():
            x = layer(x)
        return x

    # -- configuration -------------------------------------------------------------------
    def get_config(self):
        """Keras 3's configuration: ``{"name", "trainable", "dtype", "layers": [an
        InputLayer, then each layer as {"module", "class_name", "config",
        "registered_name", "build_config"}], "build_input_shape"}``."""
        return saving_config.sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None, build=True):
        """A model from ``get_config()``'s dict (Keras 3's, or the one retrograd wrote
        before). Only the classes of ``keras.layers``, registered classes and
        ``custom_objects`` can be named; ``build=False`` creates no weights."""
        if not isinstance(config, dict):
            raise ValueError(f"the model configuration is a {type(config).__name__}, "
                             "expected a dict")
        config = saving_config.as_json(config)      # tuples of a config made in Python
        specs = config.get("layers", [])
        if not isinstance(specs, list) or not all(isinstance(x, dict) for x in specs):
            raise ValueError("the model configuration's 'layers' must be a list of "
                             "{'class_name', 'config'} dicts")
        name = config.get("name")
        model = cls(name=name if isinstance(name, str) else None)
        model._defer_build = True
        for spec in specs:
            model.add(layer_from_spec(spec, custom_objects))
        shape = config.get("build_input_shape")
        if shape is None and model.input_shape_known is None and specs:
            build_config = specs[0].get("build_config")     # Keras 3, no InputLayer
            if isinstance(build_config, dict):
                shape = build_config.get("input_shape")
        if shape is not None:
            if not isinstance(shape, list) or len(shape) < 2 or not all(
                    isinstance(d, int) and not isinstance(d, bool) and d > 0
                    for d in shape[1:]):
                raise ValueError(f"invalid build_input_shape {str(shape)[:60]} (expected "
                                 "[null, positive sizes…])")
            model.input_shape_known = tuple(shape[1:])
        model._defer_build = False
        # The flag alone: the layers were saved with their own (one may differ).
        model.__dict__["_trainable"] = config.get("trainable", True) is not False
        if build and model.input_shape_known is not None:
            model._build_layers()
        return model

    def expected_weight_shapes(self, input_shape=None):
        """{"<layer>/<weight>": shape} that building (for ``input_shape``, by default
        the model's) would create, computed from the shapes alone (nothing allocated):
        what a file must hold to fit."""
        shape = tuple(input_shape) if input_shape is not None else \
            (None,) + tuple(self.input_shape_known)
        out = {}
        for layer in self.stack:
            for n, s in layer.weight_shapes(shape).items():
                out[f"{layer.name}/{n}"] = tuple(s)
            shape = tuple(layer.compute_output_shape(shape))
        return out


def layer_from_spec(spec, custom_objects=None):
    """A layer from its description (Keras 3's ``{"module", "class_name", "config",
    …}`` or retrograd's earlier ``{"class_name", "config"}``): only the classes of
    ``keras.layers``, registered classes and ``custom_objects`` can be named, or a
    model used as a layer (``Sequential``, ``Functional``: built later)."""
    return saving_config.layer_from_spec(spec, custom_objects)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True,
               restore_rng=True):
    """Rebuild a model saved by ``model.save``: architecture, weights and (with
    ``compile=True``) the compile settings, the optimizer's state and, unless
    ``restore_rng=False``, the random generators' states, so that training resumes
    bit for bit. Only the layer classes of ``keras.layers`` (and ``custom_objects``)
    can be created: the file holds no code. The weights are checked against the
    architecture before any is allocated; any inconsistency raises
    ``ModelFileError`` naming the file."""
    if keras_file.is_keras_zip(filepath):       # Keras 3's layout: a config.json entry
        return keras_file.load_model(filepath, custom_objects, compile)
    header, arrays = serialization.load(filepath)
    name = os.fspath(filepath)
    try:
        return _model_from(header, arrays, name, custom_objects, compile, restore_rng)
    except ModelFileError as e:
        if name in str(e):
            raise
        raise ModelFileError(f"{name}: {e}") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError,
            RecursionError) as e:
        raise ModelFileError(f"{name}: invalid model description "
                             f"({type(e).__name__}: {str(e)[:300]})") from None


def _model_from(header, arrays, filepath, custom_objects, compile, restore_rng):
    if header.get("kind") != "model":
        raise ModelFileError(f"{filepath}: holds only weights (written by save_weights); "
                             "build the model and call model.load_weights() instead")
    classes = {"Sequential": Sequential, "Functional": Functional}
    name = header.get("class_name")
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ModelFileError(f"{filepath}: unknown model class {str(name)[:40]!r} "
                             "(Sequential or Functional)")
    model = saving_config.model_from_config(header.get("config"), custom_objects, cls,
                                            build=False)
    if cls is Sequential and (model.input_shape_known is None or not len(model.stack)):
        raise ModelFileError(f"{filepath}: the architecture has no input shape or no layers")
    check_fit(model.expected_weight_shapes(), arrays, filepath, "architecture")
    model._build_layers()
    assign(model, arrays, filepath)
    spec = header.get("compile")
    if compile and spec is not None:
        if not isinstance(spec, dict):
            raise ModelFileError(f"{filepath}: invalid compile settings")
        model.compile(optimizer=optimizers_module.get(spec.get("optimizer")),
                      **compile_utils.deserialize(spec, len(model.output_names)))
        _restore_optimizer(model, header.get("optimizer_state"), arrays, filepath)
        if restore_rng and header.get("rng") is not None:
            set_rng_state(filepath, header["rng"], model)
    return model


def _restore_optimizer(model, spec, arrays, filepath):
    if not spec:
        return
    opt = model.optimizer
    if not opt.built:
        opt.build(model.trainable_weights)
    iterations = spec.get("iterations", 0)
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 0:
        raise ModelFileError(f"{filepath}: invalid optimizer iterations {iterations!r}")
    try:
        opt.inner.load_state_dict(optimizer_from_file(filepath, spec, arrays))
        for group in opt.inner.param_groups:       # hyper-parameters read from the file
            opt.inner._check(group)
    except ModelFileError:
        raise
    except (ValueError, KeyError, TypeError) as e:
        raise ModelFileError(f"{filepath}: the optimizer state does not fit the model ({e})") \
            from None
    opt.iterations = iterations
    if not callable(opt._lr):
        opt._lr = float(opt.inner.param_groups[0]["lr"])


from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
