"""Keras's reshaping layers: ``ZeroPadding1D/2D/3D``, ``Cropping1D/2D/3D``,
``UpSampling1D/2D``, ``RepeatVector``, ``Permute`` (``Flatten`` and ``Reshape`` are in
``core``). None has weights: each is an index, a slice, a pad or (bilinear
up-sampling) a product with a constant interpolation matrix, so the gradients are
the ops'."""
import numpy as np

from ...backend import array_module
from ...missing import NotSupportedError
from ...ops.einsum import einsum
from ...ops.padding import pad
from ...tensor import Tensor
from .convolutional import _data_format, _tuple_arg
from .layer import Layer


def _pair(value, who):
    """An int, (symmetric_h, symmetric_w) or ((top, bottom), (left, right))."""
    try:
        if isinstance(value, int):
            return (value, value), (value, value)
        a, b = value
        pairs = tuple((v, v) if isinstance(v, int) else tuple(int(e) for e in v)
                      for v in (a, b))
        if any(len(p) != 2 for p in pairs):
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"{who}: `padding` should be either an int, a tuple of 2 ints "
                         f"(symmetric_height_pad, symmetric_width_pad), or a tuple of 2 "
                         f"tuples of 2 ints ((top_pad, bottom_pad), (left_pad, "
                         f"right_pad)). Received: padding={value!r}") from None
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{who}: `padding` must be non-negative. Received: "
                         f"padding={value!r}")
    return pairs


class ZeroPadding2D(Layer):
    """Zero rows and columns around an image: (N, H, W, C) → (N, H + t + b,
    W + l + r, C)."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding, type(self).__name__)
        self.data_format = _data_format(data_format, type(self).__name__)
        self.built = True

    def _torch_pad(self):
        """F.pad's order: last axis first."""
        (t, b), (l, r) = self.padding
        if self.data_format == "channels_last":
            return (0, 0, l, r, t, b)
        return (l, r, t, b)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 4:
            raise ValueError(f"ZeroPadding2D {self.name!r}: expected an input of rank 4, "
                             f"got input shape {input_shape}")
        (t, b), (l, r) = self.padding
        h, w = (1, 2) if self.data_format == "channels_last" else (2, 3)
        out = list(input_shape)
        out[h] = None if out[h] is None else out[h] + t + b
        out[w] = None if out[w] is None else out[w] + l + r
        return tuple(out)

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        return pad(x, self._torch_pad())

    def get_config(self):
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


# -- the other reshaping layers of Keras: padding, cropping, up-sampling, repeating ---------
def _amounts(value, n, who, arg, default_pair=True):
    """``value`` as n (before, after) pairs: an int (the same everywhere), n ints (one
    symmetric amount per axis) or n pairs (a single pair when n is 1)."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            pairs = ((value, value),) * n
        elif n == 1:
            a, b = value
            pairs = ((int(a), int(b)),)
        else:
            if len(value) != n:
                raise ValueError
            pairs = tuple((int(v), int(v)) if isinstance(v, int) else
                          tuple(int(e) for e in v) for v in value)
            if any(len(p) != 2 for p in pairs):
                raise ValueError
    except (TypeError, ValueError):
        shape = "an int, or a tuple of 2 ints" if n == 1 else \
            f"an int, a tuple of {n} ints, or a tuple of {n} tuples of 2 ints"
        raise ValueError(f"{who}: `{arg}` should be {shape}. Received: "
                         f"{arg}={value!r}") from None
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{who}: `{arg}` must be non-negative. Received: {arg}={value!r}")
    return pairs


def _spatial_axes(n, data_format):
    return tuple(range(1, n + 1)) if data_format == "channels_last" else \
        tuple(range(2, n + 2))


def _check_ndim(layer, shape, ndim):
    if len(shape) != ndim:
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: '
                         f"expected ndim={ndim}, found ndim={len(shape)}. Full shape "
                         f"received: {tuple(shape)}")


class _Padding(Layer):
    """Zeros before and after each spatial axis (``padding`` pairs)."""
    n = None

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.padding = _amounts(padding, self.n, who, "padding")
        self.data_format = _data_format(data_format, who)
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, self.n + 2)
        out = list(input_shape)
        for a, (b, e) in zip(_spatial_axes(self.n, self.data_format), self.padding):
            out[a] = None if out[a] is None else out[a] + b + e
        return tuple(out)

    def call(self, x):
        _check_ndim(self, x.shape, self.n + 2)
        amounts = [(0, 0)] * x.ndim
        for a, p in zip(_spatial_axes(self.n, self.data_format), self.padding):
            amounts[a] = p
        return pad(x, tuple(v for p in reversed(amounts) for v in p))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding[0] if self.n == 1
                else self.padding, "data_format": self.data_format}


class ZeroPadding1D(_Padding):
    """(N, T, C) → (N, T + l + r, C): ``padding`` = p or (l, r) zero steps.

    >>> ZeroPadding1D(2)
    """
    n = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_Padding):
    """(N, D, H, W, C) → zeros around each of the three spatial axes."""
    n = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(Layer):
    """Removes ``cropping`` (before, after) steps of each spatial axis."""
    n = None

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.cropping = _amounts(cropping, self.n, who, "cropping")
        self.data_format = _data_format(data_format, who)
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, self.n + 2)
        out = list(input_shape)
        for a, (b, e) in zip(_spatial_axes(self.n, self.data_format), self.cropping):
            if out[a] is not None:
                if b + e >= out[a]:
                    raise ValueError(f"{type(self).__name__}: values in `cropping` argument "
                                     "should be smaller than the corresponding spatial "
                                     f"dimension of the input. Received: input_shape="
                                     f"{tuple(input_shape)}, cropping={self.cropping}")
                out[a] -= b + e
        return tuple(out)

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        index = [slice(None)] * x.ndim
        for a, (b, e) in zip(_spatial_axes(self.n, self.data_format), self.cropping):
            index[a] = slice(b, x.shape[a] - e)
        return x[tuple(index)]

    def get_config(self):
        config = {**super().get_config(), "cropping": self.cropping[0] if self.n == 1
                  else self.cropping}
        if self.n > 1:
            config["data_format"] = self.data_format
        return config


class Cropping1D(_Cropping):
    """(N, T, C) → (N, T − b − e, C): ``cropping`` = (b, e) steps removed."""
    n = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)


class Cropping2D(_Cropping):
    """(N, H, W, C) → rows and columns removed at the borders: ``cropping`` = c,
    (ch, cw) or ((top, bottom), (left, right)).

    >>> Cropping2D(((2, 2), (4, 4)))
    """
    n = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """(N, D, H, W, C) → borders removed on each of the three spatial axes."""
    n = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


def _linear_matrix(n, s, dtype):
    """(n·s, n) weights of linear interpolation with half-pixel centres, as Keras's
    ``ops.image.resize``: output i reads input (i + ½)/s − ½ (clamped to the edges)."""
    src = np.maximum((np.arange(n * s) + 0.5) / s - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(int), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    w = src - i0
    m = np.zeros((n * s, n), dtype=dtype)
    np.add.at(m, (np.arange(n * s), i0), 1 - w)
    np.add.at(m, (np.arange(n * s), i1), w)
    return m


class UpSampling1D(Layer):
    """(N, T, C) → (N, T·size, C): each step repeated ``size`` times."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, 3)
        t = input_shape[1]
        return (input_shape[0], None if t is None else t * self.size, input_shape[2])

    def call(self, x):
        _check_ndim(self, x.shape, 3)
        return x[:, np.repeat(np.arange(x.shape[1]), self.size)]

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(Layer):
    """(N, H, W, C) → (N, H·sh, W·sw, C): ``interpolation="nearest"`` repeats rows
    and columns, ``"bilinear"`` interpolates them linearly (half-pixel centres, as
    Keras).

    >>> UpSampling2D(size=(2, 2))
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        who = "UpSampling2D"
        self.size = _tuple_arg(size, 2, who, "size")
        self.data_format = _data_format(data_format, who)
        if interpolation not in ("nearest", "bilinear"):
            if interpolation in ("bicubic", "lanczos3", "lanczos5", "area"):
                raise NotSupportedError(f"{who}: interpolation={interpolation!r} is not "
                                        "supported; use 'nearest' or 'bilinear'")
            raise ValueError(f"{who}: `interpolation` argument should be one of: 'area', "
                             "'bicubic', 'bilinear', 'lanczos3', 'lanczos5', 'nearest'. "
                             f"Received: interpolation={interpolation!r}")
        self.interpolation = interpolation
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, 4)
        out = list(input_shape)
        for a, s in zip(_spatial_axes(2, self.data_format), self.size):
            out[a] = None if out[a] is None else out[a] * s
        return tuple(out)

    def call(self, x):
        _check_ndim(self, x.shape, 4)
        h, w = _spatial_axes(2, self.data_format)
        if self.interpolation == "nearest":
            x = x[(slice(None),) * h + (np.repeat(np.arange(x.shape[h]), self.size[0]),)]
            return x[(slice(None),) * w + (np.repeat(np.arange(x.shape[w]), self.size[1]),)]
        xp = array_module(x.array)
        mh = Tensor(xp.asarray(_linear_matrix(x.shape[h], self.size[0], x.dtype)))
        mw = Tensor(xp.asarray(_linear_matrix(x.shape[w], self.size[1], x.dtype)))
        eq = "nhwc,Hh,Ww->nHWc" if self.data_format == "channels_last" else \
            "nchw,Hh,Ww->ncHW"
        return einsum(eq, x, mh, mw)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class RepeatVector(Layer):
    """(N, d) → (N, n, d): the vector repeated n times (an encoder's summary fed to
    each step of a decoder).

    >>> RepeatVector(3)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, 2)
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x):
        _check_ndim(self, x.shape, 2)
        return x.unsqueeze(1)[:, np.zeros(self.n, dtype=int)]

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorders the axes after the batch one: ``dims`` is a permutation of 1…ndim−1,
    ``Permute((2, 1))`` swaps the two axes of (N, T, C).

    >>> Permute((2, 1))
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The "
                             "set of indices in `dims` must be consecutive and start from "
                             f"1. Received dims={dims}")
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, len(self.dims) + 1)
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, x):
        _check_ndim(self, x.shape, len(self.dims) + 1)
        return x.permute(0, *self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class UpSampling3D(Layer):
    """(N, D, H, W, C) → (N, D·sd, H·sh, W·sw, C): each voxel repeated (nearest)."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = _tuple_arg(size, 3, "UpSampling3D", "size")
        self.data_format = _data_format(data_format, "UpSampling3D")
        self.built = True

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, 5)
        out = list(input_shape)
        for a, s in zip(_spatial_axes(3, self.data_format), self.size):
            out[a] = None if out[a] is None else out[a] * s
        return tuple(out)

    def call(self, x):
        _check_ndim(self, x.shape, 5)
        for a, s in zip(_spatial_axes(3, self.data_format), self.size):
            x = x[(slice(None),) * a + (np.repeat(np.arange(x.shape[a]), s),)]
        return x

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
