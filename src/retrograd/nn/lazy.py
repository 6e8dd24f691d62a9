"""Lazy layers: ``LazyLinear``, ``LazyConv1d/2d``, ``LazyConvTranspose1d/2d`` and
``LazyBatchNorm1d/2d`` learn their input size (``in_features``, ``in_channels``,
``num_features``) from their first input, as d2l's PyTorch code expects.

Until then their weights (and running statistics) are ``UninitializedParameter``s
(``UninitializedBuffer``s): registered, so ``state_dict()`` has PyTorch's keys, but
without a shape. The first call (or ``load_state_dict``, from the checkpoint's shapes)
builds the real layer — its validation, initialisation and dtype are the real class's —
moves its values *into the same Parameter objects*, so an optimiser built before or
after sees the real weights, and turns the layer into that class (``LazyLinear``
becomes a ``Linear``), as PyTorch does.

>>> fc = LazyLinear(10); fc(rg.randn(4, 7)).shape, type(fc).__name__
((4, 10), 'Linear')
"""
import numpy as np

from ..tensor import Tensor
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .linear import Linear
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d
from .parameter import Parameter

_UNINITIALIZED = ("Can't access the shape of an uninitialized parameter or buffer. This error "
                  "usually happens in `load_state_dict` when trying to load an uninitialized "
                  "parameter into an initialized one. Call `forward` to initialize the "
                  "parameters before accessing their attributes.")


class _Uninitialized:
    """Shared by the uninitialized parameter and buffer: no shape until materialized."""
    becomes = Tensor

    @property
    def shape(self):
        raise ValueError(_UNINITIALIZED)

    def materialize(self, array):
        """Take ``array`` (the real layer's values), in place: the same object, shaped."""
        self.array = array
        self.__class__ = self.becomes

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter whose shape is not known yet (a lazy layer before its first call)."""
    becomes = Parameter


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape is not known yet (a lazy layer's running statistics)."""
    becomes = Tensor


class _LazyModule(Module):
    """A layer built at its first call: ``cls_to_become(size, *args, **kwargs)``, ``size``
    read from the input by ``_infer``. Subclasses name the size's attribute (``size_name``),
    a placeholder valid for the real constructor, and how a checkpoint gives the size."""

    cls_to_become = None
    size_name = None

    def __init__(self, *args, **kwargs):
        template = self.cls_to_become(self._placeholder(kwargs), *args, **kwargs)
        super().__init__()
        d = self.__dict__
        for k, v in template.__dict__.items():
            if k not in ("_parameters", "_buffers", "_modules") and k not in \
                    template._parameters and k not in template._buffers:
                d[k] = v
        d[self.size_name] = 0
        d["_lazy_args"] = (args, kwargs)
        for name, p in template._parameters.items():
            self.register_parameter(name, None if p is None else UninitializedParameter(
                np.empty(0, dtype=p.dtype)))
        for name, b in template._buffers.items():
            if b is None or b.ndim == 0:     # (num_batches_tracked is a real 0 from the start)
                self.register_buffer(name, b)
            else:
                self.register_buffer(name, UninitializedBuffer(np.empty(0, dtype=b.dtype)))
        d["_non_persistent"] = set(template._non_persistent)

    def _placeholder(self, kwargs):
        return 1

    def extra_repr(self):
        # the real class's, with the size 0, as PyTorch (its class attributes included)
        real = object.__new__(self.cls_to_become)
        real.__dict__.update(self.__dict__)
        return real.extra_repr()

    def has_uninitialized_params(self):
        return any(isinstance(t, _Uninitialized) for t in
                   list(self._parameters.values()) + list(self._buffers.values()))

    def initialize_parameters(self, input):
        """Build the real layer for ``input`` (its size read by ``_infer``), in place."""
        if self.has_uninitialized_params():
            self._become(self._infer(input))

    def _become(self, size):
        args, kwargs = self._lazy_args
        real = self.cls_to_become(size, *args, **kwargs)
        placement = self.__dict__.get("_placement")
        for table, real_table in ((self._parameters, real._parameters),
                                  (self._buffers, real._buffers)):
            for name, t in table.items():
                if isinstance(t, _Uninitialized):
                    r = real_table[name]
                    t.materialize(r.array.astype(t.array.dtype, copy=False))
                    real_table[name] = t
                    real.__dict__[name] = t
        self.__dict__.clear()
        self.__dict__.update(real.__dict__)
        self.__class__ = self.cls_to_become
        if placement is not None:
            self._convert(*placement, "fc")

    def _materialize(self, state, prefix):
        # load_state_dict: the size comes from the checkpoint's shapes.
        if self.has_uninitialized_params():
            size = self._from_checkpoint(state, prefix)
            if size is not None:
                self._become(size)

    def _from_checkpoint(self, state, prefix):
        w = state.get(prefix + "weight")
        return None if w is None else int(_shape(w)[1])

    def forward(self, input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor input, got "
                            f"{type(input).__name__}")
        self.initialize_parameters(input)
        return self.forward(input, *args, **kwargs)    # now the real class's


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


class LazyLinear(_LazyModule):
    """``Linear`` whose ``in_features`` is the last axis of its first input.
    ``LazyLinear(out_features, bias=True, device=None, dtype=None)``."""
    cls_to_become, size_name = Linear, "in_features"

    def _infer(self, x):
        if x.ndim == 0:
            raise ValueError("LazyLinear: cannot infer in_features from a scalar input")
        return int(x.shape[-1])


class _LazyConv(_LazyModule):
    size_name, n = "in_channels", 2

    def _placeholder(self, kwargs):
        return kwargs.get("groups", 1) if isinstance(kwargs.get("groups", 1), int) else 1

    def _infer(self, x):
        # (C, …) unbatched or (N, C, …)
        return int(x.shape[0] if x.ndim == self.n + 1 else x.shape[1])

    def _from_checkpoint(self, state, prefix):
        w = state.get(prefix + "weight")
        if w is None:
            return None
        if self.cls_to_become in (ConvTranspose1d, ConvTranspose2d):
            return int(_shape(w)[0])             # (in, out/groups, k…)
        return int(_shape(w)[1]) * int(self._lazy_args[1].get("groups", 1))


class _LazyConvNd(_LazyConv):
    """The lazy ConvNd: PyTorch's ConvNd arguments less ``in_channels``."""

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(out_channels, kernel_size, stride=stride, padding=padding,
                         dilation=dilation, groups=groups, bias=bias,
                         padding_mode=padding_mode, device=device, dtype=dtype)


class _LazyConvTransposeNd(_LazyConv):
    """The lazy ConvTransposeNd: PyTorch's arguments less ``in_channels``."""

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(out_channels, kernel_size, stride=stride, padding=padding,
                         output_padding=output_padding, groups=groups, bias=bias,
                         dilation=dilation, padding_mode=padding_mode, device=device,
                         dtype=dtype)


class LazyConv1d(_LazyConvNd):
    """``Conv1d`` whose ``in_channels`` is read from the first input.
    ``LazyConv1d(out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
    bias=True, padding_mode="zeros", device=None, dtype=None)``."""
    cls_to_become, n = Conv1d, 1


class LazyConv2d(_LazyConvNd):
    """``Conv2d`` whose ``in_channels`` is read from the first input."""
    cls_to_become, n = Conv2d, 2


class LazyConvTranspose1d(_LazyConvTransposeNd):
    """``ConvTranspose1d`` whose ``in_channels`` is read from the first input."""
    cls_to_become, n = ConvTranspose1d, 1


class LazyConvTranspose2d(_LazyConvTransposeNd):
    """``ConvTranspose2d`` whose ``in_channels`` is read from the first input."""
    cls_to_become, n = ConvTranspose2d, 2


class _LazyBatchNorm(_LazyModule):
    size_name = "num_features"

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(eps=eps, momentum=momentum, affine=affine,
                         track_running_stats=track_running_stats, device=device,
                         dtype=dtype)

    def _infer(self, x):
        if x.ndim < 2:
            raise ValueError(f"{type(self).__name__}: expected an input with a channel axis "
                             f"(N, C, …), got shape {tuple(x.shape)}")
        return int(x.shape[1])

    def _from_checkpoint(self, state, prefix):
        for key in ("weight", "running_mean"):
            t = state.get(prefix + key)
            if t is not None:
                return int(_shape(t)[0])
        return None


class LazyBatchNorm1d(_LazyBatchNorm):
    """``BatchNorm1d`` whose ``num_features`` is the first input's axis 1."""
    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm):
    """``BatchNorm2d`` whose ``num_features`` is the first input's axis 1."""
    cls_to_become = BatchNorm2d
