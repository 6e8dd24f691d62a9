"""Keras's adaptive pooling layers: ``AdaptiveAveragePooling1D/2D/3D`` and
``AdaptiveMaxPooling1D/2D/3D`` pool any input size to a fixed ``output_size``: output
cell i of an axis of n inputs and o outputs covers inputs ⌊i·n/o⌋ … ⌈(i+1)·n/o⌉ − 1
(PyTorch's windows, which Keras's torch backend uses).

1-D and 2-D are the ops of ``ops/pooling.py``; 3-D is the 2-D op over (H, W) then
the 1-D op over D — the windows are boxes, products of one interval per axis, so the
max (or the mean) over a box is the max (mean) over D of the max (mean) over (H, W)."""
from ...ops import pooling as P
from .convolutional import _data_format
from .layer import Layer


class _AdaptivePooling(Layer):
    rank, _op = None, None

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        size = (output_size,) * self.rank if isinstance(output_size, int) else \
            tuple(output_size)
        if len(size) != self.rank or not all(
                isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in size):
            raise ValueError(f"{who}: `output_size` must be an integer or a tuple of "
                             f"{self.rank} positive integers. Received: "
                             f"output_size={output_size!r}")
        self.output_size = size
        self.data_format = _data_format(data_format, who)
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: expected ndim={self.rank + 2}, found "
                             f"ndim={len(input_shape)}. Full shape received: {input_shape}")
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return input_shape[:2] + self.output_size

    def call(self, x):
        self.compute_output_shape((None,) + tuple(x.shape[1:]))
        if self.data_format == "channels_last":         # → channels first
            x = x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))
        y = self._pool(x)
        return y.permute(0, *range(2, y.ndim), 1) if self.data_format == "channels_last" \
            else y

    def _pool(self, x):
        ops = {("avg", 1): P.adaptive_avg_pool1d, ("avg", 2): P.adaptive_avg_pool2d,
               ("max", 1): P.adaptive_max_pool1d, ("max", 2): P.adaptive_max_pool2d}
        if self.rank < 3:
            return ops[self._op, self.rank](x, self.output_size)
        n, c, d, h, w = x.shape
        od, oh, ow = self.output_size
        planes = ops[self._op, 2](x.reshape(n, c * d, h, w), (oh, ow))   # (N, C·D, oh, ow)
        cols = planes.reshape(n, c, d, oh * ow).permute(0, 1, 3, 2).reshape(n, c * oh * ow, d)
        y = ops[self._op, 1](cols, od)                                  # (N, C·oh·ow, od)
        return y.reshape(n, c, oh, ow, od).permute(0, 1, 4, 2, 3)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """(N, L, C) → (N, output_size, C): means over adaptive windows."""
    rank, _op = 1, "avg"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """(N, H, W, C) → (N, oh, ow, C): means over adaptive windows.

    >>> AdaptiveAveragePooling2D((7, 7))      # any image size to 7×7
    """
    rank, _op = 2, "avg"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """(N, D, H, W, C) → (N, od, oh, ow, C): means over adaptive boxes."""
    rank, _op = 3, "avg"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """(N, L, C) → (N, output_size, C): maxima over adaptive windows."""
    rank, _op = 1, "max"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """(N, H, W, C) → (N, oh, ow, C): maxima over adaptive windows."""
    rank, _op = 2, "max"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """(N, D, H, W, C) → (N, od, oh, ow, C): maxima over adaptive boxes."""
    rank, _op = 3, "max"
