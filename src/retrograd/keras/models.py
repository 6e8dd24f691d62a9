"""Keras models: ``Sequential``, and saving/loading them.

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

import numpy as np

from .. import serialization
from ..checkpoint import optimizer_from_file, optimizer_to_file, rng_state, set_rng_state
from ..nn.containers import ModuleList
from ..nn.module import Module
from ..serialization import ModelFileError
from ..tensor import Tensor
from . import layers as layers_module
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import summary as summary_module
from .layers import InputLayer, Layer
from .trainer import Trainer


class Sequential(Trainer, Module):
    """A stack of layers, each feeding the next: ŷ = f_L(… f_1(x)).

    ``Sequential(layers=None, name=None)``; ``add(layer)``, ``pop()``. The model
    is built (its weights created) as soon as the input shape is known: from the
    first layer's ``input_dim``/``input_shape``, a leading ``keras.Input(shape)``,
    ``build((None, …))``, or the first batch it sees. It is an ``nn.Module``:
    ``model.parameters()`` works with ``retrograd.optim`` too."""

    def __init__(self, layers=None, name=None, trainable=True):
        Module.__init__(self)
        self.name = name or "sequential"
        self.stack = ModuleList()
        self.input_layer = None
        self.input_shape_known = None       # without the batch axis
        self.built = False
        self.output_shape = None
        self.history = None
        self.trainable = trainable
        self._defer_build = False     # from_config builds only once the weights are checked
        for layer in layers or ():
            self.add(layer)

    # -- structure -------------------------------------------------------------------
    @property
    def layers(self):
        """The layers, without the InputLayer (as Keras 3 lists them)."""
        return list(self.stack)

    def add(self, layer):
        """Append ``layer``; builds it at once when the input shape is known."""
        if isinstance(layer, InputLayer):
            if len(self.stack) or self.input_layer is not None:
                raise ValueError("Sequential.add: an Input/InputLayer must be the first "
                                 "thing added to the model")
            self.input_layer = layer
            self.input_shape_known = layer.input_shape_hint
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Only instances of `keras.Layer` can be added to a Sequential "
                            f"model. Received: {layer!r} (of type {type(layer).__name__})")
        names = {l.name for l in self.stack}
        if layer.name in names:
            if not layer.auto_name:
                raise ValueError(f"All layers added to a Sequential model should have unique "
                                 f"names. Name {layer.name!r} is already the name of a layer "
                                 "in this model. Update the `name` argument to pass a "
                                 "unique name.")
            base, k = layer.name, 1
            while f"{base}_{k}" in names:
                k += 1
            layer.name = f"{base}_{k}"
        if not len(self.stack) and self.input_shape_known is None:
            self.input_shape_known = layer.input_shape_hint
        self.stack.append(layer)
        if self.input_shape_known is not None and not self._defer_build:
            self._build_layers()

    def pop(self):
        """Remove and return the last layer."""
        if not len(self.stack):
            raise IndexError("Sequential.pop: the model has no layers")
        kept = list(self.stack)
        last = kept.pop()
        self.stack = ModuleList(kept)
        if kept and self.built:
            self.output_shape = kept[-1].output_shape
        return last

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: "
                         f"{[l.name for l in self.layers]}")

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
        if self.compiled and not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)

    @property
    def input_shape(self):
        return None if self.input_shape_known is None else (None,) + tuple(self.input_shape_known)

    def _unbuilt_message(self, who):
        return (f"{who}: this model has not yet been built (its input size is unknown). "
                "Build the model first by calling `build((None, n_features))` or by calling "
                "the model on a batch of data, or give the first layer its input size: "
                "Dense(10, input_dim=784), or start with keras.Input(shape=(784,))")

    def _ensure_built(self, x, who):
        """Build from the data when needed, then check x's shape against the input."""
        if not len(self.stack):
            raise ValueError(f"{who}: the model has no layers; add some with model.add()")
        if self.input_shape_known is None:
            self.input_shape_known = tuple(x.shape[1:])
        if not self.built:
            self._build_layers()
        expected = tuple(self.input_shape_known)
        got = tuple(x.shape[1:])
        if len(got) != len(expected) or any(e is not None and e != g
                                            for e, g in zip(expected, got)):
            first = self.layers[0].name
            axis = next((i for i, (e, g) in enumerate(zip(expected, got)) if e != g), None)
            detail = (f"expected axis {axis - len(expected)} of input shape to have value "
                      f"{expected[axis]}" if axis is not None and len(got) == len(expected)
                      else f"expected inputs of shape (None, "
                      f"{', '.join(str(d) for d in expected)})")
            raise ValueError(f'{who}: Input 0 of layer "{first}" is incompatible with the '
                             f"layer: {detail}, but received input with shape "
                             f"{(None,) + got} (argument x)")

    # -- computing -----------------------------------------------------------------------
    def _forward(self, x, logits=False):
        """The output; with ``logits``, the last layer's pre-activation scores."""
        layers = self.stack._modules
        if logits:
            *body, last = layers.values()
            for layer in body:
                x = layer(x)
            return last.logits(x)
        for layer in layers.values():
            x = layer(x)
        return x

    def forward(self, x, training=None):
        """``model(x)``: the output tensor (x: a Tensor or an array)."""
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x, dtype=np.float32))
        if not self.built:
            self._ensure_built(x, "call")
        if training is not None:
            self.train(bool(training))
        try:
            return self._forward(x)
        finally:
            if training is not None:
                self.eval()

    def call(self, x, training=None):
        return self.forward(x, training)

    # -- weights -------------------------------------------------------------------------
    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self):
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    def count_params(self):
        return int(sum(layer.count_params() for layer in self.layers))

    def get_weights(self):
        """Every layer's weights, in order, as NumPy arrays (copies)."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        weights = list(weights)
        expected = sum(len(layer.weights) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(f"set_weights: the model has {expected} weight arrays, got "
                             f"{len(weights)}")
        i = 0
        for layer in self.layers:
            k = len(layer.weights)
            layer.set_weights(weights[i:i + k])
            i += k

    def _named_arrays(self):
        return {f"{layer.name}/{n}": p for layer in self.layers for n, p in layer.named_weights()}

    # -- summary -------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print Keras 3's summary table (Layer (type) · Output Shape · Param #, then
        Total / Trainable / Non-trainable params with their sizes)."""
        if not self.built:
            raise ValueError(self._unbuilt_message("summary"))
        rows = [(f"{layer.name} ({type(layer).__name__})",
                 summary_module.format_shape(layer.output_shape),
                 f"{layer.count_params():,}") for layer in self.layers]
        trainable = sum(p.size for p in self.trainable_weights)
        frozen = sum(p.size for p in self.non_trainable_weights)
        opt = None
        if self.compiled and self.optimizer.built and self.optimizer.inner.state:
            opt = sum(int(v.size) for s in self.optimizer.inner.state.values()
                      for v in s.values() if hasattr(v, "size"))
        lines = summary_module.render(self.name, rows, int(trainable), int(frozen),
                                      optimizer_count=opt, line_length=line_length,
                                      positions=positions)
        if print_fn is None:
            print("\n".join(lines))
        else:
            for line in lines:
                print_fn(line)

    # -- configuration -------------------------------------------------------------------
    def get_config(self):
        layers = []
        if self.input_layer is not None:
            layers.append({"class_name": "InputLayer", "config": self.input_layer.get_config()})
        layers += [{"class_name": type(l).__name__, "config": l.get_config()}
                   for l in self.layers]
        return {"name": self.name, "layers": layers,
                "build_input_shape": None if self.input_shape is None else list(self.input_shape)}

    @classmethod
    def from_config(cls, config, custom_objects=None, build=True):
        """A model from ``get_config()``'s dict. Only the classes of ``keras.layers``
        (and ``custom_objects``) can be named; ``build=False`` creates no weights."""
        if not isinstance(config, dict):
            raise ValueError(f"the model configuration is a {type(config).__name__}, "
                             "expected a dict")
        specs = config.get("layers", [])
        if not isinstance(specs, list) or not all(isinstance(x, dict) for x in specs):
            raise ValueError("the model configuration's 'layers' must be a list of "
                             "{'class_name', 'config'} dicts")
        known = {**layers_module.CLASSES, **(custom_objects or {})}
        model = cls(name=config.get("name"))
        model._defer_build = True
        for spec in specs:
            name = spec.get("class_name")
            layer_cls = known.get(name) if isinstance(name, str) else None
            if layer_cls is None:
                raise ValueError(f"unknown layer class {str(name)[:40]!r}; known: "
                                 f"{', '.join(sorted(known))} (pass custom layers with "
                                 "custom_objects={'Name': Class})")
            layer_config = spec.get("config", {})
            if not isinstance(layer_config, dict):
                raise ValueError(f"layer {name}: its configuration must be a dict")
            try:
                model.add(layer_cls.from_config(dict(layer_config)))
            except (TypeError, ValueError, OverflowError) as e:
                raise ValueError(f"layer {name}: invalid configuration ({e})") from None
        shape = config.get("build_input_shape")
        if shape is not None:
            if not isinstance(shape, list) or len(shape) < 2 or not all(
                    isinstance(d, int) and not isinstance(d, bool) and d > 0
                    for d in shape[1:]):
                raise ValueError(f"invalid build_input_shape {str(shape)[:60]} (expected "
                                 "[null, positive sizes…])")
            model.input_shape_known = tuple(shape[1:])
        model._defer_build = False
        if build and model.input_shape_known is not None:
            model._build_layers()
        return model

    def expected_weight_shapes(self):
        """{"<layer>/<weight>": shape} that building would create, computed from the
        shapes alone (nothing allocated): what a file must hold to fit."""
        shape = (None,) + tuple(self.input_shape_known)
        out = {}
        for layer in self.stack:
            for n, s in layer.weight_shapes(shape).items():
                out[f"{layer.name}/{n}"] = tuple(s)
            shape = tuple(layer.compute_output_shape(shape))
        return out

    def _compile_header(self):
        if not self.compiled:
            return None
        return {"optimizer": optimizers_module.serialize(self.optimizer),
                "loss": None if self.loss is None else losses_module.serialize(self.loss),
                "metrics": [metrics_module.serialize(m) for m in self.compiled_metrics]}

    def _optimizer_state(self):
        """The optimizer's slots as (JSON header, arrays) — empty before training."""
        opt = self.optimizer
        if not self.compiled or not opt.built:
            return None, {}
        spec, arrays = optimizer_to_file(opt.inner.state_dict())
        spec["iterations"] = opt.iterations
        return spec, arrays

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Write the architecture, the weights and the compile settings (with the
        optimizer's state) to one file, atomically (see ``retrograd.serialization``)."""
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save: {filepath} exists and overwrite=False")
        if not self.built:
            raise ValueError(self._unbuilt_message("save"))
        arrays = {k: backend_host(p.data) for k, p in self._named_arrays().items()}
        header = {"kind": "model", "class_name": "Sequential", "config": self.get_config(),
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
        """Write only the weights (named ``<layer>/<weight>``), atomically."""
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save_weights: {filepath} exists and overwrite=False")
        if not self.built:
            raise ValueError(self._unbuilt_message("save_weights"))
        arrays = {k: backend_host(p.data) for k, p in self._named_arrays().items()}
        serialization.save(filepath, {"kind": "weights", "weights": list(arrays)}, arrays)

    def load_weights(self, filepath):
        """Load weights saved by ``save_weights`` or ``save``; every weight must be in
        the file with this model's shape."""
        header, arrays = serialization.load(filepath)
        if not self.built:
            raise ValueError(self._unbuilt_message("load_weights"))
        _assign(self, arrays, filepath)


def backend_host(a):
    from ..backend import to_device
    return np.asarray(to_device(a, "cpu"))


def _assign(model, arrays, filepath):
    """Check that the file's weights fit the model exactly, then copy them in."""
    own = model._named_arrays()
    stored = {k: v for k, v in arrays.items() if not k.startswith("optimizer/")}
    missing = [k for k in own if k not in stored]
    extra = [k for k in stored if k not in own]
    if missing or extra:
        raise ModelFileError(
            f"{filepath}: the weights do not fit the model: "
            + (f"missing {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {', '.join(extra)}" if extra else ""))
    for k, p in own.items():
        a = stored[k]
        if a.shape != p.shape:
            raise ModelFileError(f"{filepath}: weight {k} has shape {a.shape} in the file, "
                                 f"the model expects {p.shape}")
        if a.dtype.kind != "f":
            raise ModelFileError(f"{filepath}: weight {k} has dtype {a.dtype}, expected "
                                 "floating point")
    for k, p in own.items():
        p.data[...] = stored[k]


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True,
               restore_rng=True):
    """Rebuild a model saved by ``model.save``: architecture, weights and (with
    ``compile=True``) the compile settings, the optimizer's state and, unless
    ``restore_rng=False``, the random generators' states, so that training resumes
    bit for bit. Only the layer classes of ``keras.layers`` (and ``custom_objects``)
    can be created: the file holds no code. The weights are checked against the
    architecture before any is allocated; any inconsistency raises
    ``ModelFileError`` naming the file."""
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
    if header.get("class_name") != "Sequential":
        raise ModelFileError(f"{filepath}: unknown model class "
                             f"{str(header.get('class_name'))[:40]!r} (only Sequential)")
    model = Sequential.from_config(header.get("config"), custom_objects, build=False)
    if model.input_shape_known is None or not len(model.stack):
        raise ModelFileError(f"{filepath}: the architecture has no input shape or no layers")
    _check_fit(model.expected_weight_shapes(), arrays, filepath)
    model._build_layers()
    _assign(model, arrays, filepath)
    spec = header.get("compile")
    if compile and spec is not None:
        if not isinstance(spec, dict):
            raise ModelFileError(f"{filepath}: invalid compile settings")
        metrics = spec.get("metrics") or []
        if not isinstance(metrics, list):
            raise ModelFileError(f"{filepath}: invalid compile metrics")
        loss = spec.get("loss")
        model.compile(optimizer=optimizers_module.get(spec.get("optimizer")),
                      loss=None if loss is None else losses_module.get(loss),
                      metrics=[metrics_module.get(m) for m in metrics])
        _restore_optimizer(model, header.get("optimizer_state"), arrays, filepath)
        if restore_rng and header.get("rng") is not None:
            set_rng_state(filepath, header["rng"], model)
    return model


def _check_fit(expected, arrays, filepath):
    stored = {k: a for k, a in arrays.items() if not k.startswith("optimizer/")}
    missing = [k for k in expected if k not in stored]
    extra = [k for k in stored if k not in expected]
    if missing or extra:
        raise ModelFileError(
            f"{filepath}: the weights do not fit the architecture: "
            + (f"missing {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {', '.join(extra[:10])}" if extra else ""))
    for k, shape in expected.items():
        if stored[k].shape != shape:
            raise ModelFileError(f"{filepath}: weight {k} has shape {stored[k].shape} in the "
                                 f"file, the architecture needs {shape}")


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
