"""Data types: PyTorch's names for NumPy's dtypes.

``retrograd.float32`` *is* ``numpy.dtype("float32")``, so ``t.dtype ==
retrograd.float32`` holds for every tensor, every ``dtype=`` argument takes these
objects (and the strings "float32", "double", … as before), and NumPy code takes
them too. The names follow PyTorch: ``float`` is float32, ``double`` float64,
``half`` float16, ``long`` int64, ``int`` int32, ``short`` int16; ``cfloat`` and
``cdouble`` are the complex ones. NumPy has no bfloat16, so neither has retrograd.

The default floating dtype, that Python floats and ``randn`` get, is float32.
"""
import numpy as np

float32 = float = np.dtype("float32")
float64 = double = np.dtype("float64")
float16 = half = np.dtype("float16")
complex64 = cfloat = np.dtype("complex64")
complex128 = cdouble = np.dtype("complex128")
int64 = long = np.dtype("int64")
int32 = int = np.dtype("int32")
int16 = short = np.dtype("int16")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
uint16 = np.dtype("uint16")
uint32 = np.dtype("uint32")
uint64 = np.dtype("uint64")
bool = np.dtype("bool")

NAMES = ("float32", "float", "float64", "double", "float16", "half", "complex64", "cfloat",
         "complex128", "cdouble", "int64", "long", "int32", "int", "int16", "short", "int8",
         "uint8", "uint16", "uint32", "uint64", "bool")

_DEFAULT = float32


class DtypeError(TypeError, NotImplementedError):
    """A dtype an operation does not accept (requires_grad or randn on integers):
    retrograd raises TypeError for these, PyTorch RuntimeError or its subclass
    NotImplementedError; all three catch it."""


_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
            "int": "int32", "short": "int16", "cfloat": "complex64", "cdouble": "complex128"}


def as_dtype(d, where="dtype"):
    """A ``dtype=`` argument as a NumPy dtype (None stays None): a dtype object, a
    name (PyTorch's "float", "long"… included), a NumPy scalar type, or a Python
    type (``float`` → float64, ``int`` → int64, as in PyTorch)."""
    if d is None or isinstance(d, np.dtype) and d.kind in "biufc":
        return d
    try:
        dt = np.dtype(_ALIASES.get(d, d) if isinstance(d, str) else d)
    except TypeError:
        dt = None
    if dt is None or dt.kind not in "biufc" or dt.fields is not None:
        raise TypeError(f"{where}: unknown dtype {d!r}; expected one of retrograd's dtypes "
                        "(retrograd.float32, retrograd.int64, …) or their names")
    return dt


def get_default_dtype():
    """The floating dtype of Python floats, ``randn``, ``zeros``…: float32."""
    return _DEFAULT


def set_default_dtype(d):
    """Only float32 can be the default: retrograd's layers, initialisers and ops
    make float32 wherever no dtype is given. Ask for float64 explicitly instead:
    ``retrograd.zeros(3, dtype=retrograd.float64)``, ``model.double()``."""
    d = as_dtype(d, "set_default_dtype")
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating-point dtypes can be the default, "
                        f"got {d}")
    if d != _DEFAULT:
        raise NotImplementedError(
            f"set_default_dtype({d}): retrograd's default floating dtype is "
            "float32 everywhere (layers, initialisers, ops); pass dtype=retrograd."
            f"{np.dtype(d)} to the creation functions and call model.double() for "
            "float64 weights (docs/pytorch.md)")


def is_floating_point(t):
    """True for a tensor of float16, float32 or float64 (complex is not)."""
    return t.dtype.kind == "f"


def is_complex(t):
    return t.dtype.kind == "c"


def finfo(type=None):
    """Machine limits of a floating dtype (default float32): ``eps``, ``max``,
    ``min``, ``tiny`` (= ``smallest_normal``), ``resolution``, ``bits``; NumPy's
    ``finfo``, whose fields are PyTorch's."""
    d = _DEFAULT if type is None else as_dtype(type, "finfo")
    if d.kind not in "fc":
        raise TypeError(f"finfo: expected a floating dtype, got {d} (use iinfo for "
                        "integers)")
    return np.finfo(d)


def iinfo(type):
    """Limits of an integer dtype: ``min``, ``max``, ``bits`` (NumPy's ``iinfo``)."""
    d = as_dtype(type, "iinfo")
    if d.kind not in "iu":
        raise TypeError(f"iinfo: expected an integer dtype, got {d} (use finfo for "
                        "floating point)")
    return np.iinfo(d)


__all__ = list(NAMES) + ["DtypeError", "get_default_dtype", "set_default_dtype",
                         "is_floating_point", "is_complex", "finfo", "iinfo"]
