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

  A subclassed model is built by its first batch (or ``build((None, n))``); it can
  save its weights (``save_weights``), not its architecture (``call`` is code, which
  model files never hold).
"""
import os

import numpy as np

from .. import serialization
from ..checkpoint import optimizer_to_file, rng_state
from ..function import no_grad
from ..nn.module import Module
from ..tensor import Tensor
from . import compile_utils
from . import optimizers as optimizers_module
from . import summary as summary_module
from .keras_tensor import KerasTensor
from .layers import Layer, to_snake_case
from .trainer import Trainer


class Model(Trainer, Module):
    """A Keras model: layers, weights, ``summary``, saving, and the training methods.

    ``keras.Model(inputs, outputs, name=None)`` makes a functional model; a subclass
    defines ``call(inputs)`` (see the module docstring). It is an ``nn.Module``:
    ``model.parameters()`` works with ``retrograd.optim`` too."""

    _file_class = None      # the class name written in model files (None: cannot be saved)

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, name=None, trainable=True, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}: keras.Model() takes inputs and outputs "
                            "(the functional API) or, in a subclass, only name=/trainable=; "
                            f"got {len(args)} positional and {sorted(kwargs)} keyword "
                            "argument(s)")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, got name={name!r}")
        Module.__init__(self)
        self.name = name or to_snake_case(type(self).__name__)
        self.auto_name = name is None       # may be renamed (name_1) inside another model
        self.built = False
        self.input_shape_known = None       # without the batch axis
        self.output_shape = None
        self.history = None
        self.trainable = trainable

    def __call__(self, *args, **kwargs):
        if args and isinstance(args[0], KerasTensor):
            raise NotImplementedError(
                f"{self.name}: calling a model on a symbolic tensor (a model inside a "
                "functional graph) is not supported; call its layers instead")
        return Module.__call__(self, *args, **kwargs)

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

    def _check_input_shape(self, x, who, first, index=0, arg="x"):
        """x's shape (after the batch axis) against the model's input shape."""
        expected = tuple(self.input_shape_known)
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
        ``call`` once on a batch of zeros)."""
        if input_shape is None:
            raise ValueError(self._unbuilt_message("build"))
        shape = tuple(input_shape)[1:]
        if any(d is None for d in shape):
            raise ValueError(f"build: every feature size must be known, got {tuple(input_shape)}")
        self._build_from(np.zeros((1,) + shape, dtype=np.float32))

    def _ensure_built(self, x, who):
        if not self.built:
            self._build_from(x)
        self._check_input_shape(x, who, self.layers[0].name if self.layers else self.name)

    def _build_from(self, x):
        """Run ``call`` once, in inference mode and without gradients, on x's first
        sample: every lazily built layer creates its weights."""
        if type(self).call is Model.call:
            raise NotImplementedError(f"{type(self).__name__}: a subclass of keras.Model must "
                                      "define call(self, inputs) (or use keras.Model(inputs, "
                                      "outputs) or keras.Sequential)")
        training = self.training
        self.eval()
        try:
            with no_grad():
                out = self.call(Tensor(np.asarray(x[:1], dtype=np.float32)))
        finally:
            self.train(training)
        if not isinstance(out, Tensor):
            raise TypeError(f"{type(self).__name__}.call must return a tensor, got "
                            f"{type(out).__name__}")
        self.input_shape_known = tuple(x.shape[1:])
        self.output_shape = (None,) + tuple(out.shape[1:])
        self._unique_layer_names()
        self.built = True
        if self.compiled and not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)

    def _unique_layer_names(self):
        """Default names made unique (``dense``, ``dense_1``, …); a name given twice by
        the user is an error, since weights are saved under the layers' names."""
        names = set()
        for layer in self.layers:
            if layer.name in names:
                if not getattr(layer, "auto_name", False):
                    raise ValueError(f"The name {layer.name!r} is used 2 times in the model "
                                     f"{self.name!r}. All layer names should be unique.")
                base, k = layer.name, 1
                while f"{base}_{k}" in names:
                    k += 1
                layer.name = f"{base}_{k}"
            names.add(layer.name)

    # -- inputs and outputs ----------------------------------------------------------------
    @property
    def output_names(self):
        """The outputs' names (Keras: those of the layers that produce them), which
        name their losses and metrics in the logs and key the dicts of compile/fit."""
        layers = self.layers
        return [layers[-1].name] if layers else ["output"]

    def _input_names(self):
        return ["input"]

    def _output_shapes(self):
        return [self.output_shape]

    def _output_layers(self):
        """Per output, the layer whose activation ends it (a loss may fuse it)."""
        return [self._output_layer()]

    # -- computing ----------------------------------------------------------------------
    def _output_layer(self):
        """The layer whose activation ends the model (its logits can feed the fused
        loss), or None when that is not known (a subclass's call)."""
        return None

    def _step_layers(self, fused):
        """(body, head) of a training step: ``head(body[-1](… body[0](x)))``."""
        return (), self.call

    def _forward(self, x, logits=False):
        return self.call(x)

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

    def call(self, inputs, training=None):
        return self.forward(inputs, training)

    # -- weights ------------------------------------------------------------------------
    def _own_weights(self):
        """Parameters the model holds itself, outside its layers (a subclass's)."""
        return [p for p in self._parameters.values() if p is not None]

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights] + self._own_weights()

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self.layers for w in layer.trainable_weights] + \
            self._own_weights()

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [w for layer in self.layers for w in layer.non_trainable_weights]

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
            p.data[...] = np.asarray(w)

    def named_weights(self):
        """("<layer>/<weight>", parameter) for every weight: the names in model files."""
        out = [(f"{layer.name}/{n}", p) for layer in self.layers
               for n, p in layer.named_weights()]
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

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Write the architecture, the weights and the compile settings (with the
        optimizer's state) to one file, atomically (see ``retrograd.serialization``)."""
        filepath = os.fspath(filepath)
        if self._file_class is None:
            self.get_config()       # raises, saying what to do instead
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save: {filepath} exists and overwrite=False")
        if not self.built:
            raise ValueError(self._unbuilt_message("save"))
        arrays = {k: backend_host(p.data) for k, p in self._named_arrays().items()}
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
        assign(self, arrays, filepath)


def backend_host(a):
    from ..backend import to_device
    return np.asarray(to_device(a, "cpu"))


def assign(model, arrays, filepath):
    """Check that the file's weights fit the model exactly, then copy them in."""
    own = model._named_arrays()
    stored = {k: v for k, v in arrays.items() if not k.startswith("optimizer/")}
    missing = [k for k in own if k not in stored]
    extra = [k for k in stored if k not in own]
    if missing or extra:
        raise serialization.ModelFileError(
            f"{filepath}: the weights do not fit the model: "
            + (f"missing {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {', '.join(extra)}" if extra else ""))
    for k, p in own.items():
        a = stored[k]
        if a.shape != p.shape:
            raise serialization.ModelFileError(
                f"{filepath}: weight {k} has shape {a.shape} in the file, the model expects "
                f"{p.shape}")
        if a.dtype.kind != "f":
            raise serialization.ModelFileError(f"{filepath}: weight {k} has dtype {a.dtype}, "
                                               "expected floating point")
    for k, p in own.items():
        p.data[...] = stored[k]
