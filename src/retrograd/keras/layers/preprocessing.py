"""Keras's numeric preprocessing layers: ``Normalization`` (with ``adapt``) and
``Rescaling``. They learn nothing by gradient: their statistics come from the data
(``adapt``) or the arguments."""
import math

import numpy as np

from ...backend import array_module
from ...tensor import Tensor
from .. import config as _config
from .layer import Layer


class Normalization(Layer):
    """y = (x − mean) / max(√variance, ε) per position of ``axis`` (default −1: per
    feature; ``axis=None``: one mean and variance for everything), with
    ε = ``keras.config.epsilon()``. The statistics are given (``mean=``,
    ``variance=``: broadcast to the kept axes) or computed from data by
    ``adapt(data)``, then held as non-trainable weights ``mean``, ``variance``,
    ``count`` (Keras's). ``invert=True`` maps back: y = mean + x·max(√variance, ε).

    >>> norm = Normalization(); norm.adapt(x_train); model.add(norm)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        else:
            axis = tuple(int(a) for a in axis)
        self.axis, self.invert = axis, bool(invert)
        if (mean is None) != (variance is None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` "
                             f"must be set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"When setting values directly, `mean` and `variance` must "
                                 f"have the same shape. Received: mean shape "
                                 f"{np.shape(mean)} and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the "
                                 f"number of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")
        self.input_mean, self.input_variance = mean, variance
        self._broadcast = None              # the statistics' shape against the input
        self._fixed = None                  # (mean, variance) arrays when given
        self.mean = self.variance = self.count = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). "
                             f"Received inputs with ndim={ndim}, while axis={self.axis}")
        keep = sorted(a % ndim for a in self.axis)
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={input_shape}, "
                                 f"with unknown axis at index {d}")
        self._keep, self._input_shape = tuple(keep), tuple(input_shape)
        self._reduce = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast = tuple(input_shape[d] if d in keep else 1 for d in range(ndim))
        shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.mean = self.add_weight(shape=shape, initializer="zeros", trainable=False,
                                        name="mean")
            self.variance = self.add_weight(shape=shape, initializer="ones", trainable=False,
                                            name="variance")
            self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32",
                                         trainable=False, name="count")
        else:
            self._fixed = tuple(self._expand(np.asarray(v, np.float32))
                                for v in (self.input_mean, self.input_variance))
        self.built = True

    def _expand(self, v):
        """A given mean or variance, its axes matched to the last kept axes, broadcast
        to the statistics' shape (as Keras)."""
        shape = [1] * len(self._broadcast)
        for i in range(1, v.ndim + 1):
            shape[self._keep[-i]] = v.shape[-i]
        return np.broadcast_to(v.reshape(shape), self._broadcast).copy()

    def weight_shapes(self, input_shape):
        if self.input_mean is not None:
            return {}
        shape = tuple(input_shape[a % len(input_shape)] for a in sorted(
            a % len(input_shape) for a in self.axis))
        return {"mean": shape, "variance": shape, "count": ()}

    def adapt(self, data):
        """Compute the mean and variance per kept position from ``data``: an array or
        tensor, or an iterable of batches (arrays, or (x, y) tuples whose x is used),
        combined batch by batch as Keras does."""
        batches = None
        if isinstance(data, Tensor):
            data = data.numpy()
        if isinstance(data, np.ndarray):
            shape = data.shape
        elif hasattr(data, "__iter__"):
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches). Expected "
                                 "at least one batch, e.g. layer.adapt([x])")
            first = _batch_array(first)
            shape = first.shape
            batches = _chain(first, batches)
        else:
            raise TypeError(f"Normalization.adapt: unsupported data type "
                            f"{type(data).__name__}; give an array, a tensor or an "
                            "iterable of batches")
        if not self.built:
            self.build_for((None,) + tuple(shape[1:]))
        else:
            self._check_shape(shape)
        if self.input_mean is not None:
            raise ValueError(f"Normalization {self.name!r}: mean and variance were given "
                             "at construction; adapt() has nothing to compute")
        if batches is None:
            mean = data.mean(axis=self._reduce, dtype=np.float64)
            var = data.var(axis=self._reduce, dtype=np.float64)
        else:
            mean, var, total = 0.0, 0.0, 0
            for b in batches:
                b = _batch_array(b).astype(np.float32)
                self._check_shape(b.shape)
                n = math.prod(b.shape[d] for d in self._reduce) if self._reduce else 1
                total += n
                w = n / total
                bm, bv = b.mean(axis=self._reduce), b.var(axis=self._reduce)
                new = mean * (1 - w) + bm * w
                var = (var + (mean - new) ** 2) * (1 - w) + (bv + (bm - new) ** 2) * w
                mean = new
        xp = array_module(self.mean.array)
        self.mean.array[...] = xp.asarray(np.asarray(mean, np.float32))
        self.variance.array[...] = xp.asarray(np.asarray(var, np.float32))

    def _check_shape(self, shape):
        for d in self._keep:
            if len(shape) != len(self._input_shape) or shape[d] != self._input_shape[d]:
                raise ValueError(f"The layer was built with input_shape={self._input_shape}, "
                                 f"but adapt() is being called with data with an "
                                 f"incompatible shape, data.shape={tuple(shape)}")

    def _stats(self, x):
        if self._fixed is not None:
            mean, var = self._fixed
        else:
            mean = self.mean.array.reshape(self._broadcast)
            var = self.variance.array.reshape(self._broadcast)
        xp = array_module(x.array)
        mean, var = xp.asarray(mean), xp.asarray(var)
        scale = xp.maximum(xp.sqrt(var), _config.epsilon()).astype(x.dtype)
        return Tensor._wrap(mean.astype(x.dtype)), Tensor._wrap(scale)

    def call(self, x):
        mean, scale = self._stats(x)
        if self.invert:
            return mean + x * scale
        return (x - mean) / scale

    def get_config(self):
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": None if self.input_mean is None else np.asarray(
                    self.input_mean).tolist(),
                "variance": None if self.input_variance is None else np.asarray(
                    self.input_variance).tolist()}


def _batch_array(b):
    if isinstance(b, (tuple, list)) and b and not np.isscalar(b[0]):
        b = b[0]            # an (x, y) batch
    return b.numpy() if isinstance(b, Tensor) else np.asarray(b)


def _chain(first, rest):
    yield first
    yield from rest


class Rescaling(Layer):
    """y = x · scale + offset, e.g. ``Rescaling(1 / 255)`` for pixels in [0, 1] or
    ``Rescaling(1 / 127.5, offset=-1)`` for [−1, 1]. ``scale``/``offset`` may be
    arrays (broadcast against the channels-last input).

    >>> Rescaling(1.0 / 255)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, v in (("scale", scale), ("offset", offset)):
            a = np.asarray(v)
            if a.dtype.kind not in "biuf":
                raise TypeError(f"Rescaling: {name} must be a number or an array of "
                                f"numbers, got {name}={v!r}")
        self.scale, self.offset = scale, offset

    def call(self, x):
        xp = array_module(x.array)
        s = Tensor._wrap(xp.asarray(np.asarray(self.scale, np.float32)))
        o = Tensor._wrap(xp.asarray(np.asarray(self.offset, np.float32)))
        return x * s + o

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        plain = [np.asarray(v).tolist() if not isinstance(v, (int, float)) else v
                 for v in (self.scale, self.offset)]
        return {**super().get_config(), "scale": plain[0], "offset": plain[1]}
