"""Keras 3's weights file (``model.weights.h5``, ``x.weights.h5``), read and written
with ``h5py`` (an optional dependency: ``pip install h5py``, or the ``interop``
extra).

The layout is Keras 3's (read from files real Keras writes): a model's layers are
groups ``layers/<class in snake case>[_k]`` in the order of Keras's ``model.layers``
(never the layers' names), each with its variables as datasets ``vars/0``,
``vars/1``, … in the layer's order (Dense: kernel, bias); a model used as a layer
nests the same way (``layers/sequential/layers/dense/vars/0``); the optimizer's
variables are ``optimizer/vars/0…`` (iterations, learning rate, then its slots).

Reading is bounded: the file is walked as groups and datasets only (soft and
external links, virtual and externally stored datasets, references, variable-length
and compound types are refused), at most one object per 16 bytes of file, and a
dataset is read only once its declared shape × item size, added to those read
before, fits in the file's size — so memory stays within a small multiple of it.
"""
import io

from ...serialization import ModelFileError
from ..model import Model, check_kind
from .config import keras_layers, snake_names

MAX_DEPTH = 64


def h5py_module():
    """``h5py``, imported when a Keras 3 file is read or written."""
    try:
        import h5py
    except ImportError:
        raise ImportError("reading and writing Keras 3 files (.keras, .weights.h5) needs "
                          "h5py: pip install h5py (or pip install retrograd[interop])") \
            from None
    return h5py


def layer_variables(layer):
    """A layer's variables in Keras's order: its ``keras_variables()`` when it says,
    else its weights as ``named_weights`` lists them (Dense: kernel, bias)."""
    own = getattr(layer, "keras_variables", None)
    if callable(own):
        return list(own())
    return [p for _, p in layer.named_weights()]


def model_groups(model, prefix=""):
    """[(group path, variables, name)] of a model in Keras 3's layout: each layer's
    ``…/vars`` group (a nested model: its own groups below it), then the model's."""
    out = []
    layers = keras_layers(model)
    for layer, group in zip(layers, snake_names(layers)):
        path = f"{prefix}layers/{group}"
        if isinstance(layer, Model):
            out += model_groups(layer, path + "/")
        elif callable(getattr(layer, "keras_weight_groups", None)):
            # Keras 3's wrappers keep the wrapped layers' weights below their own group
            # (layers/bidirectional/forward_layer/cell/vars, …/time_distributed/layer/vars).
            out += [(f"{path}/{sub}", variables, layer.name)
                    for sub, variables in layer.keras_weight_groups()]
        elif getattr(layer, "keras_weights_subgroup", None):
            # Keras 3's RNN layers keep their weights in their cell: layers/lstm/cell/vars
            out.append((f"{path}/{layer.keras_weights_subgroup}/vars",
                        layer_variables(layer), layer.name))
            out.append((path + "/vars", [], layer.name))
        else:
            out.append((path + "/vars", layer_variables(layer), layer.name))
    out.append((prefix + "vars", [], model.name))
    return out


def write(groups, optimizer_vars=None, optimizer_name=None):
    """The bytes of an HDF5 weights file: ``groups`` as ``model_groups`` gives them
    (with NumPy arrays), and ``optimizer/vars`` when given."""
    h5py = h5py_module()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("layers")
        for path, arrays, name in groups:
            g = f.require_group(path)
            g.attrs["name"] = name
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=a)
        if optimizer_vars is not None:
            g = f.require_group("optimizer/vars")
            g.attrs["name"] = optimizer_name or "optimizer"
            for i, a in enumerate(optimizer_vars):
                g.create_dataset(str(i), data=a)
    return buffer.getvalue()


def read(data, where):
    """{dataset path: array} of an HDF5 file given as bytes, walked with the bounds
    of the module docstring; any other object is refused with ``ModelFileError``
    naming ``where`` and the path."""
    h5py = h5py_module()
    if not data.startswith(b"\x89HDF\r\n\x1a\n"):
        raise ModelFileError(f"{where}: not an HDF5 file")
    budget = len(data)
    max_objects = max(64, len(data) // 16)
    arrays, seen = {}, 0
    try:
        f = h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError, OverflowError, RuntimeError) as e:
        raise ModelFileError(f"{where}: unreadable HDF5 file ({str(e)[:200]})") from None
    try:
        stack = [(f, "")]
        while stack:
            group, path = stack.pop()
            if path.count("/") >= MAX_DEPTH:
                raise ModelFileError(f"{where}: groups nested deeper than {MAX_DEPTH} "
                                     f"levels at {path[:120]}")
            for name in group:
                seen += 1
                if seen > max_objects:
                    raise ModelFileError(f"{where}: more than {max_objects} objects for "
                                         f"{len(data)} bytes (links in a loop?)")
                full = f"{path}/{name}" if path else name
                link = group.get(name, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    raise ModelFileError(f"{where}: {full} is a {type(link).__name__}; "
                                         "only groups and datasets stored in the file are "
                                         "read")
                obj = group.get(name)
                if isinstance(obj, h5py.Group):
                    stack.append((obj, full))
                elif isinstance(obj, h5py.Dataset):
                    budget = _check_dataset(h5py, obj, full, where, budget)
                    arrays[full] = obj[()]
                else:
                    raise ModelFileError(f"{where}: {full} is a {type(obj).__name__}, "
                                         "expected a group or a dataset")
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, OverflowError) as e:
        raise ModelFileError(f"{where}: unreadable HDF5 content ({type(e).__name__}: "
                             f"{str(e)[:200]})") from None
    finally:
        f.close()
    return arrays


def _check_dataset(h5py, ds, path, where, budget):
    """Refuse a dataset that is not plain numbers stored in the file, or that
    declares more bytes than the file has left; return the budget left."""
    if ds.is_virtual:
        raise ModelFileError(f"{where}: {path} is a virtual dataset")
    if ds.external:
        raise ModelFileError(f"{where}: {path} is stored in external files")
    dt = ds.dtype
    if dt.kind not in "fiub" or dt.fields is not None or dt.subdtype is not None or \
            h5py.check_dtype(ref=dt) is not None or h5py.check_dtype(vlen=dt) is not None:
        raise ModelFileError(f"{where}: {path} has dtype {dt}; only numbers are read")
    size = dt.itemsize
    for d in ds.shape:
        size *= int(d)
        if size > budget:
            break
    if size > budget:
        raise ModelFileError(f"{where}: {path} declares shape {ds.shape} of {dt} "
                             f"({_bytes(ds.shape, dt)} bytes), more than the file holds")
    return budget - size


def _bytes(shape, dt):
    n = dt.itemsize
    for d in shape:
        n *= int(d)
    return n


def assign(model, arrays, where, prefix=""):
    """Copy ``arrays`` (``read``'s) into the model's weights: every group the model
    has must be in the file with its variables' shapes, and the file must hold no
    other layer weights. Checks everything before writing any weight."""
    plan = []
    expected = set()
    for path, params, name in model_groups(model, prefix):
        for i, p in enumerate(params):
            key = f"{path}/{i}"
            expected.add(key)
            a = arrays.get(key)
            if a is None:
                raise ModelFileError(f"{where}: no weight {key} (variable {i} of layer "
                                     f"{name!r}, shape {tuple(p.shape)}) in the file")
            if a.shape != tuple(p.shape):
                raise ModelFileError(f"{where}: weight {key} of layer {name!r} has shape "
                                     f"{a.shape} in the file, the model needs "
                                     f"{tuple(p.shape)}")
            check_kind(a, p.array.dtype, f"{where}: weight {key}")
            plan.append((p, a))
    extra = [k for k in arrays if k.startswith(prefix) and not k.startswith("optimizer/")
             and k not in expected]
    if extra:
        raise ModelFileError(f"{where}: the file has weights the model does not: "
                             f"{', '.join(sorted(extra)[:10])}")
    for p, a in plan:
        p.array[...] = a
