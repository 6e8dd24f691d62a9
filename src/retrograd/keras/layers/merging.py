"""Layers that merge several inputs into one: ``Add``, ``Subtract``, ``Multiply``,
``Average``, ``Maximum``, ``Minimum``, ``Concatenate``, ``Dot``, and their functional
forms (``keras.layers.add([a, b])``, …)."""
import functools
import math
import operator

import numpy as np

from ...backend import array_module
from ...ops import elementwise as _elementwise
from ...ops import shape as _shape
from ...tensor import Tensor
from ..keras_tensor import is_symbolic
from .layer import Layer


class Merge(Layer):
    """Base of the layers that combine a list of inputs into one: ``Add()([a, b])``.

    Elementwise merges broadcast as Keras does: an input of lower rank gets size-1
    axes inserted after the batch axis, then sizes 1 stretch (``(N, 4)`` with
    ``(N, 3, 4)`` gives ``(N, 3, 4)``). Every input needs the same batch size."""

    multi_input = True
    min_inputs, max_inputs = 2, None

    def __call__(self, *args, **kwargs):
        x = args[0] if args else None
        if not isinstance(x, (list, tuple)) and not is_symbolic(x):
            name = type(self).__name__
            shape = f" of shape {tuple(np.shape(x))}" if hasattr(x, "shape") else ""
            raise TypeError(f"{name} {self.name!r}: expects a list of inputs, e.g. "
                            f"{name}()([a, b]); got a {type(x).__name__}{shape}")
        return super().__call__(*args, **kwargs)

    def forward(self, inputs):
        inputs = [t if t.dtype.kind == "f" else t.to(dtype=np.float32) for t in inputs]
        shapes = [tuple(t.shape) for t in inputs]
        self.compute_output_shape(shapes)   # every call: the batch sizes and shapes
        if not self.built:
            self.build_for([(None,) + s[1:] for s in shapes])
        return self.call(self._aligned(inputs))

    def compute_mask(self, inputs, mask=None):
        """Keras's: None unless every input has a mask, else their OR (a step is
        real where any input's is)."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f"{type(self).__name__} {self.name!r}: `mask` should be a "
                             f"list of one mask per input ({len(inputs)}), got {mask!r}")
        if any(m is None for m in mask):
            return None
        xp = array_module(inputs[0].array)
        out = _mask_values(mask[0], xp)
        for m in mask[1:]:
            out = out | _mask_values(m, xp)
        return Tensor(out)

    def _aligned(self, inputs):
        """The inputs brought to one rank (Keras: axes inserted after the batch)."""
        rank = max(t.ndim for t in inputs)
        return [t if t.ndim == rank else t.reshape(_expanded(t.shape, rank)) for t in inputs]

    def _check(self, input_shapes):
        who = f"{type(self).__name__} {self.name!r}"
        if not isinstance(input_shapes, (list, tuple)) or not all(
                isinstance(s, (list, tuple)) for s in input_shapes):
            raise ValueError(f"{who}: expects a list of inputs, got shape {input_shapes!r}")
        n = len(input_shapes)
        if n < self.min_inputs or (self.max_inputs is not None and n > self.max_inputs):
            wanted = (f"exactly {self.max_inputs}" if self.min_inputs == self.max_inputs
                      else f"at least {self.min_inputs}")
            raise ValueError(f"{who}: takes {wanted} inputs, got {n}")
        shapes = [tuple(s) for s in input_shapes]
        if any(len(s) == 0 for s in shapes):
            raise ValueError(f"{who}: every input needs a batch axis, got shapes {shapes}")
        if len({s[0] for s in shapes} - {None}) > 1:
            raise ValueError(f"{who}: the inputs must have the same batch size, got "
                             f"shapes {shapes}")
        return shapes

    def compute_output_shape(self, input_shapes):
        shapes = self._check(input_shapes)
        rank = max(len(s) for s in shapes)
        out = [next((s[0] for s in shapes if s[0] is not None), None)]
        for dims in zip(*(_expanded(s, rank)[1:] for s in shapes)):
            known = {d for d in dims if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(f"{type(self).__name__} {self.name!r}: the inputs' shapes "
                                 f"do not broadcast, got shapes {shapes}")
            out.append(known.pop() if known else None if None in dims else 1)
        return tuple(out)


def _expanded(shape, rank):
    """``shape`` with size-1 axes inserted after the batch axis up to ``rank`` (Keras)."""
    shape = tuple(shape)
    return shape[:1] + (1,) * (rank - len(shape)) + shape[1:]


class Add(Merge):
    """y = x₁ + x₂ + … (a skip connection: ``Add()([x, f(x)])``)."""

    def call(self, inputs):
        return functools.reduce(operator.add, inputs)


class Subtract(Merge):
    """y = x₁ − x₂ (exactly two inputs)."""

    max_inputs = 2

    def call(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(Merge):
    """y = x₁ ⊙ x₂ ⊙ … (elementwise)."""

    def call(self, inputs):
        return functools.reduce(operator.mul, inputs)


class Average(Merge):
    """y = (x₁ + … + xₙ) / n."""

    def call(self, inputs):
        return Add.call(self, inputs) * (1.0 / len(inputs))


class Maximum(Merge):
    """y = max(x₁, x₂, …), elementwise."""

    def call(self, inputs):
        return functools.reduce(_elementwise.maximum, inputs)


class Minimum(Merge):
    """y = min(x₁, x₂, …), elementwise."""

    def call(self, inputs):
        return functools.reduce(_elementwise.minimum, inputs)


class Concatenate(Merge):
    """y = [x₁, x₂, …] joined along ``axis`` (default the last); the other axes must
    agree."""

    def __init__(self, axis=-1, **kwargs):
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"Concatenate: axis must be an integer, got axis={axis!r}")
        super().__init__(**kwargs)
        self.axis = int(axis)

    def compute_output_shape(self, input_shapes):
        shapes = self._check(input_shapes)
        if len({len(s) for s in shapes}) > 1:
            raise ValueError(f"Concatenate {self.name!r}: the inputs must have the same "
                             f"rank, got shapes {shapes}")
        rank = len(shapes[0])
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 1 <= axis < rank:
            raise ValueError(f"Concatenate {self.name!r}: axis={self.axis} is not a feature "
                             f"axis of inputs of shape {shapes[0]} (axis 0 is the batch)")
        out = list(shapes[0])
        for i in range(rank):
            dims = [s[i] for s in shapes]
            if i == axis:
                out[i] = None if None in dims else sum(dims)
            elif i > 0 and len({d for d in dims if d is not None}) > 1:
                raise ValueError(f"Concatenate {self.name!r}: the inputs must agree on every "
                                 f"axis but axis={self.axis}, got shapes {shapes}")
        return tuple(out)

    def call(self, inputs):
        return _shape.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras's: each input's mask spread over its features (all True for an input
        without one), concatenated along ``axis``, then any() over the last axis."""
        if mask is None or all(m is None for m in mask):
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f"Concatenate {self.name!r}: `mask` should be a list of one "
                             f"mask per input ({len(inputs)}), got {mask!r}")
        parts = []
        for x, m in zip(inputs, mask):
            xp = array_module(x.array)
            if m is None:
                parts.append(xp.ones(x.shape, dtype=bool))
                continue
            m = _mask_values(m, xp)
            if m.ndim < x.ndim:
                m = xp.broadcast_to(m[..., None], x.shape)
            parts.append(m)
        xp = array_module(parts[0])
        return Tensor(xp.concatenate(parts, axis=self.axis).any(axis=-1))

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """yᵢ = Σ_k x₁ᵢ[…, k, …] x₂ᵢ[…, k, …]: the dot product of each sample's two
    inputs along ``axes`` (one axis for both, or one per input; never the batch).
    ``normalize=True`` divides each input by its L2 norm along its axis first, giving
    the cosine similarity. Output: x₁'s shape without its axis, then x₂'s without its
    batch and its axis; a result of one value per sample has shape (N, 1)."""

    min_inputs = max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        pair = (axes, axes) if isinstance(axes, (int, np.integer)) else axes
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in pair)):
            raise ValueError(f"Dot: axes must be an integer or a pair of integers, "
                             f"got axes={axes!r}")
        super().__init__(**kwargs)
        self.axes, self.normalize = axes, bool(normalize)
        self._pair = tuple(int(a) for a in pair)

    def _axes(self, shapes):
        who = f"Dot {self.name!r}"
        out = []
        for a, s in zip(self._pair, shapes):
            if len(s) < 2:
                raise ValueError(f"{who}: inputs need rank ≥ 2 (batch and features), got "
                                 f"shapes {shapes}")
            if not -len(s) <= a < len(s) or a % len(s) == 0:
                raise ValueError(f"{who}: axes={self.axes!r} is not a feature axis of "
                                 f"inputs of shapes {shapes} (axis 0 is the batch)")
            out.append(a % len(s))
        return out

    def compute_output_shape(self, input_shapes):
        shapes = self._check(input_shapes)
        (s1, s2), (a1, a2) = shapes, self._axes(shapes)
        if None not in (s1[a1], s2[a2]) and s1[a1] != s2[a2]:
            raise ValueError(f"Dot {self.name!r}: axes {a1} and {a2} have sizes {s1[a1]} "
                             f"and {s2[a2]}, they must be equal; got shapes {shapes}")
        out = s1[:a1] + s1[a1 + 1:] + tuple(d for i, d in enumerate(s2) if i not in (0, a2))
        return out if len(out) > 1 else out + (1,)

    def compute_mask(self, inputs, mask=None):
        return None         # Keras's Dot: no mask on the output

    def _aligned(self, inputs):   # no broadcasting: the two inputs keep their ranks
        return inputs

    def call(self, inputs):
        shapes = [tuple(t.shape) for t in inputs]
        (x, y), (a1, a2) = inputs, self._axes(shapes)
        if self.normalize:
            x, y = _l2_normalize(x, a1), _l2_normalize(y, a2)
        n, k = x.shape[0], x.shape[a1]
        p = math.prod(d for i, d in enumerate(x.shape) if i not in (0, a1))
        q = math.prod(d for i, d in enumerate(y.shape) if i not in (0, a2))
        # x → (N, P, k) with its axis last, y → (N, k, Q) with its axis first: one
        # batched matrix product (N, P, Q).
        x = x.permute(*[i for i in range(x.ndim) if i != a1], a1).reshape(n, p, k)
        y = y.permute(0, a2, *[i for i in range(1, y.ndim) if i != a2]).reshape(n, k, q)
        return (x @ y).reshape(self.compute_output_shape(shapes))

    def get_config(self):
        axes = list(self.axes) if isinstance(self.axes, (list, tuple)) else self.axes
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def _l2_normalize(x, axis, eps=1e-12):
    """x / max(‖x‖₂, √eps) along ``axis`` (Keras's l2_normalize)."""
    norm2 = (x * x).sum(axis=axis, keepdims=True)
    return x / _elementwise.maximum(norm2, eps).sqrt()


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``: x₁ + x₂ + …"""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``: x₁ − x₂."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``: x₁ ⊙ x₂ ⊙ …"""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``: the mean of the inputs."""
    return Average(**kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """``Dot(axes, normalize, **kwargs)(inputs)``: the per-sample dot product."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``: the inputs joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def _mask_values(mask, xp):
    """A mask (tensor or array) as a boolean array of the inputs' device."""
    a = mask.array if isinstance(mask, Tensor) else xp.asarray(mask)
    return a.astype(bool)
