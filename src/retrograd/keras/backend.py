"""``keras.backend``: the few functions of Keras 3's backend module that user code
calls (``backend()``, ``floatx()``, ``epsilon()``, ``clear_session()``…); the
settings themselves live in ``keras.config``."""
from .config import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                     set_image_data_format)


def clear_session(free_memory=True):
    """Keras resets its global state (layer-name counters, the graph). retrograd
    keeps no global graph and names layers per model, so there is nothing to
    reset; it returns None, as Keras's does."""
    return None


def is_keras_tensor(x):
    """Whether ``x`` is a symbolic ``KerasTensor``."""
    from .keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor):
    """The ``keras.Input`` tensors a symbolic tensor is computed from, in order of
    first use, each once (a list); anything but a KerasTensor is returned as is."""
    from .keras_tensor import KerasTensor
    if not isinstance(tensor, KerasTensor):
        return tensor
    node = tensor.node
    if node is None or not node.inputs:
        return [tensor]
    sources = []
    for t in node.inputs:
        for x in get_source_inputs(t):
            if all(x is not s for s in sources):
                sources.append(x)
    return sources


_UIDS = {}


def get_uid(prefix=""):
    """1, 2, 3, … at successive calls with the same ``prefix`` (one counter per
    prefix, as Keras's layer-name counters)."""
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64",
                  "int8", "int16", "int32", "int64", "bfloat16", "bool", "string",
                  "float8_e4m3fn", "float8_e5m2", "complex64", "complex128")
_PYTHON = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
           complex: "complex64"}


def standardize_dtype(dtype):
    """Keras's name of a dtype (a name, a NumPy/torch/retrograd dtype, a NumPy
    scalar type, or a Python type: ``int`` → "int32", ``float`` → "float32"; None →
    floatx()). Names outside Keras's list ("double", "float") raise ValueError."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, (str, type)) and dtype in _PYTHON:
        return _PYTHON[dtype]
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "torch" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_float_dtype(dtype):
    """Whether ``dtype`` is a float (float16/32/64, bfloat16, float8)."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    """Whether ``dtype`` is a signed or unsigned integer."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


# Keras's (JAX's) promotion lattice: each dtype and the ones just above it; "int"
# and "float" are the weak types of Python scalars (they give way to any int/float).
_LATTICE = {
    "bool": ["int"], "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"], "uint64": ["float"], "int": ["uint8", "int8", "complex64"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"],
    "complex64": ["complex128"], "complex128": []}


def _upper_bounds(dtype):
    seen, todo = set(), [dtype]
    while todo:
        d = todo.pop()
        if d not in seen:
            seen.add(d)
            todo.extend(_LATTICE[d])
    return seen


def _weak(dtype):
    if dtype == "bool":
        return dtype
    return next(k for k in ("float", "int", "complex") if k in dtype)


def result_type(*dtypes):
    """The dtype Keras's promotion gives ``dtypes`` (its lattice, JAX's): the least
    upper bound, Python ``int``/``float`` weak (``result_type("int8", int)`` is
    int8), 64-bit results narrowed to 32 bits as Keras does; no dtype → floatx()."""
    if not dtypes:
        return floatx()
    if any(d in ("float8_e4m3fn", "float8_e5m2") for d in dtypes):
        raise ValueError(f"There is no implicit conversions from float8 dtypes to others. "
                         f"You must cast it internally. Received: {dtypes}")
    pairs = [(standardize_dtype(floatx() if d is None else d), d is int or d is float)
             for d in dtypes]
    names = [n for n, _ in pairs]
    for n in names:
        if n not in _LATTICE:
            raise ValueError(f"keras.backend.result_type: {n!r} is not a valid dtype for "
                             f"Keras type promotion")
    if len(pairs) == 1:
        out, weak = pairs[0]
    elif len(set(names)) == 1 and not all(w for _, w in pairs):
        out, weak = names[0], False
    else:
        nodes = {_weak(n) if w else n for n, w in pairs}
        common = set.intersection(*(_upper_bounds(n) for n in nodes))
        least = (common & nodes) or {c for c in common if common <= _upper_bounds(c)}
        if len(least) != 1:
            raise ValueError(f"Input dtypes {tuple(names)} have no available implicit "
                             f"dtype promotion path. Try explicitly casting inputs to the "
                             f"desired output type.")
        out = least.pop()
        weak = all(w for _, w in pairs) or out in ("int", "float")
    if weak and out != "bool":
        bits = floatx()[-2:]
        out = {"b": "bool", "i": f"int{bits}", "u": f"uint{bits}"}.get(
            "f" if out == "bfloat16" else out[0], f"float{bits}")
    return {"int64": "int32", "uint64": "uint32", "float64": "float32",
            "complex128": "complex64"}.get(out, out)


__all__ = ["backend", "floatx", "set_floatx", "epsilon", "set_epsilon",
           "image_data_format", "set_image_data_format", "clear_session", "is_keras_tensor",
           "get_uid", "get_source_inputs", "standardize_dtype", "is_float_dtype", "is_int_dtype", "result_type"]

from .missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
