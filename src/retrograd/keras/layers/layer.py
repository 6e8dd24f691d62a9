"""The base class of every Keras layer: weights made in ``build(input_shape)``, a
symbolic call on ``KerasTensor``s recorded as a graph node, eager calls on arrays."""
import functools
import inspect
import re
import threading
import warnings

import numpy as np

from ...missing import NotSupportedError
from ...nn import regularizers as _regularizers
from ...nn.module import Module, as_input
from ...tensor import Tensor
from .. import keras_tensor as _kt
from ..input_spec import assert_input_compatibility
from ..keras_tensor import is_symbolic, symbolic_call
from ..variables import Variable
from .. import constraints as _constraints


def to_snake_case(name):
    """Keras's default layer names: ``Dense`` → ``dense``, ``ReLU`` → ``re_lu``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _shape_tuple(shape, who, arg):
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        shape = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{who}: {arg} must be a tuple of positive integers, got "
                         f"{arg}={shape!r}") from None
    if any(d is not None and d <= 0 for d in shape):
        raise ValueError(f"{who}: {arg} must hold positive sizes, got {arg}={shape!r}")
    return shape


def _positive_int(value, who, arg):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{who}: {arg} must be a positive integer. Received: {arg}={value!r}")
    return int(value)


# Layers being called, innermost last: the outermost (entry) call clears the losses
# its layers added at the previous call, as Keras 3 does. One count per thread.
_CALLS = threading.local()


def _tensor_input(x, who, arg):
    """An eager input of a layer's call: tensors as given, arrays (float64 → float32,
    as Keras casts to the layer's dtype) and numbers as tensors; lists and dicts of
    them element by element; anything else (None, strings) as given."""
    if isinstance(x, Tensor):       # float inputs in the layer's float32, as Keras
        return x.to(dtype=np.float32) if x.dtype == np.float64 else x
    if isinstance(x, (list, tuple)):
        return type(x)(_tensor_input(v, who, f"{arg}[{i}]") for i, v in enumerate(x))
    if isinstance(x, dict):
        return {k: _tensor_input(v, who, f"{arg}[{k!r}]") for k, v in x.items()}
    if isinstance(x, (np.ndarray, np.generic, float, int)) and not isinstance(x, bool):
        a = np.asarray(x)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{who}: {arg} must hold numbers, got an array of dtype {a.dtype}")
        return Tensor(a, dtype=np.float32 if a.dtype.kind == "f" else None)
    return x


def _shape_of(x):
    """The shape structure of a call's input (batch axis None), for ``build``."""
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    shape = tuple(shape)
    return (None,) + shape[1:] if shape else shape


def _trainable(w):
    return getattr(w, "trainable", True)


def _weights_of(module, which):
    """A sub-module's weights: a layer's (or a model's) own lists; for a plain
    ``nn`` module, its parameters, all trainable."""
    if isinstance(module, Layer) or hasattr(module, "trainable_weights"):
        return getattr(module, which)
    if which == "non_trainable_weights":
        own = []
    else:
        own = [p for p in module._parameters.values() if p is not None]
    for child in module._modules.values():
        if child is not None:
            own += _weights_of(child, which)
    return own


def _unique(groups):
    out, seen = [], set()
    for group in groups:
        for w in group:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
    return out


def losses_of(module):
    """Keras's ``layer.losses`` / ``model.losses`` for any module: the losses its
    layers added (``add_loss``, activity regularizers) during the last call, then the
    penalties of its trainable weights' regularizers (``add_weight(regularizer=…)``,
    ``Dense(kernel_regularizer=…)``), as tensors. Their sum is what training adds
    to the loss (``Module.regularization_loss`` adds the same terms)."""
    activity, penalties = [], []
    trainable = module.trainable_weights if hasattr(module, "trainable_weights") else \
        list(module.parameters())
    trained = {id(w) for w in trainable}
    for m in module.modules():
        if isinstance(m, Layer):
            activity += m._losses
        elif not hasattr(m, "trainable_weights") and any(
                id(p) in trained for p in m._parameters.values() if p is not None):
            penalties += m.penalties()       # an nn module's (Dense's kernel_regularizer)
    for w in trainable:
        reg = getattr(w, "regularizer", None)
        if reg is not None:
            penalties.append(reg(w))
    return activity + penalties


def clear_losses(module):
    """Forget the losses the layers of ``module`` added at their last call."""
    for m in module.modules():
        if isinstance(m, Layer) and m._losses:
            m._losses = []


class entry_call:
    """``with entry_call(model): …``: a model's call in which its layers' losses
    accumulate (a layer called twice adds its losses twice), cleared on entry when
    this is the outermost call, as Keras 3 does."""

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        depth = getattr(_CALLS, "depth", 0)
        if depth == 0:
            clear_losses(self.module)
        _CALLS.depth = depth + 1

    def __exit__(self, *exc):
        _CALLS.depth -= 1


_DTYPE_NAMES = (None, "float32", np.float32)


def _check_dtype(dtype, who):
    """Keras's dtype argument: a name or a saved DTypePolicy ({"config": {"name": …}});
    only float32 is computed here."""
    name = dtype
    if isinstance(dtype, dict):
        name = dtype.get("config", {}).get("name") if isinstance(dtype.get("config"), dict) \
            else None
    if name not in _DTYPE_NAMES and getattr(name, "name", None) != "float32":
        raise ValueError(f"{who}: only dtype='float32' is supported, got dtype={dtype!r}")


# The library's layers that pass their input's mask on, as Keras 3's whose
# ``supports_masking`` is True (the others drop it: Flatten, Conv…, GlobalMaxPooling1D).
_PASSES_MASK = frozenset({
    "Dense", "EinsumDense", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
    "Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise", "ActivityRegularization",
    "LayerNormalization", "GroupNormalization", "BatchNormalization", "UnitNormalization",
    "Rescaling", "Normalization", "Identity", "Masking", "TimeDistributed",
    "MultiHeadAttention", "GroupedQueryAttention"})


def keras_mask(x):
    """The mask ``x`` carries (Keras's ``x._keras_mask``): a boolean tensor, True at
    the real steps; a list of them for a list; None when it has none."""
    if isinstance(x, (list, tuple)):
        return [keras_mask(t) for t in x]
    return getattr(x, "_keras_mask", None) if isinstance(x, Tensor) else None


def _set_masks(outputs, masks):
    """Attach ``masks`` to the output tensors that have none yet (Keras's
    ``_set_mask_metadata``)."""
    if isinstance(outputs, dict):
        outputs = list(outputs.values())
    if not isinstance(outputs, (list, tuple)):
        outputs, masks = [outputs], [masks]
    elif not isinstance(masks, (list, tuple)):
        masks = [masks] * len(outputs)
    for t, m in zip(outputs, masks):
        if isinstance(t, Tensor) and m is not None and \
                getattr(t, "_keras_mask", None) is None:
            if not isinstance(m, Tensor):
                m = Tensor(m)
            t._keras_mask = m


class Layer(Module):
    """Base of the Keras layers: a ``Module`` with a name, ``build(input_shape)``,
    ``call(inputs, training=None, mask=None)``, Keras's weights, losses and
    configuration. Subclass it as Keras 3's guides do::

        class Linear(keras.layers.Layer):
            def __init__(self, units=32, **kwargs):
                super().__init__(**kwargs)
                self.units = units
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                         initializer="random_normal")
                self.b = self.add_weight(shape=(self.units,), initializer="zeros")
            def call(self, inputs):
                return ops.matmul(inputs, self.w) + self.b

    Called on tensors or arrays it computes (``build`` runs once, at the first call,
    with the input shape); ``training`` is passed to ``call`` only when ``call``
    takes it (by default the layer's mode: ``model.fit`` trains, ``predict`` does
    not). Called on a ``KerasTensor`` (``keras.Input(...)`` or another layer's
    symbolic output) it records the call in a graph for ``keras.Model(inputs,
    outputs)`` and returns KerasTensors whose shapes come from
    ``compute_output_shape`` if the layer defines it, else from running ``call`` on
    stand-in values of those shapes (Keras's ``compute_output_spec``).

    Masks (Keras 3's): a tensor may carry a mask, ``x._keras_mask`` (True at the
    real steps; ``Embedding(mask_zero=True)`` and ``Masking`` make one). A call
    that takes ``mask`` receives its input's (``query_mask``/``value_mask``/…
    with several tensor arguments); the output then carries
    ``compute_mask(inputs, mask)`` if the layer ``supports_masking`` (by default
    the input's mask, passed through), and no mask otherwise.

    Shapes exclude the batch axis except where Keras writes ``None`` first
    (``build``, ``compute_output_shape`` and ``output_shape`` take/return
    ``(None, …)``)."""

    multi_input = False     # merge layers (Add, Concatenate, …) take a list of inputs
    dtype = compute_dtype = variable_dtype = "float32"      # Keras's dtype policy, fixed
    # Whether calls go through Keras 3's whole protocol (training=, several inputs,
    # losses): a layer whose call is not the library's own single-input call. Set
    # per class by __init_subclass__; the library's plain layers keep a direct path.
    _protocol = False
    _call_training = _call_mask = _user_call = False
    _call_first = None
    _call_names = ()
    # Keras's ``supports_masking``: the output gets ``compute_mask(inputs, mask)``
    # (by default the input's mask); False drops the mask. ``_makes_mask``: the class
    # defines compute_mask (a layer that may produce a mask from no mask).
    supports_masking = _makes_mask = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        owner = next(k for k in cls.__mro__ if "call" in k.__dict__)
        params = list(inspect.signature(cls.call).parameters.values())[1:]
        names = [p.name for p in params]
        cls._call_training, cls._call_mask = "training" in names, "mask" in names
        cls._call_first = names[0] if names else None
        cls._call_names = tuple(names)
        if "compute_mask" in cls.__dict__:
            cls._makes_mask = True
            if "supports_masking" not in cls.__dict__:
                cls.supports_masking = True
        if cls.__module__.startswith("retrograd.") and cls.__name__ in _PASSES_MASK:
            cls.supports_masking = True
        cls._user_call = not owner.__module__.startswith("retrograd.")
        cls._protocol = cls._user_call or len(params) != 1 or \
            params[0].kind is not params[0].POSITIONAL_OR_KEYWORD
        if "build" in cls.__dict__:     # layer.build(shape) by hand marks it built
            cls.build = _marks_built(cls.__dict__["build"])

    def __init__(self, name=None, input_shape=None, input_dim=None, batch_input_shape=None,
                 trainable=True, dtype=None, activity_regularizer=None, autocast=True,
                 **kwargs):
        super().__init__()
        # Keras: a layer infers unless called with training=True, as fit's steps are
        # (fit puts the model in training mode and back; PyTorch's modules start in it).
        self.training = False
        who = type(self).__name__
        if kwargs:
            raise TypeError(f"{who}: unexpected argument(s) {sorted(kwargs)}")
        _check_dtype(dtype, who)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{who}: name must be a string, got name={name!r}")
        if not isinstance(trainable, (bool, np.bool_)):
            raise ValueError(f"{who}: expected `trainable` to be a boolean. Received: "
                             f"trainable={trainable!r}")
        self.name = name if name is not None else to_snake_case(who)
        self.auto_name = name is None
        hint = None
        if input_dim is not None:
            hint = (_positive_int(input_dim, who, "input_dim"),)
        elif input_shape is not None:
            hint = _shape_tuple(input_shape, who, "input_shape")
        elif batch_input_shape is not None:
            hint = _shape_tuple(batch_input_shape, who, "batch_input_shape")[1:]
        self.input_shape_hint = hint
        self.trainable = bool(trainable)
        self.built = False
        self.input_shape = self.output_shape = None
        self._inbound_nodes = []     # this layer's calls on symbolic inputs
        self._losses = []            # add_loss's, since the last entry call
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        if self.activity_regularizer is not None:
            self._protocol = True

    def _placed(self, value):
        """A sub-module registered here takes this layer's mode: Keras has one mode per
        call, not per layer, so a layer's parts (``Dropout``'s ``nn.Dropout``, the
        layers of a model) infer until a training call or ``fit`` says otherwise."""
        if isinstance(value, Module):
            value.train(self.training)
        return Module._placed(self, value)

    def __setattr__(self, name, value):
        # A weight made by add_weight is registered under its Keras name already;
        # ``self.w = self.add_weight(...)`` only keeps the attribute. A list of
        # layers is tracked (Keras tracks them) by a hidden ModuleList.
        d = self.__dict__
        params = d.get("_parameters")
        if params is not None:
            if isinstance(value, Variable) and any(p is value for p in params.values()):
                object.__setattr__(self, name, value)
                return
            if isinstance(value, (list, tuple)) and not name.startswith("_"):
                if all(isinstance(v, Module) for v in value) and (value or self._user_call):
                    if type(value) is list and self._user_call:
                        value = _LayerList(self, name, value)    # appends tracked too
                    _track_list(self, name, value)
                    object.__setattr__(self, name, value)
                    return
                if name in d["_modules"]:          # a tracked list replaced by data
                    del d["_modules"][name]
        super().__setattr__(name, value)

    # -- computing ---------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        x = args[0] if args else None
        if not self._protocol:
            if isinstance(x, Tensor):       # the training path: one check, as Module's
                mask = getattr(x, "_keras_mask", None)
                out = self.forward(*args, **kwargs)
                if mask is None and not self._makes_mask:
                    return out
                return self._mask_output(x, out, mask)
            if is_symbolic(x):
                if len(args) > 1 or kwargs:
                    raise TypeError(f"{type(self).__name__} {self.name!r}: called on a "
                                    "symbolic input, it takes no other argument")
                return symbolic_call(self, x)
            if self.multi_input and isinstance(x, (list, tuple)):
                who = type(self).__name__
                xs = [t if isinstance(t, Tensor) else
                      as_input(t, who, f"input {i}", floating=True)
                      for i, t in enumerate(x)]
                out = self.forward(xs)
                masks = keras_mask(xs)
                if all(m is None for m in masks):
                    return out
                return self._mask_output(xs, out, masks)
            out = Module.__call__(self, *args, **kwargs)
            if self._makes_mask and isinstance(x, (np.ndarray, list, tuple)):
                out = self._mask_output(Tensor(np.asarray(x)), out, None)
            return out
        if not args and self._call_first in kwargs:     # layer(inputs=x)
            args = (kwargs.pop(self._call_first),)
        if not args:
            raise TypeError(f"{type(self).__name__} {self.name!r}: called without inputs")
        if any(is_symbolic(a) or isinstance(a, dict) and is_symbolic(list(a.values()))
               for a in args):
            return _kt.layer_symbolic_call(self, args, kwargs)
        return self._protocol_call(*args, **kwargs)

    def _protocol_call(self, *args, **kwargs):
        """An eager call with Keras 3's protocol: inputs converted, ``build`` at the
        first call, ``training`` given to ``call`` if it takes it, the losses of the
        previous call cleared by the outermost layer, the activity regularizer's
        loss added."""
        who = f"{type(self).__name__} {self.name!r}"
        training = kwargs.pop("training", None)
        if not self._call_mask and kwargs.get("mask", 0) is None:
            kwargs.pop("mask")
        args = tuple(_tensor_input(a, who, "the input" if i == 0 else f"argument {i}")
                     for i, a in enumerate(args))
        x = args[0]
        previous_mask = self._fill_masks(args, kwargs)
        spec = self.__dict__.get("input_spec")
        if spec is not None:        # Keras's InputSpec, checked on the first argument
            assert_input_compatibility(spec, x, self.name)
        if isinstance(x, Tensor):
            if x.ndim == 0:
                raise ValueError(f"{who}: the input must have a batch axis, got a 0-d "
                                 "input")
            if not self.built:
                self._check_hint(x)
        if not self.built:
            self._build_from(args)
        if self._call_training:
            kwargs["training"] = self.training if training is None else bool(training)
        mode = None
        if training is not None and bool(training) != self.training:
            mode = self.training
            self.train(bool(training))
        depth = getattr(_CALLS, "depth", 0)
        if depth == 0:
            clear_losses(self)
        _CALLS.depth = depth + 1
        try:
            out = self.call(*args, **kwargs)
        finally:
            _CALLS.depth = depth
            if mode is not None:
                self.train(mode)
        if self.activity_regularizer is not None and isinstance(out, Tensor):
            self.add_loss(self.activity_regularizer(out) / max(out.shape[0], 1)
                          if out.ndim else self.activity_regularizer(out))
        if isinstance(out, Tensor) and out.ndim:
            self.output_shape = (None,) + tuple(out.shape[1:])
        if previous_mask is not None or self._makes_mask:
            out = self._mask_output(x, out, previous_mask)
        return out

    # -- masks (Keras's ``_keras_mask``) ------------------------------------------------
    def compute_mask(self, inputs, previous_mask):
        """The mask of the output (True at the real steps) for ``inputs`` whose mask
        is ``previous_mask``: by default that mask, passed through."""
        return previous_mask

    def _fill_masks(self, args, kwargs):
        """Keras's step 6 of ``__call__``: a call that takes ``mask`` gets the mask
        of its only tensor argument; with several tensor arguments, each ``{name}``
        with a ``{name}_mask`` parameter gives it its mask (MultiHeadAttention's
        query/value/key). Returns the previous mask: the mask given, else the first
        argument's."""
        names = self._call_names
        if "mask" in names or any(n.endswith("_mask") for n in names):
            tensors = {n: a for n, a in zip(names, args)
                       if isinstance(a, Tensor) or isinstance(a, (list, tuple)) and a
                       and all(isinstance(t, Tensor) for t in a)}
            tensors.update({k: v for k, v in kwargs.items() if isinstance(v, Tensor)})
            if len(tensors) == 1 and "mask" in names and kwargs.get("mask") is None:
                mask = keras_mask(next(iter(tensors.values())))
                if mask is not None and not (isinstance(mask, list) and
                                             all(m is None for m in mask)):
                    kwargs["mask"] = mask
            elif len(tensors) > 1:
                for k, v in tensors.items():
                    if f"{k}_mask" in names and kwargs.get(f"{k}_mask") is None:
                        mask = keras_mask(v)
                        if mask is not None:
                            kwargs[f"{k}_mask"] = mask
        given = kwargs.get("mask")
        if given is not None:
            return given
        mask = keras_mask(args[0]) if args else None
        if isinstance(mask, list) and all(m is None for m in mask):
            return None
        return mask

    def _mask_output(self, inputs, out, previous_mask):
        """Attach ``compute_mask(inputs, previous_mask)`` to ``out`` when the layer
        supports masking (Keras drops the mask otherwise)."""
        if not self.supports_masking:
            if previous_mask is not None and not (isinstance(previous_mask, list) and all(
                    m is None for m in previous_mask)):
                warnings.warn(f"Layer {self.name!r} (of type {type(self).__name__}) was "
                              "passed an input with a mask attached to it. However, this "
                              "layer does not support masking and will therefore destroy "
                              "the mask information. Downstream layers will not see the "
                              "mask.", UserWarning, stacklevel=3)
            return out
        flat = list(out.values()) if isinstance(out, dict) else \
            list(out) if isinstance(out, (list, tuple)) else [out]
        if all(getattr(t, "_keras_mask", None) is not None for t in flat):
            return out
        _set_masks(out, self.compute_mask(inputs, previous_mask))
        return out

    def _check_hint(self, x):
        hint = self.input_shape_hint    # input_dim=/input_shape= given: held to it
        if hint is not None and (len(hint) >= x.ndim or any(
                h not in (None, d) for h, d in zip(hint, x.shape[x.ndim - len(hint):]))):
            raise ValueError(f"{type(self).__name__} {self.name!r}: declared for inputs "
                             f"of shape {(None,) + hint}, got an input of shape "
                             f"{tuple(x.shape)}")

    def _build_from(self, args):
        """``build`` with the inputs' shapes: the first argument's (a list or dict of
        shapes for a list or dict of inputs), or one shape per argument when
        ``build`` takes as many."""
        shapes = [_shape_of(a) for a in args]
        n = len(inspect.signature(self.build).parameters)
        if len(args) > 1 and n == len(args):
            self.build(*shapes)
        else:
            self.build(shapes[0])
        self.built = True
        self.input_shape = shapes[0]

    @property
    def input(self):
        """The KerasTensor (or list of them) this layer was called on, when it was
        called once on symbolic inputs."""
        node = self._single_node("input")
        return node.inputs[0] if len(node.inputs) == 1 else list(node.inputs)

    @property
    def output(self):
        """The KerasTensor this layer produced, when it was called once on a symbolic
        input (``keras.Input(...)``, another layer's output)."""
        return self._single_node("output").output

    def _single_node(self, what):
        if len(self._inbound_nodes) != 1:
            raise AttributeError(
                f"Layer {self.name!r} has {len(self._inbound_nodes)} symbolic calls, so it "
                f"has no single {what}" + ("" if self._inbound_nodes else
                                           ": call it on keras.Input(...) first"))
        return self._inbound_nodes[0]

    def check_weights_fit(self, input_shape):
        """Refuse an input shape that the weights already built do not fit (a layer
        shared between calls must see the same feature sizes each time)."""
        own = {n: tuple(p.shape) for n, p in self.named_weights()}
        if not own:
            return
        needed = {n: tuple(s) for n, s in self.weight_shapes(tuple(input_shape)).items()}
        if needed != own:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: it was built for inputs of shape {self.input_shape}, "
                             f"got shape {tuple(input_shape)}")

    def build(self, input_shape):
        """Create the weights for inputs of shape ``(None, …)``."""
        self.built = True

    def call(self, x):
        raise NotImplementedError(f"{type(self).__name__} does not define call()")

    def forward(self, x):
        if x.dtype.kind != "f":             # Keras casts inputs to the layer's float32
            x = x.to(dtype=np.float32)
        if x.ndim == 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the input must have a "
                             "batch axis, got a 0-d input")
        if not self.built:
            self._check_hint(x)
            self.build_for((None,) + tuple(x.shape[1:]))
        return self.call(x)

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of ``input_shape``: by default found by running
        ``call`` on stand-in inputs of that shape (Keras's ``compute_output_spec``);
        a layer may define it by a formula."""
        if not self._user_call and not self._protocol:
            return tuple(input_shape)       # the library's elementwise layers
        specs = _kt.map_shapes(_kt.KerasSpec, input_shape)
        shapes, _ = _kt.infer_output(f"{type(self).__name__} {self.name!r}",
                                     self._protocol_call, (specs,), {}, state=self.weights)
        clear_losses(self)
        return shapes

    def weight_shapes(self, input_shape):
        """{weight name: shape} that ``build(input_shape)`` creates: a layer that
        makes its weights with ``add_weight`` is built to know them."""
        if not self.built and type(self).build is not Layer.build:
            self._build_from([_kt.map_shapes(_kt.KerasSpec, input_shape)])
        return {n: tuple(p.shape) for n, p in self.named_weights()}

    def build_for(self, input_shape):
        """Build (if needed) and record the input and output shapes."""
        input_shape = tuple(input_shape) if isinstance(input_shape, (list, tuple)) and \
            not any(isinstance(s, (list, tuple)) for s in input_shape) else input_shape
        if not self.built:
            if self._protocol:
                self._build_from([_kt.map_shapes(_kt.KerasSpec, input_shape)])
            else:
                self.build(input_shape)
            self.built = True
        self.input_shape = input_shape
        out = self.compute_output_shape(input_shape)
        self.output_shape = tuple(out) if isinstance(out, (list, tuple)) and \
            not any(isinstance(s, (list, tuple)) for s in out) else out
        return self.output_shape

    # -- weights -----------------------------------------------------------------
    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """A new weight of the layer, Keras 3's ``add_weight``: a ``keras.Variable`` of
        ``shape`` (default ``()``) drawn by ``initializer`` (a Keras name such as
        ``"random_normal"``, an initializer or a callable ``f(shape, dtype)``; default
        ``"glorot_uniform"``, ``"zeros"`` for integers). ``trainable=False``: it takes
        no gradient and is listed in ``non_trainable_weights``. ``regularizer``'s
        penalty joins ``layer.losses`` (and the training loss). ``constraint`` (an object,
        a name such as ``"non_neg"`` or a config dict) projects the weight after each
        optimizer step. Positional form:
        ``add_weight(shape, initializer, dtype)``.

        >>> self.w = self.add_weight(shape=(4, 2), initializer="random_normal")
        """
        who = f"{type(self).__name__} {self.name!r}: add_weight"
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}.add_weight: call "
                               "super().__init__(**kwargs) first in __init__")
        if args:
            if len(args) > 3:
                raise TypeError(f"{who} takes at most 3 positional arguments (shape, "
                                f"initializer, dtype) but {len(args)} were given")
            if isinstance(args[0], str):
                raise ValueError(f"{who}: `name` must be passed as a keyword argument. "
                                 f"Received: add_weight({args[0]!r}, ...). Use: "
                                 f"add_weight(shape=..., name={args[0]!r}).")
            given = {"shape": shape, "initializer": initializer, "dtype": dtype}
            for arg, value in zip(("shape", "initializer", "dtype"), args):
                if given[arg] is not None:
                    raise ValueError(f"{who}: `{arg}` was passed both positionally and as "
                                     "a keyword argument.")
                given[arg] = value
            shape, initializer, dtype = given["shape"], given["initializer"], given["dtype"]
        shape = () if shape is None else shape
        try:
            shape = (int(shape),) if isinstance(shape, (int, np.integer)) else \
                tuple(int(d) for d in shape)
        except (TypeError, ValueError):
            raise ValueError(f"{who}: shape must be fully defined (integers, no None), got "
                             f"shape={shape!r}") from None
        dtype = np.dtype(getattr(dtype, "name", dtype) if dtype is not None else np.float32)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        # A name ("non_neg"), a config dict or an object; the optimizers project the
        # weight with it after each update (keras/optimizers).
        constraint = read_constraints(who, constraint=constraint)["constraint"]
        if not isinstance(trainable, (bool, np.bool_)):
            raise ValueError(f"{who}: trainable must be a boolean, got trainable="
                             f"{trainable!r}")
        key = name or "variable"
        if key in self._parameters or key in self._modules:
            k = 1
            while f"{key}_{k}" in self._parameters or f"{key}_{k}" in self._modules:
                k += 1
            key = f"{key}_{k}"
        variable = Variable(initializer, shape=shape, dtype=dtype, trainable=bool(trainable),
                            name=key, regularizer=_regularizers.get(regularizer),
                            constraint=constraint, path=f"{self.name}/{key}")
        self._parameters[key] = self._placed(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True, autocast=True,
                     regularizer=None, constraint=None, aggregation="none", name=None):
        """Keras 3's ``add_variable``: ``add_weight`` with shape and initializer
        required."""
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, regularizer=regularizer,
                               constraint=constraint, name=name)

    def _own_weights(self):
        own = [p for p in self._parameters.values() if p is not None]
        return [p for p in own if _trainable(p)], [p for p in own if not _trainable(p)]

    def _children(self):
        return [m for m in self._modules.values() if m is not None]

    @property
    def weights(self):
        """Every weight: the layer's own (trainable first), then its sub-layers'."""
        trained, frozen = self._own_weights()
        return _unique([trained, frozen] + [_weights_of(m, "weights")
                                            for m in self._children()])

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return _unique([self._own_weights()[0]] + [_weights_of(m, "trainable_weights")
                                                   for m in self._children()])

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return _unique([self._own_weights()[1]] + [_weights_of(m, "non_trainable_weights")
                                                   for m in self._children()])

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def named_weights(self):
        """(Keras weight name, weight) in the order of ``weights``: ``kernel``,
        ``bias``, an ``add_weight``'s name; a sub-layer's as ``<sub-layer>/<name>``."""
        names = {}
        for n, p in self._parameters.items():
            if p is not None:
                names.setdefault(id(p), n)
        for m in self._modules.values():
            if m is None:
                continue
            if isinstance(m, Layer) or hasattr(m, "trainable_weights"):
                for n, p in m.named_weights():
                    names.setdefault(id(p), f"{m.name}/{n}")
            else:
                for n, p in m.named_parameters():
                    names.setdefault(id(p), n.rsplit(".", 1)[-1])
        return [(names.get(id(p), "variable"), p) for p in self.weights]

    def count_params(self):
        return int(sum(p.size for p in self.weights))

    def get_weights(self):
        return [p.numpy().copy() for p in self.weights]

    def set_weights(self, weights):
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"Layer {self.name!r} expects {len(own)} weights, but the "
                             f"given list has {len(weights)}")
        for (n, p), w in zip(self.named_weights(), weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"Layer {self.name!r} weight {n!r} has shape {p.shape}, "
                                 f"got an array of shape {w.shape}")
        for p, w in zip(own, weights):
            p.array[...] = np.asarray(w)

    # -- losses ------------------------------------------------------------------
    def add_loss(self, loss):
        """Add a scalar loss (a tensor, or a list of them) computed in ``call``: it is
        in ``layer.losses`` until the next call and training adds it to the loss."""
        values = list(loss) if isinstance(loss, (list, tuple)) else [loss]
        for v in values:
            if not isinstance(v, Tensor):
                raise ValueError("`add_loss()` can only be called from inside `build()` "
                                 f"or `call()`, on a tensor input. Received invalid value: "
                                 f"{v!r} (layer {self.name!r})")
        self._losses = self._losses + values

    @property
    def losses(self):
        """The losses of the last call (``add_loss``, activity regularizers) of this
        layer and its sub-layers, then its trainable weights' regularizer penalties."""
        return losses_of(self)

    def penalties(self):
        """This layer's own terms of the training loss: its last call's losses and its
        own trainable weights' regularizer penalties (sub-modules add theirs)."""
        own = list(self._losses)
        if self.trainable:
            # requires_grad: fit turns it off for the weights it does not train (a
            # frozen model around this layer), whose penalties Keras leaves out too.
            own += [p.regularizer(p) for p in self._own_weights()[0]
                    if getattr(p, "regularizer", None) is not None and p.requires_grad]
        return own

    @property
    def has_penalties(self):
        """Whether training must add this layer's penalties: it has a regularized
        weight or an activity regularizer, or its ``call`` is the user's (it may call
        ``add_loss``)."""
        return self._user_call or self.activity_regularizer is not None or any(
            getattr(p, "regularizer", None) is not None for p in self._parameters.values())

    # A layer ending in an activation φ: ``call(x) = φ(logits(x))``. The model uses
    # this to hand a softmax/sigmoid's logits to the fused cross-entropy.
    output_activation = None

    def logits(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no output activation")

    def masked_logits(self, x):
        """``logits(x)`` carrying the mask that the layer's call gives its output
        (the fused loss of a masked output still weighs it by the mask)."""
        mask = getattr(x, "_keras_mask", None)
        out = self.logits(x)
        if mask is None and not self._makes_mask:
            return out
        return self._mask_output(x, out, mask)

    # -- configuration -------------------------------------------------------------
    def get_config(self):
        """Keras's base keys (``name``, ``trainable``, ``dtype``); a user's layer that
        does not define ``get_config`` also gets the arguments its ``__init__`` was
        given (as Keras 3 records them), when they are plain values."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": "float32"}
        if self.input_shape_hint is not None:
            config["input_shape"] = list(self.input_shape_hint)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = _regularizer_config(self.activity_regularizer)
        if type(self).get_config is Layer.get_config and self._user_call:
            auto = self.__dict__.get("_init_arguments")
            if auto is None:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} {self.name!r}: its __init__ arguments "
                    "could not be recorded; define get_config() returning them")
            bad = [k for k, v in auto.items() if not _plain_value(v)]
            if bad:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} {self.name!r} was created with "
                    f"argument(s) {bad} that are not plain values (numbers, strings, "
                    "lists, dicts); define get_config() and from_config() for it")
            config.update(auto)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        if cls._user_call and cls.get_config is Layer.get_config:
            try:
                bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
            except TypeError:
                return self
            arguments = dict(bound.arguments)
            arguments.pop(next(iter(arguments)))        # self
            for name, p in inspect.signature(cls.__init__).parameters.items():
                if p.kind is p.VAR_KEYWORD and name in arguments:
                    arguments.update(arguments.pop(name))
                elif p.kind is p.VAR_POSITIONAL and name in arguments:
                    arguments.pop(name)
            object.__setattr__(self, "_init_arguments", arguments)
        return self

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def as_variables(layer, params):
    """Give ``params`` ({Keras name: Parameter}, made by a wrapped ``nn`` module)
    Keras's variable API in place (``.trainable``, ``.path``, ``.assign``…): the same
    objects, now ``keras.Variable``s, so the optimizer and the graph keep them."""
    for name, p in params.items():
        if p is not None and not isinstance(p, Variable):
            p.__class__ = Variable
            p.__dict__.update(_trainable=True, name=name, path=f"{layer.name}/{name}",
                              regularizer=None, constraint=None)


def constrain(layer, **constraints):
    """Give the weights ``layer.<name>`` their constraint (Keras's ``kernel_constraint=``
    …, already read by ``constraints.get``): the optimizers project them with it after
    each update. Weights that do not exist (no bias) are skipped."""
    for name, c in constraints.items():
        p = getattr(layer, name, None)
        if p is not None and c is not None:
            p.constraint = c


def read_constraints(who, **given):
    """``{argument: constraint}`` from Keras's ``*_constraint=`` arguments (None, a name,
    a config dict, an object or a callable), each through ``keras.constraints.get``."""
    out = {}
    for arg, value in given.items():
        try:
            out[arg] = _constraints.get(value)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{who}: {arg}={value!r}: {e}") from None
    return out


def constraint_config(c):
    """A constraint as Keras's ``get_config`` writes it (``keras.constraints.serialize``;
    None stays None)."""
    if c is None:
        return None
    if isinstance(c, _constraints.Constraint):
        return _constraints.serialize(c)
    return c


def _track_list(layer, name, items):
    """Register the layers of the list ``layer.name`` (a hidden ModuleList), so that
    their weights are found."""
    from ...nn.containers import ModuleList
    layer.__dict__["_modules"][name] = ModuleList([v for v in items if isinstance(v, Module)])


class _LayerList(list):
    """A list attribute of a user's layer (``self.blocks = []`` then
    ``self.blocks.append(Dense(4))``): each change re-registers its layers."""

    def __init__(self, owner, name, items):
        super().__init__(items)
        self._owner, self._name = owner, name

    def _changed(self):
        owner = getattr(self, "_owner", None)      # None while a copy is being made
        if owner is not None and "_modules" in owner.__dict__:
            _track_list(owner, self._name, self)

    def _tracked(method):
        def wrapper(self, *args):
            out = method(self, *args)
            self._changed()
            return out
        wrapper.__name__ = method.__name__
        return wrapper

    append, extend, insert, remove, pop, clear = (
        _tracked(list.append), _tracked(list.extend), _tracked(list.insert),
        _tracked(list.remove), _tracked(list.pop), _tracked(list.clear))
    __setitem__, __delitem__, __iadd__ = (
        _tracked(list.__setitem__), _tracked(list.__delitem__), _tracked(list.__iadd__))
    del _tracked


def _marks_built(build):
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        build(self, *args, **kwargs)
        self.built = True
    return wrapper


def _plain_value(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_plain_value(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _plain_value(x) for k, x in v.items())
    return False


def _regularizer_config(reg):
    if reg is None or isinstance(reg, str):
        return reg
    return {"class_name": type(reg).__name__, "config": reg.get_config()}


def _plain(init):
    """An initializer as a config value: its Keras name (a string is kept), or, when
    its settings differ from its class's defaults (``Constant(0.5)``), Keras 3's dict
    ``{"module", "class_name", "config", "registered_name"}`` — a name would lose them."""
    if isinstance(init, str) or init is None:
        return init
    config = init.get_config() if hasattr(init, "get_config") else {}
    try:
        default = type(init)().get_config()
    except TypeError:           # no default constructor: always the dict
        default = None
    if config and config != default:
        return {"module": "keras.initializers", "class_name": type(init).__name__,
                "config": dict(config), "registered_name": None}
    return getattr(init, "name", None) or to_snake_case(type(init).__name__)


class OpLayer(Layer):
    """A ``keras.ops`` function or a Python operator applied to KerasTensors in a
    functional model (``x + y``, ``x[:, :2]``, ``ops.concatenate([a, b])``): one node
    of the graph that calls ``fn`` on the values. It has no weights."""

    def __init__(self, fn, name, template):
        super().__init__(name=name)
        self.auto_name = True       # add, add_1, … in a model
        self.fn, self.template = fn, template
        self.built = True

    def call(self, *values):
        args, kwargs = _kt._refill(self.template, values)
        return self.fn(*args, **kwargs)

    def get_config(self):
        raise NotSupportedError(
            f"the operation {self.name!r} on symbolic tensors (a Python operator or a "
            "keras.ops call in a functional model) cannot be saved in a configuration "
            "(Keras 3 saves it; retrograd does not yet): to save the model, do it in a "
            "custom layer's call() and give that layer a get_config()")


_OP_CLASSES = {}


def op_layer_class(name):
    """The OpLayer subclass named after the operation (``get_item`` → ``GetItem``),
    so that a summary's "Layer (type)" column reads as Keras's."""
    cls = _OP_CLASSES.get(name)
    if cls is None:
        title = "".join(part.capitalize() for part in name.split("_"))
        cls = _OP_CLASSES[name] = type(title, (OpLayer,), {"__module__": __name__})
    return cls
