"""``keras.Variable``: a weight with Keras 3's variable API, what ``Layer.add_weight``
returns.

It is an ``nn.Parameter`` (so a layer, the optimizer, ``get_weights`` and the
checkpoints find it as they find any parameter) that also answers Keras's calls:
``v.numpy()``, ``v.assign(x)``, ``v.assign_add(x)``, ``v.assign_sub(x)``,
``v.shape``, ``v.dtype`` (a name, ``"float32"``), ``v.trainable``, ``v.name``,
``v.path``, ``v.value``, ``v.regularizer``, ``v.constraint``::

    v = keras.Variable(initializer="zeros", shape=(3,), name="count", trainable=False)
    v.assign_add(np.ones(3))

A variable with ``trainable=False`` takes no gradient (``requires_grad`` False):
its updates are the layer's own (``assign``), as in Keras.
"""
import numpy as np

from .. import backend
from ..nn import init as _init
from ..nn.parameter import Parameter
from ..tensor import Tensor
from .keras_tensor import KerasTensor


class DtypeName(str):
    """A dtype as Keras names it (``"float32"``, a ``str``) that still answers NumPy's
    dtype attributes (``.kind``, ``.itemsize``) and compares equal to the NumPy dtype,
    so code written for either finds what it expects."""

    def __getattr__(self, name):
        return getattr(np.dtype(str(self)), name)

    def __eq__(self, other):
        try:
            return np.dtype(str(self)) == np.dtype(other)
        except TypeError:
            return False

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__     # a key of {"float32": …}, as Keras's string is


def _initial_value(initializer, shape, dtype, who):
    """The first value: an array, a number, or an initializer (a Keras name such as
    ``"random_normal"``, an instance, a callable ``f(shape, dtype)``) drawn for
    ``shape``."""
    if isinstance(initializer, (str, _init.Initializer)) or (
            callable(initializer) and not isinstance(initializer, Tensor)):
        if shape is None:
            raise ValueError(f"{who}: an initializer ({initializer!r}) needs a shape; give "
                             "shape=(...)")
        if any(d is None or int(d) < 0 for d in shape):
            raise ValueError(f"{who}: the shape must be fully defined (no None), got "
                             f"shape={tuple(shape)}")
        fn = _init.get(initializer)
        value = fn(tuple(int(d) for d in shape), dtype=dtype or "float32")
        return np.asarray(value.array if isinstance(value, Tensor) else value,
                          dtype=dtype or np.float32)
    value = initializer.array if isinstance(initializer, Tensor) else initializer
    if dtype is None and not hasattr(value, "dtype"):
        probe = np.asarray(value)
        dtype = np.float32 if probe.dtype.kind == "f" else \
            np.int32 if probe.dtype == np.int64 else probe.dtype
    value = np.array(value, dtype=dtype)
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"{who}: the initial value has shape {value.shape}, but "
                         f"shape={tuple(shape)} was given")
    return value


class Variable(Parameter):
    """``keras.Variable(initializer, shape=None, dtype=None, trainable=True, name=None)``:
    a weight holding ``initializer`` (a value, or an initializer drawn for ``shape``).

    >>> v = Variable(np.zeros((2, 3)), name="w")
    >>> v.assign(np.ones((2, 3))); v.numpy().sum()
    6.0
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 regularizer=None, constraint=None, autocast=True, aggregation="none",
                 synchronization="auto", path=None):
        who = "keras.Variable" + (f" {name!r}" if name else "")
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"{who}: name must be a string without '/', got name={name!r}")
        if dtype is not None:
            dtype = np.dtype(getattr(dtype, "name", dtype))
        if shape is not None:
            shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not isinstance(trainable, bool):
            raise ValueError(f"{who}: trainable must be a boolean, got trainable={trainable!r}")
        value = _initial_value(initializer, shape, dtype, who)
        super().__init__(value, requires_grad=trainable and value.dtype.kind in "fc")
        self.__dict__["_trainable"] = trainable
        self.name = name or "variable"
        self.path = path or self.name
        self.regularizer = regularizer
        self.constraint = constraint

    # -- Keras's attributes ----------------------------------------------------------
    @property
    def dtype(self):
        """The dtype's name, as Keras gives it (``"float32"``); it compares equal to
        NumPy's dtype too."""
        return DtypeName(self.array.dtype.name)

    @property
    def trainable(self):
        """Whether the optimizer updates it (then it takes gradients)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self.__dict__["_trainable"] = bool(value)
        self.requires_grad = bool(value) and self.array.dtype.kind in "fc"

    @property
    def value(self):
        """The variable itself: a tensor through which gradients flow."""
        return self

    def numpy(self):
        return np.array(super().numpy())

    # -- updates (outside the graph, as Keras's) ----------------------------------------
    def _array_of(self, value, what):
        array = value.array if isinstance(value, Tensor) else value
        array = np.asarray(array) if not hasattr(array, "shape") else array
        if tuple(array.shape) != tuple(self.shape) and (
                what == "assign" or np.broadcast_shapes(array.shape, self.shape) !=
                tuple(self.shape)):
            raise ValueError(f"{what} of variable {self.path!r}: the value has shape "
                             f"{tuple(array.shape)}, but the variable has shape "
                             f"{tuple(self.shape)}; they must match")
        return backend.to_device(array, self.device)   # NumPy values into a GPU variable

    def assign(self, value):
        """Set the values (same shape): ``v.assign(np.zeros(v.shape))``."""
        self.array[...] = self._array_of(value, "assign")
        return self

    def assign_add(self, value):
        """v ← v + value."""
        self.array[...] += self._array_of(value, "assign_add")
        return self

    def assign_sub(self, value):
        """v ← v − value."""
        self.array[...] -= self._array_of(value, "assign_sub")
        return self

    # ``w + x`` with x symbolic (a functional model being built): KerasTensor's
    # reflected operator records the node (Tensor's would try to read x's values).
    def _defer(name):
        tensor_method = getattr(Tensor, name)

        def method(self, other):
            if isinstance(other, KerasTensor):
                return NotImplemented
            return tensor_method(self, other)
        method.__name__ = name
        return method

    for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                  "__truediv__", "__rtruediv__", "__matmul__", "__rmatmul__", "__pow__"):
        locals()[_name] = _defer(_name)
    del _defer, _name

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, dtype={self.dtype}, "
                f"value={np.asarray(self.numpy())}>")
