"""Padding: PyTorch's ``F.pad`` — constant, reflect, replicate and circular borders.

``pad`` lists (before, after) amounts from the LAST axis backwards:
``pad(x, (1, 1, 2, 0))`` adds one column on each side of the last axis and two
rows before the second-to-last. A negative amount crops.

* constant: y = x surrounded by ``value``;  ∂ℓ/∂x = ∂ℓ/∂y without the borders.
* reflect / replicate / circular: every output cell copies one input cell, chosen
  per axis by an index map (reflect: mirror without repeating the edge; replicate:
  the nearest edge; circular: wrap around). y = x[idx] along each padded axis, and
  ∂ℓ/∂x sums the gradients of the cells that copied the same input: a product with
  the (out × in) 0/1 matrix of the index map, transposed.
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..missing import NotSupportedError


class ConstantPad(Function):
    """y = x with ``value`` borders; negative amounts crop."""

    fresh_grads = True

    def __init__(self, pads, value):
        self.pads, self.value = pads, value   # ((before, after), …) for every axis

    def forward(self, x):
        xp = array_module(x)
        shape = tuple(n + b + a for n, (b, a) in zip(x.shape, self.pads))
        if min(shape, default=1) < 0:
            raise RuntimeError(f"pad: the padded size {list(shape)} of input "
                               f"{list(x.shape)} would be negative")
        y = xp.full(shape, self.value, dtype=x.dtype)
        y[self._inner(x.shape)] = x[self._outer(x.shape)]
        self.x_shape = x.shape
        return y

    def _inner(self, shape):
        """Where the kept input lies in the output."""
        return tuple(slice(max(b, 0), max(b, 0) + n + min(b, 0) + min(a, 0))
                     for n, (b, a) in zip(shape, self.pads))

    def _outer(self, shape):
        """The part of the input kept (negative amounts crop it)."""
        return tuple(slice(-min(b, 0), n + min(a, 0)) for n, (b, a) in zip(shape, self.pads))

    def backward(self, gy):
        xp = array_module(gy)
        gx = xp.zeros(self.x_shape, dtype=gy.dtype)
        gx[self._outer(self.x_shape)] = gy[self._inner(self.x_shape)]
        return gx

    def jvp(self, dx):
        xp = array_module(dx)
        shape = tuple(n + b + a for n, (b, a) in zip(dx.shape, self.pads))
        dy = xp.zeros(shape, dtype=dx.dtype)
        dy[self._inner(dx.shape)] = dx[self._outer(dx.shape)]
        return dy


def _index_map(mode, n, before, after):
    """For each output cell of a padded axis, the input cell it copies."""
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    period = 2 * (n - 1)              # reflect: …2 1 | 0 1 2 … n−1 | n−2 …
    i = np.abs(i) % period if period else np.zeros_like(i)
    return np.where(i >= n, period - i, i)


class IndexPad(Function):
    """y = x[idx] along each padded axis (reflect, replicate, circular);
    ∂ℓ/∂x = Mᵀ ∂ℓ/∂y per axis, M the one-hot matrix of the index map."""

    fresh_grads = True

    def __init__(self, mode, pads):
        self.mode, self.pads = mode, pads     # {axis: (before, after)}

    def forward(self, x):
        xp = array_module(x)
        self.maps = {}
        for axis, (b, a) in self.pads.items():
            n = x.shape[axis]
            if self.mode == "reflect" and (b >= n or a >= n):
                raise RuntimeError(f"pad: padding size should be less than the corresponding "
                                   f"input dimension, but got padding ({b}, {a}) at "
                                   f"dimension {axis} of input {list(x.shape)}")
            if self.mode == "circular" and (b > n or a > n):
                raise RuntimeError(f"pad: padding value causes wrapping around more than "
                                   f"once, padding ({b}, {a}) at dimension {axis} of input "
                                   f"{list(x.shape)}")
            if n == 0 or b < 0 or a < 0:
                raise RuntimeError(f"pad: mode {self.mode!r} needs non-negative padding of a "
                                   f"non-empty axis, got ({b}, {a}) at dimension {axis} of "
                                   f"input {list(x.shape)}")
            self.maps[axis] = (n, xp.asarray(_index_map(self.mode, n, b, a)))
        return self._gather(x)

    def _gather(self, x):
        for axis, (_, idx) in self.maps.items():
            x = x.take(idx, axis=axis)
        return x

    def backward(self, gy):
        xp = array_module(gy)
        for axis, (n, idx) in reversed(self.maps.items()):
            onehot = (idx[:, None] == xp.arange(n)[None, :]).astype(gy.dtype)   # (out, in)
            gy = xp.moveaxis(xp.moveaxis(gy, axis, -1) @ onehot, -1, axis)
        return gy

    def jvp(self, dx):
        return self._gather(dx)


_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """PyTorch's ``F.pad``: pad (or crop, negative amounts) ``input`` by ``pad``, a
    sequence of (before, after) amounts for the last axes, last axis first."""
    pad = tuple(pad)
    if len(pad) % 2 or any(isinstance(p, bool) or not isinstance(p, (int, np.integer))
                           for p in pad):
        raise ValueError(f"pad: padding must be a sequence of ints of even length, got "
                         f"{pad!r}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad: padding length {len(pad)} is too large for an input with "
                         f"{input.ndim} dimensions (at most {2 * input.ndim})")
    if mode not in _MODES:
        raise NotSupportedError(f"pad: mode {mode!r} is not supported; retrograd has "
                                f"{', '.join(_MODES)}")
    pairs = {input.ndim - 1 - i: (int(pad[2 * i]), int(pad[2 * i + 1]))
             for i in range(len(pad) // 2)}
    if mode == "constant":
        pads = tuple(pairs.get(axis, (0, 0)) for axis in range(input.ndim))
        return ConstantPad(pads, 0 if value is None else value).apply(input)
    if value is not None and value != 0:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in a value argument")
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        # PyTorch pads k axes of a (C, …) or (N, C, …) input in these modes, no more
        raise NotImplementedError(
            f"pad: padding size {len(pad)} is not supported for {input.ndim}D input in "
            f"mode {mode!r}; supported: 2D or 3D input with padding size 2, 3D or 4D with "
            f"size 4, 4D or 5D with size 6")
    pairs = {a: p for a, p in sorted(pairs.items()) if p != (0, 0)}
    return IndexPad(mode, pairs).apply(input)
