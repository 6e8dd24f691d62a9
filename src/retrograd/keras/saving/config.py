"""Model configurations as Keras 3 writes them, both ways.

A layer is ``{"module": "keras.layers", "class_name": "Dense", "config": {…},
"registered_name": null, "build_config": {"input_shape": [null, 4]}}``; a
``Sequential`` lists such layers (an ``InputLayer`` first); a ``Functional``
model gives each layer its calls (``inbound_nodes``: per call, the
``__keras_tensor__`` it reads, ``[layer, node index, tensor index]`` in
``keras_history``) and names its ``input_layers`` and ``output_layers``.

Reading, a class name resolves through an allow-list only (``keras.layers.CLASSES``,
the models, ``register_keras_serializable`` and ``custom_objects``); the ``module``
a file states is never imported. The functional graph is rebuilt in time linear in
the configuration, whatever the order of its layers (each call waits on a counter
of the tensors it reads). The configurations retrograd wrote before (Keras 2's
``inbound_nodes`` lists, ``InputLayer(shape=…)``) are read by the same code.

``keras_layers(model)`` is the order Keras 3 gives ``model.layers`` (inputs first,
then by decreasing depth), which names the groups of a ``.keras`` weights file.
"""
import functools
import inspect
import math
from collections import defaultdict, deque

from ...missing import NotSupportedError
from .. import layers as layers_module
from ..keras_tensor import KerasTensor, layer_symbolic_call, symbolic_call
from ..layers import InputLayer, Layer
from ..layers.layer import to_snake_case
from ..model import Model
from .object_registration import lookup, registered_name_of

POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
          "registered_name": None}
# Keys Keras 3 writes whose value here is its default, which a retrograd layer that
# does not take the argument behaves as (any other value of a key the layer does not
# take is refused, naming it).
_DEFAULTS = {"data_format": "channels_last", "sparse": False, "ragged": False,
             "optional": False, "autocast": True}
_MODEL_CLASSES = ("Sequential", "Functional")


def _classes():
    """The allow-list, read at each call: layers other modules add to
    ``keras.layers.CLASSES`` are picked up."""
    from ..functional import Functional
    from ..models import Sequential
    return {**layers_module.CLASSES, "Sequential": Sequential, "Functional": Functional}


# -- retrograd -> Keras 3 ---------------------------------------------------------------
def _shape_list(shape):
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(s, (list, tuple)) for s in shape):
        return [_shape_list(s) for s in shape]
    return None if shape is None else [None if d is None else int(d) for d in shape]


def _keras_value(value):
    """A retrograd config value as Keras 3 writes it (nested objects get a module)."""
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        reg = value.get("registered_name")
        return {"module": value.get("module", "keras.regularizers"),
                "class_name": value["class_name"], "config": value["config"],
                "registered_name": reg}
    if isinstance(value, tuple):
        return list(value)
    return value


def layer_to_config(layer):
    """The Keras 3 description of ``layer`` (a model used as a layer: its own)."""
    if isinstance(layer, Model):
        return model_to_config(layer)
    cls = type(layer)
    if isinstance(layer, InputLayer):
        config = {"batch_shape": [layer.batch_size] + _shape_list(layer.input_shape_hint),
                  "dtype": "float32", "sparse": False, "name": layer.name}
    else:
        # The input size is the InputLayer's and the build_config's; trainable=True
        # is every layer's default (and Keras's SpatialDropout takes no trainable=).
        config = {k: _keras_value(v) for k, v in layer.get_config().items()
                  if k not in ("input_shape", "batch_input_shape") and
                  not (k == "trainable" and v is True)}
        config["dtype"] = dict(POLICY, config=dict(POLICY["config"]))
    reg = registered_name_of(cls)
    spec = {"module": "keras.layers" if reg is None else cls.__module__,
            "class_name": cls.__name__, "config": config, "registered_name": reg}
    if not isinstance(layer, InputLayer) and layer.built and layer.input_shape is not None:
        spec["build_config"] = {"input_shape": _shape_list(layer.input_shape)}
    return spec


def model_to_config(model):
    """``{"module", "class_name", "config", "registered_name", "build_config"}`` of a
    Sequential or functional model, as Keras 3's ``serialize_keras_object``."""
    config = model.get_config() if not _is_functional(model) else functional_config(model)
    spec = {"module": "keras" if type(model).__name__ == "Sequential"
            else "keras.src.models.functional",
            "class_name": "Sequential" if type(model).__name__ == "Sequential"
            else "Functional", "config": config, "registered_name": None}
    if model.built:
        shapes = model._expected_input_shapes()
        if shapes:
            spec["build_config"] = {"input_shape": _shape_list(
                shapes[0] if len(shapes) == 1 else shapes)}
    return spec


def _is_functional(model):
    from ..functional import Functional
    return isinstance(model, Functional)


def sequential_config(model):
    """Keras 3's ``Sequential.get_config()``: an InputLayer first (when the input
    shape is known), then each layer."""
    layers = []
    if model.input_layer is not None:
        layers.append(layer_to_config(model.input_layer))
    elif model.input_shape_known is not None:
        layers.append(layer_to_config(InputLayer(shape=model.input_shape_known,
                                                 name="input_layer")))
    layers += [layer_to_config(l) for l in model.layers]
    return {"name": model.name, "trainable": model.trainable,
            "dtype": dict(POLICY, config=dict(POLICY["config"])), "layers": layers,
            "build_input_shape": None if model.input_shape is None
            else _shape_list(model.input_shape)}


def _graph(model):
    """Keras 3's ``map_graph`` on a functional model: (its layers in Keras's order,
    the nodes of the model). Nodes are walked depth first back from the outputs
    (iteratively), depths assigned from the outputs, layers sorted by decreasing
    depth then by first visit."""
    index, post, finished = {}, [], set()

    def enter(node):
        index.setdefault(id(node.layer), (len(index), node.layer))
    for t in model.outputs:
        start = t.node
        if id(start) in finished:
            continue
        enter(start)
        stack = [(start, iter(start.inputs))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                if id(node) not in finished:
                    finished.add(id(node))
                    post.append(node)
                continue
            if id(nxt.node) in finished:
                continue
            enter(nxt.node)
            stack.append((nxt.node, iter(nxt.node.inputs)))
    node_depth, layer_depth = {}, {}
    for node in reversed(post):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        for t in node.inputs:
            if id(t.node) in finished:
                node_depth[id(t.node)] = max(depth + 1, node_depth.get(id(t.node), 0))
    order = {}
    for t in model.inputs:          # inputs no output depends on: depth 0, first
        if id(t.node.layer) not in layer_depth:
            layer_depth[id(t.node.layer)] = 0
            index[id(t.node.layer)] = (-1, t.node.layer)
            post.append(t.node)
    for key, (k, layer) in index.items():
        order[key] = (-layer_depth[key], k)
    layers = [layer for _, layer in sorted(index.values(),
                                          key=lambda kl: order[id(kl[1])])]
    return layers, post


def keras_layers(model):
    """``model.layers`` in Keras 3's order (a Sequential: its layers; a functional
    model: the InputLayers and layers by decreasing depth)."""
    if _is_functional(model):
        return _graph(model)[0]
    return list(model.layers)


def functional_config(model):
    """Keras 3's ``Functional.get_config()`` of a retrograd functional model."""
    layers, nodes = _graph(model)
    in_model = {id(n) for n in nodes}
    renumber = {}                  # id(node) -> its index among its layer's calls here
    for layer in layers:
        k = 0
        for node in layer._inbound_nodes:
            if id(node) in in_model:
                renumber[id(node)] = k
                k += 1

    def ref(t):
        return [t.node.layer.name, renumber[id(t.node)], t.index]

    def tensor(t):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": _shape_list(t.shape), "dtype": "float32",
                           "keras_history": ref(t)}}
    specs = []
    for layer in layers:
        calls = []
        for node in layer._inbound_nodes:
            if id(node) not in in_model or not node.inputs:
                continue
            arg = [tensor(t) for t in node.inputs] if node.multi else tensor(node.inputs[0])
            args, kwargs = [arg], {}
            given = node.rebuild
            if given is not None and len(given[0]) > 1 and all(
                    isinstance(a, KerasTensor) for a in given[0]):
                # Several positional inputs, Keras's form: MultiHeadAttention(query, value)
                args = [tensor(a) for a in given[0]]
                kwargs = {k: v for k, v in given[1].items() if isinstance(v, _PLAIN)}
            if node.training is not None:
                kwargs["training"] = node.training
            calls.append({"args": args, "kwargs": kwargs})
        spec = layer_to_config(layer)
        spec["name"] = layer.name
        spec["inbound_nodes"] = calls
        specs.append(spec)

    def ends(tensors, keys):
        refs = [ref(t) for t in tensors]
        if keys is not None:
            return dict(zip(keys, refs))
        return refs[0] if len(refs) == 1 else refs
    return {"name": model.name, "trainable": model.trainable, "layers": specs,
            "input_layers": ends(model.inputs, model._in_keys),
            "output_layers": ends(model.outputs, model._out_keys)}


# -- Keras 3 -> retrograd ---------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _accepted(cls):
    """The keyword arguments ``cls(...)`` takes (with ``Layer``'s when it passes
    ``**kwargs`` on), or None when it takes any."""
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            return None
        names.update(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                          p.KEYWORD_ONLY))
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names
        if klass is Layer:
            return names
    return None


def _float32(value, who):
    name = value
    if isinstance(value, dict):
        name = (value.get("config") or {}).get("name") if isinstance(
            value.get("config"), dict) else None
    if name not in (None, "float32"):
        raise NotSupportedError(f"{who}: dtype {str(name)[:40]!r} is not supported "
                                "(retrograd.keras computes in float32)")


def _object(value, custom_objects, who, key):
    """A nested ``{"class_name", "config"}`` value (initializer, regularizer,
    registered activation): a registered or custom object, else the dict without
    Keras's extra keys (the layer reads it by class name)."""
    found = lookup(None, value.get("registered_name"), custom_objects, {})
    config = value.get("config")
    if found is not None:
        if isinstance(found, type):
            return found.from_config(config or {}) if hasattr(found, "from_config") \
                else found(**(config or {}))
        return found
    if not isinstance(value.get("class_name"), str) or not (
            config is None or isinstance(config, dict)):
        raise ValueError(f"{who}: {key} must be a name or a {{'class_name', 'config'}} "
                         f"dict, got {str(value)[:80]}")
    if value.get("module") == "keras.initializers" or key.endswith("initializer"):
        config = {k: v for k, v in (config or {}).items() if v is not None}
        from ..initializers import get
        return get({"class_name": value["class_name"], "config": config})
    return {"class_name": value["class_name"], "config": config or {}}


def layer_from_spec(spec, custom_objects=None):
    """A layer (or a model used as a layer) from its Keras 3 description, or from
    the ``{"class_name", "config"}`` retrograd wrote before. Only classes of the
    allow-list, registered ones and ``custom_objects`` can be named."""
    if not isinstance(spec, dict):
        raise ValueError(f"a layer description must be a dict, got {type(spec).__name__}")
    allowed = _classes()
    name = spec.get("class_name")
    cls = lookup(name, spec.get("registered_name"), custom_objects, allowed)
    if cls is None:
        raise ValueError(f"unknown layer class {str(name)[:40]!r} (module "
                         f"{str(spec.get('module'))[:40]!r}); known: "
                         f"{', '.join(sorted(allowed))} (pass custom layers with "
                         "custom_objects={'Name': Class} or register them with "
                         "keras.saving.register_keras_serializable)")
    config = spec.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"layer {name}: its configuration must be a dict")
    if not isinstance(cls, type) or not issubclass(cls, (Layer, Model)):
        raise ValueError(f"{name!r} names {type(cls).__name__} {cls!r}, not a layer class")
    if issubclass(cls, Model):
        if name in _MODEL_CLASSES or cls in allowed.values():
            return model_from_config(config, custom_objects, cls)
        return cls.from_config(config)
    who = f"layer {name}"
    if cls is InputLayer:
        config = _input_layer_config(config, who)
    kwargs = _layer_kwargs(cls, config, custom_objects, who)
    try:
        # A wrapper (Bidirectional, TimeDistributed) builds its inner layers with them.
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            return cls.from_config(kwargs, custom_objects=custom_objects)
        return cls.from_config(kwargs)
    except NotSupportedError:
        raise
    except (TypeError, ValueError, OverflowError, KeyError) as e:
        raise ValueError(f"{who}: invalid configuration ({e})") from None


def _input_layer_config(config, who):
    config = dict(config)
    shape = config.pop("batch_shape", None)
    if shape is not None:
        if not isinstance(shape, list) or len(shape) < 2:
            raise ValueError(f"{who}: batch_shape must be [batch, sizes…], got "
                             f"{str(shape)[:60]}")
        config["shape"], config["batch_size"] = shape[1:], shape[0]
    if "batch_input_shape" in config:            # Keras 2
        shape = config.pop("batch_input_shape")
        if isinstance(shape, list) and len(shape) >= 2:
            config["shape"], config["batch_size"] = shape[1:], shape[0]
    return config


def _layer_kwargs(cls, config, custom_objects, who):
    accepted = _accepted(cls)
    out = {}
    for key, value in config.items():
        if key == "dtype":
            _float32(value, who)
            continue
        if accepted is not None and key not in accepted:
            if value is None or _DEFAULTS.get(key, object()) == value:
                continue
            raise NotSupportedError(f"{who}: argument {key}={str(value)[:60]} is not "
                                    f"supported by retrograd's {cls.__name__}")
        if isinstance(value, dict) and "class_name" in value:
            value = _object(value, custom_objects, who, key)
        out[key] = value
    return out


# -- models -------------------------------------------------------------------------------
def as_json(value):
    """``value`` as JSON would give it back (tuples become lists): a configuration
    made in Python (Keras's ``get_config()``) reads like one read from a file."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    return value


def model_from_config(config, custom_objects=None, cls=None, build=False):
    """A Sequential or functional model from its configuration (Keras 3's, or the
    one retrograd wrote before); ``build=False`` creates no weights yet."""
    from ..functional import Functional
    from ..models import Sequential
    if cls is None or cls is Model:
        cls = Sequential if isinstance(config, dict) and "input_layers" not in config and \
            "output_layers" not in config else Functional
    if issubclass(cls, Sequential):
        return cls.from_config(config, custom_objects, build=build)
    return functional_from_config(config, custom_objects, build=build)


def _is_index(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _ref(r, who):
    """[layer name, node index, tensor index] from a Keras 3 ``__keras_tensor__`` or a
    Keras 2 list; with the Keras 2 list's ``{"training": …}`` as a fourth entry."""
    if isinstance(r, dict) and r.get("class_name") == "__keras_tensor__":
        r = (r.get("config") or {}).get("keras_history")
    if isinstance(r, list) and len(r) == 4 and isinstance(r[3], dict):
        r = r[:3]
    if not (isinstance(r, list) and len(r) == 3 and isinstance(r[0], str) and
            _is_index(r[1]) and _is_index(r[2])):
        raise ValueError(f"{who}: a call's input must be [layer name, node index, tensor "
                         f"index], got {str(r)[:80]}")
    return r[0], r[1], r[2]


_PLAIN = (bool, int, float, str)


def _calls(spec, who):
    """[(refs, multi, training, kwargs)] of a layer description's ``inbound_nodes``;
    multi is "args" for a call with several positional inputs (``mha(query, value)``),
    whose plain keyword arguments (``use_causal_mask=True``) are kwargs."""
    nodes = spec.get("inbound_nodes", [])
    if not isinstance(nodes, list):
        raise ValueError(f"{who}: inbound_nodes must be a list")
    calls = []
    for node in nodes:
        training, extra = None, {}
        if isinstance(node, dict):             # Keras 3: {"args": [...], "kwargs": {...}}
            args, kwargs = node.get("args"), node.get("kwargs") or {}
            positional = isinstance(args, list) and len(args) > 1 and all(
                isinstance(a, dict) and a.get("class_name") == "__keras_tensor__"
                for a in args)
            if not isinstance(args, list) or not isinstance(kwargs, dict) or not (
                    len(args) == 1 or positional):
                raise NotSupportedError(f"{who}: a call with {str(args)[:60]} as positional "
                                        "arguments (one input, one list of inputs, or "
                                        "several inputs, is supported)")
            for k, v in kwargs.items():
                if k == "training" and isinstance(v, bool):
                    training = v
                elif positional and isinstance(v, _PLAIN):
                    extra[k] = v
                elif v is not None:
                    raise NotSupportedError(f"{who}: call argument {k}={str(v)[:40]} is "
                                            "not supported")
            arg = args if positional else args[0]
            multi = "args" if positional else isinstance(arg, list)
            refs = [_ref(r, who) for r in (arg if multi else [arg])]
        elif isinstance(node, list) and node:  # Keras 2: [[name, node, tensor, kw], ...]
            last = node[-1]
            if isinstance(last, list) and len(last) == 4 and isinstance(last[3], dict):
                t = last[3].get("training")
                training = t if isinstance(t, bool) else None
            refs = [_ref(r, who) for r in node]
            multi = len(refs) > 1
        else:
            raise ValueError(f"{who}: each inbound node must be a call description, got "
                             f"{str(node)[:60]}")
        if not refs:
            raise ValueError(f"{who}: a call reads no tensor")
        calls.append((refs, multi, training, extra))
    return calls


def _ends(value, key):
    """(refs, dict keys or None, whether one) of ``input_layers``/``output_layers``."""
    keys = None
    if isinstance(value, dict):
        keys, value = list(value), list(value.values())
        if not all(isinstance(k, str) for k in keys):
            raise ValueError(f"the model configuration's {key!r} keys must be names")
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError(f"the model configuration's {key!r} must be a non-empty list of "
                         "[layer name, node index, tensor index]")
    return [_ref(r, key) for r in value], (keys if keys and len(keys) > 1 else None)


def functional_from_config(config, custom_objects=None, build=False):
    """A functional model from its configuration, in time linear in its size: each
    call of a layer runs once the calls it reads have (a counter per call), so the
    order of the layers in the file does not matter."""
    from ..functional import Functional
    if not isinstance(config, dict):
        raise ValueError(f"the model configuration is a {type(config).__name__}, expected "
                         "a dict")
    specs = config.get("layers")
    if not isinstance(specs, list) or not specs:
        raise ValueError("the model configuration's 'layers' must be a non-empty list of "
                         "layer descriptions")
    by_name, calls = {}, {}
    for spec in specs:
        layer = layer_from_spec(spec, custom_objects)
        if layer.name in by_name:
            raise ValueError(f"layer name {layer.name!r} appears twice")
        by_name[layer.name] = layer
        calls[layer.name] = _calls(spec, f"layer {layer.name!r}")
        if isinstance(layer, InputLayer) and calls[layer.name]:
            raise ValueError(f"InputLayer {layer.name!r} has no inbound nodes")
    # outputs[(layer, node index)]: that call's output tensors.
    outputs = {(n, 0): [l.output] for n, l in by_name.items() if isinstance(l, InputLayer)}
    waiting = defaultdict(list)        # (layer, node) -> calls that wait on it
    missing = {}                       # (layer, node) -> how many of its inputs are not made
    ready = deque()
    for name, layer_calls in calls.items():
        for k, (refs, _, _, _) in enumerate(layer_calls):
            needs = {(r[0], r[1]) for r in refs}
            if k:                      # a layer's calls in their order (node indices)
                needs.add((name, k - 1))
            needs = {d for d in needs if d not in outputs}
            missing[(name, k)] = len(needs)
            for d in needs:
                waiting[d].append((name, k))
            if not needs:
                ready.append((name, k))
    done = 0
    while ready:
        name, k = ready.popleft()
        refs, multi, training, extra = calls[name][k]
        inputs = []
        for r in refs:
            made = outputs[(r[0], r[1])]
            if r[2] >= len(made):
                raise ValueError(f"layer {name!r} reads output {r[2]} of {r[0]!r}[{r[1]}], "
                                 f"which has {len(made)} output(s)")
            inputs.append(made[r[2]])
        layer = by_name[name]
        if multi == "args":
            layer_symbolic_call(layer, tuple(inputs), dict(extra, training=training),
                                build=build)
        else:
            symbolic_call(layer, inputs if multi else inputs[0], build=build,
                          training=training)
        outputs[(name, k)] = list(layer._inbound_nodes[-1].outputs)
        done += 1
        for w in waiting.pop((name, k), ()):
            missing[w] -= 1
            if not missing[w]:
                ready.append(w)
    if done != len(missing):
        name, k = next(key for key, m in missing.items() if m)
        refs = calls[name][k][0]
        absent = ", ".join(f"{r[0]}[{r[1]}][{r[2]}]" for r in refs
                           if (r[0], r[1]) not in outputs)
        raise ValueError(f"layer {name!r} reads {absent or 'an earlier call of itself'}, "
                         "which no layer of the configuration produces (or a cycle)")
    ends = []
    for key in ("input_layers", "output_layers"):
        refs, keys = _ends(config.get(key), key)
        tensors = []
        for r in refs:
            made = outputs.get((r[0], r[1]))
            if made is None or r[2] >= len(made):
                raise ValueError(f"the model configuration's {key!r} names "
                                 f"{r[0]}[{r[1]}][{r[2]}], which no layer produces")
            tensors.append(made[r[2]])
        ends.append(dict(zip(keys, tensors)) if keys else
                    (tensors[0] if len(tensors) == 1 else tensors))
    name = config.get("name")
    model = Functional(ends[0], ends[1], name=name if isinstance(name, str) else None)
    # The model's flag alone: the layers were saved with their own (one may differ).
    model.__dict__["_trainable"] = config.get("trainable", True) is not False
    if len(model.layers) != len(by_name):
        used = {id(l) for l in model.layers}
        unused = sorted(n for n, l in by_name.items() if id(l) not in used)
        raise ValueError(f"layers {unused[:10]} are not on the path from the inputs to the "
                         "outputs")
    if build and not model.built:
        model._build_layers()
    return model


def snake_names(layers):
    """Keras 3's names for the groups of a weights file: the class name in snake
    case, made unique by ``_1``, ``_2``, … in the order of ``layers``."""
    used, out = {}, []
    for layer in layers:
        name = to_snake_case(type(layer).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        out.append(name)
    return out


def finite_number(value, who, field, low=-math.inf, high=math.inf):
    """``value`` as a float when it is a finite number within [low, high]."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or \
            not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{who}: {field} must be a finite number in [{low}, {high}], got "
                         f"{str(value)[:40]}")
    return float(value)
