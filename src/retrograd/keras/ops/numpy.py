"""``keras.ops.numpy``: Keras 3's NumPy-like functions on retrograd tensors (all of
them are ``keras.ops``'s too).

Every keras-io guide starts with ``from keras import ops``; with
``from retrograd.keras import ops`` the same calls take retrograd tensors, NumPy
arrays and Python numbers, and return retrograd tensors through whose ops
gradients flow (``loss.backward()``). Names, arguments and defaults are Keras's:
``axis=``/``keepdims=``, ``ops.var`` is the biased variance, ``ops.max(x, axis)``
returns the values, ``ops.shape`` a tuple, ``ops.convert_to_numpy`` a NumPy array.

Dtypes follow Keras's rules where they matter to code: Python floats become
float32 and Python ints int32 (NumPy arrays keep their dtype); functions with a
float result (``sqrt``, ``exp``, ``mean``, ``divide``…) give float32 for integer
inputs; ``argmax``/``argmin``/``arange`` of integers give int32; comparisons bool.

On symbolic ``KerasTensor``s (``keras.Input`` and the layers called on it) each
function records a node of the functional model, as Keras 3 does:
``ops.concatenate([a, b])`` returns a KerasTensor whose shape and dtype come from
running the function on stand-in values; ``ops.shape`` gives ``None`` for unknown
sizes.

The functions live in modules named after what they do — ``conversion``, ``arithmetic``,
``math``, ``matrix``, ``reductions``, ``statistics``, ``comparison``, ``shape``,
``indexing``, ``sorting``, ``creation`` — with the shared helpers in ``_common``; this
module gathers them under Keras's name.
"""

# Each function is composed from retrograd's differentiable ops (gradients come with them), or
# computed on the arrays when its derivative is zero almost everywhere (floor, sort's
# indices, comparisons): the result is then a constant of the graph, as ``sign``.

# The helpers keras.ops.core/nn/image/linalg take from here.
from ._common import _eager, _float, _tensor, _values  # noqa: F401
from .conversion import *  # noqa: F401,F403
from .arithmetic import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .matrix import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .comparison import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403

__all__ = [
    "convert_to_tensor", "convert_to_numpy", "cast", "shape", "add", "subtract", "multiply",
    "divide", "true_divide", "negative", "power", "square", "sqrt", "exp", "log", "abs",
    "absolute", "sign", "sin", "cos", "tanh", "sigmoid", "relu", "softmax", "log_softmax",
    "logsumexp", "matmul", "dot", "maximum", "minimum", "clip", "where", "sum", "mean",
    "max", "min", "argmax", "argmin", "std", "var", "all", "any", "equal", "not_equal",
    "greater", "greater_equal", "less", "less_equal", "reshape", "transpose", "concatenate",
    "stack", "expand_dims", "squeeze", "one_hot", "ones", "zeros", "ones_like",
    "zeros_like", "full", "full_like", "arange", "linspace", "eye", "split", "array_split",
    "tile", "repeat", "pad", "broadcast_to", "moveaxis", "swapaxes", "ravel", "flip",
    "fliplr", "flipud", "rot90", "roll", "sort", "argsort", "top_k", "in_top_k",
    "argpartition", "cumsum", "cumprod", "einsum", "outer", "tensordot", "inner", "vdot",
    "kron", "cross", "tril", "triu", "tri", "diag", "diagonal", "trace", "meshgrid",
    "unique", "isclose", "allclose", "nonzero", "count_nonzero", "prod", "amax", "amin",
    "average", "take", "take_along_axis", "logical_and", "logical_or", "logical_xor",
    "logical_not", "isnan", "isinf", "isfinite", "round", "floor", "ceil", "trunc", "mod",
    "floor_divide", "reciprocal", "log2", "log10", "exp2", "tan", "sinh", "cosh", "hypot",
    "logaddexp", "sinc", "log1p", "expm1", "erf", "erfinv", "rsqrt", "arcsin", "arccos",
    "arctan", "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg", "logaddexp2",
    "arctan2", "cbrt", "median", "quantile", "percentile", "nanmedian", "nanquantile",
    "nanpercentile", "nansum", "nanmean", "diff", "trapezoid", "isneginf", "isposinf",
    "signbit", "fmod", "fabs", "nan_to_num", "divide_no_nan", "copy", "empty", "empty_like",
    "identity", "geomspace", "logspace", "hstack", "vstack", "dstack", "append",
    "searchsorted", "digitize", "bincount", "heaviside", "size", "ndim", "array",
    "get_item", "select", "fmax", "fmin", "nanmax", "nanmin", "nanprod", "nanvar", "nanstd",
    "nanargmax", "nanargmin", "nancumsum", "nancumprod", "ptp", "real", "imag", "conj",
    "conjugate", "angle", "isreal", "hsplit", "vsplit", "dsplit", "diagflat", "vander",
    "erfc", "ldexp", "saturate_cast", "isin", "unravel_index", "histogram", "corrcoef",
    "correlate", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_invert", "bitwise_left_shift", "bitwise_right_shift", "left_shift",
    "right_shift", "gcd", "lcm", "bartlett", "blackman", "hamming", "hanning", "kaiser",
    "nextafter", "rearrange", "view",
]
