"""Keras's reshaping layers for images: ``ZeroPadding2D`` (``Flatten`` and ``Reshape``
are in ``core``)."""
from ...ops.padding import pad
from .convolutional import _data_format
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
