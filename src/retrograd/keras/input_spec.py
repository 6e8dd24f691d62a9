"""Keras's ``InputSpec``: what a layer expects of its inputs (rank, sizes of some
axes, dtype), declared in a custom layer as ``self.input_spec = InputSpec(ndim=4)``
and checked at each call by ``assert_input_compatibility``, which names the layer,
the expectation and the shape received."""
import numpy as np


def _dtype_name(dtype):
    name = getattr(dtype, "name", dtype)
    return np.dtype(str(name)).name


class InputSpec:
    """The expectations on one input: ``dtype``, ``shape`` (None for any size; it sets
    ``ndim``), ``ndim``, ``max_ndim``, ``min_ndim``, ``axes`` ({axis: size}),
    ``allow_last_axis_squeeze`` (a last axis of size 1 may be absent), ``name``,
    ``optional`` (None accepted).

    >>> self.input_spec = InputSpec(ndim=3, axes={-1: 16})
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = _dtype_name(dtype) if dtype is not None else None
        if shape is not None:
            self.shape = tuple(None if d is None else int(d) for d in shape)
            self.ndim = len(self.shape)
        else:
            self.ndim, self.shape = ndim, None
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.name, self.optional = name, optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            axes = axes or {}
            self.axes = {int(k): axes[k] for k in axes}
        except (ValueError, TypeError):
            raise TypeError("Argument `axes` must be a dict with integer keys. "
                            f"Received: axes={axes}") from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim else self.max_ndim) - 1
            if max(self.axes) > max_dim:
                raise ValueError(f"Axis {max(self.axes)} is greater than the maximum "
                                 f"allowed value: {max_dim}")

    def __repr__(self):
        spec = [f"dtype={self.dtype}" if self.dtype else "",
                f"shape={self.shape}" if self.shape else "",
                f"ndim={self.ndim}" if self.ndim else "",
                f"max_ndim={self.max_ndim}" if self.max_ndim else "",
                f"min_ndim={self.min_ndim}" if self.min_ndim else "",
                f"axes={self.axes}" if self.axes else ""]
        return f"InputSpec({', '.join(s for s in spec if s)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _flat(x):
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flat(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _flat(item)]
    return [x]


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raise ValueError, as Keras, when ``inputs`` (a tensor, a KerasTensor, or a
    list/dict of them) do not meet ``input_spec`` (an InputSpec or a list of them)."""
    if not input_spec:
        return
    specs = _flat(input_spec)
    if isinstance(inputs, dict) and all(s is not None and s.name for s in specs):
        missing = [s.name for s in specs if s.name not in inputs]
        if missing:
            raise ValueError(f'Missing data for input "{missing[0]}". You passed a data '
                             f"dictionary with keys {list(inputs)}. Expected the following "
                             f"keys: {[s.name for s in specs]}")
        inputs = [inputs[s.name] for s in specs]
    xs = _flat(inputs)
    if len(xs) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it '
                         f"received {len(xs)} input tensors.")
    for i, (x, spec) in enumerate(zip(xs, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        if not hasattr(x, "shape"):
            raise ValueError(f"Inputs to a layer should be tensors. Got '{x}' (of type "
                             f"{type(x)}) as input for layer '{layer_name}'.")
        shape = tuple(x.shape)
        ndim = len(shape)
        where = f"Input {i} with name '{spec.name}' of layer '{layer_name}' is " \
                "incompatible with the layer:"
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(f"{where} expected ndim={spec.ndim}, found ndim={ndim}. Full "
                             f"shape received: {shape}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{where} expected max_ndim={spec.max_ndim}, found ndim={ndim}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{where} expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        if spec.dtype is not None and getattr(x, "dtype", None) is not None:
            dtype = _dtype_name(x.dtype)
            if dtype != spec.dtype:
                raise ValueError(f"{where} expected dtype={spec.dtype}, found dtype={dtype}")
        for axis, size in spec.axes.items():
            if size is not None and shape[axis] not in (size, None):
                raise ValueError(f"{where} expected axis {axis} of input shape to have value "
                                 f"{size}, but received input with shape {shape}")
        if spec.shape is not None:
            got, want = shape, spec.shape
            if spec.allow_last_axis_squeeze:
                got = got[:-1] if got and got[-1] == 1 else got
                want = want[:-1] if want and want[-1] == 1 else want
            for w, d in zip(want, got):
                if w is not None and d is not None and w != d:
                    raise ValueError(f"{where} expected shape={spec.shape}, found "
                                     f"shape={shape}")
